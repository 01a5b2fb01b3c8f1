"""Order counts and the promise per day and per day type of a multi-day run.

A measured order belongs to the day it was created on (midnight starts a day), so the
days split the measured window and each count of the days adds up to the run's total
(``orders`` and ``sla.on_time``). Each day type pools the days of that type. The section
is written only for runs with several days or a calendar.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.calendar.clock import DAY
from sim.core.records import CANCELLED, DELIVERED, IN_PROGRESS, REJECTED
from sim.metrics.orders import measured_orders
from sim.metrics.stats import ratio
from sim.metrics.window import MetricContext

COUNTS = ("created", "accepted", "rejected", "delivered", "cancelled", "in_progress_at_end",
          "on_time")
"""The per-day counts; each adds up over the days to the run's total."""


def _counts(m: pd.DataFrame, promise: float) -> dict[str, Any]:
    status = m["status"]
    accepted = m[status != REJECTED]
    on_time = int((accepted["delivered"] <= accepted["created"] + promise + 1e-9).sum())
    return {
        "created": len(m),
        "accepted": len(accepted),
        "rejected": int((status == REJECTED).sum()),
        "delivered": int((status == DELIVERED).sum()),
        "cancelled": int((status == CANCELLED).sum()),
        "in_progress_at_end": int((status == IN_PROGRESS).sum()),
        "on_time": on_time,
        "on_time_rate": ratio(on_time, len(accepted)),
    }


def per_day(orders: pd.DataFrame, ctx: MetricContext) -> dict[str, Any] | None:
    """``{"by_day": {day: counts}, "by_day_type": {type: counts}}`` (days 1-based, each
    with its ``day_type``), or None for a run of one day without a calendar."""
    types = ctx.day_types
    if types is None:
        return None
    m = measured_orders(orders, ctx)
    day = np.floor(m["created"].to_numpy(dtype=float) / DAY).astype(int) + 1
    by_day: dict[str, Any] = {}
    for d in sorted(set(day.tolist())):
        counts = _counts(m[day == d], ctx.promise)
        counts["day_type"] = types[d - 1] if d <= len(types) else "default"
        by_day[str(d)] = counts
    names = np.array([types[d - 1] if d <= len(types) else "default" for d in day.tolist()],
                     dtype=object)
    by_type = {str(t): {**_counts(m[names == t], ctx.promise),
                        "days": sum(1 for v in by_day.values() if v["day_type"] == t)}
               for t in sorted(set(names.tolist()))}
    return {"by_day": by_day, "by_day_type": by_type}
