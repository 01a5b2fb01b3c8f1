"""The warehouse as a node of the city: online orders, store replenishment (ship),
policies, batteries and breakdowns, metrics, plots and scenario checks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.metrics import MetricContext, compute_metrics
from sim.model import Model
from sim.runner import run, write_run
from sim.scenario import read_scenario
from sim.scenario.errors import ScenarioError
from sim.warehouse.policies import (
    ORDER_STATION_POLICIES,
    POD_RETURN_POLICIES,
    POD_SELECTION_POLICIES,
    SEQUENCE_POLICIES,
    TASK_ALLOCATION_POLICIES,
)
from tests.conftest import SCENARIOS
from tests.warehouse.test_grid import lines_picked_exactly_once


def test_online_orders_served_by_the_warehouse(make_wh) -> None:
    """City orders within the radius go to the warehouse (no stores): picked by robots,
    stamped like a store does, handed to its couriers and delivered."""
    sc = make_wh("demand.online.orders_per_day=4000", "warehouses[0].parcels=null",
                 "warehouses[0].couriers.count=60", "demand.online.customers.spread=1km")
    rec = Model(sc).run()
    orders = rec["orders"]
    served = orders[orders["node"] == "wh"]
    assert len(served) > 50
    done = served[served["status"] == "delivered"]
    assert len(done) >= 0.9 * len(served[served["created"] < sc.run.end - 1800])
    assert (done["pick_start"] <= done["pick_end"]).all()
    assert (done["pick_end"] <= done["ready"]).all()
    assert (done["ready"] <= done["dispatched"]).all()
    wh_online = rec["wh_orders"][rec["wh_orders"]["channel"] == "online"]
    assert sorted(wh_online["ref"].astype(int)) == sorted(served["order_id"])


def test_ship_picks_with_robots_and_arrives_after_lead_time(make_wh) -> None:
    """Replenishment: the lines are picked by robots (pod visits), delivered after the
    lead time, and the warehouse's stock goes down by what was delivered; a request
    beyond the stock delivers what there is, and one for nothing succeeds at once."""
    sc = make_wh("warehouses[0].parcels=null", "warehouses[0].replenishment.lead_time=30min")
    model = Model(sc)
    wh = model.warehouses[0]
    st = wh.storage
    before = list(st.on_hand)
    big = st.on_hand[7]
    got: dict[str, tuple[float, list[tuple[int, int]]]] = {}

    def store(name, lines, at):
        yield model.env.timeout(at)
        value = yield wh.ship(name, lines)
        got[name] = (model.env.now, value)

    model.env.process(store("a", [(3, 5), (11, 2), (3, 1)], 600))
    model.env.process(store("b", [(7, big + 10)], 700))
    model.env.process(store("c", [(-1, 4), (5, 0)], 800))
    rec = model.run()
    orders = rec["wh_orders"].set_index("ref")
    assert got["a"][1] == [(3, 6), (11, 2)]  # the same SKU twice is one line
    assert got["a"][0] == pytest.approx(orders.loc["a", "ready"] + 1800)
    assert got["b"][1] == [(7, big)]  # all the warehouse had
    assert got["c"] == (sc.run.start + 800, [])
    picks = rec["wh_picks"]
    for name, lines in (("a", [(3, 6), (11, 2)]), ("b", [(7, big)])):
        oid = orders.loc[name, "order_id"]
        mine = picks[picks["order_id"] == oid]
        assert mine.groupby("sku")["units"].sum().to_dict() == dict(lines)
        assert mine["visit_id"].isin(rec["wh_visits"]["visit_id"]).all()
    after = st.on_hand
    assert before[3] - after[3] == 6 and before[11] - after[11] == 2
    assert after[7] == 0
    assert sum(before) - sum(after) == 6 + 2 + big


@pytest.mark.parametrize(("field", "names"), [
    ("sequence", SEQUENCE_POLICIES), ("order_station", ORDER_STATION_POLICIES),
    ("pod_selection", POD_SELECTION_POLICIES), ("task_allocation", TASK_ALLOCATION_POLICIES),
    ("pod_return", POD_RETURN_POLICIES),
])
@pytest.mark.parametrize("mode", ["abstract", "grid"])
def test_every_policy_runs(make_wh, field: str, names: dict, mode: str) -> None:
    """Every registered policy of every decision runs in both modes and picks all lines
    of the orders it completes exactly once."""
    for name in names:
        sc = make_wh(f"warehouses[0].policies.{field}={name}",
                     f"warehouses[0].traffic={mode}", "run.duration=30min",
                     "warehouses[0].pods.assignment=class")
        rec = Model(sc).run()
        assert (rec["wh_orders"]["status"] == "ready").sum() > 20, name
        lines_picked_exactly_once(rec)


def test_stock_view_for_node_policies(make_wh) -> None:
    """Policies that compare nodes read a warehouse's stock like a store's: units available
    (promised units excluded) and the expected daily demand per SKU."""
    model = Model(make_wh("demand.online.orders_per_day=1000"))
    wh = model.warehouses[0]
    stock = wh.stock
    assert not stock.unlimited
    assert stock.available(0) == wh.storage.on_hand[0] > 0
    wh.storage.reserve([(0, 3)])
    assert stock.available(0) == wh.storage.on_hand[0] - 3
    assert not stock.has(((0, stock.available(0) + 1),))
    # parcels 6000/day of ~2 one-unit lines, plus the whole city's 1000 two-line orders
    assert sum(stock.daily) == pytest.approx(6000 * 2 + 1000 * 2, rel=0.01)
    assert stock.daily[0] > stock.daily[1] > stock.daily[-1]


def test_original_return_keeps_home(make_wh) -> None:
    """With the original-spot policy every pod ends where it started."""
    sc = make_wh("warehouses[0].policies.pod_return=original", "run.duration=30min")
    model = Model(sc)
    model.run()
    assert all(p.spot == p.home for p in model.warehouses[0].storage.pods)


def test_batteries_charge_and_robots_fail(make_wh) -> None:
    """Small batteries send robots to the chargers (never below zero); breakdowns stop
    robots for their repair time and are counted."""
    sc = make_wh("warehouses[0].robots.battery={capacity: 60, charge_power: 600}",
                 "warehouses[0].robots.breakdowns={mtbf: 10min, repair: 1min}")
    rec = Model(sc).run()
    charges = rec["wh_charges"]
    assert len(charges) > 10
    assert (charges["energy_before_wh"] >= 0).all()
    assert np.allclose(charges["energy_after_wh"], 0.95 * 60)
    assert (rec["wh_robots"]["energy_min_wh"] >= 0).all()
    fails = rec["wh_events"][rec["wh_events"]["event"] == "failure"]
    assert len(fails) > 5
    m = compute_metrics(rec, MetricContext.of(sc))["warehouses"]["wh"]
    assert m["robot_time_share"]["charging"] > 0 and m["robot_time_share"]["broken"] > 0
    assert m["failures"] == len(fails)


def test_out_of_stock_parcels_are_rejected(make_wh) -> None:
    """Parcel orders the warehouse cannot fill are recorded as rejected, not picked."""
    sc = make_wh("warehouses[0].pods.units_per_slot=1", "run.duration=2h")
    rec = Model(sc).run()
    o = rec["wh_orders"]
    rejected = o[o["status"] == "rejected"]
    assert len(rejected) > 0
    assert (rejected["units_picked"] == 0).all() and rejected["station"].eq(-1).all()


def test_metrics_and_plots(make_wh, tmp_path) -> None:
    """A run's metrics hold the warehouse section and its folder the warehouse plots."""
    sc = make_wh("warehouses[0].traffic=grid", "run.duration=30min")
    result = run(sc)
    m = result.metrics["warehouses"]["wh"]
    assert m["items_per_hour"] > 0 and m["pile_on"]["items_per_visit"] >= 1
    assert sum(m["robot_time_share"].values()) == pytest.approx(1)
    assert 0 < m["station_utilisation"]["mean"] < 1
    assert m["congestion_s_per_trip"] >= 0
    folder = write_run(result, tmp_path / "run")
    assert (folder / "wh_occupancy.png").stat().st_size > 1000
    assert (folder / "wh_robot_time.png").stat().st_size > 1000
    cells = pd.read_csv(folder / "wh_cells.csv")
    assert cells["occupied_s"].sum() > 0


@pytest.mark.parametrize(("override", "path", "needle"), [
    ("warehouses[0].name=west", ("warehouses", 0, "name"), "duplicate node name"),
    ("warehouses[0].location=[9km, 1km]", ("warehouses", 0, "location"), "outside the city"),
    ("warehouses[0].couriers.vehicle=bike", ("warehouses", 0, "couriers", "vehicle"),
     "unknown vehicle"),
    ("warehouses[0].policies.pod_return=nearst", ("warehouses", 0, "policies", "pod_return"),
     "did you mean 'nearest'"),
    ("warehouses[0].layout.chargers=0", ("warehouses", 0, "layout", "chargers"),
     "no chargers"),
    ("warehouses[0].robots.acceleration=fast", ("warehouses", 0, "robots", "acceleration"),
     "invalid acceleration"),
])
def test_scenario_errors_name_the_field(make_scenario, override, path, needle) -> None:
    """Bad warehouse fields fail with one message naming the field."""
    from tests.warehouse.conftest import WH

    text = WH.replace("warehouses:", "stores:\n  - {name: west, location: [1km, 1km], "
                      "pickers: 1, pick_time_per_order: 1s, pick_time_per_item: 1s,\n"
                      "     couriers: {count: 1, vehicle: ebike}}\nwarehouses:")
    with pytest.raises(ScenarioError) as err:
        make_scenario(override, text=text)
    assert tuple(err.value.path[:len(path)]) == path
    assert needle in err.value.message


def test_a_scenario_needs_a_node(make_wh) -> None:
    """Neither stores nor warehouses: one clear error."""
    with pytest.raises(ScenarioError, match="at least one store or warehouse"):
        make_wh("warehouses=[]")


def test_battery_too_small_for_layout(make_wh) -> None:
    """A battery that cannot cover a pod visit and the way to a charger is refused."""
    with pytest.raises(ScenarioError) as err:
        Model(make_wh("warehouses[0].robots.battery.capacity=2"))
    assert err.value.path == ("warehouses", 0, "robots", "battery", "capacity")


@pytest.mark.parametrize("mode", ["abstract", "grid"])
def test_shipped_scenario_runs(mode: str) -> None:
    """scenarios/cainiao_warehouse.yaml runs (a short horizon) in both traffic modes."""
    sc = read_scenario(SCENARIOS / "cainiao_warehouse.yaml",
                       ["run.duration=10min", "run.warmup=5min", "run.drain=2min",
                        f"warehouses[0].traffic={mode}"])
    result = run(sc)
    m = result.metrics["warehouses"]["wuxi"]
    assert m["stations"] == 88 and m["items_per_hour"] > 1000
    assert math.isfinite(m["cycle_time_min"]["mean"])


@pytest.mark.parametrize("mode", ["abstract", "grid"])
def test_robots_starting_flat_charge_first(make_wh, run_wh, mode: str) -> None:
    """Robots that start with an empty battery (``initial`` down to 0) go and charge before
    their first pod visit instead of running below zero (issue 18 item 7)."""
    _, rec = run_wh(make_wh(f"warehouses[0].traffic={mode}",
                            "warehouses[0].robots.battery.initial={dist: uniform, "
                            "low: 0, high: 0.01}"))
    robots, charges, visits = rec["wh_robots"], rec["wh_charges"], rec["wh_visits"]
    assert (robots["energy_min_wh"] >= 0).all()
    first_charge = charges.groupby("robot")["start"].min()
    first_visit = visits.groupby("robot")["dispatched"].min()
    assert set(first_visit.index) <= set(first_charge.index)
    assert (first_charge[first_visit.index] <= first_visit).all()
