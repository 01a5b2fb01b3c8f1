"""The promise: rejections by reason, later slots, and the promise model's error.

Definitions (orders created in the measured window):

- ``rejection_rate_by_reason``: rejected orders of each reason / orders created
  (``out_of_radius``, ``out_of_stock``, ``capacity``, ``slot_declined``, and
  ``node_closed`` while a calendar event closes a node that could have served it,
  ``too_heavy`` when no eligible node has a vehicle that carries the order's payload).
- ``later_slot_orders``: accepted orders promised later than the window (a later slot).
- ``on_time_to_due_rate``: accepted orders delivered by the due time they were given
  (the window, or their later slot) / accepted orders. ``sla.on_time_rate`` measures
  every accepted order against the window instead.
- ``predictor``: for every accepted order (or shipment) the promise model predicted,
  ``error = actual - predicted`` click-to-door in minutes, over those delivered: ``bias``
  (mean error), ``mae``, ``rmse``, ``coverage`` (share delivered no later than predicted:
  close to ``predictor.quantile`` when the model is calibrated);
  ``cold_start_share``: predictions made before any bucket had enough samples.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.core.records import DELIVERED, REJECTED
from sim.metrics.orders import measured_orders
from sim.metrics.stats import ratio
from sim.metrics.window import MetricContext

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

MIN = 60.0


def actual_deliveries(orders: pd.DataFrame, parts: pd.DataFrame | None) -> pd.DataFrame:
    """``order_id, part, created, delivered`` of every delivered order and shipment."""
    whole = orders.loc[orders["status"] == DELIVERED, ["order_id", "created", "delivered"]]
    whole = whole.assign(part=-1)
    if parts is None or parts.empty:
        return whole
    p = parts[parts["status"] == DELIVERED][["order_id", "part", "delivered"]]
    p = p.merge(orders[["order_id", "created"]], on="order_id")
    return pd.concat([whole, p], ignore_index=True)


def predictor_error(orders: pd.DataFrame, predictions: pd.DataFrame,
                    parts: pd.DataFrame | None, ctx: MetricContext) -> dict[str, Any]:
    """Error of the predictions for orders created in the window."""
    m = measured_orders(orders, ctx)
    pred = predictions[predictions["order_id"].isin(m["order_id"])]
    actual = actual_deliveries(m, parts)
    j = pred.merge(actual, on=["order_id", "part"], how="inner")
    err = ((j["delivered"] - j["created"]) - j["predicted_s"]).to_numpy(dtype=float) / MIN
    out: dict[str, Any] = {"predictions": len(pred), "delivered": int(err.size),
                           "cold_start_share": ratio(float((pred["samples"] == 0).sum()),
                                                     len(pred))}
    if err.size:
        out.update({"bias_min": float(err.mean()), "mae_min": float(np.abs(err).mean()),
                    "rmse_min": float(np.sqrt((err * err).mean())),
                    "coverage": float((err <= 1e-9).mean()),
                    "mean_predicted_min": float(j["predicted_s"].mean() / MIN)})
    return out


def promise(orders: pd.DataFrame, predictions: pd.DataFrame | None,
            parts: pd.DataFrame | None, ctx: MetricContext) -> dict[str, Any]:
    """Rejection rates by reason, later slots, on time to due, predictor error."""
    m = measured_orders(orders, ctx)
    n = len(m)
    reasons = m.loc[m["status"] == REJECTED, "reason"].value_counts().sort_index()
    accepted = m[m["status"] != REJECTED]
    slot = (accepted["due"] - accepted["created"]) > ctx.promise + 1e-6
    on_due = int((accepted["delivered"] <= accepted["due"] + 1e-9).sum())
    out: dict[str, Any] = {
        "rejection_rate_by_reason": {str(k): ratio(int(v), n) for k, v in reasons.items()},
        "later_slot_orders": int(slot.sum()),
        "on_time_to_due_rate": ratio(on_due, len(accepted)),
    }
    if predictions is not None and not predictions.empty:
        out["predictor"] = predictor_error(orders, predictions, parts, ctx)
    return out


def on_time_target(scenario: Scenario) -> float | None:
    """The share of orders a promise that predicts aims to keep: the promise model's
    quantile, when acceptance uses it (not for a fixed promise)."""
    return None if scenario.promise.policy == "fixed" else scenario.predictor.quantile
