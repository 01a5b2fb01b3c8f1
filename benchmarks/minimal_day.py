#!/usr/bin/env python3
"""The simulation core against a minimal hand-written SimPy model of the same store day.

The yardstick is :func:`minimal_day`: one store of ``scenarios/hema_city.yaml`` written
as plainly as SimPy allows: non-homogeneous Poisson orders with the scenario's hourly
profile and daily count, customers clustered around the store (orders beyond the promise
radius turned away), baskets of the scenario's lines and units, a first-come first-served
pool of pickers (per-order and per-unit pick time, then packing), and couriers taking one
order per trip at constant speed along the grid's streets (hand-over, ride, drop-off,
ride back). It records nothing but each order's delivery time. Its counts and time
distributions are the scenario's, so it does the same work per order that the simulator
must do at the least.

The simulator runs the same day (:data:`ONE_STORE`: the scenario cut to its centre store,
4,000 orders a day, no walk-in shoppers, unlimited stock, no replenishment). Only
``env.run`` is timed in both (CPU seconds, ``time.process_time``, best of ``--repeat``
runs, the two models alternating so machine load hits both alike); building the model,
drawing the demand up front and computing metrics are outside. Printed: orders,
accepted orders, SimPy events scheduled per accepted order, CPU microseconds per
accepted order, and the ratio simulator / minimal (the issue's target: at most 1.3).

    python benchmarks/minimal_day.py [--repeat K] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import simpy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.model import Model
from sim.scenario import read_scenario

SCENARIO = "scenarios/hema_city.yaml"
ONE_STORE = [
    "stores=[{name: centre, location: [4km, 4km]}]",
    "demand.online.orders_per_day=4000",
    "demand.walkin=null",
    "store_defaults.walkins_per_day=0",
    "store_defaults.replenishment={policy: none}",
    "store_defaults.stock.unlimited=true",
]
"""Overrides that cut the default city to the one-store day both models simulate."""


@dataclass(frozen=True)
class Day:
    """The store day both models simulate, in seconds, metres and metres per second."""

    orders_per_day: float
    profile: tuple[float, ...]
    start: float
    end: float
    stop: float
    store: tuple[float, float]
    spread: float
    radius: float
    block: float
    city: tuple[float, float]
    lines_mean: float
    lines_sd: float
    units: tuple[int, ...]
    units_weights: tuple[float, ...]
    pickers: int
    pick_order: tuple[float, float]  # gamma mean, sd
    pick_item: tuple[float, float]  # lognormal mean, sd
    pack: tuple[float, float]  # gamma mean, sd
    couriers: int
    speed: float
    pickup: float
    dropoff: float


def day_of(overrides: list[str]) -> Day:
    """The day's figures, read from the scenario as the simulator resolves it."""
    sc = read_scenario(SCENARIO, overrides)
    store, online = sc.stores[0], sc.demand.online
    fleet = store.fleets[0]
    units_dist = online.basket.units_per_line
    return Day(
        orders_per_day=online.orders_per_day, profile=tuple(online.profile),
        start=sc.run.start, end=sc.run.end, stop=sc.run.stop, store=store.location,
        spread=online.customers.spread, radius=sc.promise.radius,
        block=sc.city.network.block, city=(sc.city.width, sc.city.height),
        lines_mean=online.basket.lines.mean, lines_sd=online.basket.lines.sd,
        units=tuple(int(v) for v in units_dist.values),
        units_weights=tuple(units_dist.weights),
        pickers=store.pickers,
        pick_order=(store.pick_time_per_order.mean, store.pick_time_per_order.sd),
        pick_item=(store.pick_time_per_item.mean, store.pick_time_per_item.sd),
        pack=(store.pack_time.mean, store.pack_time.sd),
        couriers=fleet.count, speed=sc.vehicles[fleet.vehicle].speed,
        pickup=fleet.pickup_time, dropoff=fleet.dropoff_time)


def _gamma(rng: np.random.Generator, mean: float, sd: float, n: int) -> np.ndarray:
    shape = (mean / sd) ** 2
    return rng.gamma(shape, mean / shape, n)


def _lognormal(rng: np.random.Generator, mean: float, sd: float, n: int) -> np.ndarray:
    s2 = np.log1p((sd / mean) ** 2)
    return rng.lognormal(np.log(mean) - s2 / 2, np.sqrt(s2), n)


@dataclass
class Demand:
    """The day's orders drawn up front: times, ride seconds and metres, service times."""

    times: list[float]
    ride: list[float]  # one way, store to door, seconds
    pick: list[float]  # per-order plus per-unit picking, seconds
    pack: list[float]

    def __len__(self) -> int:
        return len(self.times)


def draw(day: Day, seed: int) -> Demand:
    """The day's accepted orders (those within the radius), in arrival order."""
    rng = np.random.default_rng(seed)
    w = np.asarray(day.profile, dtype=float)
    means = day.orders_per_day * w / w.sum()
    chunks = []
    hour = 3600.0
    for h in range(int(day.start // hour), int(np.ceil(day.end / hour))):
        n = int(rng.poisson(means[h % 24]))
        chunks.append(np.sort(rng.uniform(h * hour, (h + 1) * hour, n)))
    times = np.concatenate(chunks)
    n = len(times)
    xy = np.asarray(day.store) + rng.normal(0.0, day.spread, (n, 2))
    xy = np.clip(xy, 0.0, np.asarray(day.city))
    dx, dy = xy[:, 0] - day.store[0], xy[:, 1] - day.store[1]
    keep = np.hypot(dx, dy) <= day.radius
    # along the grid's streets: Manhattan metres between the snapped grid nodes
    street = (np.abs(np.round(xy[:, 0] / day.block) - round(day.store[0] / day.block))
              + np.abs(np.round(xy[:, 1] / day.block) - round(day.store[1] / day.block))
              ) * day.block
    s2 = np.log1p((day.lines_sd / day.lines_mean) ** 2)
    lines = np.maximum(1, np.round(rng.lognormal(np.log(day.lines_mean) - s2 / 2,
                                                 np.sqrt(s2), n))).astype(int)
    p = np.asarray(day.units_weights, dtype=float)
    units = np.array([int(rng.choice(day.units, size=k, p=p / p.sum()).sum())
                      for k in lines.tolist()])
    per_item = _lognormal(rng, *day.pick_item, int(units.sum()))
    ends = np.cumsum(units)
    item_sums = np.add.reduceat(per_item, ends - units) if n else np.empty(0)
    pick = _gamma(rng, *day.pick_order, n) + item_sums
    pack = _gamma(rng, *day.pack, n)
    return Demand(times[keep].tolist(), (street[keep] / day.speed).tolist(),
                  pick[keep].tolist(), pack[keep].tolist())


def minimal_day(day: Day, demand: Demand) -> tuple[simpy.Environment, Callable[[], None],
                                                   list[float]]:
    """The minimal model, ready to run: (environment, run function, delivery times)."""
    env = simpy.Environment(initial_time=day.start)
    pickers = simpy.Resource(env, capacity=day.pickers)
    couriers = simpy.Resource(env, capacity=day.couriers)
    delivered = [float("nan")] * len(demand)

    def order(i: int) -> Generator[Any, Any, None]:
        with pickers.request() as req:
            yield req
            yield env.timeout(demand.pick[i])
            yield env.timeout(demand.pack[i])
        with couriers.request() as req:
            yield req
            ride = demand.ride[i]
            yield env.timeout(day.pickup + ride + day.dropoff)
            delivered[i] = env.now
            yield env.timeout(ride)

    def arrivals() -> Iterator[Any]:
        for i, t in enumerate(demand.times):
            yield env.timeout(t - env.now)
            env.process(order(i))

    env.process(arrivals())
    return env, lambda: env.run(until=day.stop), delivered


def _events(env: simpy.Environment) -> int:
    """Events the environment has scheduled so far (SimPy numbers them from 0)."""
    counter = env._eid  # SimPy's event counter: the only exact count
    n = next(counter)
    return int(n)


def time_minimal(day: Day, demand: Demand) -> tuple[float, int, int]:
    """(CPU seconds of ``env.run``, events scheduled, orders delivered) of one run."""
    env, go, delivered = minimal_day(day, demand)
    t0 = time.process_time()
    go()
    cpu = time.process_time() - t0
    return cpu, _events(env), sum(1 for d in delivered if d == d)


def time_simulator(overrides: list[str]) -> tuple[float, int, int, int]:
    """(CPU seconds of ``env.run``, events scheduled, orders, accepted orders) of one run
    of the simulator's one-store day."""
    sc = read_scenario(SCENARIO, overrides)
    model = Model(sc)
    env = model.env
    model.start()
    t0 = time.process_time()
    env.run(until=sc.run.stop)
    cpu = time.process_time() - t0
    orders = model.flow.orders
    accepted = sum(1 for o in orders if o.accepted == o.accepted)  # not NaN
    return cpu, _events(env), len(orders), accepted


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5, help="runs of each (best is reported)")
    p.add_argument("--seed", type=int, default=42, help="seed of the minimal model's draws")
    p.add_argument("--json", help="write the figures to this JSON file")
    args = p.parse_args()
    if args.repeat < 1:
        p.error("--repeat must be at least 1")

    day = day_of(ONE_STORE)
    demand = draw(day, args.seed)
    sim_cpu: list[float] = []
    min_cpu: list[float] = []
    sim_events = sim_orders = sim_accepted = min_events = min_delivered = 0
    for _ in range(args.repeat):
        cpu, sim_events, sim_orders, sim_accepted = time_simulator(ONE_STORE)
        sim_cpu.append(cpu)
        cpu, min_events, min_delivered = time_minimal(day, demand)
        min_cpu.append(cpu)
    sim_us = min(sim_cpu) / sim_accepted * 1e6
    min_us = min(min_cpu) / len(demand) * 1e6
    rows = {
        "simulator": {"orders_accepted": sim_accepted, "orders_created": sim_orders,
                      "events_per_order": round(sim_events / sim_accepted, 2),
                      "cpu_s_best": round(min(sim_cpu), 4),
                      "cpu_us_per_order": round(sim_us, 1)},
        "minimal": {"orders_accepted": len(demand), "orders_delivered": min_delivered,
                    "events_per_order": round(min_events / len(demand), 2),
                    "cpu_s_best": round(min(min_cpu), 4),
                    "cpu_us_per_order": round(min_us, 1)},
    }
    print(f"one-store day, env.run only, CPU best of {args.repeat} "
          f"(load average {os.getloadavg()[0]:.2f})")
    print(f"{'model':10s} {'orders':>7s} {'events/order':>12s} {'cpu s':>7s} {'us/order':>9s}")
    for name, r in rows.items():
        print(f"{name:10s} {r['orders_accepted']:7d} {r['events_per_order']:12.2f} "
              f"{r['cpu_s_best']:7.3f} {r['cpu_us_per_order']:9.1f}")
    ratio = sim_us / min_us
    print(f"simulator / minimal: {ratio:.2f}x CPU per order (target: at most 1.3x)")
    if args.json:
        out = {"python": platform.python_version(), "machine": platform.machine(),
               "load_average": list(os.getloadavg()), "repeat": args.repeat,
               "rows": rows, "ratio": round(ratio, 3)}
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
