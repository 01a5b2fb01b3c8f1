"""Exact event logs of going off shift: a courier mid-trip and a picker with an order in
hand both finish what they hold, then leave."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import pandas as pd
import pytest

from sim.calendar.roster import Roster
from sim.calendar.staff import PickerPool
from sim.city.network import RoadNetwork
from sim.core.env import LevelMonitor, SimEnv
from sim.demand.catalog import Basket
from sim.demand.order import Order
from sim.fleet.couriers import Courier, Fleet
from sim.scenario import Scenario
from sim.scenario.calendar import ShiftSpec
from sim.scenario.schema import FleetSpec, VehicleSpec

H = 3600.0
MORNING_THEN_ONE = [{"start": "08:00", "end": "12:00", "count": 2},
                    {"start": "12:00", "end": "20:00", "count": 1}]


@pytest.fixture
def network() -> RoadNetwork:
    """A 2 km x 2 km grid with 100 m blocks."""
    return RoadNetwork.grid(2000, 2000, 100)


def staffing(env: SimEnv) -> list[tuple[Any, ...]]:
    """The staffing rows so far, as plain tuples."""
    frame: pd.DataFrame = env.recorder.frames()["staffing"]
    return [tuple(r) for r in frame.itertuples(index=False)]


def test_courier_finishes_her_trip_then_leaves(make_scenario: Callable[..., Scenario],
                                               network: RoadNetwork) -> None:
    """08:00-12:00 two couriers, then one: at 12:00 both are riding; the higher numbered
    finishes her trip (back 12:04) and goes off duty, the other stays on and is idle when
    back (12:10); at 20:00 she goes off at once (idle)."""
    env = SimEnv(make_scenario("run.start=07:00"))  # the clock starts at 07:00
    roster = Roster.of([ShiftSpec.model_validate(s) for s in MORNING_THEN_ONE])
    bike = VehicleSpec(speed="5m/s")
    fleet = Fleet(env, "s", network.place(1000, 1000),
                  [FleetSpec(count=MORNING_THEN_ONE, vehicle="bike")], {"bike": bike},
                  network, [roster], stop=24 * H)
    log: list[tuple[float, str]] = []
    fleet.on_idle = lambda c: log.append((env.now, f"idle {c.name}"))
    far = Order(1, 0.0, network.place(1900, 1900), Basket(((0, 1),)), 1)
    near = Order(2, 0.0, network.place(1900, 1000), Basket(((0, 1),)), 1)

    def dispatch() -> Generator[Any, Any, None]:
        yield env.timeout(11 * H + 55 * 60 - env.now)  # 11:55
        a, b = fleet.idle()
        log.append((env.now, f"start {a.name} {b.name}"))
        fleet.start_trip(a, [far])   # 60 s + 360 s + 120 s out, 360 s back: 12:10
        fleet.start_trip(b, [near])  # 60 s + 180 s + 120 s out, 180 s back: 12:04
        yield env.timeout(16 * 60)
        log.append((env.now, "idle now " + " ".join(c.name for c in fleet.idle())))

    env.process(dispatch())
    env.run(until=21 * H)
    assert log == [
        (8 * H, "idle s-c000"), (8 * H, "idle s-c001"),
        (42900.0, "start s-c000 s-c001"),
        (43800.0, "idle s-c000"),
        (43860.0, "idle now s-c000"),
    ]
    assert staffing(env) == [
        (7 * H, "s", "couriers", "bike", 0, 0),
        (8 * H, "s", "couriers", "bike", 2, 2),
        (12 * H, "s", "couriers", "bike", 1, 2),   # she is still riding
        (43440.0, "s", "couriers", "bike", 1, 1),  # back: off duty
        (20 * H, "s", "couriers", "bike", 0, 0),
    ]
    c001: Courier = fleet.couriers[1]
    assert not c001.on_duty and not c001.busy and fleet.idle() == []
    trips = env.recorder.frames()["trips"]
    assert trips[["courier", "start", "end", "status"]].values.tolist() == [
        ["s-c001", 42900.0, 43440.0, "finished"], ["s-c000", 42900.0, 43800.0, "finished"]]


def test_picker_finishes_the_order_in_hand(make_scenario: Callable[..., Scenario]) -> None:
    """Two pickers until 12:00, then one: both hold an order at 12:00; the first free
    (12:03) leaves before taking the waiting order, which starts when the other picker is
    free (12:06); capacity in ``states`` follows who is on duty."""
    env = SimEnv(make_scenario("run.start=07:00"))  # the clock starts at 07:00
    roster = Roster.of([ShiftSpec.model_validate(s) for s in MORNING_THEN_ONE])
    level = LevelMonitor(env, "pickers", "s", 0)
    pool = PickerPool(env, "s", roster, 24 * H, level)
    log: list[tuple[float, str]] = []

    def pick(name: str, at: float, takes: float) -> Generator[Any, Any, None]:
        yield env.timeout(at - env.now)
        with pool.request() as req:
            yield req
            level.change(+1)
            log.append((env.now, f"{name} picks"))
            yield env.timeout(takes)
            level.change(-1)
            log.append((env.now, f"{name} done"))

    env.process(pick("A", 11 * H + 55 * 60, 8 * 60))   # 11:55-12:03
    env.process(pick("B", 11 * H + 56 * 60, 10 * 60))  # 11:56-12:06
    env.process(pick("C", 12 * H + 60, 60))            # asks at 12:01
    env.run(until=13 * H)
    assert log == [(42900.0, "A picks"), (42960.0, "B picks"), (43380.0, "A done"),
                   (43560.0, "B done"), (43560.0, "C picks"), (43620.0, "C done")]
    assert staffing(env) == [
        (7 * H, "s", "pickers", "", 0, 0),
        (8 * H, "s", "pickers", "", 2, 2),
        (12 * H, "s", "pickers", "", 1, 2),
        (43380.0, "s", "pickers", "", 1, 1),
    ]
    states = env.recorder.frames()["states"]
    assert states[["time", "busy", "capacity"]].values.tolist() == [
        [7 * H, 0, 0], [8 * H, 0, 2], [42900.0, 1, 2], [42960.0, 2, 2], [43380.0, 1, 2],
        [43380.0, 1, 1], [43560.0, 0, 1], [43560.0, 1, 1], [43620.0, 0, 1]]
