"""A store: shelf stock shared by two channels, pickers, and a courier fleet.

An accepted online order takes its units off the shelf at once (so walk-ins cannot take
them), then waits for a picker. A picker takes ``pick_time_per_order`` plus
``pick_time_per_item`` for every unit, then packs; the packed order goes to the store's
dispatch policy. Pickers are a SimPy resource served first come, first served.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import simpy

from sim.core.env import LevelMonitor, SimEnv
from sim.core.hooks import ORDER_READY
from sim.demand.catalog import Basket
from sim.fulfillment.order import Order
from sim.routing.network import Place
from sim.scenario.schema import StoreSpec
from sim.stores.inventory import ShelfStock

if TYPE_CHECKING:
    from sim.fleet.couriers import Fleet
    from sim.routing.dispatch import DispatchPolicy


class Store:
    """A store that picks online orders from its own shelves."""

    kind = "store"

    def __init__(self, env: SimEnv, spec: StoreSpec, place: Place, stock: ShelfStock,
                 fleet: Fleet) -> None:
        self.env, self.spec, self.name, self.place = env, spec, spec.name, place
        self.stock = stock
        self.fleet = fleet
        self.dispatch: DispatchPolicy | None = None
        self.pickers = simpy.Resource(env, capacity=spec.pickers)
        self.picker_level = LevelMonitor(env, "pickers", spec.name, spec.pickers)
        self._per_order = env.draws(f"pick/order/{spec.name}", spec.pick_time_per_order)
        self._per_item = env.draws(f"pick/item/{spec.name}", spec.pick_time_per_item)
        self._pack = env.draws(f"pack/{spec.name}", spec.pack_time)

    def can_serve(self, basket: Basket) -> bool:
        """True when the whole basket is on the shelves."""
        return self.stock.has(basket)

    def accept(self, order: Order) -> None:
        """Reserve the basket's units and queue the order for a picker."""
        self.stock.take(order.basket, "online")
        self.env.process(self._fulfil(order))

    def _fulfil(self, order: Order) -> Generator[Any, Any, None]:
        env = self.env
        with self.pickers.request() as req:
            yield req
            order.pick_start = env.now
            self.picker_level.change(+1)
            yield env.timeout(self._per_order() + self._per_item.sum(order.units))
            order.pick_end = env.now
            pack = self._pack()
            if pack > 0:
                yield env.timeout(pack)
            order.ready = env.now
            self.picker_level.change(-1)
        env.hooks.emit(ORDER_READY, order)
        if self.dispatch is not None:
            self.dispatch.order_ready(order)
