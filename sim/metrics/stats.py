"""Small statistics used by the metrics: summaries and time-weighted averages."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

QUANTILES = (("p50", 50), ("p90", 90), ("p95", 95), ("p99", 99))


def summary(values: Sequence[float] | np.ndarray) -> dict[str, float | None]:
    """Mean, p50, p90, p95, p99 and max of ``values`` (None for each when empty)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return {"n": 0, "mean": None, **{k: None for k, _ in QUANTILES}, "max": None}
    out: dict[str, float | None] = {"n": int(x.size), "mean": float(x.mean())}
    for key, q in QUANTILES:
        out[key] = float(np.percentile(x, q))
    out["max"] = float(x.max())
    return out


def ratio(num: float, den: float) -> float | None:
    """``num / den``, or None when there is nothing to divide by."""
    return num / den if den > 0 else None


def mean_or_none(values: np.ndarray) -> float | None:
    """Mean ignoring NaN, or None when nothing is left."""
    x = values[~np.isnan(values)]
    return float(x.mean()) if x.size else None


def step_integral(times: np.ndarray, levels: np.ndarray, start: float, end: float) -> float:
    """Integral over ``[start, end)`` of the step function that takes ``levels[i]`` from
    ``times[i]`` until the next time (times sorted; the level before the first time is 0)."""
    if end <= start or len(times) == 0:
        return 0.0
    # level in force at `start`: the last change at or before it
    first = int(np.searchsorted(times, start, side="right")) - 1
    inside = np.searchsorted(times, end, side="left")
    t = times[max(first, 0):inside].astype(float)
    v = levels[max(first, 0):inside].astype(float)
    if first < 0:  # nothing before start: level 0 until the first change
        t = np.concatenate([[start], t])
        v = np.concatenate([[0.0], v])
    t[0] = start
    t = np.maximum(t, start)
    widths = np.diff(np.concatenate([t, [end]]))
    # not np.dot: a BLAS call on a busy machine can spin-wait for milliseconds
    return float((widths * v).sum())


def time_average(times: np.ndarray, levels: np.ndarray, start: float, end: float) -> float:
    """Time-weighted mean level over ``[start, end)``."""
    return step_integral(times, levels, start, end) / (end - start) if end > start else math.nan
