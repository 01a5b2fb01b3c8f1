"""How robots get from cell to cell: the traffic model, at two levels of fidelity.

Both modes offer the same four trips to the warehouse's processes (each a SimPy
sub-process returning a :class:`Leg`):

- ``move``: between storage spots and chargers;
- ``to_station``: from a spot into a station's queue;
- ``to_pick``: forward through the queue until at the pick cell;
- ``leave_station``: from the pick cell to a spot.

:class:`AbstractTraffic` times each trip from the Manhattan distance with the robot's
kinematics and lets robots pass through each other; the only waiting is for the pick
cell (first come, first served), and moving into it from the queue takes a one-metre run.
The grid mode (:mod:`sim.warehouse.grid`) plans paths and reserves cells.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, NamedTuple, Protocol

import simpy

from sim.core.env import SimEnv
from sim.warehouse.kinematics import Kinematics
from sim.warehouse.layout import Layout
from sim.warehouse.robots import MOVING_LOADED, QUEUEING, Robot, RobotClock
from sim.warehouse.stations import Station


class Leg(NamedTuple):
    """A finished trip: metres driven, free-flow seconds, seconds lost to other robots
    (congestion), and seconds spent first waiting for room in a station lane."""

    metres: float
    free_s: float
    wait_s: float
    queue_s: float = 0.0


Trip = Generator[Any, Any, Leg]


class Traffic(Protocol):
    """Moves robots on the warehouse floor."""

    def place(self, robot: Robot) -> None:
        """Put a robot on its start cell before the run."""
        ...

    def move(self, robot: Robot, goal: int) -> Trip:
        """From a spot or charger to another spot or charger."""
        ...

    def to_station(self, robot: Robot, station: Station) -> Trip:
        """From a spot into the station's queue lane."""
        ...

    def to_pick(self, robot: Robot, station: Station) -> Trip:
        """Through the queue until at the pick cell (the robot queues meanwhile)."""
        ...

    def leave_station(self, robot: Robot, station: Station, goal: int,
                      on_depart: Callable[[], None]) -> Trip:
        """From the pick cell to a spot; ``on_depart`` runs as it leaves the pick cell."""
        ...

    def occupancy(self, now: float, robots: list[Robot]) -> list[float]:
        """Seconds each cell was occupied by a robot, up to ``now``."""
        ...


class AbstractTraffic:
    """Manhattan travel with the kinematics; robots never block each other."""

    def __init__(self, env: SimEnv, layout: Layout, kin: Kinematics, clock: RobotClock,
                 stations: list[Station], left: Callable[[Robot, int], None]) -> None:
        self.env, self.layout, self.kin, self.clock = env, layout, kin, clock
        self._left = left
        self.pick_cells = [simpy.Resource(env, capacity=1) for _ in stations]
        self._dwell = [0.0] * layout.size
        self._arrived: dict[int, float] = {}
        self.exchange = kin.run_time(1.0)

    def place(self, robot: Robot) -> None:
        self._arrived[robot.id] = self.env.now

    def _trip(self, robot: Robot, goal: int) -> Trip:
        env, lay = self.env, self.layout
        w = lay.width
        a = robot.cell
        dx, dy = goal % w - a % w, goal // w - a // w
        self._dwell[a] += env.now - self._arrived.pop(robot.id)
        self._left(robot, a)
        t = self.kin.manhattan_time(dx, dy)
        if t > 0:
            yield env.timeout(t)
        robot.cell = goal
        self._arrived[robot.id] = env.now
        return Leg(float(abs(dx) + abs(dy)), t, 0.0)

    def move(self, robot: Robot, goal: int) -> Trip:
        return (yield from self._trip(robot, goal))

    def to_station(self, robot: Robot, station: Station) -> Trip:
        return (yield from self._trip(robot, station.cells.pick))

    def to_pick(self, robot: Robot, station: Station) -> Trip:
        res = self.pick_cells[station.index]
        queued = res.count > 0 or len(res.queue) > 0
        req = res.request()
        robot.pick_req = req
        yield req
        if not queued:
            return Leg(0.0, 0.0, 0.0)
        self.clock.set(robot, MOVING_LOADED, self.env.now)
        yield self.env.timeout(self.exchange)
        self.clock.end_trip(robot, 0.0, self.env.now, QUEUEING)
        return Leg(1.0, self.exchange, 0.0)

    def leave_station(self, robot: Robot, station: Station, goal: int,
                      on_depart: Callable[[], None]) -> Trip:
        self.pick_cells[station.index].release(robot.pick_req)
        robot.pick_req = None
        on_depart()
        return (yield from self._trip(robot, goal))

    def occupancy(self, now: float, robots: list[Robot]) -> list[float]:
        """Seconds robots stood still in each cell (abstract mode knows no paths)."""
        out = list(self._dwell)
        for robot in robots:
            if robot.id in self._arrived:  # standing still (not on a trip) at the end
                out[robot.cell] += now - self._arrived[robot.id]
        return out
