"""Courier trips and dispatch decisions: how well the couriers are routed.

Definitions (also in docs/routing.md):

- Measured trips are those that *started* inside the window ``[start + warmup, end)``,
  including trips still under way when the run stopped (``status`` ``under_way``): they
  count in ``trips``, ``orders`` and the kilometres with their planned distance (a trip's
  route is fixed when it starts), and ``trips_under_way`` says how many there are;
  ``trip_min`` leaves them out (their end is unknown).
- ``orders_per_trip``: mean and counts of trips by number of orders; ``km_per_trip`` and
  ``trip_min`` (from leaving the node to being back, without a battery swap, finished
  trips only): summaries;
  ``km_per_order``: the measured trips' kilometres over their orders.
- ``by_vehicle``: the same per vehicle type, and ``time_on_trips``: the share of the
  window its couriers spent on trips (a trip's part inside the window, a trip under way
  until the run stopped; the node-level
  ``utilisation.couriers`` also counts battery swaps).
- ``dispatch``: decisions that solved a routing problem inside the window: how many, by
  solver, the trips and orders they started, the ready orders they held back (for a
  batch or a soon-free courier), their status counts and how many the wall-clock cap
  stopped (``capped``; should be 0: a capped run is not reproducible). Solve wall times
  are not here (they differ between runs): see :func:`wallclock`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sim.metrics.stats import mean_or_none, ratio, summary
from sim.metrics.window import MetricContext

KM = 1000.0
MIN = 60.0


def measured_trips(trips: pd.DataFrame, ctx: MetricContext) -> pd.DataFrame:
    """Trips that started inside the measured window."""
    return ctx.within(trips, "start")


def _trip_stats(t: pd.DataFrame) -> dict[str, Any]:
    orders = t["orders"].to_numpy(dtype=float)
    km = t["distance_m"].to_numpy(dtype=float) / KM
    sizes, n = np.unique(t["orders"].to_numpy(dtype=int), return_counts=True)
    return {
        "trips": len(t),
        "trips_under_way": int(t["end"].isna().sum()),
        "orders": int(orders.sum()),
        "orders_per_trip": {"mean": mean_or_none(orders),
                            "trips_by_orders": {str(k): int(v) for k, v in
                                                zip(sizes.tolist(), n.tolist(), strict=True)}},
        "km_per_trip": summary(km),
        "trip_min": summary((t["end"] - t["start"]).to_numpy(dtype=float) / MIN),
        "km": float(km.sum()),
        "km_per_order": ratio(float(km.sum()), float(orders.sum())),
    }


def routing(trips: pd.DataFrame, dispatches: pd.DataFrame, fleets: pd.DataFrame,
            ctx: MetricContext) -> dict[str, Any]:
    """Trip, per-vehicle and dispatch-decision metrics over the measured window."""
    t = measured_trips(trips, ctx)
    out = _trip_stats(t)
    span = ctx.end - ctx.start
    by_vehicle: dict[str, Any] = {}
    for vehicle, g in t.groupby("vehicle", sort=True):
        stats = _trip_stats(g)
        every = trips[trips["vehicle"] == vehicle]
        ends = every["end"].fillna(ctx.stop).to_numpy(dtype=float)  # under way: to the stop
        busy = np.clip(ends, ctx.start, ctx.end) - np.clip(
            every["start"].to_numpy(dtype=float), ctx.start, ctx.end)
        couriers = float(fleets.loc[fleets["vehicle"] == vehicle, "couriers"].sum())
        stats["time_on_trips"] = ratio(float(busy.sum()), couriers * span)
        by_vehicle[str(vehicle)] = stats
    out["by_vehicle"] = by_vehicle
    d = ctx.within(dispatches, "time")
    out["dispatch"] = {
        "decisions": len(d),
        "by_solver": {str(k): int(v) for k, v in d["solver"].value_counts().sort_index().items()},
        "orders_planned_per_decision": mean_or_none(
            (d["orders_ready"] + d["orders_upcoming"]).to_numpy(dtype=float)),
        "trips_started": int(d["trips_started"].sum()),
        "orders_dispatched": int(d["orders_dispatched"].sum()),
        "ready_orders_held_per_decision": mean_or_none(d["orders_held"].to_numpy(dtype=float)),
        "status": {str(k): int(v) for k, v in d["status"].value_counts().sort_index().items()},
        "capped": int(d["capped"].astype(bool).sum()),
    }
    return out


def wallclock(solve_times: pd.DataFrame) -> dict[str, Any]:
    """Wall-clock cost of the dispatch decisions of a run (all of them, not only the
    measured window): count, milliseconds to build the problem and to solve it (mean, p50,
    p90, p95, p99, max) and the total seconds. Differs between runs with the same seed."""
    return {
        "decisions": len(solve_times),
        "solve_ms": summary(solve_times["solve_ms"].to_numpy(dtype=float)),
        "build_ms": summary(solve_times["build_ms"].to_numpy(dtype=float)),
        "total_s": float((solve_times["solve_ms"] + solve_times["build_ms"]).sum()) / 1000,
    }


def wallclock_of(records: Mapping[str, pd.DataFrame], run_s: float) -> dict[str, Any]:
    """The contents of ``wallclock.json``: the run's wall seconds and, when the run made
    dispatch decisions, their wall-clock cost."""
    out: dict[str, Any] = {"run_s": run_s}
    st = records.get("solve_times")
    if st is not None and len(st):
        out["dispatch"] = wallclock(st)
    return out
