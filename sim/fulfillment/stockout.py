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

Every step is a row of ``fulfil_events`` (short, substituted, dropped, rerouted,
cancelled), so the metrics can count them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from sim.core.env import SimEnv
from sim.core.records import FULFIL_EVENT_COLUMNS
from sim.demand.order import Order

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


class StockoutHandling:
    """Applies the scenario's stock-out actions; the flow carries out reroutes and
    cancellations."""

    def __init__(self, env: SimEnv, spec: Any, flow: Any) -> None:
        self.env, self.spec, self.flow = env, spec, flow
        self.actions: list[str] = list(spec.actions)
        self._events = env.recorder.table("fulfil_events", FULFIL_EVENT_COLUMNS)

    def event(self, order: Order, node: str, event: str, sku: int = -1, units: int = 0,
              detail: str = "") -> None:
        """Write one ``fulfil_events`` row."""
        self._events.append((self.env.now, order.id, order.part, node, event, sku, units,
                             detail))

    def resolve(self, store: Store, order: Order, held: list[Line],
                short: list[Line]) -> Decision:
        """Decide what happens to ``order`` whose ``short`` lines are missing at ``store``."""
        for sku, qty in short:
            self.event(order, store.name, "short", sku, qty)
        decision = Decision(list(held))
        left = list(short)
        subs: list[tuple[int, int, str]] = []
        for action in self.actions:
            if action == "substitute":
                left = self._substitute(store, order, left, decision, subs)
            elif action == "reroute":
                target = self.flow.reroute_target(order, store)
                if target is not None:
                    decision.then = partial(self.flow.reroute, order, store, target)
                    return decision
            elif action == "partial" and decision.held:
                for sku, qty in left:
                    self.event(order, store.name, "dropped", sku, qty)
                left = []
            else:  # cancel, or nothing left to deliver
                decision.then = partial(self.flow.cancel, order, store, STOCKOUT)
                return decision
            if not left:
                break
        for sku, qty, detail in subs:  # substitutes count only if they leave with the order
            self.event(order, store.name, "substituted", sku, qty, detail)
        return decision

    def _substitute(self, store: Store, order: Order, short: list[Line],
                    decision: Decision, subs: list[tuple[int, int, str]]) -> list[Line]:
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
