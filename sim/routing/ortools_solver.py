"""OR-Tools adapter: a :class:`RoutingProblem` as an OR-Tools routing model.

The model (node 0 is the pickup location, where every vehicle starts after the fixed
approach from where it is; then one delivery node per job; then one pickup node per job
released later than some vehicle is available):

- a *time* dimension with per-vehicle transits ``service(from) + travel + load_time`` (the
  handover is added when leaving the pickup location for a delivery), waiting allowed;
  vehicle start in ``[available + approach, ...)``, end by ``shift_end``; delivery
  windows ``[earliest, latest]`` hard and a soft upper bound at ``due`` costing the job's
  lateness cost per second; pickup nodes open at the job's release;
- a *load* dimension with the vehicle capacities (each vehicle makes one trip, so the
  load when leaving is the sum of the demands on the route), and a *weight* and a
  *volume* dimension (grams, millilitres) when some vehicle has such a limit;
- a *distance* dimension when some vehicle has a ``max_distance``;
- pickup and delivery pairs for the released-later jobs, on the same vehicle, pickups
  before deliveries (arcs from a delivery back to a pickup are removed: one trip);
- optional jobs as disjunctions with their penalty;
- arc costs ``distance_cost * metres + duration_cost * transit`` per vehicle, plus slack
  (waiting) cost when jobs have early windows, plus fixed costs (with the approach).

OR-Tools plans **one trip per vehicle** (``max_trips`` is an upper bound, so that is a
valid plan). The search stops after ``solution_limit`` solutions or at a local optimum (greedy
descent), which is deterministic; ``time_limit`` is a wall-clock cap: the plan says
``capped`` when it stopped the search.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from google.protobuf import text_format  # type: ignore[import-untyped]
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

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

FIRST_SOLUTION = routing_enums_pb2.FirstSolutionStrategy
METAHEURISTIC = routing_enums_pb2.LocalSearchMetaheuristic
STATUS = {v: k.removeprefix("ROUTING_").lower()
          for k, v in routing_enums_pb2.RoutingSearchStatus.Value.items()}
FIRST_SOLUTIONS = tuple(FIRST_SOLUTION.Value.keys())
ILS = "ITERATED_LOCAL_SEARCH"  # OR-Tools' ruin-and-recreate search (not an enum value)
METAHEURISTICS = (*METAHEURISTIC.Value.keys(), ILS)
ILS_PARAMETERS = (
    # Ruin (SISR: remove strings of nearby visits) and recreate by cheapest insertion,
    # improve each perturbed solution by local search, keep it when it is better (greedy
    # acceptance measured better than simulated annealing on Solomon at 2 s).
    "iterated_local_search_parameters { perturbation_strategy: RUIN_AND_RECREATE "
    "ruin_recreate_parameters { ruin_strategies { sisr { max_removed_sequence_size: 10 "
    "avg_num_removed_visits: 10 bypass_factor: 0.01 } } "
    "ruin_composition_strategy: RUN_ONE_RANDOMLY "
    "recreate_strategy { heuristic: LOCAL_CHEAPEST_INSERTION } "
    "route_selection_neighbors_ratio: 1 route_selection_min_neighbors: 10 "
    "route_selection_max_neighbors: 100 } improve_perturbed_solution: true "
    "reference_solution_acceptance_strategy { greedy_descent {} } "
    "best_solution_acceptance_strategy { greedy_descent {} } }")
CONVERGED = {routing_enums_pb2.RoutingSearchStatus.ROUTING_SUCCESS,
             routing_enums_pb2.RoutingSearchStatus.ROUTING_OPTIMAL}


class OrToolsSolver:
    """Solve routing problems with OR-Tools' routing library.

    ``solution_limit`` (solutions accepted by the search, first one included) is the
    deterministic stopping criterion; ``time_limit`` (seconds, wall clock) is a safety cap
    or, in benchmarks, the budget. Greedy descent (the default) also stops at a local
    optimum; a metaheuristic such as guided local search only stops at a limit, and on a
    problem too small to produce ``solution_limit`` distinct solutions only at the time
    limit (then ``capped``), so it requires one. ``first_solution`` and ``metaheuristic``
    name OR-Tools strategies (``PARALLEL_CHEAPEST_INSERTION``, ``GUIDED_LOCAL_SEARCH``,
    ..., or ``ITERATED_LOCAL_SEARCH`` for OR-Tools' ruin-and-recreate iterated local
    search, see :data:`ILS_PARAMETERS`); ``params`` are further search parameters in
    protobuf text form (``"ls_operator_neighbors_ratio: 0.3"``,
    ``"local_search_operators { use_or_opt: BOOL_FALSE }"``). With ``warm_start`` the
    search starts from the cheapest-insertion plan instead of OR-Tools' own first solution
    (much better on the small, optional-heavy problems of dispatching).
    """

    name = "ortools"
    soft_windows = True

    def __init__(self, solution_limit: int | None = 100, time_limit: float | None = None,
                 first_solution: str = "PARALLEL_CHEAPEST_INSERTION",
                 metaheuristic: str = "GREEDY_DESCENT",
                 gls_lambda: float | None = None,
                 params: Sequence[str] = (), warm_start: bool = False) -> None:
        if solution_limit is None and time_limit is None:
            raise ValueError("give solution_limit or time_limit (or both)")
        if first_solution not in FIRST_SOLUTIONS:
            raise ValueError(f"unknown first_solution {first_solution!r}")
        if metaheuristic not in METAHEURISTICS:
            raise ValueError(f"unknown metaheuristic {metaheuristic!r}")
        if metaheuristic not in ("GREEDY_DESCENT", "AUTOMATIC") and time_limit is None:
            raise ValueError(
                f"{metaheuristic} only stops at its limits and on small problems may never "
                "reach the solution limit: give a time_limit too")
        self.solution_limit = solution_limit
        self.time_limit = time_limit
        self.first_solution = first_solution
        self.metaheuristic = metaheuristic
        self.gls_lambda = gls_lambda
        self.params = tuple(params)
        self.warm_start = warm_start
        self._parameters = self.parameters()  # fails now on a bad parameter

    def parameters(self) -> object:
        """The search parameters this solver uses."""
        p = pywrapcp.DefaultRoutingSearchParameters()
        p.first_solution_strategy = FIRST_SOLUTION.Value.Value(self.first_solution)
        if self.metaheuristic == ILS:
            p.local_search_metaheuristic = METAHEURISTIC.Value.Value("GREEDY_DESCENT")
            text_format.Merge(ILS_PARAMETERS, p)
        else:
            p.local_search_metaheuristic = METAHEURISTIC.Value.Value(self.metaheuristic)
        if self.solution_limit is not None:
            p.solution_limit = self.solution_limit
        if self.time_limit is not None:
            p.time_limit.FromNanoseconds(int(self.time_limit * 1e9))
        # Large-neighbourhood sub-searches have their own wall-clock limit; make it a cap
        # that never binds in practice so results do not depend on the machine's speed.
        p.lns_time_limit.FromSeconds(60)
        if self.gls_lambda is not None:
            p.guided_local_search_lambda_coefficient = self.gls_lambda
        for text in self.params:
            try:
                text_format.Merge(text, p)
            except text_format.ParseError as exc:
                raise ValueError(f"bad OR-Tools search parameter {text!r}: {exc}") from None
        return p

    def solve(self, problem: RoutingProblem) -> RoutePlan:
        """The best plan found within the limits."""
        t0 = time.perf_counter()
        trivial = trivial_plan(problem, self.name, t0)
        if trivial is not None:
            return trivial
        model = _Model(problem)
        routing, solutions = model.routing, [0]
        routing.AddAtSolutionCallback(lambda: solutions.__setitem__(0, solutions[0] + 1))
        params = self._parameters
        start = None
        if self.warm_start:
            from sim.routing.insertion import InsertionSolver

            hint = InsertionSolver().solve(problem)
            routing.CloseModelWithParameters(params)
            start = routing.ReadAssignmentFromRoutes(model.node_routes(hint), True)
        t_search = time.perf_counter()
        if self.metaheuristic == ILS:
            assignment = routing.SolveWithIteratedLocalSearch(params)
        elif start is not None:
            assignment = routing.SolveFromAssignmentWithParameters(start, params)
        else:
            assignment = routing.SolveWithParameters(params)
        status = routing.status()
        searched = time.perf_counter() - t_search
        # OR-Tools may report success when the time limit stopped it between two
        # neighbourhoods, so the clock is read as well: a search that ran its whole time
        # budget without reaching the solution limit was stopped by the clock.
        stopped = status not in CONVERGED or (self.time_limit is not None
                                              and searched >= self.time_limit)
        capped = (self.time_limit is not None and stopped
                  and (self.solution_limit is None or solutions[0] < self.solution_limit))
        if self.solution_limit is None:
            capped = False  # the time limit is the budget, not a cap
        if assignment is None:
            return unserved(problem, SolveStats(self.name, STATUS.get(status, str(status)), 0,
                                                capped, time.perf_counter() - t0))
        routes, dropped = model.read(assignment)
        stats = SolveStats(self.name, STATUS.get(status, str(status)), solutions[0], capped,
                           time.perf_counter() - t0)
        return RoutePlan(routes, dropped, scaling.objective(assignment.ObjectiveValue()),
                         stats)


class _Model:
    """The OR-Tools model of one problem and the mapping back to jobs."""

    def __init__(self, problem: RoutingProblem) -> None:
        self.problem = problem
        pickup = single_pickup(problem, "ortools")
        assert pickup is not None
        jobs, vehicles = problem.jobs, problem.vehicles
        n_jobs = len(jobs)
        # Vehicles first drive to the pickup location: an exact, fixed part of their route.
        approaches = [approach(problem, v, pickup) for v in vehicles]
        avail = [scaling.time_ticks(v.available + a[0], "up")
                 for v, a in zip(vehicles, approaches, strict=True)]
        first_free = min(avail)
        release = [scaling.time_ticks(j.release, "up") for j in jobs]
        with_pickup = [i for i in range(n_jobs) if release[i] > first_free]
        ends = sorted({v.end for v in vehicles} - {pickup})
        # nodes: 0 pickup location, then the other end locations, deliveries, pickups
        locs = [pickup, *ends, *(j.location for j in jobs), *(pickup for _ in with_pickup)]
        first_delivery = 1 + len(ends)
        first_pick = first_delivery + n_jobs
        n_nodes = len(locs)
        self.delivery = list(range(first_delivery, first_pick))
        self.pickup_node = {i: first_pick + k for k, i in enumerate(with_pickup)}
        end_node = {pickup: 0, **{loc: 1 + k for k, loc in enumerate(ends)}}
        manager = pywrapcp.RoutingIndexManager(
            n_nodes, len(vehicles), [0] * len(vehicles), [end_node[v.end] for v in vehicles])
        routing = pywrapcp.RoutingModel(manager)
        self.manager, self.routing = manager, routing
        loc = np.asarray(locs)
        is_delivery = np.zeros(n_nodes, dtype=bool)
        is_delivery[first_delivery:first_pick] = True
        loads_here = np.zeros(n_nodes, dtype=bool)
        loads_here[0] = True
        loads_here[first_pick:] = True

        # ------------------------------------------------------------ transits per class
        time_cb: dict[tuple[int, int], int] = {}
        dist_cb: dict[int, int] = {}
        cost_cb: dict[tuple[int, int, int, int], int] = {}
        transit_of: dict[tuple[int, int], np.ndarray] = {}
        dist_of: dict[int, np.ndarray] = {}
        early = any(j.earliest > -np.inf for j in jobs)
        vehicle_time_cb, vehicle_dist_cb = [], []
        for vi, v in enumerate(vehicles):
            prof = problem.profiles[v.profile]
            if v.profile not in dist_of:
                dist_of[v.profile] = scaling.dist_matrix(prof.distance)[np.ix_(loc, loc)]
                dist_cb[v.profile] = routing.RegisterTransitMatrix(dist_of[v.profile].tolist())
            load = scaling.time_ticks(v.load_time)
            key = (v.profile, load)
            if key not in transit_of:
                service = np.zeros(n_nodes, dtype=np.int64)
                service[first_delivery:first_pick] = [
                    scaling.time_ticks(problem.service(v, j)) for j in jobs]
                travel = scaling.time_matrix(prof.time)[np.ix_(loc, loc)]
                handover = np.outer(loads_here, is_delivery) * load
                transit_of[key] = service[:, None] + travel + handover
                time_cb[key] = routing.RegisterTransitMatrix(transit_of[key].tolist())
            vehicle_time_cb.append(time_cb[key])
            vehicle_dist_cb.append(dist_cb[v.profile])
            ckey = (v.profile, load, scaling.cost_per_dist_tick(v.distance_cost),
                    scaling.cost_per_time_tick(v.duration_cost))
            if ckey not in cost_cb:
                arc = ckey[2] * dist_of[v.profile] + ckey[3] * transit_of[key]
                cost_cb[ckey] = routing.RegisterTransitMatrix(arc.tolist())
            routing.SetArcCostEvaluatorOfVehicle(cost_cb[ckey], vi)
            fixed = (v.fixed_cost + v.distance_cost * approaches[vi][1]
                     + v.duration_cost * approaches[vi][0])
            routing.SetFixedCostOfVehicle(scaling.cost(fixed), vi)

        # ------------------------------------------------------------ time
        horizon = scaling.HORIZON
        routing.AddDimensionWithVehicleTransits(vehicle_time_cb, horizon, horizon, False,
                                                "time")
        t = routing.GetDimensionOrDie("time")
        for vi, v in enumerate(vehicles):
            t.CumulVar(routing.Start(vi)).SetRange(avail[vi], horizon)
            t.CumulVar(routing.End(vi)).SetMax(scaling.time_ticks(v.shift_end, "down"))
            if early and v.duration_cost > 0:
                t.SetSlackCostCoefficientForVehicle(
                    scaling.cost_per_time_tick(v.duration_cost), vi)
        for i, j in enumerate(jobs):
            idx = manager.NodeToIndex(self.delivery[i])
            lo = scaling.time_ticks(j.earliest, "up")
            hi = scaling.time_ticks(j.latest, "down")
            if hi < lo:
                if not j.optional:
                    raise UnsupportedProblemError(f"ortools: job {i} has an empty time window")
                routing.ActiveVar(idx).SetValue(0)
            else:
                t.CumulVar(idx).SetRange(lo, hi)
            late_coef = scaling.cost_per_time_tick(problem.late_rate(j))
            if late_coef > 0 and j.due < j.latest:
                t.SetCumulVarSoftUpperBound(idx, scaling.time_ticks(j.due, "down"), late_coef)

        # ------------------------------------------------------------ load
        demand = [0] * n_nodes
        for i, j in enumerate(jobs):
            demand[self.delivery[i]] = j.demand
        demand_cb = routing.RegisterUnaryTransitVector(demand)
        routing.AddDimensionWithVehicleCapacity(
            demand_cb, 0, [v.capacity for v in vehicles], True, "load")
        for name, sizes, limits in problem.payload_dimensions():
            size_ticks, caps = scaling.payload_capacities(sizes, limits)
            amount = [0] * n_nodes
            for i, x in enumerate(size_ticks):
                amount[self.delivery[i]] = x
            routing.AddDimensionWithVehicleCapacity(
                routing.RegisterUnaryTransitVector(amount), 0, caps, True, name)

        # ------------------------------------------------------------ distance limit
        if any(v.max_distance < np.inf for v in vehicles):
            routing.AddDimensionWithVehicleTransits(vehicle_dist_cb, 0, horizon, True,
                                                    "distance")
            d = routing.GetDimensionOrDie("distance")
            for vi, v in enumerate(vehicles):
                if v.max_distance < np.inf:
                    left = max(0, scaling.dist_ticks(v.max_distance - approaches[vi][1], "down"))
                    d.CumulVar(routing.End(vi)).SetMax(left)

        # ------------------------------------------------------------ pickups, options
        solver = routing.solver()
        pick_indices = [manager.NodeToIndex(n) for n in self.pickup_node.values()]
        for i, node in self.pickup_node.items():
            p, dlv = manager.NodeToIndex(node), manager.NodeToIndex(self.delivery[i])
            t.CumulVar(p).SetMin(release[i])
            routing.AddPickupAndDelivery(p, dlv)
            solver.Add(routing.VehicleVar(p) == routing.VehicleVar(dlv))
            solver.Add(t.CumulVar(p) <= t.CumulVar(dlv))
            if jobs[i].optional:
                routing.AddDisjunction([p], 0)
        if pick_indices:
            for dnode in self.delivery:
                routing.NextVar(manager.NodeToIndex(dnode)).RemoveValues(pick_indices)
        for i, j in enumerate(jobs):
            if j.penalty is not None:
                routing.AddDisjunction([manager.NodeToIndex(self.delivery[i])],
                                       scaling.cost(j.penalty))

    def node_routes(self, plan: RoutePlan) -> list[list[int]]:
        """A plan (one trip per vehicle) as OR-Tools node lists: pickups, then deliveries."""
        out: list[list[int]] = [[] for _ in self.problem.vehicles]
        for r in plan.routes:
            jobs = r.trips[0]
            nodes = [self.pickup_node[j] for j in jobs if j in self.pickup_node]
            out[r.vehicle] = [self.manager.NodeToIndex(n) for n in
                              nodes + [self.delivery[j] for j in jobs]]
        return out

    def read(self, assignment: object) -> tuple[tuple[Route, ...], tuple[int, ...]]:
        """Routes (delivery order) and dropped jobs of a solution."""
        routing, manager = self.routing, self.manager
        first = self.delivery[0] if self.delivery else 0
        n_jobs = len(self.delivery)
        routes, served = [], set()
        for vi in range(len(self.problem.vehicles)):
            idx = routing.Start(vi)
            stops = []
            while not routing.IsEnd(idx):
                node = manager.IndexToNode(idx)
                if first <= node < first + n_jobs:
                    stops.append(node - first)
                idx = assignment.Value(routing.NextVar(idx))  # type: ignore[attr-defined]
            if stops:
                routes.append(Route(vi, (tuple(stops),)))
                served.update(stops)
        dropped = tuple(i for i in range(n_jobs) if i not in served)
        return tuple(routes), dropped


