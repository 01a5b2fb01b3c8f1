"""A demand forecast learned during the run, and the safety factor for a target fill rate.

:class:`DemandForecast` is exponential smoothing (the smoother of
:mod:`sim.forecast.smoothing`, without trend) with a multiplicative hour-of-day index
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
from scipy.special import ndtr

from sim.forecast.smoothing import HOUR, MIN_INDEX, Floats, SeasonalSmoother

__all__ = ["HOUR", "MIN_INDEX", "DemandForecast", "fill_rate_factor", "normal_loss"]

K_RANGE = (-4.0, 6.0)


class DemandForecast(SeasonalSmoother):
    """Per-SKU smoothed demand rates with a shared hour-of-day index (no trend)."""

    def __init__(self, rate: Floats, season: Floats, alpha: float, gamma: float,
                 beta: float) -> None:
        super().__init__(rate, season, alpha, gamma, beta)


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
