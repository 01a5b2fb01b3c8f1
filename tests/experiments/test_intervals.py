"""Interval arithmetic against hand computations (t and z values from printed tables)."""

from __future__ import annotations

import math

import pytest

from sim.experiments.intervals import (
    paired_difference,
    replications_needed,
    t_interval,
    verdict,
    wilson_interval,
)


def test_t_interval_by_hand():
    """1..5: mean 3, s = sqrt(2.5), t(0.975, 4) = 2.7764 -> 3 +- 1.9632."""
    iv = t_interval([1, 2, 3, 4, 5])
    s = math.sqrt(2.5)
    assert iv.n == 5
    assert iv.mean == pytest.approx(3.0)
    assert iv.sd == pytest.approx(s)
    assert iv.half_width == pytest.approx(2.7764 * s / math.sqrt(5), abs=1e-4)
    assert (iv.low, iv.high) == pytest.approx((3 - 1.96324, 3 + 1.96324), abs=1e-4)


def test_t_interval_90_percent_and_nan():
    """90% with n = 4 uses t(0.95, 3) = 2.3534; NaN values are left out."""
    iv = t_interval([10.0, 12.0, float("nan"), 14.0, 16.0], level=0.90)
    s = math.sqrt(20 / 3)  # deviations -3, -1, 1, 3
    assert iv.n == 4
    assert iv.half_width == pytest.approx(2.3534 * s / 2, abs=1e-4)


def test_t_interval_needs_two_values():
    """One value has a mean but no interval; none has neither."""
    one = t_interval([4.2])
    assert one.mean == 4.2 and math.isnan(one.low) and math.isnan(one.half_width)
    assert math.isnan(t_interval([]).mean)


def test_wilson_by_hand():
    """8 of 10 at 95% (z = 1.96): centre (0.8 + 0.19208) / 1.38416, half-width
    1.96 sqrt(0.016 + 0.009604) / 1.38416 -> [0.4902, 0.9433]."""
    p = wilson_interval(8, 10)
    assert p.rate == 0.8
    centre = (0.8 + 1.96**2 / 20) / (1 + 1.96**2 / 10)
    half = 1.96 * math.sqrt(0.8 * 0.2 / 10 + 1.96**2 / 400) / (1 + 1.96**2 / 10)
    assert (p.low, p.high) == pytest.approx((centre - half, centre + half), abs=1e-4)
    assert (p.low, p.high) == pytest.approx((0.4902, 0.9433), abs=1e-4)


def test_wilson_at_the_edges():
    """0 of 10 gives [0, z^2 / (n + z^2)] = [0, 0.2775]; 10 of 10 mirrors it."""
    zero, full = wilson_interval(0, 10), wilson_interval(10, 10)
    assert zero.low == 0 and zero.high == pytest.approx(3.8416 / 13.8416, abs=1e-4)
    assert full.high == 1 and full.low == pytest.approx(1 - zero.high, abs=1e-12)
    assert math.isnan(wilson_interval(0, 0).rate)
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


def test_paired_difference_by_hand():
    """Differences 1, 2, 3: mean 2, s = 1, t(0.975, 2) = 4.3027 -> 2 +- 2.4841."""
    d = paired_difference([10, 12, 14], [9, 10, 11])
    assert d.mean == pytest.approx(2.0)
    assert d.half_width == pytest.approx(4.3027 / math.sqrt(3), abs=1e-4)
    assert verdict(d, "higher") == "no difference"


def test_pairing_removes_shared_noise():
    """Paired values that differ by a constant give a zero-width interval off zero."""
    base = [0.70, 0.95, 0.80, 0.60]
    d = paired_difference([b + 0.01 for b in base], base)
    assert d.half_width == pytest.approx(0.0, abs=1e-12)
    assert verdict(d, "higher") == "better" and verdict(d, "lower") == "worse"


def test_verdict_direction():
    """An interval below zero is better for a lower-is-better KPI and worse otherwise."""
    d = paired_difference([1.0, 2.0, 1.5], [3.0, 3.5, 3.1])
    assert d.high < 0
    assert verdict(d, "lower") == "better"
    assert verdict(d, "higher") == "worse"
    assert verdict(t_interval([1.0]), "higher") == "n/a"


def test_replications_needed_by_hand():
    """s = 1 and target 0.5: n = 17 gives t(0.975,16)/sqrt(17) = 2.1199/4.1231 = 0.514,
    n = 18 gives 2.1098/4.2426 = 0.497, so 18 replications."""
    values = [-1.0, 1.0, -1.0, 1.0]
    s = math.sqrt(4 / 3)
    scaled = [v / s for v in values]  # sample sd exactly 1
    assert replications_needed(scaled, 0.5) == 18
    assert replications_needed(scaled, 10.0) == 2
    assert replications_needed([3.0, 3.0], 0.1) == 2
    assert replications_needed([1.0], 0.1) is None
