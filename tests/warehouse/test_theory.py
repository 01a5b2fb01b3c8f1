"""The warehouse against queueing theory: the station bound, saturation with robots,
Little's law, and M/M/1 waiting at a station."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from sim.metrics import MetricContext, compute_metrics
from sim.model import Model
from sim.scenario import Scenario, parse_scenario

# One station fed by 40 near-instant robots (1000 m/s, no lifting): pods reach the
# station when their order arrives (Poisson), each order is one unit of a distinct SKU
# (pile-on is negligible), and the picker takes an exponential 10 s per item: an M/M/1
# queue with lambda = 4320/day = 0.05/s, mu = 0.1/s, rho = 0.5, Wq = rho/(mu - lambda).
MM1 = """
name: mm1
seed: 1
run: {start: "00:00", duration: 24h, warmup: 1h, drain: 1h}
city: {width: 2km, height: 2km}
catalog: {skus: 5000, zipf_exponent: 0}
demand: {online: {orders_per_day: 0, profile: flat, basket: {lines: 1}}}
vehicles: {van: {speed: 30km/h}}
warehouses:
  - name: mm1
    location: [1km, 1km]
    traffic: abstract
    layout: {kind: generated, blocks: [5, 5], block: [5, 2], stations: 1,
             station_sides: [west], lane: 2, chargers: 0, fill: 1.0}
    robots: {count: 40, speed: 1000m/s, acceleration: 1000000, turn_time: 0,
             lift_time: 0, set_down_time: 0, battery: null}
    stations: {pick_time_per_item: {dist: exponential, mean: 10s}, order_slots: 1000,
               robots: 1000}
    pods: {skus_per_pod: 20, units_per_slot: 1000}
    couriers: {count: 0, vehicle: van}
    parcels: {orders_per_day: 4320, profile: flat, basket: {lines: 1, units_per_line: 1}}
"""
LAM, MU = 4320 / 86400, 1 / 10.0
WQ = (LAM / MU) / (MU - LAM)  # 10 s


def mm1_waits(seeds: range, hours: int = 24) -> tuple[list[float], float]:
    """Mean station wait per seed (visits picked after the first hour), and the share of
    visits that picked more than one item."""
    waits, multi = [], []
    for seed in seeds:
        sc = parse_scenario(MM1, "mm1.yaml", [f"run.duration={hours}h", f"seed={seed}"])
        v = Model(sc).run()["wh_visits"]
        v = v[(v["pick_start"] >= 3600) & (v["pick_start"] < hours * 3600)]
        waits.append(float((v["pick_start"] - v["at_station"]).mean()))
        multi.append(float((v["units"] > 1).mean()))
    return waits, max(multi)


def test_mm1_station_waiting() -> None:
    """Station waiting matches M/M/1 (Wq = 10 s) within 12%: four seed-days. Per seed-day
    the mean wait has a standard deviation of about 7.4% of Wq (measured over 8 seeds),
    so the mean of four has a standard error of about 3.7% and 12% is about 3 of them."""
    waits, multi = mm1_waits(range(4))
    assert multi < 0.01  # near enough one item per visit: exponential service
    assert np.mean(waits) == pytest.approx(WQ, rel=0.12)


@pytest.mark.slow
def test_mm1_station_waiting_long() -> None:
    """Station waiting matches M/M/1 within 5% over 24 seed-days (standard error ~1.5%)."""
    waits, multi = mm1_waits(range(100, 124))
    assert multi < 0.01
    se = np.std(waits, ddof=1) / math.sqrt(len(waits))
    assert se < 0.02 * WQ
    assert np.mean(waits) == pytest.approx(WQ, rel=0.05)


# A saturated single station: far more parcel orders than it can pick, 10 s per item.
SATURATED = [
    "warehouses[0].layout={kind: generated, blocks: [4, 3], block: [4, 2], stations: 1,"
    " station_sides: [west], lane: 4, chargers: 1}",
    "warehouses[0].stations={pick_time_per_item: 10s, order_slots: 12}",
    "warehouses[0].robots.battery=null",
    "warehouses[0].parcels.orders_per_day=50000", "warehouses[0].record={picks: false}",
    "run.duration=2h", "run.warmup=30min",
]


def items_per_station_hour(sc: Scenario) -> tuple[float, float]:
    """(items picked per station-hour, items per visit) in the measured window."""
    rec = Model(sc).run()
    m = compute_metrics(rec, MetricContext.of(sc))["warehouses"]["wh"]
    return m["items_per_station_hour"], m["pile_on"]["items_per_visit"]


def test_throughput_rises_with_robots_and_saturates(make_wh) -> None:
    """Abstract mode, one station at 10 s per item: throughput never exceeds 3600 / 10 =
    360 items per station-hour, rises with the robots, and with many robots levels off at
    the station's capacity: items per visit k over k x 10 s of picking plus the 1 m move
    of the next robot into the pick cell (2.83 s) per visit. (More robots bring pods
    sooner, so slightly fewer items each: the level drifts down with k, within 2%.)"""
    counts = [1, 2, 3, 8, 16, 24]
    curve = [items_per_station_hour(make_wh(*SATURATED, f"warehouses[0].robots.count={n}"))
             for n in counts]
    rates = [r for r, _ in curve]
    assert all(r <= 360 for r in rates)
    assert all(b >= a * 0.98 for a, b in itertools.pairwise(rates))
    assert rates[1] > 1.5 * rates[0] and rates[2] > 1.2 * rates[1]  # robots limit at first
    k = curve[-1][1]
    capacity = 3600 * k / (10 * k + 2 * math.sqrt(1 / 0.5))
    assert rates[-1] == pytest.approx(capacity, rel=0.03)
    assert rates[-2] == pytest.approx(rates[-1], rel=0.03)  # levelled off


@pytest.mark.parametrize("mode", ["abstract", "grid"])
def test_littles_law(make_wh, mode: str) -> None:
    """Orders in the warehouse: the time-average number L (from the model's order-seconds)
    equals arrival rate x mean time in the warehouse (from the order records) within 5%.
    The load keeps the warehouse stable (a growing backlog would make the window's edges
    dominate) yet busy enough that orders are in it at the window's edges."""
    sc = make_wh(f"warehouses[0].traffic={mode}", "run.duration=3h", "run.warmup=30min",
                 "warehouses[0].parcels.orders_per_day=3000", "warehouses[0].record={}")
    rec = Model(sc).run()
    law = compute_metrics(rec, MetricContext.of(sc))["warehouses"]["wh"]["littles_law"]
    assert law["L"] > 1 and law["censored"] == 0
    assert law["L"] == pytest.approx(law["lambda_W"], rel=0.05)


@pytest.mark.slow
def test_grid_throughput_rises_with_robots(make_wh) -> None:
    """Grid mode: throughput rises with robots and stays under the station bound (with
    enough robots, congestion may flatten or lower it)."""
    counts = [2, 4, 8, 16]
    rates = [items_per_station_hour(make_wh(*SATURATED, "warehouses[0].traffic=grid",
                                            f"warehouses[0].robots.count={n}"))[0]
             for n in counts]
    assert all(r <= 360 for r in rates)
    assert rates[1] > 1.5 * rates[0] and rates[2] > rates[1]
