"""Inventory, fill-rate, promise and money metrics on small hand-made record tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.core.records import (
    FULFIL_EVENT_COLUMNS,
    LEDGER_COLUMNS,
    ORDER_COLUMNS,
    PART_COLUMNS,
    PREDICTION_COLUMNS,
    REPLENISHMENT_COLUMNS,
    STATE_COLUMNS,
    STOCK_LEVEL_COLUMNS,
    TRIP_COLUMNS,
    WALKIN_COLUMNS,
)
from sim.metrics.economics import economics
from sim.metrics.fill import fill_rates, handling
from sim.metrics.inventory import ledger_check, levels, replenishment
from sim.metrics.promise import promise
from sim.metrics.window import MetricContext
from sim.scenario.schema import EconomicsSpec

H = 3600.0
NAN = math.nan
CTX = MetricContext(start=0.0, end=10 * H, stop=12 * H, promise=1800.0)


def frame(columns, rows) -> pd.DataFrame:
    """A record table from rows."""
    return pd.DataFrame.from_records(rows, columns=list(columns))


def order(oid, created, units, status, *, reason="", node="a", due=None, delivered=NAN,
          dispatched=NAN):
    """One ``orders`` row with the stamps the metrics read."""
    due = created + 1800.0 if due is None else due
    accepted = NAN if status == "rejected" else created
    return (oid, created, 0.0, 0.0, 1, units, status, reason, node, accepted, due, NAN, NAN,
            NAN, dispatched, delivered, "", -1)


ORDERS = frame(ORDER_COLUMNS, [
    order(0, 1 * H, 4, "delivered", delivered=1 * H + 1000),            # complete
    order(1, 2 * H, 3, "delivered", delivered=2 * H + 2000),            # late, 1 dropped
    order(2, 3 * H, 2, "delivered", delivered=3 * H + 3000, due=3 * H + 3600),  # a slot
    order(3, 4 * H, 5, "rejected", reason="out_of_stock"),
    order(4, 5 * H, 1, "rejected", reason="capacity"),
    order(5, 6 * H, 2, "cancelled", reason="stockout"),
    order(6, 7 * H, 6, "delivered", node="a+b", delivered=7 * H + 1500),  # split
    order(7, 11 * H, 9, "delivered", delivered=11 * H + 100),           # after the window
])
EVENTS = frame(FULFIL_EVENT_COLUMNS, [
    (2 * H, 1, -1, "a", "short", 5, 1, ""),
    (2 * H, 1, -1, "a", "dropped", 5, 1, ""),
    (3 * H, 2, -1, "a", "short", 8, 1, ""),
    (3 * H, 2, -1, "a", "substituted", 9, 1, "8"),
    (6 * H, 5, -1, "a", "short", 3, 2, ""),
    (6 * H, 5, -1, "a", "cancelled", -1, 2, "stockout"),
    (7 * H, 6, 0, "a", "split", -1, 4, ""),
    (7 * H, 6, 1, "b", "split", -1, 2, ""),
])
PARTS = frame(PART_COLUMNS, [
    (6, 0, "a", 2, 4, "delivered", 7 * H, NAN, NAN, NAN, NAN, 7 * H + 900, "", -1),
    (6, 1, "b", 1, 2, "delivered", 7 * H, NAN, NAN, NAN, NAN, 7 * H + 1500, "", -1),
])
WALKINS = frame(WALKIN_COLUMNS, [(1 * H, "a", 2, 5, 5), (2 * H, "a", 1, 5, 3),
                                 (11 * H, "a", 1, 7, 0)])


def test_levels_are_time_weighted_and_cover_is_stock_over_daily_sales():
    """A node at 100 units for 4 h then 40 for 6 h averages 64; 120 units sold in 10 h
    is 288 a day, so 64 units are 0.2222 days of cover."""
    lv = frame(STOCK_LEVEL_COLUMNS, [(0.0, "a", 100, 10, 0, 0, 0),
                                     (4 * H, "a", 40, 0, 30, 60, 0),
                                     (12 * H, "a", 10, 0, 0, 120, 0)])
    ctx = MetricContext(start=0.0, end=10 * H, stop=12 * H, promise=1800.0)
    out = levels(lv, ctx)
    assert out["on_hand_units"]["total"] == pytest.approx(64.0)
    assert out["reserved_units"]["total"] == pytest.approx(4.0)
    assert out["on_order_units"]["total"] == pytest.approx(18.0)
    assert out["sold_units_per_day"] == pytest.approx(60 / (10 / 24))
    assert out["days_of_cover"]["overall"] == pytest.approx(64.0 / 144.0)


def test_replenishment_counts_orders_placed_and_units_received_in_the_window():
    """Orders placed in the window count; receipts count when they arrive in it."""
    repl = frame(REPLENISHMENT_COLUMNS, [
        (0, "a", "dc", "RS", 1 * H, 3, 30, 3 * H, 28),
        (1, "a", "dc", "RS", 9 * H, 2, 20, 11 * H, 20),   # arrives after the window
        (2, "a", "dc", "RS", 11 * H, 1, 5, NAN, 0),       # placed after the window
    ])
    out = replenishment(repl, CTX)
    assert (out["orders"], out["lines"], out["units_ordered"]) == (2, 5, 50)
    assert out["units_received"] == 28 and out["mean_lead_time_h"] == pytest.approx(2.0)


def test_ledger_check_flags_unbalanced_and_negative_rows():
    """A row whose buckets do not add up, and one with negative stock, are counted."""
    ok = ("a", 0, "A", 10, 5, 4, 1, 0, 6, 1, 3, 5, 0, 2)
    off = ("a", 1, "A", 10, 5, 4, 1, 0, 7, 1, 3, 5, 0, 2)     # one unit too many on hand
    neg = ("a", 2, "A", 0, 0, 0, 0, 0, -1, 0, 1, 0, 0, 0)      # balanced, but negative
    out = ledger_check(frame(LEDGER_COLUMNS, [ok, off, neg]))
    assert out == {"rows": 3, "unbalanced": 1, "negative": 1}


def test_fill_rates_per_channel_count_units_as_ordered():
    """Online: 4 + 2 (3 less 1 dropped) + 1 (2 less 1 substituted) + 6 as ordered of 23
    units ordered in the window; complete orders 0 and 6 of 7. Walk-ins: 8 of 10."""
    out = fill_rates(ORDERS, EVENTS, WALKINS, CTX)
    online = out["online"]
    assert online["units_ordered"] == 23 and online["units_delivered"] == 14
    assert online["units_delivered_as_ordered"] == 13
    assert online["unit_fill_rate"] == pytest.approx(13 / 23)
    assert online["order_fill_rate"] == pytest.approx(2 / 7)
    assert online["lost_units"] == {"rejected": {"capacity": 1, "out_of_stock": 5},
                                    "cancelled": 2, "dropped": 1}
    assert out["walkin"]["unit_fill_rate"] == pytest.approx(0.8)
    assert out["overall_unit_fill_rate"] == pytest.approx((8 + 13) / (10 + 23))


def test_handling_counts_short_lines_their_fate_and_splits():
    """Three short lines: one substituted, one dropped, one in a cancelled order; one
    split order with two shipments out of five accepted."""
    out = handling(ORDERS, EVENTS, CTX)
    h = out["stockout_handling"]
    assert (h["short_lines"], h["short_units"], h["orders_with_short_lines"]) == (3, 4, 3)
    assert (h["substituted_lines"], h["dropped_lines"], h["cancelled_orders"]) == (1, 1, 1)
    assert out["split"] == {"orders": 1, "shipments": 2, "share_of_accepted": 0.2}


def test_promise_metrics_and_predictor_error_use_each_shipment():
    """Rejections by reason, one later slot, on time to due; prediction errors are
    measured per shipment for the split order."""
    pred = frame(PREDICTION_COLUMNS, [
        (0, -1, 1 * H, "a", 1200.0, 600.0, 0, 0, 30, 3000.0),   # actual 1000: error -200
        (1, -1, 2 * H, "a", 1500.0, 600.0, 0, 0, 30, 3000.0),   # actual 2000: +500
        (6, 0, 7 * H, "a", 1000.0, 600.0, 0, 0, 0, 3000.0),     # part 0: actual 900: -100
        (6, 1, 7 * H, "b", 1200.0, 600.0, 0, 0, 0, 3000.0),     # part 1: actual 1500: +300
    ])
    out = promise(ORDERS, pred, PARTS, CTX)
    assert out["rejection_rate_by_reason"] == {"capacity": pytest.approx(1 / 7),
                                               "out_of_stock": pytest.approx(1 / 7)}
    assert out["later_slot_orders"] == 1
    assert out["on_time_to_due_rate"] == pytest.approx(3 / 5)
    p = out["predictor"]
    assert p["delivered"] == 4 and p["cold_start_share"] == 0.5
    assert p["bias_min"] == pytest.approx((-200 + 500 - 100 + 300) / 4 / 60)
    assert p["mae_min"] == pytest.approx((200 + 500 + 100 + 300) / 4 / 60)
    assert p["coverage"] == 0.5


def test_economics_adds_up_revenue_and_costs():
    """Hand-computed money table: every line of the revenue and cost figures."""
    e = EconomicsSpec(unit_price=10, unit_cost=6, delivery_fee=2, picker_hour=20,
                      courier_hour=30, courier_km=0.5, replenishment_order=100,
                      holding_unit_day=0.1, removed_unit=6, late_order=5, late_minute=0.6,
                      cancelled_order=7, rejected_order=1, split_part=3)
    ctx = MetricContext(start=0.0, end=10 * H, stop=12 * H, promise=1800.0, economics=e)
    records = {
        "orders": ORDERS, "fulfil_events": EVENTS, "walkins": WALKINS,
        "order_parts": PARTS,
        "trips": frame(TRIP_COLUMNS, [(0, "a", "c", "bike", 1 * H, 1.2 * H, 1, "0",
                                       4000.0, NAN, NAN, "finished"),
                                      (1, "a", "c", "bike", 11 * H, 11.2 * H, 1, "7",
                                       9000.0, NAN, NAN, "finished")]),
        "replenishments": frame(REPLENISHMENT_COLUMNS, [(0, "a", "dc", "RS", 1 * H, 3, 30,
                                                        3 * H, 30)]),
        "stock_levels": frame(STOCK_LEVEL_COLUMNS, [(0.0, "a", 240, 0, 0, 0, 0),
                                                    (5 * H, "a", 240, 0, 0, 10, 2)]),
        "states": frame(STATE_COLUMNS, [(0.0, "pickers", "a", 0, 2),
                                        (0.0, "couriers", "a", 0, 3)]),
    }
    out = economics(records, ctx)
    assert out is not None
    units = 8 + 4 + 2 + 2 + 6                      # walk-ins + delivered online less dropped
    assert out["revenue"] == {"goods": units * 10, "delivery_fees": 4 * 2,
                              "total": units * 10 + 8}
    c = out["costs"]
    assert c["goods"] == units * 6
    assert c["pickers"] == 2 * 10 * 20 and c["courier_time"] == 3 * 10 * 30
    assert c["courier_distance"] == pytest.approx(4.0 * 0.5)
    assert c["replenishment_orders"] == 100
    assert c["holding"] == pytest.approx(240 * (10 / 24) * 0.1)
    assert c["write_offs"] == 2 * 6
    assert c["late_orders"] == 2 * 5               # order 1 late, cancelled order 5 unkept
    assert c["late_minutes"] == pytest.approx(200 / 60 * 0.6)  # order 1: 200 s late
    assert out["late_minutes"] == pytest.approx(200 / 60)
    assert c["cancelled_orders"] == 7 and c["rejected_orders"] == 2
    assert c["split_shipments"] == 3
    assert out["profit"] == pytest.approx(out["revenue"]["total"] - c["total"])


def test_economics_is_left_out_without_money_figures():
    """No ``economics`` in the scenario: no section."""
    assert economics({}, CTX) is None
