"""Run a scenario and write its self-describing results folder.

:func:`run` plays one scenario with one seed and returns the records and metrics in
memory; :func:`write_run` writes them. A results folder holds the resolved scenario (with
seed and package version), ``metrics.json``, one CSV per record table and the plots; the
CSVs and ``metrics.json`` are byte-identical for the same scenario and seed, while
``wallclock.json`` (wall seconds of the run and of its dispatch solves) is not. It is
written into a hidden temporary folder and renamed into place when complete, so a
crash never leaves a half-written result, and an earlier result in the same place is
only replaced by a complete new one.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim import __version__
from sim.core.csvout import write_csv
from sim.core.gcpause import cyclic_gc_paused
from sim.core.progress import ProgressBar
from sim.core.recorder import Records
from sim.core.records import WALLCLOCK_TABLES
from sim.metrics import MetricContext, compute_metrics
from sim.metrics.compute import clean
from sim.metrics.routing import wallclock_of
from sim.model import Model, build_network
from sim.scenario.schema import Scenario

RESOLVED = "scenario.resolved.yaml"
METRICS = "metrics.json"
WALLCLOCK = "wallclock.json"  # the one file that differs between runs with the same seed
ERROR = "error.txt"


@dataclass
class RunResult:
    """One finished run: its resolved scenario, seed, record tables and metrics."""

    scenario: Scenario
    seed: int
    records: Records
    metrics: dict[str, Any]
    wall_seconds: float = 0.0


def resolved(scenario: Scenario, seed: int) -> Scenario:
    """The scenario as run: the seed used and the package version filled in."""
    return scenario.model_copy(update={"seed": seed, "sim_version": __version__})


def run(scenario: Scenario, seed: int | None = None, progress: bool = False) -> RunResult:
    """Simulate ``scenario`` with ``seed`` (default: the scenario's) and measure it."""
    seed = scenario.seed if seed is None else seed
    t0 = time.perf_counter()
    with cyclic_gc_paused():  # the run makes no cyclic garbage; see sim.core.gcpause
        model = Model(scenario, seed)
        bar = ProgressBar(scenario.run.stop / 3600 - scenario.run.start / 3600,
                          f"{scenario.name} ", "h") if progress else None
        records = model.run(bar)
    metrics = compute_metrics(records, MetricContext.of(scenario))
    return RunResult(resolved(scenario, seed), seed, records, metrics,
                     time.perf_counter() - t0)


def scenario_yaml(scenario: Scenario) -> str:
    """The resolved scenario as YAML (SI units: seconds, metres, metres per second)."""
    head = (f"# Resolved scenario written by omnisim {__version__}.\n"
            "# Units: seconds, metres, metres per second. Re-run it with "
            "`python run_sim.py run <this file>`.\n")
    body = yaml.safe_dump(scenario.model_dump(mode="json", exclude={"store_defaults"}),
                          sort_keys=False, allow_unicode=True, width=100)
    return head + body


def write_tables(records: Records, folder: Path) -> None:
    """One CSV per record table (times in seconds, 3 decimals), except the wall-clock
    tables (which differ between runs with the same seed; see ``wallclock.json``).
    The bytes are pandas' ``to_csv(index=False, float_format="%.3f")``, written about
    twice as fast by :func:`sim.core.csvout.write_csv`."""
    for name, frame in records.items():
        if name in WALLCLOCK_TABLES:
            continue
        write_csv(frame, folder / f"{name}.csv", float_format="%.3f")


def new_run_dir(base: Path, scenario: Scenario, seed: int) -> Path:
    """A fresh ``base/<scenario>/<timestamp>-s<seed>`` path that does not exist yet."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = base / scenario.name / f"{stamp}-s{seed}"
    n = 2
    while folder.exists():
        folder = base / scenario.name / f"{stamp}-s{seed}-{n}"
        n += 1
    return folder


@contextmanager
def atomic_folder(folder: Path) -> Iterator[Path]:
    """Write a folder all at once: the caller fills the hidden staging folder this yields,
    which replaces ``folder`` (and an older result in it) only when the block finishes;
    if it fails, the staging folder is removed and ``folder`` is left as it was."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".{folder.name}.partial-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        yield tmp
        if folder.exists():
            old = folder.parent / f".{folder.name}.old-{os.getpid()}"
            folder.rename(old)
            tmp.rename(folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_run(result: RunResult, folder: Path, plots: bool = True) -> Path:
    """Write a run's results folder atomically; return its path."""
    with atomic_folder(folder) as tmp:
        (tmp / RESOLVED).write_text(scenario_yaml(result.scenario), encoding="utf-8")
        write_tables(result.records, tmp)
        if plots:
            from sim.report.run_plots import write_run_plots

            write_run_plots(result.records, MetricContext.of(result.scenario), tmp)
            from sim.report.route_map import write_route_map

            write_route_map(result.records, tmp, build_network(result.scenario))
        (tmp / METRICS).write_text(json.dumps(result.metrics, indent=2) + "\n",
                                   encoding="utf-8")
        (tmp / WALLCLOCK).write_text(
            json.dumps(clean(wallclock_of(result.records, result.wall_seconds)), indent=2)
            + "\n", encoding="utf-8")
    return folder


def write_failure(scenario: Scenario, seed: int, exc: BaseException, folder: Path) -> Path:
    """Record a failed run (resolved scenario and traceback) without touching an existing
    result: next to it as ``<folder>-failed`` if ``folder`` already holds one."""
    target = folder if not folder.exists() else folder.with_name(folder.name + "-failed")
    with atomic_folder(target) as tmp:
        (tmp / RESOLVED).write_text(scenario_yaml(resolved(scenario, seed)), encoding="utf-8")
        (tmp / ERROR).write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
    return target
