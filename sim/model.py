"""Build the model of a scenario and run it.

:class:`Model` wires the components together from a validated :class:`Scenario`: the
road network, the catalogue, the demand, the stores with their stock, pickers and
fleets, and the promise, assignment and dispatch policies chosen by name. Components are
built in dependency order and get their collaborators in their constructors: a node's
dispatch policy is built for its fleet before the node, and the stock-out handler before
the stores (it reaches the order flow, built last, through a link bound once the flow
exists; see :class:`~sim.fulfillment.stockout.DeskLink`). ``run`` plays the scenario out
and returns the record tables; nothing here computes metrics.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence

import numpy as np
import simpy

from sim.calendar.events import EventRuntime, NoShows, demand_factors, speed_factors
from sim.calendar.roster import Roster, RosterAdjuster, roster_for
from sim.city.network import RoadNetwork
from sim.core.env import SimEnv
from sim.core.progress import ProgressBar
from sim.core.recorder import Records
from sim.demand.catalog import Catalog, mean_units
from sim.demand.choice import CustomerChoice, CustomerPatience
from sim.demand.online import OnlineDemand
from sim.demand.walkins import WalkinDemand
from sim.fleet.couriers import Fleet
from sim.fulfillment.assignment import make_assignment
from sim.fulfillment.context import PolicyContext
from sim.fulfillment.flow import OrderFlow
from sim.fulfillment.node import FulfilmentNode
from sim.fulfillment.promise import make_promise
from sim.fulfillment.stockout import DeskLink, StockoutHandling
from sim.referenced import Referenced, load_network, load_referenced
from sim.routing.dispatch import DISPATCH_POLICIES, DispatchPolicy
from sim.scenario.calendar import RosterSpec
from sim.scenario.errors import ScenarioError
from sim.scenario.schema import Scenario, StoreSpec, WarehouseSpec
from sim.stores.inventory import ShelfStock, initial_levels, sku_classes
from sim.stores.replenishment import ReplenishmentPolicy, StockPlan, make_replenishment
from sim.stores.store import Store
from sim.stores.suppliers import make_supplier
from sim.stores.supply import Supplier
from sim.warehouse.warehouse import RobotWarehouse


def build_network(scenario: Scenario, referenced: Referenced | None = None) -> RoadNetwork:
    """The road network the scenario describes: a grid (connected by construction), or
    the GraphML network of ``referenced`` (loaded and checked here when not given)."""
    city, net = scenario.city, scenario.city.network
    if net.kind == "grid":
        return RoadNetwork.grid(city.width, city.height, net.block)
    network = referenced.network if referenced is not None else load_network(scenario)
    assert network is not None  # a GraphML scenario always loads its network
    return network


def online_share(scenario: Scenario, store: StoreSpec) -> float:
    """The share of the city's online orders expected near ``store``: by demand weight
    when customers cluster around stores, an equal share when they are uniform."""
    n = len(scenario.stores)
    if scenario.demand.online.customers.placement == "clustered":
        total = sum(s.demand_weight for s in scenario.stores)
        return store.demand_weight / total if total > 0 else 1 / n
    return 1 / n


def expected_daily_units(scenario: Scenario, store: StoreSpec,
                         share: float | None = None) -> float:
    """Units a store expects to sell per day over both channels (sizes initial stock).
    ``share`` is the store's share of online customers when known (a density's
    catchment), else :func:`online_share`."""
    online = scenario.demand.online
    skus = scenario.catalog.skus
    if share is None:
        share = online_share(scenario, store)
    units = online.orders_per_day * share * mean_units(online.basket, skus)
    walkin = scenario.demand.walkin
    if walkin is not None:
        units += store.walkins_per_day * mean_units(walkin.basket, skus)
    return units


def hourly_units(scenario: Scenario, store: StoreSpec,
                 share: float | None = None) -> list[float]:
    """Units a store expects to sell in each clock hour of the day, over both channels
    (the shape of its day; the sum is :func:`expected_daily_units`)."""
    online = scenario.demand.online
    w = online.profile
    total = sum(w)
    skus = scenario.catalog.skus
    if share is None:
        share = online_share(scenario, store)
    per_online = online.orders_per_day * share * mean_units(online.basket, skus)
    out = [per_online * x / total if total > 0 else 0.0 for x in w]
    walkin = scenario.demand.walkin
    if walkin is not None and sum(walkin.profile) > 0:
        per_walkin = store.walkins_per_day * mean_units(walkin.basket, skus)
        wt = sum(walkin.profile)
        out = [a + per_walkin * x / wt for a, x in zip(out, walkin.profile, strict=True)]
    return out


class Model:
    """A scenario's components wired together in one :class:`SimEnv`."""

    def __init__(self, scenario: Scenario, seed: int | None = None,
                 referenced: Referenced | None = None,
                 roster_adjusters: Sequence[RosterAdjuster] = ()) -> None:
        """``roster_adjusters`` change rosters before the stores, warehouses and fleets
        are built (the calendar's ``no_show`` event), in order."""
        self.scenario = scenario
        self.env = env = SimEnv(scenario, seed)
        self.roster_adjusters: list[RosterAdjuster] = list(roster_adjusters)
        # the files the scenario points to, read and checked once (as validate does)
        self.referenced = referenced if referenced is not None else load_referenced(scenario)
        self.network = build_network(scenario, self.referenced)
        self.catalog = Catalog(scenario.catalog)
        # calendar events: rate and speed factors, no-show absences (None without
        # events: nothing changes)
        self.demand_factors = demand_factors(scenario) if scenario.events else None
        self.speeds = speed_factors(scenario)  # congestion and weather (None: free flow)
        self.no_shows = NoShows(env, scenario) if scenario.events else None
        if self.no_shows is not None:
            self.roster_adjusters.append(self.no_shows.absent)
        self.online = OnlineDemand(env, scenario, self.catalog, self.network,
                                   self.referenced.density, self.demand_factors)
        geography = self.online.geography
        self.shares: dict[str, float] = {} if geography is None else dict(zip(
            (s.name for s in scenario.stores),
            geography.shares(np.array([s.location for s in scenario.stores],
                                      dtype=float).reshape(-1, 2)).tolist(), strict=True))
        self.walkins: list[WalkinDemand] = []
        self.class_names, self.sku_class = sku_classes(self.catalog.size,
                                                       scenario.catalog.classes)
        # the stock-out handler reaches the order flow through a link bound below
        self.desk = DeskLink()
        self.stockouts = StockoutHandling(env, scenario.stockout, self.desk)
        self.stores = [self._store(spec) for spec in scenario.stores]
        self.warehouses = [self._warehouse(i, spec) for i, spec in enumerate(scenario.warehouses)]
        self.nodes: list[FulfilmentNode] = [*self.stores, *self.warehouses]
        self.ctx = PolicyContext(env, scenario, self.network, self.nodes)
        self.promise = make_promise(self.ctx, scenario.promise)
        self.assignment = make_assignment(self.ctx, scenario.assignment)
        online = scenario.demand.online
        self.flow = OrderFlow(
            self.ctx, self.promise, self.assignment, self.stockouts,
            None if online.choice is None else CustomerChoice(env, online.choice,
                                                              len(self.online)),
            None if online.patience is None else CustomerPatience(env, online.patience,
                                                                  len(self.online)))
        self.desk.bind(self.flow)
        self.suppliers: dict[str, Supplier] = {
            name: make_supplier(env, name, spec) for name, spec in scenario.suppliers.items()}
        # nodes that also supply stores: the robot warehouses
        self.supplying_nodes: dict[str, Supplier] = {w.name: w for w in self.warehouses}
        self.replenishment = [self._replenishment(store) for store in self.stores]
        self.events = EventRuntime(env, scenario, self.ctx.closed,
                                   [node.fleet for node in self.nodes], self.warehouses,
                                   self.no_shows) if self.no_shows is not None else None

    def _dispatch(self, fleet: Fleet) -> DispatchPolicy:
        """The scenario's dispatch policy for ``fleet`` (built before its node)."""
        spec = self.scenario.dispatch
        policy: DispatchPolicy = DISPATCH_POLICIES[spec.policy](self.env, fleet, spec)
        return policy

    def _store(self, spec: StoreSpec) -> Store:
        env, sc = self.env, self.scenario
        place = self.network.place(*spec.location)
        units = expected_daily_units(sc, spec, self.shares.get(spec.name))
        levels = None if spec.stock.unlimited else initial_levels(
            units, self.catalog.popularity, spec.stock.cover_days, spec.stock.min_units)
        daily = units * self.catalog.popularity
        per_class = [spec.stock.protection.get(name, 0) for name in self.class_names]
        stock = ShelfStock(env, spec.name, levels, daily=daily.tolist(),
                           protection=[per_class[c] for c in self.sku_class.tolist()],
                           sku_class=self.sku_class.tolist(), class_names=self.class_names)
        stop = sc.run.stop
        fleet = Fleet(env, spec.name, place, spec.fleets, sc.vehicles, self.network,
                      [self.roster(spec.name, "couriers", f.count, f.vehicle)
                       for f in spec.fleets], stop, self.speeds, sc.city.travel,
                      payloads=self.online.payloads is not None)
        self.walkins.append(WalkinDemand(env, sc, spec, stock, self.catalog,
                                         self.demand_factors))
        return Store(env, spec, place, stock, fleet, self._dispatch(fleet), self.stockouts,
                     self.roster(spec.name, "pickers", spec.pickers), stop)

    def roster(self, node: str, resource: str, spec: RosterSpec,
               vehicle: str | None = None) -> Roster:
        """The roster of ``resource`` at ``node`` (``vehicle``: which fleet) over the run:
        as written, with the calendar's day types, then :attr:`roster_adjusters`."""
        roster = roster_for(self.scenario, node, resource, spec, vehicle)
        for adjust in self.roster_adjusters:
            roster = adjust(node, resource, vehicle, roster)
        return roster

    def supplier(self, name: str) -> Supplier:
        """The supplier called ``name``: a distribution centre or a supplying node."""
        supplier = self.suppliers.get(name)
        if supplier is None:
            supplier = self.supplying_nodes.get(name)
        if supplier is None:
            known = [*self.suppliers, *self.supplying_nodes]
            raise ScenarioError(f"unknown supplier '{name}'; suppliers: {', '.join(known)}",
                                ("suppliers",))
        return supplier

    def _replenishment(self, store: Store) -> ReplenishmentPolicy:
        plan = StockPlan(daily=np.asarray(store.stock.daily),  # as the store sized it
                         hourly=np.asarray(hourly_units(self.scenario, store.spec,
                                                        self.shares.get(store.name))))
        return make_replenishment(self.env, store.spec.replenishment, store.name, store.stock,
                                  self.supplier, plan)

    def _warehouse(self, index: int, spec: WarehouseSpec) -> RobotWarehouse:
        sc = self.scenario
        place = self.network.place(*spec.location)
        fleet = Fleet(self.env, spec.name, place, [spec.couriers], sc.vehicles, self.network,
                      [self.roster(spec.name, "couriers", spec.couriers.count,
                                   spec.couriers.vehicle)], sc.run.stop, self.speeds,
                      sc.city.travel, payloads=self.online.payloads is not None)
        pickers = spec.stations.pickers
        return RobotWarehouse(self.env, sc, spec, index, place, fleet, self._dispatch(fleet),
                              self.catalog, self.referenced.layouts.get(index),
                              None if pickers is None else
                              self.roster(spec.name, "station_pickers", pickers))

    def start(self) -> None:
        """Start the day's processes: replenishment reviews, online and walk-in demand
        (what :meth:`run` does before the clock runs; benchmarks that time ``env.run``
        alone call it themselves)."""
        env = self.env
        for policy in self.replenishment:
            policy.start()
        if self.events is not None:
            self.events.start()
        env.process(self.online.process(self.flow.submit))
        for walkin in self.walkins:
            env.process(walkin.process())

    def run(self, progress: ProgressBar | None = None) -> Records:
        """Play the scenario out to ``run.stop`` and return the record tables."""
        env, run = self.env, self.scenario.run
        self.start()
        if progress is not None:
            env.process(self._tick(progress))
        env.run(until=run.stop)
        if progress is not None:
            progress.update(progress.total)
            progress.close()
        return env.recorder.frames()

    def _tick(self, bar: ProgressBar) -> Generator[simpy.Event, object, None]:
        start, step = self.env.now, max(60.0, self.scenario.run.duration / 200)
        while True:
            yield self.env.timeout(step)
            bar.update(round((self.env.now - start) / 3600, 1), "simulated")
