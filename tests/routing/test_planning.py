"""The dispatch planner's pieces: ready-time estimates and the soon-ready filter."""

from __future__ import annotations

import math

import pytest

from sim.city.network import Place
from sim.demand.catalog import Basket
from sim.demand.order import Order
from sim.routing.planning import NEAR_UPCOMING, DispatchPlanner, ReadyEstimate


def order(i: int, units: int, x: float = 0.0, pick_start: float = math.nan,
          accepted: float = 0.0, ready: float = math.nan) -> Order:
    o = Order(i, 0.0, Place(x, 0.0, 0, 0.0), Basket(()), units)
    o.pick_start, o.accepted, o.ready = pick_start, accepted, ready
    return o


def test_ready_estimate_fits_a_line() -> None:
    """Picking takes 30 s + 10 s per unit in the history: the estimate follows it, from
    the picking start, or from acceptance while the order waits for a picker."""
    est = ReadyEstimate()
    assert est.estimate(order(0, 2, pick_start=100.0)) is None  # nothing learnt yet
    for i, u in enumerate((1, 2, 4, 7)):
        est.observe(order(i, u, pick_start=1000.0 * i, accepted=1000.0 * i - 20,
                          ready=1000.0 * i + 30 + 10 * u))
    assert est.estimate(order(9, 5, pick_start=5000.0)) == pytest.approx(5000 + 80)
    assert est.estimate(order(9, 5, accepted=5000.0)) == pytest.approx(5000 + 100)


def test_only_nearby_soon_orders_are_planned() -> None:
    """With many soon-ready orders, each ready order brings its nearest ones only."""
    ready = [order(0, 1, x=0.0), order(1, 1, x=1000.0)]
    soon = [(order(10 + k, 1, x=100.0 * k), 0.0) for k in range(11)]
    kept = [o.id for o, _ in DispatchPlanner._near(ready, soon)]
    assert len(kept) == NEAR_UPCOMING * 2
    assert kept == [10, 11, 19, 20]
    assert DispatchPlanner._near(ready, soon[:3]) == soon[:3]
