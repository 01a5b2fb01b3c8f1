"""Drawing from the distributions a scenario names.

:func:`sampler` turns a distribution spec (see :mod:`sim.scenario.distributions`) into a
:class:`Sampler` that draws vectors from a :class:`numpy.random.Generator`. A
:class:`Draws` binds a sampler to one random stream and hands out single values from a
pre-drawn block: the simulation asks for one pick time at a time, and numpy is far
faster per value in blocks. Each stream has one consumer, so blocking keeps results
identical for a given seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.random import Generator
from scipy.special import ndtr, ndtri

BLOCK = 512


@dataclass(frozen=True)
class Sampler:
    """A distribution ready to draw: ``draw(rng, n)`` returns ``n`` values, ``mean`` is exact."""

    name: str
    mean: float
    _draw: Callable[[Generator, int], np.ndarray]

    def draw(self, rng: Generator, n: int) -> np.ndarray:
        """Return ``n`` independent draws as a float array."""
        return self._draw(rng, n)


MAX_REDRAWS = 64
"""Rounds of redrawing rejected values before an exact method draws the rest.

Redrawing is how the shipped scenarios have always drawn (so their seeds keep their
results); it succeeds within a few rounds unless the accepted region is tiny (a customer
spread of 1e9 m, a Zipf exponent of 5), where it would never finish. After this many
rounds the values still rejected are drawn exactly from the same truncated distribution
by inverse CDF, so every sampler ends in bounded time."""


def truncated_normal(rng: Generator, mu: np.ndarray | float, sd: float,
                     low: np.ndarray | float, high: np.ndarray | float,
                     shape: int | tuple[int, ...]) -> np.ndarray:
    """Exact draws of a normal(mu, sd) truncated to [low, high] by inverse CDF.

    One uniform per value, whatever the truncation; the mean ``mu`` lies inside the
    interval wherever this is used, so neither tail is extreme and the CDF keeps its
    precision. Results are clipped to the interval against rounding.
    """
    lo = ndtr((np.asarray(low, dtype=float) - mu) / sd)
    hi = ndtr((np.asarray(high, dtype=float) - mu) / sd)
    u = rng.random(shape)
    x = mu + sd * ndtri(lo + u * (hi - lo))
    return np.clip(x, low, high)


def _truncated_normal(mu: float, sd: float) -> Callable[[Generator, int], np.ndarray]:
    def draw(rng: Generator, n: int) -> np.ndarray:
        x = rng.normal(mu, sd, n)
        bad = x < 0
        for _ in range(MAX_REDRAWS):  # mean >= 0, so each redraw keeps at least half
            if not bad.any():
                return x
            x[bad] = rng.normal(mu, sd, int(bad.sum()))
            bad = x < 0
        if bad.any():
            x[bad] = truncated_normal(rng, mu, sd, 0.0, np.inf, int(bad.sum()))
        return x

    return draw


def _truncated_normal_mean(mu: float, sd: float) -> float:
    if sd == 0:
        return mu
    a = -mu / sd
    pdf = math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
    tail = 0.5 * math.erfc(a / math.sqrt(2))
    return mu + sd * pdf / tail


def sampler(spec: object) -> Sampler:
    """Build a :class:`Sampler` from a distribution spec model."""
    kind = getattr(spec, "dist", None)
    p = spec.__dict__
    if kind == "constant":
        v = float(p["value"])
        return Sampler(kind, v, lambda rng, n: np.full(n, v))
    if kind == "exponential":
        m = float(p["mean"])
        return Sampler(kind, m, lambda rng, n: rng.exponential(m, n))
    if kind == "uniform":
        lo, hi = float(p["low"]), float(p["high"])
        return Sampler(kind, (lo + hi) / 2, lambda rng, n: rng.uniform(lo, hi, n))
    if kind == "normal":
        mu, sd = float(p["mean"]), float(p["sd"])
        return Sampler(kind, _truncated_normal_mean(mu, sd), _truncated_normal(mu, sd))
    if kind == "lognormal":
        m, sd = float(p["mean"]), float(p["sd"])
        s2 = math.log1p((sd / m) ** 2)
        mu, s = math.log(m) - s2 / 2, math.sqrt(s2)
        return Sampler(kind, m, lambda rng, n: rng.lognormal(mu, s, n))
    if kind == "gamma":
        m, sd = float(p["mean"]), float(p["sd"])
        shape, scale = (m / sd) ** 2, sd * sd / m
        return Sampler(kind, m, lambda rng, n: rng.gamma(shape, scale, n))
    if kind == "poisson":
        m = float(p["mean"])
        return Sampler(kind, m, lambda rng, n: rng.poisson(m, n).astype(float))
    if kind == "empirical":
        values = np.asarray(p["values"], dtype=float)
        w = np.asarray(p["weights"] if p["weights"] is not None else [1.0] * len(values))
        probs = w / w.sum()
        return Sampler(kind, float(values @ probs),
                       lambda rng, n: rng.choice(values, size=n, p=probs))
    raise TypeError(f"not a distribution spec: {spec!r}")


class Draws:
    """Single draws of one sampler from one random stream, served from pre-drawn blocks."""

    __slots__ = ("_buf", "_rng", "_sampler", "mean")

    def __init__(self, smp: Sampler, rng: Generator) -> None:
        self._sampler = smp
        self._rng = rng
        self._buf: list[float] = []
        self.mean = smp.mean

    def __call__(self) -> float:
        """Return the next draw."""
        buf = self._buf
        if not buf:
            buf.extend(self._sampler.draw(self._rng, BLOCK)[::-1].tolist())
        return buf.pop()

    def sum(self, n: int) -> float:
        """Return the sum of the next ``n`` draws."""
        return math.fsum(self() for _ in range(n))
