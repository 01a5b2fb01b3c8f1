"""Backends give identical results; failing runs are recorded and the others kept."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.experiments.backends import ProcessBackend, SerialBackend, make_backend
from sim.experiments.plan import load_plan
from sim.experiments.worker import RunTask, execute
from sim.outputs import MARKER
from sim.runfolder import WALLCLOCK
from sim.scenario.errors import ScenarioError


def sweep(exp: Path, out: Path, *args: str) -> int:
    """Run the sweep command quietly without the report."""
    return main(["sweep", str(exp), "--out", str(out), "--quiet", "--no-report", *args])


def folder_bytes(root: Path) -> dict[str, bytes]:
    """Every file under ``root``/runs by relative path, except the wall-clock timings
    (the one file that differs between runs with the same seed)."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "runs").rglob("*")) if p.is_file() and p.name != WALLCLOCK}


def deterministic(files: dict[str, bytes]) -> dict[str, bytes]:
    """A run folder's files without the wall-clock timings."""
    return {k: v for k, v in files.items() if k.rsplit("/", 1)[-1] != WALLCLOCK}


def test_serial_and_processes_give_identical_results(write_experiment, tmp_path):
    """The same experiment on serial and on 2 processes: byte-identical tables and run
    folders (metrics, record CSVs, resolved scenarios)."""
    exp = write_experiment()
    a, b = tmp_path / "serial", tmp_path / "processes"
    assert sweep(exp, a, "--backend", "serial") == 0
    assert sweep(exp, b, "--backend", "processes", "--workers", "2") == 0
    for name in ("runs.csv", "comparison.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    files_a, files_b = folder_bytes(a), folder_bytes(b)
    names = {k.rsplit("/", 1)[1] for k in files_a}
    assert {"scenario.resolved.yaml", "metrics.json", "orders.csv", "states.csv"} <= names
    assert len(files_a) == 12 * len(names)
    assert files_a == files_b
    runs = pd.read_csv(a / "runs.csv")
    assert len(runs) == 12 and (runs["status"] == "ok").all()
    assert list(runs.columns[:7]) == ["cell", "variant", "store_defaults.couriers.count",
                                      "replication", "seed", "status", "error"]


FAILING = """
name: failing
scenario: tiny.yaml
replications: 2
variants:
  good: {}
  broken: {city.network: {kind: graphml, file: broken.graphml}}
  more: {store_defaults.couriers.count: 10}
kpis: [{metric: sla.on_time_rate, better: higher}]
"""


def test_a_failing_variant_does_not_lose_the_others(write_experiment, tmp_path, capsys):
    """The broken variant's runs fail when the model is built; they are recorded with
    their error, every other run is complete, and the exit code says something failed."""
    exp = write_experiment(FAILING)
    out = tmp_path / "out"
    assert sweep(exp, out, "--backend", "processes", "--workers", "2") == 1
    assert "2 run(s) failed" in capsys.readouterr().err
    runs = pd.read_csv(out / "runs.csv", keep_default_na=False)
    status = dict(zip(runs["cell"] + "/" + runs["seed"].astype(str), runs["status"],
                      strict=True))
    assert status == {"good/0": "ok", "good/1": "ok", "broken/0": "failed",
                      "broken/1": "failed", "more/0": "ok", "more/1": "ok"}
    failed = runs[runs["status"] == "failed"]
    assert failed["error"].str.contains("cannot read GraphML").all()
    assert (failed["sla.on_time_rate"] == "").all()
    assert "ScenarioError" in (out / "runs/broken/s0/error.txt").read_text()
    assert (out / "runs/broken/s0/scenario.resolved.yaml").is_file()
    for cell in ("good", "more"):
        for seed in (0, 1):
            metrics = json.loads((out / f"runs/{cell}/s{seed}/metrics.json").read_text())
            assert metrics["orders"]["delivered"] > 0
    comp = pd.read_csv(out / "comparison.csv")
    assert dict(zip(comp["cell"], comp["n"], strict=True)) == {"good": 2, "broken": 0,
                                                                "more": 2}
    assert comp.set_index("cell").at["more", "n_pairs"] == 2


def test_resume_reruns_only_failed_and_missing(write_experiment, tmp_path):
    """--resume leaves finished runs alone and tries the failed ones again."""
    exp = write_experiment(FAILING)
    out = tmp_path / "out"
    assert sweep(exp, out, "--backend", "serial") == 1
    good = out / "runs/good/s0/metrics.json"
    stamp = good.stat().st_mtime_ns
    broken = out / "runs/broken/s0/error.txt"
    broken_stamp = broken.stat().st_mtime_ns
    assert sweep(exp, out, "--backend", "serial", "--resume") == 1
    assert good.stat().st_mtime_ns == stamp
    assert broken.stat().st_mtime_ns != broken_stamp


def test_results_folder_is_not_overwritten(write_experiment, tmp_path, capsys):
    """A second sweep into the same folder needs --resume; a changed experiment cannot
    resume into it."""
    exp = write_experiment()
    out = tmp_path / "out"
    assert sweep(exp, out, "--backend", "serial", "--replications", "1") == 0
    assert sweep(exp, out, "--backend", "serial") == 2
    assert "add --resume" in capsys.readouterr().err
    exp.write_text(exp.read_text().replace("[6, 9]", "[6, 9, 12]").replace(
        "store_defaults.pickers: 5", "store_defaults.pickers: 4"))
    assert sweep(exp, out, "--backend", "serial", "--resume") == 2
    assert "is a different scenario" in capsys.readouterr().err


def test_resume_adds_replications(write_experiment, tmp_path):
    """--resume with more replications runs only the new ones and keeps the old."""
    exp = write_experiment()
    out = tmp_path / "out"
    assert sweep(exp, out, "--backend", "serial", "--replications", "1") == 0
    first = out / "runs/few__store_defaults.couriers.count=6/s0/metrics.json"
    stamp = first.stat().st_mtime_ns
    assert sweep(exp, out, "--backend", "serial", "--replications", "2", "--resume") == 0
    assert first.stat().st_mtime_ns == stamp
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == 8 and sorted(runs["seed"].unique()) == [0, 1]


def _square(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    if x == 5:
        os._exit(1)  # a worker that dies without reporting
    return x * x


@pytest.mark.parametrize("backend", [SerialBackend(), ProcessBackend(2)],
                         ids=["serial", "processes"])
def test_every_task_is_accounted_for(backend):
    """Each task yields its result or its error exactly once, even if the worker dies."""
    tasks = [1, 2, 3, 4] if isinstance(backend, SerialBackend) else [1, 2, 3, 4, 5]
    got = list(backend.map(_square, tasks, lambda t, e: (t, type(e).__name__)))
    assert len(got) == len(tasks)
    assert (3, "ValueError") in got
    if isinstance(backend, SerialBackend):
        assert sorted(g for g in got if isinstance(g, int)) == [1, 4, 16]
    else:
        assert any(g == (5, "BrokenProcessPool") for g in got)


def test_backend_options_are_checked():
    """Unknown backends, --address without dask and --workers 0 are input errors."""
    with pytest.raises(ScenarioError, match="unknown backend"):
        make_backend("threads")
    with pytest.raises(ScenarioError, match="--address needs --backend dask"):
        make_backend("processes", address="tcp://127.0.0.1:1")
    with pytest.raises(ScenarioError, match="--workers must be >= 1"):
        make_backend("processes", workers=0)


def test_spawned_workers_give_the_serial_outcomes(write_experiment):
    """Workers started with spawn (the default when the caller has threads, as in a
    notebook) re-import everything and still produce byte-identical run folders."""
    plan = load_plan(write_experiment(), replications=1)
    tasks = [RunTask(r.key, plan.scenarios[r.cell], r.seed) for r in plan.design.runs()]
    serial = {o.key: deterministic(o.files)
              for o in SerialBackend().map(execute, tasks, _fail)}
    spawned = {o.key: deterministic(o.files) for o in
               ProcessBackend(2, start_method="spawn").map(execute, tasks, _fail)}
    assert len(serial) == 4 and spawned == serial


def _fail(task, exc):
    raise AssertionError(f"{task.key}: {exc!r}")


def test_no_tables_keeps_metrics_only(write_experiment, tmp_path):
    """--no-tables writes only the resolved scenario and metrics.json per run, and the
    same runs table as a full sweep."""
    exp = write_experiment()
    full, lean = tmp_path / "full", tmp_path / "lean"
    assert sweep(exp, full, "--backend", "serial", "--replications", "1") == 0
    assert sweep(exp, lean, "--backend", "serial", "--replications", "1", "--no-tables") == 0
    names = {p.name for p in (lean / "runs").rglob("*") if p.is_file()}
    assert names == {"metrics.json", "scenario.resolved.yaml", MARKER}
    assert (full / "runs.csv").read_bytes() == (lean / "runs.csv").read_bytes()
