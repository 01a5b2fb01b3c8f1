"""The exact solver of small dispatch problems: optimal, feasible, and no worse than the
searching solvers on the problems the planner gives it."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest

from sim.routing.checker import check_plan
from sim.routing.exact import ExactSolver
from sim.routing.insertion import InsertionSolver, TripCosts
from sim.routing.ortools_solver import OrToolsSolver
from sim.routing.problem import RoutingProblem, Vehicle

from .routing_cases import flight_profile, grid_profile, random_problem


def brute_force(problem: RoutingProblem) -> float:
    """The cheapest plan (one trip per vehicle) by trying every assignment of every job
    to a vehicle or to nobody, and every visiting order: shares no code with the solver
    but :class:`TripCosts`, which the checker's objective confirms below."""
    cost = TripCosts(problem)
    n, vehicles = len(problem.jobs), problem.vehicles
    best = math.inf
    for who in itertools.product(range(-1, len(vehicles)), repeat=n):
        total = sum(problem.jobs[j].penalty or math.inf for j in range(n) if who[j] < 0)
        for vi in range(len(vehicles)):
            stops = [j for j in range(n) if who[j] == vi]
            total += min((cost(vi, p) for p in itertools.permutations(stops)),
                         default=0.0)
        best = min(best, total)
    return best


@pytest.mark.parametrize("seed", range(12))
def test_exact_is_optimal(seed: int) -> None:
    """On random small problems (windows, with and without releases, vehicles free at
    different times, optional and required jobs) the plan is feasible, the checker recomputes its
    objective, and that objective is the brute-force optimum."""
    problem = random_problem(seed, n_jobs=2 + seed % 4, n_vehicles=1 + seed % 3,
                             capacity=1 + seed % 3, optional=seed % 5 != 0,
                             releases=seed % 3 != 0, lateness_cost=(seed % 2) / 60)
    plan = ExactSolver().solve(problem)
    check = check_plan(problem, plan)
    optimum = brute_force(problem)
    if math.isinf(optimum):
        assert plan.stats.status == "infeasible"
        return
    assert not check.violations
    assert check.objective == pytest.approx(plan.objective, abs=1e-9)
    assert plan.objective == pytest.approx(optimum, abs=1e-9)
    assert plan.stats.status == "optimal"


@pytest.mark.parametrize("seed", range(6))
def test_exact_no_worse_than_search(seed: int) -> None:
    """Never costlier than OR-Tools' local search or cheapest insertion on the same
    problem (both plan one trip per vehicle too)."""
    problem = random_problem(100 + seed, n_jobs=6, n_vehicles=3, lateness_cost=1 / 60)
    exact = check_plan(problem, ExactSolver().solve(problem)).objective
    for other in (OrToolsSolver(solution_limit=100), InsertionSolver()):
        assert exact <= check_plan(problem, other.solve(problem)).objective + 1e-6


def test_ties_go_to_the_first_vehicle() -> None:
    """Of identical vehicles the first listed goes (the planner lists the longest idle
    courier first); results are deterministic."""
    problem = random_problem(3, n_jobs=1, n_vehicles=1, releases=False)
    v = problem.vehicles[0]
    later = dataclasses.replace(v, available=600.0)  # as cheap: lateness costs nothing
    twins = RoutingProblem(problem.profiles, (later, v, v), problem.jobs)
    plan = ExactSolver().solve(twins)
    assert [r.vehicle for r in plan.routes] in ([0], [1])  # equal up to rounding
    twins = RoutingProblem(problem.profiles, (v, v), problem.jobs)
    plan = ExactSolver().solve(twins)
    assert [r.vehicle for r in plan.routes] == [0]
    assert ExactSolver().solve(twins).key() == plan.key()


def test_too_large_is_refused() -> None:
    """More jobs than it enumerates: a clear error, not an endless search."""
    with pytest.raises(ValueError, match="more than the 3 it enumerates"):
        ExactSolver(max_jobs=3).solve(random_problem(1, n_jobs=4))


@pytest.mark.parametrize("seed", range(4))
def test_exact_mixed_fleets(seed: int) -> None:
    """E-bikes on the roads and drones in the air (their own profile, service time and
    range) in one problem: still the brute-force optimum, and feasible."""
    base = random_problem(200 + seed, n_jobs=4, n_vehicles=2, lateness_cost=1 / 60)
    pts = [(1500.0, 1500.0)] + [(float(x), float(y)) for x, y in np.round(
        np.random.default_rng(seed).uniform(0, 3000, (4, 2)), 0)]
    road = grid_profile(pts)
    air = flight_profile(pts, 15.0, service=45.0)
    drone = Vehicle(0, 0, 1, available=30.0 * seed, load_time=30.0, profile=1,
                    max_distance=2500.0, duration_cost=1 / 60)
    problem = RoutingProblem((road, air), (*base.vehicles, drone, drone), base.jobs,
                             lateness_cost=1 / 60)
    plan = ExactSolver().solve(problem)
    check = check_plan(problem, plan)
    assert not check.violations
    assert plan.objective == pytest.approx(brute_force(problem), abs=1e-9)
    assert check.objective == pytest.approx(plan.objective, abs=1e-9)
