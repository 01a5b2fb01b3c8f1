"""Fill rates per channel, and how accepted orders fared with stock-outs and splits.

Definitions (orders *created* in the measured window; walk-in visits in the window):

- walk-in ``unit_fill_rate``: units sold / units wanted.
- online ``unit_fill_rate``: units delivered *as ordered* (not dropped, not substituted)
  / units in all created orders (rejected, cancelled and undelivered orders fill nothing).
- online ``order_fill_rate``: orders delivered complete and without substitutes / orders
  created.
- ``lost_units``: online units not delivered, by cause: ``rejected`` (by reason),
  ``cancelled``, ``dropped`` (short lines left out of delivered orders).
- ``overall_unit_fill_rate``: both channels pooled.
- ``stockout_handling``: short lines found at pick and what became of them (substituted,
  dropped), reroutes (events: an order may move twice), cancelled orders and orders with
  at least one short line.
- ``split``: orders split across nodes, their shipments, and the share of accepted orders.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sim.core.records import CANCELLED, DELIVERED, REJECTED
from sim.metrics.orders import measured_orders
from sim.metrics.stats import ratio
from sim.metrics.window import MetricContext


def order_events(events: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """The ``fulfil_events`` rows of the given orders."""
    return events[events["order_id"].isin(orders["order_id"])]


def _units_by_order(events: pd.DataFrame, kind: str) -> pd.Series:
    rows = events[events["event"] == kind]
    return rows.groupby("order_id")["units"].sum()


def online_units(orders: pd.DataFrame, events: pd.DataFrame) -> dict[str, float]:
    """Units ordered, delivered (substitutes included) and delivered as ordered."""
    ev = order_events(events, orders)
    delivered = orders[orders["status"] == DELIVERED].set_index("order_id")
    dropped = _units_by_order(ev, "dropped").reindex(delivered.index, fill_value=0)
    subst = _units_by_order(ev, "substituted").reindex(delivered.index, fill_value=0)
    units = delivered["units"]
    return {
        "ordered": float(orders["units"].sum()),
        "delivered": float((units - dropped).sum()),
        "as_ordered": float((units - dropped - subst).sum()),
        "dropped": float(dropped.sum()),
        "complete_orders": float(((dropped == 0) & (subst == 0)).sum()),
    }


def fill_rates(orders: pd.DataFrame, events: pd.DataFrame, walkins: pd.DataFrame,
               ctx: MetricContext) -> dict[str, Any]:
    """Unit and order fill rates per channel and the online units lost by cause."""
    m = measured_orders(orders, ctx)
    u = online_units(m, events)
    rejected = m[m["status"] == REJECTED]
    lost_rejected = {str(k): int(v) for k, v in
                     rejected.groupby("reason")["units"].sum().sort_index().items()}
    w = ctx.within(walkins, "time")
    wanted, sold = float(w["units_wanted"].sum()), float(w["units_sold"].sum())
    return {
        "walkin": {"units_wanted": int(wanted), "units_sold": int(sold),
                   "unit_fill_rate": ratio(sold, wanted)},
        "online": {
            "orders": len(m),
            "units_ordered": int(u["ordered"]),
            "units_delivered": int(u["delivered"]),
            "units_delivered_as_ordered": int(u["as_ordered"]),
            "unit_fill_rate": ratio(u["as_ordered"], u["ordered"]),
            "order_fill_rate": ratio(u["complete_orders"], len(m)),
            "lost_units": {
                "rejected": lost_rejected,
                "cancelled": int(m.loc[m["status"] == CANCELLED, "units"].sum()),
                "dropped": int(u["dropped"]),
            },
        },
        "overall_unit_fill_rate": ratio(sold + u["as_ordered"], wanted + u["ordered"]),
    }


def handling(orders: pd.DataFrame, events: pd.DataFrame,
             ctx: MetricContext) -> dict[str, Any]:
    """Counts of stock-out handling and of split orders."""
    m = measured_orders(orders, ctx)
    ev = order_events(events, m)
    kind = ev["event"]
    short = ev[kind == "short"]
    split = ev[kind == "split"]
    n_split = int(split["order_id"].nunique())
    accepted = int((m["status"] != REJECTED).sum())
    return {
        "stockout_handling": {
            "short_lines": len(short),
            "short_units": int(short["units"].sum()),
            "orders_with_short_lines": int(short["order_id"].nunique()),
            "substituted_lines": int((kind == "substituted").sum()),
            "dropped_lines": int((kind == "dropped").sum()),
            "reroutes": int((kind == "rerouted").sum()),
            "cancelled_orders": int((m["status"] == CANCELLED).sum()),
        },
        "split": {"orders": n_split, "shipments": len(split),
                  "share_of_accepted": ratio(n_split, accepted)},
    }
