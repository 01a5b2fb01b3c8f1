#!/usr/bin/env python3
"""CPU of ``env.run`` with Python's cyclic garbage collector on and off, at 1x-25x demand.

The default city (``scenarios/hema_city.yaml``) with its online and walk-in demand, its
pickers and couriers all multiplied by k, played out with the collector enabled (as the
original code did) and paused (as ``sim.runner.run`` now does); each measurement runs in
a fresh interpreter, the two modes interleaved, best of ``--repeat``. Prints the CPU
seconds of ``env.run`` alone, the collector's share and the load average.

    python benchmarks/gc_pause.py [--scales 1,5,25] [--repeat 2] [--window HH:MM-HH:MM]

``--window`` cuts the day (for example ``10:00-16:00`` keeps 25x demand affordable);
by default the whole day is played.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "scenarios/hema_city.yaml"


def overrides(k: float, window: str | None) -> list[str]:
    """Demand and the resources serving it multiplied by ``k`` (and the window)."""
    out = [f"demand.online.orders_per_day={20000 * k:g}",
           f"store_defaults.walkins_per_day={3000 * k:g}",
           f"store_defaults.pickers={math.ceil(22 * k)}",
           f"store_defaults.couriers.count={math.ceil(90 * k)}"]
    if window:
        start, stop = window.split("-")
        hours = (int(stop[:2]) * 60 + int(stop[3:5]) - int(start[:2]) * 60 - int(start[3:5]))
        out += [f"run.start={start}", f"run.duration={hours}min",
                f"run.warmup={min(60, hours // 4)}min", "run.drain=1h"]
    return out


def child(k: float, window: str | None, collect: bool) -> dict[str, float]:
    """In this process: CPU seconds of env.run with the collector on or off."""
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    from sim.model import Model
    from sim.scenario import read_scenario

    scenario = read_scenario(SCENARIO, overrides(k, window))
    model = Model(scenario, scenario.seed)
    env = model.env
    model.start()
    gc.collect()
    if not collect:
        gc.disable()
    t0 = time.process_time()
    env.run(until=scenario.run.stop)
    cpu = time.process_time() - t0
    return {"env_run_cpu_s": cpu, "orders": float(len(model.flow.orders))}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scales", default="1,5,25", help="demand multipliers, comma-separated")
    p.add_argument("--repeat", type=int, default=2, help="runs per mode (best kept)")
    p.add_argument("--window", help="HH:MM-HH:MM: play only this part of the day")
    p.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        k, mode = args.child
        print(json.dumps(child(float(k), args.window, mode == "on")))
        return 0
    load = os.getloadavg()
    print(f"env.run CPU, collector on vs off; window {args.window or 'whole day'}; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    for k in args.scales.split(","):
        best = {"on": math.inf, "off": math.inf}
        orders = 0.0
        for _ in range(args.repeat):
            for mode in ("on", "off"):
                cmd = [sys.executable, str(Path(__file__).resolve()), "--child", k, mode]
                if args.window:
                    cmd += ["--window", args.window]
                done = subprocess.run(cmd, capture_output=True, text=True, check=True)
                row = json.loads(done.stdout.strip().splitlines()[-1])
                best[mode] = min(best[mode], row["env_run_cpu_s"])
                orders = row["orders"]
        share = 1 - best["off"] / best["on"]
        print(f"  {k:>3}x demand ({orders:.0f} orders): collector on {best['on']:.2f} s, "
              f"off {best['off']:.2f} s -> the collector is {share:.0%} of env.run "
              f"({best['on'] / best['off']:.2f}x); µs per order {best['on'] / orders * 1e6:.0f}"
              f" -> {best['off'] / orders * 1e6:.0f}", flush=True)
    load = os.getloadavg()
    print(f"  load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
