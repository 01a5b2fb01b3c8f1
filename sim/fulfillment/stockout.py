"""Stock-out handling for accepted orders whose picker finds lines short.

A line is short when the shelf has fewer units than the order needs at pick time (with
reservation at pick time a walk-in may have taken them) or when the picker does not find
units the system shows (``pick_miss_probability``). The scenario's ``stockout.actions``
are tried in order until no line is short:

- ``substitute``: for each short line, the nearest SKU by popularity rank in the same
  class (``substitute_range`` ranks each side, not already in the basket) that an online
  order may take in full; the customer accepts it with ``substitute_acceptance``.
- ``reroute``: the whole order (or shipment) moves to another node that can serve it
  whole, chosen by the assignment policy among the nodes eligible for the customer; its
  due time does not change.
- ``partial``: the short lines are left out and the rest is delivered (if nothing is
  left, the order is cancelled).
- ``cancel``: the order is cancelled (reason ``stockout``).

Each action is an entry of :data:`STOCKOUT_ACTIONS`, keyed by its name in the schema
(a test ties the two). Reroutes and cancellations are carried out by the order flow,
which the handler reaches through an :class:`OrderDesk`.

Every step is a row of ``fulfil_events`` (short, substituted, dropped, rerouted,
cancelled), so the metrics can count them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Protocol

from sim.core.env import SimEnv
from sim.core.records import FULFIL_EVENT_COLUMNS
from sim.demand.order import Order
from sim.fulfillment.node import FulfilmentNode
from sim.scenario.schema import StockoutSpec

if TYPE_CHECKING:
    from sim.stores.store import Store

Line = tuple[int, int]

STOCKOUT = "stockout"


@dataclass
class Decision:
    """The handler's decision for one order (see :class:`sim.stores.store.Resolution`)."""

    held: list[Line]
    extra_units: int = 0
    then: Callable[[], None] | None = field(default=None)

    def leave(self) -> bool:
        """True when the order leaves the node (rerouted or cancelled)."""
        return self.then is not None

    def after(self) -> None:
        """Carry out the reroute or cancellation."""
        if self.then is not None:
            self.then()


class OrderDesk(Protocol):
    """Where the handler sends an order that leaves its node: the order flow."""

    def reroute_target(self, order: Order, node: FulfilmentNode) -> FulfilmentNode | None:
        """Another node that can take ``order`` whole now, or None."""
        ...

    def reroute(self, order: Order, old: FulfilmentNode, new: FulfilmentNode) -> None:
        """Move ``order`` from ``old`` to ``new``."""
        ...

    def cancel(self, order: Order, node: FulfilmentNode, reason: str) -> None:
        """Cancel ``order`` at ``node``."""
        ...


class DeskLink:
    """The order flow, as the handler reaches it; bound once when the flow exists.

    Stores need their stock-out handler when they are built, the handler needs the flow
    to reroute and cancel, and the flow needs the stores (through the policies' context).
    The model breaks the circle with this link: it is created first, handed to the
    handler, and bound to the flow right after the flow is built, before the clock runs.
    """

    def __init__(self) -> None:
        self._desk: OrderDesk | None = None

    def bind(self, desk: OrderDesk) -> None:
        """Point the link at ``desk`` (once)."""
        if self._desk is not None:
            raise RuntimeError("the stock-out handler's order desk is already bound")
        self._desk = desk

    @property
    def desk(self) -> OrderDesk:
        """The bound desk (a run that resolves a stock-out before binding is a bug)."""
        if self._desk is None:
            raise RuntimeError("the stock-out handler's order desk is not bound yet")
        return self._desk

    def reroute_target(self, order: Order, node: FulfilmentNode) -> FulfilmentNode | None:
        """See :meth:`OrderDesk.reroute_target`."""
        return self.desk.reroute_target(order, node)

    def reroute(self, order: Order, old: FulfilmentNode, new: FulfilmentNode) -> None:
        """See :meth:`OrderDesk.reroute`."""
        self.desk.reroute(order, old, new)

    def cancel(self, order: Order, node: FulfilmentNode, reason: str) -> None:
        """See :meth:`OrderDesk.cancel`."""
        self.desk.cancel(order, node, reason)


Sub = tuple[int, int, str]
"""A substitute held for a short line: ``(sku, units, the short sku)``."""


class StockoutHandling:
    """Applies the scenario's stock-out actions; the order desk (the flow) carries out
    reroutes and cancellations."""

    def __init__(self, env: SimEnv, spec: StockoutSpec, desk: OrderDesk) -> None:
        self.env, self.spec, self.desk = env, spec, desk
        self.actions: list[str] = list(spec.actions)
        self._steps = [STOCKOUT_ACTIONS[a] for a in self.actions]
        self._events = env.recorder.table("fulfil_events", FULFIL_EVENT_COLUMNS)

    def event(self, order: Order, node: str, event: str, sku: int = -1, units: int = 0,
              detail: str = "") -> None:
        """Write one ``fulfil_events`` row."""
        self._events.append((self.env.now, order.id, order.part, node, event, sku, units,
                             detail))

    def resolve(self, store: Store, order: Order, held: list[Line],
                short: list[Line]) -> Decision:
        """Decide what happens to ``order`` whose ``short`` lines are missing at ``store``:
        the actions in turn, until one takes the order away or no line is short."""
        for sku, qty in short:
            self.event(order, store.name, "short", sku, qty)
        decision = Decision(list(held))
        left = list(short)
        subs: list[Sub] = []
        for step in self._steps:
            left = step(self, store, order, left, decision, subs)
            if decision.leave():
                return decision
            if not left:
                break
        for sku, qty, detail in subs:  # substitutes count only if they leave with the order
            self.event(order, store.name, "substituted", sku, qty, detail)
        return decision

    def _reroute(self, store: Store, order: Order, short: list[Line], decision: Decision,
                 subs: list[Sub]) -> list[Line]:
        """Move the order whole to another node that can serve it, if there is one."""
        target = self.desk.reroute_target(order, store)
        if target is not None:
            decision.then = partial(self.desk.reroute, order, store, target)
        return short

    def _partial(self, store: Store, order: Order, short: list[Line], decision: Decision,
                 subs: list[Sub]) -> list[Line]:
        """Drop the short lines; with nothing left to deliver, cancel."""
        if not decision.held:
            return self._cancel(store, order, short, decision, subs)
        for sku, qty in short:
            self.event(order, store.name, "dropped", sku, qty)
        return []

    def _cancel(self, store: Store, order: Order, short: list[Line], decision: Decision,
                subs: list[Sub]) -> list[Line]:
        """Cancel the order (reason ``stockout``)."""
        decision.then = partial(self.desk.cancel, order, store, STOCKOUT)
        return short

    def _substitute(self, store: Store, order: Order, short: list[Line],
                    decision: Decision, subs: list[Sub]) -> list[Line]:
        """Hold substitutes for the short lines the customer accepts; return the rest."""
        stock = store.stock
        if stock.levels is None:
            return short
        rng = self.env.streams(f"stockout/{store.name}")
        taken = {sku for sku, _ in order.basket} | {sku for sku, _ in decision.held}
        cls = stock.sku_class
        left: list[Line] = []
        for sku, qty in short:
            sub = None
            for d in range(1, self.spec.substitute_range + 1):
                for cand in (sku + d, sku - d):
                    if 0 <= cand < stock.size and cls[cand] == cls[sku] \
                            and cand not in taken and stock.available(cand) >= qty:
                        sub = cand
                        break
                if sub is not None:
                    break
            if sub is None or rng.random() >= self.spec.substitute_acceptance:
                left.append((sku, qty))
                continue
            got, _ = stock.hold_available([(sub, qty)])
            taken.add(sub)
            decision.held.extend(got)
            decision.extra_units += qty
            subs.append((sub, qty, str(sku)))
        return left


StockoutAct = Callable[[StockoutHandling, "Store", Order, list[Line], Decision, list[Sub]],
                       list[Line]]
"""One stock-out action: given the short lines, return those still short (it may set
the decision's ``then`` to take the order away)."""

STOCKOUT_ACTIONS: dict[str, StockoutAct] = {
    "substitute": StockoutHandling._substitute,
    "reroute": StockoutHandling._reroute,
    "partial": StockoutHandling._partial,
    "cancel": StockoutHandling._cancel,
}
"""The stock-out actions by their name in ``stockout.actions``."""
