"""Scenario fields of the policies: defaults, and one clear error per bad value."""

from __future__ import annotations

import pytest

from sim.scenario import ScenarioError

DC = "suppliers={dc: {kind: dc, lead_time: 2h}}"


def error(make_scenario, *overrides: str) -> str:
    """The one-line message a bad scenario gives."""
    with pytest.raises(ScenarioError) as info:
        make_scenario(*overrides)
    return str(info.value)


def test_defaults_keep_the_foundation_behaviour(tiny):
    """No replenishment, reservation at order time, no protection, fixed and nearest."""
    store = tiny.stores[0]
    assert store.replenishment.policy == "none"
    assert store.stock.reserve == "order" and store.stock.protection == {}
    assert tiny.promise.policy == "fixed" and tiny.assignment.policy == "nearest"
    assert tiny.stockout.actions == ["substitute", "partial"]
    assert tiny.economics is None and tiny.suppliers == {}


def test_every_policy_parses_with_human_units(make_scenario):
    """Replenishment levels, review periods and supplier times take human units."""
    sc = make_scenario(DC, "store_defaults.replenishment={policy: sS, supplier: dc, s: 0.5, "
                       "S: 1.5, review: 4h, review_at: '03:00'}",
                       "promise={policy: dynamic_radius, min_radius: 1.5km}",
                       "assignment={policy: split, max_parts: 3}")
    repl = sc.stores[1].replenishment
    assert (repl.review, repl.review_at, repl.S) == (14400.0, 10800.0, 1.5)
    assert sc.promise.min_radius == 1500.0 and sc.assignment.max_parts == 3


@pytest.mark.parametrize(("override", "message"), [
    ("store_defaults.replenishment={policy: sS, supplier: dc, s: 2, S: 1}",
     "store_defaults.replenishment.S: must be greater than s (2)"),
    ("store_defaults.replenishment={policy: sS, supplier: dc, s: 1, S: 2.5, "
     "levels_in: units}",
     "store_defaults.replenishment.S: must be a whole number of units"),
    ("store_defaults.replenishment={policy: sS, supplier: dc, s: 1, S: 2, review: often}",
     "store_defaults.replenishment.review: expected 'continuous' or a positive duration"),
    ("store_defaults.replenishment={policy: RS, supplier: dc, S: 2}",
     "store_defaults.replenishment.review"),
    ("stores[1].replenishment={policy: rQ, supplier: dcc, r: 1, Q: 2}",
     "stores[1].replenishment.supplier: unknown supplier 'dcc' (did you mean 'dc'?)"),
    ("store_defaults.stock.protection={Z: 2}",
     "store_defaults.stock.protection.Z: unknown SKU class 'Z'"),
    ("stockout.actions=[cancel, partial]",
     "stockout.actions: 'partial' and 'cancel' can only be the last action"),
    ("stockout.actions=[substitute, reroute]",
     "stockout.actions: must end with 'partial' or 'cancel'"),
    ("promise={policy: dynamic_radius, radius: 2km, min_radius: 3km}",
     "promise.min_radius: must not exceed radius (2000 m)"),
    ("promise={policy: capacity_aware, when_late: later}", "promise.when_late"),
    ("predictor.quantile=1", "predictor.quantile"),
    ("assignment={policy: split, max_parts: 1}", "assignment.max_parts"),
])
def test_bad_values_name_their_field(make_scenario, override, message):
    """A bad policy value is one error naming the field path."""
    assert message in error(make_scenario, DC, override)


def test_unlimited_stock_cannot_be_replenished(make_scenario):
    """Replenishing a store whose shelves never run out is a contradiction."""
    msg = error(make_scenario, DC, "stores[0].stock.unlimited=true",
                "stores[0].replenishment={policy: RS, supplier: dc, S: 1, review: 4h}")
    assert "stores[0].replenishment: a store with unlimited stock" in msg


def test_a_store_choosing_another_policy_replaces_the_default(make_scenario):
    """store_defaults names one replenishment policy, a store another: the store's own
    mapping is used whole, not merged with fields of the other policy."""
    sc = make_scenario(DC, "store_defaults.replenishment={policy: forecast, supplier: dc, "
                       "lead_time: 1h}",
                       "stores[1].replenishment={policy: sS, supplier: dc, s: 1, S: 2}",
                       "stores[0].replenishment={review: 2h}")
    west, east = (s.replenishment for s in sc.stores)
    assert (west.policy, west.review, west.lead_time) == ("forecast", 7200.0, 3600.0)
    assert (east.policy, east.s, east.S) == ("sS", 1.0, 2.0)
