"""The results folder of a sweep: its layout, and writing into it without half-results.

::

    RESULTS/
      plan.json               the design: cells, seeds, KPIs, base (enough to re-report)
      experiment.yaml         a copy of the experiment file, when there is one
      runs/<cell>/s<seed>/    one folder per run, as written by `run_sim.py run`
                              (scenario.resolved.yaml, metrics.json, CSVs), or with
                              error.txt instead of metrics.json when the run failed
      runs.csv                every run's factors, seed, status and metrics
      comparison.csv          per cell and KPI: mean, intervals, difference with the base
      report.html             the self-contained report
      .scratch/               temporary files of runs in progress (removed when done)

Every file and run folder is staged under a hidden name and renamed into place, so an
interrupted sweep leaves only complete runs (plus hidden leftovers that ``--resume``
removes), and a result is only replaced by a complete new one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Literal

from sim.experiments.plan import Design
from sim.outputs import (
    MARKER,
    FolderKind,
    atomic_folder,
    check_folder,
    clean_stale,
    is_complete,
    write_file,
)
from sim.runfolder import ERROR, METRICS
from sim.scenario.errors import ScenarioError

PLAN = "plan.json"
EXPERIMENT = "experiment.yaml"
RUNS_CSV = "runs.csv"
COMPARISON_CSV = "comparison.csv"
REPORT = "report.html"
SCRATCH = ".scratch"
"""Temporary files of the runs in progress (removed at the end and by ``--resume``)."""

RunState = Literal["ok", "failed"]


write_bytes = write_file
"""Write a file atomically (see :func:`sim.outputs.write_file`)."""


def write_folder(folder: Path, files: dict[str, bytes]) -> None:
    """Write a run folder from its files' bytes atomically, replacing an older one; the
    marker the worker wrote is replaced by this folder's own."""
    kind: FolderKind = "failed-run" if ERROR in files else "run"
    with atomic_folder(folder, kind) as tmp:
        for name, data in files.items():
            if name == MARKER:
                continue
            target = tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def run_state(folder: Path) -> RunState | None:
    """``ok`` when the folder holds a whole result whose metrics parse, ``failed`` when a
    whole failure record, else None (missing, interrupted or corrupted: run it again)."""
    if is_complete(folder, "run"):
        try:
            metrics = json.loads((folder / METRICS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return "ok" if isinstance(metrics, dict) else None
    if is_complete(folder, "failed-run") and (folder / ERROR).is_file():
        return "failed"
    return None


def clean_partials(root: Path) -> int:
    """Remove the hidden staging leftovers of an interrupted sweep; return how many."""
    removed = clean_stale(root, everything=True)
    for cell in sorted(p for p in (root / "runs").glob("*") if p.is_dir()):
        removed += clean_stale(cell, everything=True)
    if (root / SCRATCH).is_dir():
        shutil.rmtree(root / SCRATCH, ignore_errors=True)
        removed += 1
    return removed


def check_run_folders(root: Path, folders: list[str]) -> None:
    """Refuse (exit 2) before any run starts if a run folder to be (re)written holds files
    omnisim did not write."""
    for name in folders:
        check_folder(root / name, "run folder")


def read_design(root: Path) -> Design:
    """The design recorded in a results folder."""
    path = root / PLAN
    if not path.is_file():
        what = "not found" if not root.exists() else f"has no {PLAN}"
        raise ScenarioError(f"{root}: {what} (not the results folder of a sweep)")
    try:
        return Design.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as exc:
        raise ScenarioError(f"{path}: unreadable ({exc})") from None


def prepare(root: Path, design: Design, resume: bool, experiment_text: str | None = None
            ) -> None:
    """Make ``root`` ready for ``design``: new, or (with ``resume``) holding an earlier
    run of the same design, whose cells must not have changed."""
    if root.exists() and not root.is_dir():
        raise ScenarioError(f"--out {root}: is a file, not a folder; refusing to replace it")
    if not root.exists():
        check_folder(root)
    if (root / PLAN).is_file():
        stored = read_design(root)
        if not resume:
            raise ScenarioError(f"--out {root}: already holds results of '{stored.name}'; "
                                "add --resume to complete them, or choose another --out")
        if stored.sim_version != design.sim_version:
            raise ScenarioError(f"--out {root}: written by omnisim {stored.sim_version}, "
                                f"this is {design.sim_version}; choose another --out")
        old = {c.folder: c for c in stored.cells}
        for cell in design.cells:
            before = old.get(cell.folder)
            if before is not None and before.digest != cell.digest:
                raise ScenarioError(
                    f"--out {root}: cell '{cell.folder}' is a different scenario than when "
                    "its results were written (the experiment or its scenario changed); "
                    "choose another --out")
        clean_partials(root)
    elif root.exists() and any(root.iterdir()):
        raise ScenarioError(f"--out {root}: not empty and not the results folder of a sweep")
    root.mkdir(parents=True, exist_ok=True)
    if experiment_text is not None:
        write_bytes(root / EXPERIMENT, experiment_text.encode("utf-8"))
    write_bytes(root / PLAN, (json.dumps(design.to_json(), indent=2, default=str) + "\n")
                .encode("utf-8"))
