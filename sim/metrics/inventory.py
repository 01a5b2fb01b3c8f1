"""Stock: stock-outs, lost walk-in sales, levels over time, replenishment, the ledger.

Definitions (all inside the measured window ``[start, end)`` unless said otherwise):

- ``stockout_events``: times a SKU's free units at a node reached zero.
- ``walkin_fill_rate``: walk-in units sold / units walk-ins wanted (the rest is lost).
- ``on_hand_units`` / ``on_order_units`` / ``reserved_units``: time-weighted mean units
  on the shelves (reserved included), on order from suppliers, and set aside for
  accepted online orders; ``total`` sums the nodes.
- ``sold_units_per_day``: units sold over both channels per day of the window.
- ``removed_units``: units written off in the window (not found by pickers).
- ``days_of_cover``: mean on hand / units sold per day: how long the average stock lasts.
  "Per day" scales the window's sales to 24 h, so a window of trading hours only (the
  default city measures 07:00-24:00) overstates daily sales by 24 / its hours and
  understates cover by the same factor; measure whole days for calendar figures.
- ``replenishment``: orders placed in the window, their lines and units, units received
  in the window and the mean lead time (order to shelf) of orders that arrived.
- ``ledger``: the end-of-run balance check of every node and SKU (see
  :mod:`sim.stores.inventory`); ``unbalanced`` and ``negative`` must be 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.metrics.stats import ratio, step_integral
from sim.metrics.window import MetricContext

DAY = 86400.0


def level_at(times: np.ndarray, values: np.ndarray, t: float) -> float:
    """The value of a step series at clock time ``t`` (0 before its first row)."""
    i = int(np.searchsorted(times, t, side="right")) - 1
    return float(values[i]) if i >= 0 else 0.0


def levels(stock_levels: pd.DataFrame, ctx: MetricContext) -> dict[str, Any]:
    """Time-weighted on hand, reserved and on order, sales and days of cover per node."""
    span = ctx.end - ctx.start
    if stock_levels.empty or span <= 0:
        return {}
    out: dict[str, dict[str, Any]] = {k: {"total": 0.0, "by_node": {}} for k in
                                      ("on_hand_units", "reserved_units", "on_order_units")}
    sold_total = removed = 0.0
    cover: dict[str, float | None] = {}
    for node, g in stock_levels.groupby("node", sort=True):
        t = g["time"].to_numpy(dtype=float)
        for key, col in (("on_hand_units", "on_hand"), ("reserved_units", "reserved"),
                         ("on_order_units", "on_order")):
            mean = step_integral(t, g[col].to_numpy(dtype=float), ctx.start, ctx.end) / span
            out[key]["by_node"][str(node)] = mean
            out[key]["total"] += mean
        sold = g["sold"].to_numpy(dtype=float)
        units = level_at(t, sold, ctx.end) - level_at(t, sold, ctx.start)
        gone = g["removed"].to_numpy(dtype=float)
        removed += level_at(t, gone, ctx.end) - level_at(t, gone, ctx.start)
        sold_total += units
        per_day = units / (span / DAY)
        cover[str(node)] = ratio(out["on_hand_units"]["by_node"][str(node)], per_day)
    per_day_total = sold_total / (span / DAY)
    return {
        **out,
        "sold_units_per_day": per_day_total,
        "removed_units": removed,
        "days_of_cover": {"overall": ratio(out["on_hand_units"]["total"], per_day_total),
                          "by_node": cover},
    }


def replenishment(orders: pd.DataFrame, ctx: MetricContext) -> dict[str, Any]:
    """Replenishment orders placed and received in the window."""
    placed = ctx.within(orders, "ordered_at")
    arrived = ctx.within(orders, "arrived_at")
    lead = (arrived["arrived_at"] - arrived["ordered_at"]).to_numpy(dtype=float)
    return {
        "orders": len(placed),
        "orders_per_day": ratio(len(placed), (ctx.end - ctx.start) / DAY),
        "lines": int(placed["lines"].sum()),
        "units_ordered": int(placed["units_ordered"].sum()),
        "units_received": int(arrived["units_received"].sum()),
        "mean_lead_time_h": float(lead.mean() / 3600) if lead.size else None,
    }


def ledger_check(ledger: pd.DataFrame) -> dict[str, Any]:
    """Rows of the end-of-run ledger that do not balance or hold negative stock."""
    if ledger.empty:
        return {"rows": 0, "unbalanced": 0, "negative": 0}
    lhs = ledger["initial"] + ledger["received"]
    rhs = ledger["on_hand"] + ledger["sold_walkin"] + ledger["sold_online"] + ledger["removed"]
    orders = ledger["ordered"] != ledger["received"] + ledger["shorted"] + ledger["on_order"]
    neg = (ledger[["on_hand", "reserved", "on_order"]] < 0).any(axis=1) \
        | (ledger["reserved"] > ledger["on_hand"])
    return {"rows": len(ledger), "unbalanced": int(((lhs != rhs) | orders).sum()),
            "negative": int(neg.sum())}


def inventory(stockouts: pd.DataFrame, walkins: pd.DataFrame, ctx: MetricContext,
              stock_levels: pd.DataFrame | None = None,
              replenishments: pd.DataFrame | None = None,
              ledger: pd.DataFrame | None = None) -> dict[str, Any]:
    """Stock-outs, walk-in fill rate, levels over time, replenishment and the ledger."""
    s = ctx.within(stockouts, "time")
    w = ctx.within(walkins, "time")
    wanted = float(w["units_wanted"].sum())
    sold = float(w["units_sold"].sum())
    out: dict[str, Any] = {
        "stockout_events": len(s),
        "stockout_events_by_channel": {str(k): int(v) for k, v in
                                       s["channel"].value_counts().sort_index().items()},
        "walkin_visits": len(w),
        "walkin_visits_with_lost_sale": int((w["units_sold"] < w["units_wanted"]).sum()),
        "lost_walkin_units": int(wanted - sold),
        "walkin_fill_rate": ratio(sold, wanted),
    }
    if stock_levels is not None:
        out.update(levels(stock_levels, ctx))
    if replenishments is not None and not replenishments.empty:
        out["replenishment"] = replenishment(replenishments, ctx)
    if ledger is not None:
        out["ledger"] = ledger_check(ledger)
    return out
