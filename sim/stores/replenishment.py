"""Replenishment policies: what a store orders from its supplier, and when.

One policy object per store decides for every SKU. Policies look at the *inventory
position* (free units on the shelf plus units on order; units held for accepted online
orders count as sold) and order from the store's :class:`~sim.stores.supply.Supplier`,
which decides when the goods arrive. Every replenishment order is a row of the
``replenishments`` table.

- ``sS``: when the position is at or below s, order up to S (continuous review: checked
  after every sale; periodic: every ``review``).
- ``RS``: every R, order up to S.
- ``rQ``: when the position is at or below r, order Q (or the multiple of Q that lifts it
  above r).
- ``forecast``: every R, order up to the forecast demand over lead time plus review
  period plus a safety stock for a target fill rate (see :mod:`sim.stores.forecast`).

Levels are written in days of the SKU's expected daily demand at the store (rounded:
reorder points to the nearest unit, order-up-to levels and quantities up; S is at least
s + 1 and Q at least 1) or in units for every SKU (``levels_in: units``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import numpy as np
import numpy.typing as npt
import simpy

from sim.core.env import SimEnv
from sim.core.records import REPLENISHMENT_COLUMNS
from sim.core.registry import narrow
from sim.scenario.schema import (
    ForecastReplenishment,
    NoReplenishmentSpec,
    ReplenishmentSpec,
    RQReplenishment,
    RSReplenishment,
    SSReplenishment,
)
from sim.stores.forecast import HOUR, DemandForecast, fill_rate_factor
from sim.stores.inventory import ShelfStock
from sim.stores.supply import Lines, Supplier

Units = npt.NDArray[np.int64]
"""Whole units per SKU."""


@dataclass(frozen=True)
class StockPlan:
    """What the scenario expects a store to sell: units per day of each SKU, and units
    per clock hour of the day for the whole store (the shape of its day)."""

    daily: npt.NDArray[np.float64]
    hourly: npt.NDArray[np.float64]


class ReplenishmentPolicy(Protocol):
    """Keeps one store's shelves stocked."""

    def start(self) -> None:
        """Begin reviewing (called once when the run starts)."""
        ...


OrderingSpec = SSReplenishment | RSReplenishment | RQReplenishment | ForecastReplenishment
"""The specs of the policies that order from a supplier."""
OrderingT = TypeVar("OrderingT", bound=OrderingSpec)
LevelsT = TypeVar("LevelsT", bound=SSReplenishment | RSReplenishment | RQReplenishment)


class NoReplenishment:
    """Never orders: the shelves only run down."""

    def __init__(self, env: SimEnv, spec: NoReplenishmentSpec, node: str,
                 stock: ShelfStock) -> None:
        pass

    def start(self) -> None:
        """Nothing to do."""


class Replenisher(Generic[OrderingT]):
    """Base of the ordering policies: places orders, receives them, records them."""

    name = "base"

    def __init__(self, env: SimEnv, spec: OrderingT, node: str, stock: ShelfStock,
                 supplier: Supplier, plan: StockPlan) -> None:
        if stock.levels is None:
            raise ValueError(f"{node}: unlimited stock cannot be replenished")
        self.env, self.spec, self.node, self.stock = env, spec, node, stock
        self.supplier, self.plan = supplier, plan
        self._table = env.recorder.table("replenishments", REPLENISHMENT_COLUMNS)
        self._open: dict[int, tuple[float, int, int]] = {}
        env.recorder.on_finish(self._flush)

    # ---------------------------------------------------------------- levels

    def positions(self) -> Units:
        """Inventory position of every SKU."""
        assert self.stock.levels is not None
        return np.asarray(self.stock.levels, dtype=np.int64) + np.asarray(
            self.stock.on_order, dtype=np.int64)

    # ---------------------------------------------------------------- orders

    def place(self, lines: Lines) -> None:
        """Order ``lines`` from the supplier now."""
        lines = [(int(s), int(q)) for s, q in lines if q > 0]
        if not lines:
            return
        env = self.env
        self.stock.order(lines)
        rid = env.next_id("replenishment")
        self._open[rid] = (env.now, len(lines), sum(q for _, q in lines))
        event = self.supplier.ship(self.node, lines)
        event.callbacks.append(lambda ev: self._arrived(rid, lines, ev.value))

    def place_where(self, qty: Units) -> None:
        """Order ``qty[sku]`` of every SKU with a positive quantity."""
        skus = np.flatnonzero(qty > 0)
        if skus.size:
            self.place(list(zip(skus.tolist(), qty[skus].tolist(), strict=True)))

    def _arrived(self, rid: int, lines: Lines, delivered: Lines | None) -> None:
        got = self.stock.receive(lines, delivered or ())
        ordered_at, n, units = self._open.pop(rid)
        self._table.append((rid, self.node, self.supplier.name, self.name, ordered_at, n,
                            units, self.env.now, got))
        self.received(self.env.now - ordered_at)

    def received(self, lead_time: float) -> None:
        """Hook: an order arrived ``lead_time`` after it was placed."""

    def _flush(self) -> None:
        for rid, (ordered_at, n, units) in sorted(self._open.items()):
            self._table.append((rid, self.node, self.supplier.name, self.name, ordered_at, n,
                                units, math.nan, 0))
        self._open.clear()

    # ---------------------------------------------------------------- review

    def every(self, period: float, at: float) -> Generator[simpy.Event, object, None]:
        """SimPy process: :meth:`review` at clock times ``at + k * period``."""
        env = self.env
        first = at + math.ceil((env.now - at) / period - 1e-9) * period
        yield env.timeout(first - env.now)
        while True:
            self.review()
            yield env.timeout(period)

    def review(self) -> None:
        """A periodic review (overridden by periodic policies)."""

    def start(self) -> None:
        """Start the periodic review, or arm the continuous one."""
        review = self.spec.review
        if review == "continuous":
            self.stock.reorder_at = self.reorder_points().tolist()
            self.stock.on_low = self.low
        else:
            self.env.process(self.every(float(review), self.spec.review_at))

    def reorder_points(self) -> Units:
        """Positions at or below which a continuous review orders."""
        raise NotImplementedError

    def low(self, sku: int) -> None:
        """Continuous review: ``sku``'s position fell to its reorder point."""
        raise NotImplementedError


class LevelPolicy(Replenisher[LevelsT]):
    """Base of the policies whose levels are written in days of demand or in units."""

    def level(self, value: float, *, up: bool) -> Units:
        """A spec level per SKU, as integer units (see the module docstring)."""
        n = self.stock.size
        if self.spec.levels_in == "units":
            return np.full(n, int(value), dtype=np.int64)
        units = self.plan.daily * value
        return (np.ceil(units - 1e-9) if up else np.floor(units + 0.5)).astype(np.int64)


class SSPolicy(LevelPolicy[SSReplenishment]):
    """(s, S): at or below s, order up to S."""

    name = "sS"

    def __init__(self, env: SimEnv, spec: SSReplenishment, node: str, stock: ShelfStock,
                 supplier: Supplier, plan: StockPlan) -> None:
        super().__init__(env, spec, node, stock, supplier, plan)
        self.s = self.level(self.spec.s, up=False)
        self.S = np.maximum(self.level(self.spec.S, up=True), self.s + 1)
        self._s, self._S = self.s.tolist(), self.S.tolist()

    def reorder_points(self) -> Units:
        return self.s

    def low(self, sku: int) -> None:
        ip = self.stock.position(sku)
        if ip <= self._s[sku]:
            self.place([(sku, self._S[sku] - ip)])

    def review(self) -> None:
        ip = self.positions()
        self.place_where(np.where(ip <= self.s, self.S - ip, 0))


class RSPolicy(LevelPolicy[RSReplenishment]):
    """(R, S): every R, order up to S."""

    name = "RS"

    def __init__(self, env: SimEnv, spec: RSReplenishment, node: str, stock: ShelfStock,
                 supplier: Supplier, plan: StockPlan) -> None:
        super().__init__(env, spec, node, stock, supplier, plan)
        self.S = np.maximum(self.level(self.spec.S, up=True), 1)

    def review(self) -> None:
        self.place_where(self.S - self.positions())


class RQPolicy(LevelPolicy[RQReplenishment]):
    """(r, Q): at or below r, order enough multiples of Q to lift the position above r."""

    name = "rQ"

    def __init__(self, env: SimEnv, spec: RQReplenishment, node: str, stock: ShelfStock,
                 supplier: Supplier, plan: StockPlan) -> None:
        super().__init__(env, spec, node, stock, supplier, plan)
        self.r = self.level(self.spec.r, up=False)
        self.Q = np.maximum(self.level(self.spec.Q, up=True), 1)
        self._r, self._Q = self.r.tolist(), self.Q.tolist()

    def reorder_points(self) -> Units:
        return self.r

    def low(self, sku: int) -> None:
        ip = self.stock.position(sku)
        r, q = self._r[sku], self._Q[sku]
        if ip <= r:
            self.place([(sku, ((r - ip) // q + 1) * q)])

    def review(self) -> None:
        ip = self.positions()
        n = np.where(ip <= self.r, (self.r - ip) // self.Q + 1, 0)
        self.place_where(n * self.Q)


class ForecastPolicy(Replenisher[ForecastReplenishment]):
    """Every R, order up to the forecast over lead time + R plus safety stock."""

    name = "forecast"

    def __init__(self, env: SimEnv, spec: ForecastReplenishment, node: str,
                 stock: ShelfStock, supplier: Supplier, plan: StockPlan) -> None:
        super().__init__(env, spec, node, stock, supplier, plan)
        spec = self.spec
        self.forecast = DemandForecast(self.plan.daily / 24.0, self.plan.hourly,
                                       spec.level_smoothing, spec.season_smoothing,
                                       spec.error_smoothing)
        self.lead_time = float(spec.lead_time)
        self._leads: list[float] = []

    def start(self) -> None:
        self.env.process(self._learn())
        self.env.process(self.every(float(self.spec.review), self.spec.review_at))

    def _sold(self) -> npt.NDArray[np.float64]:
        return np.asarray(self.stock.sold_walkin, dtype=float) + np.asarray(
            self.stock.sold_online, dtype=float)

    def _learn(self) -> Generator[simpy.Event, object, None]:
        env = self.env
        last = self._sold()
        yield env.timeout((math.floor(env.now / HOUR) + 1) * HOUR - env.now)
        while True:
            sold = self._sold()
            self.forecast.observe(int((env.now - HOUR) // HOUR) % 24, sold - last)
            last = sold
            yield env.timeout(HOUR)

    def received(self, lead_time: float) -> None:
        self._leads.append(lead_time)
        self.lead_time = sum(self._leads) / len(self._leads)

    def targets(self) -> Units:
        """Order-up-to level of every SKU now."""
        now, lead, period = self.env.now, self.lead_time, float(self.spec.review)
        mean, var = self.forecast.expected(now, now + lead + period)
        cycle, _ = self.forecast.expected(now + lead, now + lead + period)
        sigma = np.sqrt(var)
        ratio = (1.0 - self.spec.target_fill_rate) * cycle / np.maximum(sigma, 1e-12)
        k = fill_rate_factor(ratio)
        return np.ceil(mean + k * sigma - 1e-9).clip(min=0).astype(np.int64)

    def review(self) -> None:
        self.place_where(self.targets() - self.positions())


FindSupplier = Callable[[str], Supplier]
"""The supplier called by a name (raises a ScenarioError naming the field if none is)."""

ReplenishmentFactory = Callable[
    [SimEnv, ReplenishmentSpec, str, ShelfStock, FindSupplier, StockPlan], ReplenishmentPolicy]
"""A registry entry: ``(env, spec, store, stock, find_supplier, plan)`` to the policy."""


def _ordering(policy: Callable[[SimEnv, OrderingT, str, ShelfStock, Supplier, StockPlan],
                               ReplenishmentPolicy],
              spec_type: type[OrderingT]) -> ReplenishmentFactory:
    """The registry entry of an ordering policy: its spec, with its supplier found."""
    def build(env: SimEnv, spec: ReplenishmentSpec, node: str, stock: ShelfStock,
              find: FindSupplier, plan: StockPlan) -> ReplenishmentPolicy:
        own = narrow(spec_type, spec)
        return policy(env, own, node, stock, find(own.supplier), plan)
    return build


REPLENISHMENT_POLICIES: dict[str, ReplenishmentFactory] = {
    "none": lambda env, spec, node, stock, find, plan: NoReplenishment(
        env, narrow(NoReplenishmentSpec, spec), node, stock),
    "sS": _ordering(SSPolicy, SSReplenishment),
    "RS": _ordering(RSPolicy, RSReplenishment),
    "rQ": _ordering(RQPolicy, RQReplenishment),
    "forecast": _ordering(ForecastPolicy, ForecastReplenishment),
}
"""Replenishment policies by the ``policy`` tag of their scenario entry."""


def make_replenishment(env: SimEnv, spec: ReplenishmentSpec, node: str, stock: ShelfStock,
                       find: FindSupplier, plan: StockPlan) -> ReplenishmentPolicy:
    """The replenishment policy ``spec`` describes for store ``node``."""
    return REPLENISHMENT_POLICIES[spec.policy](env, spec, node, stock, find, plan)
