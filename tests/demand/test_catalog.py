"""Baskets have distinct SKUs drawn with Zipf-like popularity."""

import numpy as np
import pytest

from sim.core.sampling import sampler
from sim.demand.catalog import Catalog
from sim.scenario.demand import CatalogSpec
from tests.core.test_sampling import NUM


def test_popularity_is_zipf():
    """p_i is proportional to 1 / i^s."""
    cat = Catalog(CatalogSpec(skus=100, zipf_exponent=1.0))
    assert cat.popularity.sum() == pytest.approx(1)
    assert cat.popularity[0] / cat.popularity[9] == pytest.approx(10)


def test_baskets_distinct_lines_and_sizes():
    """Lines are distinct SKUs; counts and units are rounded and at least 1."""
    cat = Catalog(CatalogSpec(skus=50, zipf_exponent=1.2))
    lines = sampler(NUM.validate_python({"dist": "poisson", "mean": 4}))
    units = sampler(NUM.validate_python({"dist": "empirical", "values": [1, 2]}))
    baskets = cat.baskets(np.random.default_rng(0), 5000, lines, units)
    assert len(baskets) == 5000
    for b in baskets:
        skus = [s for s, _ in b]
        assert len(b) >= 1 and len(set(skus)) == len(skus)
        assert all(0 <= s < 50 and q in (1, 2) for s, q in b)
    sizes = np.array([len(b) for b in baskets])
    assert sizes.mean() == pytest.approx(4 + np.exp(-4), rel=0.05)  # P(0) -> 1
    # a Poisson(4) count of 0 becomes 1 line, so one-line baskets are P(0) + P(1)
    one = 5 * np.exp(-4)
    se = (one * (1 - one) / 5000) ** 0.5  # 0.0041, while P(0) alone is 0.018
    assert (sizes == 1).mean() == pytest.approx(one, abs=3 * se)


def test_frequencies_follow_popularity():
    """Single-line baskets pick SKUs with the catalogue's probabilities."""
    cat = Catalog(CatalogSpec(skus=20, zipf_exponent=1.0))
    one = sampler(NUM.validate_python(1))
    baskets = cat.baskets(np.random.default_rng(1), 40000, one, one)
    freq = np.bincount([b[0][0] for b in baskets], minlength=20) / 40000
    assert np.allclose(freq, cat.popularity, atol=0.006)
