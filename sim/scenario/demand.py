"""Scenario models of demand: the catalogue, customers, baskets, online and walk-in demand."""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from sim.scenario.base import (
    Name,
    NonNegFloat,
    NonNegInt,
    PosFloat,
    PosInt,
    Probability,
    Profile,
    Spec,
)
from sim.scenario.distributions import DurationDist, NumberDist, number_default
from sim.scenario.errors import ScenarioError
from sim.scenario.files import ScenarioFile
from sim.scenario.units import (
    Distance,
    NonNegDuration,
    PosDistance,
    PosDuration,
    metres,
)


class CatalogSpec(Spec):
    """The SKUs sold, with Zipf-like popularity p_i proportional to 1 / i^exponent."""

    skus: PosInt = Field(description="Number of SKUs sold.")
    zipf_exponent: NonNegFloat = Field(
        1.0, description="Popularity skew s: 0 is uniform, 1 the classic Zipf long tail.")
    classes: dict[Name, PosFloat] = Field(
        default_factory=lambda: {"A": 0.2, "B": 0.3, "C": 0.5}, min_length=1,
        description="SKU classes by popularity rank: each class's share of the SKUs, most "
        "popular class first (shares are normalised).")
    weight_kg: NumberDist | None = Field(
        None, description="Weight of one unit of a SKU in kg, drawn once per SKU (stream "
        "`catalog/payload`); an order weighs the sum over its lines of units x weight. "
        "None: goods weigh nothing and vehicles' `max_weight_kg` never binds.")
    volume_litres: NumberDist | None = Field(
        None, description="Volume of one unit of a SKU in litres, drawn once per SKU like "
        "`weight_kg`. None: goods take no room and `max_volume_litres` never binds.")

    quiet_defaults: ClassVar[frozenset[str]] = frozenset({"weight_kg", "volume_litres"})


class RasterDensitySpec(Spec):
    """Weights on a grid of equal cells covering the city, from a CSV file."""

    kind: Literal["raster"]
    file: ScenarioFile = Field(description="CSV of non-negative weights, no header: the first row "
                      "is the northern edge of the city, the first column its western "
                      "edge; the cells divide the city evenly. Relative to the scenario "
                      "file.")



class ZoneSpec(Spec):
    """A zone where customers live: a circle or a polygon, with a weight."""

    centre: tuple[Distance, Distance] | None = Field(
        None, description="Circle: [x, y] of its centre.")
    radius: PosDistance | None = Field(None, description="Circle: its radius.")
    polygon: list[tuple[Distance, Distance]] | None = Field(
        None, min_length=3, max_length=10_000,
        description="Polygon: its corners [[x, y], ...] in order (instead of a circle).")
    weight: NonNegFloat = Field(1.0, description="Relative number of customers in the zone "
                                "(not per area).")

    @model_validator(mode="after")
    def _one_shape(self) -> ZoneSpec:
        circle = self.centre is not None or self.radius is not None
        if circle == (self.polygon is not None) or (circle and (self.centre is None
                                                                 or self.radius is None)):
            raise ValueError("a zone is a circle (centre and radius) or a polygon")
        return self


class ZonesDensitySpec(Spec):
    """Customers in listed zones (uniform inside each), plus a uniform background."""

    kind: Literal["zones"]
    zones: list[ZoneSpec] = Field(min_length=1, max_length=10_000,
                                  description="The zones (overlaps add up).")
    background: Probability = Field(0.0, description="Share of customers anywhere in the "
                                    "city, outside the zones' pattern.")


class PointsDensitySpec(Spec):
    """Customers at listed addresses, chosen by weight, from a CSV file."""

    kind: Literal["points"]
    file: ScenarioFile = Field(description="CSV with a header `x,y,weight` (metres in the city's "
                      "frame; weight >= 0). Relative to the scenario file.")



class CentresDensitySpec(Spec):
    """Population centres scattered over the city by the seed (not by the stores): each
    a normal cloud of customers, plus a uniform background."""

    kind: Literal["centres"]
    count: PosInt = Field(description="Number of population centres.")
    spread: PosDistance = Field(description="Standard deviation of a customer's position "
                                "around its centre, along each axis.")
    size_cv: NonNegFloat = Field(0.5, description="Coefficient of variation of the "
                                 "centres' sizes (lognormal; 0: all the same size).")
    background: Probability = Field(0.2, description="Share of customers anywhere in the "
                                    "city.")
    layout_seed: NonNegInt | None = Field(
        None, description="Seed of the centres' layout and sizes alone; none: the run's "
        "seed (each replication seed is a different city). Give one to keep the city "
        "fixed while replications vary who orders, when and what.")

    quiet_defaults: ClassVar[frozenset[str]] = frozenset({"layout_seed"})


DensitySpec = Annotated[RasterDensitySpec | ZonesDensitySpec | PointsDensitySpec
                        | CentresDensitySpec, Field(discriminator="kind")]


class CustomerSpec(Spec):
    """Where online customers are."""

    quiet_defaults: ClassVar[frozenset[str]] = frozenset({"density"})

    placement: Literal["uniform", "clustered", "density"] = Field(
        "clustered", description="`uniform` over the city; `clustered`: normal around "
        "the nodes, chosen by `demand_weight` (moves with the stores); `density`: drawn "
        "from `density`, the same customers whatever the stores.")
    density: DensitySpec | None = Field(
        None, description="Where people live and work, for `placement: density`.")
    spread: PosDistance = Field(
        metres("1500m"),
        description="Clustered placement: standard deviation of a customer's "
        "position around the node, along each axis (x and y drawn independently, so the "
        "mean distance to the node is about 1.25 x spread); positions outside the city "
        "are drawn again.")

    @model_validator(mode="after")
    def _density_given(self) -> CustomerSpec:
        if (self.placement == "density") != (self.density is not None):
            raise ScenarioError("placement: density needs a density, and a density needs "
                                "placement: density",
                                ("demand", "online", "customers", "density"))
        return self


class BasketSpec(Spec):
    """A basket: a number of distinct SKUs (lines), each with a quantity."""

    lines: NumberDist = Field(description="Distinct SKUs per basket (rounded, at least 1).")
    units_per_line: NumberDist = Field(number_default(1.0),
                                      description="Units per line (rounded, at least 1).")


class LogitChoiceSpec(Spec):
    """The chance a customer orders given the quoted minutes q, a logistic curve:
    ``1 / (1 + exp((q - half_at) / scale))``."""

    kind: Literal["logit"]
    half_at: PosDuration = Field(description="The quote at which half the customers "
                                 "order.")
    scale: PosDuration = Field(description="How fast the chance falls around `half_at` "
                               "(from 73% to 27% over two scales).")


class TableChoiceSpec(Spec):
    """The chance a customer orders given the quote, read off a table (linear between
    rows, flat beyond the first and last)."""

    kind: Literal["table"]
    points: list[tuple[NonNegDuration, Probability]] = Field(
        min_length=1, max_length=1000,
        description="[[quote, chance], ...] with quotes increasing, e.g. [[20min, 1], "
        "[45min, 0.8], [90min, 0.2]].")

    @model_validator(mode="after")
    def _increasing(self) -> TableChoiceSpec:
        quotes = [q for q, _ in self.points]
        if any(b <= a for a, b in pairwise(quotes)):
            raise ValueError("quotes must increase from row to row")
        return self


ChoiceSpec = Annotated[LogitChoiceSpec | TableChoiceSpec, Field(discriminator="kind")]


class OnlineDemandSpec(Spec):
    """Online orders over the whole city: a non-homogeneous Poisson process."""

    quiet_defaults: ClassVar[frozenset[str]] = frozenset({"choice", "patience"})

    orders_per_day: NonNegFloat = Field(description="Expected online orders per day "
                                        "over the whole city.")
    profile: Profile = Field(description="24 relative weights, one per hour of the day.")
    customers: CustomerSpec = Field(default_factory=CustomerSpec)
    basket: BasketSpec
    choice: ChoiceSpec | None = Field(
        None, description="Whether a customer still orders given the promise quoted "
        "(click to promised delivery); a customer who does not is rejected with reason "
        "`declined`. None: everyone orders whatever the quote.")
    patience: DurationDist | None = Field(
        None, description="How long a customer waits, from acceptance, for the order to "
        "leave the store with a courier; one that has not left by then is cancelled "
        "(reason `impatient`, stock back on the shelf). None: customers never cancel.")

    @model_validator(mode="after")
    def _profile_positive(self) -> OnlineDemandSpec:
        if self.orders_per_day > 0 and sum(self.profile) <= 0:
            raise ScenarioError("must have a positive weight",
                                ("demand", "online", "profile"))
        return self


class WalkinDemandSpec(Spec):
    """Walk-in shoppers at every store (each store's count is `walkins_per_day`)."""

    profile: Profile = Field(description="24 relative weights, one per hour of the day.")
    basket: BasketSpec


class DemandSpec(Spec):
    """Online and walk-in demand."""

    online: OnlineDemandSpec
    walkin: WalkinDemandSpec | None = None
