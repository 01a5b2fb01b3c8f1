"""A store: shelf stock shared by two channels, pickers, and a courier fleet.

With ``stock.reserve: order`` (the default) an accepted online order sets its units aside
at once, so walk-ins cannot take them; with ``reserve: pick`` nothing is set aside and
the picker takes what is still on the shelf when the pick starts. Either way a picked
line may turn out missing (``pick_miss_probability``: the system showed units that are
not there; they are written off). Short lines go to the stock-out handler, which
substitutes, drops them, or takes the order away (reroute, cancel); see
:mod:`sim.fulfillment.stockout`.

A picker takes ``pick_time_per_order`` plus ``pick_time_per_item`` for every unit picked
(substitutes included), then packs; the packed order goes to the store's dispatch policy.
Pickers are a SimPy resource served first come, first served. Under a roster (shifts or
hourly counts) they are a :class:`~sim.calendar.staff.PickerPool`: a picker going off
shift finishes the order in hand, and orders wait while nobody is on duty.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Protocol

import simpy

from sim.calendar.roster import Roster
from sim.calendar.staff import PickerPool
from sim.city.network import Place
from sim.core.env import LevelMonitor, SimEnv
from sim.demand.catalog import Basket
from sim.demand.order import IN_PROGRESS, Order
from sim.scenario.calendar import roster_peak
from sim.scenario.schema import StoreSpec
from sim.stores.inventory import ShelfStock

if TYPE_CHECKING:
    from sim.fleet.couriers import Fleet
    from sim.routing.dispatch import DispatchPolicy

Line = tuple[int, int]


class Resolution(Protocol):
    """What the stock-out handler decided for an order with short lines."""

    held: list[Line]
    """Lines the order leaves the shelf with (substitutes included)."""
    extra_units: int
    """Substitute units the picker still has to pick."""

    def leave(self) -> bool:
        """True when the order does not continue here (rerouted or cancelled)."""
        ...

    def after(self) -> None:
        """Carry the decision out once the store has let the order go."""
        ...


class StockoutHandler(Protocol):
    """Decides what happens to an order whose picker found lines short."""

    def resolve(self, store: Store, order: Order, held: list[Line],
                short: list[Line]) -> Resolution:
        """Decide for ``order`` at ``store``: ``held`` is what the picker has, ``short``
        what is missing (sku, units)."""
        ...


class Store:
    """A store that picks online orders from its own shelves."""

    kind = "store"

    def __init__(self, env: SimEnv, spec: StoreSpec, place: Place, stock: ShelfStock,
                 fleet: Fleet, dispatch: DispatchPolicy, stockouts: StockoutHandler,
                 roster: Roster | None = None, stop: float = 0.0) -> None:
        """``roster``: the pickers' roster over the run (None or a constant one: a fixed
        number of pickers); ``stop``: when the run stops (the roster is followed until
        then)."""
        self.env, self.spec, self.name, self.place = env, spec, spec.name, place
        self.stock = stock
        self.fleet = fleet
        self.dispatch = dispatch
        self.stockouts = stockouts
        self.pickers: simpy.Resource | PickerPool
        if roster is None or roster.constant is not None:
            n = roster.constant if roster is not None and roster.constant is not None \
                else roster_peak(spec.pickers)
            self.pickers = simpy.Resource(env, capacity=n)
            self.picker_level = LevelMonitor(env, "pickers", spec.name, n)
        else:  # a roster: pickers come and go, each finishing the order in hand
            self.picker_level = LevelMonitor(env, "pickers", spec.name,
                                             roster.steps(env.now, stop)[0][1])
            self.pickers = PickerPool(env, spec.name, roster, stop, self.picker_level)
        # customers who may cancel (demand.online.patience): their picking processes,
        # orders cancelled mid-pick, and the units each packed order left the shelf with
        self._patient: dict[int, simpy.Process] = {}
        self._gone: set[int] = set()
        self._packed: dict[int, list[Line]] = {}
        self._per_order = env.draws(f"pick/order/{spec.name}", spec.pick_time_per_order)
        self._per_item = env.draws(f"pick/item/{spec.name}", spec.pick_time_per_item)
        self._pack = env.draws(f"pack/{spec.name}", spec.pack_time)
        self.reserve_at_order = spec.stock.reserve == "order" or stock.unlimited
        self.miss_probability = 0.0 if stock.unlimited else spec.stock.pick_miss_probability
        self._miss_rng = env.streams(f"pick/miss/{spec.name}") \
            if self.miss_probability > 0 else None

    def can_serve(self, basket: Basket) -> bool:
        """True when the whole basket can be promised to an online order now."""
        return self.stock.has(basket)

    def accept(self, order: Order) -> None:
        """Reserve the basket's units (when reserving at order time) and queue the order
        for a picker."""
        if self.reserve_at_order:
            self.stock.reserve(order.basket)
        process = self.env.process(self._fulfil(order))
        if order.gives_up < math.inf:  # a customer who may cancel: keep a handle
            self._patient[id(order)] = process

    def give_up(self, order: Order) -> bool:
        """The customer cancels. Waiting for a picker: leave the queue, units back. Being
        picked or packed: the picker finishes the task in hand and puts the units back.
        Packed and waiting for a courier: out of the dispatch queue, units back. Gone
        with a courier: too late (False)."""
        queued = self._patient.pop(id(order), None)  # still waiting for a picker
        packed = self._packed.pop(id(order), None)
        if order.status != IN_PROGRESS or order.courier:
            return False  # delivered, cancelled, or gone with a courier: nothing to withdraw
        if queued is not None:
            queued.interrupt("gave up")
            return True
        if math.isnan(order.ready):  # being picked or packed here
            self._gone.add(id(order))
            return True
        if packed is not None and self.dispatch.withdraw(order):
            self.stock.unsell(packed)
            return True
        return False

    def _missing(self, held: list[Line]) -> tuple[list[Line], list[Line]]:
        """Lines the picker does not find although the system shows them."""
        assert self._miss_rng is not None
        miss = self._miss_rng.random(len(held)) < self.miss_probability
        if not miss.any():
            return held, []
        missed = [line for line, m in zip(held, miss.tolist(), strict=True) if m]
        self.stock.write_off(missed)
        return [line for line, m in zip(held, miss.tolist(), strict=True) if not m], missed

    def _fulfil(self, order: Order) -> Generator[simpy.Event, object, None]:
        env, stock = self.env, self.stock
        resolution: Resolution | None = None
        with self.pickers.request() as req:
            try:
                yield req
            except simpy.Interrupt:  # the customer gave up in the queue (give_up)
                if self.reserve_at_order:
                    stock.release(order.basket)
                return
            if order.gives_up < math.inf:
                self._patient.pop(id(order), None)  # out of the queue: no handle needed
            order.pick_start = env.now
            self.picker_level.change(+1)
            short: list[Line]
            if self.reserve_at_order:
                held, short = list(order.basket), []
            else:
                held, short = stock.hold_available(order.basket)
            if self._miss_rng is not None and held:
                held, missed = self._missing(held)
                short += missed
            units = order.units if not short else sum(q for _, q in held)
            yield env.timeout(self._per_order() + self._per_item.sum(units))
            if self._gone and id(order) in self._gone:  # cancelled while being picked
                self._gone.discard(id(order))
                stock.release(held)
                self.picker_level.change(-1)
                return
            if short:
                resolution = self.stockouts.resolve(self, order, held, short)
                held = resolution.held
                if resolution.extra_units:
                    yield env.timeout(self._per_item.sum(resolution.extra_units))
            if resolution is not None and resolution.leave():
                stock.release(held)
                self.picker_level.change(-1)
            else:
                stock.commit(held)
                order.pick_end = env.now
                pack = self._pack()
                if pack > 0:
                    yield env.timeout(pack)
                self.picker_level.change(-1)
                if self._gone and id(order) in self._gone:  # cancelled while being packed
                    self._gone.discard(id(order))
                    stock.unsell(held)
                    return
                order.ready = env.now
                if order.gives_up < math.inf:
                    self._packed[id(order)] = held
        if resolution is not None and resolution.leave():
            resolution.after()
            return
        env.hooks.order_ready.emit(order)
        self.dispatch.order_ready(order)
