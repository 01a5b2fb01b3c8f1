"""Write record tables as CSV, column by column, byte-identical to pandas.

``DataFrame.to_csv`` formats every cell through several layers of pandas (about 50 µs
of CPU per order of the default day, more than half the cost of writing a results
folder). The record tables hold only a few column types -- floats, integers, booleans
and text -- so :func:`write_csv` formats each column with one plain Python loop and
joins the rows, writing the bytes ``frame.to_csv(path, index=False,
float_format=float_format, lineterminator="\\n")`` writes (checked against pandas by
``tests/core/test_csvout.py`` over generated frames): floats through ``float_format``,
missing values as empty cells, text quoted the way the :mod:`csv` module quotes it.
A column of any other type (nullable integers, dates, categories, objects of other
classes) makes it hand the whole table to pandas instead, so the output never differs.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

CHUNK_ROWS = 5_000
"""Rows formatted at a time: bounds the memory of the cell strings of a large table."""

Cells = list[str]


def _csv_quotes(char: str) -> bool:
    """Whether the :mod:`csv` module (as pandas calls it) quotes a field holding ``char``."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerow([f"a{char}b", "c"])
    return buf.getvalue().startswith('"')


_QUOTED_CHARS = frozenset(c for c in map(chr, range(128)) if _csv_quotes(c))
"""Characters that make the csv module quote a field (asked once, not assumed: it
differs between Python versions)."""


def _quote(text: str) -> str:
    """``text`` as one CSV field: quoted (inner quotes doubled) when the csv module would."""
    if _QUOTED_CHARS.isdisjoint(text):
        return text
    return '"' + text.replace('"', '""') + '"'


def _text_cells(values: list[Any]) -> Cells | None:
    """Cells of a text (or mixed object) column; None if it holds a type pandas
    might format differently (then the caller falls back to pandas)."""
    memo: dict[str, str] = {}
    out: Cells = []
    append = out.append
    for v in values:
        t = type(v)
        if t is str:
            cell = memo.get(v)
            if cell is None:
                cell = memo[v] = _quote(v)
            append(cell)
        elif v is None or v is pd.NA:
            append("")
        elif t is float:
            append("" if math.isnan(v) else repr(v))  # the csv module writes repr(float)
        elif t is int or t is bool:
            append(str(v))
        else:
            return None
    return out


def _float_cells(values: np.ndarray[Any, Any], float_format: str) -> Cells:
    """Cells of a float column: ``float_format % value``, NaN as an empty cell."""
    cells = list(map(float_format.__mod__, values.tolist()))
    for i in np.flatnonzero(np.isnan(values)).tolist():
        cells[i] = ""
    return cells


def _column_cells(series: pd.Series, start: int, stop: int, float_format: str) -> Cells | None:
    """Cells of rows ``start:stop`` of one column, or None for a type left to pandas."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype):
        values = series.to_numpy()[start:stop]
        if dtype.kind == "f" and dtype.itemsize == 8:
            return _float_cells(values, float_format)
        if dtype.kind in "iub":
            return list(map(str, values.tolist()))
        if dtype.kind == "O":
            return _text_cells(values.tolist())
        return None
    if isinstance(dtype, pd.StringDtype):
        return _string_cells(series.iloc[start:stop])
    return None


def _string_cells(series: pd.Series) -> Cells:
    """Cells of a pandas string column: missing values empty, each distinct text quoted
    once (most columns repeat a few names and need no quoting at all)."""
    items: Cells = series.to_numpy(dtype=object, na_value="").tolist()
    distinct = set(items)
    if _QUOTED_CHARS.isdisjoint("".join(distinct)):
        return items
    quoted = {text: _quote(text) for text in distinct}
    return list(map(quoted.__getitem__, items))


class _UnsupportedColumnError(Exception):
    """A column holds a type this module does not format (pandas writes the table)."""


def _pieces(frame: pd.DataFrame, float_format: str) -> Iterator[str]:
    """The CSV text of ``frame`` in pieces of at most :data:`CHUNK_ROWS` rows; raises
    :class:`_UnsupportedColumnError` (possibly after some pieces) for a column it cannot format."""
    columns = [frame.iloc[:, i] for i in range(frame.shape[1])]
    header = [_quote(str(name)) for name in frame.columns]
    single = len(columns) == 1
    # the csv module quotes a row that is one empty field, so it is not an empty line
    yield (header[0] or '""') + "\n" if single else ",".join(header) + "\n"
    for start in range(0, len(frame), CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, len(frame))
        cells = []
        for series in columns:
            col = _column_cells(series, start, stop, float_format)
            if col is None:
                raise _UnsupportedColumnError(str(series.name))
            cells.append(col)
        if single:
            yield "".join((c or '""') + "\n" for c in cells[0])
        else:
            yield "\n".join(map(",".join, zip(*cells, strict=True))) + "\n"


def _ours(frame: pd.DataFrame) -> bool:
    """Whether to try the column formatter (pandas writes frames without columns, with
    repeated column names or with a MultiIndex of columns)."""
    return frame.shape[1] > 0 and frame.columns.is_unique and frame.columns.nlevels == 1


def csv_text(frame: pd.DataFrame, float_format: str = "%.3f") -> str:
    """The text ``frame.to_csv(index=False, float_format=..., lineterminator="\\n")``
    returns, formatted column by column where the column types allow it."""
    if _ours(frame):
        try:
            return "".join(_pieces(frame, float_format))
        except _UnsupportedColumnError:
            pass
    text: str = frame.to_csv(index=False, float_format=float_format, lineterminator="\n")
    return text


def write_csv(frame: pd.DataFrame, path: Path, float_format: str = "%.3f") -> None:
    """Write ``frame`` to ``path`` as :func:`csv_text` (UTF-8, ``\\n`` line ends), the
    same bytes pandas writes with those options."""
    if _ours(frame):
        try:
            with path.open("wb") as f:
                for piece in _pieces(frame, float_format):
                    f.write(piece.encode("utf-8"))
            return
        except _UnsupportedColumnError:
            pass  # pandas rewrites the file from the start
    frame.to_csv(path, index=False, float_format=float_format, lineterminator="\n",
                 encoding="utf-8")
