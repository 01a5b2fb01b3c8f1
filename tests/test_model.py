"""Whole-model properties on the tiny scenario: determinism, conservation, stock, capacity."""

import numpy as np
import pytest

from sim.model import Model
from sim.runner import run

STAMPS = ["created", "accepted", "pick_start", "pick_end", "ready", "dispatched", "delivered"]


@pytest.fixture(scope="module")
def tiny_run():
    from sim.scenario import parse_scenario
    from tests.conftest import TINY

    sc = parse_scenario(TINY)
    model = Model(sc, 7)
    records = model.run()
    return sc, model, records


def test_different_seeds_differ(tiny):
    """Different seeds give different demand and results."""
    a, b = run(tiny, 3), run(tiny, 4)
    assert not a.records["orders"]["created"].equals(b.records["orders"]["created"])


def test_every_order_has_one_terminal_state(tiny_run):
    """Each created order appears once, delivered, rejected or still in progress."""
    _, model, records = tiny_run
    orders = records["orders"]
    assert len(orders) == len(model.online) > 0
    assert orders["order_id"].is_unique
    assert set(orders["status"]) <= {"delivered", "rejected", "cancelled", "in_progress"}
    rejected = orders[orders["status"] == "rejected"]
    assert rejected["accepted"].isna().all() and (rejected["reason"] != "").all()
    assert (orders[orders["status"] != "rejected"]["reason"] == "").all()


def test_stage_stamps_in_order(tiny_run):
    """Delivered orders pass every stage in order; due is created + promise."""
    sc, _, records = tiny_run
    d = records["orders"][records["orders"]["status"] == "delivered"]
    assert len(d) > 0
    times = d[STAMPS].to_numpy()
    assert np.all(np.diff(times, axis=1) >= -1e-9)
    assert np.allclose(d["due"], d["created"] + sc.promise.window)


def test_in_progress_counted_when_run_stops_early(make_scenario):
    """Without drain time, orders still moving at the stop are in progress, not lost."""
    sc = make_scenario("run.drain=0", "store_defaults.couriers.count=2")
    result = run(sc)
    o = result.records["orders"]
    accepted = o[o["status"] != "rejected"]
    in_progress = (o["status"] == "in_progress").sum()
    assert in_progress > 0
    assert len(accepted) == (accepted["status"] == "delivered").sum() + in_progress
    assert result.metrics["orders"]["in_progress_at_end"] > 0


def test_stock_balances_and_never_negative(tiny_run):
    """Shelf units fall by exactly what online orders and walk-ins took; none below 0."""
    _, model, records = tiny_run
    orders, walkins = records["orders"], records["walkins"]
    from sim.model import expected_daily_units
    from sim.stores.inventory import initial_levels

    for store in model.stores:
        start = initial_levels(expected_daily_units(model.scenario, store.spec),
                               model.catalog.popularity, store.spec.stock.cover_days,
                               store.spec.stock.min_units)
        assert store.stock.levels is not None and min(store.stock.levels) >= 0
        online = orders[(orders["node"] == store.name) & (orders["status"] != "rejected")]
        sold = walkins[walkins["node"] == store.name]["units_sold"].sum()
        assert sum(start) - sum(store.stock.levels) == online["units"].sum() + sold


def test_stockouts_reject_and_lose_sales(make_scenario):
    """With almost no stock, online orders are rejected and walk-ins lose sales."""
    result = run(make_scenario("store_defaults.stock.cover_days=0.05",
                               "store_defaults.stock.min_units=0"))
    m = result.metrics
    assert m["orders"]["rejected"]["by_reason"].get("out_of_stock", 0) > 0
    assert m["inventory"]["lost_walkin_units"] > 0 and m["inventory"]["stockout_events"] > 0


def test_out_of_radius(make_scenario):
    """Customers farther than the radius from every store are rejected as out of radius."""
    result = run(make_scenario("promise.radius=600m", "store_defaults.stock.unlimited=true"))
    reasons = result.metrics["orders"]["rejected"]["by_reason"]
    assert reasons.get("out_of_radius", 0) > 0 and "out_of_stock" not in reasons


def test_unlimited_stock_never_rejects(make_scenario):
    """Unlimited stock and a wide radius accept every order."""
    result = run(make_scenario("store_defaults.stock.unlimited=true", "promise.radius=10km"))
    assert result.metrics["orders"]["rejected"]["total"] == 0


def test_resources_within_capacity(tiny_run):
    """Busy pickers and couriers never exceed their numbers; couriers ride one trip at once."""
    _, _, records = tiny_run
    states = records["states"]
    assert (states["busy"] <= states["capacity"]).all() and (states["busy"] >= 0).all()
    trips = records["trips"].sort_values(["courier", "start"])
    for _, t in trips.groupby("courier"):
        assert (t["start"].to_numpy()[1:] >= t["end"].to_numpy()[:-1] - 1e-9).all()
    assert (trips["orders"] == 1).all()  # immediate dispatch: one order a trip


def test_nearest_store_serves(tiny_run):
    """With stock available everywhere, the nearest store by road serves most orders."""
    _, model, records = tiny_run
    o = records["orders"][records["orders"]["status"] != "rejected"]
    west = model.stores[0].place
    east = model.stores[1].place
    nearer_west = np.hypot(o["x"] - west.x, o["y"] - west.y) < np.hypot(o["x"] - east.x,
                                                                         o["y"] - east.y)
    agree = ((o["node"] == "west") == nearer_west).mean()
    assert agree > 0.9
