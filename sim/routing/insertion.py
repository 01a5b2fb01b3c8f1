"""Cheapest insertion: a fast, deterministic construction heuristic without local search.

Jobs are taken required first, then most urgent (due), costliest to leave out (penalty)
and earliest released first, and each is inserted where it adds
the least cost over every vehicle's single trip and every position, subject to capacity,
hard windows, shift end and distance limit; an optional job whose cheapest insertion
costs more than its penalty, or that fits nowhere, is left out. It is the baseline the
metaheuristics are measured against, and the engine of the ``cheapest_insertion``
dispatch policy, which inserts each order as it becomes ready.
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


def trip_cost(problem: RoutingProblem, v: Vehicle, stops: Sequence[int]) -> float:
    """Cost of ``v`` doing one trip through ``stops`` (lateness included), or inf when a
    hard constraint fails. An empty trip costs nothing."""
    if not stops:
        return 0.0
    jobs = problem.jobs
    if sum(jobs[j].demand for j in stops) > v.capacity:
        return math.inf
    prof = problem.profiles[v.profile]
    time_m, dist_m = prof.time, prof.distance
    pickup = jobs[stops[0]].pickup
    t = v.available + time_m[v.start, pickup]
    handover = max(t, max(jobs[j].release for j in stops))
    departure = handover - time_m[v.start, pickup]
    metres = dist_m[v.start, pickup]
    t, here, late = handover + v.load_time, pickup, 0.0
    rate = problem.lateness_cost
    for j in stops:
        job = jobs[j]
        t += time_m[here, job.location]
        metres += dist_m[here, job.location]
        if t < job.earliest:
            t = job.earliest
        if t > job.latest:
            return math.inf
        if t > job.due:
            late += (t - job.due) * (rate if job.lateness_cost is None else job.lateness_cost)
        t += job.service if prof.service is None else prof.service
        here = job.location
    t += time_m[here, v.end]
    metres += dist_m[here, v.end]
    if t > v.shift_end or metres > v.max_distance:
        return math.inf
    return float(v.fixed_cost + v.distance_cost * metres + v.duration_cost * (t - departure)
                 + late)


def best_insertion(problem: RoutingProblem, trips: list[list[int]], job: int,
                   vehicles: Sequence[int] | None = None) -> tuple[float, int, int]:
    """(added cost, vehicle, position) of the cheapest feasible insertion of ``job`` into
    the trips (one per vehicle), or (inf, -1, -1). Ties go to the lowest vehicle, then the
    earliest position; of several identical empty vehicles only the first is tried."""
    best = (math.inf, -1, -1)
    tried_empty: set[tuple[object, ...]] = set()
    for vi in vehicles if vehicles is not None else range(len(problem.vehicles)):
        v, stops = problem.vehicles[vi], trips[vi]
        if not stops:
            if v in tried_empty:
                continue
            tried_empty.add(v)  # type: ignore[arg-type]
        base = trip_cost(problem, v, stops)
        for pos in range(len(stops) + 1):
            added = trip_cost(problem, v, [*stops[:pos], job, *stops[pos:]]) - base
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
        for j in order:
            added, vi, pos = best_insertion(problem, trips, j)
            penalty = problem.jobs[j].penalty
            if vi < 0 or (penalty is not None and added >= penalty):
                dropped.append(j)
            else:
                trips[vi].insert(pos, j)
        objective = sum(trip_cost(problem, problem.vehicles[vi], t)
                        for vi, t in enumerate(trips))
        objective += sum(problem.jobs[j].penalty or 0.0 for j in dropped)
        missing = any(problem.jobs[j].penalty is None for j in dropped)
        routes = tuple(Route(vi, (tuple(t),)) for vi, t in enumerate(trips) if t)
        stats = SolveStats(self.name, "infeasible" if missing else "feasible",
                           len(problem.jobs), False, time.perf_counter() - t0)
        return RoutePlan(routes, tuple(sorted(dropped)), objective, stats)
