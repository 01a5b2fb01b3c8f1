"""Fleets of several vehicle types: how couriers move, what they can carry, and how a
trip is scheduled and recorded."""

from __future__ import annotations

import math
from collections.abc import Callable, Generator

import numpy as np
import pandas as pd
import pytest
import simpy

from sim.city.network import RoadNetwork
from sim.core.env import SimEnv
from sim.demand.catalog import Basket
from sim.demand.order import Order
from sim.fleet.couriers import Fleet
from sim.fleet.vehicles import FlightMover, RoadMover
from sim.scenario import Scenario, ScenarioError
from sim.scenario.fleet import FleetSpec, VehicleSpec


@pytest.fixture
def network() -> RoadNetwork:
    """A 2 km x 2 km grid with 100 m blocks."""
    return RoadNetwork.grid(2000, 2000, 100)


def order(network: RoadNetwork, i: int, x: float, y: float) -> Order:
    """An order at (x, y)."""
    return Order(i, 0.0, network.place(x, y), Basket(()), 1)


def test_road_matrices_match_travel(network: RoadNetwork) -> None:
    """The planners' road matrices are exactly the fleet's travel times and distances."""
    places = [network.place(x, y) for x, y in
              [(1000, 1000), (130, 1720), (1980, 40), (1010, 1040), (1000, 1000)]]
    mover = RoadMover(network, 5.0)
    secs, metres = mover.matrices(places)
    for i, a in enumerate(places):
        for j, b in enumerate(places):
            assert (secs[i, j], metres[i, j]) == mover.travel(a, b)


def test_flight_is_straight(network: RoadNetwork) -> None:
    """A drone flies the straight line between the points, not between road nodes."""
    a, b = network.place(0, 0), network.place(300, 430)
    mover = FlightMover(15.0)
    assert mover.travel(a, b) == (math.hypot(300, 430) / 15.0, math.hypot(300, 430))
    secs, metres = mover.matrices([a, b])
    assert metres[0, 1] == math.hypot(300, 430) and secs[1, 0] == secs[0, 1]


def fleet(env: SimEnv, network: RoadNetwork) -> Fleet:
    """A store with 2 e-bikes (capacity 3) and 2 drones (2.5 km range, 4 min swap)."""
    bike = VehicleSpec(speed="5m/s", capacity=3)
    drone = VehicleSpec(speed="15m/s", kind="drone", max_range="2500m", swap_time="4min")
    return Fleet(env, "s", network.place(1000, 1000),
                 [FleetSpec(count=2, vehicle="bike"),
                  FleetSpec(count=2, vehicle="drone", pickup_time="30s", dropoff_time="20s")],
                 {"bike": bike, "drone": drone}, network)


def test_fleets_and_couriers(tiny: Scenario, network: RoadNetwork) -> None:
    """Couriers are numbered across fleets and each fleet is a row of ``fleets``."""
    env = SimEnv(tiny)
    f = fleet(env, network)
    assert [c.name for c in f.couriers] == ["s-c000", "s-c001", "s-c002", "s-c003"]
    assert [c.vehicle for c in f.couriers] == ["bike", "bike", "drone", "drone"]
    rows = env.recorder.frames()["fleets"]
    assert rows[["vehicle", "kind", "couriers"]].values.tolist() == [
        ["bike", "road", 2], ["drone", "drone", 2]]


def test_drone_trip(tiny: Scenario, network: RoadNetwork) -> None:
    """A drone's trip: its own hand-over and drop-off times, a straight flight, a battery
    swap before it is free again; out of range it cannot go."""
    env = SimEnv(tiny)
    f = fleet(env, network)
    drone = f.couriers[2]
    near, far = order(network, 1, 1600, 1800), order(network, 2, 2000, 2000)
    assert f.can_carry(drone, [near]) and not f.can_carry(drone, [far])
    assert not f.can_carry(drone, [near, near])  # one order per flight
    legs = f.schedule(env.now, [near], drone)
    flight = 1000.0 / 15.0  # 600 x 800 m: 1 km straight
    assert legs[0][0] == pytest.approx(env.now + 30 + flight)
    assert legs[1][0] == pytest.approx(env.now + 30 + 2 * flight + 20)
    f.start_trip(drone, [near])
    assert drone.free_at == pytest.approx(legs[1][0] + 240)
    with pytest.raises(RuntimeError, match="range"):
        f.start_trip(f.couriers[3], [far])
    env.run(until=env.now + 3600)
    trip = env.recorder.frames()["trips"].iloc[0]
    assert trip["end"] == pytest.approx(legs[1][0]) and trip["distance_m"] == 2000.0
    states = env.recorder.frames()["states"]
    free = states[(states["resource"] == "couriers") & (states["busy"] == 0)]
    assert free["time"].max() == pytest.approx(legs[1][0] + 240)


def test_bike_schedule_unchanged(tiny: Scenario, network: RoadNetwork) -> None:
    """Without a courier, ``schedule`` plans a courier of the first fleet, on the roads."""
    env = SimEnv(tiny)
    f = fleet(env, network)
    o = order(network, 1, 1300, 1400)
    legs = f.schedule(0.0, [o])
    assert legs[0] == (60.0 + 700 / 5.0, 700.0)
    assert legs[1] == (60.0 + 1400 / 5.0 + 120.0, 700.0)
    assert np.isinf(f.type_of(f.couriers[0]).max_range)


def test_couriers_one_or_many(make_scenario: Callable[..., Scenario]) -> None:
    """A store's couriers are one fleet (as before) or a list of fleets."""
    one = make_scenario()
    assert [f.vehicle for f in one.stores[0].fleets] == ["ebike"]
    many = make_scenario("vehicles.drone={speed: 60km/h, kind: drone}",
                         "stores[1].couriers=[{count: 2, vehicle: ebike}, "
                         "{count: 1, vehicle: drone}]")
    assert [(f.vehicle, f.count) for f in many.stores[1].fleets] == [("ebike", 2), ("drone", 1)]


@pytest.mark.parametrize(("override", "message"), [
    ("vehicles.drone={speed: 60km/h, kind: drone, capacity: 2}",
     "vehicles.drone.capacity: a drone carries one order per flight"),
    ("stores[0].couriers=[{count: 1, vehicle: ebike}, {count: 1, vehicle: drne}]",
     "stores[0].couriers[1].vehicle: unknown vehicle 'drne'"),
    ("stores[0].couriers=[]", "stores[0].couriers: must have at least 1 items"),
    ("stores[0].couriers=4", "stores[0].couriers: must be a fleet (a mapping) or a list"),
    ("vehicles.ebike.kind=boat", "vehicles.ebike.kind: must be one of 'road' or 'drone'"),
    ("vehicles.ebike.max_range=-1km", "vehicles.ebike.max_range: must be > 0"),
])
def test_bad_vehicles_are_named(make_scenario: Callable[..., Scenario], override: str,
                                message: str) -> None:
    """Bad vehicle or fleet input fails with one line naming the field."""
    with pytest.raises(ScenarioError) as err:
        make_scenario(override)
    assert message in str(err.value)


def test_trips_under_way_at_the_stop_are_recorded(
        make_scenario: Callable[..., Scenario]) -> None:
    """A run that stops with couriers out still writes their trips (issue 18 item 10):
    every trip an order names is in ``trips``, the unfinished ones marked ``under_way``
    with no end and their planned distance, and the routing metrics count them."""
    from sim.runner import run

    result = run(make_scenario("run.duration=30min", "run.warmup=5min", "run.drain=0s"))
    orders, trips = result.records["orders"], result.records["trips"]
    named = set(orders["trip"].dropna().astype(int))
    assert named and named <= set(trips["trip_id"].astype(int))
    assert trips["trip_id"].is_unique
    out = trips[trips["status"] == "under_way"]
    assert len(out) > 0 and out["end"].isna().all()
    assert (out["distance_m"] > 0).all()
    riding = orders[orders["trip"].isin(out["trip_id"])]
    assert riding["delivered"].isna().any()  # some still on the way to their customers
    last = riding.astype({"trip": int}).groupby("trip")["delivered"].max(skipna=False)
    pd.testing.assert_series_equal(out.set_index("trip_id")["last_delivery"].sort_index(),
                                   last.sort_index(), check_names=False)
    done = trips[trips["status"] == "finished"]
    assert done["end"].notna().all()
    start, end = result.scenario.run.measured
    measured = trips[(trips["start"] >= start) & (trips["start"] < end)]
    routing = result.metrics["routing"]
    assert routing["trips"] == len(measured)
    assert routing["trips_under_way"] == int(measured["end"].isna().sum()) > 0
    assert routing["km"] == pytest.approx(measured["distance_m"].sum() / 1000)


def _per_stage(start: float, legs: list[tuple[float, float]], dropoff: float, swap: float
               ) -> tuple[list[float], float, float, int]:
    """A trip with one SimPy timeout per stage (to each door, each drop-off, back home,
    the swap), as the fleet once ran it: (delivery times, back, free, timeouts)."""
    env = simpy.Environment(initial_time=start)
    out: list[float] = []
    ends: list[float] = []

    def ride() -> Generator[simpy.Event, None, None]:
        for arrive, _ in legs[:-1]:
            yield env.timeout(max(0.0, arrive - env.now))
            yield env.timeout(dropoff)
            out.append(env.now)
        yield env.timeout(max(0.0, legs[-1][0] - env.now))
        ends.append(env.now)
        if swap > 0:
            yield env.timeout(swap)
        ends.append(env.now)

    env.process(ride())
    env.run()
    return out, ends[0], ends[1], 2 * (len(legs) - 1) + 1 + (swap > 0)


@pytest.mark.parametrize("start", [0.0, 0.1, 3.3, 17.123456789, 1000.07, 36000.0,
                                   61234.56789])
def test_trip_times_exact_with_fewer_events(make_scenario: Callable[..., Scenario],
                                            network: RoadNetwork, start: float,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A trip takes one timeout per delivery and one to be free again, and its delivery,
    return and free times are bit for bit those of a timeout per stage (to the door, the
    drop-off, back, the swap), also at clock values where one addition would round
    differently (small start times: then the stages stay separate timeouts)."""
    env = SimEnv(make_scenario("run.start=00:00"))
    if start > 0:
        env.run(until=start)
    f = fleet(env, network)
    timeouts = 0
    plain = env.timeout

    def counted(delay: float) -> simpy.Timeout:
        nonlocal timeouts
        timeouts += 1
        return plain(delay)

    monkeypatch.setattr(env, "timeout", counted)
    bike, drone = f.couriers[0], f.couriers[2]
    bike_stops = [order(network, 1, 1370.3, 1810.9), order(network, 2, 1900.1, 610.7),
                  order(network, 3, 230.9, 1310.2)]
    drone_stops = [order(network, 4, 1650.5, 1777.7)]
    bike_legs = f.schedule(env.now, bike_stops, bike)
    drone_legs = f.schedule(env.now, drone_stops, drone)
    f.start_trip(bike, bike_stops)
    f.start_trip(drone, drone_stops)
    env.run()
    trips = env.recorder.frames()["trips"].set_index("courier")
    free = {c.name: c.idle_since for c in f.couriers}
    staged = 0
    for courier, stops, legs in ((bike, bike_stops, bike_legs),
                                 (drone, drone_stops, drone_legs)):
        kind = f.type_of(courier)
        delivered, back, free_at, n = _per_stage(start, legs, kind.dropoff_time,
                                                 kind.swap_time)
        assert [o.delivered for o in stops] == delivered
        assert trips.loc[courier.name, "end"] == back
        assert free[courier.name] == free_at
        staged += n
    assert timeouts <= staged - 3  # the arrivals at the doors and the swap take none
    if start >= 1000:  # late enough that one addition is exact: two fewer for the bike
        assert timeouts == len(bike_stops) + 1 + 2
