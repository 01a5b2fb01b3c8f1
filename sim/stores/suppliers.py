"""Suppliers that are not fulfilment nodes: a plain distribution centre.

A :class:`DistributionCentre` has every SKU and ships what a store orders after a lead
time. With a truck schedule, orders wait for the next departure to their store (orders
placed less than ``cutoff`` before a departure take the one after) and everything on one
truck arrives together, one lead-time draw per truck; without one, each order leaves at
once with its own lead time. A line ships in full with probability ``line_fill_rate``,
otherwise not at all. Lead times of each store come from the stream
``supply/<dc>/<store>``, shortages from ``supply/<dc>/<store>/fill``.

Robot warehouses (:mod:`sim.warehouse`) implement the same :class:`~sim.stores.supply.
Supplier` protocol as fulfilment nodes; replenishment finds both by name.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import simpy

from sim.core.env import SimEnv
from sim.core.registry import narrow
from sim.core.sampling import Draws
from sim.scenario.schema import DistributionCentreSpec, SupplierSpec
from sim.stores.supply import Lines, Supplier

DAY = 86400.0


class DistributionCentre:
    """A distribution centre with unlimited stock, a lead time and truck departures."""

    kind = "dc"

    def __init__(self, env: SimEnv, name: str, spec: DistributionCentreSpec) -> None:
        self.env, self.name, self.spec = env, name, spec
        self.trucks = sorted(float(t) % DAY for t in spec.trucks)
        self._lead: dict[str, Draws] = {}
        self._batches: dict[tuple[str, float], list[tuple[simpy.Event, list[tuple[int, int]]]]] \
            = {}

    def _draws(self, store: str) -> Draws:
        d = self._lead.get(store)
        if d is None:
            d = self._lead[store] = self.env.draws(f"supply/{self.name}/{store}",
                                                   self.spec.lead_time)
        return d

    def next_departure(self, t: float) -> float:
        """The first departure at or after clock time ``t``."""
        day = math.floor(t / DAY)
        while True:
            for h in self.trucks:
                dep = day * DAY + h
                if dep >= t - 1e-9:
                    return dep
            day += 1

    def ship(self, store: str, lines: Lines) -> simpy.Event:
        """Send ``lines`` to ``store``; the event's value is what arrives."""
        env = self.env
        event = env.event()
        order = [(int(s), int(q)) for s, q in lines]
        if not self.trucks:
            lead = max(0.0, self._draws(store)())
            env.timeout(lead).callbacks.append(
                lambda _: self._deliver(store, [(event, order)]))
            return event
        dep = self.next_departure(env.now + self.spec.cutoff)
        key = (store, dep)
        batch = self._batches.get(key)
        if batch is None:
            batch = self._batches[key] = []
            lead = max(0.0, self._draws(store)())
            env.timeout(dep - env.now + lead).callbacks.append(
                lambda _: self._deliver(store, self._batches.pop(key)))
        batch.append((event, order))
        return event

    def _deliver(self, store: str, batch: list[tuple[simpy.Event, list[tuple[int, int]]]]
                 ) -> None:
        rate = self.spec.line_fill_rate
        rng: np.random.Generator | None = (
            self.env.streams(f"supply/{self.name}/{store}/fill") if rate < 1 else None)
        for event, order in batch:
            if rng is None:
                event.succeed(order)
            else:
                full = rng.random(len(order)) < rate
                event.succeed([(s, q) for (s, q), ok in zip(order, full.tolist(), strict=True)
                               if ok])


SupplierFactory = Callable[[SimEnv, str, SupplierSpec], Supplier]

SUPPLIER_KINDS: dict[str, SupplierFactory] = {
    "dc": lambda env, name, spec: DistributionCentre(env, name,
                                                     narrow(DistributionCentreSpec, spec)),
}
"""Suppliers by the ``kind`` of their scenario entry."""


def make_supplier(env: SimEnv, name: str, spec: SupplierSpec) -> Supplier:
    """The supplier ``spec`` describes, called ``name``."""
    return SUPPLIER_KINDS[spec.kind](env, name, spec)
