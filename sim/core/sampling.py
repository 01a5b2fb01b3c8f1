"""Drawing from the distributions a scenario names.

:func:`sampler` turns a distribution spec (see :mod:`sim.scenario.distributions`) into a
:class:`Sampler` that draws vectors from a :class:`numpy.random.Generator`, through the
registry :data:`SAMPLERS` of one draw function per distribution kind. A
:class:`Draws` binds a sampler to one random stream and hands out single values from a
pre-drawn block: the simulation asks for one pick time at a time, and numpy is far
faster per value in blocks. Each stream has one consumer, so blocking keeps results
identical for a given seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import numpy as np
import numpy.typing as npt
from numpy.random import Generator
from scipy.special import ndtr, ndtri

from sim.scenario.distributions import (
    Constant,
    Distribution,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Normal,
    Poisson,
    Uniform,
)

BLOCK = 512

FloatArray = npt.NDArray[np.float64]
DrawFn = Callable[[Generator, int], FloatArray]
"""``draw(rng, n)``: ``n`` independent draws as a float array."""


@dataclass(frozen=True)
class Sampler:
    """A distribution ready to draw: ``draw(rng, n)`` returns ``n`` values, ``mean`` is exact."""

    name: str
    mean: float
    _draw: DrawFn

    def draw(self, rng: Generator, n: int) -> FloatArray:
        """Return ``n`` independent draws as a float array."""
        return self._draw(rng, n)


MAX_REDRAWS = 64
"""Rounds of redrawing rejected values before an exact method draws the rest.

Redrawing is how the shipped scenarios have always drawn (so their seeds keep their
results); it succeeds within a few rounds unless the accepted region is tiny (a customer
spread of 1e9 m, a Zipf exponent of 5), where it would never finish. After this many
rounds the values still rejected are drawn exactly from the same truncated distribution
by inverse CDF, so every sampler ends in bounded time."""


def truncated_normal(rng: Generator, mu: FloatArray | float, sd: float,
                     low: FloatArray | float, high: FloatArray | float,
                     shape: int | tuple[int, ...]) -> FloatArray:
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


def _truncated_normal(mu: float, sd: float) -> DrawFn:
    def draw(rng: Generator, n: int) -> FloatArray:
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


def _constant(spec: Constant[float]) -> DrawFn:
    v = float(spec.value)
    return lambda rng, n: np.full(n, v)


def _exponential(spec: Exponential[float]) -> DrawFn:
    m = float(spec.mean)
    return lambda rng, n: rng.exponential(m, n)


def _uniform(spec: Uniform[float]) -> DrawFn:
    lo, hi = float(spec.low), float(spec.high)
    return lambda rng, n: rng.uniform(lo, hi, n)


def _normal(spec: Normal[float]) -> DrawFn:
    return _truncated_normal(float(spec.mean), float(spec.sd))


def _lognormal(spec: Lognormal[float, float]) -> DrawFn:
    m, sd = float(spec.mean), float(spec.sd)
    s2 = math.log1p((sd / m) ** 2)
    mu, s = math.log(m) - s2 / 2, math.sqrt(s2)
    return lambda rng, n: rng.lognormal(mu, s, n)


def _gamma(spec: Gamma[float]) -> DrawFn:
    m, sd = float(spec.mean), float(spec.sd)
    shape, scale = (m / sd) ** 2, sd * sd / m
    return lambda rng, n: rng.gamma(shape, scale, n)


def _poisson(spec: Poisson[float]) -> DrawFn:
    m = float(spec.mean)
    return lambda rng, n: rng.poisson(m, n).astype(float)


def _empirical(spec: Empirical[float]) -> DrawFn:
    values = np.asarray(spec.values, dtype=float)
    probs = spec.probabilities()
    return lambda rng, n: rng.choice(values, size=n, p=probs)


D = TypeVar("D", bound=Distribution)


@dataclass(frozen=True)
class SamplerKind(Generic[D]):
    """How to draw one kind of distribution: ``draws`` turns its spec into a draw
    function (mypy checks that it takes that kind)."""

    spec: type[D]
    draws: Callable[[D], DrawFn]

    def __call__(self, spec: Distribution) -> Sampler:
        """A :class:`Sampler` of ``spec`` (which must be of this kind)."""
        if not isinstance(spec, self.spec):
            raise TypeError(f"{self.spec.__name__} expected, got {type(spec).__name__}")
        return Sampler(self.spec.__name__.lower(), spec.exact_mean, self.draws(spec))


class SamplerFactory(Protocol):
    """Builds the :class:`Sampler` of a distribution spec."""

    def __call__(self, spec: Distribution) -> Sampler:
        """The sampler."""
        ...


SAMPLERS: dict[type[Distribution], SamplerFactory] = {
    Constant: SamplerKind(Constant, _constant),
    Exponential: SamplerKind(Exponential, _exponential),
    Uniform: SamplerKind(Uniform, _uniform),
    Normal: SamplerKind(Normal, _normal),
    Lognormal: SamplerKind(Lognormal, _lognormal),
    Gamma: SamplerKind(Gamma, _gamma),
    Poisson: SamplerKind(Poisson, _poisson),
    Empirical: SamplerKind(Empirical, _empirical),
}
"""The samplers by distribution kind; a family's spec (``DurationGamma``,
``NumberGamma``) is drawn by the sampler of the kind it specialises (``Gamma``)."""


def sampler(spec: Distribution) -> Sampler:
    """Build a :class:`Sampler` from a distribution spec model."""
    for cls in type(spec).__mro__:
        make = SAMPLERS.get(cls)
        if make is not None:
            return make(spec)
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
