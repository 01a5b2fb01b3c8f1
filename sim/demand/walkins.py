"""Walk-in shoppers at a store, taking units from the shelves online orders also use.

Each shopper takes what is on the shelf of every line of their basket; what is missing
is a lost sale. One row per visit goes to the ``walkins`` table. Arrivals, baskets and
quantities come from the store's own ``demand/walkin/<store>`` stream.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Protocol

from sim.calendar.events import DemandFactors
from sim.core.env import SimEnv
from sim.core.records import WALKIN_COLUMNS
from sim.core.sampling import sampler
from sim.demand.catalog import Basket, Catalog
from sim.demand.days import calendar_arrivals
from sim.scenario.schema import Scenario, StoreSpec


class Shelves(Protocol):
    """What a walk-in shopper needs of a store: its shelves, to take what is there."""

    def take_available(self, basket: Basket, channel: str) -> int:
        """Take what is on the shelves of each line; return the units taken."""
        ...


class WalkinDemand:
    """The walk-in visits of one store over the run."""

    def __init__(self, env: SimEnv, scenario: Scenario, store: StoreSpec, stock: Shelves,
                 catalog: Catalog, factors: DemandFactors | None = None) -> None:
        spec = scenario.demand.walkin
        self.env, self.node, self.stock = env, store.name, stock
        rng = env.streams(f"demand/walkin/{store.name}")
        if spec is None or store.walkins_per_day <= 0:
            self.times: list[float] = []
            self.baskets: list[Basket] = []
        else:
            self.times = calendar_arrivals(
                rng, scenario, "walkins", store.walkins_per_day, spec.profile,
                scenario.run.start, scenario.run.end,
                None if factors is None else factors.walkin(store.name)).tolist()
            self.baskets = catalog.baskets(rng, len(self.times), sampler(spec.basket.lines),
                                           sampler(spec.basket.units_per_line))
        self._table = env.recorder.table("walkins", WALKIN_COLUMNS)

    def process(self) -> Generator[Any, Any, None]:
        """SimPy process: each shopper takes what is on the shelves."""
        env = self.env
        for t, basket in zip(self.times, self.baskets, strict=True):
            if t > env.now:
                yield env.timeout(t - env.now)
            sold = self.stock.take_available(basket, "walkin")
            self._table.append((env.now, self.node, len(basket), sum(q for _, q in basket),
                                sold))
