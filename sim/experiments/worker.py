"""One run of a sweep, as executed by any backend: plain data in, plain data out.

:func:`execute` is what a worker process or Dask worker calls. It takes a picklable
:class:`RunTask` (a frozen scenario and a seed), depends on no global state, never
raises for a failing simulation, and returns a :class:`RunOutcome` holding the bytes of
every file of the run's folder. The worker builds the folder's content (CSVs, figures),
so that work is spread over the workers; the coordinating process only writes the bytes
where they belong, which also works when Dask workers do not share its disk.
"""

from __future__ import annotations

import json
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sim import __version__
from sim.core.tablefiles import TableFormat
from sim.runfolder import METRICS, RESOLVED
from sim.runner import run, scenario_yaml, write_failure, write_run
from sim.scenario.schema import Scenario

Output = Literal["none", "metrics", "tables"]
"""What a run produces besides its metrics: nothing (in memory), its resolved scenario
and ``metrics.json``, or that and its record tables as CSVs (the ``run`` folder)."""


@dataclass(frozen=True)
class RunTask:
    """A scenario to run with a seed, and what to write about it."""

    key: str
    scenario: Scenario
    seed: int
    output: Output = "tables"
    plots: bool = False
    version: str = __version__
    table_format: TableFormat = "csv"
    """Record tables as CSV or Parquet."""
    scratch: str | None = None
    """Folder for the run's temporary files (default: the system's temporary folder);
    a sweep on this machine puts it in the results folder, so a killed run leaves
    nothing behind elsewhere."""


@dataclass(frozen=True)
class RunOutcome:
    """A finished run: its metrics or its error, and the files of its folder."""

    key: str
    metrics: dict[str, Any] | None
    error: str | None
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the run finished and was measured."""
        return self.error is None


def last_line(text: str) -> str:
    """The last non-blank line of a traceback (``module.Type: message``): the error as
    the tables show it, whether read from ``error.txt`` or taken from the exception."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else "unknown error"


def one_line(exc: BaseException) -> str:
    """An exception as one line, the same as :func:`last_line` of its traceback."""
    return last_line("".join(traceback.format_exception(exc)))


def _read_folder(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _scratch(folder: str | None) -> tempfile.TemporaryDirectory[str]:
    if folder is not None:
        Path(folder).mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix="omnisim-", dir=folder)


def failure_files(scenario: Scenario, seed: int, exc: BaseException,
                  scratch: str | None = None) -> dict[str, bytes]:
    """The folder of a failed run: its resolved scenario and the traceback."""
    with _scratch(scratch) as tmp:
        return _read_folder(write_failure(scenario, seed, exc, Path(tmp) / "run"))


def failed_outcome(task: RunTask, exc: BaseException) -> RunOutcome:
    """The outcome of a task that failed with ``exc`` (in the run, or its worker died)."""
    files = (failure_files(task.scenario, task.seed, exc, task.scratch)
             if task.output != "none" else {})
    return RunOutcome(task.key, None, one_line(exc), files)


def execute(task: RunTask) -> RunOutcome:
    """Run one task; a failure is returned as an outcome, not raised."""
    try:
        if task.version != __version__:
            raise RuntimeError(f"this worker runs omnisim {__version__}, the sweep needs "
                               f"{task.version}")
        result = run(task.scenario, task.seed, readable=task.output == "tables")
        files: dict[str, bytes] = {}
        if task.output == "tables":
            with _scratch(task.scratch) as tmp:
                files = _read_folder(write_run(result, Path(tmp) / "run", plots=task.plots,
                                               table_format=task.table_format))
        elif task.output == "metrics":
            files = {RESOLVED: scenario_yaml(result.scenario).encode("utf-8"),
                     METRICS: (json.dumps(result.metrics, indent=2) + "\n").encode("utf-8")}
    except Exception as exc:
        return failed_outcome(task, exc)
    return RunOutcome(task.key, result.metrics, None, files)
