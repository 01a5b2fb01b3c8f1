"""Flat record tables written by the model and read by the metrics.

Components append plain tuples to named :class:`Table` objects during the run (a list
append per event, nothing more), and :meth:`Recorder.frames` turns them into pandas
DataFrames at the end. Long-lived objects whose row is only final at the end of the run
(an order's timestamps) register a finaliser that writes their rows then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import pandas as pd


class Table:
    """One record table: a fixed column list and the rows appended so far."""

    __slots__ = ("columns", "name", "rows")

    def __init__(self, name: str, columns: Sequence[str]) -> None:
        self.name = name
        self.columns = tuple(columns)
        self.rows: list[tuple[Any, ...]] = []

    def append(self, row: tuple[Any, ...]) -> None:
        """Add one row (a tuple in column order)."""
        self.rows.append(row)

    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (empty frames keep their columns)."""
        return pd.DataFrame.from_records(self.rows, columns=list(self.columns))


class Recorder:
    """All record tables of one run."""

    def __init__(self) -> None:
        self._tables: dict[str, Table] = {}
        self._finalisers: list[Callable[[], None]] = []
        self._records: Records | None = None

    def table(self, name: str, columns: Sequence[str]) -> Table:
        """The table ``name``, created on first use; columns must agree on every call."""
        t = self._tables.get(name)
        if t is None:
            t = self._tables[name] = Table(name, columns)
        elif t.columns != tuple(columns):
            raise ValueError(f"table {name!r} already has columns {t.columns}")
        return t

    def on_finish(self, fn: Callable[[], None]) -> None:
        """Call ``fn`` once before the tables are read (to flush final rows)."""
        self._finalisers.append(fn)

    def frames(self) -> Records:
        """Run the finalisers once and return every table as a DataFrame.

        Each table's rows are released as soon as its DataFrame is built: the row tuples
        take several times the memory of the columns, and keeping them until the model
        is dropped set the run's peak memory. Later calls return the same tables.
        """
        if self._records is None:
            for fn in self._finalisers:
                fn()
            self._finalisers.clear()
            frames: dict[str, pd.DataFrame] = {}
            for name, t in sorted(self._tables.items()):
                frames[name] = t.frame()
                t.rows = []
            self._records = Records(frames)
        return self._records


class Records(Mapping[str, pd.DataFrame]):
    """The record tables of a finished run, by name (``records["orders"]``)."""

    def __init__(self, tables: Mapping[str, pd.DataFrame]) -> None:
        self._tables = dict(tables)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self._tables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)
