"""An online order and its record: one row per order with a timestamp per stage.

The order object is the record: components stamp it as it moves (accepted, picking,
ready, dispatched, delivered) and the order flow writes it to the ``orders`` table when
the run ends. Unset times are NaN (empty in the CSV).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sim.core.records import CANCELLED, DELIVERED, IN_PROGRESS, REJECTED
from sim.demand.catalog import Basket
from sim.routing.network import Place

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

    def row(self) -> tuple[object, ...]:
        """The order as a row of the ``orders`` table."""
        return (self.id, self.created, self.place.x, self.place.y, len(self.basket),
                self.units, self.status, self.reason, self.node, self.accepted, self.due,
                self.pick_start, self.pick_end, self.ready, self.dispatched, self.delivered,
                self.courier, self.trip)
