"""Couriers and the fleet of a node: who is free, and the trips they ride.

A trip is an ordered list of orders picked up together at the node: hand-over at the
node, then for each order the ride to the customer and the drop-off, then the ride back
(and, for vehicles that need it, a battery swap before the next trip). The whole
schedule is known when the trip starts (travel times are deterministic), so a courier's
position and the time it will be free are known to dispatch policies.

A node may have several fleets (e-bikes and drones, say): each is a
:class:`CourierType` with its vehicle, its travel model and its handling times, and
every courier belongs to one. Each trip is a row of the ``trips`` table, each fleet a
row of the ``fleets`` table (and, when orders have a weight or volume, each trip a row
of ``trip_payloads``: what it carried against its vehicle's limits); the node's busy
courier count goes to ``states``. A trip still under way when the run stops is written
too (status ``under_way``, no ``end``), so every trip an order names is in ``trips``.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

from sim.calendar.events import Piecewise, SpeedFactors
from sim.calendar.roster import Roster
from sim.calendar.staff import StaffRecord, follow_roster
from sim.city.network import Place, RoadNetwork
from sim.core.env import LevelMonitor, SimEnv
from sim.core.recorder import Table
from sim.core.records import (
    FINISHED,
    FLEET_COLUMNS,
    TRAVEL_COLUMNS,
    TRIP_COLUMNS,
    TRIP_PAYLOAD_COLUMNS,
    UNDER_WAY,
)
from sim.core.sampling import Draws
from sim.demand.order import DELIVERED, Order
from sim.fleet.vehicles import Mover, mover_for
from sim.scenario.calendar import roster_peak
from sim.scenario.distributions import DurationDistribution, NumberLognormal
from sim.scenario.fleet import FleetSpec, VehicleSpec
from sim.scenario.schema import TravelSpec

Service = tuple[float, list[float]]
"""One trip's realised handling: the hand-over at the node and each order's door time."""

PAYLOAD_TOL = 1e-9
"""kg or litres: sums of the same weights in another order may differ by float noise."""


@dataclass(frozen=True, eq=False)
class CourierType:
    """One fleet of a node: the vehicle, how it moves and the couriers' handling times."""

    vehicle_name: str
    vehicle: VehicleSpec
    spec: FleetSpec
    mover: Mover
    pickups: Draws | None = None
    """Realised hand-over times when the fleet's ``pickup_time`` is a distribution."""
    dropoffs: Draws | None = None
    """Realised door times when the fleet's ``dropoff_time`` is a distribution."""
    pickup_time: float = field(init=False)
    """Expected hand-over at the node per trip (what planners plan on)."""
    dropoff_time: float = field(init=False)
    """Expected time at the customer's door per order."""

    def __post_init__(self) -> None:
        # the means, once: they are read for every trip planned or ridden
        object.__setattr__(self, "pickup_time", self.spec.pickup_mean)
        object.__setattr__(self, "dropoff_time", self.spec.dropoff_mean)

    @property
    def capacity(self) -> int:
        """Orders per trip."""
        return self.vehicle.capacity

    @property
    def max_range(self) -> float:
        """Longest trip in metres (inf when unlimited)."""
        r = self.vehicle.max_range
        return math.inf if r is None else r

    def service(self, stops: int) -> Service | None:
        """Realised (hand-over, door time of each of ``stops`` orders) for one trip,
        drawn from the fleet's own streams; None when both times are fixed."""
        if self.pickups is None and self.dropoffs is None:
            return None
        pickup = self.pickup_time if self.pickups is None else self.pickups()
        door = self.dropoffs
        drops = [self.dropoff_time] * stops if door is None else [door() for _ in range(stops)]
        return pickup, drops

    @property
    def max_weight(self) -> float:
        """Payload limit per trip in kg (inf when unlimited)."""
        w = self.vehicle.max_weight_kg
        return math.inf if w is None else w

    @property
    def max_volume(self) -> float:
        """Payload limit per trip in litres (inf when unlimited)."""
        v = self.vehicle.max_volume_litres
        return math.inf if v is None else v

    @property
    def limits_payload(self) -> bool:
        """True when the vehicle has a weight or a volume limit."""
        return self.max_weight < math.inf or self.max_volume < math.inf

    def fits(self, stops: Sequence[Order]) -> bool:
        """True when ``stops`` are within the vehicle's order count, weight and volume."""
        if len(stops) > self.capacity:
            return False
        if not self.limits_payload:
            return True
        return (sum(o.weight for o in stops) <= self.max_weight + PAYLOAD_TOL
                and sum(o.volume for o in stops) <= self.max_volume + PAYLOAD_TOL)

    @property
    def swap_time(self) -> float:
        """Turnaround at the node after each trip."""
        return self.vehicle.swap_time


@dataclass(slots=True, eq=False)
class Courier:
    """One courier with a vehicle, based at a node."""

    name: str
    index: int
    vehicle: str
    type: CourierType  # the courier's fleet: vehicle, capacity, range, handling times
    place: Place
    busy: bool = False
    idle_since: float = 0.0
    free_at: float = 0.0
    on_duty: bool = True
    leaving: bool = False
    """Off shift while on a trip: goes off duty when the trip is over."""
    away: bool = False
    """On duty but out of service (a grounded drone): neither idle nor busy."""


class Fleet:
    """The couriers based at one node, and the execution of their trips.

    ``fleets`` are the node's fleets (at least one), each naming its vehicle in
    ``vehicles``; couriers are numbered across fleets, in that order. ``rosters`` (one
    per fleet, or None) are the fleets' rosters followed until ``stop``: a fleet with a
    roster that changes has as many couriers as its peak, and those off shift are
    neither idle nor busy; a courier going off shift mid-trip finishes the trip first.
    With ``payloads`` (orders have a weight or volume) each trip started is also a row of
    ``trip_payloads``.
    """

    def __init__(self, env: SimEnv, node: str, home: Place, fleets: Sequence[FleetSpec],
                 vehicles: Mapping[str, VehicleSpec], network: RoadNetwork,
                 rosters: Sequence[Roster] | None = None, stop: float = 0.0,
                 speeds: SpeedFactors | None = None, travel: TravelSpec | None = None,
                 payloads: bool = False) -> None:
        self.env, self.node, self.home, self.network = env, node, home, network
        # riding times that vary (city.travel): a lognormal factor (mean 1) per leg from
        # the node's own stream, and a travel.csv row per trip; None: as planned
        self._noise: Draws | None = None
        self._travel: Table | None = None
        if travel is not None and travel.variable:
            self._travel = env.recorder.table("travel", TRAVEL_COLUMNS)
            if travel.noise_cv > 0:
                self._noise = env.draws(f"travel/noise/{node}", NumberLognormal(
                    dist="lognormal", mean=1.0, sd=travel.noise_cv))
        # calendar events: speed factors by vehicle name (weather), couriers wanted out
        # of service by vehicle name (grounded drones); empty without events
        self._slow: dict[str, Piecewise] = {}
        self._wanted_away: dict[str, int] = {}
        self.types: list[CourierType] = []
        self.couriers: list[Courier] = []
        table = env.recorder.table("fleets", FLEET_COLUMNS)
        shifting: list[tuple[CourierType, Roster]] = []
        for k, fspec in enumerate(fleets):
            name = fspec.vehicle
            vspec = vehicles[name]
            kind = CourierType(name, vspec, fspec, mover_for(vspec, network),
                               *_service_draws(env, f"fleet/service/{node}/{k}", fspec))
            self.types.append(kind)
            factor = None if speeds is None else speeds.of(vspec.kind)
            if factor is not None:
                self._slow[name] = factor
            roster = rosters[k] if rosters is not None else None
            size = roster_peak(fspec.count)
            if roster is not None and roster.constant is not None:
                size = roster.constant
            elif roster is not None:
                size = roster.peak(env.now, stop)
                shifting.append((kind, roster))
            table.append((node, name, vspec.kind, size, vspec.speed, vspec.capacity,
                          home.x, home.y))
            for _ in range(size):
                i = len(self.couriers)
                self.couriers.append(Courier(f"{node}-c{i:03d}", i, name, kind, home,
                                             idle_since=env.now, free_at=env.now))
        self.level = LevelMonitor(env, "couriers", node, len(self.couriers))
        # free couriers, longest idle first: kept in order as couriers leave and return
        self._idle: list[Courier] = list(self.couriers)
        self._rostered: dict[int, tuple[int, StaffRecord]] = {}
        for kind, roster in shifting:
            record = StaffRecord(env, node, "couriers", kind.vehicle_name, self.level)
            size = sum(1 for c in self.couriers if c.type is kind)
            self._rostered[id(kind)] = (size, record)
            now = follow_roster(env, roster, stop, partial(self.set_rostered, kind))
            self.set_rostered(kind, now, write=False)
            record.write(now, self._on_duty(kind))
        if self._travel is None and any(k.pickups is not None or k.dropoffs is not None
                                       for k in self.types):
            self._travel = env.recorder.table("travel", TRAVEL_COLUMNS)
        on_duty = sum(c.on_duty for c in self.couriers)
        if on_duty != self.level.capacity:
            self.level.set_capacity(on_duty)
        self._trips = env.recorder.table("trips", TRIP_COLUMNS)
        # what each trip carries, when orders are weighed (None: no table, as before)
        self._payloads: Table | None = None
        if payloads:
            self._payloads = env.recorder.table("trip_payloads", TRIP_PAYLOAD_COLUMNS)
        # trips started and not yet written, by trip id
        self._riding: dict[int, _Trip] = {}
        env.recorder.on_finish(self._record_under_way)
        self.on_idle: Callable[[Courier], None] = lambda courier: None

    def _on_duty(self, kind: CourierType) -> int:
        return sum(1 for c in self.couriers if c.type is kind and c.on_duty)

    def set_rostered(self, kind: CourierType, n: int, write: bool = True) -> None:
        """The roster of fleet ``kind`` now asks for ``n`` couriers. Surplus couriers go
        off duty: idle ones at once (the highest numbered first), then couriers on a
        trip when they are back (marked ``leaving``). Missing ones come on duty: first
        those still finishing a trip (they stay), then those off duty (lowest numbered
        first), idle from now; the dispatch policy hears of each."""
        before, record = self._rostered[id(kind)]
        self._rostered[id(kind)] = (n, record)
        mine = [c for c in self.couriers if c.type is kind]
        came: list[Courier] = []
        if n < before:
            drop = before - n
            for c in sorted((c for c in mine if c.away or (c.on_duty and not c.busy)),
                            key=lambda c: -c.index):  # free or grounded: off at once
                if drop == 0:
                    break
                if c.away:
                    c.away = False
                else:
                    self._idle.remove(c)
                c.on_duty = False
                drop -= 1
            for c in sorted((c for c in mine if c.busy and not c.leaving),
                            key=lambda c: -c.index):
                if drop == 0:
                    break
                c.leaving = True
                drop -= 1
        elif n > before:
            add = n - before
            for c in mine:
                if add and c.leaving:
                    c.leaving = False
                    add -= 1
            for c in mine:
                if add and not c.on_duty:
                    c.on_duty = True
                    c.idle_since = c.free_at = self.env.now
                    c.place = self.home
                    self._became_idle(c)
                    came.append(c)
                    add -= 1
        if n != before and write:
            self.level.set_capacity(sum(c.on_duty for c in self.couriers))
            record.write(n, self._on_duty(kind))
        for c in came:
            if not c.away:
                self.on_idle(c)

    @property
    def spec(self) -> FleetSpec:
        """The node's first fleet (the one the promise model reasons with)."""
        return self.types[0].spec

    @property
    def vehicle(self) -> VehicleSpec:
        """The vehicle of the node's first fleet."""
        return self.types[0].vehicle

    def idle(self) -> list[Courier]:
        """Couriers free now, longest idle first (ties by index)."""
        return list(self._idle)

    def _became_idle(self, courier: Courier) -> None:
        if self._wanted_away and self._short_away(courier.vehicle):
            courier.away = True  # an event keeps it on the ground (see withdraw)
            return
        bisect.insort(self._idle, courier, key=lambda c: (c.idle_since, c.index))

    def types_of(self, couriers: Sequence[Courier]) -> list[CourierType]:
        """The distinct fleets of ``couriers``, in order of first appearance."""
        kinds: list[CourierType] = []
        for c in couriers:
            kind = self.type_of(c)
            if all(kind is not k for k in kinds):
                kinds.append(kind)
        return kinds

    def type_of(self, courier: Courier | None) -> CourierType:
        """The courier's fleet (the node's first fleet for None)."""
        return courier.type if courier is not None else self.types[0]

    def schedule(self, start: float, stops: Sequence[Order], courier: Courier | None = None,
                 noise: Draws | None = None, free_flow: bool = False,
                 service: Service | None = None,
                 moves: Sequence[tuple[float, float]] | None = None
                 ) -> list[tuple[float, float]]:
        """(arrival time at each stop then back home, metres of each leg) for a trip of
        ``courier`` (default: a courier of the node's first fleet): expected, with the
        hour's congestion and the weather; with ``noise``, each leg's free-flow time times
        a draw (as ridden); with ``free_flow``, at the network's times alone; with
        ``service``, these hand-over and door times instead of the expected ones.
        ``moves`` are the trip's legs at free flow (from :meth:`moves`), when known."""
        kind = self.type_of(courier)
        slow = self._slow.get(kind.vehicle_name) if self._slow and not free_flow else None
        t = start + (kind.pickup_time if service is None else service[0])
        if moves is None:
            moves = self.moves(stops, courier)
        legs = []
        last = len(stops)
        for i, (secs, metres) in enumerate(moves):
            if noise is not None:
                secs *= noise()
            t += secs if slow is None else slow.ride(t, secs)
            legs.append((t, metres))
            if i < last:
                t += kind.dropoff_time if service is None else service[1][i]
        return legs

    def moves(self, stops: Sequence[Order], courier: Courier | None = None
              ) -> list[tuple[float, float]]:
        """(seconds at free flow, metres) of each leg of a trip to ``stops`` and back."""
        move = self.type_of(courier).mover.travel
        here = self.home
        out = []
        for order in stops:
            out.append(move(here, order.place))
            here = order.place
        out.append(move(here, self.home))
        return out

    def can_carry(self, courier: Courier, stops: Sequence[Order]) -> bool:
        """True when ``courier`` could take ``stops`` in one trip (capacity, weight,
        volume and range)."""
        kind = courier.type
        if not stops or not kind.fits(stops):
            return False
        return kind.max_range == math.inf or _in_range(kind, self.schedule(0.0, stops, courier))

    def start_trip(self, courier: Courier, stops: Sequence[Order]) -> None:
        """Send ``courier`` out with ``stops`` in this order, starting now."""
        if courier.busy:
            raise RuntimeError(f"{courier.name} is already on a trip")
        kind = courier.type
        if not stops or not kind.fits(stops):
            raise RuntimeError(f"{courier.name}: {len(stops)} orders of "
                               f"{sum(o.weight for o in stops):.3f} kg and "
                               f"{sum(o.volume for o in stops):.3f} l exceed its "
                               f"{kind.vehicle_name}'s capacity")
        moves = self.moves(stops, courier)
        legs = self.schedule(self.env.now, stops, courier, moves=moves)
        if kind.max_range < math.inf and not _in_range(kind, legs):
            raise RuntimeError(f"{courier.name}: a trip of {sum(m for _, m in legs):.0f} m "
                               f"exceeds its range of {kind.max_range:.0f} m")
        courier.busy = True
        self._idle.remove(courier)
        self.level.change(+1)
        trip = self.env.next_id("trip")
        now = self.env.now
        for order in stops:
            order.dispatched = now
            order.courier = courier.name
            order.trip = trip
            self.env.hooks.order_dispatched.emit(order)
        courier.free_at = legs[-1][0] + kind.swap_time  # as expected: what planners know
        service = kind.service(len(stops))
        if self._travel is not None:
            ridden = legs if self._noise is None and service is None else self.schedule(
                now, stops, courier, self._noise, service=service, moves=moves)
            dry = legs if kind.vehicle_name not in self._slow else self.schedule(
                now, stops, courier, free_flow=True, moves=moves)
            self._travel.append((trip, self.node, courier.name, now, dry[-1][0] - now,
                                 legs[-1][0] - now, ridden[-1][0] - now))
            legs = ridden
        if self._payloads is not None:
            self._payloads.append((trip, self.node, courier.name, courier.vehicle, len(stops),
                                   sum(o.weight for o in stops), sum(o.volume for o in stops),
                                   kind.capacity, kind.vehicle.max_weight_kg,
                                   kind.vehicle.max_volume_litres))
        ride = _Trip(self, courier, trip, list(stops), legs,
                     None if service is None else service[1])
        self._riding[trip] = ride
        ride.ride()

    def _finish(self, trip: _Trip, back: float) -> None:
        """``trip``'s courier is free again (back at ``back``, then its battery swapped):
        record the trip and tell the dispatch policy."""
        courier, stops = trip.courier, trip.stops
        courier.busy = False
        courier.idle_since = self.env.now
        if courier.leaving:  # off shift: the trip is over, so she goes
            courier.leaving = courier.on_duty = False
        else:
            self._became_idle(courier)
        self.level.change(-1)
        del self._riding[trip.trip]
        self._trips.append(_trip_row(trip.trip, self.node, courier, trip.start, back,
                                     stops, trip.legs, FINISHED))
        self.env.hooks.trip_finished.emit(courier, trip.trip)
        if courier.on_duty:
            if not courier.away:
                self.on_idle(courier)
        else:
            self.level.set_capacity(sum(c.on_duty for c in self.couriers))
            n, record = self._rostered[id(courier.type)]
            record.write(n, self._on_duty(courier.type))

    # ------------------------------------------------------------------ calendar events

    def staff(self, vehicle: str) -> int:
        """Couriers of the node's fleet(s) with vehicle ``vehicle``."""
        return sum(1 for c in self.couriers if c.vehicle == vehicle)

    def drone_vehicles(self) -> list[str]:
        """Vehicle names of the node's drone fleets."""
        return [k.vehicle_name for k in self.types if k.vehicle.kind == "drone"]

    def _short_away(self, vehicle: str) -> bool:
        """True when fewer couriers of ``vehicle`` are away than events want."""
        wanted = self._wanted_away.get(vehicle, 0)
        return wanted > 0 and sum(1 for c in self.couriers
                                  if c.away and c.vehicle == vehicle) < wanted

    def withdraw(self, vehicle: str, n: int) -> None:
        """Keep ``n`` more couriers of ``vehicle`` on the ground (grounded drones): free
        ones now (the highest numbered first), the rest as they come back from their
        trips. They stay on duty (staffed) but take no trip."""
        self._wanted_away[vehicle] = self._wanted_away.get(vehicle, 0) + n
        for courier in sorted(self._idle, key=lambda c: -c.index):
            if courier.vehicle == vehicle and self._short_away(vehicle):
                self._idle.remove(courier)
                courier.away = True

    def restore(self, vehicle: str, n: int) -> None:
        """Release ``n`` couriers of ``vehicle`` that :meth:`withdraw` kept (or cancel
        that many withdrawals still waiting for a trip to end); the dispatch policy
        hears of each courier back."""
        wanted = self._wanted_away.get(vehicle, 0) - n
        if wanted > 0:
            self._wanted_away[vehicle] = wanted
        else:
            self._wanted_away.pop(vehicle, None)
            wanted = 0
        away = [c for c in self.couriers if c.away and c.vehicle == vehicle]
        now = self.env.now
        back = away[:max(0, len(away) - wanted)]
        for courier in back:
            courier.away = False
            courier.idle_since = now
            self._became_idle(courier)
        for courier in back:
            self.on_idle(courier)

    def _record_under_way(self) -> None:
        """Write the trips still under way when the run stops, by trip id: no ``end``,
        deliveries made so far, the planned distance of the whole trip."""
        for trip in sorted(self._riding):
            ride = self._riding[trip]
            self._trips.append(_trip_row(trip, self.node, ride.courier, ride.start, math.nan,
                                         ride.stops, ride.legs, UNDER_WAY))
        self._riding.clear()


def _trip_row(trip: int, node: str, courier: Courier, start: float, end: float,
              stops: Sequence[Order], legs: Sequence[tuple[float, float]],
              status: str) -> tuple[object, ...]:
    """A row of the ``trips`` table (``end`` NaN for a trip still under way)."""
    return (trip, node, courier.name, courier.vehicle, start, end, len(stops),
            ";".join(str(o.id) for o in stops), sum(m for _, m in legs),
            stops[0].delivered, stops[-1].delivered, status)


class _Trip:
    """One trip under way, moved on by timeout callbacks (no SimPy process).

    The whole schedule is known at the start, so the only moments that matter are each
    drop-off's end (the order is delivered) and the courier being free again. Each is
    one timeout; the arrival at a door and the return before a battery swap, which
    change nothing anyone can see, take no event of their own. The clock values are
    exactly those of a chain of timeouts per stage (``now + delay``, as SimPy adds): a
    stage is merged into one timeout only when that one addition lands on the same
    float, otherwise the chain is kept, so delivery and return times are bit for bit
    those of a timeout per stage.
    """

    __slots__ = ("back", "courier", "drops", "fleet", "kind", "legs", "start", "stop",
                 "stops", "trip")

    def __init__(self, fleet: Fleet, courier: Courier, trip: int, stops: list[Order],
                 legs: list[tuple[float, float]], drops: list[float] | None = None) -> None:
        self.fleet, self.courier, self.kind = fleet, courier, courier.type
        self.trip, self.stops, self.legs = trip, stops, legs
        self.drops = drops  # each stop's realised door time; None: the fleet's fixed one
        self.start = fleet.env.now
        self.stop = 0  # the stop being ridden to
        self.back = math.nan  # when the courier is back at the node (known once there)

    def ride(self, _event: object = None) -> None:
        """Ride to the next stop: one timeout to the end of its drop-off (or two, to
        the door and then the drop-off, when one would not land on the same clock)."""
        env = self.fleet.env
        now = env.now
        to_door = max(0.0, self.legs[self.stop][0] - now)
        done = (now + to_door) + self._door()
        delay = done - now
        if now + delay == done:
            env.timeout(delay).callbacks.append(self._delivered)
        else:
            env.timeout(to_door).callbacks.append(self._at_door)

    def _door(self) -> float:
        """The current stop's time at the door."""
        return self.kind.dropoff_time if self.drops is None else self.drops[self.stop]

    def _at_door(self, _event: object) -> None:
        self.fleet.env.timeout(self._door()).callbacks.append(self._delivered)

    def _delivered(self, _event: object) -> None:
        env = self.fleet.env
        order = self.stops[self.stop]
        order.delivered = env.now
        order.status = DELIVERED
        self.courier.place = order.place
        env.hooks.order_delivered.emit(order)
        self.stop += 1
        if self.stop < len(self.stops):
            self.ride()
            return
        # ride back, then (when the vehicle needs one) the battery swap
        now = env.now
        to_home = max(0.0, self.legs[-1][0] - now)
        self.back = now + to_home
        swap = self.kind.swap_time
        free = self.back + swap
        delay = free - now
        if swap > 0 and now + delay == free:
            env.timeout(delay).callbacks.append(self._free)
        else:
            env.timeout(to_home).callbacks.append(self._home)

    def _home(self, _event: object) -> None:
        """Back at the node: free now, or after the battery swap."""
        swap = self.kind.swap_time
        if swap > 0:
            self.fleet.env.timeout(swap).callbacks.append(self._free)
        else:
            self._free(_event)

    def _free(self, _event: object) -> None:
        self.courier.place = self.fleet.home
        self.fleet._finish(self, self.back)


def _in_range(kind: CourierType, legs: Sequence[tuple[float, float]]) -> bool:
    """True when a trip of these legs (from :meth:`Fleet.schedule`) is within range."""
    return sum(m for _, m in legs) <= kind.max_range + 1e-6


def _service_draws(env: SimEnv, stream: str, spec: FleetSpec
                   ) -> tuple[Draws | None, Draws | None]:
    """Draws of a fleet's random hand-over and door times (None where fixed), each from
    its own stream so a policy variant sees the same draws in the same order of trips."""
    pickup, dropoff = spec.pickup_time, spec.dropoff_time
    return (env.draws(f"{stream}/pickup", pickup)
            if isinstance(pickup, DurationDistribution) else None,
            env.draws(f"{stream}/dropoff", dropoff)
            if isinstance(dropoff, DurationDistribution) else None)
