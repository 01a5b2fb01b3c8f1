#!/usr/bin/env python3
"""CPU time of one scenario run in two trees, side by side: is a change slower?

Runs ``run_sim.py run SCENARIO --no-plots --quiet`` alternately in a base tree and in
this tree, each in a fresh process, and reports the child processes' CPU seconds (user +
system: imports, build, simulation, metrics and CSVs) per run, best and median, and the
ratio head / base. Alternating the trees in one session is what makes the ratio fair on
a noisy machine: both trees see the same load.

    python benchmarks/ab.py --base REF [SCENARIO] [--repeat K] [--set PATH=VALUE ...]

``--base REF`` adds a temporary ``git worktree`` at REF (removed afterwards).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cpu_of_run(tree: Path, scenario: str, sets: list[str], out: Path) -> float:
    """CPU seconds (user + system) of one ``run_sim.py run`` in ``tree``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cmd = [sys.executable, str(tree / "run_sim.py"), "run", scenario, "--no-plots",
           "--quiet", "--out", str(out)]
    for item in sets:
        cmd += ["--set", item]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    subprocess.run(cmd, cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("scenario", nargs="?", default="scenarios/hema_city.yaml")
    p.add_argument("--base", required=True, help="git commit, branch or tag to compare to")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE")
    args = p.parse_args()
    if args.repeat < 1:
        print("error: --repeat must be >= 1", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="omnisim-ab-") as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base),
                        args.base], check=True, stdout=subprocess.DEVNULL)
        try:
            times: dict[str, list[float]] = {"base": [], "head": []}
            for i in range(args.repeat):
                order = (("base", base), ("head", ROOT))
                for name, tree in order if i % 2 == 0 else order[::-1]:
                    out = Path(tmp) / f"{name}-{i}"
                    times[name].append(cpu_of_run(tree, args.scenario, args.set, out))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(base)], check=True, stdout=subprocess.DEVNULL)
    for name, xs in times.items():
        print(f"{name}: best {min(xs):.3f} s, median {statistics.median(xs):.3f} s CPU "
              f"({', '.join(f'{x:.2f}' for x in xs)})")
    print(f"head / base: best {min(times['head']) / min(times['base']):.3f}, median "
          f"{statistics.median(times['head']) / statistics.median(times['base']):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
