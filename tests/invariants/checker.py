"""An invariant checker that reads a results folder's files only, never the model.

:func:`check_run` opens the CSV files, ``metrics.json`` and ``scenario.resolved.yaml`` of
one run folder with pandas, json and PyYAML and returns the invariants the files break,
one readable line each (an empty list when the run is consistent). It deliberately
imports nothing from ``sim``: it restates what the README promises about the outputs
(terminal states, stage order, trips, stock, the metric definitions) in its own code, so
a bug in the model or in the metrics cannot hide itself by being shared with the check.

Times in the CSVs are rounded to milliseconds, so comparisons of two times allow
:data:`TIME_TOL` seconds; ``metrics.json`` was computed from the unrounded records, so
recomputed minutes allow :data:`MINUTES_TOL`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

TIME_TOL = 0.002
"""Seconds: two times written with 3 decimals may each be off by half a millisecond."""
MINUTES_TOL = 1e-4
"""Minutes: a recomputed click-to-door statistic against ``metrics.json`` (6 decimals)."""
RATE_TOL = 2e-6
"""A recomputed rate against ``metrics.json`` (rounded to 6 decimals)."""
MAX_LINES_PER_CHECK = 20
"""At most this many violations of one kind are listed, then a count of the rest."""

STATUSES = ("delivered", "rejected", "cancelled", "in_progress")
"""The one terminal state each order ends in (``in_progress``: the run stopped first)."""
STAGES = ("created", "accepted", "pick_start", "pick_end", "ready", "dispatched", "delivered")
"""An order's timestamps in the order its life passes them."""
WH_ORDER_STAGES = ("created", "assigned", "pick_start", "pick_end", "ready")
WH_VISIT_STAGES = ("dispatched", "at_pod", "at_station", "pick_start", "pick_end", "returned")
QUANTILES = (("p50", 50.0), ("p90", 90.0), ("p95", 95.0), ("p99", 99.0))
STRING_COLUMNS = ("status", "reason", "node", "courier", "stops", "vehicle", "robot",
                  "warehouse", "channel", "resource", "detail", "event", "sku_class")


@dataclass
class RunFiles:
    """The files of one results folder, read once."""

    folder: Path
    tables: dict[str, pd.DataFrame]
    metrics: dict[str, object]
    scenario: dict[str, object]

    @classmethod
    def read(cls, folder: Path) -> RunFiles:
        """Read every CSV, ``metrics.json`` and ``scenario.resolved.yaml`` of ``folder``."""
        dtypes = dict.fromkeys(STRING_COLUMNS, "string")
        tables = {p.stem: pd.read_csv(p, dtype=dtypes, keep_default_na=True)
                  for p in sorted(folder.glob("*.csv"))}
        metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
        scenario = yaml.safe_load((folder / "scenario.resolved.yaml").read_text(encoding="utf-8"))
        return cls(folder, tables, metrics, scenario)

    def table(self, name: str) -> pd.DataFrame | None:
        """The table ``name`` (``orders`` for ``orders.csv``), None when not written."""
        return self.tables.get(name)

    @property
    def run(self) -> dict[str, float]:
        """The resolved ``run`` section: start, duration, warmup, drain in seconds, and
        ``arrivals``: how long demand arrives (``(days - 1) x 24 h + duration``; a run
        of several days leaves ``days`` out of the file when it is 1)."""
        run = self.scenario["run"]
        assert isinstance(run, dict)
        out = {k: seconds(v) for k, v in run.items() if k in ("start", "duration", "warmup",
                                                               "drain")}
        out["arrivals"] = (int(run.get("days", 1)) - 1) * 86400.0 + out["duration"]
        return out

    @property
    def window(self) -> tuple[float, float]:
        """The measured window ``[start + warmup, start + arrivals)`` in clock seconds."""
        r = self.run
        return r["start"] + r["warmup"], r["start"] + r["arrivals"]

    @property
    def stop(self) -> float:
        """The clock time the run stopped: after the demand and the drain."""
        r = self.run
        return r["start"] + r["arrivals"] + r["drain"]

    @property
    def promise_s(self) -> float:
        """The promised click-to-door time in seconds."""
        promise = self.scenario["promise"]
        assert isinstance(promise, dict)
        return seconds(promise["window"])


def seconds(value: object) -> float:
    """Seconds from what a resolved scenario writes: a number, ``'1800s'`` (SI units,
    as omnisim writes them) or a clock time ``'17:00'`` / ``'17:00:30'``. Written here,
    not imported, so the checker stays independent of the model's code."""
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if ":" in text:
        parts = [float(x) for x in text.split(":")]
        return sum(x * 60 ** (2 - i) for i, x in enumerate(parts + [0.0] * (3 - len(parts))))
    if text.endswith("s"):
        text = text[:-1]
    return float(text)


Check = Callable[[RunFiles], Iterable[str]]


def check_run(folder: Path | str, limit: int | None = MAX_LINES_PER_CHECK) -> list[str]:
    """Every invariant the results folder ``folder`` breaks, one line each: at most
    ``limit`` per check and a count of the rest (``limit=None``: all of them)."""
    run = RunFiles.read(Path(folder))
    out: list[str] = []
    for check in CHECKS:
        try:
            lines = list(check(run))
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            lines = [f"{check.__name__}: cannot read the files: {exc!r}"]
        if limit is not None and len(lines) > limit:
            lines = [*lines[:limit], f"{check.__name__}: ... and {len(lines) - limit} more"]
        out.extend(lines)
    return out


# ----------------------------------------------------------------------------- helpers


def _no_trip(value: object) -> bool:
    """True for a trip cell that names no trip (empty, or the older ``-1``)."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) \
        or float(str(value)) < 0


def _stops(cell: object) -> list[int]:
    """The order ids of a trip's ``stops`` cell (``"12;7;40"``)."""
    if cell is None or cell is pd.NA:
        return []
    return [int(s) for s in str(cell).split(";") if s.strip()]


def _present(value: object) -> bool:
    """True when a cell holds a value (not NaN/NA)."""
    return not pd.isna(value)  # type: ignore[call-overload]


# ----------------------------------------------------------------------------- orders


def orders_terminal(run: RunFiles) -> Iterable[str]:
    """Each order has one id and ends in exactly one terminal state, consistent with its
    stamps: a rejected order has a reason and no later stage, every other order was
    accepted, a delivered order has its delivery time, an undelivered one none."""
    orders = run.table("orders")
    if orders is None:
        yield "orders.csv is missing"
        return
    dup = orders["order_id"][orders["order_id"].duplicated()]
    for oid in dup:
        yield f"order {oid}: appears more than once in orders.csv"
    for row in orders.itertuples(index=False):
        oid, status = row.order_id, row.status
        if not isinstance(status, str) or status not in STATUSES:
            yield f"order {oid}: status {status!r} is not one of {', '.join(STATUSES)}"
            continue
        if not _present(row.created):
            yield f"order {oid}: no creation time"
        if status == "rejected":
            if not _present(row.reason):
                yield f"order {oid}: rejected without a reason"
            later = [s for s in STAGES[1:] if _present(getattr(row, s))]
            if later:
                yield f"order {oid}: rejected but has stage times {', '.join(later)}"
            if not _no_trip(row.trip):
                yield f"order {oid}: rejected but on trip {row.trip}"
            continue
        if not _present(row.accepted):
            yield f"order {oid}: {status} but never accepted"
        if not _present(row.node):
            yield f"order {oid}: {status} but assigned to no node"
        if status == "delivered" and not _present(row.delivered):
            yield f"order {oid}: delivered without a delivery time"
        if status != "delivered" and _present(row.delivered):
            yield f"order {oid}: {status} but has a delivery time {row.delivered}"
        if _present(row.delivered) and row.delivered > run.stop + TIME_TOL:
            yield f"order {oid}: delivered at {row.delivered} after the run stopped ({run.stop})"


def stage_order(run: RunFiles) -> Iterable[str]:
    """The stages an order reached are stamped in order (created <= accepted <= pick start
    <= pick end <= ready <= dispatched <= delivered), and reaching a stage means having
    passed every earlier one."""
    orders = run.table("orders")
    if orders is None:
        return
    for row in orders.itertuples(index=False):
        times = [(s, getattr(row, s)) for s in STAGES]
        reached = [(s, t) for s, t in times if _present(t)]
        for (s1, t1), (s2, t2) in pairwise(reached):
            if t2 < t1 - TIME_TOL:
                yield f"order {row.order_id}: {s2} {t2} is before {s1} {t1}"
        if reached:
            last = STAGES.index(reached[-1][0])
            skipped = [s for s, t in times[:last] if not _present(t)]
            if skipped:
                yield (f"order {row.order_id}: reached {reached[-1][0]} without "
                       f"{', '.join(skipped)}")
        if _present(row.due) and row.due < row.created - TIME_TOL:
            yield f"order {row.order_id}: due {row.due} before it was created {row.created}"


# ----------------------------------------------------------------------------- trips


def trips_consistent(run: RunFiles) -> Iterable[str]:
    """Each trip has one id, its times in order (start <= first delivery <= last delivery
    <= end), as many stops as orders, and no more orders than its vehicle carries
    (``fleets.csv``)."""
    trips, fleets = run.table("trips"), run.table("fleets")
    if trips is None:
        return
    for tid in trips["trip_id"][trips["trip_id"].duplicated()]:
        yield f"trip {tid}: appears more than once in trips.csv"
    capacity: dict[tuple[str, str], int] = {}
    if fleets is not None:
        capacity = {(str(r.node), str(r.vehicle)): int(r.capacity)
                    for r in fleets.itertuples(index=False)}
    for row in trips.itertuples(index=False):
        tid = row.trip_id
        seq = [("start", row.start), ("first_delivery", row.first_delivery),
               ("last_delivery", row.last_delivery), ("end", row.end)]
        reached = [(s, t) for s, t in seq if _present(t)]
        for (s1, t1), (s2, t2) in pairwise(reached):
            if t2 < t1 - TIME_TOL:
                yield f"trip {tid}: {s2} {t2} is before {s1} {t1}"
        stops = _stops(row.stops)
        if len(stops) != row.orders:
            yield f"trip {tid}: {row.orders} orders but {len(stops)} stops"
        if len(set(stops)) != len(stops):
            yield f"trip {tid}: an order appears twice among its stops {row.stops}"
        cap = capacity.get((str(row.node), str(row.vehicle)))
        if cap is None:
            yield f"trip {tid}: no fleet of {row.vehicle} at {row.node} in fleets.csv"
        elif row.orders > cap:
            yield f"trip {tid}: {row.orders} orders on a {row.vehicle} of capacity {cap}"
        if not (_present(row.distance_m) and 0 <= row.distance_m < math.inf):
            yield f"trip {tid}: distance {row.distance_m} m"


def one_trip_at_a_time(run: RunFiles) -> Iterable[str]:
    """A courier is on one trip at a time: the ``[start, end]`` intervals of one courier's
    trips do not overlap (a trip without an end is under way until the run stops)."""
    trips = run.table("trips")
    if trips is None or trips.empty:
        return
    for courier, (prev, prev_end), (trip, start) in _overlaps(
            trips, ["courier"], "start", "end", "trip_id"):
        yield (f"courier {courier}: trip {trip} starts at {start} before trip "
               f"{prev} ends at {prev_end}")


def _overlaps(frame: pd.DataFrame, keys: list[str], start: str, end: str, ident: str
              ) -> Iterable[tuple[object, tuple[object, float], tuple[object, float]]]:
    """Per group of ``keys``: each interval ``[start, end]`` (no end: open until the run
    stops) that starts before the previous one, in start order, ends, as
    ``(group, (previous id, its end), (id, its start))``."""
    frame = frame.assign(_end=frame[end].astype(float).fillna(math.inf))
    frame = frame.sort_values([*keys, start, "_end"], kind="stable")
    for group, g in frame.groupby(keys if len(keys) > 1 else keys[0], sort=True):
        starts = g[start].to_numpy(dtype=float)
        ends = g["_end"].to_numpy(dtype=float)
        ids = g[ident].to_numpy()
        for i in range(1, len(g)):
            if starts[i] < ends[i - 1] - TIME_TOL:
                yield group, (ids[i - 1], ends[i - 1]), (ids[i], starts[i])


def orders_on_trips(run: RunFiles) -> Iterable[str]:
    """Every order (and part of a split order) that names a trip names one in
    ``trips.csv``, with the same courier, among its stops, dispatched when the trip
    started and delivered during it; every stop of a trip is an order that names it."""
    orders, trips = run.table("orders"), run.table("trips")
    if orders is None:
        return
    trips = trips if trips is not None else pd.DataFrame(columns=["trip_id"])
    by_id = {int(r.trip_id): r for r in trips.itertuples(index=False)}
    carriers = [orders]
    parts = run.table("order_parts")
    if parts is not None:
        carriers.append(parts)
    claimed: set[tuple[int, int]] = set()
    for table in carriers:
        for row in table.itertuples(index=False):
            if _no_trip(row.trip):
                if row.status == "delivered" or _present(row.dispatched):
                    yield f"order {row.order_id}: dispatched but on no trip"
                continue
            tid = int(row.trip)
            claimed.add((tid, int(row.order_id)))
            trip = by_id.get(tid)
            if trip is None:
                yield f"order {row.order_id}: its trip {tid} is not in trips.csv"
                continue
            if str(trip.courier) != str(row.courier):
                yield (f"order {row.order_id}: courier {row.courier} but trip {tid} is "
                       f"ridden by {trip.courier}")
            if int(row.order_id) not in _stops(trip.stops):
                yield f"order {row.order_id}: not among the stops of its trip {tid}"
            if abs(row.dispatched - trip.start) > TIME_TOL:
                yield (f"order {row.order_id}: dispatched at {row.dispatched} but trip {tid} "
                       f"started at {trip.start}")
            if _present(row.delivered):
                end = trip.end if _present(trip.end) else math.inf
                if not trip.start - TIME_TOL <= row.delivered <= end + TIME_TOL:
                    yield (f"order {row.order_id}: delivered at {row.delivered} outside its "
                           f"trip {tid} [{trip.start}, {trip.end}]")
    for tid, trip in by_id.items():
        for oid in _stops(trip.stops):
            if (tid, oid) not in claimed:
                yield f"trip {tid}: stop {oid} is not an order on this trip"


# ----------------------------------------------------------------------------- resources


PAYLOAD_TOL = 0.0005
"""kg or litres: ``trip_payloads.csv`` writes loads to 3 decimals."""


def payloads_within_limits(run: RunFiles) -> Iterable[str]:
    """When orders are weighed (``trip_payloads.csv`` exists): every trip of
    ``trips.csv`` has one payload row with the same vehicle and order count, and no trip
    carries more orders, kg or litres than its vehicle type allows in
    ``scenario.resolved.yaml`` (``capacity``, ``max_weight_kg``, ``max_volume_litres``)."""
    payloads, trips = run.table("trip_payloads"), run.table("trips")
    if payloads is None:
        return
    for tid in payloads["trip_id"][payloads["trip_id"].duplicated()]:
        yield f"trip {tid}: appears more than once in trip_payloads.csv"
    by_id = {int(r.trip_id): r for r in payloads.itertuples(index=False)}
    for row in (trips if trips is not None else pd.DataFrame()).itertuples(index=False):
        load = by_id.get(int(row.trip_id))
        if load is None:
            yield f"trip {row.trip_id}: no row in trip_payloads.csv"
        elif str(load.vehicle) != str(row.vehicle) or int(load.orders) != int(row.orders):
            yield (f"trip {row.trip_id}: trip_payloads.csv says {load.orders} orders on a "
                   f"{load.vehicle}, trips.csv {row.orders} on a {row.vehicle}")
    vehicles = run.scenario.get("vehicles") or {}
    assert isinstance(vehicles, dict)
    for load in payloads.itertuples(index=False):
        spec = vehicles.get(str(load.vehicle))
        if not isinstance(spec, dict):
            yield f"trip {load.trip_id}: vehicle {load.vehicle} is not in the scenario"
            continue
        for column, key, unit in (("orders", "capacity", "orders"),
                                  ("weight_kg", "max_weight_kg", "kg"),
                                  ("volume_litres", "max_volume_litres", "l")):
            limit = spec.get(key, 1 if key == "capacity" else None)
            value = float(getattr(load, column))
            if limit is not None and value > float(limit) + PAYLOAD_TOL:
                yield (f"trip {load.trip_id}: {value:g} {unit} on a {load.vehicle} that "
                       f"carries at most {float(limit):g} {unit}")


def busy_within_capacity(run: RunFiles) -> Iterable[str]:
    """A resource is never more than fully busy nor less than idle (``states.csv``)."""
    states = run.table("states")
    if states is None:
        return
    bad = states[(states["busy"] < 0) | (states["busy"] > states["capacity"])]
    for row in bad.itertuples(index=False):
        yield (f"states: {row.resource} at {row.node} busy {row.busy} of {row.capacity} "
               f"at {row.time}")


def stock_never_negative(run: RunFiles) -> Iterable[str]:
    """Stock is never negative, never more reserved than on the shelf, and the ledger
    balances: ``initial + received = on_hand + sold_walkin + sold_online + removed`` and
    ``ordered = received + shorted + on_order`` for every node and SKU."""
    levels = run.table("stock_levels")
    if levels is not None:
        for col in ("on_hand", "reserved", "on_order", "sold", "removed"):
            for row in levels[levels[col] < 0].itertuples(index=False):
                yield f"stock_levels: {row.node} {col} {getattr(row, col)} at {row.time}"
        over = levels[levels["reserved"] > levels["on_hand"]]
        for row in over.itertuples(index=False):
            yield (f"stock_levels: {row.node} reserves {row.reserved} of {row.on_hand} on "
                   f"hand at {row.time}")
        for node, g in levels.sort_values("time", kind="stable").groupby("node", sort=True):
            for col in ("sold", "removed"):
                if (np.diff(g[col].to_numpy()) < 0).any():
                    yield f"stock_levels: {node} {col} decreases over time"
    ledger = run.table("stock_ledger")
    if ledger is None:
        return
    counts = ("initial", "ordered", "received", "shorted", "on_order", "on_hand", "reserved",
              "sold_walkin", "sold_online", "removed", "lost_walkin")
    for col in counts:
        for row in ledger[ledger[col] < 0].itertuples(index=False):
            yield f"stock_ledger: {row.node} SKU {row.sku} {col} {getattr(row, col)}"
    inflow = ledger["initial"] + ledger["received"]
    outflow = (ledger["on_hand"] + ledger["sold_walkin"] + ledger["sold_online"]
               + ledger["removed"])
    for row in ledger[inflow != outflow].itertuples(index=False):
        yield (f"stock_ledger: {row.node} SKU {row.sku} initial + received "
               f"{row.initial + row.received} != on hand + sold + removed "
               f"{row.on_hand + row.sold_walkin + row.sold_online + row.removed}")
    ordered = ledger["received"] + ledger["shorted"] + ledger["on_order"]
    for row in ledger[ledger["ordered"] != ordered].itertuples(index=False):
        yield (f"stock_ledger: {row.node} SKU {row.sku} ordered {row.ordered} != received "
               f"+ shorted + on order {row.received + row.shorted + row.on_order}")


def warehouse_consistent(run: RunFiles) -> Iterable[str]:
    """Robot warehouses: order and pod-visit stages in order, a robot on one pod visit at
    a time, robots' energy never below zero, a charge never drains the battery."""
    for name, stages in (("wh_orders", WH_ORDER_STAGES), ("wh_visits", WH_VISIT_STAGES)):
        frame = run.table(name)
        if frame is None:
            continue
        key = "order_id" if name == "wh_orders" else "visit_id"
        for row in frame.itertuples(index=False):
            reached = [(s, getattr(row, s)) for s in stages if _present(getattr(row, s))]
            for (s1, t1), (s2, t2) in pairwise(reached):
                if t2 < t1 - TIME_TOL:
                    yield (f"{name} {row.warehouse} {getattr(row, key)}: {s2} {t2} is "
                           f"before {s1} {t1}")
    visits = run.table("wh_visits")
    if visits is not None and not visits.empty:
        yield from _one_visit_at_a_time(visits)
    robots = run.table("wh_robots")
    if robots is not None:
        for row in robots[robots["energy_min_wh"] < 0].itertuples(index=False):
            yield f"wh_robots: {row.robot} battery fell to {row.energy_min_wh} Wh"
    charges = run.table("wh_charges")
    if charges is not None:
        bad = charges[charges["energy_after_wh"] < charges["energy_before_wh"] - 1e-6]
        for row in bad.itertuples(index=False):
            yield (f"wh_charges: {row.robot} left the charger with less energy "
                   f"({row.energy_after_wh} < {row.energy_before_wh} Wh)")


def _one_visit_at_a_time(visits: pd.DataFrame) -> Iterable[str]:
    """A robot carries one pod at a time: its visits' ``[dispatched, returned]`` intervals
    do not overlap (a visit not yet returned lasts until the run stops)."""
    for (wh, robot), (prev, prev_end), (visit, start) in _overlaps(
            visits, ["warehouse", "robot"], "dispatched", "returned", "visit_id"):
        yield (f"wh_visits {wh}: robot {robot} starts visit {visit} at {start} "
               f"before visit {prev} returns at {prev_end}")


# ----------------------------------------------------------------------------- metrics


def _close(a: object, b: float | None, tol: float) -> bool:
    """True when the metric ``a`` equals the recomputed ``b`` within ``tol`` (None = n/a)."""
    if a is None or b is None:
        return a is None and b is None
    return isinstance(a, int | float) and abs(float(a) - b) <= tol


def metrics_recomputed(run: RunFiles) -> Iterable[str]:
    """``metrics.json``'s order counts, on-time rate and click-to-door statistics equal
    the ones recomputed here from ``orders.csv`` and the scenario's window and promise."""
    orders, metrics = run.table("orders"), run.metrics
    if orders is None:
        return
    start, end = run.window
    window = metrics.get("window")
    if not isinstance(window, dict) or not (
            _close(window.get("start_h"), start / 3600, 1e-6)
            and _close(window.get("end_h"), end / 3600, 1e-6)):
        yield f"metrics.json window {window} is not [{start / 3600}, {end / 3600}) h"
    m = orders[(orders["created"] >= start) & (orders["created"] < end)]
    status = m["status"]
    rejected = m[status == "rejected"]
    reasons = {str(k): int(v) for k, v in rejected["reason"].value_counts().items()}
    expect_counts: dict[str, object] = {
        "created": len(m), "accepted": int((status != "rejected").sum()),
        "delivered": int((status == "delivered").sum()),
        "cancelled": int((status == "cancelled").sum()),
        "in_progress_at_end": int((status == "in_progress").sum()),
    }
    got = metrics.get("orders")
    if not isinstance(got, dict):
        yield "metrics.json has no orders section"
        return
    for key, value in expect_counts.items():
        if got.get(key) != value:
            yield f"metrics.json orders.{key} {got.get(key)} != {value} recomputed"
    got_rejected = got.get("rejected")
    if not isinstance(got_rejected, dict) or got_rejected.get("total") != len(rejected) \
            or got_rejected.get("by_reason") != reasons:
        yield f"metrics.json orders.rejected {got_rejected} != {len(rejected)} {reasons}"

    sla = metrics.get("sla")
    if not isinstance(sla, dict):
        yield "metrics.json has no sla section"
        return
    accepted = m[status != "rejected"]
    late_by = (accepted["delivered"] - accepted["created"] - run.promise_s).to_numpy(float)
    # within TIME_TOL of the promise the rounded CSV cannot tell on time from late
    sure = int((late_by <= -TIME_TOL).sum())
    maybe = int((late_by <= TIME_TOL).sum())
    on_time = sla.get("on_time")
    if not (isinstance(on_time, int) and sure <= on_time <= maybe):
        yield f"metrics.json sla.on_time {on_time} not in [{sure}, {maybe}] recomputed"
    elif len(accepted) and not _close(sla.get("on_time_rate"), on_time / len(accepted),
                                      RATE_TOL):
        yield (f"metrics.json sla.on_time_rate {sla.get('on_time_rate')} != "
               f"{on_time}/{len(accepted)}")
    if not len(accepted) and sla.get("on_time_rate") is not None:
        yield f"metrics.json sla.on_time_rate {sla.get('on_time_rate')} with no accepted order"

    delivered = m[status == "delivered"]
    c2d = ((delivered["delivered"] - delivered["created"]) / 60.0).to_numpy(float)
    expect: dict[str, float | None] = {"mean": None, "max": None, **dict.fromkeys(
        k for k, _ in QUANTILES)}
    if c2d.size:
        expect = {"mean": float(c2d.mean()), "max": float(c2d.max()),
                  **{k: float(np.percentile(c2d, q)) for k, q in QUANTILES}}
    got_c2d = sla.get("click_to_door_min")
    if not isinstance(got_c2d, dict):
        yield "metrics.json has no sla.click_to_door_min"
        return
    if got_c2d.get("n") != int(c2d.size):
        yield f"metrics.json click_to_door_min.n {got_c2d.get('n')} != {c2d.size} recomputed"
    for key, value in expect.items():
        if not _close(got_c2d.get(key), value, MINUTES_TOL):
            yield f"metrics.json click_to_door_min.{key} {got_c2d.get(key)} != {value} recomputed"


CHECKS: tuple[Check, ...] = (
    orders_terminal, stage_order, trips_consistent, one_trip_at_a_time, orders_on_trips,
    payloads_within_limits, busy_within_capacity, stock_never_negative, warehouse_consistent,
    metrics_recomputed,
)
"""Every check :func:`check_run` applies, in the order it reports them."""
