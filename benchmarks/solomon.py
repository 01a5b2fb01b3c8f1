#!/usr/bin/env python3
"""Solve Solomon VRPTW instances and compare with the best-known solutions.

For every instance in DIR (``NAME.txt`` with ``NAME.sol``): check that the independent
checker recomputes the best-known route set's cost exactly as the ``.sol`` file states
(and finds it feasible), solve the instance with a wall-clock budget, check the plan with
the checker, and print instance, best known, found, gap %, routes and seconds; then the
mean gap per class (C1, C2, R1, R2, RC1, RC2) and overall. Costs follow the DIMACS
convention (distances truncated to one decimal; see sim/routing/solomon.py). The time
limit is wall clock (this is a benchmark, not a simulation), so results vary a little
with the machine and its load.

    python benchmarks/solomon.py DIR [--solver ortools|pyvrp] [--time-limit S]
        [--instances C101,R101,...] [--json FILE]
        [--first-solution NAME] [--metaheuristic NAME] [--operators lean|all]
        [--gls-lambda X] [--param TEXT] [--seed N]

OR-Tools defaults (tuned on Solomon at 2 s, see docs/routing.md): savings first solution,
OR-Tools' iterated local search (ruin and recreate) with greedy acceptance, and the lean
set of local search operators.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.routing.checker import check_plan
from sim.routing.solomon import plan_of, read_instance, read_solution, tenths
from sim.routing.solvers import LEAN_OPERATORS, make_solver

GROUPS = ("C1", "C2", "R1", "R2", "RC1", "RC2")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dir", help="folder with NAME.txt and NAME.sol files")
    p.add_argument("--solver", choices=("ortools", "pyvrp"), default="ortools")
    p.add_argument("--time-limit", type=float, default=2.0, help="seconds per instance")
    p.add_argument("--instances", help="comma-separated names (default: all in DIR)")
    p.add_argument("--json", help="write the rows to this JSON file")
    p.add_argument("--first-solution", default="SAVINGS",
                   help="OR-Tools first solution strategy")
    p.add_argument("--metaheuristic", default="ITERATED_LOCAL_SEARCH",
                   help="OR-Tools local search metaheuristic (or ITERATED_LOCAL_SEARCH)")
    p.add_argument("--operators", choices=("lean", "all"), default="lean",
                   help="OR-Tools local search operators: the classic ones (lean, cheaper "
                   "per iteration) or OR-Tools' default set (all)")
    p.add_argument("--gls-lambda", type=float, default=None,
                   help="OR-Tools guided local search lambda coefficient")
    p.add_argument("--param", action="append", default=[], metavar="TEXT",
                   help="extra OR-Tools search parameter in protobuf text form "
                   "(repeatable), e.g. 'ls_operator_neighbors_ratio: 0.3'")
    p.add_argument("--seed", type=int, default=0, help="PyVRP seed")
    args = p.parse_args()

    folder = Path(args.dir)
    if args.instances:
        names = [n.strip() for n in args.instances.split(",") if n.strip()]
    else:
        names = sorted(f.stem for f in folder.glob("*.txt") if f.with_suffix(".sol").exists())
    if not names:
        print(f"error: no instances in {folder}", file=sys.stderr)
        return 2
    if args.solver == "ortools":
        ops = [LEAN_OPERATORS] if args.operators == "lean" else []
        options = {"first_solution": args.first_solution, "metaheuristic": args.metaheuristic,
                   "gls_lambda": args.gls_lambda, "params": [*ops, *args.param]}
    else:
        options = {"seed": args.seed}
    solver = make_solver(args.solver, None, args.time_limit, **options)

    rows = []
    print(f"{'instance':9s} {'best':>8s} {'found':>8s} {'gap %':>7s} {'routes':>6s} "
          f"{'bks_rt':>6s} {'seconds':>7s}  feasible")
    for name in names:
        txt, sol = folder / f"{name}.txt", folder / f"{name}.sol"
        if not txt.exists() or not sol.exists():
            print(f"error: {name}: missing {txt} or {sol}", file=sys.stderr)
            return 2
        inst = read_instance(txt)
        problem = inst.problem()
        bks_routes, bks_cost = read_solution(sol)
        bks = check_plan(problem, plan_of(bks_routes, len(problem.jobs)))
        bks_recomputed = sum(r.distance for r in bks.routes)
        bks_ok = bks.feasible and tenths(bks_recomputed) == tenths(bks_cost)
        t0 = time.perf_counter()
        plan = solver.solve(problem)
        seconds = time.perf_counter() - t0
        check = check_plan(problem, plan)
        found = sum(r.distance for r in check.routes)
        feasible = check.feasible
        gap = (100 * (tenths(found) - tenths(bks_cost)) / tenths(bks_cost) if feasible
               else math.nan)
        row = {"instance": inst.name, "group": inst.group, "best_known": bks_cost,
               "found": round(found, 1), "gap_pct": round(gap, 3) if feasible else None,
               "routes": len(plan.routes), "best_known_routes": len(bks_routes),
               "seconds": round(seconds, 3), "feasible": feasible,
               "best_known_check": {"recomputed": round(bks_recomputed, 1),
                                    "matches": bks_ok}}
        rows.append(row)
        print(f"{inst.name:9s} {bks_cost:8.1f} {found:8.1f} {gap:7.2f} {len(plan.routes):6d} "
              f"{len(bks_routes):6d} {seconds:7.2f}  {'yes' if feasible else 'NO'}"
              + ("" if bks_ok else f"  (best known recomputed {bks_recomputed:.1f}!)"),
              flush=True)

    groups: dict[str, float | None] = {}
    for g in GROUPS:
        gaps = [r["gap_pct"] for r in rows if r["group"] == g and r["gap_pct"] is not None]
        if gaps:
            groups[g] = round(statistics.fmean(gaps), 3)
    all_gaps = [r["gap_pct"] for r in rows if r["gap_pct"] is not None]
    overall = round(statistics.fmean(all_gaps), 3) if all_gaps else None
    print("mean gap % per class: " + ", ".join(f"{g} {v:.2f}" for g, v in groups.items()))
    print(f"overall mean gap: {overall}% over {len(all_gaps)} of {len(rows)} instances "
          f"({sum(not r['feasible'] for r in rows)} infeasible); best-known costs reproduced "
          f"exactly: {sum(r['best_known_check']['matches'] for r in rows)}/{len(rows)}")
    if args.json:
        out = {"solver": args.solver, "time_limit_s": args.time_limit, "options": options,
               "python": platform.python_version(), "machine": platform.machine(),
               "load_average": list(os.getloadavg()), "rows": rows,
               "mean_gap_pct_by_class": groups, "mean_gap_pct": overall}
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
