"""Every shipped scenario runs (one busy hour) and every shipped experiment validates."""

from pathlib import Path

import pytest
import yaml

from sim.experiments.spec import ExperimentSpec
from sim.runner import run
from sim.scenario import read_scenario
from tests.conftest import SCENARIOS

FILES = sorted(SCENARIOS.glob("*.yaml"))


def is_experiment(path: Path) -> bool:
    data = yaml.safe_load(path.read_text())
    return isinstance(data, dict) and "scenario" in data


def short(path: Path):
    """The scenario cut to its busiest hour with a short warm-up and drain."""
    sc = read_scenario(path)
    profile = sc.demand.online.profile
    peak = max(range(24), key=lambda h: (profile[h], -h))
    return read_scenario(path, [f"run.start={peak * 3600}", "run.duration=1h",
                                "run.warmup=10min", "run.drain=45min"])


@pytest.mark.parametrize("path", [p for p in FILES if not is_experiment(p)], ids=lambda p: p.name)
def test_shipped_scenario_runs(path):
    """The scenario is valid and a short run delivers orders."""
    result = run(short(path))
    assert result.metrics["orders"]["created"] > 0
    assert result.metrics["orders"]["delivered"] > 0


@pytest.mark.parametrize("path", [p for p in FILES if is_experiment(p)], ids=lambda p: p.name)
def test_shipped_experiment_validates(path):
    """The experiment file is valid and names a valid scenario."""
    spec = ExperimentSpec.model_validate(yaml.safe_load(path.read_text()),
                                         context={"base_dir": path.parent})
    read_scenario(spec.scenario)
