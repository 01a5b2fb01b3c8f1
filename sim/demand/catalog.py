"""The SKU catalogue and baskets drawn from it.

Popularity is Zipf-like: the SKU of rank i has probability proportional to 1 / i^s, the
long tail that grocery assortments show. A basket is a tuple of distinct ``(sku, units)``
lines; line counts and units per line come from the scenario's distributions, rounded
and at least 1.

With ``weight_kg`` or ``volume_litres`` in the catalogue, each SKU also has a unit
weight and volume, drawn once per SKU from the stream ``catalog/payload`` (weights first,
then volumes: the other streams draw exactly what they drew before); an order's payload
is the sum over its lines of units times the SKU's figure (:class:`SkuPayload`).
"""

from __future__ import annotations

import numpy as np
from numpy.random import Generator

from sim.core.rng import RandomStreams
from sim.core.sampling import MAX_REDRAWS, Sampler, sampler
from sim.scenario.demand import BasketSpec, CatalogSpec

Basket = tuple[tuple[int, int], ...]


MAX_UNITS_PER_LINE = 1_000_000
"""Units of one SKU in one basket line at most (a draw above is cut to it)."""

PAYLOAD_STREAM = "catalog/payload"
"""The random stream of the SKUs' unit weights and volumes."""


class SkuPayload:
    """Unit weight (kg) and volume (litres) of every SKU, and the payload of a basket."""

    __slots__ = ("kg", "litres")

    def __init__(self, kg: list[float], litres: list[float]) -> None:
        self.kg, self.litres = kg, litres

    @classmethod
    def draw(cls, spec: CatalogSpec, streams: RandomStreams) -> SkuPayload | None:
        """The catalogue's payloads, or None when it gives neither weights nor volumes.
        Negative draws (a normal distribution) count as 0."""
        if spec.weight_kg is None and spec.volume_litres is None:
            return None
        rng = streams(PAYLOAD_STREAM)
        out = []
        for dist in (spec.weight_kg, spec.volume_litres):
            if dist is None:
                out.append([0.0] * spec.skus)
            else:
                out.append(np.clip(sampler(dist).draw(rng, spec.skus), 0.0, None).tolist())
        return cls(out[0], out[1])

    def of(self, basket: Basket) -> tuple[float, float]:
        """(kg, litres) of ``basket``: units times the unit figures, summed over lines."""
        kg, litres = self.kg, self.litres
        return (float(sum(q * kg[s] for s, q in basket)),
                float(sum(q * litres[s] for s, q in basket)))


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
        # clipped as floats, so a huge draw cannot overflow the integer conversion
        counts = np.clip(np.rint(lines.draw(rng, n)), 1, self.size).astype(int)
        total = int(counts.sum())
        skus = self.skus(rng, total).tolist()
        qty = np.clip(np.rint(units.draw(rng, total)), 1, MAX_UNITS_PER_LINE).astype(int).tolist()
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
        """Redraw repeated SKUs until all lines differ (keeps the line count).

        A repeated SKU is redrawn by popularity at most :data:`MAX_REDRAWS` times; if it
        still repeats (a steep Zipf exponent puts nearly all mass on a few SKUs), it is
        drawn from the popularity of the SKUs not yet in the basket: the distribution
        redrawing converges to, reached in one step.
        """
        if 2 * len(chosen) > self.size:
            return self._most_of_catalogue(rng, chosen)
        seen: set[int] = set()
        result: list[int] = []
        for sku in chosen:
            for _ in range(MAX_REDRAWS):
                if sku not in seen:
                    break
                sku = int(self.skus(rng, 1)[0])
            if sku in seen:
                sku = self._unseen(rng, seen)
            seen.add(sku)
            result.append(sku)
        return result

    def _most_of_catalogue(self, rng: Generator, chosen: list[int]) -> list[int]:
        """A basket of more than half the catalogue: the distinct SKUs drawn, then the
        missing lines drawn by popularity without replacement among the SKUs left, in one
        vectorised draw (redrawing one SKU at a time would take time quadratic in the
        basket). No realistic basket comes near this; it keeps absurd inputs bounded."""
        first = list(dict.fromkeys(chosen))
        need = len(chosen) - len(first)
        left = np.setdiff1d(np.arange(self.size), first)
        weights = self.popularity[left]
        total = weights.sum()
        p = weights / total if total > 0 and np.count_nonzero(weights) >= need else None
        extra = rng.choice(left, size=need, replace=False, p=p)
        return first + [int(x) for x in extra]

    def _unseen(self, rng: Generator, seen: set[int]) -> int:
        """One SKU drawn by popularity among those not in ``seen`` (one uniform)."""
        weights = self.popularity.copy()
        weights[list(seen)] = 0.0
        cdf = np.cumsum(weights)
        u = rng.random()
        if cdf[-1] <= 0:  # the remaining popularity underflowed: the most popular left
            return next(i for i in range(self.size) if i not in seen)
        sku = int(np.searchsorted(cdf, u * cdf[-1], side="right").clip(0, self.size - 1))
        # u * total may round up to the total: then the last SKU with mass left
        return sku if sku not in seen else int(np.flatnonzero(weights)[-1])


def mean_units(basket: BasketSpec, skus: int) -> float:
    """Expected units in a basket of a catalogue of ``skus`` SKUs (lines between 1 and
    ``skus``, units per line between 1 and :data:`MAX_UNITS_PER_LINE`, as drawn)."""
    lines = min(max(1.0, sampler(basket.lines).mean), float(skus))
    return lines * min(max(1.0, sampler(basket.units_per_line).mean), MAX_UNITS_PER_LINE)
