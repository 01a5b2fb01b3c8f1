"""--format parquet: the same tables as the CSVs, byte-identical between runs, read by
the reports; a clear input error without pyarrow."""

from __future__ import annotations

import importlib.util
import io

import pandas as pd
import pytest

from sim.cli import main
from sim.core import tablefiles
from sim.core.tablefiles import parquet_bytes, read_table
from tests.conftest import TINY

pytest.importorskip("pyarrow")


def test_run_in_parquet_matches_the_csvs(tmp_path):
    """A run written as Parquet holds the tables of the CSV run (CSV rounds times to
    milliseconds), byte-identical on a second run; report reads it."""
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    base = ["run", str(tmp_path / "tiny.yaml"), "--quiet", "--no-plots",
            "--set", "run.duration=1h"]
    assert main([*base, "--out", str(tmp_path / "csv")]) == 0
    for name in ("a", "b"):
        assert main([*base, "--out", str(tmp_path / name), "--format", "parquet"]) == 0
    csvs = sorted(p.stem for p in (tmp_path / "csv").glob("*.csv"))
    assert csvs == sorted(p.stem for p in (tmp_path / "a").glob("*.parquet"))
    assert not list((tmp_path / "a").glob("*.csv"))
    for name in csvs:
        a = (tmp_path / "a" / f"{name}.parquet").read_bytes()
        assert a == (tmp_path / "b" / f"{name}.parquet").read_bytes(), name
        from_csv = pd.read_csv(tmp_path / "csv" / f"{name}.csv")
        from_parquet = read_table(tmp_path / "a", name)
        assert from_parquet is not None and list(from_parquet.columns) == list(
            from_csv.columns), name
        assert len(from_parquet) == len(from_csv), name
    orders = read_table(tmp_path / "a", "orders")
    assert orders is not None and str(orders["trip"].dtype) == "Int64"
    assert main(["report", str(tmp_path / "a")]) == 0
    assert "<img " in (tmp_path / "a" / "report.html").read_text(encoding="utf-8")


def test_sweep_in_parquet(tmp_path):
    """sweep --format parquet writes runs.parquet and comparison.parquet instead of the
    CSVs, each run's tables as Parquet, and the report still pools the delivery times."""
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    (tmp_path / "exp.yaml").write_text(
        "name: pq\nscenario: tiny.yaml\nreplications: 1\n"
        "overrides: {run.duration: 1h}\nvariants: {a: {}, b: {store_defaults.pickers: 2}}\n",
        encoding="utf-8")
    out = tmp_path / "out"
    assert main(["sweep", str(tmp_path / "exp.yaml"), "--out", str(out), "--backend",
                 "serial", "--quiet", "--format", "parquet"]) == 0
    assert not list(out.glob("*.csv"))
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs["status"].tolist() == ["ok", "ok"]
    assert len(pd.read_parquet(out / "comparison.parquet")) == 2 * 5  # cells x KPIs
    assert (out / "runs" / "a" / "s0" / "orders.parquet").is_file()
    assert "Empirical distribution of click-to-door" in (out / "report.html").read_text(
        encoding="utf-8")


def test_mixed_columns_become_text():
    """A column of mixed types (a factor that is a number in one cell, text in another)
    is written as text rather than failing."""
    frame = pd.DataFrame({"factor": [70, "batch", None], "x": [1.0, 2.0, 3.0]})
    back = pd.read_parquet(io.BytesIO(parquet_bytes(frame)))
    assert back["factor"].tolist()[:2] == ["70", "batch"] and pd.isna(back["factor"][2])


def test_parquet_without_pyarrow_is_an_input_error(tmp_path, monkeypatch, capsys):
    """Without pyarrow, --format parquet is exit 2 before anything runs or is written."""
    real = importlib.util.find_spec
    monkeypatch.setattr(tablefiles.importlib.util, "find_spec",
                        lambda name, *a: None if name == "pyarrow" else real(name, *a))
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    assert main(["run", str(tmp_path / "tiny.yaml"), "--out", str(tmp_path / "r"),
                 "--format", "parquet"]) == 2
    assert "pip install 'omnisim[parquet]'" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
