"""Hand-over and door times as distributions: drawn per trip and per order from the
fleet's own streams, planned on their means, ridden as drawn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.city.network import RoadNetwork
from sim.cli import main
from sim.core.env import SimEnv
from sim.demand.catalog import Basket
from sim.demand.order import Order
from sim.fleet.couriers import Fleet
from sim.scenario import Scenario
from sim.scenario.fleet import FleetSpec, VehicleSpec
from tests.conftest import SCENARIOS

DOOR = {"dist": "gamma", "mean": "2min", "sd": "1min"}
HANDOVER = {"dist": "lognormal", "mean": "1min", "sd": "30s"}


def random_bikes(env: SimEnv, network: RoadNetwork, capacity: int = 1) -> Fleet:
    """A store at the origin with one e-bike at 5 m/s, random hand-over and door times."""
    spec = FleetSpec(count=1, vehicle="bike", pickup_time=HANDOVER, dropoff_time=DOOR)
    return Fleet(env, "s", network.place(0, 0), [spec],
                 {"bike": VehicleSpec(speed="5m/s", capacity=capacity)}, network)


def test_draws_match_the_distribution_and_planners_use_the_mean(tiny: Scenario) -> None:
    """Over many trips the drawn door and hand-over times have the distribution's mean
    (within 1%) and CV (within 5%); the expected schedule uses the means."""
    network = RoadNetwork.grid(2000, 2000, 100)
    fleet = random_bikes(SimEnv(tiny), network)
    kind = fleet.types[0]
    assert (kind.pickup_time, kind.dropoff_time) == (60.0, 120.0)
    draws = [kind.service(2) for _ in range(30_000)]
    pickups = np.array([p for p, _ in draws])
    doors = np.array([d for _, ds in draws for d in ds])
    assert len(doors) == 60_000
    assert pickups.mean() == pytest.approx(60.0, rel=0.01)
    assert pickups.std() / pickups.mean() == pytest.approx(0.5, rel=0.05)
    assert doors.mean() == pytest.approx(120.0, rel=0.01)
    assert doors.std() / doors.mean() == pytest.approx(0.5, rel=0.05)
    o = Order(0, 0.0, network.place(1000, 500), Basket(()), 1)
    ride = 1500 / 5.0
    assert fleet.schedule(0.0, [o])[-1][0] == pytest.approx(60 + ride + 120 + ride)
    legs = fleet.schedule(0.0, [o], service=(10.0, [7.0]))
    assert legs[0][0] == pytest.approx(10 + ride) and legs[-1][0] == pytest.approx(
        10 + ride + 7 + ride)


def test_a_trip_delivers_at_the_drawn_times(tiny: Scenario) -> None:
    """A courier's deliveries and return follow the drawn hand-over and door times (the
    same draws a twin fleet on the same seed makes), not the means; the courier's
    ``free_at`` (what planners see) stays the expected time; the travel table records
    the expected and realised durations."""
    network = RoadNetwork.grid(2000, 2000, 100)
    env = SimEnv(tiny)
    fleet = random_bikes(env, network, capacity=2)
    pickup, (door0, door1) = random_bikes(SimEnv(tiny), network, capacity=2).types[0].service(2)
    stops = [Order(i, 0.0, network.place(x, y), Basket(()), 1)
             for i, (x, y) in enumerate([(500, 0), (500, 500)])]
    courier = fleet.idle()[0]
    start = env.now
    fleet.start_trip(courier, stops)
    assert courier.free_at == pytest.approx(start + 60 + 100 + 120 + 100 + 120 + 200)
    env.run()
    assert stops[0].delivered == pytest.approx(start + pickup + 100 + door0)
    assert stops[1].delivered == pytest.approx(stops[0].delivered + 100 + door1)
    travel = env.recorder.frames()["travel"]
    assert len(travel) == 1
    assert float(travel["expected_s"].iloc[0]) == pytest.approx(courier.free_at - start)
    assert float(travel["realised_s"].iloc[0]) == pytest.approx(
        stops[1].delivered + 200 - start)
    assert float(travel["realised_s"].iloc[0]) != pytest.approx(
        float(travel["expected_s"].iloc[0]))


def test_fixed_times_draw_nothing_and_write_no_travel_table(tiny: Scenario) -> None:
    """Fixed hand-over and door times (the default) take no stream and no travel table."""
    network = RoadNetwork.grid(2000, 2000, 100)
    env = SimEnv(tiny)
    fleet = Fleet(env, "s", network.place(0, 0), [FleetSpec(count=1, vehicle="bike")],
                  {"bike": VehicleSpec(speed="5m/s")}, network)
    kind = fleet.types[0]
    assert kind.pickups is None and kind.dropoffs is None and kind.service(3) is None
    assert "travel" not in env.recorder.frames()


def test_a_day_with_random_door_times_runs_and_records_plan_error(tmp_path: Path) -> None:
    """The default city's evening hour with random door and hand-over times: every trip
    has a travel row, the realised minus expected durations average out near zero, and
    a bare number for a door time is refused with exit 2."""
    short = ["--set", "run.start=17:00", "--set", "run.duration=1h", "--set",
             "run.warmup=10min", "--set", "run.drain=1h", "--no-plots", "--quiet"]
    out = tmp_path / "run"
    assert main(["run", str(SCENARIOS / "hema_city.yaml"), *short, "--out", str(out),
                 "--set", f"store_defaults.couriers.dropoff_time={DOOR}",
                 "--set", f"store_defaults.couriers.pickup_time={HANDOVER}"]) == 0
    travel = pd.read_csv(out / "travel.csv")
    trips = pd.read_csv(out / "trips.csv")
    assert len(travel) == len(trips) > 300
    error = travel["realised_s"] - travel["expected_s"]
    assert error.std() > 30.0
    assert abs(error.mean()) < 3 * error.std() / np.sqrt(len(error)) + 1.0
    bad = tmp_path / "bad"
    assert main(["run", str(SCENARIOS / "hema_city.yaml"), *short, "--out", str(bad),
                 "--set", "store_defaults.couriers.dropoff_time=90"]) == 2
    assert not bad.exists()
