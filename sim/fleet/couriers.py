"""Couriers and the fleet of a node: who is free, and the trips they ride.

A trip is an ordered list of orders picked up together at the node: hand-over at the
node, then for each order the ride to the customer and the drop-off, then the ride back.
The whole schedule is known when the trip starts (travel times are deterministic), so a
courier's position and the time it will be free are known to dispatch policies.
Each trip is a row of the ``trips`` table; the fleet's busy count goes to ``states``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any

from sim.core.env import LevelMonitor, SimEnv
from sim.core.hooks import ORDER_DELIVERED, ORDER_DISPATCHED, TRIP_FINISHED
from sim.core.records import TRIP_COLUMNS
from sim.fulfillment.order import DELIVERED, Order
from sim.routing.network import Place, RoadNetwork
from sim.scenario.schema import FleetSpec, VehicleSpec


@dataclass(slots=True, eq=False)
class Courier:
    """One courier with a vehicle, based at a node."""

    name: str
    index: int
    vehicle: str
    speed: float
    capacity: int
    place: Place
    busy: bool = False
    idle_since: float = 0.0
    free_at: float = 0.0


class Fleet:
    """The couriers based at one node, and the execution of their trips."""

    def __init__(self, env: SimEnv, node: str, home: Place, spec: FleetSpec,
                 vehicle_name: str, vehicle: VehicleSpec, network: RoadNetwork) -> None:
        self.env, self.node, self.home, self.network = env, node, home, network
        self.spec = spec
        self.vehicle = vehicle
        self.couriers = [
            Courier(f"{node}-c{i:03d}", i, vehicle_name, vehicle.speed, vehicle.capacity, home,
                    idle_since=env.now, free_at=env.now)
            for i in range(spec.count)
        ]
        self.level = LevelMonitor(env, "couriers", node, spec.count)
        self._trips = env.recorder.table("trips", TRIP_COLUMNS)
        self.on_idle: Callable[[Courier], None] = lambda courier: None

    def idle(self) -> list[Courier]:
        """Couriers free now, longest idle first."""
        return sorted((c for c in self.couriers if not c.busy),
                      key=lambda c: (c.idle_since, c.index))

    def schedule(self, start: float, stops: Sequence[Order]) -> list[tuple[float, float]]:
        """(arrival time at each stop then back home, metres of each leg) for a trip."""
        t = start + self.spec.pickup_time
        here = self.home
        legs = []
        for order in stops:
            secs, metres = self.network.travel(here, order.place, self.vehicle.speed)
            t += secs
            legs.append((t, metres))
            t += self.spec.dropoff_time
            here = order.place
        secs, metres = self.network.travel(here, self.home, self.vehicle.speed)
        legs.append((t + secs, metres))
        return legs

    def start_trip(self, courier: Courier, stops: Sequence[Order]) -> None:
        """Send ``courier`` out with ``stops`` in this order, starting now."""
        if courier.busy:
            raise RuntimeError(f"{courier.name} is already on a trip")
        if not stops or len(stops) > courier.capacity:
            raise RuntimeError(f"{courier.name}: {len(stops)} orders for capacity "
                               f"{courier.capacity}")
        courier.busy = True
        self.level.change(+1)
        trip = self.env.next_id("trip")
        now = self.env.now
        for order in stops:
            order.dispatched = now
            order.courier = courier.name
            order.trip = trip
            self.env.hooks.emit(ORDER_DISPATCHED, order)
        legs = self.schedule(now, stops)
        courier.free_at = legs[-1][0]
        self.env.process(self._ride(courier, trip, list(stops), legs))

    def _ride(self, courier: Courier, trip: int, stops: list[Order],
              legs: list[tuple[float, float]]) -> Generator[Any, Any, None]:
        env = self.env
        start = env.now
        for order, (arrive, _) in zip(stops, legs, strict=False):
            yield env.timeout(max(0.0, arrive - env.now))
            yield env.timeout(self.spec.dropoff_time)
            order.delivered = env.now
            order.status = DELIVERED
            courier.place = order.place
            env.hooks.emit(ORDER_DELIVERED, order)
        yield env.timeout(max(0.0, legs[-1][0] - env.now))
        courier.place = self.home
        courier.busy = False
        courier.idle_since = env.now
        self.level.change(-1)
        self._trips.append((
            trip, self.node, courier.name, courier.vehicle, start, env.now, len(stops),
            ";".join(str(o.id) for o in stops), sum(m for _, m in legs),
            stops[0].delivered, stops[-1].delivered))
        env.hooks.emit(TRIP_FINISHED, courier, trip)
        self.on_idle(courier)
