"""Progress off a terminal: plain lines at a fixed interval, also from a piped sweep."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest

from sim.core import progress
from sim.core.progress import ProgressBar
from tests.conftest import ROOT, TINY


def test_lines_at_a_fixed_interval_off_a_terminal(monkeypatch):
    """Off a terminal the bar writes whole lines, one per interval at most, saying what
    is done, the time elapsed and the time left, and never a carriage return."""
    now = [100.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: now[0])
    out = io.StringIO()
    bar = ProgressBar(10, "demo ", " runs", stream=out, interval=5.0)
    for step in range(1, 11):
        now[0] += 2.0  # a run every 2 s: a line at most every 5 s
        bar.update(step, "(x)")
    bar.close()
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert lines == ["demo: 3/10 runs (x), 30% done, 6 s elapsed, about 14 s left",
                     "demo: 6/10 runs (x), 60% done, 12 s elapsed, about 8 s left",
                     "demo: 9/10 runs (x), 90% done, 18 s elapsed, about 2 s left"]


def test_interval_from_the_environment(monkeypatch):
    """OMNISIM_PROGRESS_SECONDS sets the interval; 0 silences it; junk is ignored."""
    monkeypatch.setenv("OMNISIM_PROGRESS_SECONDS", "0")
    assert not ProgressBar(5, stream=io.StringIO()).enabled
    monkeypatch.setenv("OMNISIM_PROGRESS_SECONDS", "nan")
    assert ProgressBar(5, stream=io.StringIO()).interval == progress.LOG_INTERVAL
    monkeypatch.setenv("OMNISIM_PROGRESS_SECONDS", "2.5")
    assert ProgressBar(5, stream=io.StringIO()).interval == 2.5


EXPERIMENT = """
name: piped
scenario: tiny.yaml
replications: 4
overrides: {run.duration: 1h, run.drain: 20min}
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes")
def test_a_piped_sweep_prints_progress_while_it_works(tmp_path):
    """A sweep whose stderr is a pipe prints progress lines before it has finished."""
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    (tmp_path / "exp.yaml").write_text(EXPERIMENT, encoding="utf-8")
    env = {**os.environ, "OMNISIM_PROGRESS_SECONDS": "0.01"}
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "run_sim.py"), "sweep", str(tmp_path / "exp.yaml"),
         "--out", str(tmp_path / "out"), "--backend", "serial", "--no-report"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()
        still_working = proc.poll() is None
        summary, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert re.fullmatch(r"piped: 1/4 runs \(1\.33 h simulated\), 25% done, \d+ s elapsed, "
                        r"about \d+ s left\n", first), first
    assert still_working
    assert proc.returncode == 0 and summary.startswith("piped: 4 of 4 runs")
