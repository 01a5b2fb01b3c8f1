"""The independent checker recomputes times, loads, lateness and costs, and flags
every broken constraint."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from sim.routing.checker import check_plan
from sim.routing.problem import Job, Route, RoutePlan, RoutingProblem, Vehicle
from tests.routing.routing_cases import grid_profile


def plan(*routes: tuple[int, tuple[tuple[int, ...], ...]], dropped: tuple[int, ...] = ()
         ) -> RoutePlan:
    return RoutePlan(tuple(Route(v, trips) for v, trips in routes), dropped, math.nan)


def test_schedule_by_hand(two_way: RoutingProblem) -> None:
    """Times, distance, duration and cost of a two-stop trip match a hand computation."""
    c = check_plan(two_way, plan((0, ((0, 1),))))
    assert c.feasible, c.violations
    # leave at 100 + 60 handover; 50 s to A (service 30); 100 s to B (30); 50 s home
    assert [v.start for v in c.routes[0].visits] == [210.0, 340.0]
    r = c.routes[0]
    assert (r.departure, r.end, r.distance, r.duration) == (100.0, 420.0, 2000.0, 320.0)
    assert c.objective == pytest.approx(320.0)


def test_release_delays_the_handover(two_way: RoutingProblem) -> None:
    """A job released after the courier is free delays the whole trip's handover."""
    p = replace(two_way, jobs=(replace(two_way.jobs[0], release=400.0), two_way.jobs[1]))
    c = check_plan(p, plan((0, ((1, 0),))))
    assert c.routes[0].departure == 400.0
    assert c.visit(1).start == 400.0 + 60.0 + 50.0


def test_lateness_is_measured_and_priced(two_way: RoutingProblem) -> None:
    """Service after the due time counts as lateness at the job's (or problem's) rate."""
    jobs = (replace(two_way.jobs[0], due=200.0, lateness_cost=2.0),
            replace(two_way.jobs[1], due=300.0))
    p = replace(two_way, jobs=jobs, lateness_cost=0.5)
    c = check_plan(p, plan((0, ((0, 1),))))
    assert c.lateness == pytest.approx(10.0 + 40.0)
    assert c.lateness_cost == pytest.approx(2.0 * 10.0 + 0.5 * 40.0)
    assert c.objective == pytest.approx(320.0 + 40.0)


def test_early_window_waits(two_way: RoutingProblem) -> None:
    """Arriving before the earliest start waits for it (and the wait is route time)."""
    p = replace(two_way, jobs=(replace(two_way.jobs[0], earliest=500.0), two_way.jobs[1]))
    c = check_plan(p, plan((0, ((0,),))))
    assert c.visit(0).arrival == 210.0 and c.visit(0).start == 500.0
    assert c.routes[0].end == 500.0 + 30.0 + 50.0


@pytest.mark.parametrize(("change", "routes", "message"), [
    ({"capacity": 1}, ((0, ((0, 1),)),), "capacity"),
    ({"shift_end": 300.0}, ((0, ((0, 1),)),), "shift end"),
    ({"max_distance": 1500.0}, ((0, ((0, 1),)),), "max distance"),
    ({}, ((0, ((0, 0, 1),)),), "twice"),
    ({}, ((0, ((0,),)),), "neither served"),
    ({}, ((0, ((0,), (1,))),), "trips"),
    ({}, ((0, ((0, 1),)), (0, ((),))), "two routes"),
])
def test_violations_are_found(two_way: RoutingProblem, change: dict[str, float],
                              routes: tuple, message: str) -> None:
    """Each broken constraint is reported with a message that names it."""
    p = replace(two_way, vehicles=(replace(two_way.vehicles[0], **change),))
    c = check_plan(p, plan(*routes))
    assert not c.feasible
    assert any(message in v for v in c.violations), c.violations


def test_hard_window_and_required_jobs(two_way: RoutingProblem) -> None:
    """Service after ``latest`` and leaving out a required job are violations; leaving
    out an optional one costs its penalty."""
    p = replace(two_way, jobs=(replace(two_way.jobs[0], latest=200.0),
                               replace(two_way.jobs[1], penalty=7.0)))
    late = check_plan(p, plan((0, ((0,),)), dropped=(1,)))
    assert any("latest" in v for v in late.violations)
    assert late.penalties == 7.0
    missing = check_plan(two_way, plan((0, ((0,),)), dropped=(1,)))
    assert any("required" in v for v in missing.violations)


def test_mixed_pickups_in_a_trip() -> None:
    """A trip may not mix jobs picked up at different places."""
    prof = grid_profile([(0, 0), (100, 0), (200, 0), (300, 0)])
    p = RoutingProblem((prof,), (Vehicle(0, 0, 3),), (Job(2, 0), Job(3, 1)))
    c = check_plan(p, plan((0, ((0, 1),))))
    assert any("mixes pickup" in v for v in c.violations)


def test_vehicle_on_the_road_approaches_first() -> None:
    """A vehicle away from the pickup drives there first; its route starts as late as
    that allows and the approach counts in its distance."""
    prof = grid_profile([(0, 0), (300, 0), (0, 400)])
    p = RoutingProblem((prof,), (Vehicle(start=1, end=0, capacity=1, available=50.0,
                                          duration_cost=1.0),),
                       (Job(2, 0, release=200.0),))
    c = check_plan(p, plan((0, ((0,),))))
    r = c.routes[0]
    assert r.departure == 200.0 - 30.0
    assert r.distance == 300.0 + 400.0 + 400.0
    assert c.visit(0).start == 200.0 + 40.0
