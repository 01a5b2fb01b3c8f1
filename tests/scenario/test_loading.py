"""Scenario files load into typed models, and every kind of bad input names its field."""

import json
from pathlib import Path

import pydantic
import pytest

from sim.scenario import ScenarioError, parse_scenario, read_scenario
from sim.scenario.loading import apply_overrides, parse_override
from sim.scenario.schema import Scenario
from tests.conftest import SCENARIOS, TINY


def error_of(*overrides: str, text: str = TINY) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "tiny.yaml", overrides)
    return info.value


def test_default_scenario_loads():
    """The shipped default scenario is valid and converted to SI units."""
    sc = read_scenario(SCENARIOS / "hema_city.yaml")
    assert sc.name == "hema_city"
    assert sc.promise.window == 1800 and sc.promise.radius == 3000
    assert sc.vehicles["ebike"].speed == pytest.approx(5.0)
    first = sc.stores[0].pickers
    assert len(sc.stores) == 5 and all(s.pickers == first for s in sc.stores)
    assert max(first.hourly) == 21 and first.hourly[:7] == [0] * 7  # the hourly plan


def test_store_defaults_merge(tiny):
    """Store defaults fill what a store does not say; a store's own value wins."""
    sc = parse_scenario(TINY.replace("{name: east, location: [3km, 2km]}",
                                     "{name: east, location: [3km, 2km], pickers: 5}"))
    assert [s.pickers for s in sc.stores] == [3, 5]
    assert sc.stores[0].fleets[0].count == 8
    assert tiny.stores[0].pick_time_per_item.dist == "exponential"


def test_constant_shorthand(tiny):
    """A bare value stands for a constant distribution."""
    assert tiny.stores[0].pick_time_per_order.dist == "constant"
    assert tiny.stores[0].pick_time_per_order.value == 30.0


def test_scenario_is_frozen(tiny):
    """Validated scenarios cannot be changed in place."""
    before = tiny.stores[0].pickers
    with pytest.raises(pydantic.ValidationError, match="Instance is frozen"):
        tiny.stores[0].pickers = 9  # type: ignore[misc]
    assert tiny.stores[0].pickers == before == 3


def test_overrides(make_scenario):
    """--set paths reach nested fields and list items; values are YAML."""
    sc = make_scenario("stores[1].pickers=6", "store_defaults.couriers.count=2",
                       "promise.window=20min", "run.warmup=0")
    assert sc.stores[1].pickers == 6 and sc.stores[0].pickers == 3
    assert all(s.fleets[0].count == 2 for s in sc.stores)
    assert sc.promise.window == 1200 and sc.run.warmup == 0


def test_override_parsing():
    """Override paths accept dots and [i] indices."""
    assert parse_override("a.b[2].c=3") == (["a", "b", 2, "c"], 3)
    assert parse_override("a.0.c=x y") == (["a", 0, "c"], "x y")
    assert apply_overrides({"a": [{"c": 1}]}, ["a[0].c=2", "d.e=true"]) == \
        {"a": [{"c": 2}], "d": {"e": True}}


def test_resolved_scenario_round_trips(tiny):
    """A scenario dumped in SI units loads back to the same scenario."""
    data = tiny.model_dump(mode="json", exclude={"store_defaults"})
    again = Scenario.model_validate(data)
    assert again.model_dump() == tiny.model_dump(exclude={"store_defaults"}) | \
        {"store_defaults": None}


def test_json_schema_lists_fields():
    """The JSON Schema documents the fields editors complete."""
    schema = Scenario.model_json_schema()
    text = json.dumps(schema)
    for field in ("stores", "store_defaults", "pick_time_per_item", "promise", "walkins_per_day"):
        assert field in text
    assert schema["additionalProperties"] is False


# ---------------------------------------------------------------- error paths

@pytest.mark.parametrize(("overrides", "path", "words"), [
    (["stores[1].pickers=-3"], "stores[1].pickers", "must be >= 1 (got -3)"),
    (["stores[0].pickers=lots"], "stores[0].pickers", "must be a whole number"),
    (["store_defaults.couriers.count=-1"], "store_defaults.couriers.count", "must be >= 0"),
    (["promise.window=soon"], "promise.window", "invalid duration 'soon'"),
    (["promise.radius=3 parsecs"], "promise.radius", "invalid distance"),
    (["vehicles.ebike.speed=0"], "vehicles.ebike.speed", "must be > 0"),
    (["promise.policy=fixd"], "promise.policy", "did you mean 'fixed'"),
    (["store_defaults.couriers.vehicle=ebkie"], "store_defaults.couriers.vehicle",
     "did you mean 'ebike'"),
    (["stores[0].location=[9km, 1km]"], "stores[0].location", "outside the city"),
    (["stores[1].name=west"], "stores[1].name", "duplicate node name"),
    (["run.warmup=3h"], "run.warmup", "shorter than run.duration"),
    (["store_defaults.pick_time_per_item.dist=expo"], "store_defaults.pick_time_per_item.dist",
     "did you mean 'exponential'"),
    (["store_defaults.pick_time_per_item={dist: uniform, low: 5s, high: 1s}"],
     "store_defaults.pick_time_per_item", "high must be >= low"),
    (["demand.online.profile=[1, 2]"], "demand.online.profile", "at least 24 items"),
    (["catalog.skus=0"], "catalog.skus", "must be >= 1"),
    (["stores=[]"], "stores", "needs at least one store or warehouse"),
])
def test_bad_values_name_their_field(overrides, path, words):
    """Wrong types, negative counts, bad units and bad references name the field."""
    err = error_of(*overrides)
    assert path in str(err)
    assert words in str(err)
    assert "\n" not in str(err)


def test_unknown_key_did_you_mean():
    """An unknown key is an error that suggests the closest field, with file and line."""
    err = error_of(text=TINY.replace("pickers: 3", "pikers: 3"))
    assert str(err).startswith("tiny.yaml:")
    assert "store_defaults.pikers: unknown field 'pikers' (did you mean 'pickers'?)" in str(err)
    assert err.line == TINY.splitlines().index("  pickers: 3") + 1


def test_misspelt_parameter_preferred_over_missing():
    """A misspelt distribution parameter is reported as unknown, not as 'mean is required'."""
    err = error_of(text=TINY.replace("mean: 10s", "meen: 10s"))
    assert "pick_time_per_item.meen: unknown field 'meen' (did you mean 'mean'?)" in str(err)


def test_missing_required_field():
    """A missing required field is named."""
    err = error_of(text=TINY.replace("catalog: {skus: 200, zipf_exponent: 1.0}\n", ""))
    assert "catalog: is required" in str(err)


def test_malformed_yaml_gives_line():
    """Broken YAML is one line with the file and line number."""
    err = error_of(text=TINY.replace("catalog: {skus: 200", "catalog: {skus: [200"))
    assert str(err).startswith("tiny.yaml:") and "invalid YAML" in str(err)
    assert err.line is not None


def test_top_level_must_be_mapping():
    """A scenario that is a list or a scalar is refused."""
    assert "mapping" in str(error_of(text="- 1\n- 2\n"))


def test_override_errors_name_the_override():
    """An error in a --set value says it came from --set, not from the file."""
    err = error_of("stores[5].pickers=2")
    assert str(err).startswith("--set: stores[5]") and "out of range" in str(err)
    assert str(error_of("stores[0].pickers=0")).startswith("--set: stores[0].pickers")
    # a key that only the override wrote: the unknown field's path is a prefix of it
    err = error_of("fleet.couriers=3")
    assert str(err).startswith("--set: fleet: unknown field 'fleet'"), str(err)
    # an error in the file stays located in the file even when an override is given
    bad = error_of("run.warmup=10min", text=TINY.replace("catalog: {skus: 200",
                                                         "catalog: {skuz: 200"))
    assert str(bad).startswith("tiny.yaml:"), str(bad)
    with pytest.raises(ScenarioError, match="PATH=VALUE"):
        parse_override("stores[0].pickers")


def test_missing_file(tmp_path):
    """A missing scenario file is a ScenarioError, not an OSError."""
    with pytest.raises(ScenarioError, match="not found"):
        read_scenario(tmp_path / "nope.yaml")


def test_graphml_file_relative_and_checked(tmp_path: Path):
    """A GraphML path resolves against the scenario's folder and must exist."""
    text = TINY.replace("network: {kind: grid, block: 250m}",
                        "network: {kind: graphml, file: roads.graphml}")
    (tmp_path / "s.yaml").write_text(text)
    with pytest.raises(ScenarioError, match=r"city.network.file: file not found"):
        read_scenario(tmp_path / "s.yaml")
