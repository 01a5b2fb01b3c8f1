#!/usr/bin/env python3
"""Time a robot warehouse scenario in both traffic modes, and sweep the robot count.

Prints simulated robot-hours per wall second (robots x simulated hours / wall seconds of
building and running the model and computing its metrics) for each traffic mode, with
the visits and items picked; ``--sweep`` runs the scenario for several robot counts and
reports items picked per hour against robots (and draws the curve with ``--plot``).
``--json FILE`` writes the figures as JSON.

    python benchmarks/warehouse.py [SCENARIO] [--modes abstract,grid] [--set PATH=VALUE]
        [--seed N] [--json F]
    python benchmarks/warehouse.py [SCENARIO] --sweep 50,100,200,400 [--modes abstract]
        [--plot curve.png] [--json F]

Default scenario: scenarios/cainiao_warehouse.yaml (700 robots, an 8-hour shift).
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
from sim.metrics import MetricContext, compute_metrics
from sim.model import Model
from sim.scenario import Scenario, read_scenario


def load(path: str, overrides: list[str], mode: str, robots: int | None = None) -> Scenario:
    """The scenario with ``overrides``, in traffic ``mode`` (its own settings kept if it is
    already in that mode), with ``robots`` robots if given."""
    extra = [] if robots is None else [f"warehouses[0].robots.count={robots}"]
    sc = read_scenario(path, [*overrides, *extra])
    if sc.warehouses[0].traffic.mode != mode:
        sc = read_scenario(path, [*overrides, *extra, f"warehouses[0].traffic={mode}"])
    return sc


def time_run(scenario: Scenario, seed: int | None) -> dict[str, Any]:
    """Build, run and measure once; the figures of the first warehouse."""
    t0 = time.perf_counter()
    model = Model(scenario, seed)
    t1 = time.perf_counter()
    records = model.run()
    metrics = compute_metrics(records, MetricContext.of(scenario))
    t2 = time.perf_counter()
    wh = model.warehouses[0]
    spec = scenario.warehouses[0]
    hours = (scenario.run.stop - scenario.run.start) / 3600
    robot_hours = spec.robots.count * hours
    m = metrics["warehouses"][wh.name]
    out = {
        "mode": spec.traffic.mode,
        "robots": spec.robots.count,
        "stations": len(wh.stations),
        "simulated_hours": hours,
        "wall_s_build": round(t1 - t0, 3),
        "wall_s_total": round(t2 - t0, 3),
        "robot_hours_per_wall_s": round(robot_hours / (t2 - t0), 2),
        "visits": len(records["wh_visits"]),
        "items_per_hour": m["items_per_hour"],
        "items_per_station_hour": m["items_per_station_hour"],
        "station_utilisation": m["station_utilisation"]["mean"],
        "congestion_s_per_trip": m["congestion_s_per_trip"],
        "robot_time_share": m["robot_time_share"],
        "littles_law_gap": m["littles_law"]["gap"],
    }
    traffic = wh.traffic
    if hasattr(traffic, "schedules"):
        out["grid"] = {"schedules": traffic.schedules, "fallbacks": traffic.fallbacks,
                       "deadlocks_resolved": traffic.deadlocks, "staged": traffic.staged}
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("scenario", nargs="?", default="scenarios/cainiao_warehouse.yaml")
    p.add_argument("--modes", default="abstract,grid", help="traffic modes to time")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE")
    p.add_argument("--sweep", help="comma-separated robot counts: throughput vs robots")
    p.add_argument("--plot", help="with --sweep: write the curve to this PNG")
    p.add_argument("--json", help="write the figures to this JSON file")
    args = p.parse_args()

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    figures: dict[str, Any] = {
        "scenario": args.scenario, "sim_version": __version__,
        "python": platform.python_version(), "machine": platform.machine(),
        "cpus": os.cpu_count(), "load_average_1min_at_start": os.getloadavg()[0],
        "overrides": args.set,
    }
    if args.sweep:
        counts = [int(c) for c in args.sweep.split(",")]
        curves: dict[str, list[dict[str, Any]]] = {}
        for mode in modes:
            curves[mode] = []
            for n in counts:
                sc = load(args.scenario, args.set, mode, n)
                r = time_run(sc, args.seed)
                curves[mode].append(r)
                print(f"{mode:8s} {n:5d} robots: {r['items_per_hour']:9.0f} items/h "
                      f"({r['items_per_station_hour']:.0f} per station-hour), "
                      f"wall {r['wall_s_total']:.1f} s")
        figures["sweep"] = curves
        if args.plot:
            from sim.report.warehouse_plots import plot_throughput_curve, save

            sc = read_scenario(args.scenario, args.set)
            per_item = sc.warehouses[0].stations.pick_time_per_item
            from sim.core.sampling import sampler

            bound = 3600 / sampler(per_item).mean * curves[modes[0]][0]["stations"]
            ax = plot_throughput_curve(
                {m: [(r["robots"], r["items_per_hour"]) for r in rs] for m, rs in curves.items()},
                bound)
            save(ax, Path(args.plot))
            print(f"curve: {args.plot}")
    else:
        for mode in modes:
            sc = load(args.scenario, args.set, mode)
            r = time_run(sc, args.seed)
            figures[mode] = r
            print(f"{mode}: {r['robots']} robots x {r['simulated_hours']:g} h in "
                  f"{r['wall_s_total']:.1f} s (build {r['wall_s_build']:.1f} s) -> "
                  f"{r['robot_hours_per_wall_s']:.1f} robot-hours per wall second; "
                  f"{r['visits']} pod visits, {r['items_per_hour']:.0f} items/h, "
                  f"congestion {r['congestion_s_per_trip']:.1f} s per trip")
    figures["load_average_1min_at_end"] = os.getloadavg()[0]
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
