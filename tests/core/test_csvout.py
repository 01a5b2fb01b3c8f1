"""The column CSV writer writes exactly the bytes pandas' ``to_csv`` writes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.core import csvout
from sim.core.csvout import csv_text, write_csv

FORMAT = "%.3f"


def pandas_text(frame: pd.DataFrame) -> str:
    """What ``sim.runner.write_tables`` wrote before the column writer."""
    text: str = frame.to_csv(index=False, float_format=FORMAT, lineterminator="\n")
    return text


floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 0.0005, -0.0005, 0.0625, 1e300, -1e-300, 2.5e15, 12.3455]),
)
texts = st.text(alphabet=st.sampled_from(list('ab ,"\n\r\t;é\'x-')), max_size=6)
ints = st.integers(min_value=-(2**63), max_value=2**63 - 1)


@st.composite
def columns(draw: st.DrawFn, n: int) -> pd.Series:
    """One column of ``n`` rows of a type the record tables hold (or one left to pandas)."""
    kind = draw(st.sampled_from(["float", "int", "bool", "str", "object", "Int64", "float32"]))
    if kind == "float":
        return pd.Series(draw(st.lists(floats, min_size=n, max_size=n)), dtype="float64")
    if kind == "int":
        return pd.Series(draw(st.lists(ints, min_size=n, max_size=n)), dtype="int64")
    if kind == "bool":
        return pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    if kind == "str":
        values = draw(st.lists(st.one_of(texts, st.none()), min_size=n, max_size=n))
        return pd.Series(values, dtype="str")
    if kind == "object":
        items = st.one_of(texts, st.none(), floats, st.integers(-5, 5), st.booleans())
        return pd.Series(draw(st.lists(items, min_size=n, max_size=n)), dtype=object)
    if kind == "Int64":  # nullable integers: written by pandas
        values = draw(st.lists(st.one_of(st.integers(-5, 5), st.none()), min_size=n,
                               max_size=n))
        return pd.Series(values, dtype="Int64")
    return pd.Series(draw(st.lists(st.floats(width=32), min_size=n, max_size=n)),
                     dtype="float32")


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    """A frame of 0-4 columns and 0-8 rows of mixed column types and names."""
    n = draw(st.integers(0, 8))
    names = draw(st.lists(texts, min_size=0, max_size=4))
    return pd.DataFrame({name: draw(columns(n)) for name in names}) if names else \
        pd.DataFrame(index=range(n))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_same_text_as_pandas(frame: pd.DataFrame) -> None:
    """For any frame of the column types above -- floats with NaN, infinities, negative
    zero, huge and tiny values, integers, booleans, text with commas, quotes and line
    breaks, missing values, one column or none, no rows -- the text is pandas' text."""
    assert csv_text(frame) == pandas_text(frame)


def test_file_bytes_equal_pandas_over_chunks(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A table longer than one chunk is written with the same bytes as pandas writes,
    and a column of a type left to pandas (after chunks were written) still gives them."""
    rng = np.random.default_rng(3)
    n = 2_500
    frame = pd.DataFrame({
        "t": rng.normal(0, 1e4, n), "k": rng.integers(-9, 9, n),
        "s": pd.Series(rng.choice(["a", "b,c", 'q"', None], n), dtype="str"),
        "x": np.where(rng.random(n) < 0.3, np.nan, rng.random(n)),
    })
    monkeypatch.setattr(csvout, "CHUNK_ROWS", 1_000)
    ours, theirs = tmp_path / "ours.csv", tmp_path / "pandas.csv"
    write_csv(frame, ours)
    frame.to_csv(theirs, index=False, float_format=FORMAT, lineterminator="\n")
    assert ours.read_bytes() == theirs.read_bytes()
    late = frame.assign(z=pd.Series([1, None] * (n // 2), dtype="Int64"))
    write_csv(late, ours)
    late.to_csv(theirs, index=False, float_format=FORMAT, lineterminator="\n")
    assert ours.read_bytes() == theirs.read_bytes()
