"""Shelf stock: buckets never negative, protection levels, and the ledger identities."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.core.env import SimEnv
from sim.stores.inventory import ShelfStock, sku_classes


@pytest.fixture
def env(tiny) -> SimEnv:
    """A bare environment of the tiny scenario."""
    return SimEnv(tiny, 1)


def test_reserve_commit_release_move_units_between_buckets(env):
    """Reserved units leave the free shelf; a commit sells them, a release puts them back."""
    stock = ShelfStock(env, "n", [5, 5])
    stock.reserve(((0, 2), (1, 1)))
    assert stock.levels == [3, 4] and stock.held == [2, 1] and stock.total_units() == 10
    stock.commit([(0, 2)])
    stock.release([(1, 1)])
    assert stock.levels == [3, 5] and stock.held == [0, 0]
    assert stock.sold_online == [2, 0] and stock.total_units() == 8
    assert stock.imbalances() == []


def test_reserving_more_than_is_free_raises(env):
    """The stock refuses to go negative instead of clipping silently."""
    stock = ShelfStock(env, "n", [1])
    with pytest.raises(RuntimeError, match="reserving 2"):
        stock.reserve(((0, 2),))


def test_protection_keeps_the_last_units_for_walkins(env):
    """Online orders may not take the protected units; walk-ins may."""
    stock = ShelfStock(env, "n", [3, 3], protection=[2, 0])
    assert not stock.has(((0, 2),))
    assert stock.has(((0, 1),))
    assert stock.has(((0, 3),), channel="walkin")
    assert stock.available(0) == 1 and stock.available(1) == 3
    assert stock.take_available(((0, 3),), "walkin") == 3


def test_walkins_take_what_is_there_and_the_rest_is_lost(env):
    """A walk-in's short line is a lost sale counted in the ledger."""
    stock = ShelfStock(env, "n", [2])
    assert stock.take_available(((0, 5),), "walkin") == 2
    assert stock.sold_walkin == [2] and stock.lost_walkin == [3] and stock.levels == [0]
    assert env.recorder.table("stockouts", ("time", "node", "sku", "channel")).rows == [
        (env.now, "n", 0, "walkin")]


def test_hold_available_reports_short_lines(env):
    """At pick time the picker holds what is there and reports the rest short."""
    stock = ShelfStock(env, "n", [1, 4])
    held, short = stock.hold_available(((0, 3), (1, 2)))
    assert held == [(0, 1), (1, 2)] and short == [(0, 2)]
    assert stock.held == [1, 2] and stock.levels == [0, 2]


def test_supplier_shortage_is_counted_as_shorted(env):
    """Units the supplier does not deliver leave on-order and count as shorted."""
    stock = ShelfStock(env, "n", [0, 0])
    stock.order([(0, 4), (1, 2)])
    assert stock.on_order == [4, 2] and stock.position(0) == 4
    assert stock.receive([(0, 4), (1, 2)], [(0, 3)]) == 3
    assert stock.levels == [3, 0] and stock.on_order == [0, 0] and stock.shorted == [1, 2]
    assert stock.imbalances() == []


def test_receiving_a_sku_never_ordered_raises(env):
    """A supplier delivering something else is a bug the stock refuses."""
    stock = ShelfStock(env, "n", [0, 0])
    stock.order([(0, 1)])
    with pytest.raises(RuntimeError, match="never ordered"):
        stock.receive([(0, 1)], [(1, 1)])


def test_check_detects_a_broken_identity(env):
    """Tampering with a bucket behind the ledger's back is reported."""
    stock = ShelfStock(env, "n", [5])
    stock.levels[0] = 4  # type: ignore[index]
    with pytest.raises(RuntimeError, match="inventory identity broken"):
        stock.check()


def test_sku_classes_follow_popularity_rank():
    """Classes take consecutive ranks in their order, sized by their shares."""
    names, cls = sku_classes(10, {"A": 0.2, "B": 0.3, "C": 0.5})
    assert names == ["A", "B", "C"]
    assert cls.tolist() == [0, 0, 1, 1, 1, 2, 2, 2, 2, 2]


def test_empty_class_list_is_refused(make_scenario):
    """``catalog.classes={}`` leaves SKUs without a class: refused at validation with the
    field named, not an IndexError at run time (issue 18 item 7)."""
    from sim.scenario import ScenarioError

    with pytest.raises(ScenarioError) as err:
        make_scenario("catalog.classes={}")
    assert err.value.path == ("catalog", "classes") and "at least 1" in err.value.message
    one = make_scenario("catalog.classes={all: 1}")
    names, cls = sku_classes(one.catalog.skus, one.catalog.classes)
    assert names == ["all"] and set(cls.tolist()) == {0}


OPS = st.lists(st.tuples(st.sampled_from(["reserve", "walkin", "hold", "commit", "release",
                                          "order", "receive", "writeoff"]),
                         st.integers(0, 2), st.integers(1, 4)), max_size=60)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # tiny is immutable
@given(OPS)
def test_any_sequence_of_operations_keeps_the_ledger_balanced(tiny, ops):
    """Whatever happens to the stock, no bucket goes negative and both identities hold."""
    env = SimEnv(tiny, 0)
    stock = ShelfStock(env, "n", [3, 3, 3], protection=[1, 0, 0])
    pending: list[tuple[int, int]] = []
    for op, sku, qty in ops:
        line = ((sku, qty),)
        if op == "reserve" and stock.has(line):
            stock.reserve(line)
        elif op == "walkin":
            stock.take_available(line, "walkin")
        elif op == "hold":
            stock.hold_available(line)
        elif op in ("commit", "release", "writeoff"):
            take = min(qty, stock.held[sku])
            if take:
                {"commit": stock.commit, "release": stock.release,
                 "writeoff": stock.write_off}[op]([(sku, take)])
        elif op == "order":
            stock.order([(sku, qty)])
            pending.append((sku, qty))
        elif op == "receive" and pending:
            s, q = pending.pop(0)
            stock.receive([(s, q)], [(s, max(0, q - sku))])
        assert min(stock.levels or [0]) >= 0 and min(stock.held) >= 0
    assert stock.imbalances() == []
