"""Revenue and cost of the measured window from the scenario's money figures.

One table for a planner to read a policy's trade-off: what the goods and delivery fees
bring in, what labour, riding, replenishment, stock and broken promises cost.

- Revenue: ``unit_price`` per unit sold to walk-ins (visits in the window) and delivered
  to online customers (orders created in the window, substitutes included, dropped lines
  not), ``delivery_fee`` per delivered order.
- Costs: ``unit_cost`` per unit sold; ``picker_hour`` and ``courier_hour`` for every
  picker and courier on shift for the window's length; ``courier_km`` per kilometre of
  trips started in the window; ``replenishment_order`` per order placed in the window;
  ``holding_unit_day`` times the time-weighted units on hand times the window's days;
  ``removed_unit`` per unit written off in the window; ``late_order`` per accepted order
  not delivered by its due time; ``late_minute`` per minute a delivered order was late;
  ``cancelled_order``; ``rejected_order``; ``split_part`` per shipment beyond the first
  of a split order.
- ``profit = revenue - costs`` over the window, and per hour of the window (compare
  runs with the same window; a window of trading hours is not a calendar day).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sim.core.records import CANCELLED, DELIVERED, REJECTED
from sim.metrics.fill import online_units
from sim.metrics.inventory import levels
from sim.metrics.orders import measured_orders
from sim.metrics.routing import measured_trips
from sim.metrics.window import MetricContext


def capacities(states: pd.DataFrame) -> dict[str, float]:
    """Total capacity of each resource kind over the nodes (each node's last value)."""
    if states.empty:
        return {}
    last = states.groupby(["resource", "node"], sort=True)["capacity"].last()
    return {str(k): float(v) for k, v in last.groupby(level=0).sum().items()}


def economics(records: dict[str, pd.DataFrame], ctx: MetricContext) -> dict[str, Any] | None:
    """Revenue, costs and profit, or None when the scenario has no ``economics``."""
    e = ctx.economics
    if e is None:
        return None
    hours = ctx.hours
    days = hours / 24.0
    orders = measured_orders(records["orders"], ctx)
    events = records["fulfil_events"]
    walkins = records["walkins"]
    w = ctx.within(walkins, "time")
    u = online_units(orders, events)
    sold = float(w["units_sold"].sum()) + u["delivered"]
    delivered = int((orders["status"] == DELIVERED).sum())
    accepted = orders[orders["status"] != REJECTED]
    late = int((~(accepted["delivered"] <= accepted["due"] + 1e-9)).sum())
    late_min = float((accepted["delivered"] - accepted["due"]).clip(lower=0).sum()) / 60
    trips = records["trips"]
    km = float(measured_trips(trips, ctx)["distance_m"].sum()) / 1000
    repl = records["replenishments"]
    n_repl = len(ctx.within(repl, "ordered_at"))
    stock = levels(records["stock_levels"], ctx)
    on_hand = stock.get("on_hand_units", {}).get("total", 0.0)
    removed = stock.get("removed_units", 0.0)
    parts = records["order_parts"]
    parts = parts[parts["order_id"].isin(orders["order_id"])]
    extra_parts = len(parts) - int(parts["order_id"].nunique())
    cap = capacities(records["states"])
    revenue = {"goods": sold * e.unit_price, "delivery_fees": delivered * e.delivery_fee}
    costs = {
        "goods": sold * e.unit_cost,
        "pickers": cap.get("pickers", 0.0) * hours * e.picker_hour,
        "courier_time": cap.get("couriers", 0.0) * hours * e.courier_hour,
        "courier_distance": km * e.courier_km,
        "replenishment_orders": n_repl * e.replenishment_order,
        "holding": on_hand * days * e.holding_unit_day,
        "write_offs": removed * e.removed_unit,
        "late_orders": late * e.late_order,
        "late_minutes": late_min * e.late_minute,
        "cancelled_orders": int((orders["status"] == CANCELLED).sum()) * e.cancelled_order,
        "rejected_orders": int((orders["status"] == REJECTED).sum()) * e.rejected_order,
        "split_shipments": extra_parts * e.split_part,
    }
    rev, cost = sum(revenue.values()), sum(costs.values())
    return {
        "revenue": {**revenue, "total": rev},
        "costs": {**costs, "total": cost},
        "profit": rev - cost,
        "profit_per_hour": (rev - cost) / hours if hours > 0 else None,
        "units_sold": sold,
        "late_orders": late,
        "late_minutes": late_min,
    }
