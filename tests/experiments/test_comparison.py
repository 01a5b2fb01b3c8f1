"""The comparison table from a hand-made runs table: means, pairs, pooled rates."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.experiments.compare import compare
from sim.experiments.intervals import wilson_interval
from sim.experiments.spec import KpiSpec


def runs_table() -> pd.DataFrame:
    """Two variants x three seeds; variant b's seed 2 failed."""
    rows = []
    on_time = {"a": [80, 90, 70], "b": [85, 96, None]}
    accepted = {"a": [100, 100, 100], "b": [100, 100, None]}
    c2d = {"a": [20.0, 18.0, 25.0], "b": [19.0, 16.0, None]}
    for v in ("a", "b"):
        for seed in range(3):
            ok = on_time[v][seed] is not None
            rows.append({
                "cell": v, "variant": v, "replication": seed, "seed": seed,
                "status": "ok" if ok else "failed", "error": "" if ok else "boom",
                "orders.accepted": accepted[v][seed], "sla.on_time": on_time[v][seed],
                "sla.on_time_rate": on_time[v][seed] / 100 if ok else math.nan,
                "sla.click_to_door_min.mean": c2d[v][seed]})
    return pd.DataFrame(rows)


KPIS = [KpiSpec(metric="sla.on_time_rate", better="higher", target_half_width=0.05),
        KpiSpec(metric="sla.click_to_door_min.mean", better="lower")]


def test_means_and_differences_by_hand():
    """b vs a over the seeds both finished (0 and 1): on-time +0.05 and +0.06,
    click-to-door -1 and -2; t(0.975, 1) = 12.706."""
    table = compare(runs_table(), KPIS).set_index(["cell", "kpi"])
    a = table.loc[("a", "sla.on_time_rate")]
    assert a["n"] == 3 and a["mean"] == pytest.approx(0.8)
    assert a["half_width"] == pytest.approx(4.3027 * 0.1 / math.sqrt(3), abs=1e-4)
    assert a["verdict"] == "base"
    b = table.loc[("b", "sla.on_time_rate")]
    assert b["n"] == 2 and b["n_pairs"] == 2
    assert b["diff_mean"] == pytest.approx(0.055)
    half = 12.706 * (0.01 / math.sqrt(2)) / math.sqrt(2)  # sd of (0.05, 0.06)
    assert (b["diff_low"], b["diff_high"]) == pytest.approx((0.055 - half, 0.055 + half),
                                                            abs=1e-3)
    assert b["verdict"] == "no difference"
    c = table.loc[("b", "sla.click_to_door_min.mean")]
    assert c["diff_mean"] == pytest.approx(-1.5)
    assert c["verdict"] == "no difference"  # 12.706 * 0.5 > 1.5


def test_pooled_rate_is_a_wilson_interval_over_all_orders():
    """a: 240 on time of 300 accepted orders -> pooled 0.8 with the Wilson interval of
    240/300; click-to-door is not a rate and gets none."""
    table = compare(runs_table(), KPIS).set_index(["cell", "kpi"])
    a = table.loc[("a", "sla.on_time_rate")]
    w = wilson_interval(240, 300)
    assert a["pooled_trials"] == 300 and a["pooled_rate"] == pytest.approx(0.8)
    assert (a["wilson_low"], a["wilson_high"]) == pytest.approx((w.low, w.high))
    assert a["wilson_high"] - a["wilson_low"] < a["ci_high"] - a["ci_low"]
    assert math.isnan(table.loc[("a", "sla.click_to_door_min.mean"), "pooled_rate"])


def test_replications_needed_for_the_target():
    """a's on-time rate has s = 0.1: +-0.05 needs n with t(n-1) 0.1 / sqrt(n) <= 0.05,
    i.e. 18 (t(0.975, 17) = 2.110, 2.110 / sqrt(18) = 0.497)."""
    table = compare(runs_table(), KPIS).set_index(["cell", "kpi"])
    assert table.loc[("a", "sla.on_time_rate"), "replications_needed"] == 18
    assert pd.isna(table.loc[("a", "sla.click_to_door_min.mean"), "replications_needed"])


def test_a_clear_difference_is_flagged():
    """When b is better on every seed by a steady margin the flag says so."""
    runs = runs_table()
    runs.loc[runs["variant"] == "b", "sla.click_to_door_min.mean"] = [15.0, 13.1, math.nan]
    table = compare(runs, KPIS, base="a").set_index(["cell", "kpi"])
    assert table.loc[("b", "sla.click_to_door_min.mean"), "verdict"] == "better"
    flipped = compare(runs, KPIS, base="b").set_index(["cell", "kpi"])
    assert flipped.loc[("a", "sla.click_to_door_min.mean"), "verdict"] == "worse"
    assert flipped.loc[("b", "sla.click_to_door_min.mean"), "verdict"] == "base"
