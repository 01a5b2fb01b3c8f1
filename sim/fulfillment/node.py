"""What a fulfilment node offers the order flow: stores and robot warehouses alike.

The flow asks a node whether it can serve a basket, hands it accepted orders, and the
node stamps the order's pick and ready times, emits the ``order_ready`` hook and passes
it to its dispatch policy when ready. Nothing in the flow depends on what kind of node it
is: policies tell nodes apart by ``kind`` (``store``, ``warehouse``) and read only the
protocol's attributes (the promise model reads ``fleet.level``, ``fleet.vehicle.speed``
and ``fleet.spec``; inventory-aware assignment reads a ``stock`` with ``available(sku)``,
``daily`` and ``unlimited`` when the node has one). A node that also supplies stores
implements :class:`sim.stores.supply.Supplier` and is found by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from sim.city.network import Place
from sim.demand.catalog import Basket
from sim.demand.order import Order

if TYPE_CHECKING:
    from sim.fleet.couriers import Fleet


class FulfilmentNode(Protocol):
    """A place that picks online orders and hands them to its couriers."""

    name: str
    kind: str
    place: Place
    fleet: Fleet

    def can_serve(self, basket: Basket) -> bool:
        """True when the node could pick the whole basket now."""
        ...

    def accept(self, order: Order) -> None:
        """Take an accepted order: reserve its stock and start picking it."""
        ...
