"""Order-to-node assignment policies: which eligible node serves an order.

A policy returns one of the eligible nodes, or None when none of them can serve the
basket (the order is then rejected as out of stock).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sim.core.env import SimEnv
from sim.fulfillment.node import FulfilmentNode
from sim.fulfillment.order import Order
from sim.routing.network import RoadNetwork


class AssignmentPolicy(Protocol):
    """Chooses the node that serves an order."""

    def choose(self, order: Order, eligible: Sequence[FulfilmentNode]) -> FulfilmentNode | None:
        """The node to serve ``order``, or None if no eligible node can."""
        ...


class NearestAssignment:
    """The eligible node nearest to the customer by road that has the whole basket."""

    def __init__(self, env: SimEnv, spec: Any, network: RoadNetwork) -> None:
        self.network = network

    def road_metres(self, node: FulfilmentNode, order: Order) -> float:
        """Road distance from ``node`` to the customer."""
        metres = self.network.from_node(node.place.node, 1.0)[1][order.place.node]
        return float(metres) + node.place.access + order.place.access

    def choose(self, order: Order, eligible: Sequence[FulfilmentNode]) -> FulfilmentNode | None:
        ranked = sorted(enumerate(eligible),
                        key=lambda item: (self.road_metres(item[1], order), item[0]))
        for _, node in ranked:
            if node.can_serve(order.basket):
                return node
        return None


ASSIGNMENT_POLICIES: dict[str, type] = {
    "nearest": NearestAssignment,
}
