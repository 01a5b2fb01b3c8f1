"""What a fulfilment node offers the order flow: stores and robot warehouses alike.

The flow asks a node whether it can serve a basket, hands it accepted orders, and the
node stamps the order's pick and ready times, emits the ``order_ready`` hook and passes
it to its dispatch policy when ready. Nothing in the flow depends on what kind of node it
is: policies tell nodes apart by ``kind`` (``store``, ``warehouse``) and read only the
protocol's attributes (the promise model reads ``fleet.level``, ``fleet.vehicle.speed``
and ``fleet.spec``; inventory-aware assignment reads the node's :class:`NodeStock`:
``available(sku)``, ``daily`` and ``unlimited``). A node that also supplies stores
implements :class:`sim.stores.supply.Supplier`; the model knows which nodes those are
when it builds them, so nothing probes a node for the capability.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from sim.city.network import Place
from sim.demand.catalog import Basket
from sim.demand.order import Order

if TYPE_CHECKING:
    from sim.fleet.couriers import Fleet


class NodeStock(Protocol):
    """What policies may read of a node's stock: a store's shelves, a warehouse's pods."""

    @property
    def unlimited(self) -> bool:
        """True when the node never runs out (no ledger is kept)."""
        ...

    @property
    def daily(self) -> Sequence[float]:
        """Expected units sold per day of each SKU."""
        ...

    def available(self, sku: int) -> float:
        """Units of ``sku`` an online order may still take now."""
        ...


class FulfilmentNode(Protocol):
    """A place that picks online orders and hands them to its couriers."""

    name: str
    kind: str
    place: Place
    fleet: Fleet

    @property
    def stock(self) -> NodeStock:
        """The node's stock, as policies may read it."""
        ...

    def can_serve(self, basket: Basket) -> bool:
        """True when the node could pick the whole basket now."""
        ...

    def accept(self, order: Order) -> None:
        """Take an accepted order: reserve its stock and start picking it."""
        ...

    def give_up(self, order: Order) -> bool:
        """The customer of ``order`` cancels: let the order go if it has not left with a
        courier yet (its stock back on the shelf) and say True; False when it cannot be
        withdrawn here."""
        ...
