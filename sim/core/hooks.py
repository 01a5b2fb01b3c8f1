"""Observation by callbacks: components announce events, observers subscribe.

Model loops call :meth:`Hooks.emit` at a handful of points (an order accepted, ready,
delivered, a courier idle ...) instead of testing flags; policies that learn during a
run (a promise predictor, a rolling-horizon dispatcher) subscribe to what they need.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

ORDER_CREATED = "order_created"
ORDER_ACCEPTED = "order_accepted"
ORDER_AT_NODE = "order_at_node"  # (order or shipment, node name): handed to the node
ORDER_LEFT_NODE = "order_left_node"  # (order or shipment, node name): rerouted or cancelled
ORDER_REJECTED = "order_rejected"
ORDER_READY = "order_ready"
ORDER_DISPATCHED = "order_dispatched"
ORDER_DELIVERED = "order_delivered"
ORDER_CANCELLED = "order_cancelled"
TRIP_FINISHED = "trip_finished"


class Hooks:
    """A tiny synchronous publish/subscribe bus, in subscription order."""

    def __init__(self) -> None:
        self._subscribers: defaultdict[str, list[Callable[..., None]]] = defaultdict(list)

    def on(self, event: str, fn: Callable[..., None]) -> None:
        """Call ``fn(*args)`` whenever ``event`` is emitted."""
        self._subscribers[event].append(fn)

    def emit(self, event: str, *args: Any) -> None:
        """Tell every subscriber of ``event``."""
        for fn in self._subscribers.get(event, ()):
            fn(*args)
