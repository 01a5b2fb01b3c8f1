#!/usr/bin/env python3
"""Time a full simulated day of a scenario (default: scenarios/hema_city.yaml).

Prints orders simulated per wall second and wall seconds per simulated day, for the
simulation with its metrics (``simulate``) and including writing the results folder
(``with_output``). ``--json FILE`` writes the same figures as JSON.

    python benchmarks/day.py [SCENARIO] [--seed N] [--repeat K] [--set PATH=VALUE] [--json F]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim import __version__
from sim.runner import run, write_run
from sim.scenario import read_scenario


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("scenario", nargs="?", default="scenarios/hema_city.yaml")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--repeat", type=int, default=3, help="timed repetitions (best is reported)")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE")
    p.add_argument("--json", help="write the figures to this JSON file")
    args = p.parse_args()

    scenario = read_scenario(args.scenario, args.set)
    days = scenario.run.duration / 86400
    sim_times, out_times, orders = [], [], 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = run(scenario, args.seed)
        t1 = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            write_run(result, Path(tmp) / "run")
        t2 = time.perf_counter()
        sim_times.append(t1 - t0)
        out_times.append(t2 - t0)
        orders = len(result.records["orders"])
    best_sim, best_out = min(sim_times), min(out_times)
    figures = {
        "scenario": scenario.name,
        "sim_version": __version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "orders": orders,
        "simulated_days": days,
        "repeat": args.repeat,
        "simulate": {
            "wall_s_best": round(best_sim, 3),
            "wall_s_median": round(statistics.median(sim_times), 3),
            "orders_per_s": round(orders / best_sim, 1),
            "wall_s_per_simulated_day": round(best_sim / days, 3),
        },
        "with_output": {
            "wall_s_best": round(best_out, 3),
            "wall_s_per_simulated_day": round(best_out / days, 3),
        },
    }
    s = figures["simulate"]
    print(f"{scenario.name}: {orders} orders over {days:g} simulated day(s)")
    print(f"  simulate + metrics: {s['wall_s_best']:.2f} s best of {args.repeat} "
          f"(median {s['wall_s_median']:.2f} s) -> {s['orders_per_s']:.0f} orders/s, "
          f"{s['wall_s_per_simulated_day']:.2f} s per simulated day")
    print(f"  with results folder (CSVs, plots): {figures['with_output']['wall_s_best']:.2f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
