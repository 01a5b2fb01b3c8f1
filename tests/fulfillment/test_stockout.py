"""Stock-out handling: reservation at pick time, substitutes, reroutes, cancellations."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from sim.city.network import RoadNetwork
from sim.core.env import SimEnv
from sim.core.records import CANCELLED, DELIVERED, FULFIL_EVENT_COLUMNS
from sim.demand.order import Order
from sim.fulfillment.stockout import DeskLink, StockoutHandling
from sim.model import Model
from sim.runner import run
from sim.scenario.schema import StockoutSpec
from sim.stores.inventory import ShelfStock

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


# ---------------------------------------------------------------- the handler on its own


class Desk:
    """An order desk that records what the handler asks of it."""

    def __init__(self, target: object = None) -> None:
        self.target = target
        self.calls: list[tuple[object, ...]] = []

    def reroute_target(self, order: Order, node: object) -> object:
        """The node set up front (None: no node can take the order)."""
        return self.target

    def reroute(self, order: Order, old: object, new: object) -> None:
        """Remember the reroute."""
        self.calls.append(("reroute", order.id, new))

    def cancel(self, order: Order, node: object, reason: str) -> None:
        """Remember the cancellation."""
        self.calls.append(("cancel", order.id, reason))


def handler(tiny, actions: list[str], desk: Desk) -> tuple[StockoutHandling, SimpleNamespace,
                                                            Order]:
    """A handler with ``actions``, a store with two SKUs on the shelf, and an order."""
    env = SimEnv(tiny, 0)
    store = SimpleNamespace(name="s", stock=ShelfStock(env, "s", [5, 5]))
    place = RoadNetwork.grid(1000, 1000, 100).place(0, 0)
    order = Order(id=7, created=0.0, place=place, basket=((0, 2), (1, 1)), units=3)
    return StockoutHandling(env, StockoutSpec(actions=actions), desk), store, order


def fulfil_events(h: StockoutHandling) -> list[str]:
    """The kinds of ``fulfil_events`` rows the handler wrote."""
    return [row[4] for row in h.env.recorder.table("fulfil_events", FULFIL_EVENT_COLUMNS).rows]


def test_reroute_without_a_target_falls_through_to_the_next_action(tiny):
    """No node can take the order: reroute does nothing and cancel, next, takes it away;
    the desk is called only when the store lets the order go."""
    desk = Desk(target=None)
    h, store, order = handler(tiny, ["reroute", "cancel"], desk)
    decision = h.resolve(store, order, [(0, 2)], [(1, 1)])
    assert decision.leave() and desk.calls == []
    decision.after()
    assert desk.calls == [("cancel", 7, "stockout")]
    assert fulfil_events(h) == ["short"]


def test_reroute_with_a_target_moves_the_order(tiny):
    """A node that can take the order whole gets it; later actions are not tried."""
    desk = Desk(target="other")
    h, store, order = handler(tiny, ["reroute", "cancel"], desk)
    decision = h.resolve(store, order, [(0, 2)], [(1, 1)])
    decision.after()
    assert desk.calls == [("reroute", 7, "other")]


def test_partial_drops_short_lines_or_cancels_an_empty_order(tiny):
    """Partial keeps what the picker holds and drops the rest; with nothing held the
    order is cancelled."""
    h, store, order = handler(tiny, ["partial"], Desk())
    kept = h.resolve(store, order, [(0, 2)], [(1, 1)])
    assert not kept.leave() and kept.held == [(0, 2)]
    assert fulfil_events(h) == ["short", "dropped"]
    empty = h.resolve(store, order, [], [(0, 2), (1, 1)])
    assert empty.leave()


def test_the_desk_link_is_bound_exactly_once():
    """Using the link before the flow is bound, or binding it twice, is an error."""
    link = DeskLink()
    with pytest.raises(RuntimeError, match="not bound"):
        _ = link.desk
    link.bind(Desk())
    with pytest.raises(RuntimeError, match="already bound"):
        link.bind(Desk())
