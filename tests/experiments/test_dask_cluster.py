"""The dask backend: a real cluster (scheduler and two workers started here, on
127.0.0.1) and a local cluster give the same tables as the serial backend."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.cli import main
from tests.experiments.conftest import free_port

pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]


def _dask() -> list[str]:
    exe = shutil.which("dask", path=os.pathsep.join([str(Path(sys.executable).parent),
                                                     os.environ.get("PATH", "")]))
    if exe is None:
        pytest.skip("the dask command is not installed")
    return [exe]


def _wait_for(path: Path, text: str, procs: list[subprocess.Popen[bytes]],
              timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return
        for p in procs:
            if p.poll() is not None:
                raise AssertionError(f"a dask process exited early ({p.args}); "
                                     f"log: {path.read_text(errors='replace')[-2000:]}")
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {text!r} in {path}")


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[str]:
    """A scheduler and two single-threaded workers on 127.0.0.1, stopped afterwards."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    procs: list[subprocess.Popen[bytes]] = []
    files = []

    def start(args: list[str], log: Path) -> None:
        f = log.open("wb")
        files.append(f)
        procs.append(subprocess.Popen(args, cwd=tmp_path, env=env, stdout=f,
                                      stderr=subprocess.STDOUT))

    try:
        start([*_dask(), "scheduler", "--host", "127.0.0.1", "--port", str(port),
               "--no-dashboard"], logs / "scheduler.log")
        _wait_for(logs / "scheduler.log", "Scheduler at", procs)
        for i in range(2):
            start([*_dask(), "worker", address, "--host", "127.0.0.1", "--nthreads", "1",
                   "--no-nanny", "--no-dashboard", "--name", f"w{i}",
                   "--local-directory", str(tmp_path / f"w{i}")], logs / f"worker{i}.log")
        for i in range(2):
            _wait_for(logs / f"worker{i}.log", "Registered to", procs)
        yield address
    finally:
        for p in reversed(procs):  # workers first, then the scheduler
            if p.poll() is None:
                p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)
        for f in files:
            f.close()


def _sweep_subprocess(exp: Path, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(ROOT / "run_sim.py"), "sweep", str(exp), "--out", str(out),
         "--no-report", *args], cwd=exp.parent, env=env, capture_output=True, text=True,
        timeout=300, check=False)


def test_dask_cluster_gives_the_serial_tables(write_experiment, tmp_path, dask_cluster):
    """A sweep through --address on a two-worker cluster equals the serial sweep."""
    exp = write_experiment()
    serial, dask = tmp_path / "serial", tmp_path / "dask"
    assert main(["sweep", str(exp), "--out", str(serial), "--backend", "serial",
                 "--replications", "2", "--no-report", "--quiet"]) == 0
    done = _sweep_subprocess(exp, dask, "--address", dask_cluster, "--replications", "2")
    assert done.returncode == 0, done.stderr
    assert "on dask (2 workers)" in done.stdout
    for name in ("runs.csv", "comparison.csv"):
        assert (serial / name).read_bytes() == (dask / name).read_bytes()
    assert ((serial / "runs/few__store_defaults.couriers.count=6/s1/orders.csv").read_bytes()
            == (dask / "runs/few__store_defaults.couriers.count=6/s1/orders.csv").read_bytes())


def test_dask_local_cluster(write_experiment, tmp_path):
    """--backend dask without an address starts a local cluster: same tables again."""
    exp = write_experiment(
        "name: local\nscenario: tiny.yaml\nreplications: 2\n"
        "factors: {store_defaults.couriers.count: [6, 9]}\n")
    serial, dask = tmp_path / "serial", tmp_path / "dask"
    assert main(["sweep", str(exp), "--out", str(serial), "--backend", "serial",
                 "--no-report", "--quiet"]) == 0
    done = _sweep_subprocess(exp, dask, "--backend", "dask", "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert "on dask (2 workers)" in done.stdout
    for name in ("runs.csv", "comparison.csv"):
        assert (serial / name).read_bytes() == (dask / name).read_bytes()


def test_unreachable_scheduler_is_an_input_error(write_experiment, tmp_path):
    """A wrong --address fails in one line with exit code 2."""
    exp = write_experiment()
    done = _sweep_subprocess(exp, tmp_path / "out", "--address",
                             f"tcp://127.0.0.1:{free_port()}")
    assert done.returncode == 2
    assert done.stderr.startswith("error: cannot reach the Dask scheduler")
    assert len(done.stderr.strip().splitlines()) == 1
