"""Small canonical routing problems, written out so every test states its numbers.

Locations are points on a street grid; travel is the Manhattan distance at 10 m/s, so
times are exact tenths of a second (on the solvers' tick grid) and easy to check by hand.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.routing.problem import Job, Profile, RoutingProblem, Vehicle

SPEED = 10.0  # m/s


def grid_profile(points: Sequence[tuple[float, float]], speed: float = SPEED,
                 service: float | None = None) -> Profile:
    """Manhattan metres between ``points`` and seconds at ``speed``."""
    xy = np.asarray(points, dtype=float)
    metres = np.abs(xy[:, None, :] - xy[None, :, :]).sum(-1)
    return Profile(np.round(metres / speed, 1), metres, service)


def flight_profile(points: Sequence[tuple[float, float]], speed: float,
                   service: float | None = None) -> Profile:
    """Straight-line metres (to 0.1 m) and seconds (to 0.1 s) at ``speed``."""
    xy = np.asarray(points, dtype=float)
    metres = np.round(np.hypot(xy[:, None, 0] - xy[None, :, 0],
                               xy[:, None, 1] - xy[None, :, 1]), 1)
    return Profile(np.round(metres / speed, 1), metres, service)


def random_problem(seed: int, n_jobs: int = 8, n_vehicles: int = 3, capacity: int = 3,
                   optional: bool = True, windows: bool = True, releases: bool = True,
                   lateness_cost: float = 0.0) -> RoutingProblem:
    """A store at the centre, customers within 1.5 km, couriers free now or soon."""
    rng = np.random.default_rng(seed)
    pts = [(1500.0, 1500.0)] + [tuple(np.round(rng.uniform(0, 3000, 2), 0))
                                 for _ in range(n_jobs)]
    prof = grid_profile(pts)
    vehicles = [Vehicle(0, 0, capacity, available=float(60 * k), load_time=60.0,
                        duration_cost=1 / 60) for k in range(n_vehicles)]
    jobs = []
    for i in range(1, n_jobs + 1):
        release = float(rng.integers(0, 4) * 60) if releases else 0.0
        direct = release + 60 + float(prof.time[0, i])
        latest = direct + float(rng.integers(600, 1800)) if windows else np.inf
        jobs.append(Job(i, 0, 1, release=release, due=direct + 300.0, latest=latest,
                        service=120.0, penalty=100.0 if optional else None))
    return RoutingProblem((prof,), tuple(vehicles), tuple(jobs), lateness_cost=lateness_cost)
