"""Stock-outs and lost walk-in sales inside the measured window."""

from __future__ import annotations

from typing import Any

import pandas as pd

from sim.metrics.stats import ratio
from sim.metrics.window import MetricContext


def inventory(stockouts: pd.DataFrame, walkins: pd.DataFrame,
              ctx: MetricContext) -> dict[str, Any]:
    """Stock-out events, walk-in visits, lost walk-in units and the walk-in fill rate."""
    s = stockouts[(stockouts["time"] >= ctx.start) & (stockouts["time"] < ctx.end)]
    w = walkins[(walkins["time"] >= ctx.start) & (walkins["time"] < ctx.end)]
    wanted = float(w["units_wanted"].sum())
    sold = float(w["units_sold"].sum())
    return {
        "stockout_events": len(s),
        "stockout_events_by_channel": {str(k): int(v) for k, v in
                                       s["channel"].value_counts().sort_index().items()},
        "walkin_visits": len(w),
        "walkin_visits_with_lost_sale": int((w["units_sold"] < w["units_wanted"]).sum()),
        "lost_walkin_units": int(wanted - sold),
        "walkin_fill_rate": ratio(sold, wanted),
    }
