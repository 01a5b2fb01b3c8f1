#!/usr/bin/env python3
"""Run a scenario's day under each dispatch policy and compare service, cost and speed.

For each policy (default: immediate, batch and rolling_horizon; ``--all``: every policy
of ``DISPATCH_POLICIES``, in its order) it runs the scenario
(default: scenarios/hema_city.yaml) with its ``dispatch`` section replaced by
``{policy: NAME}`` (then the ``--set`` overrides, e.g. ``dispatch.window=2min``) and
prints: CPU seconds of the run (simulation and metrics; ``time.process_time``, best of
``--repeat``), wall seconds, on-time rate, click-to-door p50 and p90,
km per order, orders per trip, courier utilisation, dispatch decisions, solve time per
decision (median, p95, max; wall clock) and how many solves the wall-clock cap stopped.
Last, the CPU of each policy's day as a ratio to
``immediate`` (the issue's targets: batch at most 2x, rolling_horizon at most 1.5x) and
the load average. ``--json FILE`` writes the same figures. Timings depend on the machine
and its load (CPU time much less than wall time); the service figures do not (same seed,
same results). The default (immediate, batch, rolling_horizon) is the run behind the
CPU ratios in docs/routing.md.

    python benchmarks/dispatch.py [SCENARIO] [--policy NAME ...] [--seed N] [--repeat K]
        [--set PATH=VALUE ...] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim import __version__
from sim.metrics.routing import wallclock_of
from sim.routing.dispatch import DISPATCH_POLICIES
from sim.runner import run
from sim.scenario import read_scenario

POLICIES = tuple(DISPATCH_POLICIES)  # the registry's order
DEFAULT_POLICIES = ("immediate", "batch", "rolling_horizon")  # the CPU ratio targets


def figures(policy: str, scenario_path: str, overrides: list[str], seed: int | None,
            repeat: int = 1) -> dict[str, Any]:
    """Run one policy ``repeat`` times and collect its figures (CPU and wall: the best)."""
    # the policy first (replacing the scenario's dispatch section), then the user's --set
    sc = read_scenario(scenario_path, [f"dispatch={{policy: {policy}}}", *overrides])
    cpu = wall = float("inf")
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        result = run(sc, seed)
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    m = result.metrics
    c2d = m["sla"]["click_to_door_min"]
    clock = wallclock_of(result.records, wall).get("dispatch")
    return {
        "policy": policy,
        "cpu_s": round(cpu, 2),
        "wall_s": round(wall, 2),
        "orders": m["orders"]["accepted"],
        "on_time_rate": m["sla"]["on_time_rate"],
        "click_to_door_p50_min": c2d["p50"],
        "click_to_door_p90_min": c2d["p90"],
        "km_per_order": m["routing"]["km_per_order"],
        "orders_per_trip": m["routing"]["orders_per_trip"]["mean"],
        "courier_utilisation": m["utilisation"]["couriers"]["overall"],
        "decisions": clock["decisions"] if clock else 0,
        "solve_ms_p50": clock["solve_ms"]["p50"] if clock else None,
        "solve_ms_p95": clock["solve_ms"]["p95"] if clock else None,
        "solve_ms_max": clock["solve_ms"]["max"] if clock else None,
        "solve_s_total": round(clock["total_s"], 2) if clock else 0.0,
        "capped": m["routing"]["dispatch"]["capped"],
    }


def fmt(x: Any, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("scenario", nargs="?", default="scenarios/hema_city.yaml")
    p.add_argument("--policy", action="append", choices=POLICIES,
                   help="policy to run (repeatable; default: immediate, batch, "
                   "rolling_horizon)")
    p.add_argument("--all", action="store_true", help="run every policy")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--repeat", type=int, default=1, help="runs per policy (best CPU)")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE")
    p.add_argument("--json", help="write the figures to this JSON file")
    args = p.parse_args()
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    policies = POLICIES if args.all else (args.policy or DEFAULT_POLICIES)

    rows = []
    print(f"{'policy':19s} {'cpu s':>7s} {'wall s':>7s} {'on time':>7s} {'p50':>5s} {'p90':>5s} "
          f"{'km/ord':>6s} {'ord/trip':>8s} {'util':>5s} {'solves':>6s} {'ms p50':>7s} "
          f"{'ms p95':>7s} {'ms max':>7s} {'capped':>6s}")
    for policy in policies:
        r = figures(policy, args.scenario, args.set, args.seed, args.repeat)
        rows.append(r)
        print(f"{policy:19s} {r['cpu_s']:7.2f} {r['wall_s']:7.1f} {fmt(r['on_time_rate'], '7.3f')} "
              f"{fmt(r['click_to_door_p50_min'], '5.1f')} "
              f"{fmt(r['click_to_door_p90_min'], '5.1f')} "
              f"{fmt(r['km_per_order'], '6.2f')} {fmt(r['orders_per_trip'], '8.2f')} "
              f"{fmt(r['courier_utilisation'], '5.2f')} {r['decisions']:6d} "
              f"{fmt(r['solve_ms_p50'], '7.1f')} {fmt(r['solve_ms_p95'], '7.1f')} "
              f"{fmt(r['solve_ms_max'], '7.1f')} {r['capped']:6d}", flush=True)
    base = next((r for r in rows if r["policy"] == "immediate"), None)
    if base is not None and len(rows) > 1:
        print("CPU relative to immediate: " + ", ".join(
            f"{r['policy']} {r['cpu_s'] / base['cpu_s']:.2f}x" for r in rows if r is not base))
        for r in rows:
            r["cpu_vs_immediate"] = round(r["cpu_s"] / base["cpu_s"], 3)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        out = {"scenario": args.scenario, "overrides": args.set, "sim_version": __version__,
               "python": platform.python_version(), "machine": platform.machine(),
               "load_average": list(os.getloadavg()), "rows": rows}
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
