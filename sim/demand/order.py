"""An online order and its record: one row per order with a timestamp per stage.

The order object is the record: components stamp it as it moves (accepted, picking,
ready, dispatched, delivered) and the order flow writes it to the ``orders`` table when
the run ends. Unset times are NaN (empty in the CSV).

A split order stays one customer order (one row of ``orders``); each node's share is a
*shipment*: an :class:`Order` with the same id, ``part`` >= 0 and ``parent`` set, which
nodes, couriers and hooks handle like any order (one row of ``order_parts`` each).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sim.city.network import Place
from sim.core.records import CANCELLED, DELIVERED, IN_PROGRESS, REJECTED
from sim.demand.catalog import Basket, SkuPayload

NAN = math.nan

__all__ = ["CANCELLED", "DELIVERED", "IN_PROGRESS", "REJECTED", "Order"]


@dataclass(slots=True, eq=False)
class Order:
    """An online order from click to door."""

    id: int
    created: float
    place: Place
    basket: Basket
    units: int = 0
    status: str = IN_PROGRESS
    reason: str = ""
    node: str = ""
    accepted: float = NAN
    due: float = NAN
    pick_start: float = NAN
    pick_end: float = NAN
    ready: float = NAN
    dispatched: float = NAN
    delivered: float = NAN
    courier: str = ""
    trip: int = -1
    extra: dict[str, object] = field(default_factory=dict)
    part: int = -1
    """Index of this shipment in its split order; -1 for a whole order."""
    parent: Order | None = None
    """The customer order this shipment belongs to (split orders only)."""
    parts: list[Order] | None = None
    """The shipments of a split order, in part order."""
    open_parts: int = 0
    pred: tuple[str, int, int, float] | None = None
    """Queue state at acceptance, for the promise model to learn from (or None)."""
    gives_up: float = math.inf
    """When the customer cancels if the order has not left the node by then
    (``demand.online.patience``; never by default)."""
    weight: float = 0.0
    """Payload in kg (0 unless the catalogue gives SKU weights)."""
    volume: float = 0.0
    """Payload in litres (0 unless the catalogue gives SKU volumes)."""
    payloads: SkuPayload | None = None
    """The catalogue's SKU payloads, to weigh a shipment's share of the basket."""

    def weigh(self, payloads: SkuPayload | None) -> Order:
        """Set the order's weight and volume from its basket (none: left at 0)."""
        if payloads is not None:
            self.payloads = payloads
            self.weight, self.volume = payloads.of(self.basket)
        return self

    def row(self) -> tuple[object, ...]:
        """The order as a row of the ``orders`` table."""
        return (self.id, self.created, self.place.x, self.place.y, len(self.basket),
                self.units, self.status, self.reason, self.node, self.accepted, self.due,
                self.pick_start, self.pick_end, self.ready, self.dispatched, self.delivered,
                self.courier, self.trip)

    def part_row(self) -> tuple[object, ...]:
        """A shipment of a split order as a row of the ``order_parts`` table."""
        return (self.id, self.part, self.node, len(self.basket), self.units, self.status,
                self.accepted, self.pick_start, self.pick_end, self.ready, self.dispatched,
                self.delivered, self.courier, self.trip)

    def shipment(self, part: int, node: str, basket: Basket) -> Order:
        """A new shipment of this order: part ``part`` of the basket, from ``node``."""
        return Order(self.id, self.created, self.place, basket, sum(q for _, q in basket),
                     node=node, accepted=self.accepted, due=self.due, part=part, parent=self
                     ).weigh(self.payloads)
