"""What a finished trip does to a robot: time, distance and energy, and breakdowns.

Every trip a robot makes (fetching a pod, carrying it, going to a charger, parking)
ends in :meth:`Driving.leg_done`, which books its time on the robot clock, its metres on
the robot and the pod visit, and its energy on the battery; :meth:`Driving.after_leg`
then breaks the robot down where it stands if its driving time has reached its next
failure (drawn from the breakdown spec's mean time between failures).
"""

from __future__ import annotations

from collections.abc import Generator

import simpy

from sim.core.env import SimEnv
from sim.core.recorder import Table
from sim.scenario.warehouse import BatterySpec, BreakdownSpec
from sim.warehouse.layout import Layout
from sim.warehouse.robots import BROKEN, Robot, RobotClock
from sim.warehouse.stations import Visit
from sim.warehouse.traffic import Leg


class Driving:
    """Books finished trips and breaks robots down (see the module docstring)."""

    def __init__(self, env: SimEnv, name: str, layout: Layout, clock: RobotClock,
                 battery: BatterySpec | None, breakdowns: BreakdownSpec | None,
                 events: Table) -> None:
        self.env, self.name, self.layout, self.clock = env, name, layout, clock
        self.battery, self.breakdowns, self._events = battery, breakdowns, events
        self._faults = env.streams(f"warehouse/{name}/faults")
        self._repair = (env.draws(f"warehouse/{name}/repair", breakdowns.repair)
                        if breakdowns else None)

    def first_faults(self, robots: list[Robot]) -> None:
        """Draw each robot's driving time to its first failure (when robots fail)."""
        if self.breakdowns is not None:
            for robot in robots:
                robot.fault_at = float(self._faults.exponential(self.breakdowns.mtbf))

    def leg_done(self, robot: Robot, leg: Leg, visit: Visit | None, loaded: bool,
                 state: int, clocked: bool = False) -> None:
        """Account a finished trip: time (unless the traffic model ``clocked`` it),
        distance and energy; the robot's clock goes on in ``state``."""
        if not clocked:
            self.clock.end_trip(robot, leg.wait_s, self.env.now, state, leg.queue_s)
        if visit is not None:
            visit.legs += 1
            visit.free_s += leg.free_s
            visit.wait_s += leg.wait_s
            if loaded:
                visit.loaded_m += leg.metres
            else:
                visit.empty_m += leg.metres
        robot.driven_m += leg.metres
        robot.driven_s += leg.free_s
        bat = self.battery
        if bat is not None and leg.metres:
            robot.energy -= leg.metres * (bat.use_loaded if loaded else bat.use_empty)
            robot.energy_min = min(robot.energy_min, robot.energy)
            if robot.energy < -1e-9:
                raise RuntimeError(f"{robot.name}: battery below zero ({robot.energy:.3f} Wh)")

    def after_leg(self, robot: Robot, leg: Leg) -> Generator[simpy.Event, object, None]:
        """A robot whose driving time reached its next failure breaks down where it is
        and is repaired there (a SimPy sub-process; returns at once otherwise)."""
        if self._repair is None or robot.driven_s < robot.fault_at:
            return
        env = self.env
        state = robot.state
        self.clock.set(robot, BROKEN, env.now)
        start = env.now
        yield env.timeout(self._repair())
        robot.failures += 1
        x, y = self.layout.xy(robot.cell)
        self._events.append((self.name, start, robot.name, "failure",
                             f"at ({x}, {y}), repaired after {env.now - start:.1f} s"))
        assert self.breakdowns is not None
        robot.fault_at = robot.driven_s + float(self._faults.exponential(self.breakdowns.mtbf))
        self.clock.set(robot, state, env.now)
