"""Order counts, the delivery promise (SLA) and where the time goes (stages).

Definitions (also in the README):

- Measured orders are those *created* inside the window ``[start + warmup, end)``.
- ``on_time_rate``: of measured *accepted* orders, the share delivered no later than
  ``created + promise``. An accepted order never delivered (still in progress when the
  run stopped, or cancelled) counts as late. ``late_rate = 1 - on_time_rate``.
- ``click_to_door_min``: ``delivered - created`` of measured delivered orders, minutes.
- Stages (minutes, mean over measured orders that passed both stamps):
  waiting for a picker ``pick_start - accepted``, picking ``pick_end - pick_start``,
  packing ``ready - pick_end``, waiting for a courier ``dispatched - ready``, riding
  ``delivered - dispatched`` (hand-over at the node, the ride and the drop-off).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.core.records import CANCELLED, DELIVERED, IN_PROGRESS, REJECTED
from sim.metrics.stats import mean_or_none, ratio, summary
from sim.metrics.window import MetricContext

MIN = 60.0


def measured_orders(orders: pd.DataFrame, ctx: MetricContext) -> pd.DataFrame:
    """Orders created inside the measured window."""
    return ctx.within(orders, "created")


def order_counts(orders: pd.DataFrame, ctx: MetricContext) -> dict[str, Any]:
    """created, accepted, rejected (total and by reason), delivered, cancelled, in progress."""
    m = measured_orders(orders, ctx)
    status = m["status"]
    rejected = m[status == REJECTED]
    reasons = rejected["reason"].value_counts().sort_index()
    return {
        "created": len(m),
        "accepted": int((status != REJECTED).sum()),
        "rejected": {"total": len(rejected),
                     "by_reason": {str(k): int(v) for k, v in reasons.items()}},
        "delivered": int((status == DELIVERED).sum()),
        "cancelled": int((status == CANCELLED).sum()),
        "in_progress_at_end": int((status == IN_PROGRESS).sum()),
        "rejection_rate": ratio(len(rejected), len(m)),
        "delivered_per_hour": ratio(float((status == DELIVERED).sum()), ctx.hours),
    }


def click_to_door_minutes(orders: pd.DataFrame, ctx: MetricContext) -> np.ndarray:
    """Click-to-door minutes of the delivered orders created in the measured window."""
    m = measured_orders(orders, ctx)
    d = m[m["status"] == DELIVERED]
    return (d["delivered"] - d["created"]).to_numpy(dtype=float) / MIN


def sla(orders: pd.DataFrame, ctx: MetricContext) -> dict[str, Any]:
    """On-time and late rates, click-to-door and lateness distributions."""
    m = measured_orders(orders, ctx)
    accepted = m[m["status"] != REJECTED]
    delivered = accepted[accepted["status"] == DELIVERED]
    due = accepted["created"] + ctx.promise
    on_time = int((accepted["delivered"] <= due + 1e-9).sum())  # NaN compares False
    c2d = (delivered["delivered"] - delivered["created"]).to_numpy() / MIN
    late = (delivered["delivered"] - delivered["created"] - ctx.promise).to_numpy() / MIN
    on_time_rate = ratio(on_time, len(accepted))
    return {
        "promise_min": ctx.promise / MIN,
        "on_time": on_time,
        "on_time_rate": on_time_rate,
        "late_rate": None if on_time_rate is None else 1.0 - on_time_rate,
        "click_to_door_min": summary(c2d),
        "lateness_min": summary(late[late > 1e-9 / MIN]),
    }


STAGES = (
    ("wait_for_picker", "accepted", "pick_start"),
    ("picking", "pick_start", "pick_end"),
    ("packing", "pick_end", "ready"),
    ("wait_for_courier", "ready", "dispatched"),
    ("riding", "dispatched", "delivered"),
)


def stages(orders: pd.DataFrame, ctx: MetricContext) -> dict[str, Any]:
    """Mean minutes spent in each stage of the order's life."""
    m = measured_orders(orders, ctx)
    return {name: mean_or_none((m[b] - m[a]).to_numpy(dtype=float) / MIN)
            for name, a, b in STAGES}
