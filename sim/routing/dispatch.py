"""Dispatch policies: which courier takes which ready orders, and when.

A policy is created per node with its fleet. The node tells it when an order is ready
(:meth:`DispatchPolicy.order_ready`) and the fleet tells it when a courier is back
(:meth:`DispatchPolicy.courier_idle`); the policy starts trips with
:meth:`Fleet.start_trip`. Each policy takes its own scenario spec type. A new policy is
one spec class in the schema's ``DispatchSpec`` union, one class here and one line in
:data:`DISPATCH_POLICIES` (a test checks that the two agree): ``immediate`` is here;
``batch`` and ``rolling_horizon`` (which solve a routing problem) are in
:mod:`sim.routing.batching`, and ``cheapest_insertion`` in
:mod:`sim.routing.insertion_dispatch`.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from sim.core.env import SimEnv
from sim.demand.order import Order
from sim.fleet.couriers import Courier, Fleet
from sim.scenario.schema import (
    BatchDispatchSpec,
    CheapestInsertionDispatchSpec,
    DispatchSpec,
    ImmediateDispatchSpec,
    RollingHorizonDispatchSpec,
)


class DispatchPolicy(Protocol):
    """Decides trips for one node's fleet."""

    def order_ready(self, order: Order) -> None:
        """An order is packed and waits for a courier."""
        ...

    def courier_idle(self, courier: Courier) -> None:
        """A courier is back at the node and free."""
        ...

    def withdraw(self, order: Order) -> bool:
        """Drop a ready order whose customer cancelled, if it has not left yet."""
        ...


class ImmediateDispatch:
    """Each ready order leaves at once with the nearest idle courier, one order per trip.

    Idle couriers wait at their node, so "nearest" ties; the longest-idle courier goes
    first, which spreads work evenly. Orders wait first-in first-out for a courier. With
    several fleets at a node (e-bikes and drones), the idle courier that would reach the
    customer first goes, among those whose range (and weight and volume limits) allow the
    trip; a returning courier takes the oldest waiting order it can carry.
    """

    def __init__(self, env: SimEnv, fleet: Fleet, spec: ImmediateDispatchSpec) -> None:
        self.env, self.fleet = env, fleet
        self.waiting: deque[Order] = deque()
        self.mixed = len(fleet.types) > 1 or any(
            t.max_range < math.inf or t.limits_payload for t in fleet.types)
        fleet.on_idle = self.courier_idle

    def _nearest_idle(self, order: Order) -> Courier | None:
        idle = self.fleet.idle()
        if not idle:
            return None
        if self.mixed:
            return self._fastest_able(idle, order)
        node = self.fleet.home
        if idle[0].place is node:  # idle couriers wait at home: the longest idle is nearest
            return idle[0]
        return min(idle, key=lambda c: (c.place.euclid(node), c.idle_since, c.index))

    def _fastest_able(self, idle: list[Courier], order: Order) -> Courier | None:
        """The idle courier that can carry ``order`` and reaches it first."""
        arrival: dict[int, float] = {}
        best: tuple[float, float, int] | None = None
        chosen = None
        for c in idle:
            kind = self.fleet.type_of(c)
            if id(kind) not in arrival:
                ok = self.fleet.can_carry(c, [order])
                arrival[id(kind)] = self.fleet.schedule(
                    self.env.now, [order], c)[0][0] if ok else math.inf
            key = (arrival[id(kind)], c.idle_since, c.index)
            if key[0] < math.inf and (best is None or key < best):
                best, chosen = key, c
        return chosen

    def order_ready(self, order: Order) -> None:
        courier = self._nearest_idle(order)
        if courier is None:
            self.waiting.append(order)
        else:
            self.fleet.start_trip(courier, [order])

    def withdraw(self, order: Order) -> bool:
        """Drop ``order`` from the queue for a courier, if it is still waiting."""
        for i, waiting in enumerate(self.waiting):
            if waiting is order:
                del self.waiting[i]
                return True
        return False

    def courier_idle(self, courier: Courier) -> None:
        if not self.waiting:
            return
        if not self.mixed:
            self.fleet.start_trip(courier, [self.waiting.popleft()])
            return
        for order in self.waiting:
            if self.fleet.can_carry(courier, [order]):
                self.waiting.remove(order)
                self.fleet.start_trip(courier, [order])
                return


from sim.routing.batching import BatchDispatch, RollingHorizonDispatch  # noqa: E402
from sim.routing.insertion_dispatch import CheapestInsertionDispatch  # noqa: E402

S = TypeVar("S", ImmediateDispatchSpec, BatchDispatchSpec, RollingHorizonDispatchSpec,
            CheapestInsertionDispatchSpec)


@dataclass(frozen=True)
class DispatchKind(Generic[S]):
    """One dispatch policy: its spec type and how to build it from that spec.

    Calling it with any :data:`~sim.scenario.schema.DispatchSpec` builds the policy for
    one node's fleet; mypy checks that ``build`` takes ``spec`` type, the registry test
    that the registry and the schema's union name the same policies.
    """

    spec: type[S]
    build: Callable[[SimEnv, Fleet, S], DispatchPolicy]

    def __call__(self, env: SimEnv, fleet: Fleet, spec: DispatchSpec) -> DispatchPolicy:
        """The policy for ``fleet``, configured by ``spec`` (which must be its type)."""
        if not isinstance(spec, self.spec):
            raise TypeError(f"{self.spec.__name__} expected, got {type(spec).__name__}")
        return self.build(env, fleet, spec)


class DispatchFactory(Protocol):
    """Builds a dispatch policy for one node's fleet from the scenario's dispatch spec."""

    def __call__(self, env: SimEnv, fleet: Fleet, spec: DispatchSpec) -> DispatchPolicy:
        """The policy."""
        ...


DISPATCH_POLICIES: dict[str, DispatchFactory] = {
    "immediate": DispatchKind(ImmediateDispatchSpec, ImmediateDispatch),
    "batch": DispatchKind(BatchDispatchSpec, BatchDispatch),
    "rolling_horizon": DispatchKind(RollingHorizonDispatchSpec, RollingHorizonDispatch),
    "cheapest_insertion": DispatchKind(CheapestInsertionDispatchSpec,
                                       CheapestInsertionDispatch),
}
"""The dispatch policies by the ``policy`` tag of their spec, in the schema's order."""
