"""Shelf stock of a node, shared by walk-in shoppers and online orders.

Stock is a list of integer units per SKU and never goes negative: an online basket is
taken whole or not at all (the promise checks :meth:`ShelfStock.has` first), a walk-in
takes what is there and the rest is a lost sale. Every time a SKU's shelf empties, a row
goes to the ``stockouts`` table.
"""

from __future__ import annotations

import math

import numpy as np

from sim.core.env import SimEnv
from sim.core.records import STOCKOUT_COLUMNS
from sim.demand.catalog import Basket


class ShelfStock:
    """Units on the shelf per SKU; ``levels=None`` means unlimited stock."""

    def __init__(self, env: SimEnv, node: str, levels: list[int] | None) -> None:
        self._env = env
        self.node = node
        self.levels = levels
        self._stockouts = env.recorder.table("stockouts", STOCKOUT_COLUMNS)

    @property
    def unlimited(self) -> bool:
        """True when the shelves never run out."""
        return self.levels is None

    def has(self, basket: Basket) -> bool:
        """True when every line of ``basket`` is on the shelf in full."""
        lv = self.levels
        return lv is None or all(lv[sku] >= qty for sku, qty in basket)

    def take(self, basket: Basket, channel: str) -> None:
        """Remove a whole basket; the caller has checked :meth:`has`."""
        lv = self.levels
        if lv is None:
            return
        for sku, qty in basket:
            left = lv[sku] - qty
            if left < 0:
                raise RuntimeError(f"{self.node}: taking {qty} of SKU {sku} with {lv[sku]} left")
            lv[sku] = left
            if left == 0:
                self._stockouts.append((self._env.now, self.node, sku, channel))

    def take_available(self, basket: Basket, channel: str) -> int:
        """Remove what is there of each line; return the units actually taken."""
        lv = self.levels
        if lv is None:
            return sum(q for _, q in basket)
        taken = 0
        for sku, qty in basket:
            have = lv[sku]
            if have <= 0:
                continue
            got = qty if qty < have else have
            lv[sku] = have - got
            taken += got
            if have - got == 0:
                self._stockouts.append((self._env.now, self.node, sku, channel))
        return taken

    def add(self, sku: int, qty: int) -> None:
        """Put ``qty`` units of ``sku`` on the shelf (replenishment)."""
        if self.levels is not None:
            self.levels[sku] += qty

    def total_units(self) -> int:
        """Units on the shelves in all (0 when unlimited)."""
        return 0 if self.levels is None else sum(self.levels)


def initial_levels(daily_units: float, popularity: np.ndarray, cover_days: float,
                   min_units: int) -> list[int]:
    """Units per SKU for ``cover_days`` of the expected demand, at least ``min_units``."""
    want = np.ceil(cover_days * daily_units * popularity - 1e-9)
    return [int(max(min_units, u)) if math.isfinite(u) else min_units for u in want]
