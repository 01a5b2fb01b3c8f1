"""Stock-out handling: reservation at pick time, substitutes, reroutes, cancellations."""

from __future__ import annotations

import pandas as pd

from sim.core.records import CANCELLED, DELIVERED
from sim.model import Model
from sim.runner import run

SCARCE = ("store_defaults.stock.reserve=pick", "store_defaults.stock.cover_days=0.05",
          "store_defaults.stock.min_units=1", "store_defaults.pickers=1")
"""Thin shelves, one picker: walk-ins empty shelves while online orders queue to be picked."""


def events_of(result, kind: str) -> pd.DataFrame:
    """The ``fulfil_events`` rows of one kind."""
    ev = result.records["fulfil_events"]
    return ev[ev["event"] == kind]


def test_reserving_at_order_time_never_finds_a_shelf_empty(make_scenario):
    """With units set aside at acceptance, pickers never meet a short line."""
    result = run(make_scenario(*SCARCE[1:], "stockout.actions=[cancel]"))
    assert result.metrics["handling"]["stockout_handling"]["short_lines"] == 0
    assert result.metrics["orders"]["cancelled"] == 0


def test_cancel_cancels_exactly_the_orders_with_short_lines(make_scenario):
    """Reserving at pick time, every order whose picker found a line short is cancelled,
    its picked units go back on the shelf, and the ledger still balances."""
    result = run(make_scenario(*SCARCE, "stockout.actions=[cancel]"))
    orders = result.records["orders"]
    short = set(events_of(result, "short")["order_id"])
    cancelled = orders[orders["status"] == CANCELLED]
    assert short and set(cancelled["order_id"]) == short
    assert (cancelled["reason"] == "stockout").all()
    assert set(events_of(result, "cancelled")["order_id"]) == short
    assert result.metrics["inventory"]["ledger"] == {"rows": 400, "unbalanced": 0,
                                                     "negative": 0}


def test_substitutes_come_from_the_same_class_and_the_rest_is_dropped(make_scenario):
    """Substitutes are neighbouring SKUs of the short line's class that were not in the
    basket; short lines without a substitute are dropped and the order is delivered
    without them, or cancelled when nothing at all is left."""
    model = Model(make_scenario(*SCARCE, "stockout.actions=[substitute, partial]",
                                "stockout.substitute_acceptance=1.0"))
    records = model.run()
    ev = records["fulfil_events"]
    subs = ev[ev["event"] == "substituted"]
    assert len(subs) > 0
    cls = model.sku_class
    baskets = {o.id: {s for s, _ in o.basket} for o in model.flow.orders}
    for row in subs.itertuples():
        original = int(row.detail)
        assert cls[row.sku] == cls[original] and 1 <= abs(row.sku - original) <= 3
        assert row.sku not in baskets[row.order_id]
    short = ev[ev["event"] == "short"]
    dropped = ev[ev["event"] == "dropped"]
    status = records["orders"].set_index("order_id")["status"]
    gone = short[status[short["order_id"]].to_numpy() == CANCELLED]  # nothing left to send
    assert len(short) == len(subs) + len(dropped) + len(gone)
    assert (status[dropped["order_id"].unique()] == DELIVERED).all()


def test_reroute_moves_the_order_to_the_other_store(make_scenario):
    """A rerouted order is picked and delivered by the node the event names: a delivered
    order's final node is the target of its last reroute."""
    result = run(make_scenario(*SCARCE, "stockout.actions=[reroute, cancel]"))
    moved = events_of(result, "rerouted")
    assert len(moved) > 0
    orders = result.records["orders"].set_index("order_id")
    for row in moved.itertuples():
        assert row.detail != row.node
        if orders.loc[row.order_id, "status"] == DELIVERED:
            assert orders.loc[row.order_id, "node"] in {"west", "east"}
    last_target = moved.groupby("order_id")["detail"].last()
    delivered = orders.loc[last_target.index, "status"] == DELIVERED
    assert delivered.any()
    final = orders.loc[last_target.index[delivered], "node"]
    pd.testing.assert_series_equal(final, last_target[delivered], check_names=False)
    assert result.metrics["handling"]["stockout_handling"]["reroutes"] == len(moved)


def test_partial_delivery_counts_in_the_online_fill_rate(make_scenario):
    """Dropped units are delivered short: units delivered are the delivered orders' units
    less their dropped units, and the unit fill rate divides by all units ordered."""
    scenario = make_scenario(*SCARCE, "stockout.actions=[partial]")
    result = run(scenario)
    fill = result.metrics["fill_rate"]["online"]
    start, end = scenario.run.measured
    orders = result.records["orders"]
    measured = orders[(orders["created"] >= start) & (orders["created"] < end)]
    delivered = measured[measured["status"] == DELIVERED]
    dropped = events_of(result, "dropped")
    dropped = dropped[dropped["order_id"].isin(delivered["order_id"])]["units"].sum()
    assert dropped > 0 and fill["lost_units"]["dropped"] == dropped
    assert fill["units_delivered"] == delivered["units"].sum() - dropped
    assert fill["unit_fill_rate"] == round(fill["units_delivered"] / measured["units"].sum(), 6)


def test_pick_misses_are_written_off_as_removed(make_scenario):
    """Units a picker does not find are removed from the ledger and handled as short."""
    result = run(make_scenario("store_defaults.stock.pick_miss_probability=0.1",
                               "stockout.actions=[partial]"))
    ledger = result.records["stock_ledger"]
    short = events_of(result, "short")
    assert ledger["removed"].sum() == short["units"].sum() > 0
    assert result.metrics["inventory"]["ledger"]["unbalanced"] == 0
