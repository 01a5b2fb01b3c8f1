"""An independent feasibility checker: recompute a plan's times, loads, lateness and cost.

It follows the route semantics in :mod:`sim.routing.problem` in plain floating point and
shares no code with the solver adapters, so a test that solves a problem and checks the
plan here catches an adapter that mis-translates the problem (a wrong window, a missing
service time, a capacity off by one). The Solomon benchmark uses it to check every
solution and to recompute the cost of every best-known solution.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.routing.problem import RoutePlan, RoutingProblem

TOL = 1e-6


@dataclass(frozen=True, slots=True)
class Visit:
    """When a job is served: arrival, start of service, lateness past due (seconds)."""

    job: int
    trip: int
    arrival: float
    start: float
    lateness: float


@dataclass(slots=True)
class RouteCheck:
    """One route recomputed: departure from its start, return, metres, cost, visits."""

    vehicle: int
    departure: float
    end: float
    distance: float
    loads: list[int]
    visits: list[Visit]
    cost: float

    @property
    def duration(self) -> float:
        """Seconds from leaving the start (as late as possible) to arriving at the end."""
        return self.end - self.departure


@dataclass(slots=True)
class PlanCheck:
    """A plan recomputed: per-route schedules, violations found, total lateness (seconds)
    and its cost, the penalties of the jobs left out and the objective."""

    routes: list[RouteCheck] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    lateness: float = 0.0
    lateness_cost: float = 0.0
    penalties: float = 0.0
    objective: float = 0.0

    @property
    def feasible(self) -> bool:
        """True when no constraint is violated."""
        return not self.violations

    def visit(self, job: int) -> Visit | None:
        """The visit of ``job``, or None if it is not served."""
        for r in self.routes:
            for v in r.visits:
                if v.job == job:
                    return v
        return None


def check_plan(problem: RoutingProblem, plan: RoutePlan, tol: float = TOL) -> PlanCheck:
    """Recompute ``plan`` against ``problem`` and list every violated constraint."""
    out = PlanCheck()
    jobs, vehicles = problem.jobs, problem.vehicles
    seen: dict[int, str] = {}
    for r in plan.routes:
        for j in r.jobs:
            if not 0 <= j < len(jobs):
                out.violations.append(f"vehicle {r.vehicle}: unknown job {j}")
            elif j in seen:
                out.violations.append(f"job {j} appears twice ({seen[j]} and vehicle "
                                      f"{r.vehicle})")
            else:
                seen[j] = f"vehicle {r.vehicle}"
    for j in plan.dropped:
        if not 0 <= j < len(jobs):
            out.violations.append(f"unknown dropped job {j}")
        elif j in seen:
            out.violations.append(f"job {j} appears twice ({seen[j]} and dropped)")
        else:
            seen[j] = "dropped"
            penalty = jobs[j].penalty
            if penalty is None:
                out.violations.append(f"job {j} is required but left out")
            else:
                out.penalties += penalty
    for j in range(len(jobs)):
        if j not in seen:
            out.violations.append(f"job {j} is neither served nor left out")
    used: set[int] = set()
    for r in plan.routes:
        if not 0 <= r.vehicle < len(vehicles):
            out.violations.append(f"unknown vehicle {r.vehicle}")
            continue
        if r.vehicle in used:
            out.violations.append(f"vehicle {r.vehicle} has two routes")
        used.add(r.vehicle)
        out.routes.append(_route(problem, r.vehicle, r.trips, out, tol))
    out.objective = sum(r.cost for r in out.routes) + out.lateness_cost + out.penalties
    return out


def _route(problem: RoutingProblem, index: int, trips: tuple[tuple[int, ...], ...],
           out: PlanCheck, tol: float) -> RouteCheck:
    v = problem.vehicles[index]
    where = f"vehicle {index}"
    jobs = [j for trip in trips for j in trip if 0 <= j < len(problem.jobs)]
    if not jobs:
        out.violations.append(f"{where}: a route without jobs")
    if len(trips) > v.max_trips:
        out.violations.append(f"{where}: {len(trips)} trips, at most {v.max_trips} allowed")
    t, here, metres = v.available, v.start, 0.0
    departure: float | None = None
    loads: list[int] = []
    visits: list[Visit] = []
    for k, trip in enumerate(trips):
        trip = tuple(j for j in trip if 0 <= j < len(problem.jobs))
        if not trip:
            out.violations.append(f"{where}: trip {k} is empty")
            continue
        pickup = problem.jobs[trip[0]].pickup
        if any(problem.jobs[j].pickup != pickup for j in trip):
            out.violations.append(f"{where}: trip {k} mixes pickup locations")
        secs, dist = problem.travel(v, here, pickup)
        arrive = t + secs
        metres += dist
        handover = max([arrive] + [problem.jobs[j].release for j in trip])
        if departure is None:
            departure = handover - secs
        t, here = handover + v.load_time, pickup
        load = sum(problem.jobs[j].demand for j in trip)
        loads.append(load)
        if load > v.capacity:
            out.violations.append(f"{where}: trip {k} carries {load} > capacity {v.capacity}")
        kg = sum(problem.jobs[j].weight for j in trip)
        if kg > v.max_weight + tol:
            out.violations.append(f"{where}: trip {k} carries {kg:.3f} kg > max weight "
                                  f"{v.max_weight:.3f} kg")
        litres = sum(problem.jobs[j].volume for j in trip)
        if litres > v.max_volume + tol:
            out.violations.append(f"{where}: trip {k} carries {litres:.3f} l > max volume "
                                  f"{v.max_volume:.3f} l")
        for j in trip:
            job = problem.jobs[j]
            secs, dist = problem.travel(v, here, job.location)
            t += secs
            metres += dist
            start = max(t, job.earliest)
            if start > job.latest + tol:
                out.violations.append(f"{where}: job {j} starts at {start:.1f} after its "
                                      f"latest {job.latest:.1f}")
            late = max(0.0, start - job.due)
            out.lateness += late
            out.lateness_cost += late * problem.late_rate(job)
            visits.append(Visit(j, k, t, start, late))
            t = start + problem.service(v, job)
            here = job.location
    secs, dist = problem.travel(v, here, v.end)
    t += secs
    metres += dist
    if t > v.shift_end + tol:
        out.violations.append(f"{where}: back at {t:.1f} after its shift end {v.shift_end:.1f}")
    if metres > v.max_distance + tol:
        out.violations.append(f"{where}: {metres:.1f} m > max distance {v.max_distance:.1f}")
    dep = v.available if departure is None else departure
    cost = v.fixed_cost + v.distance_cost * metres + v.duration_cost * (t - dep)
    return RouteCheck(index, dep, t, metres, loads, visits, cost)
