#!/usr/bin/env python3
"""Check that a change left every output byte-identical: the same runs in two trees.

A refactor or speed-up that should not change results proves it with this script. It
runs one fixed set in each tree -- every shipped scenario (the default day in full, the
others cut to a short window) and every shipped experiment through the experiments API
(two replications, half an hour of demand, tables without figures as ``run_sim.py sweep``
writes by default) -- and compares the two output folders file by
file. Every file except ``wallclock.json`` (wall-clock seconds) must be byte-identical.

    python benchmarks/output_identity.py --base REF        # REF: a commit, branch or tag
    python benchmarks/output_identity.py --base-tree DIR   # another checkout, e.g. the
                                                           # original code
    python benchmarks/output_identity.py --golden          # rewrite tests/golden/...

``--base REF`` adds a temporary ``git worktree`` at REF (removed afterwards); both trees
run the set of *this* script, each importing its own ``sim``. ``--no-plots`` leaves the
figures out (faster; plots are also compared by default). ``--keep DIR`` keeps the two
output folders (``DIR/base``, ``DIR/head``). Exit code 0 when identical, 1 when any file
differs or is missing on one side, 2 on bad usage.

``--golden`` rewrites ``tests/golden/default_day.sha256``: the sha256 of each file the
default day writes (CSVs, ``metrics.json``, the resolved scenario; not the figures,
whose bytes depend on the matplotlib version, nor ``wallclock.json``), which
``tests/test_output_identity.py`` checks. Run it, and commit the file, when a change
alters the default day's outputs on purpose.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path("tests") / "golden" / "default_day.sha256"
IGNORED = frozenset({"wallclock.json"})  # wall-clock seconds: differ between runs
DEFAULT_DAY = "scenarios/hema_city.yaml"

SHORT = ("run.start=10:00", "run.duration=1h", "run.warmup=15min", "run.drain=30min")
"""The short window the long scenarios and the experiments are cut to."""
ONE_DAY = ("run.date=2026-11-11", "run.days=1")
"""Multi-day scenarios and experiments (Singles' Day) are cut to their event day."""
SINGLES_DAY = (*ONE_DAY, "run.start=00:00", "run.duration=1h", "run.warmup=15min",
               "run.drain=30min")
"""Singles' Day cut to the sale's first hour (the midnight rush under the surge)."""


@dataclass(frozen=True)
class ScenarioCase:
    """One shipped scenario run: its output folder name, file and overrides."""

    name: str
    file: str
    overrides: tuple[str, ...] = ()


SCENARIOS = (
    ScenarioCase("hema_city_day", DEFAULT_DAY),
    ScenarioCase("hema_policies", "scenarios/hema_policies.yaml", SHORT),
    ScenarioCase("drones", "scenarios/drones.yaml", SHORT),
    ScenarioCase("cainiao_warehouse", "scenarios/cainiao_warehouse.yaml",
                 ("run.start=08:00", "run.duration=1h", "run.warmup=15min",
                  "run.drain=30min")),
    ScenarioCase("singles_day", "scenarios/singles_day.yaml", SINGLES_DAY),
    ScenarioCase("helsinki", "scenarios/helsinki.yaml", SHORT),
)
EXPERIMENTS = "scenarios/experiments"
EXPERIMENT_WINDOW = ("run.start=10:00", "run.duration=30min", "run.warmup=10min",
                     "run.drain=30min")
"""The shorter window of the experiments' runs (many runs each)."""
EXPERIMENT_REPLICATIONS = 2


def _override_map(items: Sequence[str]) -> dict[str, str]:
    return dict(item.split("=", 1) for item in items)


def record(tree: Path, out: Path, plots: bool, only_default_day: bool = False) -> None:
    """Run the set with the ``sim`` of ``tree`` and write every output under ``out``.

    Runs in this process after putting ``tree`` first on the import path; paths are
    relative to ``tree`` (the working folder meanwhile), so recorded files that name a
    scenario file name it the same way in both trees.
    """
    out = out.resolve()
    os.chdir(tree)
    sys.path.insert(0, str(tree))
    import yaml

    from sim.experiments.loading import validate_experiment
    from sim.experiments.plan import plan_experiment
    from sim.experiments.sweep import execute_plan
    from sim.runner import run, write_run
    from sim.scenario.loading import read_scenario

    cases = SCENARIOS[:1] if only_default_day else SCENARIOS
    for case in cases:
        if not Path(case.file).is_file():  # a scenario newer than this tree
            print(f"  {tree}: {case.name} skipped ({case.file} not in this tree)",
                  file=sys.stderr)
            continue
        scenario = read_scenario(case.file, case.overrides)
        write_run(run(scenario), out / "scenarios" / case.name, plots=plots)
        print(f"  {tree}: {case.name} ({time.process_time():.0f} s CPU so far)", file=sys.stderr)
    if only_default_day:
        return
    for file in sorted(Path(EXPERIMENTS).glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        # the experiment's own overrides first, then the short window (warehouse
        # experiments keep their own start time: their demand is shaped by the shift)
        over = dict(data.get("overrides") or {})
        short = _override_map(EXPERIMENT_WINDOW)
        if "run.start" in over:
            short.pop("run.start")
        if _multi_day(file, data):
            short.update(_override_map(ONE_DAY))
        over.update(short)
        data["overrides"] = over
        data["replications"] = EXPERIMENT_REPLICATIONS
        data.pop("warmup", None)  # the short window sets run.warmup
        spec = validate_experiment(data, str(file), base_dir=file.parent)
        execute_plan(plan_experiment(spec), out / "experiments" / file.stem, "serial",
                     output="tables", plots=False, progress=False)
        print(f"  {tree}: experiment {file.stem} ({time.process_time():.0f} s CPU so far)",
              file=sys.stderr)


def _multi_day(file: Path, experiment: dict[str, object]) -> bool:
    """True when the experiment's scenario covers several days (it is cut to one)."""
    import yaml

    scenario = yaml.safe_load((file.parent / str(experiment["scenario"])).read_text(
        encoding="utf-8"))
    run = scenario.get("run") or {}
    return int(run.get("days", 1)) > 1


def files_of(folder: Path) -> dict[str, Path]:
    """Every compared file under ``folder`` by its relative path."""
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name not in IGNORED}


def _case(key: str) -> str:
    """The run a compared file belongs to: ``scenarios/NAME`` or ``experiments/NAME``."""
    return "/".join(key.split("/")[:2])


def compare(base: Path, head: Path) -> list[str]:
    """One line per file that differs, or exists on one side only. A scenario or
    experiment that only one tree has (added or removed by the change) cannot be
    compared: it is named on stderr, not counted as a difference."""
    a, b = files_of(base), files_of(head)
    cases_a, cases_b = {_case(k) for k in a}, {_case(k) for k in b}
    for case in sorted(cases_a ^ cases_b):
        side = "base" if case in cases_a else "head"
        print(f"not compared: {case} (only the {side} tree has it)", file=sys.stderr)
    a = {k: v for k, v in a.items() if _case(k) in cases_b}
    b = {k: v for k, v in b.items() if _case(k) in cases_a}
    problems = [f"only in base: {k}" for k in sorted(a.keys() - b.keys())]
    problems += [f"only in head: {k}" for k in sorted(b.keys() - a.keys())]
    problems += [f"differs: {k}" for k in sorted(a.keys() & b.keys())
                 if a[k].read_bytes() != b[k].read_bytes()]
    return problems


def golden_lines(folder: Path) -> list[str]:
    """``sha256  path`` lines of the default day's files the golden file pins."""
    return [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {k}"
            for k, p in files_of(folder).items() if not k.endswith(".png")]


def _record_in(tree: Path, out: Path, plots: bool) -> None:
    """Record the set in a fresh interpreter (so each tree's ``sim`` is imported once)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--record", str(tree), str(out)]
    if not plots:
        cmd.append("--no-plots")
    subprocess.run(cmd, check=True)


def _git(*args: str) -> None:
    subprocess.run(["git", "-C", str(ROOT), *args], check=True, stdout=subprocess.DEVNULL)


def check(base: str | None, base_tree: Path | None, plots: bool, keep: Path | None) -> int:
    """Record the set in the base and in this tree and report every differing file."""
    with tempfile.TemporaryDirectory(prefix="omnisim-identity-") as tmp:
        work = keep if keep is not None else Path(tmp)
        if keep is not None and keep.exists() and any(keep.iterdir()):
            print(f"error: --keep {keep}: not empty", file=sys.stderr)
            return 2
        added = None
        if base is not None:
            added = Path(tmp) / "base-tree"
            _git("worktree", "add", "--detach", str(added), base)
            base_tree = added
        assert base_tree is not None
        try:
            _record_in(base_tree, work / "base", plots)
            _record_in(ROOT, work / "head", plots)
        finally:
            if added is not None:
                _git("worktree", "remove", "--force", str(added))
        problems = compare(work / "base", work / "head")
        n = len(files_of(work / "head"))
    for line in problems:
        print(line)
    print(f"{n} files compared ({', '.join(sorted(IGNORED))} ignored): "
          + ("identical" if not problems else f"{len(problems)} differ"))
    return 1 if problems else 0


def write_golden() -> int:
    """Run the default day in this tree and rewrite the golden hash file."""
    with tempfile.TemporaryDirectory(prefix="omnisim-golden-") as tmp:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--record", str(ROOT), tmp,
               "--no-plots", "--default-day"]
        subprocess.run(cmd, check=True)
        lines = golden_lines(Path(tmp) / "scenarios" / SCENARIOS[0].name)
    target = ROOT / GOLDEN
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN} ({len(lines)} files)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--base", metavar="REF", help="git ref to compare this tree with")
    which.add_argument("--base-tree", type=Path, metavar="DIR",
                       help="another checkout to compare this tree with")
    which.add_argument("--golden", action="store_true",
                       help=f"rewrite {GOLDEN} from this tree's default day")
    which.add_argument("--record", nargs=2, type=Path, metavar=("TREE", "OUT"),
                       help="only record the set with TREE's code into OUT")
    p.add_argument("--no-plots", action="store_true", help="leave the figures out")
    p.add_argument("--default-day", action="store_true",
                   help="with --record: only the default day")
    p.add_argument("--keep", type=Path, metavar="DIR", help="keep the outputs in DIR")
    args = p.parse_args(argv)
    if args.record:
        tree, out = args.record
        record(tree.resolve(), out, not args.no_plots, args.default_day)
        return 0
    if args.golden:
        return write_golden()
    base_tree = args.base_tree.resolve() if args.base_tree else None
    return check(args.base, base_tree, not args.no_plots, args.keep)


if __name__ == "__main__":
    sys.exit(main())
