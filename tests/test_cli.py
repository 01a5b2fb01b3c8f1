"""The command line: run, validate, schema; bad input exits 2 with one line and no files."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import sim.model
from sim.cli import main
from tests.conftest import ROOT, TINY


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "run_sim.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


BAD = {
    "malformed_yaml": (TINY.replace("catalog: {skus: 200", "catalog: {skus: [200"),
                       "invalid YAML"),
    "wrong_type": (TINY.replace("pickers: 3", "pickers: three"), "store_defaults.pickers"),
    "negative_count": (TINY.replace("count: 8", "count: -8"), "store_defaults.couriers.count"),
    "unknown_key": (TINY.replace("walkins_per_day", "walkin_per_day"),
                    "did you mean 'walkins_per_day'"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_exit_2_one_line_no_results(tmp_path, case):
    """Each kind of bad input: exit code 2, one line naming the field, no traceback, no files."""
    text, words = BAD[case]
    path = write(tmp_path, text)
    proc = cli("run", str(path), "--results", str(tmp_path / "res"), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and words in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert not (tmp_path / "res").exists()


def test_missing_file_exit_2(tmp_path):
    """A missing scenario file: exit code 2, one line, nothing written."""
    proc = cli("run", "nope.yaml", "--results", "res", cwd=tmp_path)
    assert proc.returncode == 2 and "not found: nope.yaml" in proc.stderr
    assert proc.stderr.count("\n") == 1 and not (tmp_path / "res").exists()


def test_run_writes_results(tmp_path, capsys):
    """`run` writes a results folder under --results and prints a summary."""
    path = write(tmp_path, TINY)
    assert main(["run", str(path), "--results", str(tmp_path / "res"), "--seed", "3",
                 "--set", "run.duration=1h", "--no-plots"]) == 0
    out = capsys.readouterr().out
    assert "on time" in out and "results:" in out
    (folder,) = (tmp_path / "res" / "tiny").iterdir()
    assert folder.name.endswith("-s3") and (folder / "metrics.json").exists()


def test_run_out_and_bad_set(tmp_path, capsys):
    """--out picks the folder; a bad --set value is an input error naming --set."""
    path = write(tmp_path, TINY)
    assert main(["run", str(path), "--out", str(tmp_path / "o"), "--quiet", "--no-plots"]) == 0
    assert (tmp_path / "o" / "orders.csv").exists()
    assert main(["run", str(path), "--out", str(tmp_path / "p"),
                 "--set", "stores[0].pickers=0"]) == 2
    assert "--set: stores[0].pickers: must be >= 1" in capsys.readouterr().err
    assert not (tmp_path / "p").exists()


def test_internal_error_exit_1_with_traceback_file(tmp_path, monkeypatch, capsys):
    """A crash inside the model: exit code 1 and the traceback in the run folder."""
    def broken(self, progress=None):
        raise RuntimeError("picker fell over")

    monkeypatch.setattr(sim.model.Model, "run", broken)
    path = write(tmp_path, TINY)
    assert main(["run", str(path), "--out", str(tmp_path / "o")]) == 1
    assert "picker fell over" in (tmp_path / "o" / "error.txt").read_text()
    assert (tmp_path / "o" / "scenario.resolved.yaml").exists()
    assert not (tmp_path / "o" / "metrics.json").exists()
    assert "traceback in" in capsys.readouterr().err


def test_validate_and_schema(tmp_path, capsys):
    """`validate` says ok for a good file; `schema` prints a JSON Schema."""
    assert main(["validate", str(write(tmp_path, TINY))]) == 0
    assert "ok" in capsys.readouterr().out
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "omnisim scenario" and "stores" in schema["properties"]


def test_usage_error_exit_2(capsys):
    """An unknown subcommand is a usage error with exit code 2."""
    assert main(["fly"]) == 2
    assert "invalid choice" in capsys.readouterr().err
