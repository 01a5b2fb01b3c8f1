"""The JSON Schema that editors use accepts what the loader accepts and rejects bad input.

The committed schemas under ``schemas/`` are what ``run_sim.py schema`` writes (so they
cannot go stale), every shipped scenario and experiment validates against them and names
them in its YAML language server modeline, and the bad inputs below fail both the schema
and the loader.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from sim.cli import main
from sim.experiments.schema_files import SCHEMA_FILES, experiment_schema, scenario_schema
from sim.scenario import ScenarioError, parse_scenario
from sim.scenario.json_schema import human, schema_text
from sim.scenario.loading import apply_overrides, load_yaml
from tests.conftest import ROOT, SCENARIOS, TINY

SHIPPED = sorted(SCENARIOS.glob("*.yaml"))
EXPERIMENTS = sorted((SCENARIOS / "experiments").glob("*.yaml"))
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


@pytest.fixture(scope="module")
def scenario_validator() -> jsonschema.Draft202012Validator:
    """A validator of the committed scenario schema (checked to be a valid schema)."""
    schema = json.loads((ROOT / SCHEMA_FILES["scenario"]).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _errors(validator: jsonschema.Draft202012Validator, data: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(data)]


@pytest.mark.parametrize(("kind", "make"), [("scenario", scenario_schema),
                                            ("experiment", experiment_schema)])
def test_committed_schemas_are_generated(kind, make, tmp_path, capsys):
    """schemas/*.schema.json equal what `schema` writes (regenerate with
    `python run_sim.py schema [--experiment] -o schemas/<kind>.schema.json`)."""
    committed = (ROOT / SCHEMA_FILES[kind]).read_text(encoding="utf-8")
    assert committed == schema_text(make()), f"regenerate {SCHEMA_FILES[kind]}"
    out = tmp_path / "schema.json"
    args = ["schema", "-o", str(out)] + (["--experiment"] if kind == "experiment" else [])
    assert main(args) == 0
    assert out.read_text(encoding="utf-8") == committed
    assert json.loads(committed)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("path", SHIPPED + EXPERIMENTS, ids=lambda p: p.name)
def test_shipped_files_validate_and_name_their_schema(path: Path):
    """Every shipped file validates against the committed schema its modeline names."""
    text = path.read_text(encoding="utf-8")
    m = MODELINE.match(text.splitlines()[0])
    assert m, f"{path.name}: the first line must be the yaml-language-server modeline"
    schema_path = (path.parent / m.group(1)).resolve()
    kind = "experiment" if path in EXPERIMENTS else "scenario"
    assert schema_path == (ROOT / SCHEMA_FILES[kind]).resolve()
    validator = jsonschema.Draft202012Validator(
        json.loads(schema_path.read_text(encoding="utf-8")))
    assert _errors(validator, load_yaml(text, str(path))) == []


GOOD = [
    [],
    ["store_defaults.couriers=[{count: 3, vehicle: ebike}, {count: 2, vehicle: ebike}]"],
    ["store_defaults.pick_time_per_order={dist: gamma, mean: 30s, sd: 10s}"],
    ["store_defaults.pick_time_per_order=0"],
    ["demand.online.profile=[0,0,0,0,0,0,1,2,3,3,3,3,3,3,3,3,3,3,3,2,1,0,0,0]"],
    ["store_defaults.replenishment={policy: sS, supplier: dc, s: 2, S: 6, review: 4h}",
     "suppliers={dc: {kind: dc, lead_time: 2h}}"],
    ["store_defaults.replenishment={policy: sS, supplier: dc, s: 2, S: 6, "
     "review: continuous}", "suppliers={dc: {kind: dc, lead_time: 2h, trucks: ['05:00']}}"],
    ["run.start=0", "run.duration=1h30min", "promise.window=0.5h"],
    ["vehicles.drone={speed: 15m/s, kind: drone, max_range: 3.5km, swap_time: 2min}"],
    ["dispatch={policy: batch, window: 2min}"],
    ["stores[0].couriers={count: 5}", "stores[1].stock={min_units: 3}"],
]


@pytest.mark.parametrize("overrides", GOOD, ids=lambda o: ";".join(o) or "tiny")
def test_good_inputs_pass_both(overrides, scenario_validator):
    """Inputs the loader accepts (short forms, lists or one fleet, units) pass the schema."""
    data = apply_overrides(load_yaml(TINY), overrides)
    parse_scenario(json.dumps(data), "tiny.yaml")
    assert _errors(scenario_validator, data) == []


def test_stores_without_defaults(scenario_validator):
    """Without store_defaults a store must give every field itself; with them, not."""
    data = load_yaml(TINY)
    defaults = data.pop("store_defaults")
    assert any("'pickers' is a required property" in e
               for e in _errors(scenario_validator, data))
    data["stores"] = [dict(s, **defaults) for s in data["stores"]]
    assert _errors(scenario_validator, data) == []
    parse_scenario(json.dumps(data), "tiny.yaml")
    data["stores"][0]["couriers"] = {"count": 5}  # nothing to merge with: incomplete
    assert any(e.startswith("['stores', 0, 'couriers']")
               for e in _errors(scenario_validator, data))
    with pytest.raises(ScenarioError):
        parse_scenario(json.dumps(data), "tiny.yaml")


BAD = [
    "demand.online.profile=flatt",
    "demand.online.profile=[1, 2]",
    "store_defaults.couriers=[]",
    "store_defaults.couriers=8",
    "store_defaults.couriers.count=-1",
    "store_defaults.pickers=lots",
    "store_defaults.pikers=3",
    "store_defaults.pick_time_per_item.dist=expo",
    "store_defaults.pick_time_per_item=-5s",
    "promise.policy=fixd",
    "promise=fixed",
    "promise.window=soon",
    "promise.window=30 parsecs",
    "promise.radius=3 parsecs",
    "promise.radius=-3km",
    "vehicles.ebike.speed=0",
    "vehicles.ebike.speed=18 km/hr",
    "vehicles.ebike.kind=boat",
    "run.start=25:61",
    "catalog.skus=0",
    "stores[0].name=west side",
    "store_defaults.replenishment={policy: sS, supplier: dc, s: 2, S: 6, review: often}",
]


@pytest.mark.parametrize("override", BAD)
def test_bad_inputs_fail_both(override, scenario_validator):
    """A bad value fails the schema as it fails the loader (same override, both checks)."""
    data = apply_overrides(load_yaml(TINY), [override])
    assert _errors(scenario_validator, data), f"the schema accepts {override}"
    with pytest.raises(ScenarioError):
        parse_scenario(json.dumps(data), "tiny.yaml")


@pytest.mark.parametrize("override", ["promise.window=30", "promise.radius=3000",
                                      "vehicles.ebike.speed=5", "run.duration='2'",
                                      "stores[0].location=[1000, 2000]"])
def test_unit_fields_need_a_unit(override, scenario_validator):
    """Durations, distances and speeds are a number with a unit (or 0): a bare number is
    ambiguous (`window: 30` is not 30 minutes)."""
    data = apply_overrides(load_yaml(TINY), [override])
    assert _errors(scenario_validator, data)


def test_defaults_written_with_units():
    """The schema's defaults of unit fields are valid values that an editor may insert."""
    schema = scenario_schema()
    window = schema["$defs"]["FixedPromiseSpec"]["properties"]["window"]
    assert window["default"] == "30min"
    assert human(1500.0, "distance") == "1.5km" and human(90.0, "duration") == "90s"
    assert human(0.0, "duration") == 0


def test_experiment_schema_rejects_bad_fields():
    """The experiment schema rejects unknown fields and malformed KPIs."""
    validator = jsonschema.Draft202012Validator(experiment_schema())
    good = {"name": "x", "scenario": "a.yaml", "replications": 2,
            "kpis": [{"metric": "sla.on_time_rate", "better": "higher"}],
            "warmup": "30min"}
    assert _errors(validator, good) == []
    for bad in ({"replicatons": 2}, {"kpis": [{"metric": "m", "better": "more"}]},
                {"warmup": 1800}):
        assert _errors(validator, good | bad), bad
