"""Regression tests for bad input (issue 18 items 2, 4, 5, 13; issue 15 item 3).

Each case reproduces a defect found by fuzzing the command line: a value that passed
validation and then hung, crashed or silently gave wrong results, or a loader crash. Now
every one is a clean exit-2 error that names its source and field.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from sim.cli import main
from sim.scenario import Scenario, parse_scenario
from sim.scenario.errors import ScenarioError
from sim.scenario.loading import MAX_DEPTH, MAX_NODES, load_yaml
from sim.scenario.units import parse_distance, parse_duration, parse_speed, parse_time_of_day
from tests.conftest import SCENARIOS, TINY
from tests.warehouse.conftest import WH


def error_of(*overrides: str, text: str = TINY) -> str:
    """The one-line message of the error the overrides cause."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "tiny.yaml", overrides)
    return str(info.value)


# --------------------------------------------------------------------------- finite numbers


@pytest.mark.parametrize(("override", "field"), [
    ("run.drain=inf", "run.drain"),
    ("run.duration=1e400s", "run.duration"),
    ("run.duration=infinity", "run.duration"),
    ("run.warmup=.nan", "run.warmup"),
    ("city.width=inf", "city.width"),
    ("city.network.block=.inf", "city.network.block"),
    ("demand.online.orders_per_day=.inf", "demand.online.orders_per_day"),
    ("demand.online.orders_per_day=inf", "demand.online.orders_per_day"),
    ("catalog.zipf_exponent=.nan", "catalog.zipf_exponent"),
    ("catalog.skus=1e400", "catalog.skus"),
    ("store_defaults.couriers.count=.inf", "store_defaults.couriers.count"),
    ("store_defaults.pick_time_per_order={dist: normal, mean: inf, sd: 1s}",
     "store_defaults.pick_time_per_order.mean"),
    ("store_defaults.pick_time_per_order=.inf", "store_defaults.pick_time_per_order.value"),
    ("dispatch={policy: batch, time_cap: inf}", "dispatch.time_cap"),
    ("store_defaults.replenishment={policy: sS, supplier: dc, s: 1, S: 3, review: inf}",
     "store_defaults.replenishment.review"),
    ("vehicles.ebike.speed=inf", "vehicles.ebike.speed"),
    ("stores[0].location=[.nan, 1km]", "stores[0].location[0]"),
    ("demand.online.basket.lines={dist: poisson, mean: .inf}",
     "demand.online.basket.lines.mean"),
    ("demand.walkin.profile=[.inf, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, "
     "1, 1, 1, 1]", "demand.walkin.profile[0]"),
])
def test_infinite_and_nan_values_are_refused(override, field):
    """inf, infinity, 1e400s, .inf and NaN are refused in every kind of number field."""
    suppliers = "suppliers={dc: {kind: dc, lead_time: 1h}}"
    message = error_of(suppliers, override)
    assert message.startswith(f"--set: {field}: ")
    assert "finite" in message


def test_infinite_value_in_a_file_names_file_line_and_field():
    """The error of a value written in the file names the file, its line and the field."""
    text = TINY.replace("drain: 1h", "drain: .inf")
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "tiny.yaml")
    assert str(info.value).startswith("tiny.yaml:4: run.drain: must be a finite duration")


def test_cli_refuses_infinity_with_exit_2(capsys):
    """``--set run.drain=inf`` is exit 2 with one line on stderr, before any simulation."""
    code = main(["validate", str(SCENARIOS / "hema_city.yaml"), "--set", "run.drain=inf"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "run.drain" in err and "finite" in err


@pytest.mark.parametrize(("override", "field"), [
    ("seed=true", "seed"),
    ("catalog.skus=true", "catalog.skus"),
    ("demand.online.orders_per_day=false", "demand.online.orders_per_day"),
    ("store_defaults.pickers=yes", "store_defaults.pickers"),
    ("run.duration=true", "run.duration"),
])
def test_booleans_are_not_numbers(override, field):
    """``seed: true`` is not seed 1: a boolean in a number field is refused."""
    message = error_of(override)
    assert message.startswith(f"--set: {field}: ")
    assert "boolean" in message


@pytest.mark.parametrize("text", ["1h-30min", "1h+30min", "2h -1h", "1h30min-5s"])
def test_signed_terms_after_the_first_are_refused(text):
    """``"1h-30min"`` was read as 30 minutes; a sign inside a compound duration is refused."""
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(text)


# --------------------------------------------------------------------------- units


@pytest.mark.parametrize(("override", "field", "hint"), [
    ("promise.window=30", "promise.window", "write 30min (or 30s)"),
    ("promise.window=1800", "promise.window", "write 1800s (or 30min)"),
    ("promise.radius=3", "promise.radius", "write 3km (or 3m)"),
    ("promise.radius=3000", "promise.radius", "write 3000m (or 3km)"),
    ("vehicles.ebike.speed=18", "vehicles.ebike.speed", "write 18km/h (or 18m/s)"),
    ("vehicles.ebike.speed=4.5", "vehicles.ebike.speed", "write 4.5m/s (or 4.5km/h)"),
    ("run.start=7", "run.start", "'07:00'"),
    ("run.duration='7200'", "run.duration", "write 7200s (or 120min)"),
    ("store_defaults.pick_time_per_item={dist: uniform, low: 5, high: 10}",
     "store_defaults.pick_time_per_item.low", "write 5min (or 5s)"),
    ("stores[0].location=[1000, 2km]", "stores[0].location[0]", "write 1000m (or 1km)"),
])
def test_bare_numbers_in_unit_fields_are_ambiguous(override, field, hint):
    """``window: 30`` was a 30-second promise; now it is refused with the likely unit."""
    message = error_of(override)
    assert message.startswith(f"--set: {field}: a bare number is ambiguous")
    assert hint in message


def test_window_30_in_a_file_is_exit_2_suggesting_30min(tmp_path: Path, capsys):
    """Issue 15's check: ``window: 30`` in a scenario file is exit 2 suggesting ``30min``,
    naming the file, the line and the field."""
    text = (SCENARIOS / "hema_city.yaml").read_text(encoding="utf-8")
    assert "  window: 30min " in text
    path = tmp_path / "city.yaml"
    path.write_text(text.replace("  window: 30min ", "  window: 30 "), encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "  window: 30min " in t)
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err == (f"error: {path}:{line}: promise.window: a bare number "
                                       "is ambiguous; write 30min (or 30s)\n")


def test_zero_needs_no_unit(make_scenario):
    """0 is 0 in any unit, so it may stay bare."""
    sc = make_scenario("store_defaults.pack_time=0", "run.drain=0", "run.start=0")
    assert (sc.stores[0].pack_time.value, sc.run.drain, sc.run.start) == (0, 0, 0)


@pytest.mark.parametrize(("parse", "text"), [
    (parse_duration, "1800s"), (parse_duration, "0.1s"), (parse_duration, "1e-05s"),
    (parse_distance, "3000m"), (parse_distance, "1234.5678m"), (parse_speed, "4.5m/s"),
    (parse_speed, "5.000000000000001m/s"), (parse_time_of_day, "17:00"),
    (parse_time_of_day, "07:30:15"),
])
def test_si_text_parses_back_exactly(parse, text):
    """What the resolved scenario writes parses back to the same float."""
    from sim.scenario.units import si_text

    x = parse(text)
    unit = {parse_duration: "s", parse_distance: "m", parse_speed: "m/s"}.get(parse)
    if unit is not None:
        assert parse(si_text(x, unit)) == x


def test_resolved_scenario_writes_units_and_reloads(tiny):
    """The resolved scenario's durations, distances and speeds carry SI units and load
    back to the same scenario (``run_sim.py run scenario.resolved.yaml`` reproduces)."""
    from sim.runner import scenario_yaml

    text = scenario_yaml(tiny)
    assert "duration: 7200s" in text and "start: '10:00'" in text
    assert "block: 250m" in text and "speed: 5m/s" in text
    again = parse_scenario(text, "scenario.resolved.yaml")
    assert again.model_dump() == tiny.model_dump(exclude={"store_defaults"}) | \
        {"store_defaults": None}


# --------------------------------------------------------------------------- YAML loader


@pytest.mark.parametrize("scalar", [".", "-.", "._", ".e5", "0x_", "+.", "0o_", "-_"])
def test_odd_plain_scalars_are_text(scalar):
    """Scalars the number patterns used to match but float()/int() reject are text."""
    assert load_yaml(scalar) == scalar


@pytest.mark.parametrize("scalar", [".", "-.", "._", ".e5", "0x_"])
def test_cli_does_not_crash_on_odd_scalars(scalar, capsys):
    """``--set name=.`` was a ValueError traceback with exit 1."""
    code = main(["validate", str(SCENARIOS / "hema_city.yaml"), "--set",
                 f"description={scalar}"])
    assert code == 0, capsys.readouterr().err


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789._-+eExXoObB:abcdfinINFaN ", max_size=8))
def test_any_plain_scalar_loads_or_fails_cleanly(text):
    """Whatever a plain scalar looks like, the loader returns a value or a ScenarioError."""
    try:
        value = load_yaml(f"k: {text}")
    except ScenarioError:
        return
    assert value is None or isinstance(value, dict)


def test_numbers_still_resolve():
    """The tightened patterns still read YAML numbers."""
    assert load_yaml("[1, -2, 0x1F, 0o17, 1_000, 1.5, .5, -1., 1e3, 2.5E-2, .inf]") == \
        [1, -2, 31, 15, 1000, 1.5, 0.5, -1.0, 1000.0, 0.025, float("inf")]
    assert load_yaml("[7:30, 1h30min, 1.2.3]") == ["7:30", "1h30min", "1.2.3"]


def test_huge_integer_is_a_clean_error():
    """An integer too long for int() is an error, not a traceback."""
    with pytest.raises(ScenarioError, match="invalid YAML"):
        load_yaml("seed: " + "9" * 5000)


def _bomb(levels: int) -> str:
    text = 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for i in range(1, levels):
        text += f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n"
    return text + f"name: *a{levels - 1}\n"


@pytest.mark.parametrize(("text", "words"), [
    ("name: x\nnest: " + "[" * 500 + "]" * 500 + "\n", f"nested more than {MAX_DEPTH}"),
    ("name: x\nnest:\n" + "".join("  " * i + f"k{i}:\n" for i in range(500)) + "\n",
     f"nested more than {MAX_DEPTH}"),
    (_bomb(9), f"more than {MAX_NODES:,} values"),
    ("a: &a [*a]\n", "refers to itself"),
])
def test_deep_nesting_and_alias_bombs_end_quickly(tmp_path: Path, capsys, text, words):
    """500-deep nesting and a 9-level alias bomb each end in exit 2 within a second."""
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    t0 = time.process_time()
    code = main(["validate", str(path)])
    cpu = time.process_time() - t0
    err = capsys.readouterr().err
    assert code == 2 and words in err and str(path) in err
    assert cpu < 1.0


def test_shared_aliases_within_the_limit_still_load():
    """Aliases are still allowed: a small document with shared parts loads."""
    assert load_yaml("a: &x [1, 2]\nb: *x\nc: *x\n") == {"a": [1, 2], "b": [1, 2], "c": [1, 2]}


def test_huge_values_are_not_rendered_into_messages():
    """An error about a huge value shows a short excerpt of it."""
    big = "[" + ", ".join(["x"] * 5_000) + "]"
    assert len(error_of(f"store_defaults.couriers={big}")) < 300
    assert len(error_of(f"promise.policy={big}")) < 300
    assert len(error_of("k" * 20_000 + "=1")) < 400  # an unknown key, and its path


# --------------------------------------------------------------------------- messages


@pytest.mark.parametrize(("override", "path"), [
    ("warehouses[0].layout.block=[3, 3]", "warehouses[0].layout.block"),
    ("warehouses[0].layout.station_sides=[west, west]", "warehouses[0].layout.station_sides"),
    ("warehouses[0].robots.battery.charge_to=0.2", "warehouses[0].robots.battery.charge_to"),
    ("warehouses[0].layout={kind: map}", "warehouses[0].layout.file"),
])
def test_warehouse_checks_name_the_full_path(override, path):
    """The four warehouse checks named only their last field (``block:``)."""
    assert error_of(override, text=WH).startswith(f"--set: {path}: ")


def test_set_is_not_doubled():
    """A malformed --set path reads ``--set: cannot read ...``, not ``--set: --set:``."""
    message = error_of("[bad=1")
    assert message.startswith("--set: cannot read the path") and "--set: --set" not in message


def test_runtime_input_errors_name_file_and_field(tmp_path: Path, capsys):
    """An input error found while building the model names the file, line and field."""
    text = WH.replace("chargers: 2", "chargers: 9999")
    assert "chargers: 9999" in text
    path = tmp_path / "wh.yaml"
    path.write_text(text, encoding="utf-8")
    code = main(["run", str(path), "--no-plots", "--quiet", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "chargers: 9999" in t)
    assert code == 2
    assert err.startswith(f"error: {path}:{line}: warehouses[0].layout.chargers: 9999 chargers")


def _models(root: type[BaseModel]) -> set[type[BaseModel]]:
    """Every model reachable from ``root`` through its fields' annotations."""
    seen: set[type[BaseModel]] = set()
    todo: list[object] = [root]
    while todo:
        tp = todo.pop()
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp in seen:
                continue
            seen.add(tp)
            todo.extend(f.annotation for f in tp.model_fields.values())
        todo.extend(get_args(tp))
    return seen


def test_every_scenario_model_refuses_infinite_floats():
    """Belt and braces: a float field added later without the Number type is still finite."""
    models = _models(Scenario)
    assert len(models) > 40
    assert all(m.model_config.get("allow_inf_nan") is False for m in models), \
        sorted(m.__name__ for m in models if m.model_config.get("allow_inf_nan") is not False)
