"""A tiny warehouse whose event log is checked by hand, in both traffic modes.

The floor (TINY_MAP, first line north)::

    y=2  # p o # #      a pod on spot (1, 2), an empty spot at (2, 2)
    y=1  . . . . P      a two-way aisle, the station's pick cell at (4, 1)
    y=0  # C # # #      a charger

One robot starts under the pod. At 10:01 (36060 s) a store asks for one unit of SKU 0,
which is on that pod. Speed 1.5 m/s and acceleration 0.5 m/s2 (top speed needs 4.5 m, so
every run here is triangular: ``2 sqrt(d / a)``), quarter turn 1 s, lift and set-down
3 s, 10 s per item, no packing, lead time 1 h.
"""

from __future__ import annotations

import math

import pytest

from sim.model import Model
from tests.warehouse.conftest import TINY_MAP

SCENARIO = f"""
name: tiny_wh
run: {{start: "10:00", duration: 30min, warmup: 1min, drain: 1h30min}}
city: {{width: 2km, height: 2km}}
catalog: {{skus: 1}}
demand:
  online: {{orders_per_day: 0, profile: flat, basket: {{lines: 1}}}}
vehicles:
  van: {{speed: 30km/h}}
warehouses:
  - name: tiny
    location: [1km, 1km]
    traffic: abstract
    layout:
      kind: map
      text: |
{chr(10).join('        ' + line for line in TINY_MAP.strip().splitlines())}
    robots: {{count: 1, battery: null}}
    stations: {{pick_time_per_item: 10s}}
    pods: {{skus_per_pod: 1, units_per_slot: 5}}
    couriers: {{count: 0, vehicle: van}}
    replenishment: {{lead_time: 1h}}
    record: {{picks: true, moves: true}}
"""


def run_tiny(make_wh, mode: str):
    sc = make_wh(f"warehouses[0].traffic={mode}", text=SCENARIO)
    model = Model(sc)
    wh = model.warehouses[0]
    delivered = {}

    def store():
        yield model.env.timeout(60)
        delivered["lines"] = yield wh.ship("corner-shop", [(0, 1)])
        delivered["at"] = model.env.now

    model.env.process(store())
    return wh, model.run(), delivered


def tri(d: float) -> float:
    """A rest-to-rest run of d metres that never reaches top speed."""
    return 2 * math.sqrt(d / 0.5)


def test_abstract_log(make_wh) -> None:
    """Abstract mode: no fetch (the robot is under the pod), lift, Manhattan run to the
    pick cell (3 m east, 1 m south, one turn), pick, back to the nearest free spot."""
    wh, rec, delivered = run_tiny(make_wh, "abstract")
    (v,) = rec["wh_visits"].itertuples()
    t0 = 36060.0
    to_station = tri(3) + tri(1) + 1.0  # 4.899 + 2.828 + 1 turn
    back = tri(2) + tri(1) + 1.0  # to spot (2, 2): 2 m west, 1 m north
    assert v.dispatched == t0 and v.at_pod == t0
    assert v.at_station == pytest.approx(t0 + 3 + to_station)
    assert v.pick_start == pytest.approx(v.at_station)  # nobody queued
    assert v.pick_end == pytest.approx(v.pick_start + 10)
    assert v.returned == pytest.approx(v.pick_end + back + 3)
    assert (v.units, v.lines, v.empty_m, v.loaded_m, v.wait_s) == (1, 1, 0, 4 + 3, 0)
    (o,) = rec["wh_orders"].itertuples()
    assert (o.channel, o.ref, o.status, o.units_picked) == ("replenishment", "corner-shop",
                                                           "ready", 1)
    assert o.ready == pytest.approx(v.pick_end)
    assert delivered == {"lines": [(0, 1)], "at": pytest.approx(o.ready + 3600)}
    assert wh.storage.pod_at[1] is wh.storage.pods[0]  # the pod now stands on (2, 2)
    assert wh.storage.on_hand[0] == 4


def test_grid_log(make_wh) -> None:
    """Grid mode on 0.1 s ticks: the robot (facing east) turns south, drives 1 m, turns
    east, drives 3 m into the pick cell; back: turns round, 2 m west, turns north, 1 m."""
    _wh, rec, delivered = run_tiny(make_wh, "grid")
    (v,) = rec["wh_visits"].itertuples()
    lifted = 36063.0
    # ticks: turn 10, run(1) ceil(28.28) = 29, turn 10, run(3) ceil(48.99) = 49
    assert v.at_station == pytest.approx(lifted + (10 + 29 + 10 + 49) * 0.1)
    assert v.pick_end == pytest.approx(v.at_station + 10)
    # two quarter turns 20, run(2) 40, turn 10, run(1) 29, then the set-down
    assert v.returned == pytest.approx(v.pick_end + (20 + 40 + 10 + 29) * 0.1 + 3)
    assert v.wait_s == pytest.approx(0, abs=1e-9)
    assert delivered["lines"] == [(0, 1)]
    moves = rec["wh_moves"]
    track = [(r.x, r.y) for r in moves.sort_values("t_in").itertuples()]
    assert track == [(1, 2), (1, 1), (2, 1), (3, 1), (4, 1), (3, 1), (2, 1), (2, 2)]
    first = moves.iloc[0]
    # under the pod from the start until its centre reaches the aisle cell below:
    # departure at lift + 1 s turn, then the whole 1 m run (it stops in that cell)
    assert (first.t_in, first.t_out) == (36000.0, pytest.approx(lifted + 1.0 + 2.9))
