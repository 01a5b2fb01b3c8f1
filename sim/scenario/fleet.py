"""Scenario models of courier vehicles and fleets."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field

from sim.scenario.base import (
    Name,
    NonNegFloat,
    PosFloat,
    PosInt,
    Spec,
)
from sim.scenario.calendar import RosterSpec
from sim.scenario.distributions import DurationDist, DurationDistribution
from sim.scenario.json_schema import OneItem, shorthand
from sim.scenario.units import (
    NonNegDuration,
    PosDistance,
    Speed,
    seconds,
    show,
)


class VehicleSpec(Spec):
    """A courier vehicle type: how fast it goes, what it carries and how it moves.

    Road vehicles (e-bike, scooter, car, autonomous van) follow the road network; drones
    fly in straight lines at their own speed, one order per flight, within a maximum range
    per flight, and need a battery swap at the store after each flight.
    """

    speed: Speed = Field(description="Average riding speed on the road network, or flying "
                         "speed of a drone.")
    capacity: PosInt = Field(1, description="Orders carried at once.")
    max_weight_kg: PosFloat | None = Field(
        None, description="Payload limit of one trip in kg (the orders' summed weight, "
        "from `catalog.weight_kg`); none: unlimited. Delivery drones carry about 1 to 4 kg "
        "(operators' own figures: Wing 2.5 lb = 1.1 kg, its 2024 aircraft 5 lb = 2.3 kg; "
        "Zipline P2 8 lb = 3.6 kg; see docs/routing.md).")
    max_volume_litres: PosFloat | None = Field(
        None, description="Payload limit of one trip in litres (the orders' summed volume, "
        "from `catalog.volume_litres`); none: unlimited.")
    kind: Literal["road", "drone"] = Field(
        "road", description="road: follows the road network; drone: flies in a straight "
        "line, one order per flight.")
    max_range: PosDistance | None = Field(
        None, description="Longest trip (out and back) on one charge; none: unlimited.")
    swap_time: NonNegDuration = Field(
        0.0, description="Battery swap or turnaround at the store after each trip.")
    hour_cost: NonNegFloat | None = Field(
        None, description="Cost per courier-hour on duty with this vehicle; none: "
        "economics.courier_hour.")
    km_cost: NonNegFloat | None = Field(
        None, description="Cost per kilometre ridden or flown; none: economics.courier_km.")
    day_cost: NonNegFloat | None = Field(
        None, description="Fixed cost per vehicle of the fleet per day of the measured "
        "window (owned vehicles: drones, vans; depreciation, insurance); none: 0.")

    quiet_defaults: ClassVar[frozenset[str]] = frozenset({"hour_cost", "km_cost",
                                                          "day_cost", "max_weight_kg",
                                                          "max_volume_litres"})



ServiceTime = Annotated[NonNegDuration | DurationDist, Field(union_mode="left_to_right")]
"""A handling time: fixed (a duration) or random (a duration distribution, drawn each time).

A fixed duration stays a plain number, so scenarios that write one resolve as before."""


def expected(value: float | DurationDistribution) -> float:
    """The mean of a :data:`ServiceTime` (the value itself when fixed)."""
    return value.exact_mean if isinstance(value, DurationDistribution) else float(value)


class FleetSpec(Spec):
    """The couriers based at a node."""

    count: RosterSpec = Field(
        description="Couriers on duty: a count all day, shifts [{start, end, count}] or "
        "{hourly: [24 counts]}; a courier going off shift finishes the trip in progress.")
    vehicle: Name = Field(description="Name of a vehicle type in `vehicles`.")
    pickup_time: ServiceTime = Field(
        seconds("1min"), description="Handover at the node per trip: a duration, or a "
        "duration distribution drawn per trip (planners plan on its mean).")
    dropoff_time: ServiceTime = Field(
        seconds("2min"),
        description="Time at the customer's door per order (park, walk, hand over): a "
        "duration, or a duration distribution drawn per order (planners plan on its mean).")

    @property
    def pickup_mean(self) -> float:
        """Expected hand-over at the node per trip (what planners and predictors use)."""
        return expected(self.pickup_time)

    @property
    def dropoff_mean(self) -> float:
        """Expected time at the customer's door per order."""
        return expected(self.dropoff_time)


@shorthand(OneItem())
def _fleet_list(value: Any) -> Any:
    """``couriers`` may be one fleet (a mapping) or a list of fleets: always a list."""
    if isinstance(value, dict | FleetSpec):
        return [value]
    if not isinstance(value, list | tuple):
        raise ValueError(f"must be a fleet (a mapping) or a list of fleets (got {show(value)})")
    return value


Fleets = Annotated[list[FleetSpec], Field(min_length=1), BeforeValidator(_fleet_list)]
"""A store's fleets: one mapping (as before) or a list of mappings, held as a list."""
