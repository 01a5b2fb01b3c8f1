"""Robot warehouse metrics, from the ``wh_*`` record tables and the measured window.

Definitions (per warehouse; the window is ``[start + warmup, end)``):

- ``items_per_hour``, ``lines_per_hour``: units and order lines picked in pod visits whose
  picking ended in the window, per hour; ``orders_picked_per_hour``: orders whose last
  pick was in the window; ``items_per_station_hour`` divides by the stations.
- ``cycle_time_min``: ``ready - created`` (arrival at the warehouse to packed) of orders
  that arrived in the window and are ready, minutes; also by channel.
- ``littles_law``: ``L`` is the time-average number of orders in the warehouse (arrived,
  not yet packed) over the window, from the order-seconds the model accumulates; ``lambda``
  the arrival rate of accepted orders in the window; ``W`` their mean time in the
  warehouse (orders still in it when the run stops count until then: ``censored``);
  ``gap = L / (lambda W) - 1``.
- ``robot_time_share``: share of robot-time in each state (idle, moving_empty,
  moving_loaded, blocked by other robots, handling pods, queueing for a station,
  at_station while picked from, waiting_for_charger, charging, broken).
- ``stations``: share of station-time picking (utilisation), waiting for a pod with
  orders open, and idle without orders; the least and most used station.
- ``pile_on``: units and lines picked per pod visit (visits picked in the window).
- ``congestion_s_per_trip``: seconds lost to other robots per trip (grid mode; 0 in the
  abstract mode), over the trips of visits picked in the window.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sim.core.records import WH_EVENT_COLUMNS, WH_ORDER_COLUMNS, WH_TIME_COLUMNS, WH_VISIT_COLUMNS
from sim.core.timebins import BIN
from sim.metrics.stats import ratio, summary
from sim.metrics.window import MetricContext, table

MIN = 60.0


def binned_seconds(time: pd.DataFrame, start: float, end: float,
                   width: float = BIN) -> pd.Series:
    """Seconds of each row of ``wh_time`` that fall inside ``[start, end)`` (bins prorated
    by their overlap with the window)."""
    b0 = time["bin_start"].to_numpy(dtype=float)
    overlap = np.clip(np.minimum(b0 + width, end) - np.maximum(b0, start), 0.0, width)
    return time["seconds"].astype(float) * overlap / width


def shares(time: pd.DataFrame, kind: str, ctx: MetricContext,
           by_unit: bool = False) -> dict[str, Any]:
    """Share of time in each state of ``kind`` rows over the window (pooled units)."""
    rows = time[time["kind"] == kind]
    if rows.empty:
        return {}
    secs = binned_seconds(rows, ctx.start, ctx.end)
    if by_unit:
        frame = rows.assign(s=secs).groupby(["unit", "state"], sort=True)["s"].sum()
        return {str(u): (g / g.sum()).droplevel(0).to_dict()
                for u, g in frame.groupby(level=0, sort=True) if g.sum() > 0}
    total = rows.assign(s=secs).groupby("state", sort=True)["s"].sum()
    return {str(k): float(v) for k, v in (total / total.sum()).items()} \
        if total.sum() > 0 else {}


def warehouse_metrics(records: Mapping[str, pd.DataFrame],
                      ctx: MetricContext) -> dict[str, Any] | None:
    """The ``warehouses`` section of metrics.json (None without warehouses)."""
    visits = table(records, "wh_visits", WH_VISIT_COLUMNS)
    orders = table(records, "wh_orders", WH_ORDER_COLUMNS)
    time = table(records, "wh_time", WH_TIME_COLUMNS)
    events = table(records, "wh_events", WH_EVENT_COLUMNS)
    names = sorted(set(orders["warehouse"]) | set(visits["warehouse"]) | set(time["warehouse"]))
    if not names:
        return None
    return {str(n): one_warehouse(visits[visits["warehouse"] == n],
                                  orders[orders["warehouse"] == n],
                                  time[time["warehouse"] == n],
                                  events[events["warehouse"] == n], ctx) for n in names}


def one_warehouse(visits: pd.DataFrame, orders: pd.DataFrame, time: pd.DataFrame,
                  events: pd.DataFrame, ctx: MetricContext) -> dict[str, Any]:
    """Metrics of one warehouse (see the module docstring)."""
    hours = ctx.hours
    picked = ctx.within(visits, "pick_end")
    n_stations = int(time[time["kind"] == "stations"]["unit"].nunique())
    items = float(picked["units"].sum())
    accepted = orders[orders["status"] != "rejected"]
    arrived = ctx.within(accepted, "created")
    done = arrived[arrived["ready"].notna()]
    cycle = (done["ready"] - done["created"]).to_numpy(dtype=float) / MIN
    by_channel = {str(ch): summary((g["ready"] - g["created"]).to_numpy(dtype=float) / MIN)
                  for ch, g in done.groupby("channel", sort=True)}
    last_pick = ctx.within(orders, "pick_end")
    rejected = ctx.within(orders[orders["status"] == "rejected"], "created")
    station_shares = shares(time, "stations", ctx, by_unit=True)
    util = [s.get("picking", 0.0) for s in station_shares.values()]
    return {
        "stations": n_stations,
        "orders": {
            "arrived": len(arrived),
            "arrived_by_channel": {str(k): int(v) for k, v in
                                   arrived["channel"].value_counts().sort_index().items()},
            "rejected_out_of_stock": len(rejected),
            "ready": len(done),
        },
        "items_per_hour": ratio(items, hours),
        "lines_per_hour": ratio(float(picked["lines"].sum()), hours),
        "orders_picked_per_hour": ratio(float(len(last_pick)), hours),
        "items_per_station_hour": ratio(items, hours * n_stations) if n_stations else None,
        "cycle_time_min": summary(cycle),
        "cycle_time_min_by_channel": by_channel,
        "littles_law": littles_law(arrived, time, ctx),
        "robot_time_share": shares(time, "robots", ctx),
        "stations_time_share": shares(time, "stations", ctx),
        "station_utilisation": {
            "mean": float(np.mean(util)) if util else None,
            "min": float(np.min(util)) if util else None,
            "max": float(np.max(util)) if util else None,
        },
        "pile_on": {
            "visits": len(picked),
            "items_per_visit": ratio(items, float(len(picked))),
            "lines_per_visit": ratio(float(picked["lines"].sum()), float(len(picked))),
        },
        "congestion_s_per_trip": ratio(float(picked["wait_s"].sum()),
                                       float(picked["legs"].sum())),
        "failures": int((events["event"] == "failure").sum()) if not events.empty else 0,
        "deadlocks_resolved": int((events["event"] == "deadlock").sum())
        if not events.empty else 0,
    }


def littles_law(arrived: pd.DataFrame, time: pd.DataFrame,
                ctx: MetricContext) -> dict[str, Any]:
    """L (time-average orders in the warehouse) against lambda * W over the window."""
    span = ctx.end - ctx.start
    rows = time[time["kind"] == "orders"]
    level = float(binned_seconds(rows, ctx.start, ctx.end).sum()) / span if span > 0 else math.nan
    lam = len(arrived) / span if span > 0 else math.nan
    end = arrived["ready"].to_numpy(dtype=float)
    censored = int(np.isnan(end).sum())
    end = np.where(np.isnan(end), ctx.stop, end)
    w = float(np.mean(end - arrived["created"].to_numpy(dtype=float))) if len(arrived) \
        else math.nan
    lw = lam * w
    return {"L": level, "lambda_per_s": lam, "W_s": w, "lambda_W": lw,
            "gap": level / lw - 1 if lw > 0 else None, "censored": censored}
