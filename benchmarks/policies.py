#!/usr/bin/env python3
"""Run an experiment file's variants and replications serially and print its KPIs.

A stopgap comparison until the experiment runner lands: every variant x seed of the
experiment is run in this process (common random numbers: replication k uses the same
seed in every variant), and each KPI is printed as the mean over replications with a
95% confidence half-width, plus the paired difference to the base variant.

    python benchmarks/policies.py scenarios/experiments/policies.yaml [--seeds N]
        [--variant NAME ...] [--set PATH=VALUE ...] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from scipy.stats import t as student_t

from sim.experiments.spec import ExperimentSpec
from sim.runner import run
from sim.scenario.loading import apply_overrides as apply_sets
from sim.scenario.loading import load_yaml, read_text, validate_scenario


def dotted(metrics: dict[str, Any], path: str) -> float:
    """The metric at a dotted path, NaN when missing."""
    node: Any = metrics
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return math.nan
        node = node[part]
    return math.nan if node is None else float(node)


def as_sets(overrides: dict[str, Any]) -> list[str]:
    """Experiment overrides as ``--set`` items (JSON is YAML)."""
    return [f"{path}={json.dumps(value)}" for path, value in overrides.items()]


def half_width(x: np.ndarray) -> float:
    """95% confidence half-width of the mean of ``x``."""
    x = x[~np.isnan(x)]
    if x.size < 2:
        return math.nan
    return float(student_t.ppf(0.975, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("experiment")
    p.add_argument("--seeds", type=int, help="use only the first N replications")
    p.add_argument("--variant", action="append", help="run only these variants")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE")
    p.add_argument("--json", help="write every run's KPIs to this JSON file")
    args = p.parse_args()

    path = Path(args.experiment)
    spec = ExperimentSpec.model_validate(load_yaml(read_text(path), str(path)),
                                         context={"base_dir": path.resolve().parent})
    base_path = Path(spec.scenario)
    raw = load_yaml(read_text(base_path), str(base_path))
    seeds = spec.seed_list[: args.seeds] if args.seeds else spec.seed_list
    variants = spec.variants or {"base": {}}
    names = [v for v in variants if not args.variant or v in args.variant]
    base = spec.base or next(iter(variants))
    kpis = spec.kpis
    results: dict[str, list[dict[str, float]]] = {}
    for name in names:
        sets = as_sets(spec.overrides) + as_sets(variants[name]) + args.set
        scenario = validate_scenario(apply_sets(raw, sets), str(base_path),
                                     base_dir=base_path.resolve().parent)
        results[name] = []
        for seed in seeds:
            t0 = time.perf_counter()
            m = run(scenario, seed).metrics
            row = {k.metric: dotted(m, k.metric) for k in kpis}
            row["wall_s"] = time.perf_counter() - t0
            results[name].append(row)
            print(f"  {name} seed {seed}: {row['wall_s']:.1f} s", file=sys.stderr)
    print(f"{spec.name}: {len(seeds)} replication(s), seeds {seeds}")
    for k in kpis:
        print(f"\n{k.label or k.metric} ({k.better} is better)")
        ref = np.array([r[k.metric] for r in results.get(base, [])])
        for name in names:
            x = np.array([r[k.metric] for r in results[name]])
            line = f"  {name:22s} {np.nanmean(x):10.4f} ± {half_width(x):.4f}"
            if name != base and ref.size == x.size and ref.size:
                d = x - ref
                line += f"   vs {base}: {np.nanmean(d):+.4f} ± {half_width(d):.4f}"
            print(line)
    if args.json:
        Path(args.json).write_text(json.dumps({"experiment": spec.name, "seeds": seeds,
                                               "runs": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
