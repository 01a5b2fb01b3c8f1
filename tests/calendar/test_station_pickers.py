"""A robot warehouse's station pickers under a roster: stations whose picker goes off
shift take no new order and close once their open orders are picked."""

from __future__ import annotations

from sim.core.records import DELIVERED, IN_PROGRESS, REJECTED
from sim.runner import run
from sim.scenario import read_scenario
from tests.conftest import SCENARIOS

WAREHOUSE = ["run.start=08:00", "run.duration=40min", "run.warmup=5min", "run.drain=15min",
             "warehouses[0].robots.count=60", "warehouses[0].layout.stations=8",
             "warehouses[0].stations.pickers=[{start: '00:00', end: '08:15', count: 8}, "
             "{start: '08:15', end: '00:00', count: 2}]"]


def test_stations_close_after_their_open_orders() -> None:
    """From 08:15 only stations 0 and 1 take orders; the others finish what they hold
    (on duty falls to 2 only when they have), and every order still ends somewhere."""
    sc = read_scenario(SCENARIOS / "cainiao_warehouse.yaml", WAREHOUSE)
    result = run(sc, 5)
    staffing = result.records["staffing"]
    rows = staffing[staffing["resource"] == "station_pickers"]
    assert rows["rostered"].tolist()[:2] == [8, 2]
    assert rows["time"].tolist()[1] == 8.25 * 3600
    assert rows["on_duty"].iloc[1] > 2 and rows["on_duty"].iloc[-1] == 2
    wh = result.records["wh_orders"]
    late = wh[wh["assigned"] > 8.25 * 3600]
    assert len(late) > 0 and set(late["station"].astype(int)) <= {0, 1}
    orders = result.records["orders"]
    assert set(orders["status"]) <= {DELIVERED, REJECTED, IN_PROGRESS, "cancelled"}
