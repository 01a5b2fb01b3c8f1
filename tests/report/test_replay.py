"""``replay.html``: written from the record tables, routes rebuilt exactly, bad input
refused; and in a real headless Chromium (skipped without one, as the report's browser
test): loads without errors, and after seeking the couriers and robots it draws are the
ones the records say, where the records say."""

from __future__ import annotations

import base64
import gzip
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.report import replay
from sim.report.replay import MARK
from sim.scenario.loading import read_scenario
from tests.report import test_report_browser
from tests.report.test_report_browser import Browser

browser = test_report_browser.browser  # the report test's headless Chromium fixture

SCENARIO = """
name: replay_demo
seed: 3
run: {start: "10:00", duration: 1h, warmup: 10min, drain: 40min}
city: {width: 4km, height: 4km, network: {kind: grid, block: 250m}}
catalog: {skus: 200, zipf_exponent: 1.0}
demand:
  online:
    orders_per_day: 2400
    profile: flat
    customers: {placement: clustered, spread: 800m}
    basket: {lines: {dist: poisson, mean: 3}, units_per_line: 1}
promise: {policy: fixed, window: 15min, radius: 3km}  # tight: some orders are late
dispatch: {policy: batch}
vehicles:
  ebike: {speed: 18km/h, capacity: 3}
  drone: {kind: drone, speed: 54km/h, capacity: 1, max_range: 5km, swap_time: 2min}
store_defaults:
  pickers: 3
  pick_time_per_order: 30s
  pick_time_per_item: {dist: exponential, mean: 10s}
  pack_time: 30s
  couriers:
    - {count: 5, vehicle: ebike, pickup_time: 1min, dropoff_time: 1min}
    - {count: 2, vehicle: drone, pickup_time: 30s, dropoff_time: 30s}
  stock: {cover_days: 1.0, min_units: 2}
stores:
  - {name: west, location: [1km, 2km]}
  - {name: east, location: [3km, 2km]}
warehouses:
  - name: depot
    location: [2km, 3km]
    traffic: grid
    layout: {kind: generated, blocks: [4, 3], block: [4, 2], stations: 2, lane: 3,
             chargers: 2}
    robots: {count: 10}
    pods: {skus_per_pod: 5, units_per_slot: 20}
    couriers: {count: 3, vehicle: ebike}
    parcels: {orders_per_day: 6000, profile: flat, basket: {lines: {dist: poisson, mean: 2}}}
    record: {moves: true}
"""
BLOCK = 250.0


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short run with e-bikes on multi-stop trips, drones and a grid-traffic robot
    warehouse, written with ``run --replay``."""
    root = tmp_path_factory.mktemp("replay")
    (root / "demo.yaml").write_text(SCENARIO, encoding="utf-8")
    out = root / "run"
    assert main(["run", str(root / "demo.yaml"), "--out", str(out), "--quiet", "--no-plots",
                 "--replay"]) == 0
    return out


def decode(page: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The page's metadata and arrays, decoded as the page's script decodes them."""
    meta = json.loads(page.split('<script id="meta" type="application/json">')[1]
                      .split("</script>")[0])
    blob = page.split('<script id="blob" type="text/plain">')[1].split("</script>")[0]
    raw = gzip.decompress(base64.b64decode(blob.strip()))
    arrays = {}
    for name, (offset, n, dtype, delta) in meta["arrays"].items():
        a = np.frombuffer(raw, dtype="<" + dtype, count=n, offset=offset).astype(float)
        arrays[name] = np.cumsum(a) if delta else a
    return meta, arrays


class Legs:
    """What the records say a courier does during each trip: wait at home, ride to each
    stop, hand over, ride back (times from trips.csv and orders.csv, speeds from
    fleets.csv, handling times from the resolved scenario; grid networks only)."""

    def __init__(self, folder: Path, block: float = BLOCK) -> None:
        self.block = block
        self.trips = pd.read_csv(folder / "trips.csv")
        orders = pd.read_csv(folder / "orders.csv").set_index("order_id")
        fleets = pd.read_csv(folder / "fleets.csv")
        sc = read_scenario(folder / "scenario.resolved.yaml")
        handling = {(s.name, f.vehicle): (f.pickup_time, f.dropoff_time)
                    for s in sc.stores for f in s.fleets}
        handling.update({(w.name, w.couriers.vehicle): (w.couriers.pickup_time,
                                                         w.couriers.dropoff_time)
                         for w in sc.warehouses})
        kinds = {(r.node, r.vehicle): (r.kind, (r.x, r.y), r.speed_mps)
                 for r in fleets.itertuples()}
        self.segments: dict[int, list[tuple[float, float, tuple[float, float],
                                            tuple[float, float], str, float]]] = {}
        for t in self.trips.itertuples():
            pickup, dropoff = handling[(t.node, t.vehicle)]
            kind, home, speed = kinds[(t.node, t.vehicle)]
            segs = [(t.start, t.start + pickup, home, home, "wait", speed)]
            here, dep = home, t.start + pickup
            for oid in str(t.stops).split(";"):
                o = orders.loc[int(oid)]
                place = (float(o.x), float(o.y))
                segs.append((dep, o.delivered - dropoff, here, place, kind, speed))
                segs.append((o.delivered - dropoff, o.delivered, place, place, "wait", speed))
                here, dep = place, o.delivered
            segs.append((dep, t.end, here, home, kind, speed))
            self.segments[t.trip_id] = segs

    def active(self, t: float) -> dict[str, int]:
        """Courier name -> trip id of the trips under way at clock time ``t``."""
        on = self.trips[(self.trips.start <= t) & (t < self.trips.end)]
        return dict(zip(on.courier, on.trip_id, strict=True))

    def check(self, trip: int, t: float, x: float, y: float) -> str | None:
        """None when (x, y) is where the records put trip ``trip`` at ``t`` (within a
        metre), else what is wrong. A road leg from p to q is the straight access to
        p's nearest grid node P, a shortest (staircase) route on the grid to q's node Q,
        and the access to q, ridden at the fleet's speed from the leg's departure; any
        shortest route is accepted, so this does not depend on the writer's choice."""
        def l1(u: tuple[float, float], v: tuple[float, float]) -> float:
            return abs(u[0] - v[0]) + abs(u[1] - v[1])

        def toward(u: tuple[float, float], v: tuple[float, float], m: float
                   ) -> tuple[float, float]:
            d = math.dist(u, v)
            f = m / d if d > 0 else 0.0
            return (u[0] + f * (v[0] - u[0]), u[1] + f * (v[1] - u[1]))

        def off(want: tuple[float, float], what: str) -> str | None:
            d = math.dist((x, y), want)
            return None if d < 1.0 else f"{d:.1f} m from {what}"

        for a, b, p, q, kind, speed in self.segments[trip]:
            if not a <= t <= b:
                continue
            if kind == "wait":
                return off(p, "the stop it waits at")
            if kind == "drone":  # a straight line at the drone's speed
                return off(toward(p, q, (t - a) * speed), "its straight flight")
            snap = lambda u: (round(u[0] / self.block) * self.block,  # noqa: E731
                              round(u[1] / self.block) * self.block)
            pn, qn = snap(p), snap(q)
            ridden = (t - a) * speed
            if pn == qn:  # the same road node: the straight line
                return off(toward(p, q, ridden), "the straight line between the stops")
            first, road = math.dist(p, pn), l1(pn, qn)
            if ridden <= first:
                return off(toward(p, pn, ridden), "the way to the first road node")
            if ridden >= first + road:
                return off(toward(qn, q, ridden - first - road), "the way from the road")
            detour = l1(pn, (x, y)) + l1((x, y), qn) - road
            if detour > 1.0:
                return f"{detour:.1f} m off every shortest route between the leg's nodes"
            ahead = l1(pn, (x, y)) - (ridden - first)
            return None if abs(ahead) < 1.0 else \
                f"{ahead:.1f} m ahead of where the leg's times put it"
        return f"trip {trip} is not under way at {t}"


def test_run_replay_writes_one_offline_page_whose_routes_match_the_records(run_dir):
    """``run --replay`` writes replay.html: no external resources; one track per trip
    that starts and ends at home at the recorded times, reaches each customer at
    ``delivered - dropoff``, and whose road legs step between neighbouring grid nodes
    adding up to the recorded trip length (drones: straight lines)."""
    page = (run_dir / "replay.html").read_text(encoding="utf-8")
    assert page.startswith(MARK)
    assert "http://" not in page and "https://" not in page
    meta, a = decode(page)
    trips = pd.read_csv(run_dir / "trips.csv")
    orders = pd.read_csv(run_dir / "orders.csv").set_index("order_id")
    assert len(a["t_courier"]) == len(trips) > 50
    assert set(trips.vehicle) == {"ebike", "drone"} and trips.orders.max() >= 2
    t0 = meta["t0"]
    drone = {n for n, f in zip(meta["couriers"], range(len(meta["couriers"])), strict=True)
             if any(fl["kind"] == "drone" and fl["first"] <= f < fl["first"] + fl["count"]
                    for fl in meta["fleets"])}
    by_id = {int(i): k for k, i in enumerate(a["t_id"])}
    for t in trips.itertuples():
        k = by_id[t.trip_id]
        w0, w1 = int(a["t_wp"][k]), int(a["t_wp"][k + 1])
        xs, ys = a["w_x"][w0:w1] / 10, a["w_y"][w0:w1] / 10
        ts = a["w_t"][w0:w1] / 1000 + t0
        assert meta["couriers"][int(a["t_courier"][k])] == t.courier
        assert ts[0] == pytest.approx(t.start, abs=2e-3)
        assert ts[-1] == pytest.approx(t.end, abs=2e-3)
        assert np.all(np.diff(ts) >= -1e-9)
        for oid in str(t.stops).split(";"):
            o = orders.loc[int(oid)]
            at = np.flatnonzero((np.abs(xs - o.x) < 0.1) & (np.abs(ys - o.y) < 0.1))
            assert at.size, f"trip {t.trip_id} never reaches order {oid}"
            assert any(abs(ts[j] - o.delivered) < 2e-3 for j in at)
        steps = np.hypot(np.diff(xs), np.diff(ys))
        assert steps.sum() == pytest.approx(t.distance_m, abs=1.0)
        if t.courier in drone:
            continue
        grid = (np.abs(xs / BLOCK - np.rint(xs / BLOCK)) < 1e-6) & \
            (np.abs(ys / BLOCK - np.rint(ys / BLOCK)) < 1e-6)
        both = grid[1:] & grid[:-1] & (steps > 0)
        assert np.allclose(steps[both], BLOCK)  # node to node: one street block at a time


def test_replay_command_is_deterministic_and_refuses_bad_input(run_dir, tmp_path, capsys):
    """``replay`` writes the same bytes twice; a missing folder, a foreign replay.html,
    records that do not match the scenario and a bad window each give one line and
    exit code 2, writing nothing."""
    one, two = tmp_path / "a.html", tmp_path / "b.html"
    assert main(["replay", str(run_dir), "--out", str(one)]) == 0
    assert main(["replay", str(run_dir), "--out", str(two)]) == 0
    assert one.read_bytes() == two.read_bytes() == (run_dir / "replay.html").read_bytes()
    assert main(["replay", str(run_dir), "--out", str(one)]) == 0  # its own page: replaced
    capsys.readouterr()

    assert main(["replay", str(tmp_path / "nothing")]) == 2
    foreign = tmp_path / "mine.html"
    foreign.write_text("<p>my notes</p>", encoding="utf-8")
    assert main(["replay", str(run_dir), "--out", str(foreign)]) == 2
    assert foreign.read_text(encoding="utf-8") == "<p>my notes</p>"
    assert main(["replay", str(run_dir), "--wh-window", "11:00-10:00"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("error: ") for line in err)
    assert "not written by omnisim" in err[1] and "ends before it starts" in err[2]

    broken = tmp_path / "broken"
    broken.mkdir()
    for f in run_dir.iterdir():
        if f.name != "replay.html":
            (broken / f.name).write_bytes(f.read_bytes())
    trips = (broken / "trips.csv").read_text(encoding="utf-8").splitlines()
    head, row = trips[0].split(","), trips[3].split(",")
    row[head.index("distance_m")] = "99999.000"
    trips[3] = ",".join(row)
    (broken / "trips.csv").write_text("\n".join(trips) + "\n", encoding="utf-8")
    assert main(["replay", str(broken)]) == 2
    err = capsys.readouterr().err.strip()
    assert "trips.csv:4: field 'distance_m'" in err and "\n" not in err
    lines = (broken / "orders.csv").read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace(lines[5].split(",")[1], "soon", 1)
    (broken / "orders.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["replay", str(broken)]) == 2
    err = capsys.readouterr().err.strip()
    assert "orders.csv:6: field 'created': not a number: 'soon'" in err
    for name in ("orders.csv", "trips.csv"):
        (broken / name).write_bytes((run_dir / name).read_bytes())
    (broken / "states.csv").unlink()
    assert main(["replay", str(broken)]) == 2
    assert "states.csv: missing" in capsys.readouterr().err
    assert not any(broken.glob("*.html")) and not any(broken.glob(".*tmp"))


def test_warehouse_window_keeps_only_the_moves_inside_it(run_dir, tmp_path):
    """``--wh-window`` embeds the robot moves overlapping the window and nothing else."""
    out = tmp_path / "w.html"
    assert main(["replay", str(run_dir), "--out", str(out), "--wh-window",
                 "10:20-10:25"]) == 0
    meta, a = decode(out.read_text(encoding="utf-8"))
    moves = pd.read_csv(run_dir / "wh_moves.csv")
    lo, hi = 10 * 3600 + 20 * 60, 10 * 3600 + 25 * 60
    inside = moves[(moves.t_out >= lo) & (moves.t_in <= hi)]
    assert meta["warehouses"][0]["window"] == [lo, hi]
    assert 0 < len(a["wh0_m_cell"]) == len(inside) < len(moves)


def test_too_many_robot_moves_get_a_window_that_fits(run_dir, tmp_path, monkeypatch):
    """A run with more ``wh_moves`` rows than a page holds shows the robots for the
    stretch from the start of the measured window in which that many moves start (plus
    the cells robots already hold when it begins)."""
    monkeypatch.setattr(replay, "MAX_MOVE_ROWS", 1000)
    monkeypatch.setattr(replay, "CHUNK_ROWS", 3000)  # read in several chunks
    out = tmp_path / "w.html"
    assert main(["replay", str(run_dir), "--out", str(out)]) == 0
    meta, a = decode(out.read_text(encoding="utf-8"))
    lo, hi = meta["warehouses"][0]["window"]
    assert lo == 10 * 3600 + 10 * 60 < hi
    moves = pd.read_csv(run_dir / "wh_moves.csv")
    assert len(moves) > 10 * 1000
    inside = moves[(moves.t_out >= lo) & (moves.t_in <= hi)]
    assert len(a["wh0_m_cell"]) == len(inside)
    started = moves[(moves.t_in >= lo) & (moves.t_in < hi)]
    assert len(started) < 1000 <= len(started) + (moves.t_in == hi).sum()


def test_a_bad_cell_deep_in_the_robot_moves_is_named_by_its_line(run_dir, tmp_path,
                                                                 monkeypatch, capsys):
    """A cell of ``wh_moves`` that is not a number, read in the fourth chunk, is reported
    with its own line of the file."""
    monkeypatch.setattr(replay, "CHUNK_ROWS", 3000)
    copy = tmp_path / "run"
    copy.mkdir()
    for f in run_dir.iterdir():
        if f.name != "replay.html":
            (copy / f.name).write_bytes(f.read_bytes())
    lines = (copy / "wh_moves.csv").read_text(encoding="utf-8").splitlines()
    row = lines[10_000].split(",")
    row[4] = "later"
    lines[10_000] = ",".join(row)
    (copy / "wh_moves.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["replay", str(copy)]) == 2
    assert "wh_moves.csv:10001: field 't_in': not a number: 'later'" in capsys.readouterr().err


def test_routes_on_a_one_way_network_with_speed_limits_follow_its_edges(tmp_path):
    """On a GraphML network with one-way streets, irregular lengths and speed limits,
    every rebuilt trip has its recorded length and steps only along streets in their
    direction of travel."""
    import networkx as nx

    rng = np.random.default_rng(1)
    g = nx.DiGraph()
    n = 10
    for i in range(n):
        for j in range(n):
            g.add_node(f"{i}_{j}", x=float(i * 300 + rng.uniform(-60, 60)),
                       y=float(j * 300 + rng.uniform(-60, 60)))
    for i in range(n):
        for j in range(n):
            for di, dj in ((1, 0), (0, 1)):
                if i + di < n and j + dj < n:
                    a, b = f"{i}_{j}", f"{i + di}_{j + dj}"
                    pa, pb = g.nodes[a], g.nodes[b]
                    d = {"length": 1.05 * math.dist((pa["x"], pa["y"]), (pb["x"], pb["y"]))}
                    if rng.random() < 0.3:
                        d["maxspeed"] = 10.0
                    g.add_edge(a, b, **d)
                    if rng.random() < 0.85 or i == 0 or j == n - 1:  # keep it connected
                        g.add_edge(b, a, **d)
    nx.write_graphml(g, tmp_path / "city.graphml")
    text = (SCENARIO.split("warehouses:")[0]
            .replace("{kind: grid, block: 250m}", "{kind: graphml, file: city.graphml}")
            .replace("width: 4km, height: 4km", "width: 2.8km, height: 2.8km")
            .replace("[1km, 2km]", "[0.9km, 1.4km]").replace("[3km, 2km]", "[1.9km, 1.4km]"))
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "run"
    assert main(["run", str(tmp_path / "s.yaml"), "--out", str(out), "--quiet", "--no-plots",
                 "--replay"]) == 0  # the writer checks every trip's distance_m
    _, a = decode((out / "replay.html").read_text(encoding="utf-8"))
    at = {(round(d["x"] * 10), round(d["y"] * 10)): v for v, d in g.nodes(data=True)}
    nodes = [at.get((int(x), int(y))) for x, y in zip(a["w_x"], a["w_y"], strict=True)]
    steps = 0
    for k in range(len(a["t_id"])):
        for j in range(int(a["t_wp"][k]), int(a["t_wp"][k + 1]) - 1):
            u, v = nodes[j], nodes[j + 1]
            if u is not None and v is not None and u != v:
                assert g.has_edge(u, v), (u, v)
                steps += 1
    assert steps > 100


# --------------------------------------------------------------------------- browser

SEEK = """
const e = document.getElementById('slider');
e.value = arguments[0]; e.dispatchEvent(new Event('input'));
return window.replayState();
"""


def wait_ready(b: Browser) -> dict[str, Any]:
    """The page's state once its first frame is drawn."""
    s = f"/session/{b.session}"
    deadline = time.monotonic() + 60
    while True:
        st = b.call("POST", f"{s}/execute/sync",
                    {"script": "return window.replayState ? window.replayState() : null",
                     "args": []})
        if st and st["ready"]:
            return dict(st)
        assert time.monotonic() < deadline, "the replay never drew its first frame"
        time.sleep(0.1)


def test_replay_page_draws_the_couriers_the_records_say_where_they_say(browser, run_dir):
    """No console errors; at two times the drawn couriers are exactly those on a trip in
    trips.csv, each where the records put it (on its leg, a metre from where its speed
    takes it: the issue asks for one block), and the screenshots differ."""
    page = browser.open(run_dir / "replay.html")
    assert page["errors"] == []
    first = wait_ready(browser)
    assert first["view"] == "city" and first["firstFrameMs"] > 0
    legs = Legs(run_dir)
    fleets = pd.read_csv(run_dir / "fleets.csv")
    s = f"/session/{browser.session}"
    t0 = 10 * 3600
    shots = []
    for rel in (1500, 2700):
        st = browser.call("POST", f"{s}/execute/sync", {"script": SEEK, "args": [rel]})
        t = t0 + rel
        assert st["t"] == t
        want = legs.active(t)
        assert len(want) >= 5
        assert st["couriersDrawn"] == len(want)
        assert sum(st["atHome"]) + len(want) == fleets.couriers.sum() == 2 * 7 + 3
        assert {c["name"]: c["trip"] for c in st["couriers"]} == want
        for c in st["couriers"]:
            assert legs.check(c["trip"], t, c["x"], c["y"]) is None, \
                (c, legs.check(c["trip"], t, c["x"], c["y"]))
        shots.append(browser.call("GET", f"{s}/screenshot"))
    assert shots[0] != shots[1]
    logs = browser.call("POST", f"{s}/se/log", {"type": "browser"})
    assert [e["message"] for e in logs if e["level"] == "SEVERE"] == []


def test_replay_warehouse_view_draws_each_robot_in_a_cell_it_holds(browser, run_dir):
    """In the warehouse view every robot that holds a cell at the time is drawn, within
    one cell of a cell ``wh_moves`` says it holds."""
    browser.open(run_dir / "replay.html")
    wait_ready(browser)
    s = f"/session/{browser.session}"
    browser.call("POST", f"{s}/execute/sync",
                 {"script": "document.querySelector('[data-view=wh0]').click()", "args": []})
    moves = pd.read_csv(run_dir / "wh_moves.csv")
    t0 = 10 * 3600
    for rel in (1200, 2000):
        st = browser.call("POST", f"{s}/execute/sync", {"script": SEEK, "args": [rel]})
        assert st["view"] == "wh0"
        t = t0 + rel
        held = moves[(moves.t_in <= t) & (t <= moves.t_out)]
        assert st["robotsDrawn"] == held.robot.nunique() == len(st["robots"]) == 10
        for r in st["robots"]:
            mine = held[held.robot == f"depot-r{r['index']:03d}"]
            assert any(max(abs(m.x - r["x"]), abs(m.y - r["y"])) <= 1.0
                       for m in mine.itertuples()), r
        assert sum(st["robotStatus"]) == 10


CLICK_FIRST_COURIER = """
const cv = document.getElementById('city');
const r = cv.getBoundingClientRect();
const c = window.replayState().couriers[0];
cv.dispatchEvent(new MouseEvent('click', {bubbles: true,
    clientX: r.left + c.px * r.width / cv.width, clientY: r.top + c.py * r.height / cv.height}));
return [c.name, document.getElementById('detail').textContent, window.replayState().selected];
"""


def test_replay_controls_play_jump_to_the_next_late_order_and_show_a_timeline(browser,
                                                                              run_dir):
    """Clicking a courier shows its timeline; *next late order* jumps to the moment the
    next order (by the records) misses its promise and selects it; play at 3600x moves
    the clock forward and pause stops it."""
    browser.open(run_dir / "replay.html")
    wait_ready(browser)
    s = f"/session/{browser.session}"
    run = lambda script, *args: browser.call(  # noqa: E731
        "POST", f"{s}/execute/sync", {"script": script, "args": list(args)})
    run(SEEK, 1500)
    name, detail, selected = run(CLICK_FIRST_COURIER)
    assert selected["kind"] == "courier" and f"Courier {name}" in detail

    orders = pd.read_csv(run_dir / "orders.csv")
    late = orders[(orders.status != "rejected")
                  & ~(orders.delivered <= orders.due)].sort_values(["due", "order_id"])
    t = 10 * 3600 + 1500
    upcoming = late[late.due > t]
    assert len(upcoming) >= 1
    run("document.getElementById('nextlate').click()")
    st = run("return window.replayState()")
    first = upcoming.iloc[0]
    assert st["t"] == pytest.approx(first.due, abs=0.002)
    detail = run("return document.getElementById('detail').textContent")
    assert detail.startswith(f"Order {first.order_id} ")

    run("const e = document.getElementById('speed'); e.value = '3600';"
        "e.dispatchEvent(new Event('change'))")
    before = run(SEEK, 1500)["t"]
    run("document.getElementById('play').click()")
    time.sleep(0.5)
    run("document.getElementById('play').click()")
    after = run("return window.replayState()")
    assert not after["playing"] and after["speed"] == 3600
    assert after["t"] - before > 60  # half a second is half an hour at 3600x; allow slow frames
    time.sleep(0.3)
    assert run("return window.replayState()")["t"] == after["t"]


def test_a_trip_still_under_way_at_the_end_follows_its_planned_route(run_dir, tmp_path):
    """A trip whose row has no ``end`` and orders not yet delivered (a trip under way when
    the run stopped) gets the times of its planned route: the same track as when the
    records hold the times."""
    copy = tmp_path / "run"
    copy.mkdir()
    for f in run_dir.iterdir():
        if f.name != "replay.html":
            (copy / f.name).write_bytes(f.read_bytes())
    trips = pd.read_csv(copy / "trips.csv")
    orders = pd.read_csv(copy / "orders.csv")
    pick = trips[trips.orders >= 2].iloc[0]
    trips.loc[trips.trip_id == pick.trip_id, "end"] = np.nan
    orders.loc[orders.trip == pick.trip_id, "delivered"] = np.nan
    trips.to_csv(copy / "trips.csv", index=False, float_format="%.3f")
    orders.to_csv(copy / "orders.csv", index=False, float_format="%.3f")
    assert main(["replay", str(copy)]) == 0
    _, full = decode((run_dir / "replay.html").read_text(encoding="utf-8"))
    _, cut = decode((copy / "replay.html").read_text(encoding="utf-8"))
    k = int(np.flatnonzero(full["t_id"] == pick.trip_id)[0])
    w0, w1 = int(full["t_wp"][k]), int(full["t_wp"][k + 1])
    assert np.array_equal(full["w_x"][w0:w1], cut["w_x"][w0:w1])
    assert np.abs(full["w_t"][w0:w1] - cut["w_t"][w0:w1]).max() <= 2  # ms
