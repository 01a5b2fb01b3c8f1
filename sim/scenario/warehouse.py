"""Scenario models of robot warehouses (goods-to-person robotic mobile fulfilment).

A warehouse is a fulfilment node of the city: a grid of 1 m cells with pods of SKUs in
storage blocks, picking stations with a queue lane each, chargers and robots that carry
pods to the stations. It serves the online orders the assignment policy gives it, its
own parcel orders (e-commerce shipped by carrier) and store replenishment.

:mod:`sim.scenario.schema` assembles the whole scenario from this module and the
other concept modules; this one builds on :mod:`sim.scenario.base`, :mod:`.fleet` and
:mod:`.demand` only (the ``Scenario`` type of the cross-field check is an annotation).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import (
    BeforeValidator,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from sim.scenario.base import Name, NonNegFloat, NonNegInt, PosFloat, PosInt, Profile, Spec
from sim.scenario.calendar import RosterSpec
from sim.scenario.demand import BasketSpec
from sim.scenario.distributions import (
    DurationDist,
    NumberDist,
    duration_default,
    number_default,
)
from sim.scenario.errors import FieldError, ScenarioError
from sim.scenario.files import ScenarioFile
from sim.scenario.fleet import FleetSpec
from sim.scenario.json_schema import BareTag, shorthand
from sim.scenario.units import (
    Distance,
    NonNegDistance,
    NonNegDuration,
    PosDuration,
    Speed,
    finite_number,
    metres,
    metres_per_second,
    seconds,
    show,
)

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

Fraction = Annotated[float, Field(gt=0, le=1, allow_inf_nan=False),
                     BeforeValidator(finite_number)]
ShareBelowOne = Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False),
                          BeforeValidator(finite_number)]

_ACCEL = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*"
                    r"(?:m/s2|m/s\^2|m/s²|mps2)?\s*$")


def parse_acceleration(value: Any) -> float:
    """Metres per second squared from ``0.5``, ``"0.5m/s2"`` or ``"0.5 m/s^2"``."""
    if isinstance(value, bool):
        raise ValueError("expected an acceleration, got a boolean")
    if isinstance(value, int | float):
        return float(finite_number(value))
    if isinstance(value, str):
        m = _ACCEL.match(value)
        if m:
            return float(finite_number(m.group(1)))
    raise ValueError(f"invalid acceleration {show(value)}: expected e.g. '0.5m/s2'")


Acceleration = Annotated[
    float,
    BeforeValidator(parse_acceleration),
    WithJsonSchema({"anyOf": [{"type": "number"},
                              {"type": "string", "description": "m/s2, e.g. '0.5m/s2'"}]}),
    Field(gt=0),
]


def _tagged(key: str) -> Any:
    """Let a bare name stand for ``{key: name}`` (``pod_return: nearest``)."""

    @shorthand(BareTag(key))
    def wrap(value: Any) -> Any:
        return {key: value} if isinstance(value, str) else value

    return BeforeValidator(wrap)


# --------------------------------------------------------------------------- layout

Side = Literal["west", "east", "south", "north"]


class GeneratedLayout(Spec):
    """A rectangular storage area of pod blocks between aisles, stations on its sides.

    Blocks of ``block[0] x block[1]`` pods are separated by one-cell aisles and ringed by
    one; stations are bays outside the ring on ``station_sides``: a straight queue lane of
    ``lane`` cells ending at the pick cell, and beside it a one-way exit row back to the
    ring. Bays sit at the ends of aisles whose traffic flows toward their side where
    there are enough such aisles (robots then drive straight into the lane). Chargers sit
    outside the ring on the first side without stations (north, south, east, west), or in
    the gaps between bays.
    """

    kind: Literal["generated"]
    blocks: tuple[PosInt, PosInt] = Field(
        (4, 3), description="Storage blocks along x (west-east) and y (south-north).")
    block: tuple[PosInt, PosInt] = Field(
        (5, 2), description="Pods per block along x and y; a block two pods deep lets "
        "every pod touch an aisle.")
    stations: PosInt = Field(2, description="Picking stations, dealt round the sides.")
    station_sides: Annotated[list[Side], Field(min_length=1, max_length=4)] = Field(
        default_factory=lambda: list[Side](["west", "east"]),
        description="Sides of the storage area that have stations.")
    lane: PosInt = Field(5, description="Cells of a station's queue lane including the pick "
                         "cell: robots a station can hold at once.")
    chargers: NonNegInt = Field(2, description="Charging spots.")
    fill: Fraction = Field(0.85, description="Share of storage spots holding a pod at the "
                           "start (the rest are free for returns).")
    one_way: bool = Field(True, description="One-way aisles (alternating, with a "
                          "counter-clockwise ring), as Kiva-style layouts use.")

    @model_validator(mode="after")
    def _distinct_sides(self) -> GeneratedLayout:
        if len(set(self.station_sides)) != len(self.station_sides):
            raise FieldError("sides must not repeat", "station_sides")
        if self.block[1] > 2 and self.block[0] > 2:
            raise FieldError(
                "blocks more than 2 pods deep in both directions leave pods with no aisle "
                "next to them", "block")
        return self


class MapLayout(Spec):
    """A layout drawn as text, one character per 1 m cell, the first line the north edge.

    ``.`` aisle (two-way), ``>`` ``<`` ``^`` ``v`` one-way aisle (direction of travel),
    ``#`` wall, ``p`` storage spot with a pod, ``o`` empty storage spot, ``P`` pick cell of
    a station, ``q`` queue cell (a straight line of them from a ``P`` is its lane; robots
    enter at the far end), ``C`` charger.
    """

    kind: Literal["map"]
    file: ScenarioFile | None = Field(None, description="Map file, relative to the scenario file.")
    text: str | None = Field(None, description="The map itself (instead of a file).")


    @model_validator(mode="after")
    def _one_source(self) -> MapLayout:
        if (self.file is None) == (self.text is None):
            raise FieldError("give either file or text (exactly one)", "file")
        return self


LayoutSpec = Annotated[GeneratedLayout | MapLayout, Field(discriminator="kind")]


# --------------------------------------------------------------------------- robots


class BatterySpec(Spec):
    """A robot's battery: drains by distance and load, charged at a charging spot."""

    capacity: PosFloat = Field(400.0, description="Usable energy (Wh).")
    use_empty: NonNegFloat = Field(0.05, description="Energy per metre driven empty (Wh/m).")
    use_loaded: NonNegFloat = Field(0.08, description="Energy per metre carrying a pod (Wh/m).")
    charge_power: PosFloat = Field(800.0, description="Charging power (W).")
    recharge_below: ShareBelowOne = Field(
        0.3, description="A robot that finishes a task below this share of capacity charges.")
    charge_to: Fraction = Field(0.95, description="Share of capacity a robot charges up to.")
    initial: NumberDist = Field(
        number_default({"dist": "uniform", "low": 0.6, "high": 1.0}),
        description="Share of capacity at the start, a number distribution (spreads the "
        "first charges).")

    @model_validator(mode="after")
    def _order(self) -> BatterySpec:
        if self.charge_to <= self.recharge_below:
            raise FieldError("must be above recharge_below", "charge_to")
        return self


class BreakdownSpec(Spec):
    """Random robot failures: exponential driving time between failures, then repair."""

    mtbf: PosDuration = Field(description="Mean driving time between failures.")
    repair: DurationDist = Field(description="Time to repair a failed robot where it stands.")


class RobotSpec(Spec):
    """The robots (drive units) of a warehouse."""

    count: PosInt = Field(description="Number of robots.")
    speed: Speed = Field(metres_per_second("1.5m/s"), description="Top speed.")
    acceleration: Acceleration = Field(0.5, description="Acceleration and deceleration (m/s2).")
    turn_time: NonNegDuration = Field(
        seconds("1s"), description="Time to turn 90 degrees in place.")
    lift_time: NonNegDuration = Field(seconds("3s"), description="Time to lift a pod.")
    set_down_time: NonNegDuration = Field(seconds("3s"), description="Time to set a pod down.")
    battery: BatterySpec | None = Field(default_factory=BatterySpec,
                                        description="null: no battery model.")
    breakdowns: BreakdownSpec | None = Field(None, description="null: robots never fail.")


# --------------------------------------------------------------------------- stations, pods


class WhStationSpec(Spec):
    """Every picking station of a warehouse: one picker each."""

    pick_time_per_item: DurationDist = Field(duration_default("10s"),
                                            description="Picker's time per unit.")
    order_slots: PosInt = Field(8, description="Orders open at a station at once (order "
                                "bins of its put wall).")
    robots: PosInt | None = Field(
        None, description="Robots assigned to a station at once (on the way, waiting for "
        "room in its lane, in the lane); default: twice the lane length.")
    pack_time: DurationDist = Field(
        duration_default(0.0), description="Packing after an order's last pick (off the "
        "station, unlimited packers).")
    pickers: RosterSpec | None = Field(
        None, description="Station pickers on duty, each staffing one station (the lowest "
        "numbered first; more pickers than stations staff every station): a count, shifts "
        "or {hourly: [...]}. A station whose picker goes off shift takes no new order and "
        "closes once its open orders are picked; its closed time counts as idle in the "
        "station time shares. none: every station staffed all day.")

    quiet_defaults: ClassVar[frozenset[str]] = frozenset({"pickers"})


class PodSpec(Spec):
    """Pods and the SKUs on them."""

    skus_per_pod: PosInt = Field(10, description="Slots per pod, one SKU each.")
    units_per_slot: PosInt = Field(20, description="Units of its SKU a slot holds at the start.")
    assignment: Literal["random", "class"] = Field(
        "random", description="random: SKUs dealt to pods at random, pods placed at random; "
        "class: popular SKUs on class-A pods stored nearest the stations.")
    classes: Annotated[list[Fraction], Field(min_length=1)] = Field(
        default_factory=lambda: [0.2, 0.3, 0.5],
        description="Popularity classes: shares of SKUs (most popular first) and of "
        "storage spots (nearest the stations first).")

    @field_validator("classes")
    @classmethod
    def _sum_one(cls, value: list[float]) -> list[float]:
        if abs(sum(value) - 1.0) > 1e-6:
            raise ValueError(f"must add up to 1 (got {sum(value):g})")
        return value


# --------------------------------------------------------------------------- policies


class EarliestDueSequence(Spec):
    """Open the backlog order due first (online 30-minute orders before parcels)."""

    policy: Literal["earliest_due"]


class FifoSequence(Spec):
    """Open backlog orders first come, first served."""

    policy: Literal["fifo"]


class LeastLoadedStation(Spec):
    """Send an order to the station with a free slot and the fewest units left to pick."""

    policy: Literal["least_loaded"]


class RandomStationSpec(Spec):
    """Send an order to a station with a free slot chosen at random."""

    policy: Literal["random"]


class PodMatchStation(Spec):
    """Send an order to the station whose incoming pods hold most of its lines."""

    policy: Literal["pod_match"]


class MostLinesPod(Spec):
    """Bring the pod that fills most of the station's waiting lines (then the nearest)."""

    policy: Literal["most_lines"]
    candidates: PosInt = Field(6, description="Pods looked at per waiting SKU.")
    oldest: PosInt = Field(4, description="Candidates come from the SKUs of this many "
                           "oldest waiting lines (all waiting lines count in the score).")


class NearestPodSpec(Spec):
    """Bring the pod nearest the station holding the station's oldest waiting line."""

    policy: Literal["nearest"]
    candidates: PosInt = Field(6, description="Pods looked at for the line.")


class NearestIdleRobot(Spec):
    """Give a pod trip to the idle robot nearest the pod."""

    policy: Literal["nearest_idle"]


class LongestIdleRobot(Spec):
    """Give a pod trip to the robot idle the longest."""

    policy: Literal["longest_idle"]


class NearestReturnSpec(Spec):
    """Return a pod to the free storage spot nearest the station it leaves."""

    policy: Literal["nearest"]


class OriginalReturnSpec(Spec):
    """Return a pod to the spot it came from (kept free for it)."""

    policy: Literal["original"]


class ClassReturnSpec(Spec):
    """Return a pod to the free spot nearest the station within its class zone."""

    policy: Literal["class"]


SequenceSpec = Annotated[EarliestDueSequence | FifoSequence, Field(discriminator="policy"),
                         _tagged("policy")]
OrderStationSpec = Annotated[LeastLoadedStation | RandomStationSpec | PodMatchStation,
                             Field(discriminator="policy"), _tagged("policy")]
PodSelectionSpec = Annotated[MostLinesPod | NearestPodSpec, Field(discriminator="policy"),
                             _tagged("policy")]
TaskAllocationSpec = Annotated[NearestIdleRobot | LongestIdleRobot,
                               Field(discriminator="policy"), _tagged("policy")]
PodReturnSpec = Annotated[NearestReturnSpec | OriginalReturnSpec | ClassReturnSpec,
                          Field(discriminator="policy"), _tagged("policy")]


class WarehousePolicies(Spec):
    """The warehouse's decision rules, each chosen by name."""

    sequence: SequenceSpec = Field(
        default_factory=lambda: EarliestDueSequence(policy="earliest_due"),
        description="Which backlog order a free station slot takes.")
    order_station: OrderStationSpec = Field(
        default_factory=lambda: LeastLoadedStation(policy="least_loaded"),
        description="Which station an order goes to.")
    pod_selection: PodSelectionSpec = Field(
        default_factory=lambda: MostLinesPod(policy="most_lines"),
        description="Which pod a station gets next.")
    task_allocation: TaskAllocationSpec = Field(
        default_factory=lambda: NearestIdleRobot(policy="nearest_idle"),
        description="Which robot fetches a pod.")
    pod_return: PodReturnSpec = Field(
        default_factory=lambda: NearestReturnSpec(policy="nearest"),
        description="Where a pod goes back to.")


# --------------------------------------------------------------------------- traffic


class AbstractTrafficSpec(Spec):
    """Travel time from the Manhattan distance with the kinematics; robots never block."""

    mode: Literal["abstract"]


class GridTrafficSpec(Spec):
    """Robots reserve cells in space and time along their paths (no two in a cell)."""

    mode: Literal["grid"]
    tick: PosDuration = Field(seconds("0.1s"), description="Time step of the reservation table.")
    stage_beyond: NonNegDistance = Field(
        metres("30m"), description="A robot bringing a pod from farther than this (path length) "
        "first waits on the free storage spot nearest the station, and claims a cell of "
        "the station's lane only from there.")
    stuck_limit: PosDuration = Field(
        seconds("2h"), description="A robot unable to move for this long fails the run with a "
        "diagnosis (a deadlock that resolution could not clear).")


TrafficSpec = Annotated[AbstractTrafficSpec | GridTrafficSpec, Field(discriminator="mode"),
                        _tagged("mode")]


# --------------------------------------------------------------------------- demand, supply


class ParcelDemandSpec(Spec):
    """The warehouse's own e-commerce orders, shipped by carrier (no courier leg)."""

    orders_per_day: NonNegFloat = Field(description="Expected parcel orders per day.")
    profile: Profile = Field(description="24 relative weights, one per hour of the day.")
    basket: BasketSpec
    due: PosDuration = Field(seconds("4h"), description="Time from arrival to the carrier "
                             "cut-off (the due time for earliest_due sequencing).")


class SupplySpec(Spec):
    """Store replenishment from this warehouse (it is a `Supplier`)."""

    lead_time: DurationDist = Field(
        duration_default("2h"), description="Transport to the store after the replenishment "
        "order is picked and packed.")
    due: PosDuration = Field(seconds("2h"), description="Due time after the request (for "
                             "earliest_due sequencing).")


class WhRecordSpec(Spec):
    """Optional detailed record tables (large; for checks and debugging)."""

    picks: bool = Field(False, description="One row per line picked (wh_picks).")
    moves: bool = Field(False, description="Grid mode: one row per cell a robot occupies "
                        "(wh_moves), for the conflict checker.")


class WarehouseSpec(Spec):
    """A goods-to-person robot warehouse: a fulfilment node and a supplier of stores."""

    name: Name = Field(description="Unique name of the node (letters, digits, _ . -; "
                                   "not starting with a dot).")
    location: tuple[Distance, Distance] = Field(description="[x, y] in the city.")
    traffic: TrafficSpec = Field(default_factory=lambda: AbstractTrafficSpec(mode="abstract"),
                                 description="`abstract` (no blocking, fast) or `grid` "
                                 "(cells reserved in space and time).")
    layout: LayoutSpec = Field(description="The floor: generated from parameters, or a "
                               "text map.")
    robots: RobotSpec
    stations: WhStationSpec = Field(default_factory=WhStationSpec)
    pods: PodSpec = Field(default_factory=PodSpec)
    policies: WarehousePolicies = Field(default_factory=WarehousePolicies)
    couriers: FleetSpec = Field(description="Couriers for the online orders it serves.")
    parcels: ParcelDemandSpec | None = Field(None, description="Its own parcel orders.")
    replenishment: SupplySpec = Field(default_factory=SupplySpec)
    record: WhRecordSpec = Field(default_factory=WhRecordSpec)


def check_warehouses(scenario: Scenario, names: set[str]) -> None:
    """Cross-field checks of ``scenario.warehouses`` (names unique among all nodes,
    ``names`` holding the stores', places, vehicles, chargers)."""
    for i, wh in enumerate(scenario.warehouses):
        scenario.check_node(wh.name, wh.location, ("warehouses", i), names)
        scenario.check_vehicle(wh.couriers.vehicle, ("warehouses", i, "couriers", "vehicle"))
        if wh.robots.battery is not None and isinstance(wh.layout, GeneratedLayout) \
                and wh.layout.chargers == 0:
            raise ScenarioError("robots have batteries but the layout has no chargers "
                                "(add chargers or set robots.battery: null)",
                                ("warehouses", i, "layout", "chargers"))
    if not scenario.stores and not scenario.warehouses:
        raise ScenarioError("a scenario needs at least one store or warehouse", ("stores",))
