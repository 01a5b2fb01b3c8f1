#!/usr/bin/env python3
"""Wall time per simulated order: the default day against three calendar days.

The calendar (issue 11) must not make a long run dearer per order: a three-day run of
``scenarios/hema_city.yaml`` (10-12 November, the 11th a sale day with 1.5x online orders
and a surge roster, couriers and pickers on shifts, per-day metrics) should
cost no more wall time per simulated order than the default day. (A sale the fleet
cannot carry, ``--sale 2``, costs more per order: long queues make every dispatch and
pick dearer; that is the model's work under overload, not the calendar's.) Both are
simulated with their metrics (no files
written), best of ``--repeat``; the figures are wall milliseconds per created online order.

    python benchmarks/calendar_days.py [--repeat 1] [--seed 42] [--sale 1.5] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.runner import run
from sim.scenario import read_scenario

SCENARIO = "scenarios/hema_city.yaml"
SHIFTS = ("[{start: '07:00', end: '15:00', count: 60}, {start: '11:00', end: '23:00', "
          "count: 50}, {start: '23:00', end: '07:00', count: 10}]")
SALE_SHIFTS = ("[{start: '00:00', end: '03:00', count: 60}, {start: '07:00', end: '15:00', "
               "count: 90}, {start: '11:00', end: '23:00', count: 75}, {start: '23:00', "
               "end: '07:00', count: 15}]")
PICKERS = ("[{start: '06:00', end: '15:00', count: 22}, {start: '15:00', end: '00:00', "
           "count: 22}, {start: '00:00', end: '06:00', count: 4}]")
SALE_PICKERS = ("[{start: '00:00', end: '03:00', count: 30}, {start: '03:00', end: '06:00', "
                "count: 6}, {start: '06:00', end: '15:00', count: 30}, {start: '15:00', "
                "end: '00:00', count: 30}]")
STORES = ("north-west", "north-east", "centre", "south-west", "south-east")


def three_days(sale: float) -> tuple[str, ...]:
    """The three-day variant: the default city over 10-12 November on shifts, the 11th a
    sale day with ``sale`` x the online orders and a surge roster (1.5 x the couriers,
    30 pickers a store instead of 22)."""
    surge = ", ".join(f"{{node: {n}, resource: couriers, roster: {SALE_SHIFTS}}}, "
                      f"{{node: {n}, resource: pickers, roster: {SALE_PICKERS}}}"
                      for n in STORES)
    return ("run.days=3", "run.date=2026-11-10",
            f"calendar={{day_types: {{normal: {{}}, sale: {{online: {sale}, walkins: 0.8, "
            f"rosters: [{surge}]}}}}, default: normal, dates: {{2026-11-11: sale}}}}",
            f"store_defaults.couriers.count={SHIFTS}",
            f"store_defaults.pickers={PICKERS}")


def measure(overrides: tuple[str, ...], repeat: int, seed: int) -> dict[str, float]:
    """Best wall seconds of ``run`` (simulation and metrics) and the orders created."""
    scenario = read_scenario(SCENARIO, overrides)
    best, orders = float("inf"), 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = run(scenario, seed)
        best = min(best, time.perf_counter() - t0)
        orders = len(result.records["orders"])
    return {"wall_s": best, "orders": orders, "ms_per_order": 1000 * best / max(orders, 1)}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--sale", type=float, default=1.5,
                   help="online demand factor of the sale day (default 1.5)")
    p.add_argument("--json", help="write the figures to this JSON file")
    args = p.parse_args()
    figures = {"load_average": os.getloadavg()[0],
               "default_day": measure((), args.repeat, args.seed),
               "three_days": measure(three_days(args.sale), args.repeat, args.seed)}
    ratio = figures["three_days"]["ms_per_order"] / figures["default_day"]["ms_per_order"]
    figures["ratio"] = ratio
    for name in ("default_day", "three_days"):
        f = figures[name]
        print(f"{name:12s} {f['orders']:7.0f} orders  {f['wall_s']:7.1f} s  "
              f"{f['ms_per_order']:.3f} ms/order")
    print(f"three days / default day per order: {ratio:.2f} "
          f"(load average {figures['load_average']:.1f})")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
