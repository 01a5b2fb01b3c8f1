"""Distribution specifications for random quantities in a scenario.

A random quantity is written as a mapping with a ``dist`` name and its parameters, e.g.
``{dist: lognormal, mean: 20s, sd: 8s}``; a bare value (``45s`` or ``3``) is a constant.
Parameters are the mean and standard deviation of the quantity itself wherever the
family allows, so that a planner can read and change them without algebra.

The same families exist for durations (parameters in human time units) and for plain
numbers such as basket sizes: each family is a generic model (:class:`Constant`,
:class:`Lognormal` ...) whose parameter types are filled in by a named subclass per
family (``DurationLognormal``, ``NumberLognormal``), so mypy sees every field. Each
knows its exact mean (:attr:`Distribution.exact_mean`), which size estimates use;
drawing lives in :mod:`sim.core.sampling`.
"""

from __future__ import annotations

import math
from typing import Annotated, Generic, Literal, TypeVar, cast

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from sim.scenario.json_schema import BareConstant, shorthand
from sim.scenario.units import NonNegDuration, NonNegNumber, PosDuration, PosNumber

DIST_NAMES = ("constant", "exponential", "uniform", "normal", "lognormal", "gamma",
              "poisson", "empirical")


class Distribution(BaseModel):
    """A random quantity's distribution: a family tag ``dist`` and its parameters."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @property
    def exact_mean(self) -> float:
        """The exact mean of the quantity drawn (after any truncation)."""
        raise NotImplementedError(type(self).__name__)


NN = TypeVar("NN", bound=float)
"""The family's type of a parameter that may be 0 (e.g. :data:`NonNegDuration`)."""
P = TypeVar("P", bound=float)
"""The family's type of a parameter that must be positive (e.g. :data:`PosDuration`)."""


@shorthand(BareConstant("dist", "constant", "value"))
def _constant_shorthand(value: object) -> object:
    """Let ``45s`` or ``3`` stand for ``{dist: constant, value: ...}``."""
    if isinstance(value, dict | BaseModel):
        return value
    return {"dist": "constant", "value": value}


MAX_CV = 100.0
"""The largest coefficient of variation (sd / mean) a lognormal or gamma may have. Real
service, travel and basket distributions stay far below it (a CV of 2 is already very
skewed); above it the sampler's parameters overflow or every draw is 0 or infinite."""


MAX_GAMMA_SHAPE_ROOT = 1e6
"""The largest mean / sd of a gamma (its shape is the square): beyond it the gamma is a
constant for every purpose, and the shape overflows long before the mean / sd ratios a
typo can write (``sd: 1e-300s``)."""


def _check_spread(mean: float, sd: float) -> None:
    """Refuse a spread so wide that the distribution cannot be sampled meaningfully."""
    if sd > MAX_CV * mean:
        raise ValueError(f"sd must be at most {MAX_CV:g} x mean (coefficient of "
                         f"variation {sd / mean:.3g})")


class Constant(Distribution, Generic[NN]):
    """Always the same value."""

    dist: Literal["constant"]
    value: NN

    @property
    def exact_mean(self) -> float:
        return float(self.value)


class Exponential(Distribution, Generic[P]):
    """Exponential with the given mean (memoryless: Poisson arrivals, M/M/c service)."""

    dist: Literal["exponential"]
    mean: P

    @property
    def exact_mean(self) -> float:
        return float(self.mean)


class Uniform(Distribution, Generic[NN]):
    """Uniform on [low, high]."""

    dist: Literal["uniform"]
    low: NN
    high: NN

    @model_validator(mode="after")
    def _ordered(self) -> Uniform[NN]:
        if self.high < self.low:
            raise ValueError("high must be >= low")
        return self

    @property
    def exact_mean(self) -> float:
        return (float(self.low) + float(self.high)) / 2


class Normal(Distribution, Generic[NN]):
    """Normal with the given mean and sd, truncated at 0 (negative draws are redrawn)."""

    dist: Literal["normal"]
    mean: NN
    sd: NN

    @property
    def exact_mean(self) -> float:
        """The mean of the normal truncated at 0 (its ``mean`` field is the untruncated
        normal's): ``mean + sd * pdf(a) / (1 - cdf(a))`` with ``a = -mean / sd``."""
        mu, sd = float(self.mean), float(self.sd)
        if sd == 0:
            return mu
        a = -mu / sd
        pdf = math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
        tail = 0.5 * math.erfc(a / math.sqrt(2))
        return mu + sd * pdf / tail


class Lognormal(Distribution, Generic[NN, P]):
    """Lognormal with the given mean and sd of the quantity itself (not of its log)."""

    dist: Literal["lognormal"]
    mean: P
    sd: NN

    @model_validator(mode="after")
    def _plausible(self) -> Lognormal[NN, P]:
        _check_spread(self.mean, self.sd)
        return self

    @property
    def exact_mean(self) -> float:
        return float(self.mean)


class Gamma(Distribution, Generic[P]):
    """Gamma with the given mean and sd (shape = (mean/sd)^2)."""

    dist: Literal["gamma"]
    mean: P
    sd: P

    @model_validator(mode="after")
    def _plausible(self) -> Gamma[P]:
        _check_spread(self.mean, self.sd)
        if self.sd * MAX_GAMMA_SHAPE_ROOT < self.mean:  # shape (mean/sd)^2 overflows
            raise ValueError(f"sd must be at least mean / {MAX_GAMMA_SHAPE_ROOT:g} (a "
                             "narrower gamma is a constant: write the mean alone)")
        return self

    @property
    def exact_mean(self) -> float:
        return float(self.mean)


class Poisson(Distribution, Generic[NN]):
    """Poisson count with the given mean (durations: whole seconds)."""

    dist: Literal["poisson"]
    mean: NN

    @property
    def exact_mean(self) -> float:
        return float(self.mean)


class Empirical(Distribution, Generic[NN]):
    """One of the listed values, uniformly or with the given weights."""

    dist: Literal["empirical"]
    values: Annotated[list[NN], Field(min_length=1)]
    weights: list[NonNegNumber] | None = None

    @model_validator(mode="after")
    def _weights_match(self) -> Empirical[NN]:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError("weights must have one entry per value")
            if sum(self.weights) <= 0:
                raise ValueError("weights must not all be 0")
        return self

    def probabilities(self) -> npt.NDArray[np.float64]:
        """The probability of each value (its weight over the weights' sum)."""
        w = np.asarray(self.weights if self.weights is not None else [1.0] * len(self.values))
        return w / w.sum()

    @property
    def exact_mean(self) -> float:
        return float(np.asarray(self.values, dtype=float) @ self.probabilities())


# The families: one named subclass per kind, with the parameter types filled in. The
# subclasses repeat their kind's docstring, which the JSON Schema shows as description.

class DurationConstant(Constant[NonNegDuration]):
    __doc__ = Constant.__doc__


class DurationExponential(Exponential[PosDuration]):
    __doc__ = Exponential.__doc__


class DurationUniform(Uniform[NonNegDuration]):
    __doc__ = Uniform.__doc__


class DurationNormal(Normal[NonNegDuration]):
    __doc__ = Normal.__doc__


class DurationLognormal(Lognormal[NonNegDuration, PosDuration]):
    __doc__ = Lognormal.__doc__


class DurationGamma(Gamma[PosDuration]):
    __doc__ = Gamma.__doc__


class DurationPoisson(Poisson[NonNegDuration]):
    __doc__ = Poisson.__doc__


class DurationEmpirical(Empirical[NonNegDuration]):
    __doc__ = Empirical.__doc__


class NumberConstant(Constant[NonNegNumber]):
    __doc__ = Constant.__doc__


class NumberExponential(Exponential[PosNumber]):
    __doc__ = Exponential.__doc__


class NumberUniform(Uniform[NonNegNumber]):
    __doc__ = Uniform.__doc__


class NumberNormal(Normal[NonNegNumber]):
    __doc__ = Normal.__doc__


class NumberLognormal(Lognormal[NonNegNumber, PosNumber]):
    __doc__ = Lognormal.__doc__


class NumberGamma(Gamma[PosNumber]):
    __doc__ = Gamma.__doc__


class NumberPoisson(Poisson[NonNegNumber]):
    __doc__ = Poisson.__doc__


class NumberEmpirical(Empirical[NonNegNumber]):
    __doc__ = Empirical.__doc__


DurationDistribution = (
    DurationConstant | DurationExponential | DurationUniform | DurationNormal
    | DurationLognormal | DurationGamma | DurationPoisson | DurationEmpirical)
"""A validated random duration (one of the duration family's kinds)."""

NumberDistribution = (
    NumberConstant | NumberExponential | NumberUniform | NumberNormal | NumberLognormal
    | NumberGamma | NumberPoisson | NumberEmpirical)
"""A validated random number (one of the number family's kinds)."""

DurationDist = Annotated[DurationDistribution, Field(discriminator="dist"),
                         BeforeValidator(_constant_shorthand)]
"""A random duration; parameters in seconds or human time units."""

NumberDist = Annotated[NumberDistribution, Field(discriminator="dist"),
                       BeforeValidator(_constant_shorthand)]
"""A random non-negative number, e.g. a basket size."""


def duration_default(written: str | float) -> DurationDistribution:
    """A field default written as a scenario would write it (``"10s"``, ``0.0``).

    It stays as written, so the JSON Schema and the field reference show it so; the
    spec models validate their defaults (``validate_default``), which turns it into a
    distribution before any code reads it. Typed as the validated value for mypy.
    """
    return cast("DurationDistribution", written)


def number_default(written: float | dict[str, object]) -> NumberDistribution:
    """A number distribution's field default, written as a scenario would write it (see
    :func:`duration_default`)."""
    return cast("NumberDistribution", written)
