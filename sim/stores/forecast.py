"""A demand forecast learned during the run, and the safety factor for a target fill rate.

:class:`DemandForecast` is exponential smoothing with a multiplicative hour-of-day index
(Holt-Winters without trend): every SKU has a level (units per average hour), the store
shares one 24-hour index (mean 1) learned from its total sales, and every SKU keeps a
smoothed forecast-error variance. It starts from the plan (the demand the scenario
expects, which also sizes the opening stock) and is updated at the end of every clock
hour with that hour's sales. Hours the index calls nearly closed (index below
:data:`MIN_INDEX`) update the index but not the levels, since dividing a stray sale by a
tiny index would throw the level off.

:func:`fill_rate_factor` solves ``G(k) = ratio`` for the standard normal loss function
``G(k) = phi(k) - k (1 - Phi(k))``: with demand over the protection interval normal with
standard deviation sigma, an order-up-to level ``mean + k sigma`` leaves an expected
shortage per review cycle of ``sigma G(k)``; setting it to ``(1 - fill rate)`` times the
cycle's demand gives the textbook safety factor for a fill-rate target.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr

Floats = npt.NDArray[np.float64]

HOUR = 3600.0
MIN_INDEX = 0.25
K_RANGE = (-4.0, 6.0)


class DemandForecast:
    """Per-SKU smoothed demand rates with a shared hour-of-day index."""

    def __init__(self, rate: Floats, season: Floats, alpha: float, gamma: float,
                 beta: float) -> None:
        self.level = np.asarray(rate, dtype=float).copy()
        self.var = self.level.copy()  # Poisson prior: variance equal to the mean
        s = np.asarray(season, dtype=float).copy()
        self.season = s * 24 / s.sum() if s.sum() > 0 else np.ones(24)
        self.alpha, self.gamma, self.beta = alpha, gamma, beta

    def observe(self, hour: int, sales: Floats) -> None:
        """Learn from the units of each SKU sold in clock hour ``hour`` (0-23)."""
        s = float(self.season[hour])
        total_level = float(self.level.sum())
        if s >= MIN_INDEX:
            err = sales - self.level * s
            self.var += self.beta * (err * err / s - self.var)
            self.level += self.alpha * (sales / s - self.level)
        if total_level > 0:
            self.season[hour] += self.gamma * (float(sales.sum()) / total_level - s)
            self.season *= 24 / self.season.sum()

    def weight(self, start: float, end: float) -> float:
        """Sum of the hour-of-day index over the clock interval ``[start, end)``, in hours."""
        total, t = 0.0, start
        while t < end - 1e-9:
            hour_end = (math.floor(t / HOUR) + 1) * HOUR
            seg = min(hour_end, end) - t
            total += float(self.season[int(t // HOUR) % 24]) * seg / HOUR
            t += seg
        return total

    def expected(self, start: float, end: float) -> tuple[Floats, Floats]:
        """Mean and variance of each SKU's demand in ``[start, end)``."""
        w = self.weight(start, end)
        return self.level * w, np.maximum(self.var, self.level) * w


def normal_loss(k: Floats) -> Floats:
    """Standard normal loss function ``G(k) = E[(Z - k)^+]``."""
    return np.exp(-0.5 * k * k) / math.sqrt(2 * math.pi) - k * (1.0 - ndtr(k))


def fill_rate_factor(ratio: Floats) -> Floats:
    """The safety factor ``k`` with ``G(k) = ratio`` (clipped to [-4, 6]), by bisection."""
    r = np.asarray(ratio, dtype=float)
    lo = np.full(r.shape, K_RANGE[0])
    hi = np.full(r.shape, K_RANGE[1])
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        above = normal_loss(mid) > r
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return 0.5 * (lo + hi)
