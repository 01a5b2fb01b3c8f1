"""The ``cheapest_insertion`` dispatch policy: a fast greedy baseline with holding.

Couriers being loaded at the node hold *open trips*. When an order is ready it is
inserted where it adds least cost (courier-minutes, lateness priced at
``lateness_cost`` per minute) into an open trip, or into a new trip on an idle courier
(:func:`~sim.routing.insertion.best_insertion` on a small routing problem). A trip leaves
when it is full (``max_orders_per_trip``, the vehicle's capacity, or its weight or
volume limit reached), when its first order
has waited ``max_hold``, or as soon as waiting longer would make one of its orders late.
Orders that fit nowhere (no idle courier, open trips full) wait, oldest first, for the
next courier to come back. No plan is ever revised: that is what makes it a baseline.
"""

from __future__ import annotations

import math
import time
from collections.abc import Generator
from dataclasses import dataclass, field

import simpy

from sim.core.env import SimEnv
from sim.core.records import DISPATCH_COLUMNS, SOLVE_TIME_COLUMNS
from sim.demand.order import Order
from sim.fleet.couriers import Courier, Fleet
from sim.routing.insertion import best_insertion
from sim.routing.planning import MIN, fleet_problem
from sim.routing.problem import Job, RoutingProblem
from sim.scenario.schema import CheapestInsertionDispatchSpec


@dataclass(eq=False)
class OpenTrip:
    """A courier being loaded: its orders in visit order and when the first was ready."""

    courier: Courier
    orders: list[Order] = field(default_factory=list)
    first_ready: float = 0.0
    token: int = 0


class CheapestInsertionDispatch:
    """Greedy insertion into open trips, which leave when full, held long enough, or due."""

    def __init__(self, env: SimEnv, fleet: Fleet, spec: CheapestInsertionDispatchSpec
                 ) -> None:
        self.env, self.fleet, self.spec = env, fleet, spec
        self.open: dict[int, OpenTrip] = {}  # by courier index
        self.waiting: list[Order] = []
        fleet.on_idle = self.courier_idle
        self._rows = env.recorder.table("dispatches", DISPATCH_COLUMNS)
        self._wall = env.recorder.table("solve_times", SOLVE_TIME_COLUMNS)

    # ------------------------------------------------------------------ events

    def order_ready(self, order: Order) -> None:
        """Insert the order, or let it wait for a courier."""
        self._place(order)

    def withdraw(self, order: Order) -> bool:
        """Drop an order whose customer cancelled: from the waiting list, or from the trip
        being loaded (a trip left empty frees its courier for the waiting orders)."""
        for i, waiting in enumerate(self.waiting):
            if waiting is order:
                del self.waiting[i]
                return True
        for trip in list(self.open.values()):
            for i, loaded in enumerate(trip.orders):
                if loaded is order:
                    del trip.orders[i]
                    trip.token += 1  # its armed timer no longer applies
                    if trip.orders:
                        self._arm(trip)
                    else:
                        del self.open[trip.courier.index]
                        self.courier_idle(trip.courier)
                    return True
        return False

    def courier_idle(self, courier: Courier) -> None:
        """Offer the waiting orders, oldest first, to the couriers now free."""
        pending, self.waiting = self.waiting, []
        for order in pending:
            self._place(order)

    # ------------------------------------------------------------------ insertion

    def _place(self, order: Order) -> None:
        env, fleet = self.env, self.fleet
        t0 = time.perf_counter()
        trips = list(self.open.values())
        reserved = {t.courier.index for t in trips}
        fresh: list[Courier] = []
        seen: set[int] = set()
        for c in fleet.idle():  # one idle courier of each fleet, the longest idle
            key = id(fleet.type_of(c))
            if c.index not in reserved and key not in seen:
                seen.add(key)
                fresh.append(c)
        couriers = [t.courier for t in trips] + fresh
        if not couriers:
            self.waiting.append(order)
            return
        orders = [o for t in trips for o in t.orders] + [order]
        problem = self._problem(orders, couriers)
        plan_trips, k = [], 0
        for t in trips:
            plan_trips.append(list(range(k, k + len(t.orders))))
            k += len(t.orders)
        plan_trips += [[] for _ in fresh]
        t1 = time.perf_counter()
        added, vi, pos = best_insertion(problem, plan_trips, len(orders) - 1)
        t2 = time.perf_counter()
        started = 0
        if vi < 0:
            self.waiting.append(order)
            status = "waiting"
        else:
            status = "inserted"
            trip = trips[vi] if vi < len(trips) else self._open(fresh[vi - len(trips)], order)
            trip.orders.insert(pos, order)
            trip.token += 1
            kind = fleet.type_of(trip.courier)
            if len(trip.orders) >= min(kind.capacity, self.spec.max_orders_per_trip) or (
                    kind.limits_payload and not self._room(trip)):
                self._leave(trip)
                started = 1
            else:
                self._arm(trip)
        did = env.next_id("dispatch")
        self._rows.append((
            did, env.now, fleet.node, "cheapest_insertion", "insertion", len(orders), 0,
            len(fresh), 0, started, len(orders) if started else 0, 0,
            round(added, 6) if math.isfinite(added) else None, status, len(couriers), False))
        self._wall.append((did, env.now, fleet.node, (t1 - t0) * 1e3, (t2 - t1) * 1e3))

    def _problem(self, orders: list[Order], couriers: list[Courier]) -> RoutingProblem:
        spec, now = self.spec, self.env.now
        profiles, vehicles, service = fleet_problem(
            self.fleet, couriers, orders, lambda c: now, spec.max_orders_per_trip,
            spec.km_cost)
        jobs = tuple(Job(i + 1, 0, 1, release=now, due=o.due - service, service=service,
                         weight=o.weight, volume=o.volume)
                     for i, o in enumerate(orders))
        return RoutingProblem(tuple(profiles), tuple(vehicles), jobs,
                              lateness_cost=spec.lateness_cost / MIN)

    # ------------------------------------------------------------------ open trips

    def _room(self, trip: OpenTrip) -> bool:
        """False once ``trip`` is loaded to its vehicle's weight or volume limit."""
        kind = self.fleet.type_of(trip.courier)
        kg = sum(o.weight for o in trip.orders)
        litres = sum(o.volume for o in trip.orders)
        return kg < kind.max_weight and litres < kind.max_volume

    def _open(self, courier: Courier, order: Order) -> OpenTrip:
        trip = OpenTrip(courier, first_ready=order.ready)
        self.open[courier.index] = trip
        return trip

    def _deadline(self, trip: OpenTrip) -> float:
        """When the trip must leave: its hold is over, or any later an order is late."""
        legs = self.fleet.schedule(0.0, trip.orders, trip.courier)
        drop = self.fleet.type_of(trip.courier).dropoff_time
        latest = min(o.due - (arrive + drop) for o, (arrive, _) in
                     zip(trip.orders, legs, strict=False))
        return min(trip.first_ready + self.spec.max_hold, latest)

    def _arm(self, trip: OpenTrip) -> None:
        at = max(self.env.now, self._deadline(trip))
        self.env.process(self._timer(trip, trip.token, at))

    def _timer(self, trip: OpenTrip, token: int, at: float) -> Generator[simpy.Event, object, None]:
        yield self.env.timeout(at - self.env.now)
        if trip.token == token and self.open.get(trip.courier.index) is trip:
            self._leave(trip)

    def _leave(self, trip: OpenTrip) -> None:
        del self.open[trip.courier.index]
        trip.token += 1
        self.fleet.start_trip(trip.courier, trip.orders)
