"""Staff per hour for a target, by Erlang C (the M/M/c queue), with measured service times.

In an hour with orders arriving at rate ``lam`` (a Poisson stream) and each taking a
server (a picker, a courier) for an exponential time of mean ``s``, the offered load is
``a = lam s`` servers. With ``c > a`` servers, Erlang C gives the chance an order waits,
``C(c, a)``, computed stably from the Erlang B recursion ``B(0) = 1``,
``B(k) = a B(k-1) / (k + a B(k-1))`` and ``C = c B / (c - a (1 - B))``; then

- the mean wait ``W = C s / (c - a)``;
- the chance to wait longer than ``t``: ``P(wait > t) = C exp(-(c - a) t / s)``.

:func:`servers_needed` is the smallest ``c`` meeting a target on one of these (never
fewer than ``ceil(a)`` + 1 when there is load; 0 when there is none).
Square-root staffing ``c ~ a + beta sqrt(a)`` is what these minima follow for large
loads; the exact minimum is computed, not the rule of thumb.

:class:`ServiceTimes` measures the mean service times from a run's records: a picker
holds an order from ``pick_start`` to ``ready`` (pick and pack), a courier a trip from
its ``start`` to its ``end``, shared by the orders on it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.scenario.errors import ScenarioError

MAX_SERVERS = 10_000


def erlang_c(c: int, a: float) -> float:
    """The chance an arrival waits in an M/M/c queue with offered load ``a`` (1 if the
    queue is unstable, ``c <= a``)."""
    if a <= 0:
        return 0.0
    if c <= a:
        return 1.0
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return c * b / (c - a * (1.0 - b))


def mean_wait(c: int, a: float, service: float) -> float:
    """Mean wait in queue (same unit as ``service``); infinite when unstable."""
    if a <= 0:
        return 0.0
    if c <= a:
        return math.inf
    return erlang_c(c, a) * service / (c - a)


def wait_above(c: int, a: float, service: float, t: float) -> float:
    """``P(wait > t)`` in an M/M/c queue (1 when unstable)."""
    if a <= 0:
        return 0.0
    if c <= a:
        return 1.0
    return erlang_c(c, a) * math.exp(-(c - a) * t / service)


@dataclass(frozen=True)
class WaitTarget:
    """What a queue must achieve: a mean wait at most ``mean_wait`` seconds, or at least
    a share ``within_share`` of arrivals waiting at most ``within`` seconds."""

    mean_wait: float | None = None
    within: float | None = None
    within_share: float | None = None

    def met(self, c: int, a: float, service: float) -> bool:
        """Whether ``c`` servers meet the target at load ``a``."""
        if c <= a and a > 0:
            return False
        if self.mean_wait is not None and mean_wait(c, a, service) > self.mean_wait:
            return False
        if self.within is not None and self.within_share is not None:
            return 1.0 - wait_above(c, a, service, self.within) >= self.within_share - 1e-12
        return True


def servers_needed(rate: float, service: float, target: WaitTarget) -> int:
    """The fewest servers meeting ``target`` with arrivals at ``rate`` per second and a
    mean service of ``service`` seconds (0 with no arrivals)."""
    a = rate * service
    if a <= 0:
        return 0
    c = max(1, math.floor(a) + 1)
    while not target.met(c, a, service):
        c += 1
        if c > MAX_SERVERS:
            raise ScenarioError(f"no staff count up to {MAX_SERVERS} meets the target "
                                f"(load {a:.1f})", ("--target",))
    return c


def hourly_counts(orders: Sequence[float], service: float, target: WaitTarget) -> list[int]:
    """The fewest servers of each clock hour for its forecast orders (per hour)."""
    return [servers_needed(n / 3600.0, service, target) for n in orders]


@dataclass(frozen=True)
class ServiceTimes:
    """Mean service times (seconds) measured from runs: a picker's per order (pick and
    pack), a courier's per order (trip time over orders on the trip), and the door leg
    (dispatch to delivery) an order spends after its courier leaves."""

    pick: float
    courier: float
    door: float

    @classmethod
    def measure(cls, folders: Sequence[str | Path]) -> ServiceTimes:
        """Pool the records of the run folders ``folders``."""
        picks: list[np.ndarray] = []
        legs: list[np.ndarray] = []
        trip_s, trip_orders = 0.0, 0.0
        for folder in folders:
            orders = pd.read_csv(Path(folder) / "orders.csv",
                                 usecols=["pick_start", "ready", "dispatched", "delivered"])
            picks.append((orders["ready"] - orders["pick_start"]).dropna().to_numpy())
            legs.append((orders["delivered"] - orders["dispatched"]).dropna().to_numpy())
            trips_path = Path(folder) / "trips.csv"
            if trips_path.is_file():
                trips = pd.read_csv(trips_path, usecols=["start", "end", "orders"]).dropna()
                trip_s += float((trips["end"] - trips["start"]).sum())
                trip_orders += float(trips["orders"].sum())
        pick = np.concatenate(picks) if picks else np.zeros(0)
        leg = np.concatenate(legs) if legs else np.zeros(0)
        if not len(pick) or trip_orders <= 0 or not len(leg):
            raise ScenarioError("the history has no picked and delivered orders to measure "
                                "service times from", ("--history",))
        return cls(float(pick.mean()), trip_s / trip_orders, float(leg.mean()))
