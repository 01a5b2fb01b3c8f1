"""Riding times that vary: hourly congestion and per-leg noise (``city.travel``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calendar.events import Piecewise, hourly_windows
from sim.city.network import RoadNetwork
from sim.cli import main
from sim.core.env import SimEnv
from sim.demand.catalog import Basket
from sim.demand.order import Order
from sim.fleet.couriers import Fleet
from sim.scenario import Scenario
from sim.scenario.fleet import FleetSpec, VehicleSpec
from sim.scenario.schema import TravelSpec
from tests.conftest import SCENARIOS


def bikes(env: SimEnv, network: RoadNetwork, travel: TravelSpec) -> Fleet:
    """A store with one e-bike at 5 m/s (1 min pickup, 2 min drop-off)."""
    return Fleet(env, "s", network.place(0, 0), [FleetSpec(count=1, vehicle="bike")],
                 {"bike": VehicleSpec(speed="5m/s")}, network, travel=travel)


def test_leg_noise_has_mean_one_and_the_given_cv(tiny: Scenario) -> None:
    """Each leg's riding time times a lognormal draw: over many legs the mean realised
    time matches the free-flow time within 1% and its CV matches the scenario's within
    5%; the pickup and drop-off times are not noisy."""
    network = RoadNetwork.grid(2000, 2000, 100)
    env = SimEnv(tiny)
    cv = 0.3
    fleet = bikes(env, network, TravelSpec(noise_cv=cv))
    assert fleet._noise is not None
    o = Order(0, 0.0, network.place(1000, 500), Basket(()), 1)
    free = 1500 / 5.0
    legs = np.array([fleet.schedule(0.0, [o], noise=fleet._noise)[0][0] - 60.0
                     for _ in range(40_000)])
    assert legs.mean() == pytest.approx(free, rel=0.01)
    assert legs.std() / legs.mean() == pytest.approx(cv, rel=0.05)


def test_congestion_factor_of_each_hour() -> None:
    """Hourly congestion is a factor per clock hour, the same every day; a ride across an
    hour boundary rides each part at its hour's factor."""
    factors = [1.0] * 24
    factors[8] = 0.5
    speed = Piecewise(hourly_windows(factors, 0.0, 2 * 86400.0))
    assert speed.at(8.5 * 3600) == 0.5 and speed.at(86400 + 8.5 * 3600) == 0.5
    assert speed.at(9 * 3600) == 1.0
    # 20 min of free-flow riding from 08:50: 10 min at half speed covers 5 min of it,
    # the remaining 15 min after 09:00 at full speed
    assert speed.ride(8 * 3600 + 50 * 60, 20 * 60) == pytest.approx(25 * 60)


def test_travel_csv_only_when_varied(tmp_path: Path) -> None:
    """Without varying travel (no ``city.travel``, fixed hand-over and door times)
    nothing varies and no travel.csv is written; with it, every trip has a row whose
    free-flow, expected and realised durations are consistent, and the evening peak gets
    slower."""
    fixed = ["--set", "city.travel.noise_cv=0", "--set", f"city.travel.road_speed={[1] * 24}",
             "--set", "store_defaults.couriers.pickup_time=1min",
             "--set", "store_defaults.couriers.dropoff_time=3min"]
    short = ["--set", "run.start=17:00", "--set", "run.duration=1h", "--set",
             "run.warmup=10min", "--set", "run.drain=1h", "--no-plots", "--quiet", *fixed]
    base, varied = tmp_path / "base", tmp_path / "varied"
    assert main(["run", str(SCENARIOS / "hema_city.yaml"), *short, "--out", str(base)]) == 0
    peak = [1.0] * 17 + [0.7, 0.7] + [1.0] * 5
    assert main(["run", str(SCENARIOS / "hema_city.yaml"), *short, "--out", str(varied),
                 "--set", "city.travel.noise_cv=0.25",
                 "--set", f"city.travel.road_speed={peak}"]) == 0
    assert not (base / "travel.csv").exists()
    travel = pd.read_csv(varied / "travel.csv")
    trips = pd.read_csv(varied / "trips.csv")
    assert len(travel) == len(trips) > 500
    assert (travel["expected_s"] > travel["free_flow_s"]).all()  # every trip in the peak
    ratio = travel["realised_s"] / travel["expected_s"]
    assert ratio.mean() == pytest.approx(1.0, abs=0.02) and ratio.std() > 0.05
    slow = json.loads((varied / "metrics.json").read_text())["sla"]["click_to_door_min"]
    fast = json.loads((base / "metrics.json").read_text())["sla"]["click_to_door_min"]
    assert slow["mean"] > fast["mean"]
    assert "noise_cv: 0.0" in (base / "scenario.resolved.yaml").read_text()
