"""Non-homogeneous Poisson arrivals with an hour-of-day profile, and customer places.

The arrival rate is constant within each clock hour (the profile's weight for that hour
of the day) so the process can be drawn exactly: in each hour the number of arrivals is
Poisson with the hour's mean and, given that number, the times are independent and
uniform within the hour. Runs longer than a day wrap the profile.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.random import Generator

from sim.core.sampling import MAX_REDRAWS, truncated_normal

if TYPE_CHECKING:
    from sim.calendar.events import Piecewise

HOUR = 3600.0


def hourly_means(per_day: float, profile: Sequence[float]) -> np.ndarray:
    """Expected arrivals in each hour of the day: ``per_day`` shared by the weights."""
    w = np.asarray(profile, dtype=float)
    total = w.sum()
    return np.zeros(24) if total <= 0 else per_day * w / total


def expected_arrivals(per_day: float, profile: Sequence[float], start: float,
                      end: float) -> float:
    """Expected number of arrivals in the clock interval ``[start, end)``."""
    means = hourly_means(per_day, profile)
    total, t = 0.0, start
    while t < end:
        hour_end = (np.floor(t / HOUR) + 1) * HOUR
        seg_end = min(hour_end, end)
        total += means[int(t // HOUR) % 24] * (seg_end - t) / HOUR
        t = seg_end
    return float(total)


def arrival_times(rng: Generator, per_day: float, profile: Sequence[float], start: float,
                  end: float, factor: Piecewise | None = None) -> np.ndarray:
    """Sorted arrival times in ``[start, end)`` of the NHPP with the hourly profile,
    its rate multiplied by ``factor`` (calendar events) when given: the rate is then
    constant between hour boundaries and the factor's cut points, and drawn the same
    exact way. Without a factor the draws are those of a run without events."""
    means = hourly_means(per_day, profile)
    chunks = []
    t = start
    while t < end:
        hour_end = (np.floor(t / HOUR) + 1) * HOUR
        seg_end = min(hour_end, end)
        scale = 1.0
        if factor is not None:
            scale, cut = factor.piece(t)
            seg_end = min(seg_end, cut)
        mean = means[int(t // HOUR) % 24] * (seg_end - t) / HOUR
        if factor is not None:
            mean *= scale
        n = int(rng.poisson(mean)) if mean > 0 else 0
        if n:
            chunks.append(np.sort(rng.uniform(t, seg_end, n)))
        t = seg_end
    return np.concatenate(chunks) if chunks else np.empty(0)


def uniform_points(rng: Generator, n: int, width: float, height: float) -> np.ndarray:
    """``n`` points uniform over the city rectangle, shape ``(n, 2)``."""
    return np.column_stack([rng.uniform(0, width, n), rng.uniform(0, height, n)])


def clustered_points(rng: Generator, n: int, centres: np.ndarray, weights: np.ndarray,
                     spread: float, width: float, height: float) -> np.ndarray:
    """``n`` points normal around centres chosen by weight, conditioned on the city.

    Points outside are redrawn (at most :data:`MAX_REDRAWS` rounds); any still outside
    then are drawn exactly from the same conditional distribution (each axis a normal
    truncated to the city, independently), so a huge spread ends in bounded time.
    """
    p = weights / weights.sum()
    which = rng.choice(len(centres), size=n, p=p)
    pts = centres[which] + rng.normal(0.0, spread, (n, 2))
    outside = _outside(pts, width, height)
    for _ in range(MAX_REDRAWS):
        if not outside.any():
            return pts
        k = int(outside.sum())
        pts[outside] = centres[which[outside]] + rng.normal(0.0, spread, (k, 2))
        outside = _outside(pts, width, height)
    if outside.any():
        k = int(outside.sum())
        pts[outside] = truncated_normal(rng, centres[which[outside]], spread, 0.0,
                                        np.array([width, height]), (k, 2))
    return pts


def _outside(pts: np.ndarray, width: float, height: float) -> np.ndarray:
    return (pts[:, 0] < 0) | (pts[:, 0] > width) | (pts[:, 1] < 0) | (pts[:, 1] > height)
