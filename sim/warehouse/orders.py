"""Orders inside the warehouse: online orders, parcel orders and store replenishment.

Every order that reaches the warehouse becomes a :class:`WhOrder` of ``(sku, units)``
lines. It waits in the backlog until a station has a free order slot, then its lines
wait at that station for pods; a pod visit *claims* units of lines it can fill and picks
them when it is at the station. An order is complete when every unit of every line has
been picked; it is ready after packing.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

import simpy

from sim.demand.order import Order

NAN = math.nan

ONLINE, PARCEL, REPLENISHMENT = "online", "parcel", "replenishment"
WAITING, OPEN, PICKED, READY = "waiting", "open", "picked", "ready"


@dataclass(slots=True, eq=False)
class Line:
    """One SKU of an order: units to pick, units not yet claimed by a pod visit."""

    order: WhOrder
    index: int
    sku: int
    units: int
    unclaimed: int
    picked: int = 0


@dataclass(slots=True, eq=False)
class WhOrder:
    """An order as the warehouse sees it, with a timestamp per stage."""

    id: int
    channel: str
    created: float
    due: float
    ref: Order | str | None = None  # the city Order, or the store name of a replenishment
    lines: list[Line] = field(default_factory=list)
    station: int = -1
    assigned: float = NAN
    pick_start: float = NAN
    pick_end: float = NAN
    ready: float = NAN
    status: str = WAITING
    lines_left: int = 0
    units: int = 0
    units_picked: int = 0
    event: simpy.Event | None = None  # replenishment: succeeds with the delivered lines

    def row(self, warehouse: str) -> tuple[object, ...]:
        """The order as a row of ``wh_orders``."""
        ref = self.ref.id if isinstance(self.ref, Order) else self.ref
        return (warehouse, self.id, self.channel, "" if ref is None else str(ref),
                self.created, self.due, self.assigned, self.station, self.pick_start,
                self.pick_end, self.ready, len(self.lines), self.units, self.units_picked,
                self.status)


class Backlog:
    """Orders waiting for a station slot, served in the order of a sequence key."""

    __slots__ = ("_heap", "_seq")

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, WhOrder]] = []
        self._seq = 0

    def push(self, key: float, order: WhOrder) -> None:
        """Add ``order`` with sort key ``key`` (ties: first come first)."""
        heapq.heappush(self._heap, (key, self._seq, order))
        self._seq += 1

    def pop(self) -> WhOrder:
        """Remove and return the next order."""
        return heapq.heappop(self._heap)[2]

    def __len__(self) -> int:
        return len(self._heap)
