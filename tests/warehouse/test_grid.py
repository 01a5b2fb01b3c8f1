"""Grid traffic: no two robots ever share a cell or swap cells, batteries stay above
zero, every order line is picked exactly once, deadlocks are resolved, runs repeat."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.core.recorder import Records
from sim.model import Model
from sim.scenario import Scenario
from sim.warehouse.checks import path_problems
from tests.warehouse.conftest import WH, run_model


def check_run(model: Model, rec: Records) -> None:
    """The invariants every grid run must satisfy."""
    assert path_problems(rec["wh_moves"]) == []
    robots = rec["wh_robots"]
    assert (robots["energy_min_wh"].dropna() >= 0).all()
    lines_picked_exactly_once(rec)
    for wh in model.warehouses:
        st = wh.storage
        assert all(u >= 0 for u in st.on_hand) and all(a >= 0 for a in st.available)


def lines_picked_exactly_once(rec: Records) -> None:
    """Picks of a line never exceed its units, and a ready order's lines are complete."""
    picks = rec["wh_picks"]
    orders = rec["wh_orders"]
    got = picks.groupby(["warehouse", "order_id"])["units"].sum()
    want = orders.set_index(["warehouse", "order_id"])
    ready = want[want["status"] == "ready"]
    for key, units in ready["units"].items():
        assert got.get(key, 0) == units, key
    assert (want["units_picked"] <= want["units"]).all()
    per_line = picks.groupby(["warehouse", "order_id", "line"])["units"].sum()
    assert per_line.index.is_unique and (per_line > 0).all()
    joined = per_line.reset_index().merge(orders, on=["warehouse", "order_id"],
                                          suffixes=("", "_order"))
    assert (joined["units"] <= joined["units_order"]).all()


def test_grid_run_is_conflict_free(make_wh, run_wh) -> None:
    """A busy small warehouse in grid mode: no conflicts, batteries, lines, and the
    robots were actually blocked sometimes (the check had traffic to check)."""
    sc = make_wh("warehouses[0].traffic=grid", "warehouses[0].robots.count=16",
                 "warehouses[0].parcels.orders_per_day=12000",
                 "warehouses[0].robots.battery.capacity=150",
                 "warehouses[0].robots.breakdowns={mtbf: 20min, repair: 30s}")
    model, rec = run_wh(sc)
    check_run(model, rec)
    assert rec["wh_visits"]["wait_s"].sum() > 0
    assert len(rec["wh_charges"]) > 0
    assert (rec["wh_events"]["event"] == "failure").sum() > 0
    assert len(rec["wh_moves"]) > 1000


def test_same_seed_same_records(make_wh) -> None:
    """Two grid runs with the same seed write identical tables."""
    sc = make_wh("warehouses[0].traffic=grid", "run.duration=30min")
    a, b = Model(sc).run(), Model(sc).run()
    for name in ("wh_moves", "wh_visits", "wh_orders", "wh_time"):
        pd.testing.assert_frame_equal(a[name], b[name])


SIDES = ["west", "east", "south", "north"]


@st.composite
def small_warehouses(draw: Callable[..., Any]) -> Scenario:
    """Random small warehouses: block shapes, station sides and counts, lanes, one-way
    or not, robots, demand and seed."""
    nbx, nby = draw(st.integers(2, 4)), draw(st.integers(2, 4))
    bx, by = draw(st.integers(1, 4)), draw(st.integers(1, 2))
    sides = draw(st.lists(st.sampled_from(SIDES), min_size=1, max_size=3, unique=True))
    gx, gy = nbx * (bx + 1) + 1, nby * (by + 1) + 1
    per_side = min(((gy if s in ("west", "east") else gx) + 1) // 3 for s in sides)
    stations = draw(st.integers(1, max(1, min(4, per_side * len(sides)))))
    lane = draw(st.integers(1, 4))
    spots = nbx * nby * bx * by
    robots = draw(st.integers(1, min(14, spots - 1)))
    skus = draw(st.integers(1, 3)) * 10
    per_pod = max(1, -(-skus // max(1, int(spots * 0.8))))
    text = WH.replace("catalog: {skus: 200, zipf_exponent: 1.0}",
                      f"catalog: {{skus: {skus}, zipf_exponent: 1.0}}")
    return _parse(text, [
        f"warehouses[0].traffic={{mode: grid, stage_beyond: {draw(st.integers(0, 40))}m}}",
        f"warehouses[0].layout={{kind: generated, blocks: [{nbx}, {nby}], block: [{bx}, {by}],"
        f" stations: {stations}, station_sides: [{', '.join(sides)}], lane: {lane},"
        f" chargers: 1, fill: 0.8, one_way: {str(draw(st.booleans())).lower()}}}",
        f"warehouses[0].robots.count={robots}",
        f"warehouses[0].pods.skus_per_pod={per_pod}",
        f"warehouses[0].parcels.orders_per_day={draw(st.integers(500, 8000))}",
        f"seed={draw(st.integers(0, 10**6))}",
        "run.duration=40min", "run.warmup=10min", "run.drain=10min",
    ])


def _parse(text: str, overrides: list[str]) -> Scenario:
    from sim.scenario import parse_scenario

    return parse_scenario(text, "random.yaml", overrides)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_warehouses())
def test_random_warehouses_conflict_free(sc: Scenario) -> None:
    """Under random small layouts and loads, grid runs keep every invariant."""
    model, rec = run_model(sc)
    check_run(model, rec)


DEADLOCK_MAP = """
#p#p#o#
.......
######P
"""


def deadlock_scenario(make_wh, stuck: str = "2h") -> Scenario:
    text = WH.replace(
        "layout: {kind: generated, blocks: [4, 3], block: [4, 2], stations: 2, lane: 3,\n"
        "             chargers: 2}",
        "layout: {kind: map, text: \"" + DEADLOCK_MAP.strip().replace("\n", "\\n") + "\"}")
    return make_wh(f"warehouses[0].traffic={{mode: grid, stuck_limit: {stuck}}}",
                   "warehouses[0].robots={count: 2, battery: null}",
                   "warehouses[0].parcels=null", "catalog.skus=2",
                   "warehouses[0].pods.skus_per_pod=1", text=text)


def test_deadlock_is_resolved(make_wh) -> None:
    """Two robots each bound for the other's spot wait for each other: the cycle is found,
    the higher-numbered robot steps aside to the free spot, and both arrive."""
    model = Model(deadlock_scenario(make_wh))
    wh = model.warehouses[0]
    a, b = wh.robots
    spot_a, spot_b = a.cell, b.cell
    arrived = {}

    def go(robot, goal):
        yield model.env.timeout(10)
        yield from wh.traffic.move(robot, goal)
        arrived[robot.name] = model.env.now

    model.env.process(go(a, spot_b))
    model.env.process(go(b, spot_a))
    rec = model.run()
    assert (a.cell, b.cell) == (spot_b, spot_a)
    assert set(arrived) == {a.name, b.name}
    events = rec["wh_events"]
    (row,) = events[events["event"] == "deadlock"].itertuples()
    assert row.robot == b.name and "aside to (5, 2)" in row.detail
    assert path_problems(rec["wh_moves"]) == []


def test_stuck_robot_fails_the_run(make_wh) -> None:
    """A robot that can never move (its goal is held by a robot that never leaves) fails
    the run after the stuck limit with a diagnosis, instead of stalling it silently."""
    model = Model(deadlock_scenario(make_wh, stuck="2min"))
    wh = model.warehouses[0]
    a, b = wh.robots

    def go():
        yield model.env.timeout(10)
        yield from wh.traffic.move(b, a.cell)

    model.env.process(go())
    with pytest.raises(RuntimeError, match=r"unable to move for .* held by robot wh-r000"):
        model.run()
