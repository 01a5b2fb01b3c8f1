"""From a node's waiting orders and its couriers to a routing problem, and back to trips.

:class:`DispatchPlanner` is the machinery the solver-based dispatch policies share. Each
call to :meth:`DispatchPlanner.dispatch` (the simulation clock does not move meanwhile):

1. takes the ready orders, and the orders still being picked whose estimated ready time
   falls within ``soon_ready`` (:class:`ReadyEstimate`), the two nearest to each ready
   order (only those could join a trip that starts now);
2. takes the idle couriers, and while too few are idle the busy ones free within the
   ``lookahead`` (at most as many of each fleet as there are ready orders: a trip that
   starts now carries at least one);
3. builds a :class:`~sim.routing.problem.RoutingProblem` in courier-minutes: a minute of
   a trip costs 1, a km ``km_cost``, a minute an order is delivered later than it could
   be ``delay_cost`` (the price of holding it to batch it), a minute past the promise
   ``lateness_cost``; the promise is a hard limit for orders that can still keep it;
   every order is optional with a penalty (the trip it will need later, the lateness
   waiting adds and, if ready, ``postpone_cost``), so a solve is always feasible and an
   order left out is postponed, never lost;
4. solves it and **starts only the trips that can start now**: an idle courier with
   orders that are all ready. Everything else (orders held for a soon-ready order or a
   soon-free courier, orders left out) waits for the next decision;
5. records a ``dispatches`` row (deterministic) and a ``solve_times`` row (wall clock).

Solvers that cannot price lateness or delay (PyVRP) plan the ready orders only (holding
an order for a soon-ready one would be free for them) with the promise as a hard window,
relaxed to the earliest possible delivery for orders that can no longer make it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

from sim.core.env import SimEnv
from sim.core.records import DISPATCH_COLUMNS, SOLVE_TIME_COLUMNS
from sim.demand.order import Order
from sim.fleet.couriers import Courier, Fleet
from sim.routing import scaling
from sim.routing.exact import MAX_JOBS, ExactSolver
from sim.routing.insertion import InsertionSolver
from sim.routing.problem import Job, Profile, RoutePlan, RoutingProblem, Vehicle
from sim.routing.solvers import DISPATCH_OPTIONS, Solver, SolverName, make_solver
from sim.scenario.schema import PlannedDispatch

DEFAULT_EFFORT: dict[SolverName, int] = {"ortools": 100, "pyvrp": 200, "insertion": 0}
"""Search effort per solve when the scenario gives none (insertion: unused)."""
NEAR_UPCOMING = 2  # soon-ready orders planned per ready order (the nearest ones)
MIN = 60.0


def fleet_problem(fleet: Fleet, couriers: Sequence[Courier], orders: Sequence[Order],
                  available: Callable[[Courier], float], max_orders: int, km_cost: float
                  ) -> tuple[list[Profile], list[Vehicle], float]:
    """The couriers' side of a routing problem whose location 0 is the node and ``i + 1``
    the place of ``orders[i]``: one snapped :class:`Profile` per fleet of ``couriers`` (in
    :meth:`~sim.fleet.couriers.Fleet.types_of` order; its drop-off time as service only
    when the fleets' differ), one :class:`Vehicle` per courier (free at ``available(c)``,
    a km costs ``km_cost``, a minute 1; its vehicle's weight and volume limits) and the
    jobs' service time, the longest drop-off."""
    places = [fleet.home, *(o.place for o in orders)]
    kinds = fleet.types_of(couriers)
    dropoffs = {k.dropoff_time for k in kinds}
    profiles = []
    for k in kinds:
        secs, metres = k.mover.matrices(places)
        profiles.append(Profile(scaling.snap_time(secs), scaling.snap_dist(metres),
                                k.dropoff_time if len(dropoffs) > 1 else None))
    index = {id(k): i for i, k in enumerate(kinds)}
    vehicles = []
    for c in couriers:
        kind = fleet.type_of(c)
        vehicles.append(Vehicle(
            start=0, end=0, capacity=min(kind.capacity, max_orders), available=available(c),
            load_time=kind.pickup_time, profile=index[id(kind)], max_distance=kind.max_range,
            distance_cost=km_cost / 1000.0, duration_cost=1.0 / MIN,
            max_weight=kind.max_weight, max_volume=kind.max_volume))
    return profiles, vehicles, max(dropoffs)


class ReadyEstimate:
    """When will an order being picked be ready? A least-squares line through this
    node's history: ``ready - start = a + b * units`` (start: picking start, or acceptance
    while the order waits for a picker). Deterministic: plain sums of past orders."""

    def __init__(self) -> None:
        self.n = [0.0, 0.0]  # per reference (picking started, accepted only)
        self.su = [0.0, 0.0]
        self.suu = [0.0, 0.0]
        self.sd = [0.0, 0.0]
        self.sud = [0.0, 0.0]

    def observe(self, order: Order) -> None:
        """Learn from an order that just became ready."""
        for k, start in enumerate((order.pick_start, order.accepted)):
            if math.isnan(start):
                continue
            u, d = float(order.units), order.ready - start
            self.n[k] += 1
            self.su[k] += u
            self.suu[k] += u * u
            self.sd[k] += d
            self.sud[k] += u * d

    def estimate(self, order: Order) -> float | None:
        """Estimated ready time of ``order``, or None before any order was seen."""
        k = 0 if not math.isnan(order.pick_start) else 1
        start = order.pick_start if k == 0 else order.accepted
        n = self.n[k]
        if n == 0 or math.isnan(start):
            return None
        var = n * self.suu[k] - self.su[k] ** 2
        if var > 1e-9:
            b = (n * self.sud[k] - self.su[k] * self.sd[k]) / var
            a = (self.sd[k] - b * self.su[k]) / n
        else:
            a, b = self.sd[k] / n, 0.0
        return start + max(0.0, a + b * order.units)


class DispatchPlanner:
    """Plans one node's ready and upcoming orders over its couriers (see module doc)."""

    def __init__(self, env: SimEnv, fleet: Fleet, spec: PlannedDispatch, policy: str,
                 lookahead: float, soon_ready: float, postpone_delay: float) -> None:
        self.env, self.fleet, self.spec, self.policy = env, fleet, spec, policy
        self.lookahead, self.soon_ready = lookahead, soon_ready
        self.postpone_delay = postpone_delay
        effort = spec.effort if spec.effort is not None else DEFAULT_EFFORT[spec.solver]
        self.solver: Solver = make_solver(spec.solver, effort or None, spec.time_cap,
                                          **DISPATCH_OPTIONS[spec.solver])
        self.exact_single = InsertionSolver()
        # small problems: enumerate (optimal, and many times cheaper than building and
        # searching an OR-Tools model); OR-Tools beyond MAX_JOBS
        self.exact_small = ExactSolver(MAX_JOBS) if spec.solver == "ortools" else None
        self.estimate = ReadyEstimate()
        self._rows = env.recorder.table("dispatches", DISPATCH_COLUMNS)
        self._wall = env.recorder.table("solve_times", SOLVE_TIME_COLUMNS)

    # ------------------------------------------------------------------ decision

    def dispatch(self, ready: Sequence[Order], upcoming: Sequence[Order] = ()) -> list[Order]:
        """Plan and start what can start now; return the orders dispatched."""
        env, fleet = self.env, self.fleet
        now = env.now
        idle = fleet.idle()
        if not ready or not idle:
            return []  # nothing could start now: do not solve
        t0 = time.perf_counter()
        horizon = now + self.lookahead
        soon_orders: list[tuple[Order, float]] = []
        plan_soon = self.soon_ready > 0 and self.solver.soft_windows
        for o in upcoming if plan_soon else ():
            est = self.estimate.estimate(o)
            if est is not None and est <= now + self.soon_ready:
                soon_orders.append((o, max(now + 1.0, est)))
        soon_orders = self._near(ready, soon_orders)
        orders = list(ready) + [o for o, _ in soon_orders]
        releases = [now] * len(ready) + [t for _, t in soon_orders]
        couriers = self._couriers(idle, len(ready), horizon)
        problem = self._problem(orders, releases, len(ready), couriers)
        t1 = time.perf_counter()
        # one order: its cheapest insertion (or leaving it out) is optimal
        n_jobs = len(problem.jobs)
        solver: Solver = self.solver
        if n_jobs == 1:
            solver = self.exact_single
        elif self.exact_small is not None and n_jobs <= MAX_JOBS:
            solver = self.exact_small
        plan = solver.solve(problem)
        t2 = time.perf_counter()
        n_idle = sum(1 for c in couriers if not c.busy)
        started, dispatched = self._start(plan, couriers, orders, len(ready))
        did = env.next_id("dispatch")
        self._rows.append((
            did, now, fleet.node, self.policy, plan.stats.solver, len(ready), len(soon_orders),
            n_idle, len(couriers) - n_idle, len(started), len(dispatched),
            len(ready) - len(dispatched), round(plan.objective, 6), plan.stats.status,
            plan.stats.work, plan.stats.capped))
        self._wall.append((did, now, fleet.node, (t1 - t0) * 1e3, (t2 - t1) * 1e3))
        return dispatched

    @staticmethod
    def _near(ready: Sequence[Order], soon: list[tuple[Order, float]]
              ) -> list[tuple[Order, float]]:
        """The soon-ready orders worth planning: for each ready order, the
        :data:`NEAR_UPCOMING` nearest to it (straight line); only those could be batched
        with a trip that starts now, and the problem stays small."""
        if len(soon) <= NEAR_UPCOMING * len(ready):
            return soon
        keep: set[int] = set()
        for r in ready:
            ranked = sorted(range(len(soon)),
                            key=lambda k: (r.place.euclid(soon[k][0].place), k))
            keep.update(ranked[:NEAR_UPCOMING])
        return [s for k, s in enumerate(soon) if k in keep]

    def _couriers(self, idle: list[Courier], n_ready: int, horizon: float) -> list[Courier]:
        """Per fleet: up to ``n_ready`` idle couriers (longest idle first: a trip started
        now carries at least one ready order), then, while fewer are idle, couriers free by
        ``horizon`` (first free first), which the plan may prefer to wait for."""
        taken: dict[int, int] = {}
        out: list[Courier] = []
        for c in idle:
            k = id(c.type)
            if taken.get(k, 0) < n_ready:
                taken[k] = taken.get(k, 0) + 1
                out.append(c)
        if len(taken) == len(self.fleet.types) and min(taken.values()) >= n_ready:
            return out  # every fleet has enough idle couriers: no need to look further
        soon = sorted((c for c in self.fleet.couriers if c.busy and not c.leaving
                       and c.free_at <= horizon),
                      key=lambda c: (c.free_at, c.index))
        for c in soon:
            k = id(c.type)
            if taken.get(k, 0) < n_ready:
                taken[k] = taken.get(k, 0) + 1
                out.append(c)
        return out

    def _problem(self, orders: list[Order], releases: list[float], n_ready: int,
                 couriers: list[Courier]) -> RoutingProblem:
        """The routing problem of these orders and couriers (location 0 is the node).

        Each order's soft due time is the earliest it could be served (sent alone at
        once by the fastest fleet): later costs ``delay_cost`` per minute while the promise
        can still be kept (the promise is then a hard limit), ``lateness_cost`` per minute
        once it cannot. Leaving an order out costs the trip it will need later, the
        lateness that waiting for the next decision adds and, for a ready order,
        ``postpone_cost``.
        """
        spec, fleet, now = self.spec, self.fleet, self.env.now
        profiles, vehicles, service = fleet_problem(
            fleet, couriers, orders, lambda c: max(now, c.free_at) if c.busy else now,
            spec.max_orders_per_trip, spec.km_cost)
        kinds = fleet.types_of(couriers)  # the fleet of each profile
        soft = self.solver.soft_windows
        minute = 1.0 / MIN
        jobs = []
        for i, (o, rel) in enumerate(zip(orders, releases, strict=True)):
            due = o.due - service
            solo = [(k.pickup_time + float(p.time[0, i + 1]),
                     k.pickup_time + float(p.time[0, i + 1] + p.time[i + 1, 0]) + service,
                     float(p.distance[0, i + 1] + p.distance[i + 1, 0]))
                    for k, p in zip(kinds, profiles, strict=True)
                    if p.distance[0, i + 1] + p.distance[i + 1, 0] <= k.max_range
                    and k.fits((o,))]
            kg, litres = o.weight, o.volume
            if not solo:  # no courier planned here can reach or carry it: it waits
                jobs.append(Job(i + 1, 0, 1, release=rel, service=service,
                                penalty=spec.postpone_cost, weight=kg, volume=litres))
                continue
            first = min(solo)
            alone = rel + first[0]
            late_later = max(0.0, alone + self.postpone_delay - due)
            penalty = (first[1] * minute + first[2] * spec.km_cost / 1000.0
                       + spec.lateness_cost * late_later * minute
                       + (spec.postpone_cost if i < n_ready else 0.0))
            if not soft:  # the promise as a hard window, relaxed when it cannot be kept
                jobs.append(Job(i + 1, 0, 1, release=rel, latest=max(due, alone + 1.0),
                                service=service, penalty=penalty, weight=kg, volume=litres))
            elif alone <= due:  # can be on time: delay costs, the promise is hard
                jobs.append(Job(i + 1, 0, 1, release=rel, due=alone, latest=due,
                                service=service, penalty=penalty,
                                lateness_cost=spec.delay_cost * minute, weight=kg,
                                volume=litres))
            else:  # late whatever happens: every further minute is a minute late
                jobs.append(Job(i + 1, 0, 1, release=rel, due=alone, service=service,
                                penalty=penalty, lateness_cost=spec.lateness_cost * minute,
                                weight=kg, volume=litres))
        return RoutingProblem(tuple(profiles), tuple(vehicles), tuple(jobs))

    def _start(self, plan: RoutePlan, couriers: list[Courier], orders: list[Order],
               n_ready: int) -> tuple[list[Courier], list[Order]]:
        """Start the planned trips of idle couriers whose orders are all ready."""
        started: list[Courier] = []
        dispatched: list[Order] = []
        for route in plan.routes:
            courier = couriers[route.vehicle]
            trip = route.trips[0]
            if courier.busy or any(k >= n_ready for k in trip):
                continue
            stops = [orders[k] for k in trip]
            self.fleet.start_trip(courier, stops)
            started.append(courier)
            dispatched.extend(stops)
        return started, dispatched
