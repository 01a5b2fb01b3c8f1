"""How busy each fulfilment node is right now, observed from the order lifecycle.

:class:`NodeLoad` counts, per node, the orders handed to it and not yet packed
(``backlog``: waiting for or being picked) and the packed orders waiting for a courier
(``waiting``), from the ``order_at_node``, ``order_left_node``, ``order_ready`` and
``order_dispatched`` hooks. It needs nothing from the node but its name and fleet, so it
works the same for stores and robot warehouses.
"""

from __future__ import annotations

from collections import defaultdict

from sim.core.env import SimEnv
from sim.demand.order import Order
from sim.fulfillment.node import FulfilmentNode


class NodeLoad:
    """Orders in each node's picking backlog and waiting for its couriers."""

    def __init__(self, env: SimEnv) -> None:
        self.backlog: defaultdict[str, int] = defaultdict(int)
        self.waiting: defaultdict[str, int] = defaultdict(int)
        env.hooks.order_at_node.on(self._enter)
        env.hooks.order_left_node.on(self._leave)
        env.hooks.order_ready.on(self._ready)
        env.hooks.order_dispatched.on(self._dispatched)

    def _enter(self, order: Order, node: str) -> None:
        """An order (or shipment) was handed to ``node``."""
        self.backlog[node] += 1

    def _leave(self, order: Order, node: str) -> None:
        """An order left ``node`` before it was packed (rerouted or cancelled)."""
        self.backlog[node] -= 1

    def _ready(self, order: Order) -> None:
        self.backlog[order.node] -= 1
        self.waiting[order.node] += 1

    def _dispatched(self, order: Order) -> None:
        self.waiting[order.node] -= 1

    @staticmethod
    def idle_couriers(node: FulfilmentNode) -> int:
        """Couriers of ``node`` free now."""
        level = node.fleet.level
        return int(level.capacity - level.busy)

    def pressure(self, node: FulfilmentNode) -> int:
        """Orders that will need one of ``node``'s couriers before a new one, minus the
        couriers free now (negative: couriers to spare)."""
        name = node.name
        return self.backlog[name] + self.waiting[name] - self.idle_couriers(node)
