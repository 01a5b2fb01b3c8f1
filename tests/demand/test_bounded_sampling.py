"""Samplers end in bounded time and keep the draws of ordinary scenarios (issue 18 item 3).

``catalog.zipf_exponent=5`` (distinct basket lines redrawn one at a time) and
``demand.online.customers.spread=1e9`` (points redrawn until inside the city) never
finished. Redrawing is now bounded; the values still rejected are drawn exactly from the
same conditional distribution, so results are right and ordinary seeds unchanged.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from sim.core import sampling
from sim.core.sampling import sampler, truncated_normal
from sim.demand import arrivals, catalog
from sim.demand.arrivals import clustered_points
from sim.demand.catalog import Catalog
from sim.scenario.demand import CatalogSpec
from tests.core.test_sampling import NUM


def _reference_clustered(rng, n, centres, weights, spread, width, height):
    """The unbounded rejection loop the model used before (for ordinary inputs)."""
    which = rng.choice(len(centres), size=n, p=weights / weights.sum())
    pts = centres[which] + rng.normal(0.0, spread, (n, 2))
    out = arrivals._outside(pts, width, height)
    while out.any():
        pts[out] = centres[which[out]] + rng.normal(0.0, spread, (int(out.sum()), 2))
        out = arrivals._outside(pts, width, height)
    return pts


def test_clustered_points_keep_todays_draws():
    """Where redrawing succeeds within the bound, the points are bit-identical to before."""
    centres = np.array([[1000.0, 1000.0], [7000.0, 4000.0]])
    weights = np.array([1.0, 2.0])
    new = clustered_points(np.random.default_rng(3), 5000, centres, weights, 1500.0,
                           8000.0, 8000.0)
    old = _reference_clustered(np.random.default_rng(3), 5000, centres, weights, 1500.0,
                               8000.0, 8000.0)
    assert np.array_equal(new, old)


def test_huge_spread_finishes_inside_the_city():
    """spread=1e9 m: every point inside the city, nearly uniform, in well under a second."""
    t0 = time.process_time()
    pts = clustered_points(np.random.default_rng(0), 20000, np.array([[4000.0, 4000.0]]),
                           np.array([1.0]), 1e9, 8000.0, 6000.0)
    assert time.process_time() - t0 < 1.0
    assert (pts[:, 0] >= 0).all() and (pts[:, 0] <= 8000).all()
    assert (pts[:, 1] >= 0).all() and (pts[:, 1] <= 6000).all()
    assert pts.mean(axis=0) == pytest.approx([4000, 3000], rel=0.02)
    assert pts.std(axis=0) == pytest.approx(np.array([8000, 6000]) / 12 ** 0.5, rel=0.02)


def test_fallback_draws_the_same_distribution(monkeypatch):
    """With no redraw allowed, the exact method gives the rejection loop's distribution."""
    centres, weights = np.array([[500.0, 2500.0]]), np.array([1.0])
    ref = clustered_points(np.random.default_rng(1), 40000, centres, weights, 1000.0,
                           3000.0, 3000.0)
    monkeypatch.setattr(arrivals, "MAX_REDRAWS", 0)
    exact = clustered_points(np.random.default_rng(2), 40000, centres, weights, 1000.0,
                             3000.0, 3000.0)
    assert exact.mean(axis=0) == pytest.approx(ref.mean(axis=0), rel=0.02)
    assert exact.std(axis=0) == pytest.approx(ref.std(axis=0), rel=0.02)
    assert np.quantile(exact[:, 1], 0.9) == pytest.approx(np.quantile(ref[:, 1], 0.9),
                                                          rel=0.02)


def test_truncated_normal_fallback_matches_its_mean(monkeypatch):
    """The normal distribution truncated at 0 drawn exactly has the truncated mean."""
    monkeypatch.setattr(sampling, "MAX_REDRAWS", 0)
    smp = sampler(NUM.validate_python({"dist": "normal", "mean": 0.5, "sd": 2}))
    x = smp.draw(np.random.default_rng(4), 100_000)
    assert x.min() >= 0
    assert x.mean() == pytest.approx(smp.mean, rel=0.01)
    direct = truncated_normal(np.random.default_rng(5), 0.5, 2.0, 0.0, np.inf, 100_000)
    assert direct.mean() == pytest.approx(smp.mean, rel=0.01)


def test_steep_zipf_baskets_finish_with_distinct_lines():
    """zipf_exponent=5: nearly all mass on SKU 0, yet 4-line baskets finish quickly."""
    cat = Catalog(CatalogSpec(skus=500, zipf_exponent=5.0))
    four = sampler(NUM.validate_python(4))
    t0 = time.process_time()
    baskets = cat.baskets(np.random.default_rng(0), 800, four, four)
    assert time.process_time() - t0 < 2.0
    assert all(len({s for s, _ in b}) == 4 for b in baskets)
    tiny = Catalog(CatalogSpec(skus=3, zipf_exponent=1000.0))  # all but SKU 0 underflow
    assert {frozenset(s for s, _ in b) for b in tiny.baskets(
        np.random.default_rng(1), 50, sampler(NUM.validate_python(3)), four)} == \
        {frozenset({0, 1, 2})}


def test_zipf_fallback_draws_the_same_distribution(monkeypatch):
    """Drawing from the remaining popularity gives the redraw loop's basket frequencies."""
    cat = Catalog(CatalogSpec(skus=6, zipf_exponent=2.0))
    two = sampler(NUM.validate_python(2))
    one = sampler(NUM.validate_python(1))

    def freq(seed: int) -> np.ndarray:
        baskets = cat.baskets(np.random.default_rng(seed), 20000, two, one)
        second = np.array([b[1][0] for b in baskets])
        return np.bincount(second, minlength=6) / len(second)

    ref = freq(7)
    monkeypatch.setattr(catalog, "MAX_REDRAWS", 0)
    assert np.allclose(freq(8), ref, atol=0.015)


def test_reproducers_run_to_the_end(make_scenario):
    """The two reproducers from the issue, on the tiny scenario, run to the end."""
    from sim.runner import run

    sc = make_scenario("catalog.zipf_exponent=5", "demand.online.customers.spread=1e9m",
                       "run.duration=40min", "run.warmup=10min", "run.drain=20min")
    result = run(sc, 1)
    assert result.metrics["orders"]["created"] > 0
