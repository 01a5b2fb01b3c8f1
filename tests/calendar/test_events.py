"""Calendar events: rain timing, closures, every kind over a multi-day run, bad input."""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import simpy

from sim.calendar.events import Piecewise, no_show_draw
from sim.core.recorder import Records
from sim.core.rng import stream_key
from sim.demand.order import Order
from sim.experiments.api import replicate
from sim.model import Model
from sim.runner import run, write_run
from sim.scenario import Scenario, ScenarioError, parse_scenario
from tests.conftest import TINY
from tests.warehouse.conftest import WH

Make = Callable[..., Scenario]
H = 3600.0


def _with_events(events: str, text: str = TINY) -> str:
    """``text`` with an ``events:`` section (YAML flow list items, one per line)."""
    return text + "events:\n" + "".join(f"  - {line}\n" for line in events.strip().splitlines())


def _records(scenario: Scenario) -> Records:
    return Model(scenario).run()


# --------------------------------------------------------------------------- weather


def test_piecewise_ride_doubles_inside_exactly_and_only_inside() -> None:
    """A factor-0.5 window doubles a ride wholly inside it bit for bit, leaves one
    wholly outside untouched, and one across an edge lies strictly in between."""
    rain = Piecewise([(10 * H, 12 * H, 0.5)])
    rng = np.random.default_rng(1)
    for nominal in rng.uniform(1.0, 900.0, 200).tolist():
        inside = float(rng.uniform(10 * H, 12 * H - 2 * nominal))
        assert rain.ride(inside, nominal) == 2 * nominal
        before = float(rng.uniform(8 * H, 10 * H - nominal))
        assert rain.ride(before, nominal) == nominal
        assert rain.ride(12 * H, nominal) == nominal
        across = 10 * H - nominal / 2
        assert nominal < rain.ride(across, nominal) < 2 * nominal
        assert math.isclose(rain.ride(across, nominal), 1.5 * nominal, rel_tol=1e-9)


def test_rain_doubles_every_riding_time_wholly_inside_the_window(make_scenario: Make) -> None:
    """On the deterministic grid, every ride of a trip scheduled inside a rain window
    (factor 0.5) takes exactly twice its dry time; rides wholly before it are unchanged."""
    text = _with_events('{kind: weather, start: "10:30", end: "13:30", road_speed: 0.5}')
    wet = Model(parse_scenario(text, "tiny.yaml"))
    dry = Model(make_scenario())
    orders = _orders_of(dry)[:40]
    for wet_fleet, dry_fleet in zip((n.fleet for n in wet.stores),
                                    (n.fleet for n in dry.stores), strict=True):
        pickup = dry_fleet.types[0].pickup_time
        drop = dry_fleet.types[0].dropoff_time
        for order in orders:
            for start, factor in ((10.75 * H, 2.0), (8.0 * H, 1.0)):
                dry_legs = dry_fleet.schedule(start, [order])
                wet_legs = wet_fleet.schedule(start, [order])
                out = dry_legs[0][0] - (start + pickup)
                ride_out = wet_legs[0][0] - (start + pickup)
                assert wet_legs[0][0] == (start + pickup) + factor * (
                    dry_fleet.types[0].mover.travel(dry_fleet.home, order.place)[0])
                assert math.isclose(ride_out, factor * out, rel_tol=1e-12)
                back_start = wet_legs[0][0] + drop
                secs = dry_fleet.types[0].mover.travel(order.place, dry_fleet.home)[0]
                assert wet_legs[1][0] == back_start + factor * secs


def _orders_of(model: Model) -> list[Order]:
    """The online orders of ``model``'s demand, as Order objects (not submitted)."""
    demand = model.online
    return [Order(i, float(demand.times[i]), demand.places[i], demand.baskets[i], 1)
            for i in range(len(demand))]


def test_rain_run_keeps_trips_before_the_window_and_slows_those_inside(
        make_scenario: Make) -> None:
    """A whole run with rain 11:00-11:30: trips ended before 11:00 are the dry run's
    rows exactly; one-stop trips wholly inside take twice the dry riding time."""
    text = _with_events('{kind: weather, start: "11:00", end: "11:30", road_speed: 0.5}')
    wet_sc = parse_scenario(text, "tiny.yaml", ("vehicles.ebike.capacity=1",))
    dry = _records(make_scenario("vehicles.ebike.capacity=1"))["trips"]
    wet = _records(wet_sc)["trips"]
    before = dry[dry["end"] < 11 * H]
    assert len(before) > 20
    pd.testing.assert_frame_equal(before.reset_index(drop=True),
                                  wet[wet["end"] < 11 * H].reset_index(drop=True))
    inside = wet[(wet["start"] >= 11 * H) & (wet["end"] <= 11.5 * H)]
    assert len(inside) > 5
    model = Model(make_scenario())
    fleet = model.stores[0].fleet
    kind = fleet.types[0]
    by_id = {o.id: o for o in _orders_of(model)}
    for row in inside.itertuples():
        order = by_id[int(row.stops)]
        home = next(s for s in model.stores if s.name == row.node).fleet.home
        out = kind.mover.travel(home, order.place)[0]
        back = kind.mover.travel(order.place, home)[0]
        ride = (row.end - row.start) - kind.pickup_time - kind.dropoff_time
        assert math.isclose(ride, 2 * (out + back), rel_tol=1e-9, abs_tol=1e-6)


# --------------------------------------------------------------------------- closure


def test_closure_finishes_orders_in_hand_and_turns_new_ones_away() -> None:
    """West closes 10:30-11:00 with orders queued at its single picker: those finish
    there; orders created in the window go east or are rejected node_closed; walk-ins
    stop; west takes orders again from 11:00; the event is one exact events row."""
    text = _with_events('{kind: closure, target: west, start: "10:30", end: "11:00", '
                        'label: burst pipe}')
    sc = parse_scenario(text, "tiny.yaml", ("stores[0].pickers=1", "promise.radius=1.8km"))
    rec = _records(sc)
    orders = rec["orders"]
    at_west_before = orders[(orders["node"] == "west") & (orders["created"] < 10.5 * H)]
    queued = at_west_before[at_west_before["pick_start"] >= 10.5 * H]
    assert len(queued) > 0, "west must have orders waiting when it closes"
    assert (at_west_before["status"] == "delivered").all()
    window = orders[(orders["created"] >= 10.5 * H) & (orders["created"] < 11 * H)]
    assert not (window["node"] == "west").any()
    assert (window["reason"] == "node_closed").sum() > 0
    assert set(window["status"]) <= {"delivered", "rejected", "in_progress"}
    assert (orders[orders["created"] >= 11 * H]["node"] == "west").any()
    walkins = rec["walkins"]
    west = walkins[walkins["node"] == "west"]
    assert not ((west["time"] >= 10.5 * H) & (west["time"] < 11 * H)).any()
    assert (west["time"] >= 11 * H).any()
    events = rec["events"]
    assert events.to_dict("records") == [{
        "event_id": 0, "kind": "closure", "target": "west", "start": 10.5 * H,
        "end": 11 * H, "parameters": "", "drawn": pytest.approx(math.nan, nan_ok=True),
        "label": "burst pipe"}]


# --------------------------------------------------------------------------- all kinds

MULTI = TINY.replace('run: {start: "10:00", duration: 2h, warmup: 15min, drain: 1h}',
                     'run: {start: "10:00", days: 2, duration: 2h, warmup: 15min, '
                     'drain: 1h}').replace(
    "  ebike: {speed: 18km/h, capacity: 3}",
    "  ebike: {speed: 18km/h, capacity: 3}\n"
    "  drone: {speed: 50km/h, kind: drone, max_range: 8km, swap_time: 2min}").replace(
    "  - {name: east, location: [3km, 2km]}",
    "  - name: east\n    location: [3km, 2km]\n"
    "    couriers: [{count: 6, vehicle: ebike}, {count: 3, vehicle: drone}]") + """
warehouses:
  - name: wh
    location: [2km, 3km]
    traffic: abstract
    layout: {kind: generated, blocks: [4, 3], block: [4, 2], stations: 2, lane: 3}
    robots: {count: 10}
    pods: {skus_per_pod: 5, units_per_slot: 20}
    couriers: {count: 3, vehicle: ebike}
    parcels: {orders_per_day: 1500, profile: flat, basket: {lines: 2}}
"""

EVERY_KIND = """
{kind: surge, day: 1, start: "23:00", end: "03:00", online: 2, profile: [4, 3], walkin: 0.5}
{kind: weather, day: 1, start: "11:00", duration: 1h, road_speed: 0.6, drones: grounded,\
 online: 1.3, walkin: 0.8}
{kind: closure, target: west, day: 1, start: "11:30", end: "12:00"}
{kind: no_show, target: east/ebike, day: 2, share: 0.5}
{kind: no_show, target: west/pickers, day: 2, share: 0.5}
{kind: outage, target: wh, day: 1, start: "10:30", end: "11:30", robots: 0.5, stations: 0.5}
{kind: weather, day: 2, start: "00:30", end: "01:30", road_speed: 0.5, drone_speed: 0.7}
"""


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory: pytest.TempPathFactory) -> tuple[Scenario, Path]:
    """A two-day run with every kind of event, written to a results folder."""
    sc = parse_scenario(_with_events(EVERY_KIND, MULTI), "multi.yaml")
    folder = write_run(run(sc), tmp_path_factory.mktemp("every") / "run", plots=False)
    return sc, folder


def test_every_kind_conserves_orders_and_stock(every_kind: tuple[Scenario, Path]) -> None:
    """Over two days with every event kind each order ends in exactly one terminal
    state (delivered ones on exactly one trip), and stock never goes negative."""
    _, folder = every_kind
    orders = pd.read_csv(folder / "orders.csv")
    assert orders["order_id"].is_unique
    assert set(orders["status"]) <= {"delivered", "rejected", "cancelled", "in_progress"}
    assert (orders["created"] >= 24 * H).any(), "orders on day 2"
    delivered = orders[orders["status"] == "delivered"]
    assert (delivered["delivered"] >= delivered["created"]).all()
    assert orders[orders["status"] == "rejected"]["reason"].notna().all()
    trips = pd.read_csv(folder / "trips.csv")
    on_trips = [int(x) for cell in trips["stops"] for x in str(cell).split(";")]
    assert len(on_trips) == len(set(on_trips))
    assert set(delivered["order_id"]) <= set(on_trips)
    levels = pd.read_csv(folder / "stock_levels.csv")
    assert (levels["on_hand"] >= 0).all()
    wh = pd.read_csv(folder / "wh_orders.csv")
    assert wh["order_id"].is_unique if "order_id" in wh else True


def test_every_kind_writes_one_events_row_each(every_kind: tuple[Scenario, Path]) -> None:
    """events.csv has one row per event with its window, its parameters and, for the
    no-show, the number drawn from its own stream."""
    sc, folder = every_kind
    events = pd.read_csv(folder / "events.csv")
    assert list(events["kind"]) == ["surge", "weather", "closure", "no_show", "no_show",
                                    "outage", "weather"]
    assert events.loc[0, "start"] == 23 * H and events.loc[0, "end"] == 27 * H
    assert events.loc[0, "parameters"] == "online=2;walkin=0.5;profile=4/3"
    for row, target, staff in ((3, "east/ebike", 6), (4, "west/pickers", 3)):
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(
            sc.seed, spawn_key=(stream_key(f"events/no_show/{target}/{row}"),))))
        assert events.loc[row, "drawn"] == no_show_draw(rng, staff, 0.5)
    assert events["drawn"].isna().sum() == 5


def test_no_show_takes_the_drawn_staff_off_their_shift(
        every_kind: tuple[Scenario, Path]) -> None:
    """The staffing table shows the no-shows' fleet and pickers short by the numbers
    drawn for day 2, and back at full strength on day 1."""
    _, folder = every_kind
    events = pd.read_csv(folder / "events.csv")
    staffing = pd.read_csv(folder / "staffing.csv")
    for row, node, resource, full in ((3, "east", "couriers", 6), (4, "west", "pickers", 3)):
        rows = staffing[(staffing["node"] == node) & (staffing["resource"] == resource)]
        day2 = rows[rows["time"] >= 24 * H]
        assert int(day2.iloc[0]["rostered"]) == full - int(events.loc[row, "drawn"])
        assert int(rows.iloc[0]["rostered"]) == full


def test_grounded_drones_take_off_only_outside_the_window(
        every_kind: tuple[Scenario, Path]) -> None:
    """No drone trip starts while the drones are grounded (11:00-12:00, day 1)."""
    _, folder = every_kind
    trips = pd.read_csv(folder / "trips.csv")
    drones = trips[trips["vehicle"] == "drone"]
    assert len(drones) > 0
    assert not ((drones["start"] >= 11 * H) & (drones["start"] < 12 * H)).any()


def test_surge_raises_online_orders_in_its_hours() -> None:
    """A 4x surge hour holds about four times the orders of the same hour without it."""
    base = parse_scenario(TINY, "tiny.yaml", ("run.duration=4h",))
    surged = parse_scenario(_with_events('{kind: surge, start: "11:00", end: "12:00", '
                                         'online: 4}'), "tiny.yaml", ("run.duration=4h",))
    n0 = len(Model(base).online.times)
    times = Model(surged).online.times
    in_hour = int(((times >= 11 * H) & (times < 12 * H)).sum())
    assert 3.3 * n0 / 4 < in_hour < 4.7 * n0 / 4
    assert len(times) - in_hour < 1.2 * 3 * n0 / 4


def test_multi_day_events_are_deterministic_serial_and_parallel(tmp_path: Path) -> None:
    """Two replications of a short two-day run with events give the same runs table
    with the serial backend and with the processes backend."""
    sc = parse_scenario(_with_events(EVERY_KIND, MULTI), "multi.yaml",
                        ("demand.online.orders_per_day=600", "run.duration=1h",
                         "warehouses[0].parcels.orders_per_day=300"))
    serial = replicate(sc, 2, backend="serial", out=tmp_path / "serial")
    parallel = replicate(sc, 2, backend="processes", workers=2, out=tmp_path / "par")
    drop = [c for c in serial.columns if "wall" in c or "time_s" in c or c == "folder"]
    pd.testing.assert_frame_equal(serial.drop(columns=drop).reset_index(drop=True),
                                  parallel.drop(columns=drop).reset_index(drop=True))
    for name in ("orders.csv", "events.csv", "trips.csv"):
        a = sorted((tmp_path / "serial").rglob(name))
        b = sorted((tmp_path / "par").rglob(name))
        assert a and [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("event", "message"), [
    ('{kind: closure, target: wset}', "events[0].target: unknown target 'wset'"),
    ('{kind: surge, online: -1}', "events[0].online: must be >= 0"),
    ('{kind: weather, road_speed: 0}', "events[0].road_speed: must be > 0"),
    ('{kind: no_show, target: west/ebike, share: 1.5}', "events[0].share: must be <= 1"),
    ('{kind: outage, target: west, robots: 0.5}', "events[0].target: unknown target"),
    ('{kind: surge, day: 3}', "events[0].day: the window [day 3 00:00"),
    ('{kind: surge, day: 2026-11-11}', "events[0].day: an ISO date needs run.date"),
    ('{kind: surge, end: "11:00", duration: 1h}', "events[0].duration: give `end`"),
    ('{kind: no_show, target: west/bike, share: 0.1}', "did you mean 'west/ebike'"),
])
def test_bad_events_are_one_line_errors_naming_the_field(event: str, message: str) -> None:
    """Each bad event is a ScenarioError whose one line names the field."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario(_with_events(event), "tiny.yaml")
    text = str(info.value)
    assert message in text and "\n" not in text


def test_iso_day_maps_through_run_date() -> None:
    """With run.date set, an event's ISO date is the run day it falls on."""
    sc = parse_scenario(_with_events('{kind: closure, target: west, day: 2026-11-11, '
                                     'start: "10:30", end: "11:00"}'),
                        "tiny.yaml", ("run.date=2026-11-10", "run.days=2"))
    from sim.scenario.events import event_window
    assert event_window(sc.events[0], sc.run) == (24 * H + 10.5 * H, 24 * H + 11 * H)


# --------------------------------------------------------------------------- outage


def test_outage_parks_robots_and_closes_stations_for_its_window() -> None:
    """Half the robots and stations out 08:20-08:40: the highest station gets no new
    order in the window but does again after it; robots are broken only in the window,
    at most five robots' worth of it; with no outage nothing is broken."""
    text = _with_events('{kind: outage, target: wh, start: "08:20", end: "08:40", '
                        'robots: 0.5, stations: 0.5}', WH)
    rec = _records(parse_scenario(text, "wh.yaml", ("warehouses[0].robots.breakdowns=null",)))
    orders = rec["wh_orders"]
    st1 = orders[orders["station"] == 1]["assigned"]
    assert not ((st1 >= 8 * H + 20 * 60) & (st1 < 8 * H + 40 * 60)).any()
    assert (st1 >= 8 * H + 40 * 60).any() and (st1 < 8 * H + 20 * 60).any()
    time = rec["wh_time"]
    broken = time[(time["kind"] == "robots") & (time["state"] == "broken")]
    bins = broken["bin_start"]
    inside = broken[(bins >= 8 * H + 15 * 60) & (bins < 8 * H + 45 * 60)]
    assert 0 < inside["seconds"].sum() <= 5 * 20 * 60 + 1e-6
    assert broken["seconds"].sum() == inside["seconds"].sum()
    plain = _records(parse_scenario(WH, "wh.yaml", ("warehouses[0].robots.breakdowns=null",)))
    t = plain["wh_time"]
    assert t[(t["kind"] == "robots") & (t["state"] == "broken")]["seconds"].sum() == 0


def test_no_show_of_station_pickers_empties_their_shift() -> None:
    """With share 1 every rostered station picker of the day stays away: the staffing
    row says none rostered and no order is picked; the draw is recorded."""
    text = _with_events('{kind: no_show, target: wh/station_pickers, share: 1}', WH)
    rec = _records(parse_scenario(text, "wh.yaml", ("warehouses[0].stations.pickers=2",)))
    staffing = rec["staffing"]
    rows = staffing[staffing["resource"] == "station_pickers"]
    assert len(rows) > 0 and (rows["rostered"] == 0).all()
    assert rec["wh_orders"]["pick_start"].isna().all()
    assert rec["events"].loc[0, "drawn"] == 2


CLOSURE_LOG = """
name: closure_log
seed: 1
run: {start: "10:00", duration: 30min, warmup: 0s, drain: 1h}
city: {width: 4km, height: 4km, network: {kind: grid, block: 250m}}
catalog: {skus: 10}
demand:
  online: {orders_per_day: 0, profile: flat, basket: {lines: 1}}
promise: {policy: fixed, window: 30min, radius: 1500m}
vehicles:
  ebike: {speed: 18km/h, capacity: 1}
store_defaults:
  pickers: 1
  pick_time_per_order: 60s
  pick_time_per_item: 0s
  couriers: {count: 5, vehicle: ebike, pickup_time: 1min, dropoff_time: 1min}
  stock: {unlimited: true}
stores:
  - {name: west, location: [1km, 2km]}
  - {name: east, location: [3km, 2km]}
events:
  - {kind: closure, target: west, start: "10:01:30", end: "10:10"}
"""


def test_closure_exact_log_with_orders_in_hand() -> None:
    """Hand-placed orders around a closure of west (10:01:30-10:10, one picker, 60 s a
    pick): the two accepted before it and still queued are picked at 10:01 and 10:02
    and delivered from west; one only west could serve is rejected node_closed; one
    both could serve goes east; one after the closure goes to west again."""
    model = Model(parse_scenario(CLOSURE_LOG, "closure.yaml"))
    env, net = model.env, model.network
    near_west, between = net.place(1200.0, 2000.0), net.place(2000.0, 2000.0)
    plan = [(0, near_west), (10, near_west), (20, near_west), (120, near_west),
            (150, between), (660, near_west)]

    def customers() -> Generator[simpy.Event, None, None]:
        for i, (at, place) in enumerate(plan):
            yield env.timeout(10 * H + at - env.now)
            model.flow.submit(Order(i, env.now, place, ((0, 1),), 1))

    model.start()
    env.process(customers())
    env.run(until=model.scenario.run.stop)
    orders = env.recorder.frames()["orders"]
    log = [(int(r.order_id), r.status, r.reason, r.node,
            None if math.isnan(r.pick_start) else round(r.pick_start - 10 * H, 3))
           for r in orders.itertuples()]
    assert log == [
        (0, "delivered", "", "west", 0.0),
        (1, "delivered", "", "west", 60.0),
        (2, "delivered", "", "west", 120.0),
        (3, "rejected", "node_closed", "", None),
        (4, "delivered", "", "east", 150.0),
        (5, "delivered", "", "west", 660.0),
    ]
