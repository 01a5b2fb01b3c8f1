"""Run the mutation fuzzer from the command line and print the counts per outcome.

``python -m tests.fuzz --validate 500 --runs 20 --seed 7`` validates 500 seeded one-field
mutations of the shipped scenarios (in this process, or each in a child process with
``--subprocess``) and runs 20 others for a short horizon in child processes (with
``--accepted``: the first 20 that ``validate`` accepts, the ones that reach run time);
with ``--check`` the invariant checker also reads the results of every run that exited 0
and reports the kinds of violations it found.
It prints one line per failure as it goes, then the counts per outcome and the failures
grouped by what went wrong; the exit status is 1 when anything failed.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from tests.fuzz.mutate import (
    FAILED,
    OK,
    Outcome,
    accepted_sample,
    counts,
    run_subprocess,
    sample,
    validate_in_process,
)


def _group(problem: str) -> str:
    """What a failure has in common with others like it: its text with numbers as ``N``,
    up to the first quoted value (all of it for broken invariants)."""
    text = re.sub(r"\d+(\.\d+)?", "N", problem)
    if text.startswith("invariants broken"):
        return text
    return text.split("'")[0].split('"')[0][:90].rstrip()


def _summary(title: str, outcomes: Sequence[Outcome], seconds: float) -> list[str]:
    """Counts per outcome, time per mutation and failures grouped by their kind."""
    c = counts(outcomes)
    n = max(len(outcomes), 1)
    lines = [f"{title}: {len(outcomes)} mutations in {seconds:.0f} s "
             f"({seconds / n:.2f} s each): {c[OK]} exit 0, {c['exit 2']} clean exit 2, "
             f"{c[FAILED]} failures"]
    kinds = Counter(_group(o.problem) for o in outcomes if o.problem)
    lines += [f"  {k:5d} x {what}" for what, k in kinds.most_common()]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Fuzz, print the counts per outcome; exit 1 when a mutation broke the contract."""
    p = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.splitlines()[0])
    p.add_argument("--validate", type=int, default=200, help="mutations to validate")
    p.add_argument("--runs", type=int, default=10, help="mutations to run (20-minute horizon)")
    p.add_argument("--seed", type=int, default=18, help="seed of the sample")
    p.add_argument("--subprocess", action="store_true",
                   help="validate each mutation in a child process (slower, exact)")
    p.add_argument("--skip-kind", action="append", default=[], metavar="KIND",
                   help="leave out mutations whose kind starts with KIND (repeatable), "
                        "e.g. to look past a known defect")
    p.add_argument("--accepted", action="store_true",
                   help="run only mutations that validate accepts (they reach run time)")
    p.add_argument("--check", action="store_true",
                   help="run the invariant checker over every run that exited 0")
    args = p.parse_args(argv)
    lines: list[str] = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="omnisim-fuzz-") as tmp:
        base = Path(tmp)
        for command, n, skip in (("validate", args.validate, ()), ("run", args.runs, ("run",))):
            outcomes: list[Outcome] = []
            t0 = time.perf_counter()
            if command == "run" and args.accepted:
                mutations = accepted_sample(n, args.seed, base / "accept",
                                            skip_kinds=tuple(args.skip_kind))
            else:
                mutations = sample(n, args.seed, skip_prefixes=skip,
                                   skip_kinds=tuple(args.skip_kind))
            for i, mutation in enumerate(mutations):
                folder = base / f"{command}-{i:05d}"
                folder.mkdir()
                if command == "validate" and not args.subprocess:
                    outcome = validate_in_process(mutation, folder)
                else:
                    outcome = run_subprocess(mutation, command, folder,
                                             out=None if i % 2 else "out")
                outcome = _checked(outcome, folder) if args.check else outcome
                if outcome.problem:
                    print(outcome.describe(), flush=True)
                outcomes.append(outcome)
            failed |= any(o.category == FAILED for o in outcomes)
            lines += _summary(command, outcomes, time.perf_counter() - t0)
    print("\n".join(lines))
    return 1 if failed else 0


def _checked(outcome: Outcome, folder: Path) -> Outcome:
    """``outcome`` with the kinds of invariant violations (numbers as ``N``) as its
    problem, for a run that exited 0."""
    if outcome.command != "run" or outcome.code != 0 or outcome.problem:
        return outcome
    from tests.invariants.checker import check_run

    results = sorted(folder.glob("out/metrics.json")) + sorted(
        folder.glob("results/*/*/metrics.json"))
    violations = check_run(results[0].parent, limit=None)
    if not violations:
        return outcome
    kinds = Counter(re.sub(r"\d+(\.\d+)?", "N", v) for v in violations)
    problem = "invariants broken: " + "; ".join(f"{k} (x{n})" for k, n in sorted(kinds.items()))
    return Outcome(outcome.mutation, outcome.command, outcome.code, outcome.stderr,
                   outcome.seconds, problem)


if __name__ == "__main__":
    sys.exit(main())
