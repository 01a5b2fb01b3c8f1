"""Cheapest insertion: a fast, deterministic construction heuristic without local search.

Jobs are taken required first, then most urgent (due), costliest to leave out (penalty)
and earliest released first, and each is inserted where it adds
the least cost over every vehicle's single trip and every position, subject to capacity,
weight and volume limits, hard windows, shift end and distance limit; an optional job
whose cheapest insertion costs more than its penalty, or that fits nowhere, is left
out. It is the baseline the metaheuristics are measured against, and the engine of the
``cheapest_insertion`` dispatch policy, which inserts each order as it becomes ready.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from sim.routing.problem import (
    Route,
    RoutePlan,
    RoutingProblem,
    SolveStats,
    Vehicle,
    single_pickup,
)


class TripCosts:
    """The cost of one trip of a vehicle through given stops, for one problem.

    The problem's matrices and job attributes are held as plain lists (fast to index
    from Python); the cost includes lateness and is inf when a hard constraint fails
    (capacity, weight or volume, a window, the shift end, the distance limit). An empty
    trip costs nothing.
    """

    def __init__(self, problem: RoutingProblem) -> None:
        self.problem = problem
        jobs = problem.jobs
        self.time = [p.time.tolist() for p in problem.profiles]
        self.dist = [p.distance.tolist() for p in problem.profiles]
        self.loc = [j.location for j in jobs]
        self.pickup = [j.pickup for j in jobs]
        self.demand = [j.demand for j in jobs]
        # payload dimensions some vehicle limits (none: no check, as before payloads)
        self.payload = [(sizes, limits) for _, sizes, limits in problem.payload_dimensions()]
        self.release = [j.release for j in jobs]
        self.earliest = [j.earliest for j in jobs]
        self.due = [j.due for j in jobs]
        self.latest = [j.latest for j in jobs]
        self.rate = [problem.late_rate(j) for j in jobs]
        self.service = [[j.service if p.service is None else p.service for j in jobs]
                        for p in problem.profiles]

    def fits(self, vi: int, stops: Sequence[int]) -> bool:
        """True when ``stops`` are within vehicle ``vi``'s weight and volume limits."""
        return all(sum(sizes[j] for j in stops) <= limits[vi]
                   for sizes, limits in self.payload)

    def __call__(self, vi: int, stops: Sequence[int]) -> float:
        if not stops:
            return 0.0
        v = self.problem.vehicles[vi]
        demand = self.demand
        if sum(demand[j] for j in stops) > v.capacity or not self.fits(vi, stops):
            return math.inf
        time_m, dist_m = self.time[v.profile], self.dist[v.profile]
        service = self.service[v.profile]
        loc, earliest, latest, due, rate = (self.loc, self.earliest, self.latest, self.due,
                                            self.rate)
        pickup = self.pickup[stops[0]]
        approach = time_m[v.start][pickup]
        release = self.release
        handover = max(v.available + approach, max(release[j] for j in stops))
        departure = handover - approach
        metres = dist_m[v.start][pickup]
        t, here, late = handover + v.load_time, pickup, 0.0
        for j in stops:
            to = loc[j]
            t += time_m[here][to]
            metres += dist_m[here][to]
            if t < earliest[j]:
                t = earliest[j]
            if t > latest[j]:
                return math.inf
            if t > due[j]:
                late += (t - due[j]) * rate[j]
            t += service[j]
            here = to
        t += time_m[here][v.end]
        metres += dist_m[here][v.end]
        if t > v.shift_end or metres > v.max_distance:
            return math.inf
        return float(v.fixed_cost + v.distance_cost * metres
                     + v.duration_cost * (t - departure) + late)


def best_insertion(costs: TripCosts | RoutingProblem, trips: list[list[int]], job: int,
                   vehicles: Sequence[int] | None = None) -> tuple[float, int, int]:
    """(added cost, vehicle, position) of the cheapest feasible insertion of ``job`` into
    the trips (one per vehicle), or (inf, -1, -1). Ties go to the lowest vehicle, then the
    earliest position; of several identical empty vehicles only the first is tried."""
    cost = costs if isinstance(costs, TripCosts) else TripCosts(costs)
    problem = cost.problem
    best = (math.inf, -1, -1)
    tried_empty: set[Vehicle] = set()
    for vi in vehicles if vehicles is not None else range(len(problem.vehicles)):
        v, stops = problem.vehicles[vi], trips[vi]
        if not stops:
            if v in tried_empty:
                continue
            tried_empty.add(v)
        base = cost(vi, stops)
        for pos in range(len(stops) + 1):
            added = cost(vi, [*stops[:pos], job, *stops[pos:]]) - base
            if added < best[0]:
                best = (added, vi, pos)
    return best


class InsertionSolver:
    """Sequential cheapest insertion, one trip per vehicle (deterministic, no search)."""

    name = "insertion"
    soft_windows = True

    def solve(self, problem: RoutingProblem) -> RoutePlan:
        """Insert every job, most urgent first; leave out what does not pay or fit."""
        t0 = time.perf_counter()
        single_pickup(problem, self.name)
        trips: list[list[int]] = [[] for _ in problem.vehicles]
        dropped: list[int] = []
        jobs = problem.jobs
        order = sorted(range(len(jobs)), key=lambda j: (
            jobs[j].optional, jobs[j].due, -(jobs[j].penalty or 0.0), jobs[j].release, j))
        cost = TripCosts(problem)
        for j in order:
            added, vi, pos = best_insertion(cost, trips, j)
            penalty = problem.jobs[j].penalty
            if vi < 0 or (penalty is not None and added >= penalty):
                dropped.append(j)
            else:
                trips[vi].insert(pos, j)
        objective = sum(cost(vi, t) for vi, t in enumerate(trips))
        objective += sum(problem.jobs[j].penalty or 0.0 for j in dropped)
        missing = any(problem.jobs[j].penalty is None for j in dropped)
        routes = tuple(Route(vi, (tuple(t),)) for vi, t in enumerate(trips) if t)
        stats = SolveStats(self.name, "infeasible" if missing else "feasible",
                           len(problem.jobs), False, time.perf_counter() - t0)
        return RoutePlan(routes, tuple(sorted(dropped)), objective, stats)
