"""Execute a plan: every missing run on a backend, each written as soon as it finishes,
then the tables.

With a results folder, a finished run is written to its own folder at once, so an
interrupted sweep loses only the runs in flight, and ``resume`` runs only what has no
result yet (failed runs are tried again). The tables are always rebuilt from the
folders, so a resumed sweep ends with exactly the tables of an uninterrupted one.
Without a results folder (the Python API's default) nothing is written and the tables
come from the outcomes in memory.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.core.format import number
from sim.core.progress import ProgressBar
from sim.core.tablefiles import TableFormat, parquet_bytes
from sim.experiments.backends import make_backend
from sim.experiments.compare import compare_design
from sim.experiments.plan import Design, Plan
from sim.experiments.store import (
    COMPARISON_CSV,
    RUNS_CSV,
    SCRATCH,
    check_run_folders,
    prepare,
    run_state,
    write_bytes,
    write_folder,
)
from sim.experiments.tables import collect, run_row, runs_table, write_csv
from sim.experiments.worker import Output, RunOutcome, RunTask, execute, failed_outcome


@dataclass
class SweepResult:
    """What a sweep produced and how it went."""

    design: Design
    runs: pd.DataFrame
    comparison: pd.DataFrame
    out: Path | None
    already_done: int
    ran: int
    failed: int
    wall_seconds: float
    backend: str
    workers: int


def execute_plan(plan: Plan, out: Path | None = None, backend: str = "processes",
                 workers: int | None = None, address: str | None = None,
                 resume: bool = False, output: Output = "tables", plots: bool = False,
                 progress: bool = True, table_format: TableFormat = "csv") -> SweepResult:
    """Run the plan's missing runs on ``backend`` and return the tables (written as
    CSV, or as Parquet with ``table_format="parquet"``: the runs' record tables and
    ``runs.parquet``/``comparison.parquet`` instead of the CSVs)."""
    t0 = time.perf_counter()
    design = plan.design
    planned = design.runs()
    if out is not None:
        prepare(out, design, resume, plan.text)
        todo = [r for r in planned if run_state(out / r.folder) != "ok"]
        check_run_folders(out, [r.folder for r in todo])
    else:
        output, todo = "none", planned
    # replication-major: an interrupted sweep has its first replications in every cell
    todo.sort(key=lambda r: (r.replication, r.cell))
    runner = make_backend(backend, workers, address)
    # temporary files of runs on this machine stay inside the results folder
    scratch = str(out / SCRATCH) if out is not None and runner.name != "dask" else None
    tasks = [RunTask(r.key, plan.scenarios[r.cell], r.seed, output, plots, scratch=scratch,
                     table_format=table_format) for r in todo]
    bar = ProgressBar(len(tasks), f"{design.name} ", " runs") if progress else None
    hours = {t.key: (t.scenario.run.stop - t.scenario.run.start) / 3600 for t in tasks}
    outcomes: dict[str, RunOutcome] = {}
    done = failed = 0
    simulated = 0.0
    try:
        for outcome in runner.map(execute, tasks, failed_outcome):
            if out is not None:
                write_folder(out / outcome.key, outcome.files)
            else:
                outcomes[outcome.key] = outcome
            done += 1
            failed += not outcome.ok
            simulated += hours.get(outcome.key, 0.0) if outcome.ok else 0.0
            if bar is not None:
                bar.update(done, f"({number(simulated)} h simulated"
                           + (f", {failed} failed)" if failed else ")"))
    finally:
        runner.close()
        if bar is not None:
            bar.close()
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)
    if out is not None:
        table = collect(out, design)
    else:
        table = runs_table(design, [
            run_row(design, r, outcomes[r.key].metrics, outcomes[r.key].error)
            for r in planned if r.key in outcomes])
    comparison = compare_design(table, design)
    if out is not None:
        if table_format == "parquet":
            for frame, name in ((table, RUNS_CSV), (comparison, COMPARISON_CSV)):
                write_bytes(out / Path(name).with_suffix(".parquet"), parquet_bytes(frame))
        else:
            write_csv(table, out / RUNS_CSV)
            write_csv(comparison, out / COMPARISON_CSV)
    return SweepResult(design, table, comparison, out, len(planned) - len(todo), done,
                       int((table["status"] == "failed").sum()), time.perf_counter() - t0,
                       runner.name, runner.workers)
