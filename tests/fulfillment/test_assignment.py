"""Assignment policies: nearest, inventory-aware, load-aware, split, warehouse fallback."""

from __future__ import annotations

import pytest

from sim.core.records import DELIVERED, REJECTED
from sim.demand.order import Order
from sim.model import Model
from sim.runner import run


def order_at(model: Model, x: float, y: float, basket, oid: int = 0) -> Order:
    """An order from a customer at (x, y) created now."""
    return Order(oid, model.env.now, model.network.place(x, y), basket,
                 sum(q for _, q in basket))


def test_nearest_takes_the_nearest_store_with_the_basket(make_scenario):
    """The nearest store by road serves; if it lacks a line, the next one does."""
    model = Model(make_scenario())
    west, east = model.stores
    order = order_at(model, 1200, 2000, ((5, 1),))
    assert model.assignment.plan(order, model.nodes) == [(west, order.basket)]
    west.stock.levels[5] = 0  # type: ignore[index]
    assert model.assignment.plan(order, model.nodes) == [(east, order.basket)]


def test_inventory_aware_prefers_more_cover_within_the_detour(make_scenario):
    """Two stores within the detour: the one with more days of cover of the basket wins;
    a store beyond the detour is not considered however much it has."""
    model = Model(make_scenario("assignment={policy: inventory_aware, max_detour: 3km}"))
    west, east = model.stores
    basket = ((3, 1), (7, 2))
    order = order_at(model, 1800, 2000, basket)          # 0.8 km from west, 1.2 km from east
    for sku, _ in basket:
        west.stock.levels[sku] = 3  # type: ignore[index]
        east.stock.levels[sku] = 9  # type: ignore[index]
    assert model.assignment.plan(order, model.nodes)[0][0] is east
    tight = Model(make_scenario("assignment={policy: inventory_aware, max_detour: 100m}"))
    for sku, _ in basket:
        tight.stores[0].stock.levels[sku] = 3  # type: ignore[index]
        tight.stores[1].stock.levels[sku] = 9  # type: ignore[index]
    assert tight.assignment.plan(order_at(tight, 1800, 2000, basket),
                                 tight.nodes)[0][0] is tight.stores[0]


def test_load_aware_avoids_the_store_predicted_to_be_slow(make_scenario):
    """When the model predicts a long wait at the nearer store, the farther one serves."""
    model = Model(make_scenario("assignment={policy: load_aware}"))
    west, east = model.stores
    order = order_at(model, 1800, 2000, ((3, 1),))
    assert model.assignment.plan(order, model.nodes)[0][0] is west
    predictor = model.ctx.predictor()
    predictor._model("west").update(0, 0, 1800.0, 0.9, 15.0)   # learned: 30 min at west
    assert model.assignment.plan(order, model.nodes)[0][0] is east


PROTECT = ("stores[0].stock.protection={A: 100000}",          # west: no A online
           "stores[1].stock.protection={B: 100000, C: 100000}")  # east: only A online


def test_split_serves_a_basket_no_store_has_whole(make_scenario):
    """With class A only at east and B, C only at west, mixed baskets are split: one row
    in ``orders`` (delivered when the last shipment is, nodes joined by '+'), one row per
    shipment in ``order_parts``, each shipment with the lines its node has."""
    scenario = make_scenario(*PROTECT, "assignment={policy: split, max_parts: 2}")
    model = Model(scenario)
    records = model.run()
    orders, parts = records["orders"], records["order_parts"]
    split = orders[orders["node"].str.contains("+", regex=False)]
    assert len(split) > 10 and orders["order_id"].is_unique
    assert len(parts) == 2 * len(split)
    a_class = set(range(int((model.sku_class == 0).sum())))
    for o in model.flow.orders:
        if not o.parts:
            continue
        (p0, p1) = o.parts
        assert {p0.node, p1.node} == {"west", "east"}
        for p in o.parts:
            skus = {s for s, _ in p.basket}
            assert skus <= a_class if p.node == "east" else not (skus & a_class)
        if o.status == DELIVERED:
            assert o.delivered == max(p0.delivered, p1.delivered)
            last = p0 if p0.delivered >= p1.delivered else p1
            assert (o.courier, o.dispatched) == (last.courier, last.dispatched)
    m = run(scenario).metrics
    assert m["handling"]["split"]["orders"] > 10
    assert m["orders"]["created"] == m["orders"]["accepted"] + m["orders"]["rejected"]["total"]


def test_without_split_the_same_baskets_are_rejected(make_scenario):
    """The same mixed baskets under nearest assignment are out of stock."""
    m = run(make_scenario(*PROTECT)).metrics
    split = run(make_scenario(*PROTECT, "assignment={policy: split}")).metrics
    assert m["orders"]["rejected"]["by_reason"]["out_of_stock"] > \
        split["orders"]["rejected"]["by_reason"].get("out_of_stock", 0) + 10


NO_ONLINE = ("store_defaults.stock.protection={A: 100000, B: 100000, C: 100000}",)


@pytest.mark.parametrize("policy", ["nearest", "inventory_aware", "load_aware", "split"])
def test_every_policy_falls_back_to_a_warehouse(make_scenario, warehouse, policy):
    """When no store can serve, the order goes to the nearest node of the fallback kind,
    even outside the promise radius; without a fallback the warehouse is an ordinary node
    that serves only customers within its promise radius, and the others are rejected."""
    scenario = make_scenario(*NO_ONLINE, f"assignment={{policy: {policy}, "
                             "fallback: {kind: warehouse, radius: 10km}}")
    model = Model(scenario)
    wh = warehouse(model, x=0.0, y=0.0, couriers=40)
    records = model.run()
    orders = records["orders"]
    assert len(wh.accepted) == len(orders) > 0
    assert (orders["node"] == "wh").all() and (orders["status"] != REJECTED).all()
    assert (orders["status"] == DELIVERED).mean() > 0.9
    plain = Model(make_scenario(*NO_ONLINE, f"assignment={{policy: {policy}}}"))
    warehouse(plain, couriers=40)
    orders = plain.run()["orders"]
    near = (orders["x"] ** 2 + orders["y"] ** 2) ** 0.5 <= 3000  # the promise radius
    assert ((orders["status"] == REJECTED) == ~near).all() and (~near).sum() > 10


def test_fallback_nodes_stay_out_of_the_normal_choice(make_scenario, warehouse):
    """A warehouse next door is not used while a store can serve."""
    model = Model(make_scenario("assignment={policy: nearest, fallback: {kind: warehouse}}"))
    wh = warehouse(model, x=1000.0, y=2100.0)
    order = order_at(model, 1000, 2100, ((3, 1),))
    assert model.assignment.plan(order, model.nodes)[0][0] is model.stores[0]
    assert wh.accepted == []
