"""Distribution specifications for random quantities in a scenario.

A random quantity is written as a mapping with a ``dist`` name and its parameters, e.g.
``{dist: lognormal, mean: 20s, sd: 8s}``; a bare value (``45s`` or ``3``) is a constant.
Parameters are the mean and standard deviation of the quantity itself wherever the
family allows, so that a planner can read and change them without algebra.

The same families exist for durations (parameters in human time units) and for plain
numbers such as basket sizes; :func:`distribution_family` builds both from one template.
Sampling lives in :mod:`sim.core.sampling`: these are data only.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from sim.scenario.json_schema import BareConstant, shorthand
from sim.scenario.units import NonNegDuration, NonNegNumber, PosDuration, PosNumber

DIST_NAMES = ("constant", "exponential", "uniform", "normal", "lognormal", "gamma",
              "poisson", "empirical")


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


@shorthand(BareConstant("dist", "constant", "value"))
def _constant_shorthand(value: Any) -> Any:
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


def distribution_family(nonneg: Any, pos: Any, prefix: str) -> Any:
    """Build the tagged union of distribution models whose parameters have types
    ``nonneg`` (>= 0) and ``pos`` (> 0).

    They are annotated float types (for example :data:`NonNegDuration`), so that a
    duration distribution accepts ``"20s"`` and a count distribution accepts plain numbers.
    """

    class Constant(_Dist):
        """Always the same value."""

        dist: Literal["constant"]
        value: nonneg

    class Exponential(_Dist):
        """Exponential with the given mean (memoryless: Poisson arrivals, M/M/c service)."""

        dist: Literal["exponential"]
        mean: pos

    class Uniform(_Dist):
        """Uniform on [low, high]."""

        dist: Literal["uniform"]
        low: nonneg
        high: nonneg

        @model_validator(mode="after")
        def _ordered(self) -> Uniform:
            if self.high < self.low:
                raise ValueError("high must be >= low")
            return self

    class Normal(_Dist):
        """Normal with the given mean and sd, truncated at 0 (negative draws are redrawn)."""

        dist: Literal["normal"]
        mean: nonneg
        sd: nonneg

    class Lognormal(_Dist):
        """Lognormal with the given mean and sd of the quantity itself (not of its log)."""

        dist: Literal["lognormal"]
        mean: pos
        sd: nonneg

        @model_validator(mode="after")
        def _plausible(self) -> Lognormal:
            _check_spread(self.mean, self.sd)
            return self

    class Gamma(_Dist):
        """Gamma with the given mean and sd (shape = (mean/sd)^2)."""

        dist: Literal["gamma"]
        mean: pos
        sd: pos

        @model_validator(mode="after")
        def _plausible(self) -> Gamma:
            _check_spread(self.mean, self.sd)
            if self.sd * MAX_GAMMA_SHAPE_ROOT < self.mean:  # shape (mean/sd)^2 overflows
                raise ValueError(f"sd must be at least mean / {MAX_GAMMA_SHAPE_ROOT:g} (a "
                                 "narrower gamma is a constant: write the mean alone)")
            return self

    class Poisson(_Dist):
        """Poisson count with the given mean (durations: whole seconds)."""

        dist: Literal["poisson"]
        mean: nonneg

    class Empirical(_Dist):
        """One of the listed values, uniformly or with the given weights."""

        dist: Literal["empirical"]
        values: Annotated[list[nonneg], Field(min_length=1)]
        weights: list[NonNegNumber] | None = None

        @model_validator(mode="after")
        def _weights_match(self) -> Empirical:
            if self.weights is not None:
                if len(self.weights) != len(self.values):
                    raise ValueError("weights must have one entry per value")
                if sum(self.weights) <= 0:
                    raise ValueError("weights must not all be 0")
            return self

    members = (Constant, Exponential, Uniform, Normal, Lognormal, Gamma, Poisson, Empirical)
    for cls in members:
        cls.__name__ = cls.__qualname__ = f"{prefix}{cls.__name__}"
        # Importable by name, so scenarios pickle (to worker processes and Dask workers).
        cls.__module__ = __name__
        globals()[cls.__name__] = cls
    union = Constant | Exponential | Uniform | Normal | Lognormal | Gamma | Poisson | Empirical
    return Annotated[union, Field(discriminator="dist"), BeforeValidator(_constant_shorthand)]


DurationDist = distribution_family(NonNegDuration, PosDuration, "Duration")
"""A random duration; parameters in seconds or human time units."""

NumberDist = distribution_family(NonNegNumber, PosNumber, "Number")
"""A random non-negative number, e.g. a basket size."""
