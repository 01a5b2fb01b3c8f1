"""Robots: where they are, what they carry, their battery, and their time by state.

A robot is a plain record; what it does is the warehouse's processes. Its time goes to
one state at a time (:data:`STATES`) and is accumulated into :class:`TimeBins` as each
state ends; a trip's congestion delay goes to ``blocked`` and the rest to driving.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sim.core.timebins import TimeBins

STATES = ("idle", "moving_empty", "moving_loaded", "blocked", "handling", "queueing",
          "at_station", "waiting_for_charger", "charging", "broken")
(IDLE, MOVING_EMPTY, MOVING_LOADED, BLOCKED, HANDLING, QUEUEING, AT_STATION,
 WAITING_FOR_CHARGER, CHARGING, BROKEN) = range(len(STATES))


@dataclass(slots=True, eq=False)
class Robot:
    """One drive unit."""

    id: int
    name: str
    cell: int
    energy: float = math.inf  # Wh left (inf: no battery model)
    energy_min: float = math.inf
    heading: int = 0
    state: int = IDLE
    since: float = 0.0
    idle_since: float = 0.0
    pod: Any = None
    available: bool = False  # idle and waiting for a task
    driven_s: float = 0.0  # driving time so far (failures are driven-time based)
    driven_m: float = 0.0
    fault_at: float = math.inf  # driven_s at which the next failure happens
    failures: int = 0
    charges: int = 0
    lane_index: int = -1  # grid: index of its cell in a station lane (0 = pick cell)
    lane_cell: int = -1  # grid: that cell
    wake: Any = None  # grid: event to wake it when the lane ahead moves
    waiting_for: int = -1  # grid: robot holding the cell it needs, while blocked
    hold_since: int = 0  # grid: tick since which it holds ``hold_cell`` open-endedly
    hold_cell: int = -1  # grid: the cell it holds (its goal while driving)
    pick_req: Any = None  # abstract: its request for the pick position


class RobotClock:
    """Closes robots' state intervals into the warehouse's time bins."""

    __slots__ = ("bins",)

    def __init__(self, bins: TimeBins) -> None:
        self.bins = bins

    def set(self, robot: Robot, state: int, now: float) -> None:
        """End the robot's current state at ``now`` and start ``state``."""
        self.bins.add(0, robot.state, robot.since, now)
        robot.state, robot.since = state, now

    def end_trip(self, robot: Robot, wait: float, now: float, state: int,
                 queued: float = 0.0) -> None:
        """End a trip begun at ``robot.since``: first ``queued`` s waiting for a station
        lane, then ``wait`` s blocked by other robots, the rest driving; the robot is then
        in ``state``."""
        t0 = robot.since
        queued = min(max(queued, 0.0), now - t0)
        wait = min(max(wait, 0.0), now - t0 - queued)
        self.bins.add(0, QUEUEING, t0, t0 + queued)
        self.bins.add(0, BLOCKED, t0 + queued, t0 + queued + wait)
        self.bins.add(0, robot.state, t0 + queued + wait, now)
        robot.state, robot.since = state, now


class IdleRobots:
    """Idle robots in the order they became idle, bucketed by place for nearest queries."""

    BUCKET = 16  # metres per side of a bucket

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self._span = max(width, height) // self.BUCKET + 1
        self._order: dict[int, Robot] = {}
        self._buckets: dict[tuple[int, int], dict[int, Robot]] = {}
        self._where: dict[int, tuple[int, int]] = {}

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, robot: Robot) -> bool:
        return robot.id in self._order

    def first(self) -> Robot | None:
        """The robot idle longest, or None."""
        return next(iter(self._order.values()), None)

    def add(self, robot: Robot) -> None:
        """``robot`` is now idle at its cell."""
        b = self.BUCKET
        key = (robot.cell % self.width // b, robot.cell // self.width // b)
        self._order[robot.id] = robot
        self._buckets.setdefault(key, {})[robot.id] = robot
        self._where[robot.id] = key

    def remove(self, robot: Robot) -> None:
        """``robot`` is no longer idle."""
        del self._order[robot.id]
        key = self._where.pop(robot.id)
        bucket = self._buckets[key]
        del bucket[robot.id]
        if not bucket:
            del self._buckets[key]

    def nearest(self, cell: int) -> Robot | None:
        """The idle robot nearest ``cell`` (Manhattan), then the one idle longest, then
        the lowest id; searched ring by ring of buckets outwards."""
        if not self._order:
            return None
        w, b = self.width, self.BUCKET
        cx, cy = cell % w, cell // w
        if len(self._order) <= 48:  # a plain scan beats the rings for few robots
            best_r: Robot | None = None
            best_k = (1 << 62, 0.0, 0)
            for robot in self._order.values():
                c = robot.cell
                d = abs(c % w - cx) + abs(c // w - cy)
                if d <= best_k[0]:
                    k = (d, robot.idle_since, robot.id)
                    if k < best_k:
                        best_r, best_k = robot, k
            return best_r
        bx, by = cx // b, cy // b
        buckets = self._buckets
        best: Robot | None = None
        best_key = (1 << 62, 0.0, 0)
        for r in range(self._span + 1):
            if best is not None and (r - 1) * b > best_key[0]:
                break
            if r == 0:
                ring = [(bx, by)]
            else:
                ring = [(bx + i, by - r) for i in range(-r, r + 1)]
                ring += [(bx + i, by + r) for i in range(-r, r + 1)]
                ring += [(bx - r, by + j) for j in range(-r + 1, r)]
                ring += [(bx + r, by + j) for j in range(-r + 1, r)]
            for key in ring:
                bucket = buckets.get(key)
                if bucket is None:
                    continue
                for robot in bucket.values():
                    c = robot.cell
                    k = (abs(c % w - cx) + abs(c // w - cy), robot.idle_since, robot.id)
                    if k < best_key:
                        best, best_key = robot, k
        return best
