"""Metric functions on hand-made records with answers worked out by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from sim.core.records import ORDER_COLUMNS, STATE_COLUMNS, STOCKOUT_COLUMNS, WALKIN_COLUMNS
from sim.metrics import MetricContext, compute_metrics
from sim.metrics.inventory import inventory
from sim.metrics.orders import order_counts, sla, stages
from sim.metrics.stats import step_integral, summary, time_average
from sim.metrics.utilisation import utilisation

NAN = math.nan
CTX = MetricContext(start=0.0, end=1000.0, stop=1500.0, promise=100.0)


def order(oid, created, status, reason="", accepted=NAN, pick_start=NAN, pick_end=NAN,
          ready=NAN, dispatched=NAN, delivered=NAN):
    row = dict.fromkeys(ORDER_COLUMNS, NAN)
    row.update(order_id=oid, created=created, x=0.0, y=0.0, lines=1, units=1, status=status,
               reason=reason, node="A", accepted=accepted, due=created + 100,
               pick_start=pick_start, pick_end=pick_end, ready=ready, dispatched=dispatched,
               delivered=delivered, courier="", trip=-1)
    return row


ORDERS = pd.DataFrame([
    order(1, 10, "delivered", accepted=10, pick_start=20, pick_end=40, ready=50,
          dispatched=60, delivered=90),                             # on time (80 s)
    order(2, 20, "delivered", accepted=20, pick_start=40, pick_end=70, ready=80,
          dispatched=100, delivered=150),                           # late (130 s)
    order(3, 30, "rejected", "out_of_radius"),
    order(4, 40, "rejected", "out_of_stock"),
    order(5, 50, "in_progress", accepted=50, pick_start=60),        # never delivered: late
    order(6, 1200, "delivered", accepted=1200, delivered=1250),     # outside the window
], columns=list(ORDER_COLUMNS))


def test_order_counts():
    """Counts cover orders created in the window; rejections are split by reason."""
    c = order_counts(ORDERS, CTX)
    assert c["created"] == 5 and c["accepted"] == 3 and c["delivered"] == 2
    assert c["rejected"] == {"total": 2, "by_reason": {"out_of_radius": 1, "out_of_stock": 1}}
    assert c["in_progress_at_end"] == 1 and c["cancelled"] == 0
    assert c["rejection_rate"] == pytest.approx(0.4)


def test_sla_counts_undelivered_as_late():
    """On-time is over accepted orders; one never delivered counts as late."""
    s = sla(ORDERS, CTX)
    assert s["on_time"] == 1
    assert s["on_time_rate"] == pytest.approx(1 / 3)
    assert s["late_rate"] == pytest.approx(2 / 3)
    assert s["click_to_door_min"]["n"] == 2
    assert s["click_to_door_min"]["mean"] == pytest.approx(105 / 60)
    assert s["click_to_door_min"]["max"] == pytest.approx(130 / 60)
    assert s["lateness_min"]["n"] == 1 and s["lateness_min"]["max"] == pytest.approx(30 / 60)


def test_stages():
    """Each stage's mean is over orders that passed both of its stamps."""
    st = stages(ORDERS, CTX)
    assert st["wait_for_picker"] == pytest.approx(np.mean([10, 20, 10]) / 60)
    assert st["picking"] == pytest.approx(np.mean([20, 30]) / 60)
    assert st["packing"] == pytest.approx(10 / 60)
    assert st["wait_for_courier"] == pytest.approx(np.mean([10, 20]) / 60)
    assert st["riding"] == pytest.approx(np.mean([30, 50]) / 60)


STATES = pd.DataFrame([
    (0.0, "pickers", "A", 1, 2), (100.0, "pickers", "A", 2, 2), (500.0, "pickers", "A", 0, 2),
    (0.0, "pickers", "B", 0, 1), (600.0, "pickers", "B", 1, 1),
    (0.0, "couriers", "A", 0, 4), (900.0, "couriers", "A", 4, 4),
], columns=list(STATE_COLUMNS))


def test_time_weighted_utilisation():
    """Utilisation integrates busy over time; overall pools busy time and capacity."""
    u = utilisation(STATES, CTX)
    assert u["pickers"]["by_node"] == {"A": pytest.approx(0.45), "B": pytest.approx(0.4)}
    assert u["pickers"]["overall"] == pytest.approx(1300 / 3000)
    assert u["couriers"]["overall"] == pytest.approx(0.1)


def test_step_integral_window_inside_changes():
    """The level in force at the window's start counts from the start."""
    t, v = np.array([0.0, 100.0, 500.0]), np.array([1, 2, 0])
    assert step_integral(t, v, 200, 800) == pytest.approx(600)
    assert step_integral(t, v, -100, 50) == pytest.approx(50)
    assert time_average(t, v, 0, 1000) == pytest.approx(0.9)


def test_summary():
    """Summaries ignore NaN and are None when empty."""
    s = summary([1.0, 2.0, 3.0, 4.0, NAN])
    assert s["n"] == 4 and s["mean"] == 2.5 and s["max"] == 4.0
    assert s["p50"] == pytest.approx(2.5)
    assert summary([])["mean"] is None


def test_inventory():
    """Stock-outs and walk-in losses count inside the window only."""
    so = pd.DataFrame([(5.0, "A", 1, "online"), (50.0, "A", 2, "walkin"),
                       (2000.0, "A", 3, "walkin")], columns=list(STOCKOUT_COLUMNS))
    wk = pd.DataFrame([(10.0, "A", 2, 3, 3), (20.0, "A", 2, 4, 1), (1100.0, "A", 1, 5, 0)],
                      columns=list(WALKIN_COLUMNS))
    inv = inventory(so, wk, CTX)
    assert inv["stockout_events"] == 2
    assert inv["stockout_events_by_channel"] == {"online": 1, "walkin": 1}
    assert inv["walkin_visits"] == 2 and inv["walkin_visits_with_lost_sale"] == 1
    assert inv["lost_walkin_units"] == 3
    assert inv["walkin_fill_rate"] == pytest.approx(4 / 7)


def test_compute_metrics_is_json_ready():
    """The assembled metrics hold only plain JSON values (no NaN, no numpy types)."""
    import json

    m = compute_metrics({"orders": ORDERS, "states": STATES}, CTX)
    text = json.dumps(m, allow_nan=False)
    assert json.loads(text)["sla"]["on_time"] == 1
    assert m["inventory"]["walkin_fill_rate"] is None  # no walk-ins recorded
