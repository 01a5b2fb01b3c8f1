"""The promise model: online quantile regression and its calibration in a run."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.fulfillment.predictor import QuantileLine
from sim.runner import run


def test_intercept_converges_to_the_quantile_of_a_stream():
    """Fed exponential waits (mean 5 min) at one queue state, the estimate settles near
    their 0.9-quantile, 5 min x ln 10."""
    rng = np.random.default_rng(1)
    line = QuantileLine()
    estimates = []
    for y in rng.exponential(300.0, 20000):
        line.update(0, 0, float(y), 0.9, 5.0)
        estimates.append(line.predict(0, 0))
    assert np.mean(estimates[-5000:]) == pytest.approx(300.0 * math.log(10), rel=0.05)


def test_slope_extrapolates_to_queues_not_seen_often():
    """Waits that grow by one minute per order of courier pressure are learned as a slope,
    so a queue of 40 (rarely seen) is predicted near its true 0.9-quantile."""
    rng = np.random.default_rng(2)
    line = QuantileLine()
    for _ in range(30000):
        pressure = int(rng.geometric(0.15)) - 1          # mostly short queues
        y = 120.0 + 60.0 * pressure + rng.exponential(60.0)
        line.update(pressure, 0, y, 0.9, 5.0)
    truth = 120.0 + 60.0 * 40 + 60.0 * math.log(10)
    assert line.predict(40, 0) == pytest.approx(truth, rel=0.1)
    assert line.predict(-5, 0) == line.predict(0, 0)     # spare couriers: no queue term


def test_predictions_are_calibrated_in_a_steady_run(make_scenario):
    """In a steadily loaded store the share of orders delivered within their prediction
    is near the predictor's quantile, and the error metrics are reported."""
    scenario = make_scenario("store_defaults.couriers.count=6", "run.duration=6h",
                             "run.warmup=1h", "promise={policy: capacity_aware}",
                             "predictor.quantile=0.8")
    pred = run(scenario).metrics["promise"]["predictor"]
    assert pred["delivered"] > 300
    assert 0.7 < pred["coverage"] < 0.9
    assert pred["mae_min"] > 0 and pred["rmse_min"] >= pred["mae_min"]


def test_rerouted_orders_are_not_learned_from(make_scenario):
    """Orders moved after a stock-out do not teach the model (their wait is not their
    node's): the model learns from exactly the dispatched orders that never moved."""
    from sim.model import Model

    model = Model(make_scenario("store_defaults.stock.reserve=pick",
                                "store_defaults.stock.cover_days=0.05",
                                "store_defaults.stock.min_units=1", "store_defaults.pickers=1",
                                "stockout.actions=[reroute, cancel]",
                                "assignment={policy: load_aware}"))
    records = model.run()
    ev = records["fulfil_events"]
    moved = set(ev.loc[ev["event"] == "rerouted", "order_id"])
    orders = records["orders"]
    dispatched = set(orders.loc[orders["dispatched"].notna(), "order_id"])
    learned = sum(m.n for m in model.ctx.predictor()._wait.values())
    assert moved & dispatched and learned == len(dispatched - moved)
