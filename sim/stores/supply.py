"""Where store stock comes from: the contract between replenishment and its suppliers.

A replenishment policy decides *what* a store orders and *when*; a :class:`Supplier`
(a plain distribution centre with a lead time, or a robot warehouse that picks the
units) decides how long it takes and how much arrives. The policy puts the delivered
units on the shelf when the returned event fires.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import simpy

Lines = Sequence[tuple[int, int]]
"""Replenishment lines: ``(sku, units)`` pairs."""


class Supplier(Protocol):
    """A source of replenishment for stores."""

    name: str

    def ship(self, store: str, lines: Lines) -> simpy.Event:
        """Start a replenishment order for ``store``.

        The returned event succeeds when the goods arrive at the store, with the list of
        ``(sku, units)`` actually delivered as its value (fewer units than asked when the
        supplier is short; a line may be missing or have 0 units, never more units than
        ordered, never a SKU that was not ordered). The caller puts them on the shelf and
        counts the difference as shorted. ``ship`` must not change ``lines`` and should
        not block: the caller may be in the middle of a sale when it orders.
        """
        ...
