"""The generated field reference says what the code does: units, short forms, tags, and
the customers' spread as the demand generator uses it."""

from __future__ import annotations

import numpy as np
import pytest

from sim.demand.arrivals import clustered_points
from sim.scenario import ScenarioError, parse_scenario
from sim.scenario.demand import CustomerSpec
from sim.scenario.reference import markdown_reference
from sim.scenario.schema import Scenario
from sim.scenario.units import parse_distance, parse_duration
from tests.conftest import TINY


@pytest.fixture(scope="module")
def rows() -> dict[str, list[list[str]]]:
    """The reference's rows by field path (a path may have a row per policy)."""
    out: dict[str, list[list[str]]] = {}
    for line in markdown_reference(Scenario).splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        out.setdefault(cells[0].strip("`"), []).append(cells)
    return out


def test_supplier_kind_documented(rows):
    """A supplier's required `kind` has a row (a single-kind union still names its tag)."""
    (row,) = rows["suppliers.<name>.kind"]
    assert row[1] == "`dc`" and row[2] == "required" and "distribution centre" in row[3]


@pytest.mark.parametrize(("path", "unit"), [
    ("vehicles.<name>.max_range", "distance (> 0)"),
    ("dispatch.lookahead", "duration (>= 0)"),
    ("stores[].replenishment.review", "duration (> 0)"),
    ("promise.window", "duration (> 0)"),
    ("demand.online.customers.spread", "distance (> 0)"),
])
def test_unit_fields_show_their_unit(rows, path, unit):
    """Fields that take units say which (also when optional), never plain `number`."""
    assert all(unit in r[1] and r[1] != "number" for r in rows[path]), rows[path]


def test_defaults_written_with_units(rows):
    """Defaults of unit fields are written as a file would write them (with a unit)."""
    assert parse_duration(rows["promise.window"][0][2].strip("`")) == 1800
    assert parse_distance(rows["demand.online.customers.spread"][0][2].strip("`")) == 1500
    assert parse_duration(rows["stores[].couriers[].dropoff_time"][0][2].strip("`")) == 120
    for path in ("promise.window", "demand.online.customers.spread"):
        assert not rows[path][0][2].strip("`").replace(".", "").isdigit()


@pytest.mark.parametrize(("path", "words"), [
    ("demand.online.profile", "or `flat`"),
    ("stores[].couriers", "mapping, or list of mapping"),
    ("stores[].pick_time_per_item", "or a constant duration"),
    ("warehouses[].traffic", "a bare name: `abstract`, `grid`"),
    ("warehouses[].policies.pod_return", "`nearest`, `original`, `class`"),
    ("stores[].replenishment.review", "`continuous` or duration"),
])
def test_short_forms_documented(rows, path, words):
    """The short forms the loader accepts are in the type column."""
    assert any(words in r[1] for r in rows[path]), rows[path]


def test_spread_is_a_per_axis_standard_deviation():
    """customers.spread is the SD of each coordinate around the node (as documented), so
    the mean distance to the node is sqrt(pi/2) x spread."""
    doc = CustomerSpec.model_fields["spread"].description or ""
    assert "along each axis" in doc and "1.25 x spread" in doc
    rng = np.random.default_rng(5)
    spread, centre = 500.0, np.array([[50_000.0, 50_000.0]])
    pts = clustered_points(rng, 20_000, centre, np.ones(1), spread, 100_000.0, 100_000.0)
    offsets = pts - centre
    assert offsets.std(axis=0) == pytest.approx([spread, spread], rel=0.03)
    distance = np.hypot(offsets[:, 0], offsets[:, 1]).mean()
    assert distance == pytest.approx(np.sqrt(np.pi / 2) * spread, rel=0.03)


def test_every_error_field_listed():
    """Several bad fields are all named in the one line, not `(and 2 more errors)`."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario(TINY, "tiny.yaml", ["catalog.skus=0", "stores[1].pickers=-3",
                                           "promise.window=soon"])
    text = str(info.value)
    assert "\n" not in text
    for words in ("catalog.skus: must be >= 1 (got 0)", "stores[1].pickers: must be >= 1",
                  "promise.window: invalid duration 'soon'"):
        assert words in text
    assert "more error" not in text


def test_error_line_stays_short():
    """However many items are bad, the line lists a few and counts the rest."""
    big = "[" + ", ".join(["x"] * 5_000) + "]"
    with pytest.raises(ScenarioError) as info:
        parse_scenario(TINY, "tiny.yaml", [f"store_defaults.couriers={big}"])
    text = str(info.value)
    assert len(text) < 300 and text.endswith("more errors)")


def test_many_errors_counted():
    """Past the first few, the rest are counted."""
    overrides = ["catalog.skus=0", "stores[0].pickers=0", "stores[1].pickers=0",
                 "promise.radius=x", "vehicles.ebike.speed=0", "run.duration=x"]
    with pytest.raises(ScenarioError) as info:
        parse_scenario(TINY, "tiny.yaml", overrides)
    assert str(info.value).endswith("(and 2 more errors)")
