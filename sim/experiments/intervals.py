"""Confidence intervals for experiment results.

Definitions (also in ``docs/experiments.md``):

- **t interval** of a KPI for one variant: the replications are independent runs (their
  own seeds), so their KPI values ``x_1..x_n`` are i.i.d. draws; the interval is
  ``mean +- t(1 - a/2, n - 1) * s / sqrt(n)`` with ``s`` the sample standard deviation
  (``n - 1`` in the denominator). It needs ``n >= 2``. This is the interval to trust for
  any KPI, rates included: it covers the variant's expected KPI per run.
- **Wilson interval** of a proportion ``k`` successes out of ``m`` trials (score
  interval: ``(p + z^2/2m +- z sqrt(p(1-p)/m + z^2/4m^2)) / (1 + z^2/m)``). It is exact
  arithmetic on a count, and it assumes the ``m`` trials are independent. Orders in one
  run share couriers and pickers, so they are not: the Wilson interval of a pooled
  on-time rate describes the sampling noise of the orders seen, not the run-to-run
  variation, and is usually narrower than the t interval. It is reported next to the t
  interval, not instead of it.
- **Paired difference** of a variant against the base: replication ``k`` uses the same
  seed in both (common random numbers), so ``d_k = x_k - b_k`` are i.i.d. and the t
  interval of ``d`` is the interval of the difference. Pairing removes the shared demand
  noise, so it is much narrower than comparing two independent intervals.
- **Verdict**: better (worse) with confidence when the whole interval of the difference
  lies on the better (worse) side of zero, given the KPI's direction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import special

Better = Literal["higher", "lower"]
Verdict = Literal["better", "worse", "no difference", "n/a"]


@dataclass(frozen=True)
class Interval:
    """A mean and its two-sided confidence interval over ``n`` values (NaN when n < 2)."""

    n: int
    mean: float
    sd: float
    low: float
    high: float
    level: float

    @property
    def half_width(self) -> float:
        """Half the interval's width (NaN when undefined)."""
        return (self.high - self.low) / 2


def _clean(values: Sequence[float] | np.ndarray) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    return x[~np.isnan(x)]


def t_quantile(level: float, df: int) -> float:
    """The ``(1 + level) / 2`` quantile of Student's t with ``df`` degrees of freedom."""
    return float(special.stdtrit(df, (1 + level) / 2))


def z_quantile(level: float) -> float:
    """The ``(1 + level) / 2`` quantile of the standard normal distribution."""
    return float(special.ndtri((1 + level) / 2))


def t_interval(values: Sequence[float] | np.ndarray, level: float = 0.95) -> Interval:
    """Mean and t interval of independent observations (NaN values are ignored)."""
    x = _clean(values)
    n = int(x.size)
    if n == 0:
        return Interval(0, math.nan, math.nan, math.nan, math.nan, level)
    mean = float(x.mean())
    if n == 1:
        return Interval(1, mean, math.nan, math.nan, math.nan, level)
    sd = float(x.std(ddof=1))
    h = t_quantile(level, n - 1) * sd / math.sqrt(n)
    return Interval(n, mean, sd, mean - h, mean + h, level)


@dataclass(frozen=True)
class Proportion:
    """A proportion ``successes / trials`` with its Wilson score interval."""

    successes: float
    trials: float
    rate: float
    low: float
    high: float
    level: float


def wilson_interval(successes: float, trials: float, level: float = 0.95) -> Proportion:
    """The Wilson score interval of ``successes`` out of ``trials`` independent trials."""
    if trials <= 0:
        return Proportion(successes, trials, math.nan, math.nan, math.nan, level)
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be between 0 and trials, got {successes}/{trials}")
    z = z_quantile(level)
    p = successes / trials
    z2n = z * z / trials
    centre = (p + z2n / 2) / (1 + z2n)
    half = z * math.sqrt(p * (1 - p) / trials + z2n / (4 * trials)) / (1 + z2n)
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # exact at the edges
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return Proportion(successes, trials, p, low, high, level)


def paired_difference(values: Sequence[float] | np.ndarray, base: Sequence[float] | np.ndarray,
                      level: float = 0.95) -> Interval:
    """t interval of ``values[k] - base[k]`` over the pairs where both are known."""
    x = np.asarray(values, dtype=float)
    b = np.asarray(base, dtype=float)
    if x.shape != b.shape:
        raise ValueError("paired samples must have the same length")
    return t_interval(x - b, level)


def verdict(diff: Interval, better: Better) -> Verdict:
    """``better``/``worse`` when the interval of ``variant - base`` excludes 0 on that
    side for a KPI where ``better`` is the good direction; otherwise ``no difference``
    (``n/a`` when there is no interval)."""
    if math.isnan(diff.low) or math.isnan(diff.high):
        return "n/a"
    sign = 1.0 if better == "higher" else -1.0
    lo, hi = sorted((sign * diff.low, sign * diff.high))
    if lo > 0:
        return "better"
    if hi < 0:
        return "worse"
    return "no difference"


def replications_needed(values: Sequence[float] | np.ndarray, half_width: float,
                        level: float = 0.95, max_n: int = 1_000_000) -> int | None:
    """The fewest replications whose t interval has at most ``half_width``, assuming the
    standard deviation stays at the sample's: the smallest ``n >= 2`` with
    ``t(1 - a/2, n - 1) * s / sqrt(n) <= half_width``. None when ``values`` has fewer
    than two observations (no estimate of the spread) or more than ``max_n`` are needed.
    """
    if half_width <= 0:
        raise ValueError("half_width must be > 0")
    x = _clean(values)
    if x.size < 2:
        return None
    s = float(x.std(ddof=1))
    if s == 0:
        return 2
    # The normal quantile gives a lower bound (t > z); the t-based n is at most a few
    # more, so walk up from it one at a time.
    z = z_quantile(level)
    n = max(2, math.ceil((z * s / half_width) ** 2))
    if n > max_n:
        return None
    while t_quantile(level, n - 1) * s / math.sqrt(n) > half_width:
        if n >= max_n:
            return None
        n += 1
    return n
