"""The order lifecycle from click to hand-over to a node.

:class:`OrderFlow` receives each online order as it is created, asks the promise policy
which nodes are eligible, the assignment policy which of them serves it, and the promise
policy again whether to accept; then hands it to the node. It keeps every order and
writes the ``orders`` table when the run ends, so each created order appears exactly
once with its terminal state (delivered, rejected, cancelled) or ``in_progress``.
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.core.env import SimEnv
from sim.core.hooks import ORDER_ACCEPTED, ORDER_CREATED, ORDER_REJECTED
from sim.core.records import ORDER_COLUMNS
from sim.fulfillment.assignment import AssignmentPolicy
from sim.fulfillment.node import FulfilmentNode
from sim.fulfillment.order import REJECTED, Order
from sim.fulfillment.promise import PromisePolicy

OUT_OF_RADIUS = "out_of_radius"
OUT_OF_STOCK = "out_of_stock"


class OrderFlow:
    """Routes each new order to a node or rejects it with a reason."""

    def __init__(self, env: SimEnv, nodes: Sequence[FulfilmentNode], promise: PromisePolicy,
                 assignment: AssignmentPolicy) -> None:
        self.env, self.nodes = env, list(nodes)
        self.promise, self.assignment = promise, assignment
        self.orders: list[Order] = []
        table = env.recorder.table("orders", ORDER_COLUMNS)
        env.recorder.on_finish(lambda: table.rows.extend(o.row() for o in self.orders))

    def submit(self, order: Order) -> None:
        """Decide a new order now: accept it at a node or reject it."""
        env = self.env
        self.orders.append(order)
        env.hooks.emit(ORDER_CREATED, order)
        eligible = self.promise.eligible(order, self.nodes)
        if not eligible:
            self.reject(order, OUT_OF_RADIUS)
            return
        node = self.assignment.choose(order, eligible)
        if node is None:
            self.reject(order, OUT_OF_STOCK)
            return
        reason = self.promise.refuse(order, node)
        if reason is not None:
            self.reject(order, reason)
            return
        order.node = node.name
        order.accepted = env.now
        order.due = order.created + self.promise.window
        env.hooks.emit(ORDER_ACCEPTED, order)
        node.accept(order)

    def reject(self, order: Order, reason: str) -> None:
        """Turn ``order`` away with ``reason``."""
        order.status = REJECTED
        order.reason = reason
        self.env.hooks.emit(ORDER_REJECTED, order)
