"""Run a scenario and write its self-describing results folder.

:func:`run` plays one scenario with one seed and returns the records and metrics in
memory; :func:`write_run` writes them. A results folder holds the resolved scenario (with
seed and package version), ``metrics.json``, one CSV per record table and the plots; the
CSVs and ``metrics.json`` are byte-identical for the same scenario and seed, while
``wallclock.json`` (wall seconds of the run and of its dispatch solves) is not. It is
written into a hidden temporary folder and renamed into place when complete, so a
crash never leaves a half-written result, and an earlier result in the same place is
only replaced by a complete new one; a folder that omnisim did not write is never
replaced (:mod:`sim.outputs` owns these rules).
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim import __version__
from sim.core.csvout import write_csv
from sim.core.gcpause import cyclic_gc_paused
from sim.core.progress import ProgressBar
from sim.core.readable import readable_tables
from sim.core.recorder import Records
from sim.core.records import WALLCLOCK_TABLES
from sim.core.tablefiles import TableFormat, write_parquet_tables
from sim.metrics import MetricContext, compute_metrics
from sim.metrics.compute import clean
from sim.metrics.promise import on_time_target
from sim.metrics.routing import wallclock_of
from sim.model import Model, build_network
from sim.outputs import atomic_folder, inside
from sim.runfolder import ERROR, METRICS, OVERRIDE_COMMENT, RESOLVED, WALLCLOCK
from sim.scenario.base import without_quiet_defaults
from sim.scenario.schema import Scenario


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


def run(scenario: Scenario, seed: int | None = None, progress: bool = False,
        readable: bool = True) -> RunResult:
    """Simulate ``scenario`` with ``seed`` (default: the scenario's) and measure it.

    With ``readable`` (for runs whose tables are written or read by people) the record
    tables get their clock-time columns and empty unreached trips; a run kept only for
    its metrics (a sweep without tables, an optimisation) skips that work, which costs
    about a tenth of the simulation on the default day."""
    seed = scenario.seed if seed is None else seed
    t0 = time.perf_counter()
    with cyclic_gc_paused():  # the run makes no cyclic garbage; see sim.core.gcpause
        model = Model(scenario, seed)
        bar = ProgressBar(scenario.run.stop / 3600 - scenario.run.start / 3600,
                          f"{scenario.name} ", " h") if progress else None
        records = model.run(bar)
    metrics = compute_metrics(records, MetricContext.of(scenario))
    if readable:
        records = Records(readable_tables(records))  # clock columns, empty unreached trips
    return RunResult(resolved(scenario, seed), seed, records, metrics,
                     time.perf_counter() - t0)


"""How ``scenario.resolved.yaml``'s header records each ``--set`` override of the run
(one comment line each, in order); the values are already in the scenario below."""


def scenario_yaml(scenario: Scenario, overrides: Sequence[str] = ()) -> str:
    """The resolved scenario as YAML (SI units: seconds, metres, metres per second),
    with the ``--set`` overrides that made it in the header comment."""
    head = (f"# Resolved scenario written by omnisim {__version__}.\n"
            "# Units: seconds, metres, metres per second. Re-run it with "
            "`python run_sim.py run <this file>`.\n")
    if overrides:
        head += ("# Overrides given on the command line (already applied below):\n"
                 + "".join(f"{OVERRIDE_COMMENT}{' '.join(o.split())}\n" for o in overrides))
    dump = scenario.model_dump(mode="json", exclude={"store_defaults"})
    body = yaml.safe_dump(without_quiet_defaults(scenario, dump),
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
    """A fresh ``base/<scenario>/<timestamp>-s<seed>`` path that does not exist yet (and
    lies inside ``base``, whatever the scenario's name)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = base / scenario.name / f"{stamp}-s{seed}"
    n = 2
    while folder.exists():
        folder = base / scenario.name / f"{stamp}-s{seed}-{n}"
        n += 1
    return inside(base, folder, "name")


def write_run(result: RunResult, folder: Path, plots: bool = True,
              overrides: Sequence[str] = (), report: bool = False,
              table_format: TableFormat = "csv") -> Path:
    """Write a run's results folder atomically; return its path. ``folder`` may be new,
    empty or an earlier run's folder; anything else is refused (see :mod:`sim.outputs`).
    ``overrides`` are the
    ``--set`` overrides of the run, recorded in the resolved scenario's header;
    ``report`` adds ``report.html`` (see :mod:`sim.report.run_report`);
    ``table_format`` writes the record tables as CSV or Parquet."""
    with atomic_folder(folder, "run") as tmp:
        (tmp / RESOLVED).write_text(scenario_yaml(result.scenario, overrides),
                                    encoding="utf-8")
        if table_format == "parquet":
            write_parquet_tables(result.records, tmp)
        else:
            write_tables(result.records, tmp)
        if plots:
            from sim.report.run_plots import write_run_plots

            write_run_plots(result.records, MetricContext.of(result.scenario), tmp,
                            target=on_time_target(result.scenario))
            from sim.report.route_map import write_route_map

            write_route_map(result.records, tmp, build_network(result.scenario))
        (tmp / METRICS).write_text(json.dumps(result.metrics, indent=2) + "\n",
                                   encoding="utf-8")
        (tmp / WALLCLOCK).write_text(
            json.dumps(clean(wallclock_of(result.records, result.wall_seconds)), indent=2)
            + "\n", encoding="utf-8")
        if report:
            from sim.report.run_report import write_run_report

            write_run_report(tmp)
    return folder


def write_failure(scenario: Scenario, seed: int, exc: BaseException, folder: Path) -> Path:
    """Record a failed run (resolved scenario and traceback) without touching an existing
    result: next to it as ``<folder>-failed`` (``-failed-2``, ...) if ``folder`` is not
    empty."""
    target = folder
    n = 1
    while target.exists() and any(target.iterdir()):
        target = folder.with_name(folder.name + "-failed" + (f"-{n}" if n > 1 else ""))
        n += 1
    with atomic_folder(target, "failed-run") as tmp:
        (tmp / RESOLVED).write_text(scenario_yaml(resolved(scenario, seed)), encoding="utf-8")
        (tmp / ERROR).write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
    return target
