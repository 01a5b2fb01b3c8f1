"""The order flow with every policy switched on: determinism and conservation."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.core.records import CANCELLED, DELIVERED, IN_PROGRESS, REJECTED
from sim.runner import run

EVERYTHING = (
    "suppliers={dc: {kind: dc, lead_time: {dist: gamma, mean: 40min, sd: 10min}, "
    "trucks: ['10:30', '11:15'], cutoff: 10min, line_fill_rate: 0.9}}",
    "store_defaults.replenishment={policy: forecast, supplier: dc, review: 30min, "
    "lead_time: 1h}",
    "stores[1].replenishment={policy: sS, supplier: dc, s: 0.05, S: 0.15}",
    "store_defaults.stock={cover_days: 0.08, min_units: 1, reserve: pick, "
    "protection: {A: 1}, pick_miss_probability: 0.02}",
    "store_defaults.couriers.count=5",
    "stockout.actions=[substitute, reroute, partial]",
    "assignment={policy: split, max_parts: 2}",
    "promise={policy: capacity_aware, when_late: later_slot}",
    "economics={unit_price: 3, unit_cost: 2, late_order: 1}",
)


def test_same_seed_same_records_with_every_policy(make_scenario):
    """Replenishment, reservations, substitutes, reroutes, splits, slots and the learned
    promise model: the same scenario and seed give identical record tables."""
    scenario = make_scenario(*EVERYTHING)
    a, b = run(scenario, 3), run(scenario, 3)
    assert sorted(a.records) == sorted(b.records)
    for name in a.records:
        pd.testing.assert_frame_equal(a.records[name], b.records[name])
    assert a.metrics == b.metrics
    assert not run(scenario, 4).records["orders"].equals(a.records["orders"])


def test_every_order_ends_in_one_state_and_stock_balances(make_scenario):
    """With everything on, each created order is one row in exactly one state, split
    shipments belong to accepted orders, and every node's ledger balances."""
    result = run(make_scenario(*EVERYTHING))
    orders = result.records["orders"]
    assert orders["order_id"].is_unique
    assert set(orders["status"]) <= {DELIVERED, REJECTED, CANCELLED, IN_PROGRESS}
    parts = result.records["order_parts"]
    split = orders.set_index("order_id").loc[parts["order_id"].unique()]
    assert (split["status"] != REJECTED).all()
    m = result.metrics
    counts = m["orders"]
    assert counts["created"] == counts["accepted"] + counts["rejected"]["total"]
    assert counts["accepted"] == (counts["delivered"] + counts["cancelled"]
                                  + counts["in_progress_at_end"])
    assert m["inventory"]["ledger"]["unbalanced"] == 0
    assert m["inventory"]["ledger"]["negative"] == 0
    for key in ("stockout_handling", "split"):
        assert key in m["handling"]
    assert m["inventory"]["replenishment"]["orders"] > 0
    money = m["economics"]
    revenue, costs = money["revenue"], money["costs"]
    assert revenue["total"] == pytest.approx(math.fsum(v for k, v in revenue.items()
                                                       if k != "total"))
    assert costs["total"] == pytest.approx(math.fsum(v for k, v in costs.items()
                                                     if k != "total"))
    assert money["profit"] == pytest.approx(revenue["total"] - costs["total"])
