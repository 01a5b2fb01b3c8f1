"""The scenario schema: typed, validated, immutable models of a scenario file.

Everything a run needs is here and nothing else travels past :mod:`sim.scenario`: the
model packages read these frozen models, never raw dicts. Values are in SI units
(seconds, metres, metres per second) once validated; see :mod:`sim.scenario.units`.
Unknown keys are errors. Cross-field checks raise :class:`ScenarioError` with the path of
the offending field.

Policies are selected by ``policy: name``; each policy has its own parameter model and
the unions below grow as policies are added.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sim.scenario.distributions import DurationDist, NumberDist
from sim.scenario.errors import ScenarioError, did_you_mean
from sim.scenario.units import (
    Distance,
    NonNegDuration,
    PosDistance,
    PosDuration,
    Speed,
    TimeOfDay,
)

NonNegInt = Annotated[int, Field(ge=0)]
PosInt = Annotated[int, Field(ge=1)]
NonNegFloat = Annotated[float, Field(ge=0)]
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


class Spec(BaseModel):
    """Base of every scenario model: immutable, unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


# --------------------------------------------------------------------------- run window


class RunSpec(Spec):
    """The simulated period and the window in which performance is measured."""

    start: TimeOfDay = Field(0.0, description="Time of day the run starts (clock time).")
    duration: PosDuration = Field(86400.0, description="How long new demand arrives.")
    warmup: NonNegDuration = Field(
        1800.0, description="Start of the run excluded from the metrics (empty-system bias).")
    drain: NonNegDuration = Field(
        3600.0, description="Time after the last arrival to finish orders still in progress.")

    @model_validator(mode="after")
    def _warmup_inside(self) -> RunSpec:
        if self.warmup >= self.duration:
            raise ScenarioError("must be shorter than run.duration", ("run", "warmup"))
        return self

    @property
    def end(self) -> float:
        """Clock time at which arrivals stop."""
        return self.start + self.duration

    @property
    def stop(self) -> float:
        """Clock time at which the simulation stops."""
        return self.end + self.drain

    @property
    def measured(self) -> tuple[float, float]:
        """The measured window ``[start + warmup, end)`` in clock seconds."""
        return (self.start + self.warmup, self.end)


# --------------------------------------------------------------------------- city


class GridNetworkSpec(Spec):
    """A Manhattan grid of two-way streets covering the city."""

    kind: Literal["grid"]
    block: PosDistance = Field(200.0, description="Distance between parallel streets.")


class GraphmlNetworkSpec(Spec):
    """A road network from a GraphML file: node ``x``/``y`` in metres, edge ``length`` in
    metres and optionally ``maxspeed`` in km/h."""

    kind: Literal["graphml"]
    file: str = Field(description="Path to the GraphML file, relative to the scenario file.")

    @field_validator("file")
    @classmethod
    def _resolve(cls, value: str, info: ValidationInfo) -> str:
        base = (info.context or {}).get("base_dir")
        path = Path(value) if base is None else Path(base) / value
        if not path.is_file():
            raise ValueError(f"file not found: {path}")
        return str(path.resolve())


NetworkSpec = Annotated[GridNetworkSpec | GraphmlNetworkSpec, Field(discriminator="kind")]


class CitySpec(Spec):
    """The service area: a rectangle [0, width] x [0, height] and its road network."""

    width: PosDistance
    height: PosDistance
    network: NetworkSpec = Field(default_factory=lambda: GridNetworkSpec(kind="grid"))


# --------------------------------------------------------------------------- vehicles


class VehicleSpec(Spec):
    """A courier vehicle type: how fast it goes, what it carries and how it moves.

    Road vehicles (e-bike, scooter, car, autonomous van) follow the road network; drones
    fly in straight lines at their own speed, one order per flight, within a maximum range
    per flight, and need a battery swap at the store after each flight.
    """

    speed: Speed = Field(description="Average riding speed on the road network, or flying "
                         "speed of a drone.")
    capacity: PosInt = Field(1, description="Orders carried at once.")
    kind: Literal["road", "drone"] = Field(
        "road", description="road: follows the road network; drone: flies in a straight "
        "line, one order per flight.")
    max_range: PosDistance | None = Field(
        None, description="Longest trip (out and back) on one charge; none: unlimited.")
    swap_time: NonNegDuration = Field(
        0.0, description="Battery swap or turnaround at the store after each trip.")



class FleetSpec(Spec):
    """The couriers based at a node."""

    count: NonNegInt = Field(description="Number of couriers.")
    vehicle: Name = Field(description="Name of a vehicle type in `vehicles`.")
    pickup_time: NonNegDuration = Field(60.0, description="Handover at the node per trip.")
    dropoff_time: NonNegDuration = Field(
        120.0, description="Time at the customer's door per order (park, walk, hand over).")


def _fleet_list(value: Any) -> Any:
    """``couriers`` may be one fleet (a mapping) or a list of fleets: always a list."""
    if isinstance(value, dict | FleetSpec):
        return [value]
    if not isinstance(value, list | tuple):
        raise ValueError(f"must be a fleet (a mapping) or a list of fleets (got {value!r})")
    return value


Fleets = Annotated[list[FleetSpec], Field(min_length=1), BeforeValidator(_fleet_list)]
"""A store's fleets: one mapping (as before) or a list of mappings, held as a list."""

# --------------------------------------------------------------------------- stores


class StockSpec(Spec):
    """Initial shelf stock of every SKU at a store."""

    cover_days: NonNegFloat = Field(
        1.0, description="Initial units = cover_days x the store's expected daily demand.")
    min_units: NonNegInt = Field(2, description="At least this many units of every SKU.")
    unlimited: bool = Field(False, description="Never run out (for capacity studies).")


class StoreSpec(Spec):
    """A store that serves walk-in shoppers and online orders from the same shelves."""

    name: Name
    location: tuple[Distance, Distance] = Field(description="[x, y] in the city.")
    pickers: PosInt = Field(description="Pickers on shift (each picks and packs one order).")
    pick_time_per_order: DurationDist = Field(description="Fixed time per order (walk, scan).")
    pick_time_per_item: DurationDist = Field(description="Time per unit picked.")
    pack_time: DurationDist = Field(0.0, description="Packing time per order.")
    couriers: Fleets = Field(description="The store's couriers: one fleet, or a list of "
                             "fleets with different vehicles (e.g. e-bikes and drones).")
    stock: StockSpec = Field(default_factory=StockSpec)
    walkins_per_day: NonNegFloat = Field(0.0, description="Walk-in shoppers per day.")
    demand_weight: NonNegFloat = Field(
        1.0, description="Relative weight of online customers clustered around this store.")

    @property
    def fleets(self) -> tuple[FleetSpec, ...]:
        """The store's fleets (``couriers`` is written as one fleet or a list)."""
        return tuple(self.couriers)


def _optional(f: Any) -> Any:
    """The type of field ``f`` with its constraints, validators and discriminator, or None."""
    meta = list(f.metadata)
    if f.discriminator is not None:  # the discriminator must wrap the bare union first
        meta.insert(0, Field(discriminator=f.discriminator))
    inner = Annotated[(f.annotation, *meta)] if meta else f.annotation
    return inner | None


def _optional_fields(model: type[Spec], name: str) -> type[Spec]:
    """A copy of ``model`` whose every field is optional: the shape of ``store_defaults``."""
    from pydantic import create_model

    fields: dict[str, Any] = {
        k: (_optional(f), Field(None, description=f.description))
        for k, f in model.model_fields.items() if k != "name"
    }
    return create_model(name, __base__=Spec, __doc__=model.__doc__, **fields)


if TYPE_CHECKING:
    StoreDefaults = Spec
else:
    StoreDefaults = _optional_fields(StoreSpec, "StoreDefaults")


# --------------------------------------------------------------------------- demand

Profile = Annotated[list[NonNegFloat], Field(min_length=24, max_length=24)]


def _flat(value: Any) -> Any:
    """``profile: flat`` means the same weight in every hour."""
    return [1.0] * 24 if value == "flat" else value


class CatalogSpec(Spec):
    """The SKUs sold, with Zipf-like popularity p_i proportional to 1 / i^exponent."""

    skus: PosInt
    zipf_exponent: NonNegFloat = 1.0


class CustomerSpec(Spec):
    """Where online customers are."""

    placement: Literal["uniform", "clustered"] = "clustered"
    spread: PosDistance = Field(
        1500.0, description="Standard deviation of the distance from the store area centre "
        "(clustered placement).")


class BasketSpec(Spec):
    """A basket: a number of distinct SKUs (lines), each with a quantity."""

    lines: NumberDist = Field(description="Distinct SKUs per basket (rounded, at least 1).")
    units_per_line: NumberDist = Field(1.0, description="Units per line (rounded, at least 1).")


class OnlineDemandSpec(Spec):
    """Online orders over the whole city: a non-homogeneous Poisson process."""

    orders_per_day: NonNegFloat
    profile: Profile = Field(description="24 relative weights, one per hour of the day.")
    customers: CustomerSpec = Field(default_factory=CustomerSpec)
    basket: BasketSpec

    @field_validator("profile", mode="before")
    @classmethod
    def _flat_profile(cls, value: Any) -> Any:
        return _flat(value)

    @model_validator(mode="after")
    def _profile_positive(self) -> OnlineDemandSpec:
        if self.orders_per_day > 0 and sum(self.profile) <= 0:
            raise ScenarioError("must have a positive weight",
                                ("demand", "online", "profile"))
        return self


class WalkinDemandSpec(Spec):
    """Walk-in shoppers at every store (each store's count is `walkins_per_day`)."""

    profile: Profile
    basket: BasketSpec

    @field_validator("profile", mode="before")
    @classmethod
    def _flat_profile(cls, value: Any) -> Any:
        return _flat(value)


class DemandSpec(Spec):
    """Online and walk-in demand."""

    online: OnlineDemandSpec
    walkin: WalkinDemandSpec | None = None


# --------------------------------------------------------------------------- policies


class FixedPromise(Spec):
    """Accept an order when a node within the radius can serve it."""

    policy: Literal["fixed"]
    window: PosDuration = Field(1800.0, description="The delivery promise (click to door).")
    radius: PosDistance = Field(3000.0, description="Straight-line service radius of a node.")


PromiseSpec = Annotated[FixedPromise, Field(discriminator="policy")]


class NearestAssignment(Spec):
    """Assign to the node nearest by road that has the whole basket in stock."""

    policy: Literal["nearest"]


AssignmentSpec = Annotated[NearestAssignment, Field(discriminator="policy")]


class ImmediateDispatch(Spec):
    """Send each ready order at once with the nearest idle courier; one order per trip."""

    policy: Literal["immediate"]


class PlannedDispatch(Spec):
    """Parameters shared by the dispatch policies that solve a routing problem.

    Costs are in courier-minutes: a minute of a courier's trip costs 1.
    """

    policy: str  # each policy narrows it to its Literal tag (kept first for error hints)
    max_orders_per_trip: PosInt = Field(
        3, description="Orders per trip at most (the vehicle's capacity caps it too).")
    solver: Literal["ortools", "pyvrp", "insertion"] = Field(
        "ortools", description="Routing solver (see docs/routing.md).")
    effort: PosInt | None = Field(
        None, description="Deterministic search effort per solve: OR-Tools improving "
        "moves at most (default 100; it stops earlier at a local optimum), PyVRP "
        "iterations (default 200); unused by insertion.")
    time_cap: PosDuration = Field(
        10.0, description="Wall-clock safety cap per solve; when it stops a search the "
        "dispatch row says capped (and the run is no longer reproducible).")
    lateness_cost: NonNegFloat = Field(
        10.0, description="Cost of one minute past the promise, in courier-minutes.")
    km_cost: NonNegFloat = Field(0.0, description="Cost of one km, in courier-minutes.")
    delay_cost: NonNegFloat = Field(
        2.0, description="Cost of one minute an order is delivered later than it could "
        "be (sent alone at once), in courier-minutes: the price of holding orders to "
        "batch them.")
    postpone_cost: NonNegFloat = Field(
        60.0, description="Cost of leaving a ready order for a later dispatch, in "
        "courier-minutes (on top of the trip it will need and the lateness it may add).")


class BatchDispatch(PlannedDispatch):
    """Every ``window``, solve a VRP over the ready (and soon-ready) orders of a node and
    its idle (and soon-idle) couriers; start the trips that can start now."""

    policy: Literal["batch"]
    window: PosDuration = Field(60.0, description="Time between two dispatches.")
    lookahead: NonNegDuration | None = Field(
        None, description="Also plan couriers free within this time (default: the "
        "window); the plan may keep an order for one of them.")
    soon_ready: NonNegDuration = Field(
        0.0, description="Also plan orders expected ready within this time (the plan may "
        "hold a ready order to batch it with one); 0: ready orders only.")


class RollingHorizonDispatch(PlannedDispatch):
    """Re-plan on every order arrival, order ready and courier return (legs already
    started are kept); start the trips that can start now, postpone the rest."""

    policy: Literal["rolling_horizon"]
    lookahead: NonNegDuration = Field(
        300.0, description="Also plan couriers free within this time.")
    soon_ready: NonNegDuration = Field(
        0.0, description="Also plan orders expected ready within this time (the plan may "
        "hold a ready order to batch it with one); 0: ready orders only.")
    recheck: PosDuration = Field(
        30.0, description="Re-plan at least this often while orders wait and couriers "
        "are free.")


class CheapestInsertionDispatch(Spec):
    """Insert each ready order where it adds least cost into a trip being loaded at the
    node (or open one on an idle courier); a trip leaves when full, when its first order
    has waited ``max_hold``, or when waiting longer would break a promise."""

    policy: Literal["cheapest_insertion"]
    max_orders_per_trip: PosInt = Field(3, description="Orders per trip at most.")
    max_hold: NonNegDuration = Field(
        120.0, description="Longest a trip waits for more orders after its first order.")
    lateness_cost: NonNegFloat = Field(
        10.0, description="Cost of one minute past the promise, in courier-minutes.")
    km_cost: NonNegFloat = Field(0.0, description="Cost of one km, in courier-minutes.")


DispatchSpec = Annotated[
    ImmediateDispatch | BatchDispatch | RollingHorizonDispatch | CheapestInsertionDispatch,
    Field(discriminator="policy")]


# --------------------------------------------------------------------------- scenario


class Scenario(Spec):
    """A city's fulfilment day: nodes, fleet, demand and the policies under test."""

    name: Name
    description: str = ""
    seed: NonNegInt = Field(0, description="Root random seed (overridden by --seed).")
    sim_version: str | None = Field(
        None, description="Package version that wrote a resolved scenario (informational).")
    run: RunSpec = Field(default_factory=RunSpec)
    city: CitySpec
    catalog: CatalogSpec
    demand: DemandSpec
    promise: PromiseSpec = Field(default_factory=lambda: FixedPromise(policy="fixed"))
    assignment: AssignmentSpec = Field(
        default_factory=lambda: NearestAssignment(policy="nearest"))
    dispatch: DispatchSpec = Field(default_factory=lambda: ImmediateDispatch(policy="immediate"))
    vehicles: dict[Name, VehicleSpec] = Field(min_length=1)
    store_defaults: StoreDefaults | None = Field(
        None, description="Fields shared by every store; a store's own value wins.")
    stores: list[StoreSpec] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _apply_store_defaults(cls, data: Any) -> Any:
        return with_store_defaults(data)

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        for name, vehicle in self.vehicles.items():
            if vehicle.kind == "drone" and vehicle.capacity != 1:
                raise ScenarioError(
                    f"a drone carries one order per flight (got {vehicle.capacity})",
                    ("vehicles", name, "capacity"))
        seen: set[str] = set()
        for i, store in enumerate(self.stores):
            if store.name in seen:
                raise ScenarioError(f"duplicate store name '{store.name}'", ("stores", i, "name"))
            seen.add(store.name)
            x, y = store.location
            if not (0 <= x <= self.city.width and 0 <= y <= self.city.height):
                raise ScenarioError(
                    f"({x:g} m, {y:g} m) is outside the city "
                    f"({self.city.width:g} m x {self.city.height:g} m)",
                    ("stores", i, "location"))
            for k, fleet in enumerate(store.fleets):
                if fleet.vehicle not in self.vehicles:
                    index = (k,) if len(store.fleets) > 1 else ()
                    where = ("stores", i, "couriers", *index, "vehicle")
                    raise ScenarioError(
                        f"unknown vehicle '{fleet.vehicle}'"
                        + did_you_mean(fleet.vehicle, self.vehicles)
                        + f"; defined: {', '.join(self.vehicles)}", where)
        return self


def with_store_defaults(data: Any) -> Any:
    """The raw scenario mapping with ``store_defaults`` merged into every store."""
    if not isinstance(data, dict):
        return data
    defaults = data.get("store_defaults")
    stores = data.get("stores")
    if isinstance(defaults, dict) and isinstance(stores, list):
        data = dict(data)
        data["stores"] = [_merge(defaults, s) if isinstance(s, dict) else s for s in stores]
    return data


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge two mappings; values in ``over`` win, ``None`` in ``base`` is skipped."""
    out = {k: v for k, v in base.items() if v is not None}
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out
