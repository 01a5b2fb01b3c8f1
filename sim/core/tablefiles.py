"""Table files in the format a user picks: CSV (the default, readable anywhere) or
Parquet (``--format parquet``: typed, compressed, and loaded by pandas, polars or
DuckDB without parsing; needs the optional ``pyarrow``: ``pip install
'omnisim[parquet]'``).

Parquet files are byte-identical for the same table and library versions, like the
CSVs. A column of mixed Python types (a factor that is a number in one cell and text in
another) is written as text, since a Parquet column has one type.
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import pandas as pd

from sim.scenario.errors import ScenarioError

TableFormat = Literal["csv", "parquet"]
FORMATS: tuple[TableFormat, ...] = ("csv", "parquet")
SUFFIX: dict[TableFormat, str] = {"csv": ".csv", "parquet": ".parquet"}


def require(fmt: str) -> TableFormat:
    """``fmt`` as a table format, checked before any work starts: Parquet needs pyarrow
    (a one-line input error, exit code 2, when it is missing)."""
    if fmt not in FORMATS:
        raise ScenarioError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "parquet" and importlib.util.find_spec("pyarrow") is None:
        raise ScenarioError("--format parquet needs pyarrow: pip install 'omnisim[parquet]'")
    return "parquet" if fmt == "parquet" else "csv"


def _one_type(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every object column of mixed value types turned into text."""
    mixed = [c for c in frame.columns if frame[c].dtype == object
             and len({type(v) for v in frame[c].dropna()}) > 1]
    if not mixed:
        return frame
    out = frame.copy()
    for c in mixed:
        out[c] = out[c].map(lambda v: v if v is None or v != v else str(v))
    return out


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """A table as Parquet file bytes (no index; zstd-compressed)."""
    buf = io.BytesIO()
    _one_type(frame).to_parquet(buf, index=False, engine="pyarrow", compression="zstd")
    return buf.getvalue()


def write_parquet_tables(records: Mapping[str, pd.DataFrame], folder: Path) -> None:
    """One Parquet file per record table, except the wall-clock tables (as the CSVs)."""
    from sim.core.records import WALLCLOCK_TABLES

    for name, frame in records.items():
        if name not in WALLCLOCK_TABLES:
            (folder / f"{name}.parquet").write_bytes(parquet_bytes(frame))


def table_path(folder: Path, name: str) -> Path | None:
    """The file of table ``name`` in ``folder``, CSV or Parquet, if there is one."""
    for suffix in SUFFIX.values():
        path = folder / f"{name}{suffix}"
        if path.is_file():
            return path
    return None


def read_table(folder: Path, name: str,
               columns: Sequence[str] | None = None) -> pd.DataFrame | None:
    """Table ``name`` of a results folder, from its CSV or Parquet file (None if it has
    neither)."""
    path = table_path(folder, name)
    if path is None:
        return None
    cols = list(columns) if columns is not None else None
    if path.suffix == ".parquet":
        return pd.read_parquet(path, columns=cols)
    return pd.read_csv(path, usecols=cols)
