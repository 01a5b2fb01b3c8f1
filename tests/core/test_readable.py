"""Record tables for people: HH:MM:SS beside the seconds, empty cells for trips that
never happened."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from sim.core.readable import clock_texts, readable
from sim.runner import run, write_run


def test_clock_texts():
    """Truncated to the second, past 24 h on later days, empty when missing."""
    got = clock_texts(np.array([25200.971, 0.0, 90061.0, np.nan, -5.0, 86399.999]))
    assert got == ["07:00:00", "00:00:00", "25:01:01", None, None, "23:59:59"]


def test_readable_orders_frame():
    """Each time column gets its _clock twin right after it; trip -1 becomes missing
    and the CSV shows an empty cell, while real trip ids stay whole numbers."""
    orders = pd.DataFrame({"order_id": [1, 2], "created": [36000.5, 36010.0],
                           "delivered": [37000.0, np.nan], "courier": ["a", ""],
                           "trip": [12, -1]})
    out = readable("orders", orders)
    assert list(out.columns) == ["order_id", "created", "created_clock", "delivered",
                                 "delivered_clock", "courier", "trip"]
    assert out["created_clock"].tolist() == ["10:00:00", "10:00:10"]
    assert out["delivered_clock"].tolist() == ["10:16:40", None]
    buf = io.StringIO()
    out.to_csv(buf, index=False, float_format="%.3f", lineterminator="\n")
    lines = buf.getvalue().splitlines()
    assert lines[1].endswith(",a,12") and lines[2].endswith(",,")
    assert list(orders.columns) == ["order_id", "created", "delivered", "courier", "trip"]
    states = pd.DataFrame({"time": [1.0], "busy": [1]})
    assert readable("states", states) is states  # event logs stay as they are


def test_rejected_orders_in_a_run(make_scenario, tmp_path):
    """In a run with rejections, a rejected order's trip and unreached stages are
    empty cells in orders.csv, and its creation has a clock time."""
    result = run(make_scenario("promise.radius=1km"), 3)
    orders = result.records["orders"]
    rejected = orders[orders["status"] == "rejected"]
    assert len(rejected) > 0
    assert rejected["trip"].isna().all() and rejected["delivered_clock"].isna().all()
    assert rejected["created_clock"].str.fullmatch(r"\d\d:\d\d:\d\d").all()
    delivered = orders[orders["status"] == "delivered"]
    assert delivered["trip"].notna().all() and (delivered["trip"] >= 0).all()
    folder = write_run(result, tmp_path / "r", plots=False)
    csv = pd.read_csv(folder / "orders.csv", keep_default_na=False, dtype=str)
    assert (csv.loc[csv["status"] == "rejected", "trip"] == "").all()
    assert (csv.loc[csv["status"] == "delivered", "trip"].str.fullmatch(r"\d+")).all()
