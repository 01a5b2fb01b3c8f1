"""The store's picking queue against queueing theory: Erlang C (M/M/c) and Little's law.

One store, Poisson orders (flat profile), exponential pick times with no per-item or
packing time, c pickers and unlimited stock: the wait for a picker is an M/M/c queue.
The simulated mean wait, averaged over independent seeds, must be within 5% of the
Erlang-C value; the sample is sized so that its standard error is well below 5%.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.metrics.queueing import erlang_c, little_l, mmc_wait
from sim.metrics.stats import step_integral
from sim.model import Model
from sim.scenario import parse_scenario

PICKERS, SERVICE, RHO = 3, 120.0, 0.6
ARRIVALS = RHO * PICKERS / SERVICE  # per second
SEEDS = 20  # x 20 days: the standard error of the mean wait is ~1.5% of it

MMC = f"""
name: mmc
run: {{start: 0, duration: 20d, warmup: 6h, drain: 2h}}
city: {{width: 2km, height: 2km, network: {{kind: grid, block: 500m}}}}
catalog: {{skus: 10}}
demand:
  online:
    orders_per_day: {ARRIVALS * 86400}
    profile: flat
    customers: {{placement: uniform}}
    basket: {{lines: 1}}
promise: {{policy: fixed, radius: 10km}}
vehicles: {{bike: {{speed: 10m/s}}}}
stores:
  - name: s
    location: [1km, 1km]
    pickers: {PICKERS}
    pick_time_per_order: {{dist: exponential, mean: {SERVICE}s}}
    pick_time_per_item: 0
    pack_time: 0
    couriers: {{count: 12, vehicle: bike, pickup_time: 0, dropoff_time: 0}}
    stock: {{unlimited: true}}
"""


def test_erlang_c_known_values():
    """Erlang C matches textbook values (M/M/1: P(wait) = rho; c=2, a=1: 1/3)."""
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert mmc_wait(0.5, 1.0, 1) == pytest.approx(1.0)  # M/M/1: rho/(mu - lambda)
    with pytest.raises(ValueError):
        erlang_c(2, 2.0)


@pytest.fixture(scope="module")
def mmc_runs():
    scenario = parse_scenario(MMC)
    start = scenario.run.start + scenario.run.warmup
    runs = []
    for seed in range(SEEDS):
        orders = Model(scenario, seed).run()["orders"]
        runs.append(orders[orders["created"] >= start])
    return scenario, runs


def test_wait_for_picker_matches_erlang_c(mmc_runs):
    """Mean wait for a picker is within 5% of Erlang C (M/M/3, rho = 0.6), over 20 seeds."""
    _, runs = mmc_runs
    waits = np.array([(o["pick_start"] - o["accepted"]).mean() for o in runs])
    exact = mmc_wait(ARRIVALS, SERVICE, PICKERS)
    se = waits.std(ddof=1) / np.sqrt(len(waits)) / exact
    assert se < 0.02  # the test can tell a 5% error from noise
    assert waits.mean() == pytest.approx(exact, rel=0.05)
    service = np.concatenate([(o["pick_end"] - o["pick_start"]).to_numpy() for o in runs])
    assert service.mean() == pytest.approx(SERVICE, rel=0.01)


def test_littles_law_for_orders_in_store(mmc_runs):
    """Time-average number of orders in the store (all orders, measured over the window)
    equals arrival rate x mean time in the store of the window's arrivals, within 1%."""
    scenario, runs = mmc_runs
    lo, hi = scenario.run.measured
    for o in runs[:4]:
        o = o[o["accepted"].notna()]
        events = np.concatenate([o["accepted"], o["dispatched"]])
        steps = np.concatenate([np.ones(len(o)), -np.ones(len(o))])
        order = np.argsort(events, kind="stable")
        times, level = events[order], np.cumsum(steps[order])
        mean_in_store = step_integral(times, level, lo, hi) / (hi - lo)
        inside = o[(o["accepted"] >= lo) & (o["accepted"] < hi)]
        lam = len(inside) / (hi - lo)
        sojourn = float((inside["dispatched"] - inside["accepted"]).mean())
        assert mean_in_store == pytest.approx(little_l(lam, sojourn), rel=0.01)
        assert mean_in_store > 1.0  # a real queue, not an empty store
