"""Routing metrics are pure functions of the trips, dispatches and fleets tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.core.records import DISPATCH_COLUMNS, FLEET_COLUMNS, SOLVE_TIME_COLUMNS, TRIP_COLUMNS
from sim.metrics.routing import routing, wallclock
from sim.metrics.window import MetricContext

CTX = MetricContext(start=1000.0, end=4600.0, stop=8000.0, promise=1800.0)


def trips() -> pd.DataFrame:
    """Three e-bike trips (one before the window) and one drone flight."""
    rows = [
        (0, "s", "s-c000", "ebike", 500.0, 1500.0, 1, "1", 2000.0, 800.0, 800.0, "finished"),
        (1, "s", "s-c000", "ebike", 1600.0, 2800.0, 3, "2;3;4", 6000.0, 2000.0, 2600.0, "finished"),
        (2, "s", "s-c001", "ebike", 2000.0, 2600.0, 1, "5", 3000.0, 2300.0, 2300.0, "finished"),
        (3, "s", "s-c002", "drone", 3000.0, 3600.0, 1, "6", 4000.0, 3300.0, 3300.0, "finished"),
    ]
    return pd.DataFrame(rows, columns=list(TRIP_COLUMNS))


def fleets() -> pd.DataFrame:
    return pd.DataFrame([("s", "ebike", "road", 2, 5.0, 3, 0.0, 0.0),
                         ("s", "drone", "drone", 1, 15.0, 1, 0.0, 0.0)],
                        columns=list(FLEET_COLUMNS))


def dispatches() -> pd.DataFrame:
    rows = [(0, 900.0, "s", "batch", "ortools", 2, 0, 2, 0, 1, 2, 0, 10.0, "success", 3,
             False),
            (1, 1600.0, "s", "batch", "ortools", 4, 1, 2, 1, 1, 3, 1, 30.0, "success", 7,
             False),
            (2, 2000.0, "s", "batch", "insertion", 1, 0, 1, 0, 1, 1, 0, 9.0, "feasible", 1,
             False)]
    return pd.DataFrame(rows, columns=list(DISPATCH_COLUMNS))


def test_trip_metrics() -> None:
    """Trips that start in the window: orders per trip, km per trip and per order."""
    m = routing(trips(), dispatches(), fleets(), CTX)
    assert m["trips"] == 3 and m["orders"] == 5
    assert m["orders_per_trip"] == {"mean": pytest.approx(5 / 3),
                                    "trips_by_orders": {"1": 2, "3": 1}}
    assert m["km_per_order"] == pytest.approx(13.0 / 5)
    assert m["trip_min"]["max"] == pytest.approx(20.0)


def test_by_vehicle_time_on_trips() -> None:
    """Per vehicle type, the share of the window its couriers spent on trips (the part
    of each trip inside the window)."""
    m = routing(trips(), dispatches(), fleets(), CTX)["by_vehicle"]
    assert m["ebike"]["time_on_trips"] == pytest.approx((500 + 1200 + 600) / (2 * 3600))
    assert m["drone"]["time_on_trips"] == pytest.approx(600 / 3600)
    assert m["drone"]["km_per_order"] == pytest.approx(4.0)


def test_dispatch_decisions() -> None:
    """Decisions inside the window: count, solvers, orders started and held, status."""
    d = routing(trips(), dispatches(), fleets(), CTX)["dispatch"]
    assert d["decisions"] == 2
    assert d["by_solver"] == {"insertion": 1, "ortools": 1}
    assert d["orders_dispatched"] == 4 and d["trips_started"] == 2
    assert d["ready_orders_held_per_decision"] == pytest.approx(0.5)
    assert d["orders_planned_per_decision"] == pytest.approx(3.0)
    assert d["capped"] == 0


def test_empty_tables() -> None:
    """A run without trips or decisions gives zeros and Nones, not an error."""
    empty = routing(pd.DataFrame(columns=list(TRIP_COLUMNS)),
                    pd.DataFrame(columns=list(DISPATCH_COLUMNS)),
                    pd.DataFrame(columns=list(FLEET_COLUMNS)), CTX)
    assert empty["trips"] == 0 and empty["km_per_order"] is None
    assert empty["dispatch"]["decisions"] == 0


def test_wallclock_summary() -> None:
    """Solve and build milliseconds are summarised, with the total in seconds."""
    st = pd.DataFrame([(0, 0.0, "s", 1.0, 10.0), (1, 60.0, "s", 3.0, 30.0)],
                      columns=list(SOLVE_TIME_COLUMNS))
    w = wallclock(st)
    assert w["decisions"] == 2 and w["solve_ms"]["p50"] == 20.0 and w["solve_ms"]["max"] == 30
    assert w["total_s"] == pytest.approx(0.044)


def test_trip_under_way_counts_with_its_planned_distance() -> None:
    """A trip still out at the stop (no ``end``) counts among the window's trips and
    kilometres, is left out of trip minutes, and keeps its courier busy to the end of
    the window."""
    t = trips()
    t.loc[2, ["end", "last_delivery", "status"]] = [np.nan, np.nan, "under_way"]
    m = routing(t, dispatches(), fleets(), CTX)
    assert m["trips"] == 3 and m["trips_under_way"] == 1
    assert m["km"] == pytest.approx(13.0)
    assert m["trip_min"]["n"] == 2
    ebike = m["by_vehicle"]["ebike"]["time_on_trips"]
    assert ebike == pytest.approx((500 + 1200 + (CTX.end - 2000)) / (2 * 3600))
