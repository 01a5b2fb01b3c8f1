"""Output folders: omnisim never removes what it did not write, checks a location before it
simulates, keeps output inside the results folder, and leaves nothing behind.

Regression tests for issue 18 items 1, 8, 9, 11 and 14 (each failed on the code before)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import sim.runner as runner
from sim.cli import main
from sim.experiments.store import run_state
from sim.outputs import MARKER, STAGING, atomic_folder, clean_stale, foreign_files, is_complete
from sim.runner import run, write_run
from sim.scenario.errors import ScenarioError

from .conftest import TINY

SHORT = ["--set", "run.duration=30min", "--set", "run.warmup=5min", "--set",
         "run.drain=15min", "--no-plots", "--quiet"]


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    """The tiny scenario as a file."""
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    return path


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a simulation starts (the output must be refused before)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the simulation started before the output was checked")

    monkeypatch.setattr(runner, "run", refuse)


def test_out_refuses_a_users_folder(tiny_file, tmp_path, capsys, no_simulation):
    """`--out` on a folder holding a user's file is exit 2 before simulating; the file is
    untouched (it was deleted before the fix)."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("x")
    assert main(["run", str(tiny_file), "--out", str(mine), *SHORT]) == 2
    err = capsys.readouterr().err
    assert "thesis.tex" in err and "not a results folder written by omnisim" in err
    assert err.count("\n") == 1
    assert [p.name for p in mine.iterdir()] == ["thesis.tex"]
    assert (mine / "thesis.tex").read_text() == "x"


def test_out_refuses_a_file(tiny_file, tmp_path, capsys, no_simulation):
    """`--out` naming a file is exit 2; the file stays as it was (it was moved aside and
    replaced by a folder before the fix)."""
    target = tmp_path / "hema_city.yaml"
    target.write_text("name: keep\n")
    assert main(["run", str(tiny_file), "--out", str(target), *SHORT]) == 2
    assert "is a file" in capsys.readouterr().err
    assert target.read_text() == "name: keep\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hema_city.yaml", "tiny.yaml"]


def test_out_that_cannot_be_created_is_checked_first(tiny_file, capsys, no_simulation):
    """`--out /dev/null/x` is a one-line exit 2 before the run (a traceback after it
    before the fix)."""
    assert main(["run", str(tiny_file), "--out", "/dev/null/x", *SHORT]) == 2
    assert "/dev/null is not a folder" in capsys.readouterr().err


def test_out_current_folder_when_not_empty(tiny_file, tmp_path, monkeypatch, capsys,
                                           no_simulation):
    """`--out .` in a non-empty folder is refused up front."""
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(tiny_file), "--out", ".", *SHORT]) == 2
    assert "tiny.yaml" in capsys.readouterr().err


def test_out_reuses_empty_and_earlier_run_folders(tiny_file, tmp_path, capsys):
    """An empty folder and an earlier run's folder may be written; the earlier run is
    replaced whole. A user's file added to a run folder makes it foreign again."""
    out = tmp_path / "out"
    out.mkdir()
    assert main(["run", str(tiny_file), "--out", str(out), *SHORT]) == 0
    assert is_complete(out, "run") and (out / "metrics.json").is_file()
    marker = json.loads((out / MARKER).read_text())
    assert set(marker["files"]) == {p.name for p in out.iterdir()} - {MARKER}
    assert main(["run", str(tiny_file), "--out", str(out), "--seed", "3", *SHORT]) == 0
    assert "seed: 3" in (out / "scenario.resolved.yaml").read_text()
    (out / "notes.txt").write_text("mine")
    assert foreign_files(out) == ["notes.txt"]
    assert main(["run", str(tiny_file), "--out", str(out), *SHORT]) == 2
    assert (out / "notes.txt").read_text() == "mine"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_names_cannot_leave_the_results_folder(tiny_file, tmp_path, monkeypatch, capsys,
                                               no_simulation):
    """`--set name=..` (and other dot names) is exit 2: it wrote into the working folder
    before the fix."""
    monkeypatch.chdir(tmp_path)
    for name in ("..", ".hidden", "../../x"):
        assert main(["run", str(tiny_file), "--set", f"name={name}", *SHORT]) == 2
        assert "not start with '.'" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.yaml"]


def test_experiment_named_dotdot_is_refused(tiny_file, tmp_path, monkeypatch, capsys):
    """An experiment named `..` is exit 2 before any run (it wrote plan.json, runs/ and
    report.html into the working folder before the fix)."""
    monkeypatch.chdir(tmp_path)
    exp = tmp_path / "exp.yaml"
    exp.write_text(f"name: '..'\nscenario: {tiny_file.name}\nreplications: 1\n"
                   "variants: {base: {}}\n")
    assert main(["sweep", str(exp), "--backend", "serial", "--quiet"]) == 2
    assert "not start with '.'" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp.yaml", "tiny.yaml"]


def test_schema_output_checked(tmp_path, capsys):
    """`schema -o` into a missing folder is a one-line exit 2 (a traceback before); it
    overwrites its own earlier output but never a user's file."""
    assert main(["schema", "-o", str(tmp_path / "nodir" / "x.json")]) == 2
    assert "does not exist" in capsys.readouterr().err
    mine = tmp_path / "notes.json"
    mine.write_text('{"mine": 1}')
    assert main(["schema", "-o", str(mine)]) == 2
    assert mine.read_text() == '{"mine": 1}'
    ours = tmp_path / "schema.json"
    assert main(["schema", "-o", str(ours)]) == 0
    assert main(["schema", "-o", str(ours)]) == 0
    assert json.loads(ours.read_text())["$schema"].startswith("https://json-schema.org")


def test_failed_run_leaves_no_empty_folders(tiny_file, tmp_path, monkeypatch, capsys):
    """A run that fails on bad input at run time leaves no empty `results/<name>/`."""

    def bad(*args: object, **kwargs: object) -> None:
        raise ScenarioError("tiny.yaml:3: run.start: a bad value found at run time")

    monkeypatch.setattr(runner, "run", bad)
    results = tmp_path / "results"
    assert main(["run", str(tiny_file), "--results", str(results), *SHORT]) == 2
    assert not results.exists()


def test_figures_failing_keep_the_result(tiny_file, tmp_path, monkeypatch, capsys):
    """If drawing the figures fails after the simulation, the result is written without
    them instead of being lost."""
    import sim.report.run_plots as plots

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(plots, "write_run_plots", boom)
    out = tmp_path / "r"
    args = [a for a in SHORT if a != "--no-plots"]
    assert main(["run", str(tiny_file), "--out", str(out), *args]) == 0
    assert "figures or report could not be drawn" in capsys.readouterr().err
    assert (out / "metrics.json").is_file() and is_complete(out, "run")


def test_stale_staging_of_a_killed_run_is_removed(tiny, tmp_path):
    """A staging folder left by a process that no longer exists (SIGKILL) is removed by
    the next write in the same place; a live writer's, and hidden folders that are not
    omnisim's staging folders, are left alone."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_pid = int(dead.stdout)
    stale = tmp_path / f".old-run.partial-{dead_pid}"
    stale.mkdir()
    (stale / STAGING).write_bytes(b"")
    (stale / "orders.csv").write_text("x")
    live = tmp_path / f".other.partial-{os.getppid()}"
    live.mkdir()
    (live / STAGING).write_bytes(b"")
    foreign = tmp_path / f".users.partial-{dead_pid}"
    foreign.mkdir()
    (foreign / "data").write_text("keep")
    write_run(run(tiny), tmp_path / "r", plots=False)
    assert not stale.exists()
    assert live.exists() and (foreign / "data").read_text() == "keep"
    assert clean_stale(tmp_path) == 0


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs Linux /proc")
def test_staging_of_a_zombie_or_a_reused_pid_is_stale(tmp_path):
    """A writer killed but never reaped (a zombie) writes nothing more, and a process that
    started after a staging folder was last written only inherited its number: both
    leftovers are removed; a writer that was running when the folder was written is not."""
    zombie = os.fork()
    if zombie == 0:
        os._exit(0)
    other = subprocess.Popen(["sleep", "30"])
    try:
        folders = []
        for name, pid in (("zombie", zombie), ("reused", other.pid), ("writing", other.pid)):
            path = tmp_path / f".{name}.partial-{pid}"
            path.mkdir()
            (path / STAGING).write_bytes(b"")
            folders.append(path)
        old = os.stat(folders[1]).st_mtime - 600  # written ten minutes before `sleep` began
        os.utime(folders[1], (old, old))
        os.waitid(os.P_PID, zombie, os.WEXITED | os.WNOWAIT)  # exited, not reaped: a zombie
        assert clean_stale(tmp_path) == 2
        assert [p.name for p in tmp_path.iterdir()] == [folders[2].name]
    finally:
        other.kill()
        other.wait()
        os.waitpid(zombie, 0)


def test_killed_run_leaves_staging_that_the_next_run_removes(tiny_file, tmp_path):
    """End to end: a `run` killed with SIGKILL while writing leaves a hidden staging
    folder; the next run into the same results folder removes it."""
    results = tmp_path / "results"
    code = ("import os, signal, sys; import sim.runner as r; from sim.cli import main\n"
            "real = r.write_tables\n"
            "def kill(*a, **k):\n"
            "    real(*a, **k); os.kill(os.getpid(), signal.SIGKILL)\n"
            "r.write_tables = kill\n"
            "sys.exit(main(sys.argv[1:]))\n")
    cmd = [sys.executable, "-c", code, "run", str(tiny_file), "--results", str(results),
           *SHORT]
    killed = subprocess.run(cmd, capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[1], timeout=120)
    assert killed.returncode == -9
    leftovers = list((results / "tiny").glob(".*partial-*"))
    assert len(leftovers) == 1
    assert main(["run", str(tiny_file), "--results", str(results), *SHORT]) == 0
    assert not list((results / "tiny").glob(".*"))


def test_atomic_folder_refuses_foreign_content(tmp_path):
    """The writer itself refuses a folder it did not write, whoever calls it."""
    target = tmp_path / "t"
    target.mkdir()
    (target / "keep.txt").write_text("k")
    with pytest.raises(ScenarioError), atomic_folder(target) as tmp:
        (tmp / "a.csv").write_text("a")
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["t"]


def test_corrupted_metrics_counts_as_not_done(tiny, tmp_path):
    """A run folder whose metrics.json does not parse, or that lacks its completion
    marker, is not done (it blocked `sweep --resume` and `report` before the fix)."""
    folder = write_run(run(tiny), tmp_path / "r", plots=False)
    assert run_state(folder) == "ok"
    (folder / "metrics.json").write_text('{"orders": ')
    assert run_state(folder) is None
    folder = write_run(run(tiny), tmp_path / "r2", plots=False)
    (folder / MARKER).unlink()
    assert run_state(folder) is None


def test_a_replay_added_to_a_run_folder_keeps_it_ours(tiny_file, tmp_path, capsys):
    """`run --replay` (and `replay RUN_DIR`) add replay.html to the run folder's marker,
    so the folder can still be replaced by a later run; a user's replay.html elsewhere
    is never overwritten."""
    out = tmp_path / "r"
    assert main(["run", str(tiny_file), "--out", str(out), "--replay", *SHORT]) == 0
    assert (out / "replay.html").is_file() and foreign_files(out) == []
    assert main(["replay", str(out)]) == 0
    assert main(["run", str(tiny_file), "--out", str(out), *SHORT]) == 0
    assert not (out / "replay.html").exists()
    mine = tmp_path / "mine.html"
    mine.write_text("<p>mine</p>")
    assert main(["replay", str(out), "--out", str(mine)]) == 2
    assert mine.read_text() == "<p>mine</p>"
