"""Dispatch policies: which courier takes which ready orders, and when.

A policy is created per node with its fleet. The node tells it when an order is ready
(:meth:`DispatchPolicy.order_ready`) and the fleet tells it when a courier is back
(:meth:`DispatchPolicy.courier_idle`); the policy starts trips with
:meth:`Fleet.start_trip`. A new policy is one class and one line in
:data:`DISPATCH_POLICIES`.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Protocol

from sim.core.env import SimEnv
from sim.fleet.couriers import Courier, Fleet
from sim.fulfillment.order import Order


class DispatchPolicy(Protocol):
    """Decides trips for one node's fleet."""

    def order_ready(self, order: Order) -> None:
        """An order is packed and waits for a courier."""
        ...

    def courier_idle(self, courier: Courier) -> None:
        """A courier is back at the node and free."""
        ...


class ImmediateDispatch:
    """Each ready order leaves at once with the nearest idle courier, one order per trip.

    Idle couriers wait at their node, so "nearest" ties; the longest-idle courier goes
    first, which spreads work evenly. Orders wait first-in first-out for a courier.
    """

    def __init__(self, env: SimEnv, fleet: Fleet, spec: Any) -> None:
        self.env, self.fleet = env, fleet
        self.waiting: deque[Order] = deque()
        fleet.on_idle = self.courier_idle

    def _nearest_idle(self, order: Order) -> Courier | None:
        idle = self.fleet.idle()
        if not idle:
            return None
        node = self.fleet.home
        return min(idle, key=lambda c: (c.place.euclid(node), c.idle_since, c.index))

    def order_ready(self, order: Order) -> None:
        courier = self._nearest_idle(order)
        if courier is None:
            self.waiting.append(order)
        else:
            self.fleet.start_trip(courier, [order])

    def courier_idle(self, courier: Courier) -> None:
        if self.waiting:
            self.fleet.start_trip(courier, [self.waiting.popleft()])


DISPATCH_POLICIES: dict[str, type] = {
    "immediate": ImmediateDispatch,
}
