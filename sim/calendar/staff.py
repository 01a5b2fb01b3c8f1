"""Staff in the running model: resources whose size follows a roster.

:func:`follow_roster` calls a resource's ``set_rostered(n)`` at every change of its
roster (one timeout per change, no process). :class:`PickerPool` is a SimPy resource of
pickers sized to the roster's peak: a picker going off shift is an "away" request of
higher priority than any order, so she takes no new order but finishes the one in hand
(the away request is granted when she is free); coming back on shift releases it.
Every change of the staff actually on duty is a row of the ``staffing`` table and a new
capacity in ``states`` (utilisation is busy over staffed time).
"""

from __future__ import annotations

from collections.abc import Callable

import simpy

from sim.calendar.roster import Roster
from sim.core.env import LevelMonitor, SimEnv
from sim.core.records import STAFFING_COLUMNS

AWAY, WORK = -1, 0
"""Request priorities: going off shift comes before any waiting order."""


def follow_roster(env: SimEnv, roster: Roster, stop: float,
                  set_rostered: Callable[[int], None]) -> int:
    """Schedule ``set_rostered(n)`` at each change of ``roster`` after now until
    ``stop``; returns the count rostered now (the caller starts with it)."""
    steps = roster.steps(env.now, stop)
    for t, n in steps[1:]:
        env.timeout(t - env.now).callbacks.append(_Call(set_rostered, n))
    return steps[0][1]


class _Call:
    """An event callback that calls ``fn(n)`` (a typed stand-in for a lambda)."""

    __slots__ = ("fn", "n")

    def __init__(self, fn: Callable[[int], None], n: int) -> None:
        self.fn, self.n = fn, n

    def __call__(self, _event: simpy.Event) -> None:
        self.fn(self.n)


class StaffRecord:
    """Writes a rostered resource's staffing rows and keeps its ``states`` capacity."""

    def __init__(self, env: SimEnv, node: str, resource: str, vehicle: str,
                 level: LevelMonitor | None) -> None:
        self.env, self.node, self.resource, self.vehicle = env, node, resource, vehicle
        self.level = level
        self._table = env.recorder.table("staffing", STAFFING_COLUMNS)

    def write(self, rostered: int, on_duty: int) -> None:
        """Record ``rostered`` and ``on_duty`` from now on."""
        self._table.append((self.env.now, self.node, self.resource, self.vehicle, rostered,
                            on_duty))


class PickerPool:
    """A store's pickers under a roster: requests as a SimPy resource, size over time."""

    def __init__(self, env: SimEnv, node: str, roster: Roster, stop: float,
                 level: LevelMonitor) -> None:
        self.env = env
        size = max(roster.peak(env.now, stop), 1)
        self.resource = simpy.PriorityResource(env, capacity=size)
        self.level = level
        self.record = StaffRecord(env, node, "pickers", "", level)
        self.rostered = self.on_duty = follow_roster(env, roster, stop, self.set_rostered)
        # those not on duty at the start are away at once (nobody is picking yet)
        self._away = [self.resource.request(priority=AWAY) for _ in range(size - self.on_duty)]
        self._leaving: list[simpy.resources.resource.PriorityRequest] = []
        if level.capacity != self.on_duty:
            level.set_capacity(self.on_duty)
        self.record.write(self.rostered, self.on_duty)

    def request(self) -> simpy.resources.resource.PriorityRequest:
        """A request for a picker (use as a context manager, as with a Resource)."""
        return self.resource.request(priority=WORK)

    def set_rostered(self, n: int) -> None:
        """The roster now asks for ``n`` pickers: send the surplus off (each once free)
        or call pickers back (first those still finishing, then those away)."""
        diff = n - self.rostered
        self.rostered = n
        for _ in range(max(0, -diff)):
            req = self.resource.request(priority=AWAY)
            self._leaving.append(req)
            req.callbacks.append(self._gone)
        back = 0
        for _ in range(max(0, diff)):
            if self._leaving:
                self._leaving.pop().cancel()
            else:
                self.resource.release(self._away.pop())
                back += 1
        if back:
            self._changed(back)
        if diff:
            self.record.write(self.rostered, self.on_duty)

    def _gone(self, event: simpy.Event) -> None:
        req = event
        assert isinstance(req, simpy.resources.resource.PriorityRequest)
        self._leaving.remove(req)
        self._away.append(req)
        self._changed(-1)
        self.record.write(self.rostered, self.on_duty)

    def _changed(self, delta: int) -> None:
        self.on_duty += delta
        self.level.set_capacity(self.on_duty)
