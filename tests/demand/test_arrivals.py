"""Online and walk-in arrivals follow the hour-of-day profile of a Poisson process."""

import numpy as np
import pytest

from sim.demand.arrivals import (
    arrival_times,
    clustered_points,
    expected_arrivals,
    hourly_means,
)

PROFILE = [0] * 7 + [1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 3, 4, 5, 4, 3, 2, 1]


def test_hourly_means_share_the_day():
    """The day's total is shared by the hourly weights."""
    means = hourly_means(2400, PROFILE)
    assert means.sum() == pytest.approx(2400)
    assert means[:7].sum() == 0 and means[12] == pytest.approx(2400 * 6 / sum(PROFILE))


def test_counts_per_hour_match_the_profile():
    """Over many days, arrivals per hour average the profile's means (within 3 s.e.)."""
    rng = np.random.default_rng(11)
    t = arrival_times(rng, 2400, PROFILE, 0, 30 * 86400)
    assert np.all(np.diff(t) >= 0) and t.min() >= 0 and t.max() < 30 * 86400
    counts = np.bincount((t // 3600 % 24).astype(int), minlength=24) / 30
    means = hourly_means(2400, PROFILE)
    se = np.sqrt(np.maximum(means, 1e-9) / 30)
    assert np.all(np.abs(counts - means) <= 3 * se + 1e-9)
    assert counts[:7].sum() == 0


def test_partial_hours():
    """A window starting and ending inside hours gets the pro-rata expected count."""
    assert expected_arrivals(2400, PROFILE, 7.5 * 3600, 8.25 * 3600) == pytest.approx(
        hourly_means(2400, PROFILE)[7] * 0.5 + hourly_means(2400, PROFILE)[8] * 0.25)


def test_interarrival_times_are_exponential():
    """With a flat profile, gaps are exponential: mean equals sd (coefficient of variation 1)."""
    t = arrival_times(np.random.default_rng(4), 86400, [1] * 24, 0, 5 * 86400)
    gaps = np.diff(t)
    assert gaps.mean() == pytest.approx(1.0, rel=0.02)
    assert gaps.std() / gaps.mean() == pytest.approx(1.0, rel=0.03)


def test_clustered_points_stay_in_the_city():
    """Clustered customers are redrawn until inside the city, around their centres."""
    rng = np.random.default_rng(3)
    pts = clustered_points(rng, 20000, np.array([[0.0, 0.0], [4000.0, 4000.0]]),
                           np.array([1.0, 3.0]), 800.0, 4000.0, 4000.0)
    assert pts.min() >= 0 and pts.max() <= 4000
    near_corner = np.hypot(pts[:, 0] - 4000, pts[:, 1] - 4000) < 2500
    assert near_corner.mean() == pytest.approx(0.75, abs=0.02)
