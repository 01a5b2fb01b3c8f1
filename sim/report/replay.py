"""``replay.html``: an interactive replay of a finished run, built from its record tables.

The page is one self-contained file (no CDN, no server): the data are typed arrays,
delta-encoded where that helps compression, concatenated, gzip-compressed and embedded
as base64; the page decodes them with the browser's ``DecompressionStream`` and draws on
canvases with plain JavaScript (``replay_assets/``).

Nothing is re-simulated. Couriers' routes are rebuilt from the road network of
``scenario.resolved.yaml``: the simulation moves a road vehicle along a fastest path
between the road nodes its stops snap to (``RoadNetwork.travel``) and records only the
stops, so the writer runs the same fastest-path search (same graph, same edge times) and
takes one of those paths; its length must equal the trip's recorded ``distance_m``,
which is checked for every trip. Times along a leg come from the records (departure and
``delivered - dropoff_time``), split over the path's edges by their travel times, so a
courier is exactly where the records say at every stop. Drones fly the straight line.

Robot warehouses: the grid comes from the layout the scenario describes; robots move
cell by cell when the run recorded ``wh_moves`` (grid traffic with ``record.moves``),
for a window of time when the whole run would be too large; otherwise only robots whose
place the records pin down (queued at a station, charging) are drawn.
"""

from __future__ import annotations

import base64
import gzip
import html
import itertools
import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from sim.city.network import Place, RoadNetwork
from sim.core.tablefiles import table_path
from sim.outputs import check_file, write_owned_file
from sim.scenario.errors import ScenarioError
from sim.scenario.schema import Scenario

REPLAY = "replay.html"
MARK = "<!-- omnisim replay -->"
"""First line of every page this module writes: an existing ``replay.html`` without it
was not written by omnisim and is never overwritten."""

SAMPLE_S = 60.0
"""Step of the store panel's series (simulated seconds)."""

MAX_MOVE_ROWS = 400_000
"""Most ``wh_moves`` rows embedded per page; a longer run gets a window of time."""

LENGTH_TOLERANCE_M = 0.5
"""A rebuilt trip may differ from its recorded ``distance_m`` by this much (rounding of
the CSV's three decimals over many edges) plus one part in a million."""

ORDER_STATUS = {"in_progress": 0, "delivered": 1, "rejected": 2, "cancelled": 3}


class Arrays:
    """Named numeric arrays packed into one gzip+base64 blob with a small index."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.index: dict[str, list[int | str]] = {}
        self.size = 0

    def add(self, name: str, values: np.ndarray | Sequence[float], dtype: str = "i4",
            delta: bool = False) -> None:
        """Add an array as little-endian ``dtype`` (``i4``, ``f4``, ``u1``, ``i2``);
        ``delta`` stores differences of consecutive values (the page sums them back)."""
        a = np.asarray(values)
        if dtype != "f4" and a.size and not np.isfinite(a).all():
            raise ValueError(f"{name}: non-finite values")
        if dtype != "f4":
            a = np.rint(a).astype(np.int64)
            if delta and a.size:
                a = np.diff(a, prepend=0)
        out = a.astype("<" + dtype)
        data = out.tobytes()
        pad = (-len(data)) % 4
        self.index[name] = [self.size, int(out.size), dtype, int(delta)]
        self.parts.append(data + b"\0" * pad)
        self.size += len(data) + pad

    def blob(self) -> str:
        """The arrays, gzip-compressed (fixed mtime: same data, same bytes), as base64."""
        raw = b"".join(self.parts)
        return base64.b64encode(gzip.compress(raw, compresslevel=6, mtime=0)).decode("ascii")


# --------------------------------------------------------------------------- reading


def _table(folder: Path, name: str, columns: Sequence[str], required: bool = True,
           labels: Sequence[str] = ()) -> pd.DataFrame | None:
    """The ``columns`` of a record table (``NAME.csv``, or ``NAME.parquet`` when the run
    wrote Parquet), with a one-line error naming the file when it is missing,
    unreadable or lacks a column. ``labels`` are read as categories (a large table's
    repeated names cost a byte or two a row instead of a Python string)."""
    path = table_path(folder, name)
    if path is None:
        if required:
            raise ScenarioError(f"{folder / (name + '.csv')}: missing: not a complete run "
                                "folder")
        return None
    try:
        if path.suffix == ".parquet":
            parq = pd.read_parquet(path)
            _has_columns(path, list(parq.columns), columns)
            return parq[list(columns)]
        _table_header(path, columns)
        return pd.read_csv(path, usecols=list(columns), low_memory=False,
                           dtype=dict.fromkeys(labels, "category"))[list(columns)]
    except (OSError, ImportError, ValueError, pd.errors.ParserError) as exc:
        raise ScenarioError(f"{path}: cannot read: {str(exc).splitlines()[0]}") from None


def _numbers(frame: pd.DataFrame, path: Path, columns: Sequence[str],
             allow_empty: bool = True) -> dict[str, np.ndarray]:
    """Columns as float arrays (NaN for empty cells); an entry that is not a finite
    number is reported with its file, line (from the frame's index, which counts the
    file's data rows) and field."""
    out: dict[str, np.ndarray] = {}
    for c in columns:
        values = np.array(pd.to_numeric(frame[c], errors="coerce"), dtype=float)
        text = frame[c]
        bad = np.isnan(values) & text.notna().to_numpy()
        bad |= np.isinf(values)
        if not allow_empty:
            bad |= np.isnan(values)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            line = int(frame.index[row]) + 2  # the index counts the file's data rows
            raise ScenarioError(f"{path}:{line}: field {c!r}: not a number: "
                                f"{text.iloc[row]!r}")
        out[c] = values
    return out


def _clock(value: str) -> float:
    """``HH:MM`` (or ``HH:MM:SS``) as seconds after midnight."""
    m = re.fullmatch(r"(\d{1,3}):(\d{2})(?::(\d{2}))?", value.strip())
    if not m:
        raise ScenarioError(f"--wh-window: {value!r} is not a time of day HH:MM")
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3) or 0)


def parse_window(text: str) -> tuple[float, float]:
    """``"17:00-17:30"`` as clock seconds (start, end)."""
    a, sep, b = text.partition("-")
    if not sep:
        raise ScenarioError(f"--wh-window: {text!r} is not START-END, e.g. 17:00-17:30")
    start, end = _clock(a), _clock(b)
    if end <= start:
        raise ScenarioError(f"--wh-window: {text!r} ends before it starts")
    return start, end


# --------------------------------------------------------------------------- paths


class PathBuilder:
    """Fastest paths on the road network at one speed, as the simulation computes them.

    Edge times are ``length / min(speed, maxspeed)`` (``RoadNetwork._matrix``); a path
    comes from a search from its start or, on a symmetric network when that is not cached
    but a search towards its end is (the ride home), from the reverse search, so a day
    needs about two searches per node and speed plus one per multi-stop customer.
    """

    def __init__(self, network: RoadNetwork, speed: float, cache: int = 4096) -> None:
        self.network, self.speed = network, speed
        n = network.graph.number_of_nodes()
        rows, cols, times, lengths = [], [], [], []
        directed = network.graph.is_directed()
        for u, v, d in network.graph.edges(data=True):
            length = float(d["length"])
            limit = float(d.get("maxspeed", math.inf)) / 3.6
            for a, b in ((u, v),) if directed else ((u, v), (v, u)):
                rows.append(a)
                cols.append(b)
                times.append(length / min(speed, limit))
                lengths.append(length)
        r, c = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        t = np.asarray(times, dtype=float)
        self.forward = csr_matrix((t, (r, c)), shape=(n, n))
        self.backward = csr_matrix((t, (c, r)), shape=(n, n))
        self.edge: dict[tuple[int, int], tuple[float, float]] = {}
        for a, b, s, m in zip(r.tolist(), c.tolist(), t.tolist(), lengths, strict=True):
            old = self.edge.get((a, b))
            if old is None or s < old[0]:
                self.edge[(a, b)] = (s, m)
        # as RoadNetwork.travel: a search from either end serves only when fastest paths
        # are the same both ways and any of them has the same length (no speed limits);
        # otherwise the path is the one of the search from its start, as the simulation's
        self.symmetric = not directed and not network.has_speed_limits
        self._from: dict[int, np.ndarray] = {}
        self._to: dict[int, np.ndarray] = {}
        self._cache = cache

    def _tree(self, node: int, towards: bool) -> np.ndarray:
        store = self._to if towards else self._from
        pred = store.get(node)
        if pred is None:
            _, pred = dijkstra(self.backward if towards else self.forward, indices=node,
                               return_predecessors=True)
            if len(store) >= self._cache:
                del store[next(iter(store))]
            store[node] = pred
        return pred

    def nodes(self, a: int, b: int) -> list[int]:
        """Road nodes of a fastest path from node ``a`` to node ``b``."""
        if self.symmetric and a not in self._from and b in self._to:
            succ = self._tree(b, towards=True)
            out = [a]
            for _ in range(len(succ)):
                if out[-1] == b:
                    return out
                out.append(int(succ[out[-1]]))
                if out[-1] < 0:
                    break
            raise ScenarioError(f"no road from node {a} to node {b}", ("city", "network"))
        pred = self._tree(a, towards=False)
        back = [b]
        for _ in range(len(pred)):
            if back[-1] == a:
                return back[::-1]
            back.append(int(pred[back[-1]]))
            if back[-1] < 0:
                break
        raise ScenarioError(f"no road from node {a} to node {b}", ("city", "network"))

    def leg(self, a: Place, b: Place) -> tuple[list[tuple[float, float, float]], float]:
        """The points of the ride from ``a`` to ``b`` after ``a``, each with the seconds
        of the stretch that ends there, and the metres ridden (as ``RoadNetwork.travel``)."""
        speed = self.speed
        if a.node == b.node:
            m = a.euclid(b)
            return [(b.x, b.y, m / speed)], m
        xy = self.network.xy
        path = self.nodes(a.node, b.node)
        pts = [(float(xy[a.node, 0]), float(xy[a.node, 1]), a.access / speed)]
        metres = a.access + b.access
        for u, v in itertools.pairwise(path):
            s, m = self.edge[(u, v)]
            pts.append((float(xy[v, 0]), float(xy[v, 1]), s))
            metres += m
        pts.append((b.x, b.y, b.access / speed))
        return pts, metres


# --------------------------------------------------------------------------- city


@dataclass
class Fleet:
    """One fleet row of ``fleets.csv`` with its handling times from the scenario."""

    node: str
    vehicle: str
    kind: str
    count: int
    speed: float
    capacity: int
    home: Place
    pickup: float
    dropoff: float
    first: int = 0  # index of its first courier in the page's courier list


@dataclass
class Waypoints:
    """Every trip's track: points (metres) and times (clock seconds), trip by trip."""

    x: list[float] = field(default_factory=list)
    y: list[float] = field(default_factory=list)
    t: list[float] = field(default_factory=list)
    start: list[int] = field(default_factory=list)  # first waypoint of each trip

    def add(self, x: float, y: float, t: float) -> None:
        self.x.append(x)
        self.y.append(y)
        self.t.append(t)


def _fleets(folder: Path, scenario: Scenario, network: RoadNetwork) -> list[Fleet]:
    """The fleets of ``fleets.csv`` in order, with pickup and drop-off times."""
    frame = _table(folder, "fleets", ("node", "vehicle", "kind", "couriers", "speed_mps",
                                      "capacity", "x", "y"))
    assert frame is not None
    path = folder / "fleets.csv"
    nums = _numbers(frame, path, ("couriers", "speed_mps", "capacity", "x", "y"),
                    allow_empty=False)
    specs: dict[str, list[tuple[float, float]]] = {}
    for s in scenario.stores:
        specs[s.name] = [(f.pickup_mean, f.dropoff_mean) for f in s.fleets]
    for w in scenario.warehouses:
        c = w.couriers
        specs[w.name] = [(c.pickup_mean, c.dropoff_mean)]
    fleets: list[Fleet] = []
    seen: dict[str, int] = {}
    for i, node in enumerate(frame["node"].astype(str)):
        k = seen.get(node, 0)
        seen[node] = k + 1
        times = specs.get(node, [])
        if k >= len(times):
            raise ScenarioError(f"{path}:{i + 2}: field 'node': {node!r} has no such fleet "
                                "in scenario.resolved.yaml")
        home = network.place(nums["x"][i], nums["y"][i])
        fleets.append(Fleet(node, str(frame["vehicle"].iloc[i]), str(frame["kind"].iloc[i]),
                            int(nums["couriers"][i]), float(nums["speed_mps"][i]),
                            int(nums["capacity"][i]), home, *times[k]))
    first = 0
    for f in fleets:
        f.first = first
        first += f.count
    return fleets


def _courier_table(fleets: list[Fleet]) -> tuple[list[str], dict[str, tuple[int, Fleet]]]:
    """Courier names in page order (as ``sim.fleet.couriers.Fleet`` numbers them) and
    each name's index and fleet."""
    names: list[str] = []
    lookup: dict[str, tuple[int, Fleet]] = {}
    per_node: dict[str, int] = {}
    for f in fleets:
        for _ in range(f.count):
            k = per_node.get(f.node, 0)
            per_node[f.node] = k + 1
            name = f"{f.node}-c{k:03d}"
            lookup[name] = (len(names), f)
            names.append(name)
    return names, lookup


def _city(folder: Path, scenario: Scenario, network: RoadNetwork, arrays: Arrays,
          t0: float) -> dict[str, object]:
    """Orders, couriers' trips and the store panel's series; returns the page's index."""
    fleets = _fleets(folder, scenario, network)
    names, couriers = _courier_table(fleets)
    ocols = ("order_id", "created", "x", "y", "status", "node", "accepted", "due",
             "pick_start", "pick_end", "ready", "dispatched", "delivered", "courier")
    orders = _table(folder, "orders", ocols)
    assert orders is not None
    opath = folder / "orders.csv"
    times = ("created", "accepted", "due", "pick_start", "pick_end", "ready", "dispatched",
             "delivered")
    on = _numbers(orders, opath, ("order_id", "x", "y", *times))
    for c in times:  # older files wrote -1 for a stage never reached
        on[c][on[c] < 0] = np.nan
    for c in ("order_id", "created", "x", "y"):
        bad = np.isnan(on[c])
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ScenarioError(f"{opath}:{row + 2}: field {c!r}: empty")
    node_names = [s.name for s in scenario.stores] + [w.name for w in scenario.warehouses]
    node_of = {n: i for i, n in enumerate(node_names)}
    onode = np.array([node_of.get(str(n), -1) if isinstance(n, str) else -1
                      for n in orders["node"]], dtype=np.int64)
    status = np.array([ORDER_STATUS.get(str(s), 0) for s in orders["status"]], dtype=np.int64)
    ocourier = np.array([couriers[c][0] if isinstance(c, str) and c in couriers else -1
                         for c in orders["courier"]], dtype=np.int64)
    ids = on["order_id"].astype(np.int64)
    order_at = {int(o): i for i, o in enumerate(ids.tolist())}

    def ms(v: np.ndarray) -> np.ndarray:
        return np.where(np.isnan(v), -1, np.rint((v - t0) * 1000))

    arrays.add("o_id", ids, delta=True)
    for c in times:
        arrays.add(f"o_{c}", ms(on[c]))
    arrays.add("o_x", on["x"] * 10, delta=True)
    arrays.add("o_y", on["y"] * 10, delta=True)
    arrays.add("o_node", onode, "i2")
    arrays.add("o_status", status, "u1")
    arrays.add("o_courier", ocourier)

    trips = _table(folder, "trips", ("trip_id", "node", "courier", "vehicle", "start", "end",
                                     "stops", "distance_m"))
    assert trips is not None
    tpath = folder / "trips.csv"
    tn = _numbers(trips, tpath, ("trip_id", "start", "end", "distance_m"))
    order = np.lexsort((tn["trip_id"], tn["start"]))
    places = network.places(np.column_stack([on["x"], on["y"]]))
    builders: dict[tuple[str, float], PathBuilder] = {}
    wp = Waypoints()
    t_courier: list[int] = []
    t_id: list[int] = []
    t_start: list[float] = []
    t_end: list[float] = []
    t_stops: list[int] = []
    stop_orders: list[int] = []
    t_names = trips["courier"].astype(str).tolist()
    t_vehicles = trips["vehicle"].astype(str).tolist()
    t_stop_text = trips["stops"].astype(str).tolist()
    for row in order.tolist():
        line = row + 2
        name = t_names[row]
        if name not in couriers:
            raise ScenarioError(f"{tpath}:{line}: field 'courier': {name!r} is in no fleet "
                                "of fleets.csv")
        idx, fl = couriers[name]
        if t_vehicles[row] != fl.vehicle:
            raise ScenarioError(f"{tpath}:{line}: field 'vehicle': {name} rides a "
                                f"{fl.vehicle} by fleets.csv, not a {t_vehicles[row]}")
        try:
            stops = [order_at[int(s)] for s in t_stop_text[row].split(";")]
        except (KeyError, ValueError):
            raise ScenarioError(f"{tpath}:{line}: field 'stops': {t_stop_text[row]!r} "
                                "names an order not in orders.csv") from None
        start = tn["start"][row]
        if math.isnan(start):
            raise ScenarioError(f"{tpath}:{line}: field 'start': empty")
        wp.start.append(len(wp.t))
        metres = _trip_track(wp, fl, builders, network, places, stops, on["delivered"],
                             start, tn["end"][row])
        want = tn["distance_m"][row]
        if not math.isnan(want) and abs(metres - want) > LENGTH_TOLERANCE_M + 1e-6 * want:
            raise ScenarioError(
                f"{tpath}:{line}: field 'distance_m': {want:.3f} m recorded but the road "
                f"network of scenario.resolved.yaml gives {metres:.3f} m: the records do "
                "not belong to this scenario")
        t_courier.append(idx)
        t_id.append(int(tn["trip_id"][row]))
        t_start.append(start)
        t_end.append(wp.t[-1])
        t_stops.append(len(stop_orders))
        stop_orders.extend(stops)
    wp.start.append(len(wp.t))
    t_stops.append(len(stop_orders))
    rel = np.asarray(wp.t, dtype=float) - t0
    arrays.add("w_x", np.asarray(wp.x) * 10, delta=True)
    arrays.add("w_y", np.asarray(wp.y) * 10, delta=True)
    arrays.add("w_t", rel * 1000, delta=True)
    arrays.add("t_courier", t_courier)
    arrays.add("t_id", t_id, delta=True)
    arrays.add("t_start", (np.asarray(t_start) - t0) * 1000, delta=True)
    arrays.add("t_end", (np.asarray(t_end) - t0) * 1000)
    arrays.add("t_wp", wp.start, delta=True)
    arrays.add("t_stops", t_stops, delta=True)
    arrays.add("s_order", stop_orders)
    series = _series(folder, scenario, node_names, on, onode, t0)
    arrays.add("series", series, "i4")
    return {
        "nodes": [{"name": s.name, "kind": kind, "x": s.location[0], "y": s.location[1]}
                  for kind, group in (("store", scenario.stores),
                                      ("warehouse", scenario.warehouses))
                  for s in group],
        "fleets": [{"node": f.node, "vehicle": f.vehicle, "kind": f.kind, "count": f.count,
                    "capacity": f.capacity, "first": f.first} for f in fleets],
        "couriers": names,
        "series": {"names": list(SERIES), "step": SAMPLE_S,
                   "samples": int(series.size // max(1, len(node_names) * len(SERIES)))},
    }


def _trip_track(wp: Waypoints, fl: Fleet, builders: dict[tuple[str, float], PathBuilder],
                network: RoadNetwork, places: list[Place], stops: list[int],
                delivered: np.ndarray, start: float, end: float) -> float:
    """Append one trip's waypoints; return the metres ridden.

    Leg times are anchored on the records (arrival = ``delivered - dropoff``, home at
    ``end``) and spread over the leg's points by their travel times; a stage the records
    lack (a trip still under way at the end) takes the travel times themselves.
    """
    here = fl.home
    t = start
    wp.add(here.x, here.y, t)
    t += fl.pickup
    wp.add(here.x, here.y, t)
    metres = 0.0
    targets = [places[i] for i in stops] + [fl.home]
    for k, place in enumerate(targets):
        if fl.kind == "drone":
            m = math.hypot(here.x - place.x, here.y - place.y)
            pts, secs = [(place.x, place.y, m / fl.speed)], m / fl.speed
        else:
            key = ("road", fl.speed)
            builder = builders.get(key)
            if builder is None:
                builder = builders[key] = PathBuilder(network, fl.speed)
            pts, m = builder.leg(here, place)
            secs = sum(p[2] for p in pts)
        metres += m
        last = k == len(targets) - 1
        rec = end if last else delivered[stops[k]] - fl.dropoff
        arrive = rec if not math.isnan(rec) and rec >= t else t + secs
        scale = (arrive - t) / secs if secs > 0 else 0.0
        acc = t
        for x, y, s in pts:
            acc += s * scale
            wp.add(x, y, min(acc, arrive))
        wp.t[-1] = arrive
        t = arrive
        if not last:
            t += fl.dropoff
            wp.add(place.x, place.y, t)
        here = place
    return metres


SERIES = ("picker queue", "waiting for courier", "idle couriers", "stock-outs")


def _series(folder: Path, scenario: Scenario, node_names: list[str],
            on: dict[str, np.ndarray], onode: np.ndarray, t0: float) -> np.ndarray:
    """Per node and sample time: the store panel's counts (``SERIES``), flattened as
    node-major, series, then time."""
    t1 = scenario.run.start + scenario.run.duration + scenario.run.drain
    grid = t0 + SAMPLE_S * np.arange(math.floor((t1 - t0) / SAMPLE_S) + 1)
    states = _table(folder, "states", ("time", "resource", "node", "busy", "capacity"))
    assert states is not None
    sn = _numbers(states, folder / "states.csv", ("time", "busy", "capacity"),
                  allow_empty=False)
    stock = _table(folder, "stockouts", ("time", "node"), required=False)
    stock_t = _numbers(stock, folder / "stockouts.csv", ("time",), allow_empty=False)["time"] \
        if stock is not None else np.empty(0)
    out = np.zeros((len(node_names), len(SERIES), grid.size), dtype=np.int64)

    def between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """How many [a, b) intervals (b NaN: open) hold each sample time."""
        a = np.sort(a[~np.isnan(a)])
        b = np.sort(b[~np.isnan(b)])
        return np.searchsorted(a, grid, "right") - np.searchsorted(b, grid, "right")

    for i, name in enumerate(node_names):
        mine = onode == i
        out[i, 0] = between(on["accepted"][mine], on["pick_start"][mine])
        out[i, 1] = between(on["ready"][mine], on["dispatched"][mine])
        sel = ((states["resource"] == "couriers") & (states["node"] == name)).to_numpy()
        if sel.any():
            ts = sn["time"][sel]
            k = np.searchsorted(ts, grid, "right") - 1
            idle = sn["capacity"][sel] - sn["busy"][sel]
            out[i, 2] = np.where(k >= 0, idle[np.maximum(k, 0)], idle[0])
        if stock is not None:
            mask = (stock["node"] == name).to_numpy()
            out[i, 3] = np.searchsorted(np.sort(stock_t[mask]), grid, "right")
    return out.ravel()


# --------------------------------------------------------------------------- warehouse


def _warehouses(folder: Path, scenario: Scenario, arrays: Arrays, t0: float,
                window: tuple[float, float] | None) -> list[dict[str, object]]:
    """Per robot warehouse: the grid, stations, chargers and robots' records."""
    if not scenario.warehouses:
        return []
    from sim.warehouse.layout import StationCells
    from sim.warehouse.warehouse import build_layout

    visits = _table(folder, "wh_visits", ("warehouse", "robot", "station", "dispatched",
                                          "at_pod", "at_station", "pick_start", "pick_end",
                                          "returned"), required=False)
    charges = _table(folder, "wh_charges", ("warehouse", "robot", "charger", "start", "end"),
                     required=False)
    events = _table(folder, "wh_events", ("warehouse", "time", "robot", "event", "detail"),
                    required=False)
    moves = _robot_moves(folder, scenario, window)
    out: list[dict[str, object]] = []
    for w_i, spec in enumerate(scenario.warehouses):
        layout = build_layout(spec, np.random.default_rng(0), w_i)
        p = f"wh{w_i}_"
        arrays.add(p + "kinds", np.frombuffer(bytes(layout.kinds), dtype=np.uint8), "u1")
        stations: list[StationCells] = list(layout.stations)
        lanes = [list(s.lane) for s in stations]
        robots = [f"{spec.name}-r{i:03d}" for i in range(spec.robots.count)]
        robot_at = {r: i for i, r in enumerate(robots)}
        info: dict[str, object] = {
            "name": spec.name, "width": layout.width, "height": layout.height,
            "lanes": lanes, "chargers": list(layout.chargers), "robots": len(robots),
            "moves": False, "window": None}

        if visits is not None:
            path = folder / "wh_visits.csv"
            v = visits[visits["warehouse"] == spec.name]
            vn = _numbers(v, path, ("station", "dispatched", "at_pod", "at_station",
                                    "pick_start", "pick_end", "returned"))
            arrays.add(p + "v_robot", _robot_ids(v, path, robot_at, spec.name), "i2")
            arrays.add(p + "v_station", np.nan_to_num(vn["station"], nan=-1), "i2")
            for c in ("dispatched", "at_pod", "at_station", "pick_start", "pick_end",
                      "returned"):
                arrays.add(p + "v_" + c, np.where(np.isnan(vn[c]), -1,
                                                  (vn[c] - t0) * 1000))
        if charges is not None:
            path = folder / "wh_charges.csv"
            ch = charges[charges["warehouse"] == spec.name]
            cn = _numbers(ch, path, ("charger", "start", "end"))
            arrays.add(p + "c_robot", _robot_ids(ch, path, robot_at, spec.name), "i2")
            arrays.add(p + "c_charger", np.nan_to_num(cn["charger"], nan=-1), "i2")
            arrays.add(p + "c_start", np.nan_to_num((cn["start"] - t0) * 1000, nan=-1))
            arrays.add(p + "c_end", np.nan_to_num((cn["end"] - t0) * 1000, nan=2**31 - 1))
        if events is not None:
            path = folder / "wh_events.csv"
            e = events[(events["warehouse"] == spec.name) & (events["event"] == "failure")]
            en = _numbers(e, path, ("time",), allow_empty=False)
            repair = [float(g.group(1)) if (g := re.search(r"after ([0-9.]+) s", str(d)))
                      else 0.0 for d in e["detail"]]
            arrays.add(p + "f_robot", _robot_ids(e, path, robot_at, spec.name), "i2")
            arrays.add(p + "f_start", (en["time"] - t0) * 1000)
            arrays.add(p + "f_end", (en["time"] + np.asarray(repair, dtype=float) - t0) * 1000)
        if spec.name in moves:
            mv, (lo, hi) = moves[spec.name]
            path = folder / "wh_moves.csv"
            mn = {c: mv[c].to_numpy(dtype=float) for c in ("x", "y", "t_in", "t_out")}
            robot = _robot_ids(mv, path, robot_at, spec.name)
            order = np.lexsort((mn["t_in"], robot))
            cell = (mn["y"] * layout.width + mn["x"])[order]
            arrays.add(p + "m_robot", robot[order], "i2", delta=True)
            arrays.add(p + "m_cell", cell, delta=True)
            arrays.add(p + "m_in", (mn["t_in"][order] - t0) * 1000)
            arrays.add(p + "m_out", (mn["t_out"][order] - t0) * 1000)
            info["moves"] = True
            info["window"] = [lo, hi]
        elif window is not None:
            info["window"] = list(window)
        out.append(info)
    return out


def _robot_ids(frame: pd.DataFrame, path: Path, robot_at: dict[str, int],
               warehouse: str) -> np.ndarray:
    """The page's robot numbers of a table's ``robot`` column; an unknown robot is an
    error naming the file and line (the row's position in the file)."""
    ids = []
    for k, r in zip(frame.index.tolist(), frame["robot"].astype(str), strict=True):
        if r not in robot_at:
            raise ScenarioError(f"{path}:{int(k) + 2}: field 'robot': {r!r} is not a robot "
                                f"of warehouse {warehouse!r}")
        ids.append(robot_at[r])
    return np.asarray(ids, dtype=np.int64)


MOVE_COLUMNS = ("warehouse", "robot", "x", "y", "t_in", "t_out")
CHUNK_ROWS = 1_000_000


def _robot_moves(folder: Path, scenario: Scenario, window: tuple[float, float] | None
                 ) -> dict[str, tuple[pd.DataFrame, tuple[float, float]]]:
    """Per warehouse with recorded moves: its ``wh_moves`` rows that overlap the window
    shown, and that window (``window``, or :func:`_default_window`).

    The table may be far larger than the page (300 MB for a grid-traffic shift of 700
    robots), so it is read twice, a million rows at a time: the start times to choose
    each warehouse's window, then the rows inside it.
    """
    csv = folder / "wh_moves.csv"
    if not csv.is_file():  # no moves recorded, or a Parquet run: read it whole
        frame = _table(folder, "wh_moves", MOVE_COLUMNS, required=False)
        if frame is None:
            return {}
        path, chunks = folder / "wh_moves.parquet", [frame]
    else:
        _table_header(csv, MOVE_COLUMNS)
        path, chunks = csv, []
    names = [w.name for w in scenario.warehouses]

    def read(columns: Sequence[str]) -> Iterator[pd.DataFrame]:
        if chunks:
            yield chunks[0]
            return
        try:
            yield from pd.read_csv(path, usecols=list(columns), chunksize=CHUNK_ROWS,
                                   dtype={"warehouse": "category", "robot": "category"})
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            raise ScenarioError(f"{path}: cannot read: {str(exc).splitlines()[0]}") from None

    windows: dict[str, tuple[float, float]] = {}
    if window is None:
        starts: dict[str, list[np.ndarray]] = {n: [] for n in names}
        for part in read(("warehouse", "t_in")):
            t_in = _numbers(part, path, ("t_in",), allow_empty=False)["t_in"]
            for n in names:
                starts[n].append(t_in[(part["warehouse"] == n).to_numpy()])
        for n in names:
            got = np.concatenate(starts[n]) if starts[n] else np.empty(0)
            if got.size:
                windows[n] = _default_window(got, scenario)
    else:
        windows = dict.fromkeys(names, window)
    kept: dict[str, list[pd.DataFrame]] = {n: [] for n in names}
    seen: set[str] = set()
    for part in read(MOVE_COLUMNS):
        num = _numbers(part, path, ("x", "y", "t_in", "t_out"), allow_empty=False)
        for n in names:
            mine = (part["warehouse"] == n).to_numpy()
            if not mine.any():
                continue
            seen.add(n)
            lo, hi = windows[n]
            keep = mine & (num["t_out"] >= lo) & (num["t_in"] <= hi)
            kept[n].append(part[keep].astype({"robot": str}))
    return {n: (pd.concat(kept[n]) if kept[n] else pd.DataFrame(columns=MOVE_COLUMNS),
                windows[n]) for n in names if n in seen}


def _table_header(path: Path, columns: Sequence[str]) -> None:
    """Check that a CSV file has ``columns`` (one-line error naming the first missing)."""
    try:
        header = list(pd.read_csv(path, nrows=0).columns)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise ScenarioError(f"{path}: cannot read: {str(exc).splitlines()[0]}") from None
    _has_columns(path, header, columns)


def _has_columns(path: Path, header: Sequence[str], columns: Sequence[str]) -> None:
    """One-line error naming the first of ``columns`` missing from ``header``."""
    missing = [c for c in columns if c not in header]
    if missing:
        raise ScenarioError(f"{path}:1: missing column {missing[0]!r}")


def _default_window(t_in: np.ndarray, scenario: Scenario) -> tuple[float, float]:
    """The whole run when its moves fit in ``MAX_MOVE_ROWS``, else the longest stretch
    from the start of the measured window that does."""
    run = scenario.run
    end = run.start + run.duration + run.drain
    if t_in.size <= MAX_MOVE_ROWS:
        return run.start, end
    lo = run.start + run.warmup
    ts = np.sort(t_in[t_in >= lo])
    if ts.size <= MAX_MOVE_ROWS:
        lo = float(np.sort(t_in)[-MAX_MOVE_ROWS])
        return lo, end
    return lo, float(ts[MAX_MOVE_ROWS - 1])


# --------------------------------------------------------------------------- page


def _asset(name: str) -> str:
    """A file of the page's template (``replay_assets/``, installed with the package)."""
    return resources.files("sim.report").joinpath("replay_assets", name).read_text("utf-8")


def build_page(folder: Path, window: tuple[float, float] | None = None) -> str:
    """The replay page of the run in ``folder`` (see the module docstring)."""
    from sim.model import build_network
    from sim.scenario.loading import read_scenario

    resolved = folder / "scenario.resolved.yaml"
    if not resolved.is_file():
        raise ScenarioError(f"{folder}: not a run folder (no scenario.resolved.yaml)")
    scenario = read_scenario(resolved)
    network = build_network(scenario)
    run = scenario.run
    t0 = run.start
    arrays = Arrays()
    arrays.add("n_x", network.xy[:, 0] * 10, delta=True)
    arrays.add("n_y", network.xy[:, 1] * 10, delta=True)
    edges = np.asarray([(u, v) for u, v in network.graph.edges()], dtype=np.int64)
    arrays.add("e_u", edges[:, 0] if edges.size else [], delta=True)
    arrays.add("e_v", edges[:, 1] if edges.size else [], delta=True)
    city = _city(folder, scenario, network, arrays, t0)
    whs = _warehouses(folder, scenario, arrays, t0, window)
    meta = {
        "name": scenario.name, "seed": scenario.seed, "t0": t0,
        "end": run.start + run.duration + run.drain,
        "measured": [run.start + run.warmup, run.start + run.duration],
        "promise": scenario.promise.window,
        "width": scenario.city.width, "height": scenario.city.height,
        "arrays": arrays.index, **city, "warehouses": whs,
    }
    title = html.escape(f"{scenario.name}: replay (seed {scenario.seed})")
    data = json.dumps(meta, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    return (_asset("replay.html")
            .replace("{{MARK}}", MARK)
            .replace("{{TITLE}}", title)
            .replace("{{CSS}}", _asset("replay.css"))
            .replace("{{META}}", data)
            .replace("{{BLOB}}", arrays.blob())
            .replace("{{JS}}", _asset("replay.js")))


def write_replay(folder: str | Path, out: str | Path | None = None,
                 window: tuple[float, float] | None = None) -> Path:
    """Write ``replay.html`` for the run in ``folder`` (or to ``out``); return its path.

    An existing file is replaced only when omnisim wrote it (checked before the page is
    built); the page is written to a temporary name first and renamed, so a failure
    leaves nothing half-written, and a run folder's marker lists it."""
    src = Path(folder)
    if not src.is_dir():
        raise ScenarioError(f"{src}: no such run folder")
    target = Path(out) if out is not None else src / REPLAY
    check_file(target, lambda head: head.startswith(MARK.encode("utf-8")),
               "replay --out" if out is not None else "replay")
    page = build_page(src, window)
    write_owned_file(target, page.encode("utf-8"))
    return target
