"""The shipped policy scenario and experiment: they load, validate and run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.experiments.spec import ExperimentSpec
from sim.runner import run
from sim.scenario.loading import apply_overrides, load_yaml, read_scenario, validate_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
EXPERIMENT = SCENARIOS / "experiments" / "policies.yaml"
SHORT = ["run.start=10:30", "run.duration=3h", "run.warmup=15min", "run.drain=90min"]
"""10:30 to 13:30 and the drain: the lunch peak, the 11:00 review and the 13:00 truck."""


@pytest.mark.parametrize("name", ["hema_city.yaml", "hema_policies.yaml"])
def test_policy_scenarios_run_a_short_horizon(name):
    """The default city and the policy scenario serve the lunch peak and refill their
    shelves from the 13:00 truck, with every ledger balanced."""
    scenario = read_scenario(SCENARIOS / name, SHORT)
    result = run(scenario)
    m = result.metrics
    assert m["orders"]["delivered"] > 0
    assert m["inventory"]["replenishment"]["orders"] >= len(scenario.stores)
    arrived = result.records["replenishments"]["arrived_at"]
    assert arrived.notna().all() and (arrived > 13 * 3600).all()   # on the 13:00 truck
    assert m["inventory"]["ledger"]["unbalanced"] == 0
    assert m["economics"]["revenue"]["total"] > 0


def test_policy_experiment_validates_and_every_variant_builds():
    """The experiment file is a valid ExperimentSpec and each variant's overrides give a
    valid scenario."""
    data = load_yaml(EXPERIMENT.read_text(encoding="utf-8"), str(EXPERIMENT))
    spec = ExperimentSpec.model_validate(data, context={"base_dir": EXPERIMENT.parent})
    assert Path(spec.scenario) == (SCENARIOS / "hema_city.yaml").resolve()
    assert spec.base == "nearest_fixed" and len(spec.seed_list) == spec.replications
    base = load_yaml(Path(spec.scenario).read_text(encoding="utf-8"))
    policies = set()
    for name, overrides in spec.variants.items():
        sets = [f"{path}={json.dumps(value)}" for path, value in
                {**spec.overrides, **overrides}.items()]
        scenario = validate_scenario(apply_overrides(base, sets), name,
                                     base_dir=SCENARIOS)
        policies.add((scenario.assignment.policy, scenario.promise.policy,
                      getattr(scenario.promise, "when_late", None)))
    assert len(policies) == len(spec.variants)
    assert {p[0] for p in policies} == {"nearest", "inventory_aware", "load_aware", "split"}
    assert {p[1] for p in policies} == {"fixed", "capacity_aware", "dynamic_radius"}
    kpis = {k.metric for k in spec.kpis}
    assert {"sla.on_time_rate", "economics.profit"} <= kpis
