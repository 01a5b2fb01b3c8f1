"""The charging bay: robots' batteries, the reserves that keep them above zero, and the
chargers robots queue for.

Each robot starts with its drawn initial charge, but never less than the energy to reach
a charger from anywhere on the floor (so a robot that starts nearly flat charges first).

A robot's battery drains by the metres it drives, more when it carries a pod. A robot
takes a pod visit only if its charge covers the visit and the way to a charger after it
(:meth:`ChargingBay.eligible`); a robot that finishes a task below ``recharge_below`` goes
to charge. Chargers are taken nearest first; when all are busy, robots wait in a first
come, first served queue. A charged robot parks on the free storage spot nearest its
charger and becomes idle again.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Callable, Generator

import numpy as np
import simpy

from sim.core.env import SimEnv
from sim.core.recorder import Table
from sim.scenario.errors import Loc, ScenarioError
from sim.scenario.warehouse import BatterySpec
from sim.warehouse.distances import FloorDistances
from sim.warehouse.driving import Driving
from sim.warehouse.layout import Layout
from sim.warehouse.pods import Storage
from sim.warehouse.robots import (
    CHARGING,
    IDLE,
    MOVING_EMPTY,
    WAITING_FOR_CHARGER,
    IdleRobots,
    Robot,
    RobotClock,
)
from sim.warehouse.stations import Station
from sim.warehouse.traffic import Traffic


class ChargingBay:
    """Battery checks, the charger queue and charging trips (see the module docstring)."""

    def __init__(self, env: SimEnv, name: str, battery: BatterySpec, layout: Layout,
                 distances: FloorDistances, robots: list[Robot], stations: list[Station],
                 to_station: list[array[int]], from_station: list[array[int]],
                 where: Loc) -> None:
        self.env, self.name, self.battery, self.layout = env, name, battery, layout
        self.distances, self.to_station = distances, to_station
        self.charger_worst = distances.worst_to_charger()
        margin = layout.width + layout.height  # a move aside to clear a deadlock, at worst
        # every robot starts with at least the energy to reach a charger from anywhere: one
        # that starts low then charges before its first task instead of running flat
        floor = battery.use_empty * (self.charger_worst + margin)
        draws = env.draws(f"warehouse/{name}/battery", battery.initial)
        for robot in robots:
            robot.energy = max(min(1.0, max(0.0, draws())) * battery.capacity, floor)
            robot.energy_min = robot.energy
        self.reserve_after = [
            battery.use_loaded * (max(from_station[s]) + margin)
            + battery.use_empty * (self.charger_worst + margin)
            for s in range(len(stations))
        ]
        worst = max(battery.use_empty * 2 * margin
                    + battery.use_loaded * (max(to_station[s]) + st.lane_cap)
                    + self.reserve_after[s] for s, st in enumerate(stations))
        if worst > battery.charge_to * battery.capacity:
            raise ScenarioError(
                f"a pod visit with the way to a charger can take {worst:.1f} Wh on this "
                f"layout, more than a charge of {battery.charge_to * battery.capacity:.1f} Wh",
                (*where, "robots", "battery", "capacity"))
        self.free_chargers = list(range(len(layout.chargers)))
        self._queue: deque[tuple[Robot, simpy.Event]] = deque()
        self._charger_of: dict[int, int] = {}
        self._park_orders: dict[int, list[int]] = {}

    def connect(self, traffic: Traffic, driving: Driving, clock: RobotClock,
                storage: Storage, idle: IdleRobots, charges: Table,
                on_idle: Callable[[Robot], None]) -> None:
        """The collaborators of charging trips, known once the warehouse is built."""
        self.traffic, self.driving, self.clock = traffic, driving, clock
        self.storage, self.idle, self._charges, self._on_idle = (storage, idle, charges,
                                                                  on_idle)

    # ------------------------------------------------------------ checks

    def eligible(self, robot: Robot, pod_spot: int, st: Station) -> bool:
        """True when the battery covers a visit of the pod on ``pod_spot`` to ``st`` and
        the way to a charger after it."""
        bat = self.battery
        cell = self.storage.spot_cells[pod_spot]
        fetch = 0 if robot.cell == cell else self.distances.trip(robot.cell, cell,
                                                                 robot.heading)
        need = (bat.use_empty * fetch
                + bat.use_loaded * (self.to_station[st.index][pod_spot] + st.lane_cap)
                + self.reserve_after[st.index])
        return robot.energy >= need

    def full(self, robot: Robot) -> bool:
        """True when charging would not add to the robot's battery."""
        return robot.energy >= self.battery.charge_to * self.battery.capacity - 1e-9

    def low(self, robot: Robot) -> bool:
        """True when a robot that finished a task should charge before the next."""
        return robot.energy < self.battery.recharge_below * self.battery.capacity

    # ------------------------------------------------------------ charging

    def start(self, robot: Robot) -> None:
        """Send ``robot`` to charge (it leaves the idle robots if it was among them)."""
        if robot.available:
            self.idle.remove(robot)
            robot.available = False
        self.clock.set(robot, WAITING_FOR_CHARGER, self.env.now)
        self.env.process(self._charge(robot))

    def _charge(self, robot: Robot) -> Generator[simpy.Event, int, None]:
        env, lay, bat = self.env, self.layout, self.battery
        requested = env.now
        if self.free_chargers:
            k = min(self.free_chargers, key=lambda i: (lay.manhattan(robot.cell,
                                                                     lay.chargers[i]), i))
            self.free_chargers.remove(k)
        else:
            ev = env.event()
            self._queue.append((robot, ev))
            k = yield ev
        self._charger_of[robot.id] = k
        self.clock.set(robot, MOVING_EMPTY, env.now)
        leg = yield from self.traffic.move(robot, lay.chargers[k])
        self.driving.leg_done(robot, leg, None, loaded=False, state=CHARGING)
        yield from self.driving.after_leg(robot, leg)
        start, before = env.now, robot.energy
        target = bat.charge_to * bat.capacity
        if robot.energy < target:
            yield env.timeout((target - robot.energy) / bat.charge_power * 3600.0)
            robot.energy = target
        robot.charges += 1
        self._charges.append((self.name, robot.name, k, requested, start, env.now, before,
                              robot.energy))
        spot = self._park_spot(k)
        self.storage.robot_at[spot] = robot
        self.clock.set(robot, MOVING_EMPTY, env.now)
        leg = yield from self.traffic.move(robot, self.storage.spot_cells[spot])
        self.driving.leg_done(robot, leg, None, loaded=False, state=IDLE)
        yield from self.driving.after_leg(robot, leg)
        self._on_idle(robot)

    def left(self, robot: Robot, cell: int) -> None:
        """``robot`` has left ``cell``: if that was its charger, the charger is free."""
        k = self._charger_of.get(robot.id)
        if k is not None and self.layout.chargers[k] == cell:
            del self._charger_of[robot.id]
            if self._queue:
                _robot, ev = self._queue.popleft()
                ev.succeed(k)
            else:
                self.free_chargers.append(k)

    def _park_spot(self, charger: int) -> int:
        """The spot nearest the charger that no robot stands on or heads to, and that no
        pod is coming back to."""
        st = self.storage
        order = self._park_orders.get(charger)
        if order is None:
            d = self.layout.manhattan_from(st.spot_cells, self.layout.chargers[charger])
            order = self._park_orders[charger] = np.argsort(d, kind="stable").tolist()
        robot_at, incoming = st.robot_at, st.incoming
        for i in order:
            if robot_at[i] is None and not incoming[i]:
                return int(i)
        raise RuntimeError(f"warehouse {self.name}: no storage spot to park on")
