"""A run's folder keeps the wall-clock solve times out of the reproducible files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sim.runner import run, write_run
from sim.scenario import Scenario


def test_wallclock_kept_apart(make_scenario: Callable[..., Scenario], tmp_path: Path) -> None:
    """Solve times go to wallclock.json only; CSVs and metrics.json are byte-identical
    between two runs with the same seed; the route map is drawn."""
    sc = make_scenario("run.duration=30min", "run.warmup=5min", "dispatch.policy=batch")
    a, b = (write_run(run(sc), tmp_path / k) for k in ("a", "b"))
    files = sorted(p.name for p in a.iterdir())
    assert "solve_times.csv" not in files and "route_map.png" in files
    for name in files:
        if name.endswith((".csv", ".json")) and name != "wallclock.json":
            assert (a / name).read_bytes() == (b / name).read_bytes(), name
    wall = json.loads((a / "wallclock.json").read_text())
    assert wall["dispatch"]["decisions"] == len(
        (a / "dispatches.csv").read_text().splitlines()) - 1
    assert wall["dispatch"]["solve_ms"]["max"] >= wall["dispatch"]["solve_ms"]["p50"] > 0
    assert "_ms" not in (a / "metrics.json").read_text()
