#!/usr/bin/env python3
"""Forecast accuracy on held-out days including a sale day, and the plan it staffs.

Simulates the two-week history of ``tests/forecast/days.py`` (a small two-store city,
weekends 1.3x and sale days 2x online orders with a midnight rush, 28 Oct - 11 Nov
2026), fits every forecaster on days 1-13 and scores day 14 (a normal Tuesday) and day
15 (the 11.11 sale): MAPE, WAPE, bias, mean pinball loss of the 0.1/0.5/0.9 quantiles
and the 10-90% interval's coverage. Then plans pickers and couriers for on-time 95% over
two later days (a normal day and a sale day) from the whole history and simulates the
planned roster. The figures are in docs/staffing.md.

    python benchmarks/forecast_accuracy.py [--seed 11] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd

from sim.forecast.accuracy import evaluate, table
from sim.forecast.history import load_history
from sim.runner import run, write_run
from sim.scenario import parse_scenario
from sim.staffing.plan import Target, make_plan
from tests.forecast.days import OVERRIDES, TEXT, TRAIN_DAYS

PLAN_DAYS = [
    "run={start: '00:00', duration: 24h, days: 2, date: 2026-11-12, warmup: 1h, drain: 1h}",
    OVERRIDES[1],
    OVERRIDES[2].replace("2026-10-31: sale, 2026-11-11: sale", "2026-11-13: sale"),
    *OVERRIDES[3:],
]
"""The days planned: 12 November (normal) and 13 November (a sale), after the history."""


def main() -> int:
    """Run the history, print the accuracy table and the plan's simulated figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        hist = Path(tmp) / "history"
        write_run(run(parse_scenario(TEXT, "tiny.yaml", OVERRIDES), args.seed), hist,
                  plots=False)
        h = load_history([hist])
        res = evaluate(h, [TRAIN_DAYS + 1, TRAIN_DAYS + 2],
                       ["seasonal_naive", "holt_winters", "gbm"])
        with pd.option_context("display.width", 200):
            print(table(res).round(3).to_string(index=False))
        target = Target.parse("on_time=0.95")
        plan_sc = parse_scenario(TEXT, "tiny.yaml", PLAN_DAYS)
        plan = make_plan(plan_sc, [hist], target)
        planned = parse_scenario(TEXT, "tiny.yaml", [*PLAN_DAYS, *plan.set_args()])
        flat = run(plan_sc, args.seed).metrics
        got = run(planned, args.seed).metrics
    out = {"accuracy": res, "plan": {}}
    for name, m in (("flat roster (3 pickers, 8 couriers all day)", flat), ("planned", got)):
        staffed = {k: v["staffed_hours"] for k, v in m.get("staffing", {}).items()}
        if not staffed:  # a plain count all day: no staffing section
            staffed = {"pickers": 3 * 24 * 2 * 2, "couriers": 8 * 24 * 2 * 2}
        by_day = {d: round(v["on_time"] / max(v["created"], 1), 4)
                  for d, v in m["days"]["by_day"].items()}
        print(f"{name}: on time {m['sla']['on_time_rate']:.3f} (by day {by_day}), staffed "
              f"picker-hours {staffed['pickers']:.0f}, courier-hours {staffed['couriers']:.0f}")
        out["plan"][name] = {"on_time": m["sla"]["on_time_rate"], "by_day": by_day,
                             "staffed_hours": staffed}
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
