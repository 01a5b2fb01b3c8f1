"""Exact solution of small routing problems by enumeration (one trip per vehicle).

Dispatch decisions are mostly tiny: a store's few ready orders and as many couriers. For
those, building and searching an OR-Tools model costs milliseconds of fixed overhead,
and its local search stops at a local optimum; enumerating every plan is cheaper and
optimal. :class:`ExactSolver` gives each vehicle in turn a subset of the jobs left (or
none), in its best visiting order, by dynamic programming over (vehicle, jobs left); the
jobs no vehicle takes are left out at their penalty (a required job left out makes the
plan infeasible). Trip costs are :class:`~sim.routing.insertion.TripCosts`, the
semantics the checker recomputes: time windows, lateness, capacity, shift end, distance
limit.

The work grows as ``vehicles x 3^jobs`` (and the visiting orders of each subset), so the planner
uses it only up to a few jobs (:data:`MAX_JOBS`) and OR-Tools beyond. Ties go to the
lowest-numbered vehicle (the planner lists idle couriers longest idle first) and, for a
vehicle, to the subset with the lowest bit mask, so results are deterministic.
"""

from __future__ import annotations

import math
import time

from sim.routing.insertion import TripCosts
from sim.routing.problem import (
    Route,
    RoutePlan,
    RoutingProblem,
    SolveStats,
    single_pickup,
    trivial_plan,
)

MAX_JOBS = 8
"""Largest problem (jobs) the dispatch planner solves exactly. Measured on the default
city's batched evening (CPU per solve, shared machine): 3.3 ms for 8 jobs against 3.8 ms
for OR-Tools (0.2-1.8 ms against 2.8-3.8 ms from 2 to 7 jobs), but 10 ms for 9 and 35 ms
for 10 jobs against 4.3 and 4.7 ms: the (vehicle, jobs left) programme grows as 3^jobs."""


class ExactSolver:
    """Optimal plans of small problems by enumeration (see the module doc)."""

    name = "exact"
    soft_windows = True

    def __init__(self, max_jobs: int = MAX_JOBS) -> None:
        self.max_jobs = max_jobs

    def solve(self, problem: RoutingProblem) -> RoutePlan:
        """The cheapest plan with at most one trip per vehicle."""
        t0 = time.perf_counter()
        trivial = trivial_plan(problem, self.name, t0)
        if trivial is not None:
            return trivial
        single_pickup(problem, self.name)
        n = len(problem.jobs)
        if n > self.max_jobs:
            raise ValueError(f"exact: {n} jobs, more than the {self.max_jobs} it enumerates")
        cost = TripCosts(problem)
        vehicles = problem.vehicles
        # per distinct vehicle: the cost and best visiting order of each subset (by mask)
        evaluations = 0
        table: dict[int, tuple[list[float], list[tuple[int, ...]]]] = {}
        first_of: dict[object, int] = {}
        size = 1 << n
        for vi, v in enumerate(vehicles):
            twin = first_of.setdefault(v, vi)  # identical vehicles share their trip costs
            if twin != vi:
                continue
            costs, orders, work = _best_trips(cost, vi, n)
            evaluations += work
            table[vi] = costs, orders
        left_out = [0.0] * size  # the cost of leaving out every job of a mask
        for mask in range(1, size):
            low = (mask & -mask).bit_length() - 1
            pen = problem.jobs[low].penalty
            left_out[mask] = left_out[mask & (mask - 1)] + (math.inf if pen is None else pen)
        # f[k][rest]: cheapest way for vehicles k.. to serve or leave out the jobs ``rest``
        full = size - 1
        f: list[list[float]] = [[0.0] * size for _ in range(len(vehicles))]
        f.append(left_out)
        choice: list[list[int]] = [[0] * size for _ in range(len(vehicles))]
        for k in range(len(vehicles) - 1, -1, -1):
            costs = table[first_of[vehicles[k]]][0]
            nxt, here, pick = f[k + 1], f[k], choice[k]
            for rest in range(size):
                best_cost, best_mask = nxt[rest], 0  # this vehicle stays home
                sub = rest
                while sub:  # every non-empty subset of ``rest``, largest mask first
                    c = costs[sub] + nxt[rest ^ sub]
                    if c <= best_cost:  # ties: the vehicle goes, with the lowest mask
                        best_cost, best_mask = c, sub
                    sub = (sub - 1) & rest
                here[rest], pick[rest] = best_cost, best_mask
        routes = []
        rest = full
        for k in range(len(vehicles)):
            mask = choice[k][rest]
            if mask:
                routes.append(Route(k, (table[first_of[vehicles[k]]][1][mask],)))
                rest &= ~mask
        dropped = tuple(j for j in range(n) if rest >> j & 1)
        objective = f[0][full]
        status = "optimal" if math.isfinite(objective) else "infeasible"
        return RoutePlan(tuple(routes), dropped, objective,
                         SolveStats(self.name, status, evaluations, False,
                                    time.perf_counter() - t0))


def _best_trips(cost: TripCosts, vi: int, n: int
                ) -> tuple[list[float], list[tuple[int, ...]], int]:
    """For every subset (bit mask) of the ``n`` jobs: the cheapest trip of ``v`` through
    them and its visiting order (inf and () when none is feasible), and the number of
    orders tried. The same arithmetic, in the same order, as :class:`TripCosts` (so
    the same floats), but each prefix is computed once for all the orders sharing it
    and an order is dropped as soon as a stop misses its latest time."""
    v = cost.problem.vehicles[vi]
    search = _TripSearch(cost, vi, n)
    ready_at = search.ready_at
    if n and max(cost.release) <= ready_at:
        # every job is released by the time the vehicle could leave: the hand-over time is
        # the same for every subset, so one search through all visiting orders (each
        # prefix once) prices every subset
        search.grow(0, (), 0, ready_at + v.load_time, search.pickup,
                    search.dist_m[v.start][search.pickup], 0.0)
        return search.costs, search.orders, search.work
    demand, release = cost.demand, cost.release
    for mask in range(1, 1 << n):
        js = [j for j in range(n) if mask >> j & 1]
        if sum(demand[j] for j in js) > v.capacity or not cost.fits(vi, js):
            continue
        handover = max(ready_at, max(release[j] for j in js))
        search.extend(mask, js, (), handover + v.load_time, search.pickup,
                      search.dist_m[v.start][search.pickup], 0.0, handover - search.approach)
    return search.costs, search.orders, search.work


class _TripSearch:
    """The depth-first search of :func:`_best_trips` over visiting orders. A class, not
    nested recursive functions: those would form reference cycles on every solve (the
    run pauses the cyclic collector, so cycles would pile up until it ends)."""

    def __init__(self, cost: TripCosts, vi: int, n: int) -> None:
        v = cost.problem.vehicles[vi]
        self.v, self.n = v, n
        # weight and volume: each dimension's job sizes and this vehicle's limit
        self.payload = [(sizes, limits[vi]) for sizes, limits in cost.payload]
        self.costs = [math.inf] * (1 << n)
        self.orders: list[tuple[int, ...]] = [()] * (1 << n)
        self.time_m, self.dist_m = cost.time[v.profile], cost.dist[v.profile]
        self.service = cost.service[v.profile]
        self.loc, self.earliest, self.latest = cost.loc, cost.earliest, cost.latest
        self.due, self.rate, self.demand = cost.due, cost.rate, cost.demand
        self.pickup = cost.pickup[0]  # one pickup location (checked by the caller)
        self.approach = self.time_m[v.start][self.pickup]
        self.ready_at = v.available + self.approach
        self.work = 0

    def arrive(self, here: int, j: int, t: float, metres: float, late: float
               ) -> tuple[float, float, float] | None:
        """Ride from ``here`` to job ``j``: (time served, metres, lateness cost so far),
        or None when the stop misses its latest time."""
        to = self.loc[j]
        tj = t + self.time_m[here][to]
        mj = metres + self.dist_m[here][to]
        if tj < self.earliest[j]:
            tj = self.earliest[j]
        if tj > self.latest[j]:
            self.work += 1
            return None
        lj = late + (tj - self.due[j]) * self.rate[j] if tj > self.due[j] else late
        return tj, mj, lj

    def extend(self, mask: int, left: list[int], done: tuple[int, ...], t: float,
               here: int, metres: float, late: float, departure: float) -> None:
        """Every visiting order of the jobs ``left`` after ``done``; the cheapest complete
        trip of the subset ``mask`` is kept."""
        if not left:
            v = self.v
            self.work += 1
            t_end = t + self.time_m[here][v.end]
            m_end = metres + self.dist_m[here][v.end]
            if t_end > v.shift_end or m_end > v.max_distance:
                return
            c = float(v.fixed_cost + v.distance_cost * m_end
                      + v.duration_cost * (t_end - departure) + late)
            if c < self.costs[mask]:
                self.costs[mask], self.orders[mask] = c, done
            return
        for k, j in enumerate(left):
            step = self.arrive(here, j, t, metres, late)
            if step is not None:
                tj, mj, lj = step
                self.extend(mask, left[:k] + left[k + 1:], (*done, j),
                            tj + self.service[j], self.loc[j], mj, lj, departure)

    def grow(self, mask: int, done: tuple[int, ...], load: int, t: float, here: int,
             metres: float, late: float) -> None:
        """Every visiting order of every subset, each prefix once: each prefix ``done``
        is closed as a trip, then extended by every job that fits."""
        if done:
            self.extend(mask, [], done, t, here, metres, late, self.ready_at - self.approach)
        capacity, demand, payload = self.v.capacity, self.demand, self.payload
        for j in range(self.n):
            if mask >> j & 1 or load + demand[j] > capacity:
                continue
            if payload and any(sum(sizes[k] for k in (*done, j)) > limit
                               for sizes, limit in payload):
                continue
            step = self.arrive(here, j, t, metres, late)
            if step is not None:
                tj, mj, lj = step
                self.grow(mask | 1 << j, (*done, j), load + demand[j], tj + self.service[j],
                          self.loc[j], mj, lj)
