"""Results folders: complete, self-describing, byte-identical, and never half-written."""

import json

import pytest

import sim.runner as runner
from sim.outputs import MARKER
from sim.runner import run, write_failure, write_run
from sim.scenario import read_scenario

FILES = {"scenario.resolved.yaml", "metrics.json", "orders.csv", "trips.csv", "states.csv",
         "stockouts.csv", "walkins.csv", "stock_levels.csv", "stock_ledger.csv", "fleets.csv",
         "click_to_door.png", "orders_per_hour.png", "utilisation.png", "route_map.png",
         "utilisation_by_store.png"}


def test_folder_contents(tiny, tmp_path):
    """A run folder holds the resolved scenario, metrics, record CSVs and plots."""
    folder = write_run(run(tiny, 5), tmp_path / "r")
    names = {p.name for p in folder.iterdir()}
    assert names >= FILES | {runner.WALLCLOCK, MARKER}
    assert all(n.endswith(".csv") for n in names - FILES - {runner.WALLCLOCK, MARKER})
    resolved = (folder / "scenario.resolved.yaml").read_text()
    assert "seed: 5" in resolved and "sim_version:" in resolved
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["orders"]["created"] > 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_byte_identical_outputs(tiny, tmp_path):
    """Same scenario and seed give byte-identical files, plots included; only the
    wall-clock timings differ."""
    a = write_run(run(tiny, 9), tmp_path / "a")
    b = write_run(run(tiny, 9), tmp_path / "b")
    names = {p.name for p in a.iterdir()} - {runner.WALLCLOCK}
    assert names == {p.name for p in b.iterdir()} - {runner.WALLCLOCK} and names >= FILES
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_resolved_scenario_reruns_identically(tiny, tmp_path):
    """Re-running the resolved scenario reproduces the metrics exactly."""
    first = run(tiny, 11)
    folder = write_run(first, tmp_path / "r", plots=False)
    again = run(read_scenario(folder / "scenario.resolved.yaml"))
    assert again.seed == 11 and again.metrics == first.metrics


def test_crash_while_writing_leaves_nothing(tiny, tmp_path, monkeypatch):
    """A failure while writing leaves no folder and no staging debris behind."""
    result = run(tiny)

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(runner, "write_tables", boom)
    with pytest.raises(OSError):
        write_run(result, tmp_path / "r")
    assert list(tmp_path.iterdir()) == []


def test_failed_rerun_keeps_earlier_result(tiny, tmp_path, monkeypatch):
    """A later failing run never replaces a finished result in the same place."""
    folder = write_run(run(tiny), tmp_path / "r", plots=False)
    before = (folder / "metrics.json").read_bytes()
    monkeypatch.setattr(runner, "write_tables", lambda *a: (_ for _ in ()).throw(OSError()))
    with pytest.raises(OSError):
        write_run(run(tiny, 2), folder, plots=False)
    assert (folder / "metrics.json").read_bytes() == before
    failed = write_failure(tiny, 2, RuntimeError("model broke"), folder)
    assert failed.name == "r-failed" and "model broke" in (failed / "error.txt").read_text()
    assert (folder / "metrics.json").read_bytes() == before
