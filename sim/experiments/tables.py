"""The tidy table of a sweep: one row per run with its design, seed, status and metrics.

Columns: ``cell`` (the cell's folder name, its id), ``variant``, one column per factor
(named by its dotted path), ``replication``, ``seed``, ``status`` (``ok`` or
``failed``), ``error`` (the failure's last line) and then every scalar in
``metrics.json`` under its dotted path (``sla.on_time_rate``,
``utilisation.couriers.by_node.east``, ...). Rows are in plan order (cell by cell,
replications in order), whatever order the runs finished in, so the table is identical
whatever the backend or the interruptions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiments.plan import Design, PlannedRun, value_text
from sim.experiments.store import run_state
from sim.experiments.worker import last_line
from sim.runfolder import ERROR, METRICS

META = ("cell", "variant")
AFTER_FACTORS = ("replication", "seed", "status", "error")


def flatten(metrics: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Scalars of a nested metrics mapping under dotted keys (lists are left out)."""
    out: dict[str, Any] = {}
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, name + "."))
        elif value is None or isinstance(value, bool | int | float | str):
            out[name] = value
    return out


def factor_value(value: Any) -> Any:
    """A factor value as the tables hold it: scalars as they are, others as JSON text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return value_text(value)


def run_row(design: Design, run: PlannedRun, metrics: Mapping[str, Any] | None,
            error: str | None) -> dict[str, Any]:
    """One row of the table."""
    cell = design.cells[run.cell]
    row: dict[str, Any] = {"cell": cell.folder, "variant": cell.variant}
    row.update({k: factor_value(cell.factors.get(k)) for k in design.factors})
    row.update({"replication": run.replication, "seed": run.seed,
                "status": "ok" if error is None else "failed", "error": error or ""})
    if metrics is not None:
        row.update(flatten(metrics))
    return row


def _column(values: list[Any]) -> pd.Series:
    known = [v for v in values if v is not None]
    if known and all(isinstance(v, bool) for v in known):
        return pd.Series(values, dtype="boolean")
    if known and all(isinstance(v, int) and not isinstance(v, bool) for v in known):
        return pd.Series(values, dtype="Int64")
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in known):
        return pd.Series([float("nan") if v is None else float(v) for v in values],
                         dtype="float64")
    return pd.Series(values, dtype="object")


def runs_table(design: Design, rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """The tidy table from rows (design columns first, then metrics in first-seen order)."""
    rows = list(rows)
    columns = [*META, *design.factors, *AFTER_FACTORS]
    seen = set(columns)
    for row in rows:
        for key in row:
            if key not in seen:
                seen.add(key)
                columns.append(key)
    data = {c: _column([row.get(c) for row in rows]) for c in columns}
    for c in ("replication", "seed"):
        data[c] = pd.Series([row[c] for row in rows], dtype="int64")
    return pd.DataFrame(data, columns=columns)


def collect(root: Path, design: Design) -> pd.DataFrame:
    """The table of every finished (or failed) run in a results folder."""
    rows = []
    for run in design.runs():
        folder = root / run.folder
        state = run_state(folder)
        if state == "ok":
            metrics = json.loads((folder / METRICS).read_text(encoding="utf-8"))
            rows.append(run_row(design, run, metrics, None))
        elif state == "failed":
            error = last_line((folder / ERROR).read_text(encoding="utf-8"))
            rows.append(run_row(design, run, None, error))
    return runs_table(design, rows)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a table as CSV atomically (full float precision, ``\\n`` line ends)."""
    from sim.experiments.store import write_bytes

    write_bytes(path, frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
