"""A sweep killed midway loses nothing finished, and --resume completes it exactly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]

LONGER = """
name: killed
scenario: tiny.yaml
replications: 6

variants:
  few: {}
  many: {store_defaults.couriers.count: 12}
kpis:
  - {metric: sla.on_time_rate, better: higher}
  - {metric: sla.click_to_door_min.p90, better: lower}
"""


def finished(out: Path) -> int:
    """Runs whose folder is complete."""
    return len(list(out.glob("runs/*/s*/metrics.json")))


def test_resume_after_kill_matches_an_uninterrupted_sweep(write_experiment, tmp_path, capsys):
    """Kill the sweep's process group (SIGKILL) after a few runs, resume it, and get
    byte-identical tables to a sweep that was never interrupted."""
    exp = write_experiment(LONGER)
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "run_sim.py"), "sweep", str(exp), "--out", str(out),
         "--backend", "processes", "--workers", "2", "--no-report", "--quiet"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while finished(out) < 3 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        assert proc.poll() is None, "the sweep ended before it could be interrupted"
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its worker processes
    finally:
        if proc.poll() is None:
            proc.wait(timeout=30)
        if proc.stderr is not None:
            proc.stderr.close()
    done = finished(out)
    assert 3 <= done < 12
    assert not (out / "runs.csv").exists()

    assert main(["sweep", str(exp), "--out", str(out), "--resume", "--backend", "processes",
                 "--workers", "2", "--no-report"]) == 0
    summary = capsys.readouterr().out
    assert re.search(rf"\({12 - done} run now, {done} done before\)", summary)
    assert not [p for p in out.rglob(".*")
                if "partial" in p.name or ".old-" in p.name or p.name == ".scratch"]

    whole = tmp_path / "whole"
    assert main(["sweep", str(exp), "--out", str(whole), "--backend", "serial",
                 "--no-report", "--quiet"]) == 0
    for name in ("runs.csv", "comparison.csv"):
        assert (out / name).read_bytes() == (whole / name).read_bytes()
