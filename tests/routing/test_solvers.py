"""Every solver's plans are feasible per the independent checker, serve each order once,
keep capacities and hard windows, price lateness, postpone (not lose) what they leave
out, and are the same for the same input."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sim.routing.checker import check_plan
from sim.routing.insertion import InsertionSolver
from sim.routing.ortools_solver import OrToolsSolver
from sim.routing.problem import Job, RoutingProblem, UnsupportedProblemError, Vehicle
from sim.routing.pyvrp_solver import PyVRPSolver
from sim.routing.solvers import make_solver
from tests.routing.routing_cases import flight_profile, grid_profile, random_problem

ALL = ("ortools", "pyvrp", "insertion")
SOFT = ("ortools", "insertion")  # can price lateness past a soft due time


def solver(name: str) -> object:
    """A deterministic solver with a small effort."""
    return make_solver(name, {"ortools": 50, "pyvrp": 300, "insertion": None}[name])


def hard(problem: RoutingProblem) -> RoutingProblem:
    """The problem without soft due times (PyVRP cannot price them)."""
    return replace(problem, lateness_cost=0.0,
                   jobs=tuple(replace(j, due=j.latest, lateness_cost=None)
                              for j in problem.jobs))


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("seed", range(4))
def test_plans_are_feasible(name: str, seed: int) -> None:
    """Random small problems (releases, windows, couriers free later): the checker finds
    no violation, every job is served or left out exactly once, and the solver's own
    objective agrees with the recomputed one (up to integer rounding)."""
    p = random_problem(seed, n_jobs=9, lateness_cost=0.0 if name == "pyvrp" else 0.2)
    p = hard(p) if name == "pyvrp" else p
    plan = solver(name).solve(p)
    c = check_plan(p, plan)
    assert c.feasible, c.violations
    served = [j for r in plan.routes for j in r.jobs]
    assert sorted(served + list(plan.dropped)) == list(range(len(p.jobs)))
    assert plan.objective == pytest.approx(c.objective, rel=1e-3, abs=1e-3)
    assert len(served) >= 6  # the couriers can carry most of them


@pytest.mark.parametrize("name", ALL)
def test_required_jobs_and_capacity(name: str) -> None:
    """With every job required, all are served and no trip exceeds the capacity."""
    p = random_problem(7, n_jobs=8, n_vehicles=4, capacity=2, optional=False,
                       windows=False, releases=False)
    plan = solver(name).solve(p)
    c = check_plan(p, plan)
    assert c.feasible, c.violations
    assert not plan.dropped
    assert all(load <= 2 for r in c.routes for load in r.loads)
    assert len(plan.routes) == 4


@pytest.mark.parametrize("name", ALL)
def test_hard_windows_hold(name: str) -> None:
    """A job whose hard window the courier can reach only by going there first is served
    first; a job that nobody can reach in time is left out, not served late."""
    prof = grid_profile([(0, 0), (1000, 0), (-200, 0), (0, 5000)])
    jobs = (Job(1, 0, latest=190.0, penalty=50.0),   # 60 + 100 s away: must go first
            Job(2, 0, penalty=50.0),
            Job(3, 0, latest=300.0, penalty=50.0))   # 560 s away: impossible
    p = RoutingProblem((prof,), (Vehicle(0, 0, 3, load_time=60.0, duration_cost=0.01),),
                       jobs)
    plan = solver(name).solve(p)
    c = check_plan(p, plan)
    assert c.feasible, c.violations
    assert plan.dropped == (2,)
    assert plan.routes[0].trips[0][0] == 0
    assert c.visit(0).start <= 190.0


@pytest.mark.parametrize("name", SOFT)
def test_late_orders_are_penalised(name: str) -> None:
    """Two customers in opposite directions cost the same in either order; the one due
    first is served first, and when both cannot be on time the plan's objective carries
    the lateness at its price."""
    prof = grid_profile([(0, 0), (1000, 0), (-1000, 0)])
    v = (Vehicle(0, 0, 2, load_time=60.0, duration_cost=1 / 60),)
    for urgent in (0, 1):
        due = [1000.0, 1000.0]
        due[urgent] = 200.0
        p = RoutingProblem((prof,), v, (Job(1, 0, due=due[0], service=60.0),
                                        Job(2, 0, due=due[1], service=60.0)),
                           lateness_cost=1.0)
        plan = solver(name).solve(p)
        c = check_plan(p, plan)
        assert plan.routes[0].trips[0][0] == urgent
        assert c.lateness == 0.0
    tight = replace(p, jobs=tuple(replace(j, due=200.0) for j in p.jobs))
    plan = solver(name).solve(tight)
    c = check_plan(tight, plan)
    assert c.lateness == pytest.approx(160.0 + 60.0 + 200.0 - 200.0)
    assert plan.objective == pytest.approx(c.objective, rel=1e-3)
    assert plan.objective >= c.lateness * 1.0


@pytest.mark.parametrize("name", ALL)
def test_drop_penalty_postpones(name: str) -> None:
    """With one courier making one trip of one order, the other optional orders are left
    out (listed as dropped, to be planned again later), the costliest to drop is served,
    and a required order is never dropped."""
    prof = grid_profile([(0, 0), (100, 0), (0, 100), (-100, 0)])
    v = (Vehicle(0, 0, 1, duration_cost=0.01),)
    jobs = (Job(1, 0, penalty=5.0), Job(2, 0, penalty=50.0), Job(3, 0, penalty=5.0))
    plan = solver(name).solve(RoutingProblem((prof,), v, jobs))
    assert [r.jobs for r in plan.routes] == [(1,)]
    assert plan.dropped == (0, 2)
    required = (Job(1, 0, penalty=5.0), Job(2, 0, penalty=50.0), Job(3, 0))
    plan = solver(name).solve(RoutingProblem((prof,), v, required))
    assert [r.jobs for r in plan.routes] == [(2,)]
    cheap = (Job(1, 0, penalty=0.001),)
    plan = solver(name).solve(RoutingProblem((prof,), v, cheap))
    assert plan.dropped == (0,)  # serving costs more than postponing


@pytest.mark.parametrize("name", ALL)
def test_same_input_same_plan(name: str) -> None:
    """Two fresh solvers on the same problem give identical plans and statistics."""
    p = random_problem(11, n_jobs=10, lateness_cost=0.2)
    p = hard(p) if name == "pyvrp" else p
    a, b = solver(name).solve(p), solver(name).solve(p)
    assert a.key() == b.key()


@pytest.mark.parametrize("name", ALL)
def test_release_and_availability(name: str) -> None:
    """A job released late and a courier free late both delay the handover."""
    prof = grid_profile([(0, 0), (300, 0), (0, 300)])
    p = RoutingProblem((prof,), (Vehicle(0, 0, 2, available=100.0, load_time=60.0,
                                         duration_cost=0.01),),
                       (Job(1, 0, release=500.0), Job(2, 0)))
    c = check_plan(p, solver(name).solve(p))
    assert c.feasible
    assert min(v.start for v in c.routes[0].visits) >= 500.0 + 60.0 + 30.0


@pytest.mark.parametrize("name", ALL)
def test_vehicle_on_the_road(name: str) -> None:
    """A courier still out on the road comes to the store first; the plan accounts for
    it in time and in cost."""
    prof = grid_profile([(0, 0), (800, 0), (0, 300)])
    p = RoutingProblem((prof,), (Vehicle(start=1, end=0, capacity=1, available=0.0,
                                          distance_cost=0.01),), (Job(2, 0),))
    plan = solver(name).solve(p)
    c = check_plan(p, plan)
    assert c.feasible and c.visit(0).start == pytest.approx(80.0 + 30.0)
    assert plan.objective == pytest.approx(0.01 * (800 + 300 + 300), rel=1e-6)


@pytest.mark.parametrize("name", ALL)
def test_profiles_and_range(name: str) -> None:
    """A drone (own straight-line profile, 2.5 km range) takes the near order and
    leaves the far one to the bike."""
    pts = [(0, 0), (600, 800), (3000, 0)]
    bike, drone = grid_profile(pts, speed=5.0), flight_profile(pts, speed=20.0)
    vehicles = (Vehicle(0, 0, 1, profile=0, duration_cost=0.01),
                Vehicle(0, 0, 1, profile=1, max_distance=2500.0, duration_cost=0.01))
    p = RoutingProblem((bike, drone), vehicles, (Job(1, 0), Job(2, 0)))
    plan = solver(name).solve(p)
    c = check_plan(p, plan)
    assert c.feasible, c.violations
    assert plan.vehicle_of() == {0: 1, 1: 0}


def test_pyvrp_multi_trip() -> None:
    """PyVRP plans several trips per courier when allowed, reloading at the store."""
    prof = grid_profile([(0, 0), (100, 0), (0, 100), (-100, 0)])
    p = RoutingProblem((prof,), (Vehicle(0, 0, 1, max_trips=3, load_time=10.0,
                                         duration_cost=0.01),),
                       tuple(Job(i, 0, service=5.0) for i in (1, 2, 3)))
    plan = PyVRPSolver(max_iterations=200).solve(p)
    c = check_plan(p, plan)
    assert c.feasible, c.violations
    assert len(plan.routes) == 1 and len(plan.routes[0].trips) == 3
    assert c.routes[0].end == pytest.approx(3 * (10 + 20 + 5))


def test_pyvrp_says_what_it_cannot_express() -> None:
    """Soft due times and per-profile service times are refused with a clear message."""
    p = random_problem(1, lateness_cost=0.5)
    with pytest.raises(UnsupportedProblemError, match="soft due times"):
        PyVRPSolver().solve(p)
    q = hard(p)
    q = replace(q, profiles=(replace(q.profiles[0], service=30.0),))
    with pytest.raises(UnsupportedProblemError, match="service time per vehicle profile"):
        PyVRPSolver().solve(q)


@pytest.mark.parametrize("cls", [OrToolsSolver, PyVRPSolver, InsertionSolver])
def test_one_pickup_location(cls: type) -> None:
    """Jobs picked up at two places are refused (one store per problem)."""
    prof = grid_profile([(0, 0), (100, 0), (0, 100)])
    p = RoutingProblem((prof,), (Vehicle(0, 0, 2),), (Job(2, 0), Job(2, 1)))
    with pytest.raises(UnsupportedProblemError, match="pickup"):
        cls().solve(p)


def test_ortools_wall_clock_cap_is_reported() -> None:
    """When the wall-clock cap stops OR-Tools before its solution limit, the plan says
    so (the only non-deterministic outcome); guided local search needs such a cap."""
    p = random_problem(3, n_jobs=40, n_vehicles=10)
    gls = "GUIDED_LOCAL_SEARCH"
    plan = OrToolsSolver(solution_limit=10**6, time_limit=0.05, metaheuristic=gls).solve(p)
    assert plan.stats.capped
    plan = OrToolsSolver(solution_limit=5, time_limit=30, metaheuristic=gls).solve(p)
    assert not plan.stats.capped and plan.stats.work == 5
    for name in (gls, "ITERATED_LOCAL_SEARCH"):
        with pytest.raises(ValueError, match="time_limit"):
            OrToolsSolver(solution_limit=5, metaheuristic=name)


def test_ortools_warm_start_keeps_feasibility() -> None:
    """Starting from the cheapest-insertion plan gives a feasible plan at least as good."""
    p = random_problem(5, n_jobs=10, lateness_cost=0.3)
    warm = OrToolsSolver(solution_limit=100, warm_start=True).solve(p)
    c = check_plan(p, warm)
    assert c.feasible, c.violations
    assert c.objective <= check_plan(p, InsertionSolver().solve(p)).objective + 1e-6


def test_empty_problems() -> None:
    """No jobs: an empty plan; no vehicles: every optional job left out."""
    prof = grid_profile([(0, 0), (100, 0)])
    for s in (OrToolsSolver(), PyVRPSolver(), InsertionSolver()):
        assert s.solve(RoutingProblem((prof,), (Vehicle(0, 0, 1),), ())).routes == ()
        plan = s.solve(RoutingProblem((prof,), (), (Job(1, 0, penalty=3.0),)))
        assert plan.dropped == (0,) and plan.objective == 3.0
