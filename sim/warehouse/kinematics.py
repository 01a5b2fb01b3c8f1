"""Robot motion: straight runs from rest to rest with a trapezoidal speed profile.

A robot accelerates at ``a`` up to its top speed ``v``, cruises, and brakes at ``a`` to
stop; a run shorter than ``v^2 / a`` never reaches top speed (triangular profile). It
stops to turn, turning in place takes ``turn`` seconds per quarter turn. These are the
only motion rules: the abstract mode applies them to Manhattan distances, the grid mode
to the straight runs of a planned path, cell by cell.

In the grid, a robot's body (1 m) overlaps a cell while its centre is less than 1 m from
the cell's centre, so a moving robot holds two cells and a stopped one holds one; this
keeps a one-cell gap between robots driving nose to tail and makes swaps impossible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Kinematics:
    """Top speed (m/s), acceleration (m/s2) and quarter-turn time (s) of a robot."""

    speed: float
    accel: float
    turn: float

    @property
    def ramp(self) -> float:
        """Distance needed to reach top speed from rest (m)."""
        return self.speed * self.speed / (2 * self.accel)

    def run_time(self, d: float) -> float:
        """Seconds to drive ``d`` metres in a straight line from rest to rest."""
        if d <= 0:
            return 0.0
        if d >= 2 * self.ramp:
            return d / self.speed + self.speed / self.accel
        return 2 * math.sqrt(d / self.accel)

    def time_at(self, d: float, x: float) -> float:
        """Seconds after starting a rest-to-rest run of ``d`` metres at which the robot's
        centre has covered ``x`` metres (clamped to [0, d])."""
        x = min(max(x, 0.0), d)
        total = self.run_time(d)
        half = min(self.ramp, d / 2)
        if x <= half:
            return math.sqrt(2 * x / self.accel)
        if x >= d - half:
            return total - math.sqrt(2 * (d - x) / self.accel)
        return self.speed / self.accel + (x - self.ramp) / self.speed

    def manhattan_time(self, dx: float, dy: float) -> float:
        """Abstract mode: one run along x, a quarter turn, one run along y."""
        t = self.run_time(abs(dx)) + self.run_time(abs(dy))
        return t + self.turn if dx and dy else t


@dataclass(frozen=True)
class RunProfile:
    """Tick offsets of a straight run of ``n`` cells, relative to its departure tick.

    ``enter[k]`` and ``leave[k]`` bound the ticks in which the robot's body overlaps the
    k-th cell of the run (cell 0 is where it starts, cell n where it stops);
    ``arrive`` is the tick offset at which it stands still in cell n.
    """

    n: int
    enter: tuple[int, ...]
    leave: tuple[int, ...]
    arrive: int


@dataclass
class TickKinematics:
    """:class:`Kinematics` on the integer tick clock of the grid mode, with a cache."""

    kin: Kinematics
    tick: float
    _runs: dict[int, RunProfile] = field(default_factory=dict)

    def ticks_floor(self, seconds: float) -> int:
        """Whole ticks at or before ``seconds``."""
        return math.floor(seconds / self.tick + 1e-9)

    def ticks_ceil(self, seconds: float) -> int:
        """Whole ticks at or after ``seconds``."""
        return math.ceil(seconds / self.tick - 1e-9)

    @property
    def turn_ticks(self) -> int:
        """Ticks for one quarter turn."""
        return self.ticks_ceil(self.kin.turn)

    def run(self, n: int) -> RunProfile:
        """The profile of a straight run of ``n`` >= 1 cells (cached)."""
        prof = self._runs.get(n)
        if prof is None:
            k = self.kin
            enter = [0] + [self.ticks_floor(k.time_at(n, i - 1)) for i in range(1, n + 1)]
            leave = [self.ticks_ceil(k.time_at(n, i + 1)) for i in range(n)]
            arrive = self.ticks_ceil(k.run_time(n))
            leave.append(arrive)
            prof = RunProfile(n, tuple(enter), tuple(leave), arrive)
            self._runs[n] = prof
        return prof
