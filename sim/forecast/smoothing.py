"""Exponential smoothing with a multiplicative season and an optional additive trend.

:class:`SeasonalSmoother` is Holt-Winters on a vector of series that share one seasonal
index: every series has a level (units per average period step, e.g. per hour), an
optional trend (level change per step) and a smoothed forecast-error variance; the
series share one index of ``period`` steps (mean 1) learned from their total. It is
the one piece of smoothing code in the simulator:

- the replenishment forecast (:class:`sim.stores.forecast.DemandForecast`) is this
  smoother with one series per SKU, a 24-hour index and no trend, updated during the
  run with each clock hour's sales;
- the store-hour demand forecaster ``holt_winters`` (:mod:`sim.forecast.models`) is it
  with one series (a store's orders per hour), a 24-hour index and a trend,
  fitted on the hours of earlier runs.

Steps the index calls nearly closed (index below :data:`MIN_INDEX`) update the index
but not the level, trend or variance: dividing a stray sale by a tiny index would
throw the level off. With ``trend`` smoothing 0 the trend stays 0 and the arithmetic is
exactly that of a level-and-season smoother (the replenishment forecast's outputs do
not change).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

HOUR = 3600.0
MIN_INDEX = 0.25
Floats = npt.NDArray[np.float64]


class SeasonalSmoother:
    """Holt-Winters (multiplicative season, additive trend) on series sharing an index.

    ``rate`` is each series' starting level per step, ``season`` the starting index
    (any positive scale; normalised to mean 1), ``alpha``, ``gamma`` and ``beta`` the
    smoothing constants of level, index and error variance, ``trend`` that of the
    trend (0: no trend).
    """

    def __init__(self, rate: Floats, season: Floats, alpha: float, gamma: float,
                 beta: float, trend: float = 0.0) -> None:
        self.level = np.asarray(rate, dtype=float).copy()
        self.var = self.level.copy()  # Poisson prior: variance equal to the mean
        s = np.asarray(season, dtype=float).copy()
        self.period = len(s)
        self.season = s * self.period / s.sum() if s.sum() > 0 else np.ones(self.period)
        self.alpha, self.gamma, self.beta = alpha, gamma, beta
        self.trend_smoothing = trend
        self.trend = np.zeros_like(self.level)

    def observe(self, step: int, value: Floats) -> None:
        """Learn from the value of each series in season step ``step`` (an hour 0-23)."""
        s = float(self.season[step])
        total_level = float(self.level.sum())
        if s >= MIN_INDEX:
            err = value - self.level * s
            self.var += self.beta * (err * err / s - self.var)
            if self.trend_smoothing:
                before = self.level.copy()
                self.level += self.alpha * (value / s - (self.level + self.trend))
                self.trend += self.trend_smoothing * (self.level - before - self.trend)
            else:
                self.level += self.alpha * (value / s - self.level)
        if total_level > 0:
            self.season[step] += self.gamma * (float(value.sum()) / total_level - s)
            self.season *= self.period / self.season.sum()

    def ahead(self, steps: int, step: int) -> Floats:
        """Mean forecast ``steps`` (>= 1) steps after the last one observed, which falls in
        season step ``step``; never negative."""
        return np.maximum((self.level + steps * self.trend) * self.season[step], 0.0)

    def weight(self, start: float, end: float) -> float:
        """Sum of the hour-of-day index over the clock interval ``[start, end)``, in hours."""
        total, t = 0.0, start
        while t < end - 1e-9:
            hour_end = (math.floor(t / HOUR) + 1) * HOUR
            seg = min(hour_end, end) - t
            total += float(self.season[int(t // HOUR) % self.period]) * seg / HOUR
            t += seg
        return total

    def expected(self, start: float, end: float) -> tuple[Floats, Floats]:
        """Mean and variance of each series over the clock interval ``[start, end)``
        (hourly steps; the trend is left out: the replenishment use has none)."""
        w = self.weight(start, end)
        return self.level * w, np.maximum(self.var, self.level) * w
