"""A robot warehouse as a node of the city: it picks orders with robots and pods.

:class:`RobotWarehouse` is a fulfilment node (it serves the online orders the
assignment policy gives it, and its couriers deliver them) and a supplier of stores
(:meth:`RobotWarehouse.ship`). It also takes its own parcel orders if the scenario has
them. Every order becomes lines waiting in the backlog, then at a station; a pod visit
is a robot fetching a pod, bringing it through the station's queue to the picker, and
returning it to a storage spot; robots charge when their battery runs low and may fail.

The run writes: ``wh_orders`` (one row per order with its stage times), ``wh_visits``
(one row per pod visit), ``wh_time`` (robot-seconds per state, station seconds per
state, order-seconds in the warehouse, in 15-minute bins), ``wh_cells`` (seconds each
cell was occupied), ``wh_robots`` (per robot: distance, energy, failures, charges),
``wh_charges``, ``wh_events`` and, on request, ``wh_picks`` and ``wh_moves``.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from collections.abc import Generator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sim.core.env import SimEnv
from sim.core.hooks import ORDER_READY
from sim.core.records import (
    WH_CELL_COLUMNS,
    WH_CHARGE_COLUMNS,
    WH_EVENT_COLUMNS,
    WH_MOVE_COLUMNS,
    WH_ORDER_COLUMNS,
    WH_PICK_COLUMNS,
    WH_ROBOT_COLUMNS,
    WH_TIME_COLUMNS,
    WH_VISIT_COLUMNS,
)
from sim.core.sampling import sampler
from sim.demand.arrivals import arrival_times
from sim.demand.catalog import Basket, Catalog, mean_units
from sim.fulfillment.order import Order
from sim.routing.network import Place
from sim.scenario.errors import ScenarioError
from sim.scenario.schema import Scenario
from sim.scenario.warehouse import GeneratedLayout, WarehouseSpec
from sim.stores.supply import Lines
from sim.warehouse.grid import GridTraffic
from sim.warehouse.kinematics import Kinematics
from sim.warehouse.layout import KIND_NAMES, WALL, Layout, generate, read_map
from sim.warehouse.orders import (
    ONLINE,
    OPEN,
    PARCEL,
    PICKED,
    READY,
    REPLENISHMENT,
    Backlog,
    Line,
    WhOrder,
)
from sim.warehouse.paths import FAR, Paths, distance_field
from sim.warehouse.pods import NearestFree, Pod, StockView, build_pods, choose_pod_spots
from sim.warehouse.policies import (
    ORDER_STATION_POLICIES,
    POD_RETURN_POLICIES,
    POD_SELECTION_POLICIES,
    SEQUENCE_POLICIES,
    TASK_ALLOCATION_POLICIES,
)
from sim.warehouse.robots import (
    AT_STATION,
    BROKEN,
    CHARGING,
    HANDLING,
    IDLE,
    MOVING_EMPTY,
    MOVING_LOADED,
    QUEUEING,
    STATES,
    WAITING_FOR_CHARGER,
    IdleRobots,
    Robot,
    RobotClock,
)
from sim.warehouse.stations import (
    PICKING,
    STATION_IDLE,
    STATION_STATES,
    WAITING_FOR_POD,
    Station,
    Visit,
)
from sim.warehouse.timebins import TimeBins
from sim.warehouse.traffic import AbstractTraffic, Leg, Traffic

if TYPE_CHECKING:
    from sim.fleet.couriers import Fleet
    from sim.routing.dispatch import DispatchPolicy


def build_layout(spec: WarehouseSpec, rng: np.random.Generator, index: int) -> Layout:
    """The layout a warehouse spec describes, validated."""
    where = ("warehouses", index, "layout")
    if isinstance(spec.layout, GeneratedLayout):
        return generate(spec.layout, rng, where)
    return read_map(spec.layout, where)


class RobotWarehouse:
    """A goods-to-person robot warehouse (see the module docstring)."""

    kind = "warehouse"

    def __init__(self, env: SimEnv, scenario: Scenario, spec: WarehouseSpec, index: int,
                 place: Place, fleet: Fleet, catalog: Catalog,
                 layout: Layout | None = None) -> None:
        self.env, self.spec, self.name, self.place, self.fleet = env, spec, spec.name, place, fleet
        self.dispatch: DispatchPolicy | None = None
        self.where = ("warehouses", index)
        rspec = spec.robots
        layout_rng = env.streams(f"warehouse/{self.name}/layout")
        # a map layout comes read and checked (sim.referenced); a generated one is drawn here
        self.layout = lay = layout if layout is not None else build_layout(spec, layout_rng,
                                                                            index)
        self.kin = Kinematics(rspec.speed, rspec.acceleration, rspec.turn_time)
        self.grid = spec.traffic.mode == "grid"
        self.paths = Paths(lay) if self.grid else None
        self.stations = [Station(i, cells, spec.stations.order_slots,
                                 spec.stations.robots or 2 * len(cells.lane))
                         for i, cells in enumerate(lay.stations)]
        self._station_distances()
        # pods and robots on their spots
        n_spots = len(lay.spots)
        near = np.min(np.stack([np.asarray(self.to_station[s]) + np.asarray(self.from_station[s])
                                for s in range(len(self.stations))]), axis=0)
        spot_rank = np.argsort(near, kind="stable")
        pod_spots = choose_pod_spots(n_spots, lay.pods_at_start, lay.fill, layout_rng,
                                     (*self.where, "layout"))
        self.storage = build_pods(spec.pods, lay.spots, pod_spots, spot_rank,
                                  catalog.popularity, layout_rng, self.where)
        self._return_orders(spec)
        self.stock = StockView(self.storage, self._daily_demand(scenario, catalog))
        if rspec.count > n_spots:
            raise ScenarioError(f"{rspec.count} robots need as many storage spots to park "
                                f"on; the layout has {n_spots}",
                                (*self.where, "robots", "count"))
        self.robots = self._place_robots(rspec.count)
        # time accounting
        run = scenario.run
        self.robot_bins = TimeBins(run.start, run.stop, ["robots"], STATES)
        self.station_bins = TimeBins(run.start, run.stop,
                                     [f"station{s.index}" for s in self.stations],
                                     STATION_STATES)
        self.order_bins = TimeBins(run.start, run.stop, [self.name], ["in_system"])
        self.clock = RobotClock(self.robot_bins)
        for robot in self.robots:
            robot.since = robot.idle_since = env.now
        for st in self.stations:
            st.since = env.now
        self._in_system, self._level_since = 0, env.now
        # record tables
        rec = env.recorder
        self._t_visits = rec.table("wh_visits", WH_VISIT_COLUMNS)
        self._t_charges = rec.table("wh_charges", WH_CHARGE_COLUMNS)
        self._t_events = rec.table("wh_events", WH_EVENT_COLUMNS)
        self._t_picks = rec.table("wh_picks", WH_PICK_COLUMNS) if spec.record.picks else None
        moves = rec.table("wh_moves", WH_MOVE_COLUMNS) if (spec.record.moves and self.grid) \
            else None
        # traffic
        self.traffic: Traffic
        if self.grid:
            assert self.paths is not None
            tspec: Any = spec.traffic
            self.traffic = GridTraffic(env, self.name, lay, self.paths, self.kin, tspec.tick,
                                       self.clock, self.stations, self.robots, moves,
                                       self._t_events, tspec.stuck_limit, self._aside_spot,
                                       self._left_cell, self._staging_spot,
                                       tspec.stage_beyond)
        else:
            self.traffic = AbstractTraffic(env, lay, self.kin, self.clock, self.stations,
                                           self._left_cell)
        for robot in self.robots:
            self.traffic.place(robot)
        # policies
        pol = spec.policies
        self.sequence = SEQUENCE_POLICIES[pol.sequence.policy](env, pol.sequence, self)
        self.order_station = ORDER_STATION_POLICIES[pol.order_station.policy](
            env, pol.order_station, self)
        self.pod_selection = POD_SELECTION_POLICIES[pol.pod_selection.policy](
            env, pol.pod_selection, self)
        self.task_allocation = TASK_ALLOCATION_POLICIES[pol.task_allocation.policy](
            env, pol.task_allocation, self)
        self.pod_return = POD_RETURN_POLICIES[pol.pod_return.policy](env, pol.pod_return, self)
        # random quantities
        self._pick_time = [env.draws(f"warehouse/{self.name}/pick/{s.index}",
                                spec.stations.pick_time_per_item) for s in self.stations]
        self._pack = env.draws(f"warehouse/{self.name}/pack", spec.stations.pack_time)
        self._lead = env.draws(f"warehouse/{self.name}/lead_time", spec.replenishment.lead_time)
        self._faults = env.streams(f"warehouse/{self.name}/faults")
        bd = rspec.breakdowns
        self._repair = env.draws(f"warehouse/{self.name}/repair", bd.repair) if bd else None
        if bd is not None:
            for robot in self.robots:
                robot.fault_at = float(self._faults.exponential(bd.mtbf))
        self._battery_setup()
        # state
        self.orders: list[WhOrder] = []
        self.backlog = Backlog()
        self.idle = IdleRobots(lay.width, lay.height)
        for robot in self.robots:
            robot.available = True
            self.idle.add(robot)
        self._slots_open = sum(st.order_slots for st in self.stations)
        self._needy: set[int] = set()  # stations that may want a pod
        self._blocked: set[int] = set()  # stations that found none, until pods move
        self._in_dispatch = self._redo = False
        self._active: dict[int, Visit] = {}
        self.free_chargers = list(range(len(lay.chargers)))
        self._charger_queue: deque[tuple[Robot, simpy.Event]] = deque()
        self._charger_of: dict[int, int] = {}
        self._park_orders: dict[int, list[int]] = {}
        self._staging: NearestFree | None = None
        rec.on_finish(self._finish)
        if spec.parcels is not None:
            env.process(self._parcels(scenario, catalog))

    # ------------------------------------------------------------ set-up

    def _daily_demand(self, scenario: Scenario, catalog: Catalog) -> list[float]:
        """Expected units per SKU per day through this warehouse (for inventory-aware
        policies): its parcel orders and an equal share of the city's online orders."""
        online = scenario.demand.online
        per_day = online.orders_per_day * mean_units(online.basket) / max(
            1, len(scenario.stores) + len(scenario.warehouses))
        if self.spec.parcels is not None:
            per_day += self.spec.parcels.orders_per_day * mean_units(self.spec.parcels.basket)
        return (catalog.popularity * per_day).tolist()

    def _station_distances(self) -> None:
        """Moves from every spot into each station's lane and back (Manhattan in the
        abstract mode), as int arrays indexed by spot."""
        lay = self.layout
        spots = lay.spots
        if self.paths is None:
            xs = np.array([c % lay.width for c in spots])
            ys = np.array([c // lay.width for c in spots])
            self.to_station, self.from_station = [], []
            for st in lay.stations:
                px, py = st.pick % lay.width, st.pick // lay.width
                d = (np.abs(xs - px) + np.abs(ys - py)).astype(np.int32)
                self.to_station.append(array("i", d.tobytes()))
                self.from_station.append(array("i", d.tobytes()))
            return
        acc = np.full((len(spots), 4), lay.size, dtype=np.int64)
        for i, c in enumerate(spots):
            a = lay.access[c]
            acc[i, :len(a)] = a
        self.to_station, self.from_station = [], []
        for s in range(len(lay.stations)):
            for fields, out in ((self.paths.to_tail, self.to_station),
                                (self.paths.from_pick, self.from_station)):
                f = np.append(np.frombuffer(fields[s], dtype=np.int32), FAR)
                d = (f[acc].min(axis=1) + 1).astype(np.int32)
                out.append(array("i", d.tobytes()))

    def _return_orders(self, spec: WarehouseSpec) -> None:
        """Spots by distance from each station (nearest first), overall and per zone."""
        zones = np.asarray(self.storage.zone)
        n_zones = len(spec.pods.classes)
        self.return_order: list[np.ndarray] = []
        self.return_order_by_zone: list[list[np.ndarray]] = []
        for s in range(len(self.stations)):
            order = np.argsort(np.asarray(self.from_station[s]), kind="stable").astype(np.int32)
            self.return_order.append(order)
            self.return_order_by_zone.append([order[zones[order] == z] for z in range(n_zones)])

    def _place_robots(self, count: int) -> list[Robot]:
        """Robots start under pods spread evenly over the storage (then on empty spots)."""
        st = self.storage
        with_pod = [i for i in range(len(st.spot_cells)) if st.pod_at[i] is not None]
        empty = [i for i in range(len(st.spot_cells)) if st.pod_at[i] is None]
        chosen: list[int] = []
        for group in (with_pod, empty):
            k = min(count - len(chosen), len(group))
            if k > 0:
                step = len(group) / k
                chosen.extend(group[int(i * step)] for i in range(k))
        robots = []
        for i, spot in enumerate(chosen):
            r = Robot(i, f"{self.name}-r{i:03d}", st.spot_cells[spot])
            st.robot_at[spot] = r
            robots.append(r)
        return robots

    def _battery_setup(self) -> None:
        """Initial charge and the energy reserves that keep batteries above zero."""
        bat = self.spec.robots.battery
        self.battery = bat
        if bat is None:
            return
        lay = self.layout
        spots = lay.spots
        if self.paths is not None:
            worst = 0
            acc = np.full((len(spots), 4), lay.size, dtype=np.int64)
            for i, c in enumerate(spots):
                a = lay.access[c]
                acc[i, :len(a)] = a
            for ch in lay.chargers:
                f = np.append(np.frombuffer(distance_field(lay, list(lay.access[ch]), True),
                                            dtype=np.int32), FAR)
                worst = max(worst, int((f[acc].min(axis=1) + 1).max()))
            self.charger_worst = worst
        else:
            cells = np.asarray(spots)
            xs, ys = cells % lay.width, cells // lay.width
            self.charger_worst = max((int((np.abs(xs - c % lay.width)
                                           + np.abs(ys - c // lay.width)).max())
                                      for c in lay.chargers), default=0)
        margin = lay.width + lay.height  # a move aside to clear a deadlock, at worst
        # every robot starts with at least the energy to reach a charger from anywhere: one
        # that starts low then charges before its first task instead of running flat
        floor = bat.use_empty * (self.charger_worst + margin)
        draws = self.env.draws(f"warehouse/{self.name}/battery", bat.initial)
        for robot in self.robots:
            robot.energy = max(min(1.0, max(0.0, draws())) * bat.capacity, floor)
            robot.energy_min = robot.energy
        self.reserve_after = [
            bat.use_loaded * (max(self.from_station[s]) + margin)
            + bat.use_empty * (self.charger_worst + margin)
            for s in range(len(self.stations))
        ]
        worst = max(bat.use_empty * 2 * margin
                    + bat.use_loaded * (max(self.to_station[s]) + st.lane_cap)
                    + self.reserve_after[s] for s, st in enumerate(self.stations))
        if worst > bat.charge_to * bat.capacity:
            raise ScenarioError(
                f"a pod visit with the way to a charger can take {worst:.1f} Wh on this "
                f"layout, more than a charge of {bat.charge_to * bat.capacity:.1f} Wh",
                (*self.where, "robots", "battery", "capacity"))

    # ------------------------------------------------------------ the node

    def can_serve(self, basket: Basket) -> bool:
        """True when the warehouse has couriers and every unit of the basket available."""
        return bool(self.fleet.couriers) and self.stock.has(basket)

    def accept(self, order: Order) -> None:
        """Take an accepted online order: promise its units and queue it."""
        self.storage.reserve(order.basket)
        wo = WhOrder(self.env.next_id("wh_order"), ONLINE, self.env.now, order.due, order)
        self._enqueue(wo, order.basket)

    def ship(self, store: str, lines: Lines) -> simpy.Event:
        """Supplier: pick ``lines`` for ``store`` with the robots, then truck them there.

        The event succeeds with the ``(sku, units)`` delivered after packing and the lead
        time; units the warehouse does not have are not delivered (an empty delivery
        succeeds at once).
        """
        env = self.env
        event = env.event()
        merged: dict[int, int] = {}
        for sku, units in lines:
            if units > 0:
                merged[int(sku)] = merged.get(int(sku), 0) + int(units)
        av = self.storage.available
        got = tuple((sku, min(units, av[sku])) for sku, units in merged.items()
                    if 0 <= sku < len(av) and av[sku] > 0)
        if not got:
            event.succeed([])
            return event
        self.storage.reserve(got)
        wo = WhOrder(env.next_id("wh_order"), REPLENISHMENT, env.now,
                     env.now + self.spec.replenishment.due, store, event=event)
        self._enqueue(wo, got)
        return event

    def _parcels(self, scenario: Scenario, catalog: Catalog) -> Generator[Any, Any, None]:
        """SimPy process: the warehouse's own parcel orders (drawn up front)."""
        spec = self.spec.parcels
        assert spec is not None
        env = self.env
        rng = env.streams(f"demand/parcels/{self.name}")
        times = arrival_times(rng, spec.orders_per_day, spec.profile, scenario.run.start,
                              scenario.run.end)
        baskets = catalog.baskets(rng, len(times), sampler(spec.basket.lines),
                                  sampler(spec.basket.units_per_line))
        for t, basket in zip(times.tolist(), baskets, strict=True):
            if t > env.now:
                yield env.timeout(t - env.now)
            wo = WhOrder(env.next_id("wh_order"), PARCEL, env.now, env.now + spec.due)
            if self.storage.has(basket):
                self.storage.reserve(basket)
                self._enqueue(wo, basket)
            else:
                wo.status = "rejected"
                wo.lines = [Line(wo, i, sku, q, q) for i, (sku, q) in enumerate(basket)]
                wo.units = sum(q for _, q in basket)
                self.orders.append(wo)

    # ------------------------------------------------------------ orders

    def _enqueue(self, wo: WhOrder, lines: Sequence[tuple[int, int]]) -> None:
        wo.lines = [Line(wo, i, sku, q, q) for i, (sku, q) in enumerate(lines)]
        wo.lines_left = len(wo.lines)
        wo.units = sum(q for _, q in lines)
        self.orders.append(wo)
        self._level(+1)
        self.backlog.push(self.sequence.key(wo), wo)
        self._assign_orders()

    def _level(self, delta: int) -> None:
        now = self.env.now
        self.order_bins.add(0, 0, self._level_since, now, self._in_system)
        self._in_system += delta
        self._level_since = now

    def _assign_orders(self) -> None:
        """Give free station slots to backlog orders, then dispatch robots."""
        env = self.env
        while len(self.backlog) and self._slots_open > 0:
            free = [s for s in self.stations if s.open_orders < s.order_slots]
            wo = self.backlog.pop()
            st = self.order_station.choose(wo, free)
            wo.station, wo.assigned, wo.status = st.index, env.now, OPEN
            st.open_orders += 1
            self._slots_open -= 1
            st.open_units += wo.units
            st.waiting.extend(wo.lines)
            self._needy.add(st.index)
            self._blocked.discard(st.index)
            if st.state == STATION_IDLE:
                self._station_state(st, WAITING_FOR_POD)
        self._dispatch()

    def _station_state(self, st: Station, state: int) -> None:
        now = self.env.now
        self.station_bins.add(st.index, st.state, st.since, now)
        st.state, st.since = state, now

    # ------------------------------------------------------------ dispatching

    def pod_available(self, pod: Pod) -> bool:
        """True when ``pod`` stands in storage, uncommitted, not under a busy robot."""
        if pod.visit is not None or pod.spot < 0:
            return False
        r = self.storage.robot_at[pod.spot]
        return r is None or r.available

    def _changed(self) -> None:
        """Pods or robots moved: stations that found no pod look again."""
        if self._blocked:
            self._needy |= self._blocked
            self._blocked.clear()

    def _dispatch(self) -> None:
        """Start pod visits while stations want pods and robots are idle.

        Stations that may want a pod are in ``_needy``; the one whose oldest waiting line
        was assigned first goes first. A station for which no pod is available waits in
        ``_blocked`` until pods or robots move.
        """
        if self._in_dispatch:
            self._redo = True
            return
        self._in_dispatch = True
        stations = self.stations
        try:
            while self._needy and self.idle:
                self._redo = False
                progressed = False
                for _, i in sorted([(stations[i].waiting[0].order.assigned
                                     if stations[i].waiting else math.inf, i)
                                    for i in self._needy]):
                    st = stations[i]
                    if not st.waiting or len(st.incoming) >= st.max_robots:
                        self._needy.discard(i)
                        continue
                    if not self.idle:
                        break
                    pod = self.pod_selection.choose(st)
                    if pod is None:
                        self._needy.discard(i)
                        self._blocked.add(i)
                        continue
                    robot = self._robot_for(pod, st)
                    if robot is None:
                        continue
                    self._start_visit(robot, pod, st)
                    progressed = True
                if not progressed and not self._redo:
                    break
        finally:
            self._in_dispatch = False

    def _robot_for(self, pod: Pod, st: Station) -> Robot | None:
        """The robot to fetch ``pod`` (one parked under it must), eligible by battery."""
        forced = self.storage.robot_at[pod.spot]
        while True:
            robot = forced if forced is not None else self.task_allocation.choose(pod)
            if robot is None:
                return None
            if self._eligible(robot, pod, st):
                return robot
            bat = self.battery
            assert bat is not None
            if robot.energy >= bat.charge_to * bat.capacity - 1e-9:
                return None  # charging would not help: leave this pod for later
            self._start_charging(robot)
            if forced is not None:
                return None

    def _eligible(self, robot: Robot, pod: Pod, st: Station) -> bool:
        """True when the battery covers this visit and the way to a charger after it."""
        bat = self.battery
        if bat is None:
            return True
        cell = self.storage.spot_cells[pod.spot]
        fetch = 0 if robot.cell == cell else self.traffic_distance(robot, cell)
        need = (bat.use_empty * fetch
                + bat.use_loaded * (self.to_station[st.index][pod.spot] + st.lane_cap)
                + self.reserve_after[st.index])
        return robot.energy >= need

    def traffic_distance(self, robot: Robot, goal: int) -> int:
        """Metres of the trip from the robot's cell to ``goal``."""
        if self.paths is None:
            return self.layout.manhattan(robot.cell, goal)
        return len(self.paths.astar(robot.cell, goal, robot.heading)) - 1

    def _start_visit(self, robot: Robot, pod: Pod, st: Station) -> None:
        env = self.env
        self.idle.remove(robot)
        robot.available = False
        self.storage.robot_at[pod.spot] = robot
        visit = Visit(env.next_id(f"wh_visit/{self.name}"), robot, pod, st.index, [], env.now)
        pod.visit = visit
        self._claim(visit, st)
        st.incoming.append(visit)
        self._active[visit.id] = visit
        env.process(self._visit(visit))

    def _claim(self, visit: Visit, st: Station) -> None:
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

    # ------------------------------------------------------------ a pod visit

    def _visit(self, visit: Visit) -> Generator[Any, Any, None]:
        env, st = self.env, self.stations[visit.station]
        robot, pod = visit.robot, visit.pod
        rspec = self.spec.robots
        spot = pod.spot
        cell = self.storage.spot_cells[spot]
        if robot.cell != cell:
            self.clock.set(robot, MOVING_EMPTY, env.now)
            leg = yield from self.traffic.move(robot, cell)
            self._trip_done(robot, leg, visit, loaded=False, state=HANDLING)
            yield from self._after_leg(robot, leg)
        else:
            self.clock.set(robot, HANDLING, env.now)
        visit.at_pod = env.now
        if rspec.lift_time > 0:
            yield env.timeout(rspec.lift_time)
        self.storage.pod_at[spot] = None
        pod.spot = -1
        robot.pod = pod
        if self.pod_return.keeps_home:
            self.storage.incoming[spot] = True
        self.clock.set(robot, MOVING_LOADED, env.now)
        leg = yield from self.traffic.to_station(robot, st)
        self._trip_done(robot, leg, visit, loaded=True, state=QUEUEING)
        visit.at_station = env.now
        yield from self._after_leg(robot, leg)
        leg = yield from self.traffic.to_pick(robot, st)
        self._trip_done(robot, leg, visit, loaded=True, state=QUEUEING, clocked=True)
        self.clock.set(robot, AT_STATION, env.now)
        yield from self._pick(visit, st)
        goal = self.pod_return.choose(pod, st)
        self.storage.incoming[goal] = True
        self.storage.robot_at[goal] = robot
        self.clock.set(robot, MOVING_LOADED, env.now)
        leg = yield from self.traffic.leave_station(
            robot, st, self.storage.spot_cells[goal], lambda: self._left_station(st, visit))
        self._trip_done(robot, leg, visit, loaded=True, state=HANDLING)
        yield from self._after_leg(robot, leg)
        if rspec.set_down_time > 0:
            yield env.timeout(rspec.set_down_time)
        self.storage.pod_at[goal] = pod
        self.storage.incoming[goal] = False
        pod.spot, pod.visit, robot.pod = goal, None, None
        pod.claimed.clear()
        visit.returned = env.now
        self._write_visit(visit)
        self._changed()
        self._robot_done(robot)

    def _trip_done(self, robot: Robot, leg: Leg, visit: Visit | None, loaded: bool,
                   state: int, clocked: bool = False) -> None:
        """Account a finished trip: time, distance, energy."""
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

    def _after_leg(self, robot: Robot, leg: Leg) -> Generator[Any, Any, None]:
        """A robot whose driving time reached its next failure breaks down where it is."""
        if self._repair is None or robot.driven_s < robot.fault_at:
            return
        env = self.env
        state = robot.state
        self.clock.set(robot, BROKEN, env.now)
        start = env.now
        yield env.timeout(self._repair())
        robot.failures += 1
        x, y = self.layout.xy(robot.cell)
        self._t_events.append((self.name, start, robot.name, "failure",
                               f"at ({x}, {y}), repaired after {env.now - start:.1f} s"))
        bd = self.spec.robots.breakdowns
        assert bd is not None
        robot.fault_at = robot.driven_s + float(self._faults.exponential(bd.mtbf))
        self.clock.set(robot, state, env.now)

    def _pick(self, visit: Visit, st: Station) -> Generator[Any, Any, None]:
        """The picker takes the claimed units and any newer waiting lines the pod fills."""
        env = self.env
        self._claim(visit, st)  # pile-on: lines that arrived since the pod was chosen
        self._station_state(st, PICKING)
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
                    self._picked(order, st)
        visit.pick_end = env.now
        visit.units = units
        visit.lines = len(visit.claims)
        st.open_units -= units
        self._station_state(st, WAITING_FOR_POD if st.open_units > 0 else STATION_IDLE)
        self._assign_orders()

    def _left_station(self, st: Station, visit: Visit) -> None:
        """The robot has left the pick cell: the station has room for another visit."""
        st.incoming.remove(visit)
        if st.waiting:
            self._needy.add(st.index)
        self._dispatch()

    # ------------------------------------------------------------ finished orders

    def _picked(self, order: WhOrder, st: Station) -> None:
        env = self.env
        order.pick_end = env.now
        order.status = PICKED
        st.open_orders -= 1
        self._slots_open += 1
        pack = self._pack()
        if pack > 0:
            env.timeout(pack).callbacks.append(lambda _: self._ready(order))
        else:
            self._ready(order)

    def _ready(self, order: WhOrder) -> None:
        env = self.env
        order.ready = env.now
        order.status = READY
        self._level(-1)
        if order.channel == ONLINE:
            city = order.ref
            city.pick_start, city.pick_end, city.ready = order.pick_start, order.pick_end, env.now
            env.hooks.emit(ORDER_READY, city)
            if self.dispatch is not None:
                self.dispatch.order_ready(city)
        elif order.channel == REPLENISHMENT:
            delivered = [(line.sku, line.picked) for line in order.lines]
            env.timeout(self._lead()).callbacks.append(
                lambda _: order.event.succeed(delivered))

    # ------------------------------------------------------------ robots: idle, charging

    def _left_cell(self, robot: Robot, cell: int) -> None:
        """Traffic callback: ``robot`` has left ``cell`` (frees a spot it stood on)."""
        spot = self.storage.spot_of_cell.get(cell)
        if spot is not None and self.storage.robot_at[spot] is robot:
            self.storage.robot_at[spot] = None
            self.storage.check_free(spot)
            self._changed()
        k = self._charger_of.get(robot.id)
        if k is not None and self.layout.chargers[k] == cell:
            del self._charger_of[robot.id]
            self._release_charger(k)

    def _robot_done(self, robot: Robot) -> None:
        bat = self.battery
        if bat is not None and robot.energy < bat.recharge_below * bat.capacity:
            self._start_charging(robot)
            return
        self._become_idle(robot)

    def _become_idle(self, robot: Robot) -> None:
        now = self.env.now
        self.clock.set(robot, IDLE, now)
        robot.available = True
        robot.idle_since = now
        self.idle.add(robot)
        self._changed()
        self._dispatch()

    def _start_charging(self, robot: Robot) -> None:
        if robot.available:
            self.idle.remove(robot)
            robot.available = False
        self.clock.set(robot, WAITING_FOR_CHARGER, self.env.now)
        self.env.process(self._charge(robot))

    def _charge(self, robot: Robot) -> Generator[Any, Any, None]:
        env, lay, bat = self.env, self.layout, self.battery
        assert bat is not None
        requested = env.now
        if self.free_chargers:
            k = min(self.free_chargers, key=lambda i: (lay.manhattan(robot.cell,
                                                                     lay.chargers[i]), i))
            self.free_chargers.remove(k)
        else:
            ev = env.event()
            self._charger_queue.append((robot, ev))
            k = yield ev
        self._charger_of[robot.id] = k
        self.clock.set(robot, MOVING_EMPTY, env.now)
        leg = yield from self.traffic.move(robot, lay.chargers[k])
        self._trip_done(robot, leg, None, loaded=False, state=CHARGING)
        yield from self._after_leg(robot, leg)
        start, before = env.now, robot.energy
        target = bat.charge_to * bat.capacity
        if robot.energy < target:
            yield env.timeout((target - robot.energy) / bat.charge_power * 3600.0)
            robot.energy = target
        robot.charges += 1
        self._t_charges.append((self.name, robot.name, k, requested, start, env.now, before,
                                robot.energy))
        spot = self._park_spot(k)
        self.storage.robot_at[spot] = robot
        self.clock.set(robot, MOVING_EMPTY, env.now)
        leg = yield from self.traffic.move(robot, self.storage.spot_cells[spot])
        self._trip_done(robot, leg, None, loaded=False, state=IDLE)
        yield from self._after_leg(robot, leg)
        self._become_idle(robot)

    def _release_charger(self, k: int) -> None:
        if self._charger_queue:
            _robot, ev = self._charger_queue.popleft()
            ev.succeed(k)
        else:
            self.free_chargers.append(k)

    def _park_spot(self, charger: int) -> int:
        """The spot nearest the charger that no robot stands on or heads to, and that no
        pod is coming back to."""
        st = self.storage
        order = self._park_orders.get(charger)
        if order is None:
            lay = self.layout
            c = lay.chargers[charger]
            cells = np.asarray(st.spot_cells)
            d = np.abs(cells % lay.width - c % lay.width) + np.abs(cells // lay.width
                                                                   - c // lay.width)
            order = self._park_orders[charger] = np.argsort(d, kind="stable").tolist()
        robot_at, incoming = st.robot_at, st.incoming
        for i in order:
            if robot_at[i] is None and not incoming[i]:
                return int(i)
        raise RuntimeError(f"warehouse {self.name}: no storage spot to park on")

    def _staging_spot(self, robot: Robot, st: Station) -> int:
        """Grid callback: the free spot nearest the station for a robot to wait on while
        the station's lane is full (claimed), or -1 if none is nearer than the robot."""
        if self._staging is None:
            self._staging = NearestFree(self.storage, self.return_order)
        spot = self._staging.first(st.index)
        if spot < 0:
            return -1
        here = self.storage.spot_of_cell.get(robot.cell)
        if here is not None and self.to_station[st.index][here] <= self.to_station[st.index][spot]:
            return -1  # already as near as the nearest free spot
        self.storage.robot_at[spot] = robot
        return self.storage.spot_cells[spot]

    def _aside_spot(self, robot: Robot) -> int:
        """Grid callback: a free spot for a deadlocked robot to step aside to (claimed)."""
        st = self.storage
        best, best_d = -1, FAR
        for i, c in enumerate(st.spot_cells):
            if st.robot_at[i] is None and not st.incoming[i] and (
                    robot.pod is None or st.pod_at[i] is None):
                d = self.layout.manhattan(robot.cell, c)
                if d < best_d:
                    best, best_d = i, d
        if best < 0:
            return -1
        st.robot_at[best] = robot
        return st.spot_cells[best]

    # ------------------------------------------------------------ records

    def _write_visit(self, visit: Visit) -> None:
        self._active.pop(visit.id, None)
        r = visit.robot
        self._t_visits.append((
            self.name, visit.id, r.name, visit.pod.id, visit.station, visit.dispatched,
            visit.at_pod, visit.at_station, visit.pick_start, visit.pick_end, visit.returned,
            visit.lines, visit.units, visit.empty_m, visit.loaded_m, visit.free_s,
            visit.wait_s, visit.legs, r.energy if math.isfinite(r.energy) else math.nan))

    def _finish(self) -> None:
        """Close every open interval at the end of the run and write the tables."""
        env, rec = self.env, self.env.recorder
        now = env.now
        for robot in self.robots:
            self.clock.set(robot, robot.state, now)
        for st in self.stations:
            self._station_state(st, st.state)
        self._level(0)
        for visit in list(self._active.values()):
            self._write_visit(visit)
        t = rec.table("wh_time", WH_TIME_COLUMNS)
        t.rows.extend(self.robot_bins.rows(self.name, "robots"))
        t.rows.extend(self.station_bins.rows(self.name, "stations"))
        t.rows.extend(self.order_bins.rows(self.name, "orders"))
        rec.table("wh_orders", WH_ORDER_COLUMNS).rows.extend(
            o.row(self.name) for o in self.orders)
        occ = self.traffic.occupancy(now, self.robots)
        lay = self.layout
        cells = rec.table("wh_cells", WH_CELL_COLUMNS)
        for c in range(lay.size):
            if lay.kinds[c] != WALL:
                x, y = lay.xy(c)
                cells.append((self.name, x, y, KIND_NAMES[lay.kinds[c]], occ[c]))
        robots = rec.table("wh_robots", WH_ROBOT_COLUMNS)
        for r in self.robots:
            finite = math.isfinite(r.energy)
            robots.append((self.name, r.name, r.driven_m, r.driven_s,
                           r.energy if finite else math.nan,
                           r.energy_min if finite else math.nan, r.failures, r.charges))
