"""Solomon VRPTW instances and best-known solutions as routing problems and plans.

Convention (DIMACS / CVRPLIB, as the best-known costs use it): the distance between two
points is the Euclidean distance truncated to one decimal, ``floor(10 * d) / 10``; travel
time equals distance; the objective is the total distance; each customer's service must
start within its ``[ready, due]`` window and every vehicle must be back at the depot by the
depot's due date. Distances are kept in tenths exactly (the time and distance scales of
:mod:`sim.routing.scaling` are 10 ticks per unit), so a plan's cost is recomputed exactly.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.routing.problem import Job, Profile, Route, RoutePlan, RoutingProblem, Vehicle


@dataclass(frozen=True)
class SolomonInstance:
    """An instance as read: vehicles, capacity and one row per node (0 is the depot)."""

    name: str
    vehicles: int
    capacity: int
    rows: np.ndarray  # columns: id, x, y, demand, ready, due, service

    @property
    def group(self) -> str:
        """The instance class: C1, C2, R1, R2, RC1 or RC2."""
        m = re.match(r"(RC|R|C)(\d)", self.name.upper())
        return f"{m.group(1)}{m.group(2)}" if m else "?"

    def distances(self) -> np.ndarray:
        """Euclidean distances truncated to one decimal (tenths exactly)."""
        xy = self.rows[:, 1:3].astype(float)
        d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
        return np.floor(10 * d + 1e-9) / 10

    def problem(self) -> RoutingProblem:
        """The instance as a routing problem: minimise total distance, all jobs required."""
        dist = self.distances()
        depot = self.rows[0]
        vehicles = tuple(Vehicle(start=0, end=0, capacity=self.capacity,
                                 available=float(depot[4]), shift_end=float(depot[5]),
                                 distance_cost=1.0)
                         for _ in range(self.vehicles))
        jobs = tuple(Job(location=i, pickup=0, demand=int(r[3]), earliest=float(r[4]),
                         due=float(r[5]), latest=float(r[5]), service=float(r[6]))
                     for i, r in enumerate(self.rows[1:], start=1))
        return RoutingProblem((Profile(dist, dist),), vehicles, jobs)


def read_instance(path: str | Path) -> SolomonInstance:
    """Read a Solomon text file (name, VEHICLE block, CUSTOMER rows)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    name = lines[0].strip() if lines and lines[0].strip() else Path(path).stem
    numbers = [ln.split() for ln in lines]
    vehicles = capacity = None
    rows = []
    for i, parts in enumerate(numbers):
        if parts[:2] == ["NUMBER", "CAPACITY"]:
            vehicles, capacity = (int(x) for x in numbers[i + 1][:2])
        elif len(parts) == 7 and all(re.fullmatch(r"-?\d+(\.\d*)?", p) for p in parts):
            rows.append([float(p) for p in parts])
    if vehicles is None or capacity is None or not rows:
        raise ValueError(f"{path}: not a Solomon instance (no VEHICLE block or customers)")
    arr = np.asarray(rows)
    if arr[0, 0] != 0 or not np.array_equal(arr[:, 0], np.arange(len(arr))):
        raise ValueError(f"{path}: customer numbers must run 0, 1, 2, ...")
    return SolomonInstance(name, vehicles, capacity, arr)


def read_solution(path: str | Path) -> tuple[list[list[int]], float]:
    """The routes (customer numbers) and the stated cost of a ``.sol`` file."""
    routes, cost = [], math.nan
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        m = re.match(r"\s*Route\s*#\d+\s*:(.*)", line)
        if m:
            routes.append([int(x) for x in m.group(1).split()])
        m = re.match(r"\s*Cost\s+([\d.]+)", line)
        if m:
            cost = float(m.group(1))
    if not routes or math.isnan(cost):
        raise ValueError(f"{path}: no routes or no cost")
    return routes, cost


def plan_of(routes: list[list[int]], n_jobs: int) -> RoutePlan:
    """A plan from routes of customer numbers (job ``i`` is customer ``i + 1``)."""
    served = {c - 1 for r in routes for c in r}
    plan_routes = tuple(Route(k, (tuple(c - 1 for c in r),)) for k, r in enumerate(routes))
    dropped = tuple(j for j in range(n_jobs) if j not in served)
    return RoutePlan(plan_routes, dropped, math.nan)


def tenths(value: float) -> int:
    """A distance in whole tenths (the exact form of Solomon costs)."""
    return round(value * 10)
