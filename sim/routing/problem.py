"""The vehicle routing problem every solver adapter takes, and the plan it returns.

A :class:`RoutingProblem` is solver-neutral and in SI units (seconds, metres) with costs
in abstract *cost units*:

- **locations** are indices into the travel matrices of each :class:`Profile` (a profile
  is how one class of vehicle moves: road at its speed, or straight-line flight);
- **vehicles** start at a location when they are free (``available``), carry at most
  ``capacity`` per trip (the sum of the jobs' ``demand``) and at most ``max_weight`` kg
  and ``max_volume`` litres (the sums of the jobs' ``weight`` and ``volume``; see
  :meth:`RoutingProblem.payload_dimensions`), hand over goods at the pickup location once per trip
  (``load_time``), may make ``max_trips`` trips, and must be back at ``end`` by
  ``shift_end`` within ``max_distance`` metres;
- **jobs** (orders) are picked up at ``pickup`` once they are ``release``\\ d there and
  dropped at ``location``; service at the drop may start within
  ``[earliest, latest]`` (hard) and should start by ``due`` (soft: each second later
  costs the job's ``lateness_cost``, by default the problem's); a job with a ``penalty``
  may be left out of the plan (it is postponed by the dispatcher) at that cost, a job
  without one must be served.

Semantics of a route (the :mod:`sim.routing.checker` recomputes exactly this): a route is
a sequence of trips. For each trip the vehicle travels from where it is to the trip's
pickup location, starts the handover when it is there and every job of the trip is
released, spends ``load_time``, then drives to each job in turn, waits for ``earliest`` if
early, and spends the job's service time. After the last trip it drives to ``end``. The
objective is, over used vehicles, ``fixed_cost + distance_cost * metres + duration_cost *
seconds`` (seconds from leaving its start, as late as the first handover allows, to
arriving at ``end``), plus, for each job, its lateness cost times the seconds by which its
service starts after its ``due``, plus the penalties of the jobs left out.

A :class:`RoutePlan` lists each used vehicle's trips (job indices in visit order), the
jobs left out, the objective as the solver scored it and how the solve went.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

INF = math.inf


class UnsupportedProblemError(ValueError):
    """A solver cannot express part of a problem; the message says what and what to do."""


@dataclass(frozen=True, eq=False)
class Profile:
    """How one class of vehicle moves: seconds and metres between every two locations.

    ``service`` (seconds), when set, replaces every job's service time for vehicles of this
    profile (a drone lowers a parcel faster than a rider walks it to the door).
    """

    time: np.ndarray
    distance: np.ndarray
    service: float | None = None

    def __post_init__(self) -> None:
        t, d = np.asarray(self.time, dtype=float), np.asarray(self.distance, dtype=float)
        if t.ndim != 2 or t.shape[0] != t.shape[1] or d.shape != t.shape:
            raise ValueError(f"profile matrices must be square and of one shape, got "
                             f"{t.shape} and {d.shape}")
        if (t < 0).any() or (d < 0).any() or not (np.isfinite(t).all() and np.isfinite(d).all()):
            raise ValueError("profile matrices must be finite and non-negative")
        object.__setattr__(self, "time", t)
        object.__setattr__(self, "distance", d)


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A vehicle (courier) that can be planned."""

    start: int
    end: int
    capacity: int
    available: float = 0.0
    shift_end: float = INF
    load_time: float = 0.0
    profile: int = 0
    max_distance: float = INF
    max_trips: int = 1
    fixed_cost: float = 0.0
    distance_cost: float = 0.0
    duration_cost: float = 0.0
    max_weight: float = INF
    max_volume: float = INF


@dataclass(frozen=True, slots=True)
class Job:
    """An order to carry from ``pickup`` to ``location``."""

    location: int
    pickup: int
    demand: int = 1
    release: float = 0.0
    earliest: float = -INF
    due: float = INF
    latest: float = INF
    service: float = 0.0
    penalty: float | None = None
    lateness_cost: float | None = None
    weight: float = 0.0
    volume: float = 0.0

    @property
    def optional(self) -> bool:
        """True when the job may be left out at its penalty."""
        return self.penalty is not None


@dataclass(frozen=True, eq=False)
class RoutingProblem:
    """Locations (via the profiles' matrices), vehicles and jobs; see the module doc."""

    profiles: tuple[Profile, ...]
    vehicles: tuple[Vehicle, ...]
    jobs: tuple[Job, ...]
    lateness_cost: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "profiles", tuple(self.profiles))
        object.__setattr__(self, "vehicles", tuple(self.vehicles))
        object.__setattr__(self, "jobs", tuple(self.jobs))
        if not self.profiles:
            raise ValueError("a routing problem needs at least one profile")
        n = self.profiles[0].time.shape[0]
        if any(p.time.shape[0] != n for p in self.profiles):
            raise ValueError("every profile must cover the same locations")
        if self.lateness_cost < 0:
            raise ValueError("lateness_cost must be >= 0")
        for i, v in enumerate(self.vehicles):
            where = f"vehicles[{i}]"
            if not (0 <= v.start < n and 0 <= v.end < n):
                raise ValueError(f"{where}: start/end must be locations 0..{n - 1}")
            if not 0 <= v.profile < len(self.profiles):
                raise ValueError(f"{where}: unknown profile {v.profile}")
            if v.capacity < 0 or v.max_trips < 1:
                raise ValueError(f"{where}: capacity must be >= 0 and max_trips >= 1")
            if min(v.load_time, v.max_distance, v.fixed_cost, v.distance_cost,
                   v.duration_cost, v.max_weight, v.max_volume) < 0:
                raise ValueError(f"{where}: times, distances and costs must be >= 0")
            if v.shift_end < v.available or math.isnan(v.available):
                raise ValueError(f"{where}: shift_end is before available")
        for i, j in enumerate(self.jobs):
            where = f"jobs[{i}]"
            if not (0 <= j.location < n and 0 <= j.pickup < n):
                raise ValueError(f"{where}: location/pickup must be locations 0..{n - 1}")
            if j.demand < 0 or j.service < 0 or not (j.weight >= 0 and j.volume >= 0):
                raise ValueError(f"{where}: demand, service, weight and volume must be >= 0")
            if j.latest < j.earliest:
                raise ValueError(f"{where}: latest is before earliest")
            if j.penalty is not None and j.penalty < 0:
                raise ValueError(f"{where}: penalty must be >= 0")
            if j.lateness_cost is not None and j.lateness_cost < 0:
                raise ValueError(f"{where}: lateness_cost must be >= 0")

    def payload_dimensions(self) -> list[tuple[str, list[float], list[float]]]:
        """The capacity dimensions beside the order count that some vehicle limits:
        (name, each job's size, each vehicle's limit) for ``weight`` (kg) and ``volume``
        (litres). Empty when no vehicle has a limit, so a problem without payloads is
        modelled exactly as before."""
        out = []
        for name in ("weight", "volume"):
            limits = [float(getattr(v, f"max_{name}")) for v in self.vehicles]
            if any(x < INF for x in limits):
                out.append((name, [float(getattr(j, name)) for j in self.jobs], limits))
        return out

    def late_rate(self, job: Job) -> float:
        """Cost per second ``job``'s service starts after its due time."""
        return self.lateness_cost if job.lateness_cost is None else job.lateness_cost

    @property
    def n_locations(self) -> int:
        """Number of locations the matrices cover."""
        return int(self.profiles[0].time.shape[0])

    def travel(self, vehicle: Vehicle, a: int, b: int) -> tuple[float, float]:
        """(seconds, metres) from location ``a`` to ``b`` for ``vehicle``."""
        p = self.profiles[vehicle.profile]
        return float(p.time[a, b]), float(p.distance[a, b])

    def service(self, vehicle: Vehicle, job: Job) -> float:
        """Service time of ``job`` when ``vehicle`` serves it."""
        s = self.profiles[vehicle.profile].service
        return job.service if s is None else s

    def pickups(self) -> list[int]:
        """The distinct pickup locations of the jobs, in first-seen order."""
        return list(dict.fromkeys(j.pickup for j in self.jobs))


@dataclass(frozen=True, slots=True)
class Route:
    """One vehicle's trips, each a tuple of job indices in visit order."""

    vehicle: int
    trips: tuple[tuple[int, ...], ...]

    @property
    def jobs(self) -> tuple[int, ...]:
        """Every job on the route, in visit order."""
        return tuple(j for trip in self.trips for j in trip)


@dataclass(frozen=True, slots=True)
class SolveStats:
    """How a solve went. Everything but ``wall_s`` is deterministic for a given input
    (unless ``capped``: the wall-clock safety cap stopped the search first)."""

    solver: str
    status: str
    work: int = 0
    capped: bool = False
    wall_s: float = 0.0


@dataclass(frozen=True, eq=False)
class RoutePlan:
    """A solution: routes of the used vehicles (by vehicle index), the jobs left out, the
    objective as the solver scored it (cost units) and the solve statistics."""

    routes: tuple[Route, ...]
    dropped: tuple[int, ...]
    objective: float
    stats: SolveStats = field(default_factory=lambda: SolveStats("none", "none"))

    def key(self) -> tuple[object, ...]:
        """Everything that must be identical for the same input (not the wall time)."""
        return (self.routes, self.dropped, self.objective, self.stats.status,
                self.stats.work, self.stats.capped)

    def vehicle_of(self) -> dict[int, int]:
        """Job index -> vehicle index for every served job."""
        return {j: r.vehicle for r in self.routes for j in r.jobs}


def unserved(problem: RoutingProblem, stats: SolveStats) -> RoutePlan:
    """A plan that leaves every job out, at the sum of their drop penalties (no vehicles,
    no solution found, or nothing to plan)."""
    penalty = sum(j.penalty or 0.0 for j in problem.jobs)
    return RoutePlan((), tuple(range(len(problem.jobs))), penalty, stats)


def trivial_plan(problem: RoutingProblem, solver: str, t0: float) -> RoutePlan | None:
    """The plan when there is nothing to search (no jobs or no vehicles), else None."""
    if problem.jobs and problem.vehicles:
        return None
    status = "no_vehicles" if problem.jobs else "empty"
    return unserved(problem, SolveStats(solver, status, 0, False, time.perf_counter() - t0))


def approach(problem: RoutingProblem, vehicle: Vehicle, pickup: int) -> tuple[float, float]:
    """(seconds, metres) a vehicle needs to reach ``pickup`` from where it is."""
    return problem.travel(vehicle, vehicle.start, pickup)


def single_pickup(problem: RoutingProblem, solver: str) -> int | None:
    """The one pickup location of every job (None without jobs), or a clear error."""
    pickups = problem.pickups()
    if len(pickups) > 1:
        raise UnsupportedProblemError(
            f"{solver}: jobs picked up at {len(pickups)} different locations; this adapter "
            "plans one pickup location (a store) per problem: solve each store separately")
    return pickups[0] if pickups else None
