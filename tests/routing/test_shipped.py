"""The shipped routing scenarios: the dispatch comparison experiment validates and each
of its variants runs on the default city; the drone scenario runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.experiments.spec import ExperimentSpec
from sim.runner import run
from sim.scenario import read_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
EXPERIMENT = SCENARIOS / "experiments" / "dispatch_comparison.yaml"
SHORT = ["run.start=12:00", "run.duration=6min", "run.warmup=1min", "run.drain=40min"]


def flatten(overrides: dict[str, Any], prefix: str = "") -> list[str]:
    """Nested override mappings as ``--set`` items."""
    out = []
    for key, value in overrides.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out += flatten(value, path + ".")
        else:
            out.append(f"{path}={value}")
    return out


def experiment() -> ExperimentSpec:
    data = yaml.safe_load(EXPERIMENT.read_text())
    return ExperimentSpec.model_validate(data, context={"base_dir": EXPERIMENT.parent})


def test_comparison_validates() -> None:
    """The experiment file is a valid experiment over the default city, comparing every
    dispatch policy with immediate."""
    spec = experiment()
    assert Path(spec.scenario) == SCENARIOS / "hema_city.yaml"
    assert spec.base == "immediate" and len(spec.seed_list) == 5
    policies = {v.get("dispatch", {}).get("policy", "immediate") for v in spec.variants.values()}
    assert policies == {"immediate", "batch", "rolling_horizon", "cheapest_insertion"}


@pytest.mark.parametrize("variant", list(experiment().variants))
def test_comparison_variant_runs(variant: str) -> None:
    """Each variant's overrides make a valid scenario that runs a short peak window and
    delivers what it accepts."""
    spec = experiment()
    sc = read_scenario(spec.scenario, [*flatten(spec.variants[variant]), *SHORT])
    result = run(sc, seed=spec.seed_list[0])
    o = result.metrics["orders"]
    assert o["delivered"] + o["in_progress_at_end"] == o["accepted"] > 30
    assert result.metrics["routing"]["dispatch"]["capped"] == 0


def test_drones_scenario_runs() -> None:
    """The e-bike and drone scenario runs a short window with both fleets delivering."""
    sc = read_scenario(SCENARIOS / "drones.yaml",
                       ["run.start=11:00", "run.duration=30min", "run.warmup=5min"])
    m = run(sc).metrics
    assert set(m["routing"]["by_vehicle"]) == {"ebike", "drone"}
    assert m["orders"]["delivered"] == m["orders"]["accepted"] > 20
