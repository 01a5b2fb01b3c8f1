"""Revenue and cost of the measured window from the scenario's money figures.

One table for a planner to read a policy's trade-off: what the goods and delivery fees
bring in, what labour, riding, replenishment, stock and broken promises cost.

- Revenue: ``unit_price`` per unit sold to walk-ins (visits in the window) and delivered
  to online customers (orders created in the window, substitutes included, dropped lines
  not), ``delivery_fee`` per delivered order.
- Costs: ``unit_cost`` per unit sold; wages: ``picker_hour`` per picker-hour (a robot
  warehouse's station pickers count when they have a roster) and
  ``courier_hour`` per courier-hour on duty in the window (staffed hours: every picker
  and courier for the window's length, or, under a roster, the time-weighted staff on
  duty; a vehicle type's own ``hour_cost`` replaces ``courier_hour`` for its fleets);
  ``courier_km`` (or the vehicle's ``km_cost``) per kilometre of trips started in the
  window; the vehicle's ``day_cost`` per vehicle of its fleets per day of the window
  (``vehicle_fixed``, owned drones and vans); ``replenishment_order`` per order placed
  in the window;
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
from sim.metrics.stats import step_integral
from sim.metrics.utilisation import staffed_seconds
from sim.metrics.window import MetricContext


def capacities(states: pd.DataFrame) -> dict[str, float]:
    """Total capacity of each resource kind over the nodes (each node's last value)."""
    if states.empty:
        return {}
    last = states.groupby(["resource", "node"], sort=True)["capacity"].last()
    return {str(k): float(v) for k, v in last.groupby(level=0).sum().items()}


def staffed_hours(staffing: pd.DataFrame, fleets: pd.DataFrame, resource: str,
                  node: str, vehicle: str, ctx: MetricContext) -> float:
    """Staff-hours on duty in the measured window of one node's ``resource`` (pickers;
    couriers of ``vehicle``): the ``staffing`` rows when a roster moved it, else the
    fleet's fixed size for the window's length."""
    rows = staffing[(staffing["node"] == node) & (staffing["resource"] == resource)
                    & (staffing["vehicle"].fillna("") == vehicle)] if not staffing.empty \
        else staffing
    if len(rows):
        return step_integral(rows["time"].to_numpy(dtype=float),
                             rows["on_duty"].to_numpy(dtype=float), ctx.start, ctx.end) / 3600
    f = fleets[(fleets["node"] == node) & (fleets["vehicle"] == vehicle)]
    return float(f["couriers"].sum()) * ctx.hours


def staffed_labour(records: dict[str, pd.DataFrame], ctx: MetricContext
                   ) -> dict[str, float] | None:
    """Wages, distance and fixed vehicle costs fleet by fleet (each vehicle type's own
    rates, the economics rates where it has none) over staffed hours; None when no
    roster moved any resource and no vehicle has its own costs (then the costs are the
    plain figures, computed as always)."""
    e = ctx.economics
    vehicles = ctx.vehicles or {}
    staffing = records.get("staffing", pd.DataFrame())
    own = any(v.hour_cost is not None or v.km_cost is not None or v.day_cost is not None
              for v in vehicles.values())
    if staffing.empty and not own:
        return None
    states, fleets = records["states"], records["fleets"]
    pickers = 0.0
    for _, g in states[states["resource"] == "pickers"].groupby("node", sort=True):
        pickers += staffed_seconds(g, ctx.start, ctx.end) / 3600
    if not staffing.empty:  # a warehouse's station pickers, when they have a roster
        stations = staffing[staffing["resource"] == "station_pickers"]
        for node, _ in stations.groupby("node", sort=True):
            pickers += staffed_hours(staffing, fleets, "station_pickers", str(node), "", ctx)
    courier_time = fixed = 0.0
    for node, name, size in zip(fleets["node"].astype(str).tolist(),
                                fleets["vehicle"].astype(str).tolist(),
                                fleets["couriers"].astype(float).tolist(), strict=True):
        v = vehicles.get(name)
        rate = v.hour_cost if v is not None and v.hour_cost is not None else e.courier_hour
        courier_time += rate * staffed_hours(staffing, fleets, "couriers", node, name, ctx)
        if v is not None and v.day_cost is not None:
            fixed += v.day_cost * size * ctx.hours / 24.0
    trips = measured_trips(records["trips"], ctx)
    distance = 0.0
    for vehicle, g in trips.groupby("vehicle", sort=True):
        v = vehicles.get(str(vehicle))
        rate = v.km_cost if v is not None and v.km_cost is not None else e.courier_km
        distance += rate * float(g["distance_m"].sum()) / 1000
    return {"pickers": pickers * e.picker_hour, "courier_time": courier_time,
            "courier_distance": distance, "vehicle_fixed": fixed}


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
    labour = staffed_labour(records, ctx)
    if labour is None:  # no roster, no vehicle costs: every courier at the economics rates
        labour = {"pickers": cap.get("pickers", 0.0) * hours * e.picker_hour,
                  "courier_time": cap.get("couriers", 0.0) * hours * e.courier_hour,
                  "courier_distance": km * e.courier_km}
    costs = {
        "goods": sold * e.unit_cost,
        **labour,
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
