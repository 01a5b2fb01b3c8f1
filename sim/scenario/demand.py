"""Scenario models of demand: the catalogue, customers, baskets, online and walk-in demand."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.scenario.base import (
    Name,
    NonNegFloat,
    PosFloat,
    PosInt,
    Profile,
    Spec,
)
from sim.scenario.distributions import NumberDist, number_default
from sim.scenario.errors import ScenarioError
from sim.scenario.units import (
    PosDistance,
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


class CustomerSpec(Spec):
    """Where online customers are."""

    placement: Literal["uniform", "clustered"] = Field(
        "clustered", description="`uniform` over the city, or `clustered`: normal around "
        "the nodes, chosen by `demand_weight`.")
    spread: PosDistance = Field(
        metres("1500m"),
        description="Clustered placement: standard deviation of a customer's "
        "position around the node, along each axis (x and y drawn independently, so the "
        "mean distance to the node is about 1.25 x spread); positions outside the city "
        "are drawn again.")


class BasketSpec(Spec):
    """A basket: a number of distinct SKUs (lines), each with a quantity."""

    lines: NumberDist = Field(description="Distinct SKUs per basket (rounded, at least 1).")
    units_per_line: NumberDist = Field(number_default(1.0),
                                      description="Units per line (rounded, at least 1).")


class OnlineDemandSpec(Spec):
    """Online orders over the whole city: a non-homogeneous Poisson process."""

    orders_per_day: NonNegFloat = Field(description="Expected online orders per day "
                                        "over the whole city.")
    profile: Profile = Field(description="24 relative weights, one per hour of the day.")
    customers: CustomerSpec = Field(default_factory=CustomerSpec)
    basket: BasketSpec

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
