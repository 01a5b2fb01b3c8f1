// omnisim replay: decodes the embedded record arrays and draws the run on canvases.
// Times are integer milliseconds after the run's start (meta.t0, clock seconds);
// positions are integer decimetres. Plain JavaScript, no libraries, no network.
"use strict";

(function () {
  const META = JSON.parse(document.getElementById("meta").textContent);
  const DAY = 86400;
  const ORDER_COLOURS = {
    waitPicker: "#f39c12", picking: "#d4ac0d", waitCourier: "#8e44ad", riding: "#2e86c1",
    onTime: "#27ae60", late: "#c0392b", rejected: "#aaaaaa",
  };
  const ORDER_LABELS = {
    waitPicker: "waiting for a picker", picking: "picking and packing",
    waitCourier: "waiting for a courier", riding: "riding to the customer",
    onTime: "delivered on time", late: "late (delivered late or overdue)",
    rejected: "rejected",
  };
  const NODE_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
  const SHOW_DONE_MS = 10 * 60 * 1000;  // delivered / rejected orders stay 10 minutes
  const WH_KIND = ["#ffffff", "#ebedef", "#e8d5a9", "#1e8449", "#a9dfbf", "#f7dc6f"];
  // cell kinds: aisle, wall, spot (pod storage), pick, queue, charger

  const state = {
    T: 0, playing: false, speed: 60, view: "city", selected: null, firstFrameMs: null,
    couriersDrawn: 0, courierList: [], ordersDrawn: 0, robotsDrawn: 0,
  };

  async function decode() {
    const text = document.getElementById("blob").textContent.trim();
    const bin = atob(text);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    const buf = await new Response(stream).arrayBuffer();
    const out = {};
    for (const [name, spec] of Object.entries(META.arrays)) {
      const [offset, n, dtype, delta] = spec;
      const Type = {i4: Int32Array, i2: Int16Array, u1: Uint8Array, f4: Float32Array}[dtype];
      const raw = new Type(buf.slice(offset, offset + n * Type.BYTES_PER_ELEMENT));
      if (delta) {
        const arr = new Float64Array(n);
        let acc = 0;
        for (let i = 0; i < n; i++) { acc += raw[i]; arr[i] = acc; }
        out[name] = arr;
      } else {
        out[name] = raw;
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ helpers

  function clockText(ms) {
    const s = META.t0 + ms / 1000;
    const day = Math.floor(s / DAY);
    const r = s - day * DAY;
    const hh = Math.floor(r / 3600), mm = Math.floor((r % 3600) / 60), ss = Math.floor(r % 60);
    const p = (v) => String(v).padStart(2, "0");
    return (day > 0 ? "day " + (day + 1) + " " : "") + p(hh) + ":" + p(mm) + ":" + p(ss);
  }

  // last index i in [lo, hi) with arr[i] <= v, or lo - 1
  function lastAtMost(arr, v, lo, hi) {
    let a = lo, b = hi;
    while (a < b) {
      const m = (a + b) >> 1;
      if (arr[m] <= v) a = m + 1; else b = m;
    }
    return a - 1;
  }

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // ------------------------------------------------------------------ model

  function buildModel(A) {
    const nOrders = A.o_id.length;
    const nTrips = A.t_courier.length;
    const nCouriers = META.couriers.length;
    // trips of each courier, in start order
    const byCourier = Array.from({length: nCouriers}, () => []);
    for (let k = 0; k < nTrips; k++) byCourier[A.t_courier[k]].push(k);
    const courierTrips = byCourier.map((ks) => Int32Array.from(ks));
    const courierStarts = courierTrips.map((ks) => Float64Array.from(ks, (k) => A.t_start[k]));
    const courierFleet = new Int32Array(nCouriers);
    const courierNode = new Int32Array(nCouriers);
    const nodeIndex = Object.fromEntries(META.nodes.map((n, i) => [n.name, i]));
    META.fleets.forEach((f, i) => {
      for (let c = 0; c < f.count; c++) {
        courierFleet[f.first + c] = i;
        courierNode[f.first + c] = nodeIndex[f.node] === undefined ? -1 : nodeIndex[f.node];
      }
    });
    // orders in creation order, and the times they become late
    const byCreated = Int32Array.from({length: nOrders}, (_, i) => i)
      .sort((a, b) => A.o_created[a] - A.o_created[b]);
    const created = Float64Array.from(byCreated, (i) => A.o_created[i]);
    const late = [];
    for (let i = 0; i < nOrders; i++) {
      if (A.o_status[i] === 2 || A.o_due[i] < 0) continue;
      const d = A.o_delivered[i];
      if (d < 0 || d > A.o_due[i]) late.push([A.o_due[i], i]);
    }
    late.sort((a, b) => a[0] - b[0]);
    const tripOfOrder = new Int32Array(nOrders).fill(-1);
    for (let k = 0; k < nTrips; k++) {
      for (let s = A.t_stops[k]; s < A.t_stops[k + 1]; s++) tripOfOrder[A.s_order[s]] = k;
    }
    return {nOrders, nTrips, nCouriers, courierTrips, courierStarts, courierFleet, courierNode,
            byCreated, created, late, tripOfOrder};
  }

  function orderState(A, i, T) {
    if (A.o_created[i] > T) return null;
    const status = A.o_status[i];
    if (status === 2) return T - A.o_created[i] < SHOW_DONE_MS ? "rejected" : null;
    const d = A.o_delivered[i];
    const due = A.o_due[i];
    if (d >= 0 && d <= T) {
      if (T - d >= SHOW_DONE_MS) return null;
      return due >= 0 && d > due ? "late" : "onTime";
    }
    if (status === 3 && due >= 0 && T > due + SHOW_DONE_MS) return null;
    if (due >= 0 && T > due) return "late";
    const ps = A.o_pick_start[i], ready = A.o_ready[i], disp = A.o_dispatched[i];
    if (ps < 0 || T < ps) return "waitPicker";
    if (ready < 0 || T < ready) return "picking";
    if (disp < 0 || T < disp) return "waitCourier";
    return "riding";
  }

  // position of trip k at time T: [x, y, waypoint index] (decimetres)
  function tripPosition(A, k, T) {
    const a = A.t_wp[k], b = A.t_wp[k + 1];
    const j = lastAtMost(A.w_t, T, a, b);
    if (j < a) return [A.w_x[a], A.w_y[a], a];
    if (j >= b - 1) return [A.w_x[b - 1], A.w_y[b - 1], b - 1];
    const t0 = A.w_t[j], t1 = A.w_t[j + 1];
    const f = t1 > t0 ? (T - t0) / (t1 - t0) : 1;
    return [A.w_x[j] + f * (A.w_x[j + 1] - A.w_x[j]), A.w_y[j] + f * (A.w_y[j + 1] - A.w_y[j]), j];
  }

  function activeTrip(M, A, c, T) {
    const starts = M.courierStarts[c];
    const j = lastAtMost(starts, T, 0, starts.length);
    if (j < 0) return -1;
    const k = M.courierTrips[c][j];
    return T < A.t_end[k] ? k : -1;
  }

  function tripLoad(A, k, T) {
    let n = 0;
    for (let s = A.t_stops[k]; s < A.t_stops[k + 1]; s++) {
      const d = A.o_delivered[A.s_order[s]];
      if (d < 0 || d > T) n++;
    }
    return n;
  }

  // ------------------------------------------------------------------ city view

  function cityView(A, M) {
    const canvas = document.getElementById("city");
    const ctx = canvas.getContext("2d");
    const W = META.width * 10, H = META.height * 10;
    let view = null;  // {s, ox, oy}: screen = (x * s + ox, oy - y * s)
    let base = null;

    function fit() {
      const m = 20;
      const s = Math.min((canvas.width - 2 * m) / Math.max(W, 1), (canvas.height - 2 * m) / Math.max(H, 1));
      view = {s, ox: (canvas.width - W * s) / 2, oy: canvas.height - (canvas.height - H * s) / 2};
      base = null;
    }
    const sx = (x) => x * view.s + view.ox;
    const sy = (y) => view.oy - y * view.s;

    function drawBase() {
      base = document.createElement("canvas");
      base.width = canvas.width; base.height = canvas.height;
      const g = base.getContext("2d");
      g.fillStyle = "#ffffff"; g.fillRect(0, 0, base.width, base.height);
      g.strokeStyle = "#dcdcdc"; g.lineWidth = 1;
      g.beginPath();
      for (let e = 0; e < A.e_u.length; e++) {
        const u = A.e_u[e], v = A.e_v[e];
        g.moveTo(sx(A.n_x[u]), sy(A.n_y[u])); g.lineTo(sx(A.n_x[v]), sy(A.n_y[v]));
      }
      g.stroke();
      META.nodes.forEach((n, i) => {
        const x = sx(n.x * 10), y = sy(n.y * 10);
        g.fillStyle = "#5d6d7e"; g.strokeStyle = "#000"; g.lineWidth = 1.5;
        if (n.kind === "warehouse") g.fillRect(x - 9, y - 9, 18, 18);
        else { g.beginPath(); g.moveTo(x, y - 10); g.lineTo(x + 10, y + 8); g.lineTo(x - 10, y + 8); g.closePath(); g.fill(); g.stroke(); }
        g.font = "bold 12px sans-serif"; g.lineWidth = 3; g.strokeStyle = "rgba(255,255,255,0.85)";
        g.strokeText(n.name, x + 12, y - 6); g.fillStyle = "#111"; g.fillText(n.name, x + 12, y - 6);
      });
    }

    function draw(T) {
      if (!view) fit();
      if (!base) drawBase();
      ctx.drawImage(base, 0, 0);
      // orders, batched by colour
      const groups = {};
      let drawnOrders = 0;
      const last = lastAtMost(M.created, T, 0, M.created.length);
      for (let r = 0; r <= last; r++) {
        const i = M.byCreated[r];
        const st = orderState(A, i, T);
        if (st === null) continue;
        (groups[st] = groups[st] || []).push(i);
        drawnOrders++;
      }
      for (const [st, list] of Object.entries(groups)) {
        ctx.fillStyle = ORDER_COLOURS[st];
        for (const i of list) ctx.fillRect(sx(A.o_x[i]) - 2, sy(A.o_y[i]) - 2, 4, 4);
      }
      // couriers
      const idle = new Int32Array(META.nodes.length);
      const list = [];
      for (let c = 0; c < M.nCouriers; c++) {
        const k = activeTrip(M, A, c, T);
        if (k < 0) { if (M.courierNode[c] >= 0) idle[M.courierNode[c]]++; continue; }
        const [x, y] = tripPosition(A, k, T);
        const load = tripLoad(A, k, T);
        const drone = META.fleets[M.courierFleet[c]].kind === "drone";
        const X = sx(x), Y = sy(y);
        list.push({c, k, x, y, load, trip: A.t_id[k], X, Y});
        ctx.fillStyle = "#111111";
        ctx.strokeStyle = "#111111";
        ctx.lineWidth = 1.2;
        ctx.beginPath();
        if (drone) { ctx.moveTo(X, Y - 5); ctx.lineTo(X + 4.5, Y + 4); ctx.lineTo(X - 4.5, Y + 4); ctx.closePath(); }
        else ctx.arc(X, Y, 4, 0, 2 * Math.PI);
        if (load > 0) ctx.fill(); else { ctx.fillStyle = "#fff"; ctx.fill(); }
        ctx.stroke();
        if (load > 1) { ctx.fillStyle = "#111"; ctx.font = "9px sans-serif"; ctx.fillText(String(load), X + 5, Y - 3); }
      }
      META.nodes.forEach((n, i) => {
        const label = "couriers here " + idle[i];
        ctx.font = "11px sans-serif"; ctx.lineWidth = 3; ctx.strokeStyle = "rgba(255,255,255,0.85)";
        ctx.strokeText(label, sx(n.x * 10) + 12, sy(n.y * 10) + 8);
        ctx.fillStyle = "#111"; ctx.fillText(label, sx(n.x * 10) + 12, sy(n.y * 10) + 8);
      });
      // selection
      const sel = state.selected;
      if (sel && sel.kind === "courier") {
        const k = activeTrip(M, A, sel.index, T);
        if (k >= 0) {
          ctx.strokeStyle = "rgba(0,0,0,0.55)"; ctx.lineWidth = 2; ctx.beginPath();
          for (let j = A.t_wp[k]; j < A.t_wp[k + 1]; j++) {
            if (j === A.t_wp[k]) ctx.moveTo(sx(A.w_x[j]), sy(A.w_y[j])); else ctx.lineTo(sx(A.w_x[j]), sy(A.w_y[j]));
          }
          ctx.stroke();
          const [x, y] = tripPosition(A, k, T);
          ring(sx(x), sy(y), 9);
        }
      } else if (sel && sel.kind === "order" && A.o_created[sel.index] <= T) {
        ring(sx(A.o_x[sel.index]), sy(A.o_y[sel.index]), 8);
      }
      state.couriersDrawn = list.length;
      state.courierList = list;
      state.ordersDrawn = drawnOrders;
      state.idle = Array.from(idle);
    }

    function ring(x, y, r) {
      ctx.strokeStyle = "#000"; ctx.lineWidth = 2; ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.stroke();
    }

    function pick(px, py) {
      let best = null, bd = 100;  // squared pixels
      for (const q of state.courierList) {
        const d = (sx(q.x) - px) ** 2 + (sy(q.y) - py) ** 2;
        if (d < bd) { bd = d; best = {kind: "courier", index: q.c}; }
      }
      if (best) return best;
      bd = 49;
      const last = lastAtMost(M.created, state.T, 0, M.created.length);
      for (let r = 0; r <= last; r++) {
        const i = M.byCreated[r];
        if (orderState(A, i, state.T) === null) continue;
        const d = (sx(A.o_x[i]) - px) ** 2 + (sy(A.o_y[i]) - py) ** 2;
        if (d < bd) { bd = d; best = {kind: "order", index: i}; }
      }
      return best;
    }

    canvas.addEventListener("click", (ev) => {
      const r = canvas.getBoundingClientRect();
      const px = (ev.clientX - r.left) * canvas.width / r.width;
      const py = (ev.clientY - r.top) * canvas.height / r.height;
      state.selected = pick(px, py);
      showDetail();
      redraw();
    });
    canvas.addEventListener("wheel", (ev) => {
      ev.preventDefault();
      const r = canvas.getBoundingClientRect();
      const px = (ev.clientX - r.left) * canvas.width / r.width;
      const py = (ev.clientY - r.top) * canvas.height / r.height;
      const f = ev.deltaY < 0 ? 1.25 : 0.8;
      view = {s: view.s * f, ox: px - (px - view.ox) * f, oy: py - (py - view.oy) * f};
      base = null; redraw();
    }, {passive: false});
    let drag = null;
    canvas.addEventListener("mousedown", (ev) => { drag = [ev.clientX, ev.clientY, view.ox, view.oy, false]; });
    window.addEventListener("mouseup", () => { drag = null; });
    canvas.addEventListener("mousemove", (ev) => {
      if (!drag || !(ev.buttons & 1)) return;
      const dx = ev.clientX - drag[0], dy = ev.clientY - drag[1];
      if (Math.abs(dx) + Math.abs(dy) < 4) return;
      view = {s: view.s, ox: drag[2] + dx, oy: drag[3] + dy}; base = null; redraw();
    });
    canvas.addEventListener("dblclick", () => { fit(); redraw(); });
    return {draw};
  }

  // ------------------------------------------------------------------ detail panel

  function row(name, value, cls) {
    const tr = el("tr");
    tr.append(el("td", {}, name), el("td", cls ? {class: cls} : {}, value));
    return tr;
  }

  function showDetailOf(A, M) {
    const box = document.getElementById("detail");
    box.textContent = "";
    const sel = state.selected;
    if (!sel) { box.textContent = "Click an order or a courier on the map to see its timeline."; return; }
    const t = el("table");
    const time = (v) => (v >= 0 ? clockText(v) : "-");
    if (sel.kind === "order") {
      const i = sel.index;
      const status = ["in progress", "delivered", "rejected", "cancelled"][A.o_status[i]];
      box.append(el("h3", {}, "Order " + A.o_id[i] + " (" + status + ")"));
      const node = A.o_node[i] >= 0 ? META.nodes[A.o_node[i]].name : "-";
      t.append(row("node", node), row("created", time(A.o_created[i])),
               row("accepted", time(A.o_accepted[i])), row("pick start", time(A.o_pick_start[i])),
               row("pick end", time(A.o_pick_end[i])), row("ready", time(A.o_ready[i])),
               row("dispatched", time(A.o_dispatched[i])));
      const late = A.o_due[i] >= 0 && (A.o_delivered[i] < 0 || A.o_delivered[i] > A.o_due[i]) && A.o_status[i] !== 2;
      t.append(row("delivered", time(A.o_delivered[i]), late ? "late" : ""), row("due", time(A.o_due[i])));
      if (A.o_delivered[i] >= 0) t.append(row("click to door", ((A.o_delivered[i] - A.o_created[i]) / 60000).toFixed(1) + " min"));
      if (A.o_courier[i] >= 0) {
        t.append(row("courier", META.couriers[A.o_courier[i]]));
        const k = M.tripOfOrder[i];
        if (k >= 0) t.append(row("trip", String(A.t_id[k])));
      }
      box.append(t);
    } else {
      const c = sel.index;
      const f = META.fleets[M.courierFleet[c]];
      box.append(el("h3", {}, "Courier " + META.couriers[c]), el("div", {class: "note"}, f.vehicle + " (" + f.kind + "), capacity " + f.capacity));
      const ks = M.courierTrips[c];
      t.append(row("trips", String(ks.length)));
      const k = activeTrip(M, A, c, state.T);
      t.append(row("now", k >= 0 ? "on trip " + A.t_id[k] + ", carrying " + tripLoad(A, k, state.T) : "not on a trip, at " + f.node));
      box.append(t);
      const list = el("table");
      list.append(row("trip", "start - back: orders"));
      const j = lastAtMost(M.courierStarts[c], state.T, 0, ks.length);
      const from = Math.max(0, j - 5), to = Math.min(ks.length, j + 6);
      for (let q = from; q < to; q++) {
        const kk = ks[q];
        const ids = [];
        for (let s = A.t_stops[kk]; s < A.t_stops[kk + 1]; s++) ids.push(A.o_id[A.s_order[s]]);
        list.append(row(String(A.t_id[kk]), clockText(A.t_start[kk]).slice(-8) + " - " + clockText(A.t_end[kk]).slice(-8) + ": " + ids.join(", "), kk === k ? "current" : ""));
      }
      box.append(el("h3", {}, "Trips around now"), list);
    }
  }

  // ------------------------------------------------------------------ store panel

  function storePanel(A) {
    const box = document.getElementById("charts");
    const S = META.series;
    const nSeries = S.names.length, n = S.samples;
    const charts = META.nodes.map((node, i) => {
      const div = el("div", {class: "store"});
      div.append(el("div", {}, node.name));
      const cv = el("canvas", {width: 4 * 150, height: 64});
      div.append(cv);
      box.append(div);
      const max = [];
      for (let s = 0; s < nSeries; s++) {
        let m = 1;
        for (let j = 0; j < n; j++) m = Math.max(m, A.series[(i * nSeries + s) * n + j]);
        max.push(m);
      }
      return {cv, max};
    });
    let lastSample = -2;
    function draw(T, force) {
      const upto = Math.min(n - 1, Math.floor(T / 1000 / S.step));
      if (upto === lastSample && !force) return;
      lastSample = upto;
      charts.forEach((ch, i) => {
        const g = ch.cv.getContext("2d");
        g.clearRect(0, 0, ch.cv.width, ch.cv.height);
        for (let s = 0; s < nSeries; s++) {
          const x0 = s * 150 + 4, w = 140, y0 = 14, h = 44;
          g.strokeStyle = "#e5e5e5"; g.strokeRect(x0, y0, w, h);
          g.strokeStyle = NODE_COLOURS[i % NODE_COLOURS.length]; g.lineWidth = 1.2; g.beginPath();
          const off = (i * nSeries + s) * n;
          for (let j = 0; j <= upto; j++) {
            const x = x0 + (w * j) / Math.max(1, n - 1), y = y0 + h - (h * A.series[off + j]) / ch.max[s];
            if (j === 0) g.moveTo(x, y); else g.lineTo(x, y);
          }
          g.stroke();
          g.fillStyle = "#333"; g.font = "10px sans-serif";
          g.fillText(S.names[s] + ": " + (upto >= 0 ? A.series[off + Math.max(0, upto)] : 0), x0, 10);
        }
      });
    }
    return {draw};
  }

  // ------------------------------------------------------------------ warehouse view

  function warehouseView(A, w, index) {
    const canvas = document.getElementById("wh");
    const ctx = canvas.getContext("2d");
    const p = "wh" + index + "_";
    const kinds = A[p + "kinds"];
    const Wd = w.width, Ht = w.height;
    const cs = Math.max(1, Math.min((canvas.width - 20) / Wd, (canvas.height - 40) / Ht));
    const ox = (canvas.width - Wd * cs) / 2, oy = 30;
    const cx = (cell) => ox + ((cell % Wd) + 0.5) * cs;
    const cy = (cell) => oy + (Ht - 1 - Math.floor(cell / Wd) + 0.5) * cs;  // north up
    let base = null;
    const nR = w.robots;
    const V = A[p + "v_robot"] ? A[p + "v_robot"].length : 0;
    // robot move rows, grouped by robot
    const moves = w.moves ? {robot: A[p + "m_robot"], cell: A[p + "m_cell"], tin: A[p + "m_in"], tout: A[p + "m_out"]} : null;
    const mStart = new Int32Array(nR + 1).fill(-1);
    if (moves) {
      const n = moves.robot.length;
      let r = 0;
      mStart[0] = 0;
      for (let i = 0; i < n; i++) { while (r < moves.robot[i]) { r++; mStart[r] = i; } }
      while (r < nR) { r++; mStart[r] = n; }
    }

    function drawBase() {
      base = document.createElement("canvas");
      base.width = canvas.width; base.height = canvas.height;
      const g = base.getContext("2d");
      g.fillStyle = "#fff"; g.fillRect(0, 0, base.width, base.height);
      for (let c = 0; c < kinds.length; c++) {
        if (kinds[c] === 0) continue;
        g.fillStyle = WH_KIND[kinds[c]] || "#ccc";
        g.fillRect(ox + (c % Wd) * cs, oy + (Ht - 1 - Math.floor(c / Wd)) * cs, cs, cs);
      }
    }

    function robotPos(r, T) {
      const a = mStart[r], b = mStart[r + 1];
      if (a < 0 || b <= a) return null;
      const k = lastAtMost(moves.tin, T, a, b);
      if (k < a || T > moves.tout[k]) return null;
      const c = moves.cell[k];
      const x = c % Wd, y = Math.floor(c / Wd);
      if (k > a && T < moves.tout[k - 1]) {  // leaving the previous cell
        const pc = moves.cell[k - 1], t0 = moves.tin[k], t1 = moves.tout[k - 1];
        const f = t1 > t0 ? Math.min(1, Math.max(0, (T - t0) / (t1 - t0))) : 1;
        const px = pc % Wd, py = Math.floor(pc / Wd);
        return [px + f * (x - px), py + f * (y - py)];
      }
      return [x, y];  // cell coordinates (x east, y north)
    }

    function draw(T) {
      if (!base) drawBase();
      ctx.drawImage(base, 0, 0);
      const status = new Uint8Array(nR);  // 0 idle, 1 to pod, 2 carrying, 3 charging, 4 broken
      const queue = new Int32Array(w.lanes.length);
      const inLane = w.lanes.map(() => []);
      for (let v = 0; v < V; v++) {
        const d = A[p + "v_dispatched"][v];
        if (d < 0 || d > T) continue;
        const ret = A[p + "v_returned"][v];
        if (ret >= 0 && ret <= T) continue;
        const r = A[p + "v_robot"][v];
        const atPod = A[p + "v_at_pod"][v];
        status[r] = atPod >= 0 && atPod <= T ? 2 : 1;
        const st = A[p + "v_station"][v], as = A[p + "v_at_station"][v], pe = A[p + "v_pick_end"][v];
        if (st >= 0 && as >= 0 && as <= T && (pe < 0 || T < pe)) { queue[st]++; inLane[st].push([as, r]); }
      }
      const chargingAt = [];
      if (A[p + "c_robot"]) {
        for (let i = 0; i < A[p + "c_robot"].length; i++) {
          if (A[p + "c_start"][i] >= 0 && A[p + "c_start"][i] <= T && T < A[p + "c_end"][i]) {
            status[A[p + "c_robot"][i]] = 3; chargingAt.push([A[p + "c_robot"][i], A[p + "c_charger"][i]]);
          }
        }
      }
      if (A[p + "f_robot"]) {
        for (let i = 0; i < A[p + "f_robot"].length; i++) {
          if (A[p + "f_start"][i] <= T && T < A[p + "f_end"][i]) status[A[p + "f_robot"][i]] = 4;
        }
      }
      const colours = ["#7f8c8d", "#2e86c1", "#e67e22", "#f1c40f", "#e74c3c"];
      const r0 = Math.max(1.5, cs * 0.42);
      let drawn = 0;
      const robots = [];
      const count = [0, 0, 0, 0, 0];
      const put = (x, y, s) => {
        ctx.fillStyle = colours[s]; ctx.beginPath(); ctx.arc(x, y, r0, 0, 2 * Math.PI); ctx.fill();
        if (s === 2) { ctx.strokeStyle = "#7b5b1a"; ctx.lineWidth = Math.max(1, cs * 0.2); ctx.strokeRect(x - r0, y - r0, 2 * r0, 2 * r0); }
        drawn++;
      };
      for (let r = 0; r < nR; r++) count[status[r]]++;
      if (moves) {
        for (let r = 0; r < nR; r++) {
          const pos = robotPos(r, T);
          if (pos) { put(ox + (pos[0] + 0.5) * cs, oy + (Ht - 1 - pos[1] + 0.5) * cs, status[r]); robots.push({r, x: pos[0], y: pos[1], s: status[r]}); }
        }
      } else {  // only places the records pin down: station lanes and chargers
        inLane.forEach((list, s) => {
          list.sort((a, b) => a[0] - b[0]);
          list.slice(0, w.lanes[s].length).forEach(([_, r], j) => put(cx(w.lanes[s][j]), cy(w.lanes[s][j]), status[r]));
        });
        for (const [r, ch] of chargingAt) if (ch >= 0 && ch < w.chargers.length) put(cx(w.chargers[ch]), cy(w.chargers[ch]), status[r]);
      }
      // station queues
      ctx.font = "10px sans-serif"; ctx.fillStyle = "#000";
      w.lanes.forEach((lane, s) => { if (queue[s] > 0) ctx.fillText(String(queue[s]), cx(lane[0]) + cs, cy(lane[0]) - cs); });
      ctx.fillStyle = "#222"; ctx.font = "13px sans-serif";
      const win = w.window && moves ? " | robots shown " + clockText((w.window[0] - META.t0) * 1000) + " - " + clockText((w.window[1] - META.t0) * 1000) : "";
      ctx.fillText(w.name + ": idle " + count[0] + ", to pod " + count[1] + ", carrying " + count[2] + ", charging " + count[3] + ", broken " + count[4] +
                   " | at stations " + queue.reduce((a, b) => a + b, 0) + win, 10, 18);
      if (!moves) { ctx.fillStyle = "#666"; ctx.fillText("abstract traffic: robots drawn only in station lanes and at chargers (run grid traffic with record.moves for every robot)", 10, canvas.height - 8); }
      state.robotsDrawn = drawn;
      state.robotList = robots;
      state.robotStatus = count;
    }
    return {draw};
  }

  // ------------------------------------------------------------------ wiring

  let redraw = () => {};
  let showDetail = () => {};

  async function main() {
    const A = await decode();
    const M = buildModel(A);
    const city = cityView(A, M);
    const panel = storePanel(A);
    const whs = META.warehouses.map((w, i) => warehouseView(A, w, i));
    const endMs = (META.end - META.t0) * 1000;
    const slider = document.getElementById("slider");
    slider.max = String(Math.floor(endMs / 1000));
    const clock = document.getElementById("clock");
    showDetail = () => showDetailOf(A, M);

    const legend = document.getElementById("legend");
    legend.append(el("h3", {}, "Orders"));
    for (const [k, label] of Object.entries(ORDER_LABELS)) {
      const d = el("div"); const i = el("i"); i.style.background = ORDER_COLOURS[k]; d.append(i, label); legend.append(d);
    }
    legend.append(el("h3", {}, "Couriers"),
                  el("div", {}, "circle: road vehicle, triangle: drone; black: carrying (number: orders on board, when more than one), white: riding back. Grey triangles: stores, squares: warehouses. Drag to pan, wheel to zoom, double-click to fit."));
    if (META.warehouses.length) {
      legend.append(el("h3", {}, "Warehouse"));
      const items = [["#7f8c8d", "robot idle"], ["#2e86c1", "robot driving to a pod"], ["#e67e22", "robot carrying a pod"],
                     ["#f1c40f", "robot charging"], ["#e74c3c", "robot broken"], [WH_KIND[2], "storage spot"],
                     [WH_KIND[3], "pick cell (number: robots at the station)"], [WH_KIND[4], "station queue lane"], [WH_KIND[5], "charger"]];
      for (const [colour, label] of items) { const d = el("div"); const i = el("i"); i.style.background = colour; d.append(i, label); legend.append(d); }
    }
    document.getElementById("summary").append(
      el("div", {}, META.couriers.length + " couriers, " + A.o_id.length + " orders, " + A.t_courier.length + " trips; measured " +
         clockText((META.measured[0] - META.t0) * 1000) + " - " + clockText((META.measured[1] - META.t0) * 1000)));

    const views = document.getElementById("views");
    const tabs = [["city", "city"]].concat(META.warehouses.map((w, i) => ["wh" + i, "warehouse " + w.name]));
    if (tabs.length > 1) {
      for (const [key, label] of tabs) {
        const b = el("button", {type: "button", "data-view": key}, label);
        b.addEventListener("click", () => { state.view = key; setView(); redraw(); });
        views.append(b);
      }
    }
    function setView() {
      document.getElementById("cityview").hidden = state.view !== "city";
      document.getElementById("whview").hidden = state.view === "city";
      for (const b of views.querySelectorAll("button")) b.classList.toggle("active", b.dataset.view === state.view);
    }
    setView();

    redraw = () => {
      const T = state.T;
      if (state.view === "city") city.draw(T); else whs[Number(state.view.slice(2))].draw(T);
      panel.draw(T, false);
      clock.textContent = clockText(T);
      slider.value = String(Math.floor(T / 1000));
      if (state.selected) showDetail();
    };

    const play = document.getElementById("play");
    const setPlaying = (on) => { state.playing = on; play.innerHTML = on ? "&#10074;&#10074; pause" : "&#9654; play"; last = null; };
    play.addEventListener("click", () => setPlaying(!state.playing));
    document.addEventListener("keydown", (ev) => { if (ev.code === "Space" && ev.target === document.body) { ev.preventDefault(); setPlaying(!state.playing); } });
    const speed = document.getElementById("speed");
    speed.addEventListener("change", () => { state.speed = Number(speed.value); });
    state.speed = Number(speed.value);
    slider.addEventListener("input", () => { state.T = Number(slider.value) * 1000; redraw(); });
    document.getElementById("nextlate").addEventListener("click", () => {
      const j = lastAtMost(M.late.map((x) => x[0]), state.T, 0, M.late.length) + 1;
      if (j >= M.late.length) return;
      const [t, i] = M.late[j];
      state.T = t + 1;
      state.selected = {kind: "order", index: i};
      if (state.view !== "city") { state.view = "city"; setView(); }
      redraw();
    });
    let last = null;
    function frame(now) {
      if (state.playing) {
        if (last !== null) state.T = Math.min(endMs, state.T + (now - last) * state.speed);
        last = now;
        if (state.T >= endMs) setPlaying(false);
        redraw();
      }
      requestAnimationFrame(frame);
    }
    // start at the beginning of the measured window
    state.T = Math.max(0, (META.measured[0] - META.t0) * 1000);
    redraw();
    panel.draw(state.T, true);
    state.firstFrameMs = performance.now();
    requestAnimationFrame(frame);
  }

  // read-only view of what is on screen, for tests and curious users
  window.replayState = () => ({
    ready: state.firstFrameMs !== null, t: META.t0 + state.T / 1000, view: state.view,
    playing: state.playing, speed: state.speed, firstFrameMs: state.firstFrameMs,
    couriersDrawn: state.couriersDrawn, ordersDrawn: state.ordersDrawn,
    robotsDrawn: state.robotsDrawn, robotStatus: state.robotStatus ? Array.from(state.robotStatus) : null,
    atHome: state.idle ? Array.from(state.idle) : null,
    selected: state.selected ? Object.assign({}, state.selected) : null,
    robots: (state.robotList || []).map((q) => ({index: q.r, x: q.x, y: q.y, status: ["idle", "to pod", "carrying", "charging", "broken"][q.s]})),
    couriers: state.courierList.map((q) => ({name: META.couriers[q.c], x: q.x / 10, y: q.y / 10, load: q.load, trip: q.trip, px: q.X, py: q.Y})),
  });

  main().catch((err) => {
    document.getElementById("detail").textContent = "Could not load the replay: " + err;
    console.error(err);
  });
})();
