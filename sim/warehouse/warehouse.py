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
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import simpy

from sim.calendar.roster import Roster
from sim.calendar.staff import StaffRecord, follow_roster
from sim.city.network import Place
from sim.core.env import SimEnv
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
from sim.core.timebins import TimeBins
from sim.demand.catalog import Basket, Catalog, mean_units
from sim.demand.order import Order
from sim.demand.parcels import parcel_orders
from sim.scenario.errors import ScenarioError
from sim.scenario.schema import Scenario
from sim.scenario.warehouse import GeneratedLayout, GridTrafficSpec, WarehouseSpec
from sim.stores.supply import Lines
from sim.warehouse.charging import ChargingBay
from sim.warehouse.distances import floor_distances
from sim.warehouse.driving import Driving
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
from sim.warehouse.paths import FAR, Paths
from sim.warehouse.pods import NearestFree, Pod, StockView, build_pods, choose_pod_spots
from sim.warehouse.policies import (
    ORDER_STATION_POLICIES,
    POD_RETURN_POLICIES,
    POD_SELECTION_POLICIES,
    SEQUENCE_POLICIES,
    TASK_ALLOCATION_POLICIES,
)
from sim.warehouse.robots import (
    BROKEN,
    IDLE,
    STATES,
    IdleRobots,
    Robot,
    RobotClock,
)
from sim.warehouse.stations import (
    STATION_IDLE,
    STATION_STATES,
    WAITING_FOR_POD,
    Station,
)
from sim.warehouse.traffic import AbstractTraffic, Traffic
from sim.warehouse.visits import PodVisits

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
    """A goods-to-person robot warehouse (see the module docstring).

    It coordinates the parts: orders in the backlog and at stations, robots dispatched
    to pods; the pod visit itself (:mod:`sim.warehouse.visits`), trip accounting and
    breakdowns (:mod:`sim.warehouse.driving`), batteries and chargers
    (:mod:`sim.warehouse.charging`), distances (:mod:`sim.warehouse.distances`) and
    robot movement (:mod:`sim.warehouse.traffic`, :mod:`sim.warehouse.grid`) are their
    own modules."""

    kind = "warehouse"

    def __init__(self, env: SimEnv, scenario: Scenario, spec: WarehouseSpec, index: int,
                 place: Place, fleet: Fleet, dispatch: DispatchPolicy, catalog: Catalog,
                 layout: Layout | None = None, pickers: Roster | None = None) -> None:
        self.env, self.spec, self.name, self.place, self.fleet = env, spec, spec.name, place, fleet
        self.dispatch = dispatch
        self.where = ("warehouses", index)
        rspec = spec.robots
        layout_rng = env.streams(f"warehouse/{self.name}/layout")
        # a map layout comes read and checked (sim.referenced); a generated one is drawn here
        self.layout = lay = layout if layout is not None else build_layout(spec, layout_rng,
                                                                            index)
        kin = Kinematics(rspec.speed, rspec.acceleration, rspec.turn_time)
        grid = spec.traffic if isinstance(spec.traffic, GridTrafficSpec) else None
        paths = Paths(lay) if grid is not None else None
        self.distances = floor_distances(lay, paths)
        self.stations = [Station(i, cells, spec.stations.order_slots,
                                 spec.stations.robots or 2 * len(cells.lane))
                         for i, cells in enumerate(lay.stations)]
        self.to_station, self.from_station = self.distances.to_and_from_stations()
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
        visits = rec.table("wh_visits", WH_VISIT_COLUMNS)
        charges = rec.table("wh_charges", WH_CHARGE_COLUMNS)
        events = rec.table("wh_events", WH_EVENT_COLUMNS)
        picks = rec.table("wh_picks", WH_PICK_COLUMNS) if spec.record.picks else None
        moves = rec.table("wh_moves", WH_MOVE_COLUMNS) if (spec.record.moves and grid) \
            else None
        # traffic
        self.traffic: Traffic
        if grid is not None and paths is not None:
            self.traffic = GridTraffic(env, self.name, lay, paths, kin, grid.tick,
                                       self.clock, self.stations, self.robots, moves,
                                       events, grid.stuck_limit, self._aside_spot,
                                       self._left_cell, self._staging_spot,
                                       grid.stage_beyond)
        else:
            self.traffic = AbstractTraffic(env, lay, kin, self.clock, self.stations,
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
        pod_return = POD_RETURN_POLICIES[pol.pod_return.policy](env, pol.pod_return, self)
        # random quantities
        pick_time = [env.draws(f"warehouse/{self.name}/pick/{s.index}",
                               spec.stations.pick_time_per_item) for s in self.stations]
        self._pack = env.draws(f"warehouse/{self.name}/pack", spec.stations.pack_time)
        self._lead = env.draws(f"warehouse/{self.name}/lead_time", spec.replenishment.lead_time)
        self.driving = Driving(env, self.name, lay, self.clock, rspec.battery,
                               rspec.breakdowns, events)
        self.driving.first_faults(self.robots)
        self.charging = (ChargingBay(env, self.name, rspec.battery, lay, self.distances,
                                     self.robots, self.stations, self.to_station,
                                     self.from_station, self.where)
                         if rspec.battery is not None else None)
        # state
        self.orders: list[WhOrder] = []
        self.backlog = Backlog()
        self.idle = IdleRobots(lay.width, lay.height)
        for robot in self.robots:
            robot.available = True
            self.idle.add(robot)
        self._slots_open = sum(st.order_slots for st in self.stations)
        self._station_pickers: StaffRecord | None = None
        # the station pickers' roster (None, or as many all day as stations: all staffed)
        if pickers is not None and (pickers.constant is None
                                    or pickers.constant < len(self.stations)):
            self._station_pickers = StaffRecord(env, self.name, "station_pickers", "", None)
            self._rostered = len(self.stations)
            now = follow_roster(env, pickers, scenario.run.stop, self.set_station_pickers)
            self.set_station_pickers(now)
        self._needy: set[int] = set()  # stations that may want a pod
        self._blocked: set[int] = set()  # stations that found none, until pods move
        self._in_dispatch = self._redo = False
        self._staging: NearestFree | None = None
        self._out_wanted = 0  # robots an outage wants out of service now
        self._out: list[Robot] = []  # robots out of service (state broken)
        self.visits = PodVisits(env, self.name, self, rspec, self.stations, self.storage,
                                self.traffic, self.driving, self.clock, pod_return,
                                pick_time, visits, picks)
        if self.charging is not None:
            self.charging.connect(self.traffic, self.driving, self.clock, self.storage,
                                  self.idle, charges, self._become_idle)
        rec.on_finish(self._finish)
        if spec.parcels is not None:
            env.process(parcel_orders(env, self.name, spec.parcels, scenario.run, catalog,
                                      self._parcel))

    # ------------------------------------------------------------ set-up

    def _daily_demand(self, scenario: Scenario, catalog: Catalog) -> list[float]:
        """Expected units per SKU per day through this warehouse (for inventory-aware
        policies): its parcel orders and an equal share of the city's online orders."""
        online = scenario.demand.online
        per_day = online.orders_per_day * mean_units(online.basket, catalog.size) / max(
            1, len(scenario.stores) + len(scenario.warehouses))
        if self.spec.parcels is not None:
            parcels = self.spec.parcels
            per_day += parcels.orders_per_day * mean_units(parcels.basket, catalog.size)
        return (catalog.popularity * per_day).tolist()

    def _return_orders(self, spec: WarehouseSpec) -> None:
        """Spots by distance from each station (nearest first), overall and per zone."""
        zones = np.asarray(self.storage.zone)
        n_zones = len(spec.pods.classes)
        self.return_order: list[npt.NDArray[np.int32]] = []
        self.return_order_by_zone: list[list[npt.NDArray[np.int32]]] = []
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

    # ------------------------------------------------------------ the node

    def can_serve(self, basket: Basket) -> bool:
        """True when the warehouse has couriers and every unit of the basket available."""
        return bool(self.fleet.couriers) and self.stock.has(basket)

    def give_up(self, order: Order) -> bool:
        """A customer's cancellation is not taken at a robot warehouse: the order stays
        in its station's flow (customer patience applies to store orders only)."""
        return False

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

    def _parcel(self, basket: Basket) -> None:
        """A parcel order arrives: queued if every unit is available, else rejected."""
        spec = self.spec.parcels
        assert spec is not None
        env = self.env
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
        self.assign_orders()

    def _level(self, delta: int) -> None:
        now = self.env.now
        self.order_bins.add(0, 0, self._level_since, now, self._in_system)
        self._in_system += delta
        self._level_since = now

    def assign_orders(self) -> None:
        """Give free station slots to backlog orders, then dispatch robots."""
        env = self.env
        while len(self.backlog) and self._slots_open > 0:
            free = [s for s in self.stations if s.taking_orders and s.open_orders < s.order_slots]
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
                self.station_state(st, WAITING_FOR_POD)
        self._dispatch()

    def set_station_pickers(self, n: int) -> None:
        """The roster now has ``n`` station pickers: stations ``0 .. n-1`` are staffed.
        A station losing its picker takes no new order; she leaves once its open orders
        are picked. A station gaining one takes orders at once."""
        self._rostered = n
        opened = False
        for st in self.stations:
            staff = st.index < n
            if staff == st.staffed:
                continue
            st.staffed = staff
            if not st.out:  # a station out of service (an outage) has no open slots
                free = st.order_slots - st.open_orders
                self._slots_open += free if staff else -free
            opened = opened or staff
        self._write_station_pickers()
        if opened:
            self.assign_orders()

    def _write_station_pickers(self) -> None:
        """A ``staffing`` row: pickers rostered, and on duty (staffed stations and those
        still picking their open orders)."""
        assert self._station_pickers is not None
        on_duty = sum(1 for st in self.stations if st.staffed or st.open_orders > 0)
        self._station_pickers.write(min(self._rostered, len(self.stations)), on_duty)

    def station_state(self, st: Station, state: int) -> None:
        """Close the station's current state interval and start ``state``."""
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

    def pods_moved(self) -> None:
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
                    self.idle.remove(robot)
                    robot.available = False
                    self.storage.robot_at[pod.spot] = robot
                    self.visits.start(robot, pod, st)
                    progressed = True
                if not progressed and not self._redo:
                    break
        finally:
            self._in_dispatch = False

    def _robot_for(self, pod: Pod, st: Station) -> Robot | None:
        """The robot to fetch ``pod`` (one parked under it must), eligible by battery."""
        forced = self.storage.robot_at[pod.spot]
        bay = self.charging
        while True:
            robot = forced if forced is not None else self.task_allocation.choose(pod)
            if robot is None or bay is None or bay.eligible(robot, pod.spot, st):
                return robot
            if bay.full(robot):
                return None  # charging would not help: leave this pod for later
            bay.start(robot)
            if forced is not None:
                return None

    # ------------------------------------------------------------ finished orders

    def order_picked(self, order: WhOrder, st: Station) -> None:
        """Every line of ``order`` is picked: it frees its station slot and is packed."""
        env = self.env
        order.pick_end = env.now
        order.status = PICKED
        st.open_orders -= 1
        if st.taking_orders:
            self._slots_open += 1
        elif not st.staffed and st.open_orders == 0 and self._station_pickers is not None:
            self._write_station_pickers()  # the last open order picked: the picker leaves
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
            assert isinstance(city, Order)  # an online order refers to its city order
            city.pick_start, city.pick_end, city.ready = order.pick_start, order.pick_end, env.now
            env.hooks.order_ready.emit(city)
            self.dispatch.order_ready(city)
        elif order.channel == REPLENISHMENT:
            delivered = [(line.sku, line.picked) for line in order.lines]
            event = order.event
            assert event is not None  # a replenishment carries the store's event
            env.timeout(self._lead()).callbacks.append(lambda _: self._deliver(event, delivered))

    @staticmethod
    def _deliver(event: simpy.Event, delivered: list[tuple[int, int]]) -> None:
        """A replenishment's goods reach the store."""
        event.succeed(delivered)

    # ------------------------------------------------------------ robots: where they stand

    def station_free(self, st: Station) -> None:
        """A robot has left the station's pick cell: the station may take another visit."""
        if st.waiting:
            self._needy.add(st.index)
        self._dispatch()

    def _left_cell(self, robot: Robot, cell: int) -> None:
        """Traffic callback: ``robot`` has left ``cell`` (frees a spot or a charger it
        stood on)."""
        spot = self.storage.spot_of_cell.get(cell)
        if spot is not None and self.storage.robot_at[spot] is robot:
            self.storage.robot_at[spot] = None
            self.storage.check_free(spot)
            self.pods_moved()
        if self.charging is not None:
            self.charging.left(robot, cell)

    def robot_done(self, robot: Robot) -> None:
        """A robot finished a visit: it charges if its battery is low, else it is idle."""
        if self.charging is not None and self.charging.low(robot):
            self.charging.start(robot)
            return
        self._become_idle(robot)

    def _become_idle(self, robot: Robot) -> None:
        now = self.env.now
        if self._out_wanted > len(self._out):  # an outage is waiting for this robot
            self._take_out(robot)
            return
        self.clock.set(robot, IDLE, now)
        robot.available = True
        robot.idle_since = now
        self.idle.add(robot)
        self.pods_moved()
        self._dispatch()

    # ------------------------------------------------------------ outages (calendar events)

    def sizes(self) -> tuple[int, int]:
        """(robots, stations) of the warehouse."""
        return len(self.robots), len(self.stations)

    def out_of_service(self, robots: int, stations: int) -> None:
        """Take ``robots`` more robots and ``stations`` more stations out of service, or
        bring them back (negative numbers).

        Idle robots go at once, robots at work when they next become idle; a robot out
        of service stays where it stands (its time counts as ``broken``; a pod it stands
        under waits for it). Stations go highest numbered first: they finish their open
        orders but get no new ones.
        """
        self._out_wanted += robots
        while self._out_wanted > len(self._out) and self.idle:
            robot = self.idle.first()
            assert robot is not None
            self.idle.remove(robot)
            self._take_out(robot)
        while len(self._out) > max(0, self._out_wanted):
            self._become_idle(self._out.pop())
        if stations > 0:
            for st in [s for s in reversed(self.stations) if not s.out][:stations]:
                st.out = True
                if st.staffed:  # an unstaffed station had no open slots already
                    self._slots_open -= st.order_slots - st.open_orders
        elif stations < 0:
            for st in [s for s in self.stations if s.out][:-stations]:
                st.out = False
                if st.staffed:
                    self._slots_open += st.order_slots - st.open_orders
        self.assign_orders()

    def _take_out(self, robot: Robot) -> None:
        robot.available = False
        self.clock.set(robot, BROKEN, self.env.now)
        self._out.append(robot)

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

    def _finish(self) -> None:
        """Close every open interval at the end of the run and write the tables."""
        env, rec = self.env, self.env.recorder
        now = env.now
        for robot in self.robots:
            self.clock.set(robot, robot.state, now)
        for st in self.stations:
            self.station_state(st, st.state)
        self._level(0)
        self.visits.finish()
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
