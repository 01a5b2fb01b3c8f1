"""Every experiment file shipped under scenarios/ expands and runs (short horizon)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.experiments.plan import load_plan
from sim.runner import run

ROOT = Path(__file__).resolve().parents[2]


def experiment_files() -> list[Path]:
    """YAML files under scenarios/ that are experiments (they name a base scenario)."""
    out = []
    for path in sorted((ROOT / "scenarios").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "scenario" in data and "city" not in data:
            out.append(path)
    return out


def test_there_is_a_shipped_experiment():
    """The documented example exists (the parametrised test below is not empty)."""
    assert ROOT / "scenarios/experiments/hema_couriers.yaml" in experiment_files()


@pytest.mark.parametrize("path", experiment_files(), ids=lambda p: p.name)
def test_shipped_experiment_runs(path):
    """All cells validate; the first and last run 20 minutes at their busiest hour."""
    plan = load_plan(path)
    assert len(plan.design.runs()) >= 1
    picks = {0, len(plan.scenarios) - 1}
    for i in sorted(picks):
        sc = plan.scenarios[i]
        profile = sc.demand.online.profile
        peak = 3600.0 * max(range(24), key=lambda h: profile[h])
        short = sc.run.model_copy(update={"start": peak, "duration": 1200.0,
                                          "warmup": 300.0, "drain": 1200.0})
        result = run(sc.model_copy(update={"run": short}), plan.design.seeds[0])
        assert result.metrics["orders"]["created"] > 0, plan.design.cells[i].folder
