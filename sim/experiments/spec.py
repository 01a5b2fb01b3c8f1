"""Experiment files: many runs of one base scenario, and what to compare.

An experiment names a base scenario file, the replications (a count or explicit seeds),
the variants to compare (named sets of overrides, and/or a grid of factor values) and
the KPIs with the direction that is better. Overrides use the same dotted paths as
``--set`` (``store_defaults.couriers.count``, ``dispatch.policy``). Replication ``k``
uses the same seed in every variant (common random numbers), so differences between
variants are paired.

Example::

    name: couriers_vs_promise
    scenario: hema_city.yaml          # relative to this file
    replications: 10                  # seeds base_seed, base_seed+1, ...
    overrides: {run.duration: 12h}    # applied to every variant
    warmup: 7h                        # run.warmup of every run (optional)
    variants:                         # named variants; the first is the base by default
      immediate: {}
      batch: {dispatch: {policy: batch, window: 2min}}
    factors:                          # a grid crossed with the variants
      store_defaults.couriers.count: [70, 90, 110]
    kpis:
      - {metric: sla.on_time_rate, better: higher}
      - {metric: sla.click_to_door_min.p90, better: lower}
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from sim.scenario.base import Name, NonNegInt, PosInt, Spec
from sim.scenario.errors import ScenarioError
from sim.scenario.files import resolve_file
from sim.scenario.units import NonNegDuration

PositiveFloat = Annotated[float, Field(gt=0)]


class KpiSpec(Spec):
    """A metric to compare, by its dotted path in ``metrics.json``."""

    metric: str = Field(description="Dotted path in metrics.json, e.g. sla.on_time_rate.")
    better: Literal["higher", "lower"] = Field(description="Which direction is better.")
    label: str | None = Field(None, description="Name in tables and plots.")
    target_half_width: PositiveFloat | None = Field(
        None, description="Wanted half-width of the confidence interval, in the metric's "
        "units; the comparison says how many replications reach it.")


DEFAULT_KPIS = (
    KpiSpec(metric="sla.on_time_rate", better="higher"),
    KpiSpec(metric="sla.click_to_door_min.mean", better="lower"),
    KpiSpec(metric="sla.click_to_door_min.p90", better="lower"),
    KpiSpec(metric="orders.rejection_rate", better="lower"),
    KpiSpec(metric="utilisation.couriers.overall", better="higher"),
)

Overrides = dict[str, Any]


class ExperimentSpec(Spec):
    """Replications of a base scenario under named variants and a factor grid."""

    name: Name
    description: str = ""
    scenario: str = Field(description="Base scenario file, relative to the experiment file.")
    replications: PosInt | None = Field(None, description="Number of replications.")
    seeds: Annotated[list[NonNegInt], Field(min_length=1)] | None = Field(
        None, description="Explicit seeds, one per replication (instead of replications).")
    base_seed: NonNegInt = Field(0, description="First seed when `replications` is given.")
    overrides: Overrides = Field(default_factory=dict,
                                 description="Overrides applied to every variant.")
    variants: dict[Name, Overrides] = Field(
        default_factory=dict, description="Named variants, each a mapping of overrides.")
    factors: dict[str, Annotated[list[Any], Field(min_length=1)]] = Field(
        default_factory=dict, description="Grid: each dotted path with the values to try.")
    base: Name | None = Field(None, description="Variant the others are compared with "
                              "(default: the first).")
    kpis: list[KpiSpec] = Field(default_factory=lambda: list(DEFAULT_KPIS))
    warmup: NonNegDuration | None = Field(
        None, description="Warm-up of every run (sets run.warmup after `overrides`).")
    confidence: float = Field(0.95, gt=0.5, lt=1.0,
                              description="Confidence level of every interval.")

    @field_validator("scenario")
    @classmethod
    def _resolve(cls, value: str, info: ValidationInfo) -> str:
        return resolve_file(value, info)

    @model_validator(mode="after")
    def _checks(self) -> ExperimentSpec:
        if (self.replications is None) == (self.seeds is None):
            raise ScenarioError("give either replications or seeds (exactly one)",
                                ("replications",))
        if self.base is not None and self.base not in self.variants:
            raise ScenarioError(f"'{self.base}' is not one of the variants", ("base",))
        return self

    @property
    def seed_list(self) -> list[int]:
        """The seed of each replication, the same in every variant."""
        if self.seeds is not None:
            return list(self.seeds)
        assert self.replications is not None
        return [self.base_seed + k for k in range(self.replications)]
