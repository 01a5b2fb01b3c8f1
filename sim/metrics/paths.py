"""The dotted paths of every scalar in ``metrics.json``, known without running anything.

An experiment's KPIs name metrics by path (``sla.on_time_rate``); a misspelt one used to
be found only after every run had finished. :data:`METRIC_PATHS` lists the path of every
scalar the sections of :mod:`sim.metrics.compute` write, with ``<placeholders>`` where a
key comes from the scenario or the records (a node's name, a vehicle type, a rejection
reason); :func:`metric_paths` fills in what a scenario defines and :func:`is_metric`
checks a KPI. A test runs small simulations and checks that the flattened keys of their
``metrics.json`` are exactly these paths, so the list cannot drift from the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

SUMMARY = ("n", "mean", "p50", "p90", "p95", "p99", "max")
"""The keys of :func:`sim.metrics.stats.summary`."""


def _summary(prefix: str) -> list[str]:
    return [f"{prefix}.{k}" for k in SUMMARY]


def _trips(prefix: str) -> list[str]:
    return [f"{prefix}trips", f"{prefix}trips_under_way", f"{prefix}orders",
            f"{prefix}orders_per_trip.mean",
            f"{prefix}orders_per_trip.trips_by_orders.<n>", *_summary(f"{prefix}km_per_trip"),
            *_summary(f"{prefix}trip_min"), f"{prefix}km", f"{prefix}km_per_order"]


def _levels() -> list[str]:
    out = []
    for key in ("on_hand_units", "reserved_units", "on_order_units"):
        out += [f"inventory.{key}.total", f"inventory.{key}.by_node.<node>"]
    return out


_WH = "warehouses.<warehouse>."
_DAY_COUNTS = ("created", "accepted", "rejected", "delivered", "cancelled",
               "in_progress_at_end", "on_time", "on_time_rate")

METRIC_PATHS: tuple[str, ...] = (
    "window.start_h", "window.end_h", "window.promise_min",
    # orders (sim.metrics.orders)
    "orders.created", "orders.accepted", "orders.rejected.total",
    "orders.rejected.by_reason.<reason>", "orders.delivered", "orders.cancelled",
    "orders.in_progress_at_end", "orders.rejection_rate", "orders.delivered_per_hour",
    "sla.promise_min", "sla.on_time", "sla.on_time_rate", "sla.late_rate",
    *_summary("sla.click_to_door_min"), *_summary("sla.lateness_min"),
    "stages_min.wait_for_picker", "stages_min.picking", "stages_min.packing",
    "stages_min.wait_for_courier", "stages_min.riding",
    # utilisation (sim.metrics.utilisation)
    "utilisation.<resource>.overall", "utilisation.<resource>.by_node.<node>",
    # inventory (sim.metrics.inventory)
    "inventory.stockout_events", "inventory.stockout_events_by_channel.<channel>",
    "inventory.walkin_visits", "inventory.walkin_visits_with_lost_sale",
    "inventory.lost_walkin_units", "inventory.walkin_fill_rate", *_levels(),
    "inventory.sold_units_per_day", "inventory.removed_units",
    "inventory.days_of_cover.overall", "inventory.days_of_cover.by_node.<node>",
    "inventory.replenishment.orders", "inventory.replenishment.orders_per_day",
    "inventory.replenishment.lines", "inventory.replenishment.units_ordered",
    "inventory.replenishment.units_received", "inventory.replenishment.mean_lead_time_h",
    "inventory.ledger.rows", "inventory.ledger.unbalanced", "inventory.ledger.negative",
    # fill rates and handling (sim.metrics.fill)
    "fill_rate.walkin.units_wanted", "fill_rate.walkin.units_sold",
    "fill_rate.walkin.unit_fill_rate", "fill_rate.online.orders",
    "fill_rate.online.units_ordered", "fill_rate.online.units_delivered",
    "fill_rate.online.units_delivered_as_ordered", "fill_rate.online.unit_fill_rate",
    "fill_rate.online.order_fill_rate", "fill_rate.online.lost_units.rejected.<reason>",
    "fill_rate.online.lost_units.cancelled", "fill_rate.online.lost_units.dropped",
    "fill_rate.overall_unit_fill_rate",
    *(f"handling.stockout_handling.{k}" for k in (
        "short_lines", "short_units", "orders_with_short_lines", "substituted_lines",
        "dropped_lines", "reroutes", "cancelled_orders")),
    "handling.split.orders", "handling.split.shipments", "handling.split.share_of_accepted",
    # promise (sim.metrics.promise)
    "promise.rejection_rate_by_reason.<reason>", "promise.later_slot_orders",
    "promise.on_time_to_due_rate",
    *(f"promise.predictor.{k}" for k in (
        "predictions", "delivered", "cold_start_share", "bias_min", "mae_min", "rmse_min",
        "coverage", "mean_predicted_min")),
    # economics (sim.metrics.economics)
    *(f"economics.revenue.{k}" for k in ("goods", "delivery_fees", "total")),
    *(f"economics.costs.{k}" for k in (
        "goods", "pickers", "courier_time", "courier_distance", "replenishment_orders",
        "holding", "write_offs", "late_orders", "late_minutes", "cancelled_orders",
        "rejected_orders", "split_shipments", "vehicle_fixed", "total")),
    "economics.profit", "economics.profit_per_hour", "economics.units_sold",
    "economics.late_orders", "economics.late_minutes",
    # routing (sim.metrics.routing)
    *_trips("routing."), *_trips("routing.by_vehicle.<vehicle>."),
    "routing.by_vehicle.<vehicle>.time_on_trips",
    "routing.dispatch.decisions", "routing.dispatch.by_solver.<solver>",
    "routing.dispatch.orders_planned_per_decision", "routing.dispatch.trips_started",
    "routing.dispatch.orders_dispatched", "routing.dispatch.ready_orders_held_per_decision",
    "routing.dispatch.status.<status>", "routing.dispatch.capped",
    # robot warehouses (sim.metrics.warehouse)
    f"{_WH}stations", f"{_WH}orders.arrived", f"{_WH}orders.arrived_by_channel.<channel>",
    f"{_WH}orders.rejected_out_of_stock", f"{_WH}orders.ready", f"{_WH}items_per_hour",
    f"{_WH}lines_per_hour", f"{_WH}orders_picked_per_hour", f"{_WH}items_per_station_hour",
    *_summary(f"{_WH}cycle_time_min"), *_summary(f"{_WH}cycle_time_min_by_channel.<channel>"),
    *(f"{_WH}littles_law.{k}" for k in ("L", "lambda_per_s", "W_s", "lambda_W", "gap",
                                         "censored")),
    f"{_WH}robot_time_share.<state>", f"{_WH}stations_time_share.<state>",
    f"{_WH}station_utilisation.mean", f"{_WH}station_utilisation.min",
    f"{_WH}station_utilisation.max", f"{_WH}pile_on.visits", f"{_WH}pile_on.items_per_visit",
    f"{_WH}pile_on.lines_per_visit", f"{_WH}congestion_s_per_trip", f"{_WH}failures",
    f"{_WH}deadlocks_resolved",
    # staffing under rosters (sim.metrics.utilisation.staffing)
    *(f"staffing.<resource>.{k}" for k in ("staffed_hours", "busy_hours", "utilisation",
                                            "unstaffed_hours")),
    *(f"staffing.<resource>.{part}.{k}" for part in ("by_node.<node>", "by_hour.<hour>")
      for k in ("staffed_hours", "busy_hours", "utilisation")),
    "staffing.<resource>.by_node.<node>.unstaffed_hours",
    # per day and day type (sim.metrics.days)
    *(f"days.by_day.<day>.{k}" for k in (*_DAY_COUNTS, "day_type")),
    *(f"days.by_day_type.<day_type>.{k}" for k in (*_DAY_COUNTS, "days")),
)
"""Every scalar path of ``metrics.json``; ``<name>`` stands for a key listed in
:data:`OPEN` or supplied by the scenario (see :func:`placeholder_values`)."""

FIXED: dict[str, tuple[str, ...]] = {
    "channel": ("online", "parcel", "walkin"),
    "solver": ("exact", "insertion", "ortools", "pyvrp"),
}
"""Placeholders whose keys the code fixes (order channels, routing solvers)."""

OPEN = ("reason", "status", "state", "n", "day", "hour")
"""Placeholders whose keys come from the records (any key is accepted)."""

_PLACEHOLDER = re.compile(r"<([a-z_]+)>")


def placeholder_values(scenario: Any) -> dict[str, tuple[str, ...]]:
    """The keys each placeholder takes in runs of ``scenario`` (a validated
    :class:`~sim.scenario.schema.Scenario`): its nodes, warehouses and vehicle types, and
    the resources whose utilisation is monitored (every node's couriers, stores'
    pickers)."""
    warehouses = tuple(w.name for w in scenario.warehouses)
    return {**FIXED, "node": (*(s.name for s in scenario.stores), *warehouses),
            "warehouse": warehouses, "vehicle": tuple(scenario.vehicles),
            "resource": ("couriers", "pickers") if scenario.stores else ("couriers",),
            "day_type": (*(scenario.calendar.day_types if scenario.calendar else ()),
                         "default")}


@dataclass(frozen=True)
class MetricNames:
    """The metric paths of one scenario: check a name, or list the candidates."""

    patterns: tuple[re.Pattern[str], ...]
    names: tuple[str, ...]
    """The paths with the scenario's keys filled in (open placeholders left as they are),
    for did-you-mean suggestions."""

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and any(p.fullmatch(path) for p in self.patterns)


def _regex(pattern: str, values: dict[str, tuple[str, ...]]) -> re.Pattern[str]:
    parts, pos = [], 0
    for m in _PLACEHOLDER.finditer(pattern):
        parts.append(re.escape(pattern[pos:m.start()]))
        name = m.group(1)
        if name in values:
            keys = sorted(values[name], key=len, reverse=True)
            parts.append("(?:" + "|".join(re.escape(k) for k in keys) + ")" if keys
                         else "(?!)")
        else:
            parts.append(r"[^.]+")
        pos = m.end()
    parts.append(re.escape(pattern[pos:]))
    return re.compile("".join(parts))


def _expand(pattern: str, values: dict[str, tuple[str, ...]]) -> list[str]:
    m = _PLACEHOLDER.search(pattern)
    if m is None:
        return [pattern]
    if m.group(1) not in values:
        head, tail = pattern[:m.end()], pattern[m.end():]
        return [head + rest for rest in _expand(tail, values)]
    return [x for key in values[m.group(1)]
            for x in _expand(pattern[:m.start()] + key + pattern[m.end():], values)]


def metric_names(scenario: Any, patterns: Iterable[str] = METRIC_PATHS) -> MetricNames:
    """The metric paths runs of ``scenario`` may write (sections the scenario turns off,
    such as ``economics`` without money figures, left out)."""
    values = placeholder_values(scenario)
    chosen = [p for p in patterns
              if not (p.startswith("economics.") and scenario.economics is None)]
    return MetricNames(tuple(_regex(p, values) for p in chosen),
                       tuple(x for p in chosen for x in _expand(p, values)))
