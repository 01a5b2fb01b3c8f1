"""PyVRP adapter: a :class:`RoutingProblem` as PyVRP problem data.

What maps: locations and one distance/duration matrix pair per profile; the pickup
location as a depot whose service duration is the vehicles' load time (once per trip);
each job as a client with its delivery demand (and its weight and volume, in grams and
millilitres, as further load dimensions when some vehicle limits them), service
duration, hard window ``[earliest, latest]``, release time, and, when optional, a prize
equal to its penalty;
vehicles grouped into vehicle types by their attributes, starting at the depot when they
are free there (after the fixed approach from where they are), ending at their end
location by the end of their shift, with their distance limit, unit costs and fixed
cost; ``max_trips > 1`` as reloads at the pickup depot (multi-trip).

What PyVRP cannot express raises :class:`UnsupportedProblemError` naming it: soft due times
with a lateness cost (PyVRP has hard windows only), a service time per profile, and
release times together with vehicles that have different load times.

The search stops after ``max_iterations`` iterations of PyVRP's iterated local search
with a fixed ``seed`` (deterministic); ``time_limit`` (seconds, wall clock) is a cap, or
the budget when no iteration limit is given (benchmarks).
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyvrp
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, StoppingCriterion

from sim.routing import scaling
from sim.routing.problem import (
    Route,
    RoutePlan,
    RoutingProblem,
    SolveStats,
    UnsupportedProblemError,
    approach,
    single_pickup,
    trivial_plan,
    unserved,
)

INT_MAX = np.iinfo(np.int64).max


class PyVRPSolver:
    """Solve routing problems with PyVRP's iterated local search."""

    name = "pyvrp"
    soft_windows = False

    def __init__(self, max_iterations: int | None = 1000, time_limit: float | None = None,
                 seed: int = 0) -> None:
        if max_iterations is None and time_limit is None:
            raise ValueError("give max_iterations or time_limit (or both)")
        self.max_iterations = max_iterations
        self.time_limit = time_limit
        self.seed = seed

    def stop(self) -> StoppingCriterion:
        """The stopping criterion: iterations, the wall-clock cap, or both."""
        criteria: list[StoppingCriterion] = []
        if self.max_iterations is not None:
            criteria.append(MaxIterations(self.max_iterations))
        if self.time_limit is not None:
            criteria.append(MaxRuntime(self.time_limit))
        return criteria[0] if len(criteria) == 1 else MultipleCriteria(criteria)

    def solve(self, problem: RoutingProblem) -> RoutePlan:
        """The best feasible plan found, or a plan leaving every job out if none was."""
        t0 = time.perf_counter()
        trivial = trivial_plan(problem, self.name, t0)
        if trivial is not None:
            return trivial
        model = _Data(problem)
        result = pyvrp.solve(model.data, self.stop(), seed=self.seed, collect_stats=False,
                             display=False)
        iterations = int(result.num_iterations)
        capped = (self.max_iterations is not None and self.time_limit is not None
                  and iterations < self.max_iterations)
        best = result.best
        if not best.is_feasible():
            return unserved(problem, SolveStats(self.name, "infeasible", iterations, capped,
                                                time.perf_counter() - t0))
        routes, dropped = model.read(best)
        stats = SolveStats(self.name, "feasible", iterations, capped, time.perf_counter() - t0)
        return RoutePlan(routes, dropped, model.objective(best), stats)


class _Data:
    """PyVRP problem data for one problem and the mapping back to vehicles and jobs."""

    def __init__(self, problem: RoutingProblem) -> None:
        self.problem = problem
        jobs, vehicles = problem.jobs, problem.vehicles
        pickup = single_pickup(problem, "pyvrp")
        assert pickup is not None
        if any(problem.late_rate(j) > 0 and j.due < j.latest for j in jobs):
            raise UnsupportedProblemError(
                "pyvrp: soft due times with a lateness cost cannot be expressed (PyVRP has "
                "hard time windows only); use the ortools solver, or make the due times hard "
                "(latest = due) and lateness_cost 0")
        if any(p.service is not None for p in problem.profiles):
            raise UnsupportedProblemError(
                "pyvrp: a service time per vehicle profile cannot be expressed (PyVRP has "
                "one service duration per client); give every fleet the same drop-off time "
                "or use the ortools solver")
        loads = {scaling.time_ticks(v.load_time) for v in vehicles}
        approaches = [approach(problem, v, pickup) for v in vehicles]
        avail = [scaling.time_ticks(v.available + a[0], "up")
                 for v, a in zip(vehicles, approaches, strict=True)]
        release = [scaling.time_ticks(j.release, "up") for j in jobs]
        if len(loads) > 1 and vehicles and max(release) > min(avail):
            raise UnsupportedProblemError(
                "pyvrp: release times with vehicles of different load times cannot be "
                "expressed (a client's release is one number); give the vehicles one load "
                "time or use the ortools solver")
        load = loads.pop() if loads else 0
        n = problem.n_locations
        locations = [pyvrp.Location(float(i), 0.0) for i in range(n)]
        ends = sorted({v.end for v in vehicles} - {pickup})
        depots = [pyvrp.Depot(pickup, service_duration=load)]
        depots += [pyvrp.Depot(loc) for loc in ends]
        depot_of = {pickup: 0, **{loc: 1 + k for k, loc in enumerate(ends)}}
        # integer costs: the smallest non-zero rate per tick is 1 (see scaling)
        rates = [r for v in vehicles for r in (v.distance_cost / scaling.DIST_SCALE,
                                                 v.duration_cost / scaling.TIME_SCALE)]
        fixed_costs = [v.fixed_cost + v.distance_cost * a[1] + v.duration_cost * a[0]
                       for v, a in zip(vehicles, approaches, strict=True)]
        self.scale = scaling.small_cost_scale(
            rates, fixed_costs + [j.penalty or 0.0 for j in jobs])
        # load dimensions: the order count, then weight and volume when some vehicle
        # limits them
        extra = [scaling.payload_capacities(sizes, limits)
                 for _, sizes, limits in problem.payload_dimensions()]
        clients = []
        for i, j in enumerate(jobs):
            clients.append(pyvrp.Client(
                location=j.location, delivery=[j.demand, *(sizes[i] for sizes, _ in extra)],
                service_duration=scaling.time_ticks(j.service),
                tw_early=scaling.time_ticks(j.earliest, "up"),
                tw_late=_late(j.latest),
                # PyVRP releases on leaving the depot (after the load time); ours on the
                # start of the handover.
                release_time=release[i] + load if release[i] > 0 else 0,
                prize=round(j.penalty * self.scale) if j.penalty is not None else 0,
                required=j.penalty is None))
        raw_types: list[tuple[int, ...]] = []
        for vi, v in enumerate(vehicles):
            raw_types.append((
                v.capacity, *(caps[vi] for _, caps in extra), depot_of[v.end], avail[vi],
                _late(v.shift_end),
                _limit(v.max_distance - approaches[vi][1]), round(fixed_costs[vi] * self.scale),
                round(v.distance_cost / scaling.DIST_SCALE * self.scale),
                round(v.duration_cost / scaling.TIME_SCALE * self.scale), v.profile,
                v.max_trips))
        type_vehicles: dict[tuple[int, ...], list[int]] = {}
        for vi, key in enumerate(raw_types):
            type_vehicles.setdefault(key, []).append(vi)
        types = []
        dims = 1 + len(extra)
        for key, members in type_vehicles.items():
            end, early, late, dist, fixed, per_m, per_s, prof, trips = key[dims:]
            types.append(pyvrp.VehicleType(
                num_available=len(members), capacity=list(key[:dims]), start_depot=0,
                end_depot=end,
                fixed_cost=fixed, tw_early=early, tw_late=late, max_distance=dist,
                unit_distance_cost=per_m, unit_duration_cost=per_s, profile=prof,
                reload_depots=[0] if trips > 1 else [], max_reloads=max(0, trips - 1)))
        self.type_members = list(type_vehicles.values())
        self.data = pyvrp.ProblemData(
            locations=locations, clients=clients, depots=depots, vehicle_types=types,
            distance_matrices=[scaling.dist_matrix(p.distance)  # type: ignore[misc]
                               for p in problem.profiles],
            duration_matrices=[scaling.time_matrix(p.time)  # type: ignore[misc]
                               for p in problem.profiles])

    def read(self, solution: pyvrp.Solution) -> tuple[tuple[Route, ...], tuple[int, ...]]:
        """Routes (trips of client indices) and dropped jobs, vehicles in a fixed order."""
        taken = [0] * len(self.type_members)
        routes: list[Route] = []
        served: set[int] = set()
        for r in solution.routes():
            t = r.vehicle_type()
            vehicle = self.type_members[t][taken[t]]
            taken[t] += 1
            trips: list[list[int]] = []
            for act in r.schedule():
                if act.is_client():
                    while len(trips) <= act.trip:
                        trips.append([])
                    trips[act.trip].append(act.idx)
            trips = [trip for trip in trips if trip]
            if trips:
                routes.append(Route(vehicle, tuple(tuple(trip) for trip in trips)))
                served.update(j for trip in trips for j in trip)
        routes.sort(key=lambda route: route.vehicle)
        dropped = tuple(i for i in range(len(self.problem.jobs)) if i not in served)
        return tuple(routes), dropped

    def objective(self, solution: pyvrp.Solution) -> float:
        """The solution's cost (with the prizes of the jobs left out) in cost units."""
        value = (solution.distance_cost() + solution.duration_cost()
                 + solution.fixed_vehicle_cost() + solution.uncollected_prizes())
        return value / self.scale


def _late(seconds: float) -> int:
    return int(INT_MAX) if seconds == math.inf else scaling.time_ticks(seconds, "down")


def _limit(metres: float) -> int:
    return int(INT_MAX) if metres == math.inf else max(0, scaling.dist_ticks(metres, "down"))
