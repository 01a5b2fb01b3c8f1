"""A pod visit: a robot fetches a pod, brings it through a station's queue to the
picker, and takes it back to storage.

:class:`PodVisits` runs every visit as a SimPy process. Units of the station's waiting
lines are claimed for the pod when the visit starts (:func:`claim`) and again when the
pod reaches the picker (lines that arrived meanwhile pile on); the picker then takes
them one pick time per unit. What a visit changes beyond itself (station states, orders
completed, pods and robots free again) it reports to its :class:`VisitHost`, the
warehouse that coordinates the visits.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Protocol

import simpy

from sim.core.env import SimEnv
from sim.core.recorder import Table
from sim.core.sampling import Draws
from sim.scenario.warehouse import RobotSpec
from sim.warehouse.driving import Driving
from sim.warehouse.orders import Line, WhOrder
from sim.warehouse.pods import Pod, Storage
from sim.warehouse.policies import PodReturnPolicy
from sim.warehouse.robots import (
    AT_STATION,
    HANDLING,
    MOVING_EMPTY,
    MOVING_LOADED,
    QUEUEING,
    Robot,
    RobotClock,
)
from sim.warehouse.stations import PICKING, STATION_IDLE, WAITING_FOR_POD, Station, Visit
from sim.warehouse.traffic import Traffic


class VisitHost(Protocol):
    """What a pod visit tells the warehouse that coordinates it."""

    def station_state(self, st: Station, state: int) -> None:
        """The station changes state (picking, waiting for a pod, idle)."""
        ...

    def order_picked(self, order: WhOrder, st: Station) -> None:
        """Every line of ``order`` has been picked at ``st``."""
        ...

    def assign_orders(self) -> None:
        """A pick ended: station slots may be free for backlog orders."""
        ...

    def station_free(self, st: Station) -> None:
        """A robot left the station's pick cell: room for another visit."""
        ...

    def pods_moved(self) -> None:
        """Pods or robots moved: stations that found no pod may look again."""
        ...

    def robot_done(self, robot: Robot) -> None:
        """The robot finished its visit (idle, or off to charge)."""
        ...


def claim(visit: Visit, st: Station) -> None:
    """Claim for ``visit`` the units its pod can fill of the station's waiting lines."""
    pod = visit.pod
    units, claimed = pod.units, pod.claimed
    keep: list[Line] = []
    for line in st.waiting:
        have = units.get(line.sku, 0) - claimed.get(line.sku, 0)
        if have > 0:
            take = min(have, line.unclaimed)
            claimed[line.sku] = claimed.get(line.sku, 0) + take
            line.unclaimed -= take
            visit.claims.append((line, take))
        if line.unclaimed > 0:
            keep.append(line)
    st.waiting[:] = keep


class PodVisits:
    """Runs pod visits and records them (see the module docstring)."""

    def __init__(self, env: SimEnv, name: str, host: VisitHost, robots: RobotSpec,
                 stations: list[Station], storage: Storage, traffic: Traffic,
                 driving: Driving, clock: RobotClock, pod_return: PodReturnPolicy,
                 pick_time: list[Draws], visits: Table, picks: Table | None) -> None:
        self.env, self.name, self.host, self.robots = env, name, host, robots
        self.stations, self.storage, self.traffic = stations, storage, traffic
        self.driving, self.clock, self.pod_return = driving, clock, pod_return
        self._pick_time, self._t_visits, self._t_picks = pick_time, visits, picks
        self._active: dict[int, Visit] = {}

    def start(self, robot: Robot, pod: Pod, st: Station) -> None:
        """Start the visit of ``pod`` to ``st`` by ``robot`` (already taken off idle)."""
        env = self.env
        visit = Visit(env.next_id(f"wh_visit/{self.name}"), robot, pod, st.index, [], env.now)
        pod.visit = visit
        claim(visit, st)
        st.incoming.append(visit)
        self._active[visit.id] = visit
        env.process(self._visit(visit))

    def _visit(self, visit: Visit) -> Generator[simpy.Event, object, None]:
        env, st = self.env, self.stations[visit.station]
        robot, pod = visit.robot, visit.pod
        storage, driving, clock = self.storage, self.driving, self.clock
        spot = pod.spot
        cell = storage.spot_cells[spot]
        if robot.cell != cell:
            clock.set(robot, MOVING_EMPTY, env.now)
            leg = yield from self.traffic.move(robot, cell)
            driving.leg_done(robot, leg, visit, loaded=False, state=HANDLING)
            yield from driving.after_leg(robot, leg)
        else:
            clock.set(robot, HANDLING, env.now)
        visit.at_pod = env.now
        if self.robots.lift_time > 0:
            yield env.timeout(self.robots.lift_time)
        storage.pod_at[spot] = None
        pod.spot = -1
        robot.pod = pod
        if self.pod_return.keeps_home:
            storage.incoming[spot] = True
        clock.set(robot, MOVING_LOADED, env.now)
        leg = yield from self.traffic.to_station(robot, st)
        driving.leg_done(robot, leg, visit, loaded=True, state=QUEUEING)
        visit.at_station = env.now
        yield from driving.after_leg(robot, leg)
        leg = yield from self.traffic.to_pick(robot, st)
        driving.leg_done(robot, leg, visit, loaded=True, state=QUEUEING, clocked=True)
        clock.set(robot, AT_STATION, env.now)
        yield from self._pick(visit, st)
        goal = self.pod_return.choose(pod, st)
        storage.incoming[goal] = True
        storage.robot_at[goal] = robot
        clock.set(robot, MOVING_LOADED, env.now)
        leg = yield from self.traffic.leave_station(
            robot, st, storage.spot_cells[goal], lambda: self._left_station(st, visit))
        driving.leg_done(robot, leg, visit, loaded=True, state=HANDLING)
        yield from driving.after_leg(robot, leg)
        if self.robots.set_down_time > 0:
            yield env.timeout(self.robots.set_down_time)
        storage.pod_at[goal] = pod
        storage.incoming[goal] = False
        pod.spot, pod.visit, robot.pod = goal, None, None
        pod.claimed.clear()
        visit.returned = env.now
        self._write(visit)
        self.host.pods_moved()
        self.host.robot_done(robot)

    def _pick(self, visit: Visit, st: Station) -> Generator[simpy.Event, object, None]:
        """The picker takes the claimed units and any newer waiting lines the pod fills."""
        env, host = self.env, self.host
        claim(visit, st)  # pile-on: lines that arrived since the pod was chosen
        host.station_state(st, PICKING)
        visit.pick_start = env.now
        units = sum(take for _, take in visit.claims)
        for line, _ in visit.claims:
            order = line.order
            if math.isnan(order.pick_start):
                order.pick_start = env.now
        t = self._pick_time[st.index].sum(units)
        if t > 0:
            yield env.timeout(t)
        pod = visit.pod
        for line, take in visit.claims:
            self.storage.take(pod, line.sku, take)
            line.picked += take
            order = line.order
            order.units_picked += take
            if self._t_picks is not None:
                self._t_picks.append((self.name, visit.id, order.id, line.index, line.sku,
                                      take, env.now, pod.id))
            if line.picked == line.units:
                order.lines_left -= 1
                if order.lines_left == 0:
                    host.order_picked(order, st)
        visit.pick_end = env.now
        visit.units = units
        visit.lines = len(visit.claims)
        st.open_units -= units
        host.station_state(st, WAITING_FOR_POD if st.open_units > 0 else STATION_IDLE)
        host.assign_orders()

    def _left_station(self, st: Station, visit: Visit) -> None:
        """The robot has left the pick cell: the station has room for another visit."""
        st.incoming.remove(visit)
        self.host.station_free(st)

    def _write(self, visit: Visit) -> None:
        self._active.pop(visit.id, None)
        r = visit.robot
        self._t_visits.append((
            self.name, visit.id, r.name, visit.pod.id, visit.station, visit.dispatched,
            visit.at_pod, visit.at_station, visit.pick_start, visit.pick_end, visit.returned,
            visit.lines, visit.units, visit.empty_m, visit.loaded_m, visit.free_s,
            visit.wait_s, visit.legs, r.energy if math.isfinite(r.energy) else math.nan))

    def finish(self) -> None:
        """At the end of the run: record the visits still under way."""
        for visit in list(self._active.values()):
            self._write(visit)
