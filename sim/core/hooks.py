"""Observation by callbacks: components announce events, observers subscribe.

Model loops announce a handful of events (an order accepted, ready, delivered, a trip
finished ...) instead of testing flags; policies that learn during a run (a promise
predictor, a rolling-horizon dispatcher) subscribe to what they need.

Each event is a typed :class:`Channel` attribute of :class:`Hooks`
(``env.hooks.order_ready.emit(order)``, ``env.hooks.order_ready.on(fn)``), so a
misspelt event is an attribute error that mypy reports, and a handler or an emit whose
arguments do not match the event's is a type error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVarTuple

if TYPE_CHECKING:
    from sim.demand.order import Order
    from sim.fleet.couriers import Courier

Ts = TypeVarTuple("Ts")


class Channel(Generic[*Ts]):
    """One event: handlers are called synchronously, in subscription order, with the
    event's arguments. Emitting with no subscriber costs one loop over an empty list."""

    __slots__ = ("_handlers",)

    def __init__(self) -> None:
        self._handlers: list[Callable[[*Ts], None]] = []

    def on(self, fn: Callable[[*Ts], None]) -> None:
        """Call ``fn(*args)`` whenever the event is emitted."""
        self._handlers.append(fn)

    def emit(self, *args: *Ts) -> None:
        """Tell every subscriber."""
        for fn in self._handlers:
            fn(*args)


class Hooks:
    """The events of a run, one typed channel each."""

    __slots__ = ("order_accepted", "order_at_node", "order_cancelled", "order_created",
                 "order_delivered", "order_dispatched", "order_left_node", "order_ready",
                 "order_rejected", "trip_finished")

    def __init__(self) -> None:
        self.order_created: Channel[Order] = Channel()
        """An online order was placed (before the promise decision)."""
        self.order_accepted: Channel[Order] = Channel()
        """An order was accepted with a promise."""
        self.order_at_node: Channel[Order, str] = Channel()
        """An order (or shipment) was handed to the node of that name."""
        self.order_left_node: Channel[Order, str] = Channel()
        """An order (or shipment) left the named node unpacked: rerouted or cancelled."""
        self.order_rejected: Channel[Order] = Channel()
        """An order was refused at the promise."""
        self.order_ready: Channel[Order] = Channel()
        """An order (or shipment) is packed and waits for a courier."""
        self.order_dispatched: Channel[Order] = Channel()
        """An order left its node with a courier."""
        self.order_delivered: Channel[Order] = Channel()
        """An order reached its customer."""
        self.order_cancelled: Channel[Order] = Channel()
        """An accepted order was cancelled."""
        self.trip_finished: Channel[Courier, int] = Channel()
        """A courier is back from the trip of that id."""
