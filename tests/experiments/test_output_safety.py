"""Sweeps and their output: a corrupted run is redone on resume, and a run folder holding
a user's file is refused before any run starts (issue 18 items 1 and 9)."""

from __future__ import annotations

import pandas as pd

from sim.cli import main

from .test_backends import sweep


def test_corrupted_metrics_is_rerun_on_resume(write_experiment, tmp_path, capsys):
    """One corrupted `metrics.json` no longer blocks `--resume` and `report`: the run is
    done again and the tables are whole."""
    exp = write_experiment()
    out = tmp_path / "out"
    assert sweep(exp, out, "--backend", "serial", "--replications", "1") == 0
    bad = out / "runs/few__store_defaults.couriers.count=6/s0/metrics.json"
    good = out / "runs/more__store_defaults.couriers.count=9/s0/metrics.json"
    stamp = good.stat().st_mtime_ns
    bad.write_text('{"orders": {"crea')
    assert sweep(exp, out, "--backend", "serial", "--replications", "1", "--resume") == 0
    assert good.stat().st_mtime_ns == stamp
    assert bad.read_text().startswith("{") and '"orders"' in bad.read_text()
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == 4 and (runs["status"] == "ok").all()
    assert main(["report", str(out)]) == 0


def test_users_file_in_a_run_folder_refused_before_running(write_experiment, tmp_path,
                                                         capsys):
    """A run folder to be redone that holds a user's file stops the sweep with exit 2
    before anything runs; the file is kept."""
    exp = write_experiment()
    out = tmp_path / "out"
    assert sweep(exp, out, "--backend", "serial", "--replications", "1") == 0
    folder = out / "runs/few__store_defaults.couriers.count=6/s0"
    (folder / "metrics.json").unlink()
    (folder / "notes.txt").write_text("mine")
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("metrics.json")}
    assert sweep(exp, out, "--backend", "serial", "--replications", "1", "--resume") == 2
    assert "notes.txt" in capsys.readouterr().err
    assert (folder / "notes.txt").read_text() == "mine"
    assert {p: p.stat().st_mtime_ns for p in out.rglob("metrics.json")} == stamps


def test_report_output_never_overwrites_a_users_file(write_experiment, tmp_path, capsys):
    """`report -o FILE` overwrites its own earlier report but not a user's file."""
    exp = write_experiment()
    out = tmp_path / "out"
    assert sweep(exp, out, "--backend", "serial", "--replications", "1", "--no-report") == 0
    mine = tmp_path / "notes.html"
    mine.write_text("<p>mine</p>")
    assert main(["report", str(out), "-o", str(mine)]) == 2
    assert mine.read_text() == "<p>mine</p>"
    ours = tmp_path / "r.html"
    assert main(["report", str(out), "-o", str(ours)]) == 0
    assert main(["report", str(out), "-o", str(ours)]) == 0
