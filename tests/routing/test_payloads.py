"""Weight and volume beside the order count: every solver keeps all three capacity
dimensions, on small instances whose answer is worked out by hand."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from sim.routing.checker import check_plan
from sim.routing.exact import ExactSolver
from sim.routing.problem import Job, Route, RoutePlan, RoutingProblem, Vehicle
from sim.routing.solvers import make_solver
from tests.routing.routing_cases import grid_profile

SOLVERS = ("ortools", "pyvrp", "insertion", "exact")


def solve(name: str, problem: RoutingProblem) -> RoutePlan:
    """``problem`` solved by ``name`` with a small, deterministic effort."""
    if name == "exact":
        return ExactSolver().solve(problem)
    return make_solver(name, {"ortools": 50, "pyvrp": 300, "insertion": None}[name]).solve(
        problem)


def three_dimensions() -> RoutingProblem:
    """Two couriers of 2 orders each; courier 0 carries 5 kg and 10 l, courier 1 3 kg and
    20 l. A (4 kg, 2 l) and C (1 kg, 12 l) are east, B (1 kg, 8 l) and D (2 kg, 1 l) west.

    By hand: A is too heavy for courier 1, so courier 0 takes A and then has 1 kg and 8 l
    left: only B fits (C is too bulky, D too heavy). Courier 1 takes C and D (3 kg, 13 l).
    Without payloads the cheapest plan pairs the neighbours (A with C, B with D) instead.
    """
    prof = grid_profile([(0, 0), (1000, 0), (-1000, 0), (1000, 100), (-1000, 100)])
    vehicles = (Vehicle(0, 0, 2, duration_cost=1 / 60, max_weight=5.0, max_volume=10.0),
                Vehicle(0, 0, 2, duration_cost=1 / 60, max_weight=3.0, max_volume=20.0))
    jobs = (Job(1, 0, 1, weight=4.0, volume=2.0), Job(2, 0, 1, weight=1.0, volume=8.0),
            Job(3, 0, 1, weight=1.0, volume=12.0), Job(4, 0, 1, weight=2.0, volume=1.0))
    return RoutingProblem((prof,), vehicles, jobs)


def trips(plan: RoutePlan) -> dict[int, set[int]]:
    """Vehicle -> the set of jobs on its (single) trip."""
    return {r.vehicle: set(r.jobs) for r in plan.routes}


@pytest.mark.parametrize("name", SOLVERS)
def test_three_capacity_dimensions(name: str) -> None:
    """Every solver finds the one feasible assignment; the checker agrees."""
    problem = three_dimensions()
    plan = solve(name, problem)
    assert check_plan(problem, plan).feasible, check_plan(problem, plan).violations
    assert plan.dropped == ()
    assert trips(plan) == {0: {0, 1}, 1: {2, 3}}


@pytest.mark.parametrize("name", ("ortools", "pyvrp", "exact"))
def test_without_limits_the_neighbours_pair(name: str) -> None:
    """The same problem without weight and volume limits: the neighbours go together
    (so the limits above are what changed the plan)."""
    problem = three_dimensions()
    free = replace(problem, vehicles=tuple(replace(v, max_weight=math.inf,
                                                   max_volume=math.inf)
                                           for v in problem.vehicles))
    assert sorted(map(sorted, trips(solve(name, free)).values())) == [[0, 2], [1, 3]]


@pytest.mark.parametrize("name", SOLVERS)
@pytest.mark.parametrize("dimension", ["weight", "volume"])
def test_one_dimension_binds(name: str, dimension: str) -> None:
    """One courier, three optional orders of 1.5 kg (or litres) each and a limit of
    3.2: it carries two of them; the third is left out at its penalty."""
    prof = grid_profile([(0, 0), (300, 0), (0, 300), (-300, 0)])
    vehicle = replace(Vehicle(0, 0, 3, duration_cost=1 / 60), **{f"max_{dimension}": 3.2})
    jobs = tuple(replace(Job(i, 0, 1, penalty=100.0), **{dimension: 1.5}) for i in (1, 2, 3))
    problem = RoutingProblem((prof,), (vehicle,), jobs)
    plan = solve(name, problem)
    assert check_plan(problem, plan).feasible
    assert len(plan.dropped) == 1 and sum(len(r.jobs) for r in plan.routes) == 2


@pytest.mark.parametrize("name", SOLVERS)
def test_too_heavy_for_every_vehicle_is_left_out(name: str) -> None:
    """An optional order heavier than any courier carries is left out, never forced."""
    prof = grid_profile([(0, 0), (300, 0), (0, 300)])
    vehicles = (Vehicle(0, 0, 3, duration_cost=1 / 60, max_weight=2.5),)
    jobs = (Job(1, 0, 1, penalty=100.0, weight=1.0), Job(2, 0, 1, penalty=100.0, weight=9.0))
    problem = RoutingProblem((prof,), vehicles, jobs)
    plan = solve(name, problem)
    assert check_plan(problem, plan).feasible
    assert plan.dropped == (1,) and trips(plan) == {0: {0}}


def test_checker_flags_an_overweight_trip() -> None:
    """The independent checker names a trip over its weight or volume limit."""
    problem = three_dimensions()
    # the neighbours paired: 5 kg and 14 l on courier 0, 3 kg and 9 l on courier 1
    plan = RoutePlan((Route(0, ((0, 2),)), Route(1, ((1, 3),))), (), 0.0)
    assert check_plan(problem, plan).violations == [
        "vehicle 0: trip 0 carries 14.000 l > max volume 10.000 l"]
    heavy = RoutePlan((Route(1, ((0,),)), Route(0, ((1, 2, 3),))), (), 0.0)
    found = check_plan(problem, heavy).violations
    assert any("vehicle 1: trip 0 carries 4.000 kg > max weight 3.000" in v for v in found)
    assert any("vehicle 0: trip 0 carries 3 > capacity 2" in v for v in found)


def test_negative_weight_is_refused() -> None:
    """Negative weights, volumes and limits are input errors of the problem."""
    prof = grid_profile([(0, 0), (300, 0)])
    with pytest.raises(ValueError, match="weight and volume must be >= 0"):
        RoutingProblem((prof,), (Vehicle(0, 0, 1),), (Job(1, 0, 1, weight=-1.0),))
    with pytest.raises(ValueError, match="must be >= 0"):
        RoutingProblem((prof,), (Vehicle(0, 0, 1, max_volume=-2.0),), (Job(1, 0, 1),))


@pytest.mark.parametrize("name", SOLVERS)
@pytest.mark.parametrize("seed", range(3))
def test_random_problems_keep_every_dimension(name: str, seed: int) -> None:
    """Random small problems (releases, windows, optional orders) with weights and
    volumes drawn per order and couriers of different limits (hard due times, which
    PyVRP needs): every plan is feasible in all three dimensions per the checker."""
    import numpy as np

    from tests.routing.routing_cases import random_problem

    rng = np.random.default_rng(seed)
    base = random_problem(seed, n_jobs=8, n_vehicles=3, capacity=3, lateness_cost=0.0)
    jobs = tuple(replace(j, weight=float(np.round(rng.uniform(0.2, 2.5), 3)),
                         volume=float(np.round(rng.uniform(0.5, 6.0), 3)),
                         due=j.latest) for j in base.jobs)
    limits = ((2.5, math.inf), (4.0, 8.0), (math.inf, 6.0))
    vehicles = tuple(replace(v, max_weight=kg, max_volume=litres)
                     for v, (kg, litres) in zip(base.vehicles, limits, strict=True))
    problem = replace(base, jobs=jobs, vehicles=vehicles)
    plan = solve(name, problem)
    check = check_plan(problem, plan)
    assert check.feasible, check.violations
    for route in plan.routes:
        v = problem.vehicles[route.vehicle]
        for trip in route.trips:
            assert sum(problem.jobs[j].weight for j in trip) <= v.max_weight
            assert sum(problem.jobs[j].volume for j in trip) <= v.max_volume
