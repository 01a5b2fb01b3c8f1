#!/usr/bin/env python3
"""Time a sweep of short runs on the serial and processes backends.

By default 32 runs (2 courier counts x 16 replications) of scenarios/hema_city.yaml cut
to one hour of demand at 10:00 (about a second each), each written to its run folder
with its record CSVs, exactly as ``run_sim.py sweep`` does. Prints the wall time of each
backend, the speed-up of ``processes`` over ``serial`` and checks that both wrote the
same tables. The load average is printed too: on a shared machine the figure is noisy.

    python benchmarks/sweep.py [--runs 32] [--workers 2] [--repeat 1] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim import __version__
from sim.experiments.backends import available_cores
from sim.experiments.loading import validate_experiment
from sim.experiments.plan import plan_experiment
from sim.experiments.sweep import execute_plan
from sim.scenario.loading import parse_override

ROOT = Path(__file__).resolve().parents[1]


def experiment(runs: int, overrides: list[str]) -> dict[str, object]:
    """Two courier counts x runs/2 replications of the short hema_city run."""
    over: dict[str, object] = {"run.start": "10:00", "run.duration": "1h",
                               "run.warmup": "15min", "run.drain": "1h"}
    for item in overrides:
        _, value = parse_override(item)  # checked and read as YAML, as run_sim.py --set does
        over[item.partition("=")[0]] = value
    return {"name": "bench_sweep", "scenario": "hema_city.yaml",
            "replications": max(1, runs // 2), "overrides": over,
            "factors": {"store_defaults.couriers.count": [70, 90]}}


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process and of its finished (joined) child processes."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=32, help="runs in the sweep (even)")
    p.add_argument("--workers", type=int, default=2, help="processes for `processes`")
    p.add_argument("--repeat", type=int, default=1, help="timed repetitions (best kept)")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="more overrides of the base scenario")
    p.add_argument("--json", help="write the figures to this JSON file")
    args = p.parse_args()

    spec = validate_experiment(experiment(args.runs, args.set), base_dir=ROOT / "scenarios")
    plan = plan_experiment(spec)
    n = len(plan.design.runs())
    load_before = os.getloadavg()
    times: dict[str, list[float]] = {"serial": [], "processes": []}
    cpu: dict[str, list[tuple[float, float]]] = {"serial": [], "processes": []}
    tables: dict[str, bytes] = {}
    for _ in range(args.repeat):
        for backend in ("serial", "processes"):
            with tempfile.TemporaryDirectory(prefix="omnisim-bench-") as tmp:
                out = Path(tmp) / "sweep"
                cpu0 = _cpu()
                t0 = time.perf_counter()
                result = execute_plan(plan, out, backend, args.workers, progress=False)
                times[backend].append(time.perf_counter() - t0)
                cpu1 = _cpu()
                cpu[backend].append((cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]))
                assert result.failed == 0, result.runs["error"].unique()
                tables[backend] = (out / "runs.csv").read_bytes()
    load_after = os.getloadavg()
    identical = tables["serial"] == tables["processes"]
    best = {k: min(v) for k, v in times.items()}
    speedup = best["serial"] / best["processes"]
    figures = {
        "benchmark": "sweep", "sim_version": __version__,
        "python": platform.python_version(), "machine": platform.machine(),
        "cores_available": available_cores(), "workers": args.workers, "runs": n,
        "repeat": args.repeat,
        "serial_wall_s": round(best["serial"], 3),
        "processes_wall_s": round(best["processes"], 3),
        "serial_s_per_run": round(best["serial"] / n, 3),
        "speedup": round(speedup, 3),
        "tables_identical": identical,
        # CPU seconds (coordinator, worker processes): with processes the work is the
        # same as serially plus overhead; on a busy machine the wall-time speed-up is
        # capped by the cores the other load leaves, the CPU split is not.
        "serial_cpu_s": round(cpu["serial"][-1][0], 3),
        "processes_coordinator_cpu_s": round(cpu["processes"][-1][0], 3),
        "processes_workers_cpu_s": round(cpu["processes"][-1][1], 3),
        # what the wall-time speed-up would be on idle cores: the workers' CPU spread
        # over the workers, plus the coordinator's own CPU (writing, collecting)
        "cpu_bound_speedup": round(cpu["serial"][-1][0] / max(
            1e-9, cpu["processes"][-1][1] / args.workers + cpu["processes"][-1][0]), 3),
        "loadavg_1min_before": round(load_before[0], 2),
        "loadavg_1min_after": round(load_after[0], 2),
    }
    print(f"sweep of {n} runs ({best['serial'] / n:.2f} s each serially), "
          f"{args.workers} worker processes, best of {args.repeat}:")
    print(f"  serial    {best['serial']:7.2f} s")
    print(f"  processes {best['processes']:7.2f} s  -> speed-up {speedup:.2f}x "
          f"(tables identical: {identical})")
    print(f"  CPU: serial {figures['serial_cpu_s']:.1f} s; processes "
          f"{figures['processes_coordinator_cpu_s']:.1f} s coordinator + "
          f"{figures['processes_workers_cpu_s']:.1f} s in workers")
    print(f"  load average (1 min) {load_before[0]:.2f} before, {load_after[0]:.2f} after, "
          f"on {available_cores()} available cores")
    print(f"  speed-up the CPU split allows on {args.workers} idle cores: "
          f"{figures['cpu_bound_speedup']:.2f}x (serial CPU / (worker CPU / workers + "
          "coordinator CPU)); the wall-time figure above reaches it only when the load "
          "average leaves the cores free")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
