"""Erlang C staffing: the counts the plan returns equal the minimum worked out by hand."""

from __future__ import annotations

import math

import pytest

from sim.staffing.queueing import WaitTarget, erlang_c, mean_wait, servers_needed


def erlang_c_by_hand(c: int, a: float) -> float:
    """Erlang C from its textbook formula (sums of a^k / k!), no recursion."""
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def minimum_by_hand(a: float, service: float, wait: float) -> int:
    """Smallest c > a with mean wait C(c, a) s / (c - a) <= wait, by the formula."""
    c = math.floor(a) + 1
    while erlang_c_by_hand(c, a) * service / (c - a) > wait:
        c += 1
    return c


@pytest.mark.parametrize("c,a", [(1, 0.5), (2, 1.5), (5, 3.0), (12, 10.0), (30, 25.5)])
def test_erlang_c_matches_the_formula(c: int, a: float) -> None:
    """The stable recursion gives the textbook Erlang C value."""
    assert erlang_c(c, a) == pytest.approx(erlang_c_by_hand(c, a), rel=1e-12)


def test_mm1_mean_wait() -> None:
    """One server: the mean wait is rho s / (1 - rho) (M/M/1)."""
    assert mean_wait(1, 0.8, 60.0) == pytest.approx(0.8 * 60 / 0.2)


@pytest.mark.parametrize("orders_per_hour", [20, 60, 120, 240, 480])
@pytest.mark.parametrize("target_wait", [10.0, 30.0, 120.0])
def test_picker_count_is_the_erlang_c_minimum(orders_per_hour: int, target_wait: float) -> None:
    """M/M/c store (Poisson orders, exponential picks of 150 s): the planned picker count
    for a target mean wait is the hand-computed Erlang C minimum, for several loads."""
    service = 150.0
    a = orders_per_hour / 3600 * service
    got = servers_needed(orders_per_hour / 3600, service, WaitTarget(mean_wait=target_wait))
    assert got == minimum_by_hand(a, service, target_wait)
    assert mean_wait(got - 1, a, service) > target_wait  # one fewer misses


def test_hand_case_values() -> None:
    """Worked example: 120 orders/h x 150 s = 5 Erlangs; mean wait <= 30 s needs 7
    pickers (6 give C x 150 s / 1 = 88.1 s, 7 give C x 150 s / 2 = 24.3 s)."""
    assert erlang_c_by_hand(6, 5.0) * 150 / 1 == pytest.approx(88.1, abs=0.1)
    assert erlang_c_by_hand(7, 5.0) * 150 / 2 == pytest.approx(24.3, abs=0.1)
    assert servers_needed(120 / 3600, 150.0, WaitTarget(mean_wait=30.0)) == 7


def test_service_level_target() -> None:
    """Share waiting at most t: 1 - C exp(-(c - a) t / s) reaches the share at the count."""
    target = WaitTarget(within=60.0, within_share=0.9)
    c = servers_needed(100 / 3600, 180.0, target)
    a = 5.0
    assert 1 - erlang_c(c, a) * math.exp(-(c - a) * 60 / 180) >= 0.9
    assert 1 - erlang_c(c - 1, a) * math.exp(-(c - 1 - a) * 60 / 180) < 0.9


def test_no_orders_no_staff() -> None:
    """An hour without orders needs nobody."""
    assert servers_needed(0.0, 150.0, WaitTarget(mean_wait=10.0)) == 0
