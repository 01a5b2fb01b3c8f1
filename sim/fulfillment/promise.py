"""Promise policies: which nodes may serve an order, and whether to accept it.

The promise decides two things: the nodes eligible for an order (those within the
service radius of its customer, straight-line, like the delivery-area maps retailers
publish) and, once the assignment policy has picked a node, whether the order is
accepted with a delivery promise of ``window`` after the click.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sim.core.env import SimEnv
from sim.fulfillment.node import FulfilmentNode
from sim.fulfillment.order import Order


class PromisePolicy(Protocol):
    """Decides eligibility and acceptance of online orders."""

    window: float

    def eligible(self, order: Order, nodes: Sequence[FulfilmentNode]) -> list[FulfilmentNode]:
        """Nodes that may serve ``order`` (empty: rejected as out of radius)."""
        ...

    def refuse(self, order: Order, node: FulfilmentNode) -> str | None:
        """A rejection reason for serving ``order`` from ``node``, or None to accept."""
        ...


class FixedPromise:
    """Accept every order that a node within ``radius`` can serve; promise ``window``."""

    def __init__(self, env: SimEnv, spec: Any) -> None:
        self.window: float = spec.window
        self.radius: float = spec.radius

    def eligible(self, order: Order, nodes: Sequence[FulfilmentNode]) -> list[FulfilmentNode]:
        return [n for n in nodes if n.place.euclid(order.place) <= self.radius]

    def refuse(self, order: Order, node: FulfilmentNode) -> str | None:
        return None


PROMISE_POLICIES: dict[str, type] = {
    "fixed": FixedPromise,
}
