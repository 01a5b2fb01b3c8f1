"""Dispatch policies that solve a routing problem: ``batch`` and ``rolling_horizon``.

Both keep a node's ready orders in arrival order and hand them to a
:class:`~sim.routing.planning.DispatchPlanner`, which plans them with the soon-ready
orders and the idle and soon-idle couriers and starts the trips that can start now. They
differ in *when* they decide:

- :class:`BatchDispatch` decides every ``window`` seconds (on a fixed grid from the
  start of the run), so orders ready in between wait for the next decision and are
  batched together;
- :class:`RollingHorizonDispatch` re-plans whenever something changes (an order becomes
  ready, or is accepted when soon-ready orders are planned; a courier comes back; at most
  once per instant; only when a trip could start: ready orders wait and a courier is idle),
  and at least every ``recheck`` seconds while ready orders wait with couriers idle.
  Trips already started are kept; what the plan does not start now is postponed.
"""

from __future__ import annotations

from collections.abc import Generator

import simpy

from sim.core.env import SimEnv
from sim.demand.order import Order
from sim.fleet.couriers import Courier, Fleet
from sim.routing.planning import DispatchPlanner
from sim.scenario.schema import BatchDispatchSpec, RollingHorizonDispatchSpec

Key = tuple[int, int]  # (order id, shipment part): the shipments of a split order share the id


def _key(order: Order) -> Key:
    return order.id, order.part


class _Planned:
    """Ready orders (first come, first listed), upcoming orders and the planner.

    Upcoming orders (tracked when soon-ready orders are planned) are those handed to the
    node and not yet packed: one that is rerouted elsewhere or cancelled leaves the list
    at once, so the plan never holds ready orders back for it.
    """

    def __init__(self, env: SimEnv, fleet: Fleet, planner: DispatchPlanner,
                 track_upcoming: bool) -> None:
        self.env, self.fleet, self.planner = env, fleet, planner
        self.ready: dict[Key, Order] = {}
        self.upcoming: dict[Key, Order] = {}
        fleet.on_idle = self.courier_idle
        if track_upcoming:
            env.hooks.order_at_node.on(self._at_node)
            env.hooks.order_left_node.on(self._left_node)

    def _at_node(self, order: Order, node: str) -> None:
        if node == self.fleet.node:
            self.upcoming[_key(order)] = order
            self.changed()

    def _left_node(self, order: Order, node: str) -> None:
        if node == self.fleet.node:
            self.upcoming.pop(_key(order), None)

    def order_ready(self, order: Order) -> None:
        """An order is packed: it waits for the next decision."""
        key = _key(order)
        self.upcoming.pop(key, None)
        self.planner.estimate.observe(order)
        self.ready[key] = order
        self.changed()

    def withdraw(self, order: Order) -> bool:
        """Drop a ready order whose customer cancelled from the next decision."""
        return self.ready.pop(_key(order), None) is not None

    def courier_idle(self, courier: Courier) -> None:
        """A courier is back."""
        self.changed()

    def changed(self) -> None:
        """Something a policy may react to has happened (default: nothing)."""

    def decide(self) -> None:
        """Plan now and forget the orders that left."""
        if not self.ready:
            return
        sent = self.planner.dispatch(list(self.ready.values()), list(self.upcoming.values()))
        for order in sent:
            del self.ready[_key(order)]


class BatchDispatch(_Planned):
    """Every ``window``, plan the node's orders and couriers and start what can start."""

    def __init__(self, env: SimEnv, fleet: Fleet, spec: BatchDispatchSpec) -> None:
        lookahead = spec.window if spec.lookahead is None else spec.lookahead
        planner = DispatchPlanner(env, fleet, spec, "batch", lookahead, spec.soon_ready,
                                  spec.window)
        super().__init__(env, fleet, planner, spec.soon_ready > 0)
        self.window = spec.window
        env.process(self._ticks())

    def _ticks(self) -> Generator[simpy.Event, object, None]:
        while True:
            yield self.env.timeout(self.window)
            self.decide()


class RollingHorizonDispatch(_Planned):
    """Re-plan on every change (once per instant) and every ``recheck`` while orders wait."""

    def __init__(self, env: SimEnv, fleet: Fleet, spec: RollingHorizonDispatchSpec) -> None:
        planner = DispatchPlanner(env, fleet, spec, "rolling_horizon", spec.lookahead,
                                  spec.soon_ready, spec.recheck)
        super().__init__(env, fleet, planner, spec.soon_ready > 0)
        self.recheck = spec.recheck
        self._due = False  # a decision is scheduled for this instant
        self._recheck_at = -1.0

    def changed(self) -> None:
        if not self._due:
            self._due = True
            self.env.process(self._soon())

    def _soon(self) -> Generator[simpy.Event, object, None]:
        yield self.env.timeout(0)  # after everything else that happens at this instant
        self._due = False
        self.decide()
        if self.ready and self.fleet.idle() and self._recheck_at <= self.env.now:
            self._recheck_at = self.env.now + self.recheck
            self.env.process(self._again(self._recheck_at))

    def _again(self, at: float) -> Generator[simpy.Event, object, None]:
        yield self.env.timeout(at - self.env.now)
        if self._recheck_at == at:
            self.changed()
