#!/usr/bin/env python3
"""Cost per order at city scale: CPU and peak memory per order at 1k to 100k orders.

One store of ``scenarios/hema_city.yaml`` (the centre) for a whole day, its demand set
to N online orders per day and everything that serves it scaled with N from the
default store (~4,000 orders, 22 pickers, 90 couriers, 3,000 walk-ins a day): so every
size is the same store day, only bigger, and a flat cost per order is the target. Each
size runs in a fresh interpreter and reports, per order,

* CPU of the simulation (build, ``env.run``, records to tables, metrics) and of writing
  (the record CSVs and ``metrics.json``), best of ``--repeat``;
* peak memory (``tracemalloc``: Python objects, numpy and pandas buffers) above what was
  allocated before the phase, in a separate untimed pass (tracing slows the run).

    python benchmarks/scale.py [--orders 1000,10000,100000] [--repeat 1] [--no-memory]
        [--tree DIR] [--json FILE]

``--tree DIR`` measures another checkout's code (e.g. the original) with the same
driver, for a side-by-side ratio. The load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "scenarios/hema_city.yaml"
BASE_ORDERS = 4000  # the default store's online orders per day
BASE_PICKERS, BASE_COURIERS, BASE_WALKINS = 22, 90, 3000


def overrides(orders: int) -> list[str]:
    """The one-store day at ``orders`` online orders, with its resources scaled."""
    k = orders / BASE_ORDERS
    return [
        "stores=[{name: centre, location: [4km, 4km]}]",
        f"demand.online.orders_per_day={orders}",
        f"store_defaults.pickers={max(1, math.ceil(BASE_PICKERS * k))}",
        f"store_defaults.couriers.count={max(1, math.ceil(BASE_COURIERS * k))}",
        f"store_defaults.walkins_per_day={BASE_WALKINS * k:g}",
    ]


def measure(tree: Path, orders: int, repeat: int, memory: bool) -> dict[str, Any]:
    """In this process: CPU seconds and peak bytes of simulating and writing one size."""
    os.chdir(tree)
    sys.path.insert(0, str(tree))
    from sim.runfolder import METRICS
    from sim.runner import run, write_tables
    from sim.scenario import read_scenario

    scenario = read_scenario(SCENARIO, overrides(orders))
    sim_cpu, write_cpu, created = math.inf, math.inf, 0
    for _ in range(repeat):
        t0 = time.process_time()
        result = run(scenario)
        t1 = time.process_time()
        with tempfile.TemporaryDirectory(prefix="omnisim-scale-") as tmp:
            write_tables(result.records, Path(tmp))
            (Path(tmp) / METRICS).write_text(json.dumps(result.metrics, indent=2) + "\n",
                                             encoding="utf-8")
        t2 = time.process_time()
        sim_cpu, write_cpu = min(sim_cpu, t1 - t0), min(write_cpu, t2 - t1)
        created = len(result.records["orders"])
        del result
    out: dict[str, Any] = {"orders_per_day": orders, "orders": created,
                           "sim_cpu_s": sim_cpu, "write_cpu_s": write_cpu}
    if memory:
        import gc
        import tracemalloc

        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        result = run(scenario)
        held, peak = tracemalloc.get_traced_memory()
        out["sim_peak_bytes"] = peak - before
        tracemalloc.reset_peak()
        with tempfile.TemporaryDirectory(prefix="omnisim-scale-") as tmp:
            write_tables(result.records, Path(tmp))
        out["write_peak_bytes"] = tracemalloc.get_traced_memory()[1] - held
        tracemalloc.stop()
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--orders", default="1000,10000,100000",
                   help="online orders per store per day, comma-separated")
    p.add_argument("--repeat", type=int, default=1, help="timed runs per size (best kept)")
    p.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass")
    p.add_argument("--tree", type=Path, default=ROOT, help="checkout whose code to measure")
    p.add_argument("--json", help="write the figures to this JSON file")
    p.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    tree = args.tree.resolve()
    if args.child is not None:
        print(json.dumps(measure(tree, args.child, args.repeat, not args.no_memory)))
        return 0

    sizes = [int(x) for x in args.orders.split(",")]
    load = os.getloadavg()
    print(f"{tree}: one store day of {SCENARIO}, resources scaled with demand; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on "
          f"{os.cpu_count()} cores")
    print(f"{'orders/day':>10} {'orders':>8} {'sim µs/order':>13} {'write µs/order':>15} "
          f"{'sim KB/order':>13} {'write KB/order':>15}")
    rows = []
    for n in sizes:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(n),
               "--repeat", str(args.repeat), "--tree", str(tree)]
        if args.no_memory:
            cmd.append("--no-memory")
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        row = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(row)
        per = row["orders"]
        mem = (f"{row['sim_peak_bytes'] / per / 1024:13.2f} "
               f"{row['write_peak_bytes'] / per / 1024:15.2f}"
               if "sim_peak_bytes" in row else f"{'-':>13} {'-':>15}")
        print(f"{n:>10} {per:>8} {row['sim_cpu_s'] / per * 1e6:13.1f} "
              f"{row['write_cpu_s'] / per * 1e6:15.1f} {mem}", flush=True)
    first, last = rows[0], rows[-1]
    for key, label in (("sim_cpu_s", "simulation"), ("write_cpu_s", "writing")):
        ratio = (last[key] / last["orders"]) / (first[key] / first["orders"])
        # the marginal cost per order (slope between sizes) leaves out the store's
        # fixed cost (catalogue, stock ledger, network), which the average spreads
        # over few orders at the small sizes
        slopes = [(b[key] - a[key]) / (b["orders"] - a["orders"]) * 1e6
                  for a, b in itertools.pairwise(rows) if b["orders"] > a["orders"]]
        marginal = ", ".join(f"{x:.1f}" for x in slopes)
        print(f"  {label}: average cost per order at {sizes[-1]} is {ratio:.2f}x that at "
              f"{sizes[0]} (target: within 1.10x); marginal µs per order between "
              f"sizes: {marginal}")
    load = os.getloadavg()
    print(f"  load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"tree": str(tree), "rows": rows,
                                               "loadavg_after": load}, indent=2) + "\n",
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
