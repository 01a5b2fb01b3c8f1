"""All metrics of a run, from its records only.

:func:`compute_metrics` assembles ``metrics.json``: each section is a pure function of
the record tables and the :class:`MetricContext`. Packages that add records add a
section to :data:`SECTIONS`; a section returning None is left out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from sim.core.records import (
    DISPATCH_COLUMNS,
    FLEET_COLUMNS,
    FULFIL_EVENT_COLUMNS,
    LEDGER_COLUMNS,
    ORDER_COLUMNS,
    PART_COLUMNS,
    REPLENISHMENT_COLUMNS,
    STAFFING_COLUMNS,
    STATE_COLUMNS,
    STOCK_LEVEL_COLUMNS,
    STOCKOUT_COLUMNS,
    TRIP_COLUMNS,
    WALKIN_COLUMNS,
)
from sim.metrics.days import per_day
from sim.metrics.economics import economics
from sim.metrics.fill import fill_rates, handling
from sim.metrics.inventory import inventory
from sim.metrics.orders import order_counts, sla, stages
from sim.metrics.promise import promise
from sim.metrics.routing import routing
from sim.metrics.utilisation import staffing, utilisation
from sim.metrics.warehouse import warehouse_metrics
from sim.metrics.window import MetricContext, table

Tables = Mapping[str, pd.DataFrame]
Section = Callable[[Tables, MetricContext], Any]


POLICY_TABLES = {
    "orders": ORDER_COLUMNS, "walkins": WALKIN_COLUMNS, "trips": TRIP_COLUMNS,
    "states": STATE_COLUMNS, "fulfil_events": FULFIL_EVENT_COLUMNS,
    "order_parts": PART_COLUMNS, "replenishments": REPLENISHMENT_COLUMNS,
    "stock_levels": STOCK_LEVEL_COLUMNS, "fleets": FLEET_COLUMNS, "staffing": STAFFING_COLUMNS,
}


def _tables(records: Tables) -> dict[str, pd.DataFrame]:
    """The tables the economics section reads, empty where the run wrote none."""
    return {name: table(records, name, cols) for name, cols in POLICY_TABLES.items()}


SECTIONS: list[tuple[str, Section]] = [
    ("orders", lambda r, c: order_counts(table(r, "orders", ORDER_COLUMNS), c)),
    ("sla", lambda r, c: sla(table(r, "orders", ORDER_COLUMNS), c)),
    ("stages_min", lambda r, c: stages(table(r, "orders", ORDER_COLUMNS), c)),
    ("utilisation", lambda r, c: utilisation(table(r, "states", STATE_COLUMNS), c)),
    ("inventory", lambda r, c: inventory(
        table(r, "stockouts", STOCKOUT_COLUMNS), table(r, "walkins", WALKIN_COLUMNS), c,
        table(r, "stock_levels", STOCK_LEVEL_COLUMNS),
        table(r, "replenishments", REPLENISHMENT_COLUMNS),
        table(r, "stock_ledger", LEDGER_COLUMNS))),
    ("fill_rate", lambda r, c: fill_rates(table(r, "orders", ORDER_COLUMNS),
                                          table(r, "fulfil_events", FULFIL_EVENT_COLUMNS),
                                          table(r, "walkins", WALKIN_COLUMNS), c)),
    ("handling", lambda r, c: handling(table(r, "orders", ORDER_COLUMNS),
                                       table(r, "fulfil_events", FULFIL_EVENT_COLUMNS), c)),
    ("promise", lambda r, c: promise(table(r, "orders", ORDER_COLUMNS),
                                     r.get("predictions"), r.get("order_parts"), c)),
    ("economics", lambda r, c: economics(_tables(r), c)),
    ("routing", lambda r, c: routing(table(r, "trips", TRIP_COLUMNS),
                                     table(r, "dispatches", DISPATCH_COLUMNS),
                                     table(r, "fleets", FLEET_COLUMNS), c)),
    ("warehouses", warehouse_metrics),
    ("staffing", lambda r, c: staffing(table(r, "states", STATE_COLUMNS), "staffing" in r, c)),
    ("days", lambda r, c: per_day(table(r, "orders", ORDER_COLUMNS), c)),
]


def compute_metrics(records: Tables, ctx: MetricContext) -> dict[str, Any]:
    """Every metric section for these records and window."""
    out: dict[str, Any] = {
        "window": {"start_h": ctx.start / 3600, "end_h": ctx.end / 3600,
                   "promise_min": ctx.promise / 60},
    }
    for name, section in SECTIONS:
        value = section(records, ctx)
        if value is not None:
            out[name] = value
    return clean(out)


def clean(value: Any, digits: int = 6) -> Any:
    """Round floats, turn NaN into None and numpy scalars into Python ones (JSON-ready)."""
    if isinstance(value, dict):
        return {str(k): clean(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v, digits) for v in value]
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, digits)
    return value
