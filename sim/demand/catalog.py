"""The SKU catalogue and baskets drawn from it.

Popularity is Zipf-like: the SKU of rank i has probability proportional to 1 / i^s, the
long tail that grocery assortments show. A basket is a tuple of distinct ``(sku, units)``
lines; line counts and units per line come from the scenario's distributions, rounded
and at least 1.
"""

from __future__ import annotations

import numpy as np
from numpy.random import Generator

from sim.core.sampling import Sampler, sampler
from sim.scenario.schema import BasketSpec, CatalogSpec

Basket = tuple[tuple[int, int], ...]


class Catalog:
    """SKU popularity and basket sampling."""

    def __init__(self, spec: CatalogSpec) -> None:
        self.size = spec.skus
        ranks = np.arange(1, spec.skus + 1, dtype=float)
        weights = ranks ** -spec.zipf_exponent
        self.popularity = weights / weights.sum()
        self._cdf = np.cumsum(self.popularity)
        self._cdf[-1] = 1.0

    def skus(self, rng: Generator, n: int) -> np.ndarray:
        """``n`` SKUs drawn by popularity (with repetition)."""
        return np.searchsorted(self._cdf, rng.random(n), side="right").clip(0, self.size - 1)

    def baskets(self, rng: Generator, n: int, lines: Sampler, units: Sampler) -> list[Basket]:
        """``n`` baskets of distinct SKUs; every draw comes from ``rng`` in a fixed order."""
        if n == 0:
            return []
        counts = np.maximum(1, np.rint(lines.draw(rng, n))).astype(int).clip(max=self.size)
        total = int(counts.sum())
        skus = self.skus(rng, total).tolist()
        qty = np.maximum(1, np.rint(units.draw(rng, total))).astype(int).tolist()
        out: list[Basket] = []
        pos = 0
        for k in counts.tolist():
            chosen = skus[pos:pos + k]
            if len(set(chosen)) < k:
                chosen = self._distinct(rng, chosen)
            out.append(tuple(zip(chosen, qty[pos:pos + k], strict=True)))
            pos += k
        return out

    def _distinct(self, rng: Generator, chosen: list[int]) -> list[int]:
        """Redraw repeated SKUs until all lines differ (keeps the line count)."""
        seen: set[int] = set()
        result: list[int] = []
        for sku in chosen:
            while sku in seen:
                sku = int(self.skus(rng, 1)[0])
            seen.add(sku)
            result.append(sku)
        return result


def mean_units(basket: BasketSpec) -> float:
    """Expected units in a basket (lines and units per line are at least 1)."""
    return max(1.0, sampler(basket.lines).mean) * max(1.0, sampler(basket.units_per_line).mean)
