"""The robot warehouse's parts on their own: distance models, line claiming, battery
checks and parcel demand, without running a whole model."""

from __future__ import annotations

from sim.core.env import SimEnv
from sim.demand.parcels import parcel_orders
from sim.model import Model
from sim.warehouse.distances import GridDistances, ManhattanDistances
from sim.warehouse.orders import PARCEL, Line, WhOrder
from sim.warehouse.paths import FAR, Paths
from sim.warehouse.pods import Pod
from sim.warehouse.stations import Station, Visit
from sim.warehouse.visits import claim


def _layout(make_wh):
    return Model(make_wh()).warehouses[0].layout


def test_distance_models_agree_where_comparable(make_wh):
    """Both floors reach every spot from every station; a trip over the aisle graph is
    never shorter than the Manhattan distance, and Manhattan tables are symmetric."""
    lay = _layout(make_wh)
    man, grid = ManhattanDistances(lay), GridDistances(lay, Paths(lay))
    m_to, m_from = man.to_and_from_stations()
    g_to, g_from = grid.to_and_from_stations()
    assert len(g_to) == len(lay.stations) and len(g_to[0]) == len(lay.spots)
    for s in range(len(lay.stations)):
        for table in (g_to[s], g_from[s], m_to[s]):
            assert min(table) > 0 and max(table) < FAR
        assert list(m_to[s]) == list(m_from[s])  # straight lines: the same both ways
    assert grid.worst_to_charger() >= man.worst_to_charger() > 0
    for a, b in zip(lay.spots[:8], lay.spots[-8:], strict=True):
        assert man.trip(a, b, 0) == lay.manhattan(a, b) <= grid.trip(a, b, 0) < FAR
    assert list(lay.manhattan_from(lay.spots[:5], b)) == [lay.manhattan(c, b)
                                                          for c in lay.spots[:5]]


def test_claim_takes_what_the_pod_holds(make_wh):
    """A visit claims, line by line, the units its pod holds and no one has claimed;
    lines left short stay waiting, fully claimed ones leave the station's list."""
    lay = _layout(make_wh)
    st = Station(0, lay.stations[0], order_slots=4, max_robots=2)
    order = WhOrder(1, PARCEL, 0.0, 3600.0)
    lines = [Line(order, 0, 7, 3, 3), Line(order, 1, 8, 5, 5), Line(order, 2, 9, 2, 2)]
    st.waiting.extend(lines)
    pod = Pod(0, {7: 10, 8: 2})
    pod.claimed[8] = 1  # another visit holds one of the two units of SKU 8
    visit = Visit(1, None, pod, 0, [], 0.0)
    claim(visit, st)
    assert [(line.sku, take) for line, take in visit.claims] == [(7, 3), (8, 1)]
    assert pod.claimed == {7: 3, 8: 2}
    assert [line.sku for line in st.waiting] == [8, 9]
    assert lines[1].unclaimed == 4 and lines[2].unclaimed == 2


def test_battery_eligibility_and_charging_thresholds(make_wh):
    """A robot may fetch a pod only if its charge covers the visit and the reserve for
    the way to a charger; thresholds follow the battery spec."""
    wh = Model(make_wh()).warehouses[0]
    bay = wh.charging
    assert bay is not None
    robot, st = wh.robots[0], wh.stations[0]
    spot = next(i for i, p in enumerate(wh.storage.pod_at) if p is not None)
    bat = wh.spec.robots.battery
    assert bat is not None
    cell = wh.storage.spot_cells[spot]
    need = (bat.use_empty * wh.layout.manhattan(robot.cell, cell)
            + bat.use_loaded * (wh.to_station[0][spot] + st.lane_cap) + bay.reserve_after[0])
    robot.energy = need
    assert bay.eligible(robot, spot, st)
    robot.energy = need - 1e-6
    assert not bay.eligible(robot, spot, st)
    robot.energy = bat.recharge_below * bat.capacity - 1e-6
    assert bay.low(robot) and not bay.full(robot)
    robot.energy = bat.charge_to * bat.capacity
    assert bay.full(robot) and not bay.low(robot)


def test_parcel_orders_follow_their_own_stream(make_wh):
    """Parcel demand comes from the warehouse's own random stream: the same arrivals and
    baskets whatever else the scenario holds, in time order within the run."""
    sc = make_wh()
    spec = sc.warehouses[0].parcels
    assert spec is not None

    def arrivals(scenario) -> list[tuple[float, tuple[tuple[int, int], ...]]]:
        model = Model(scenario)
        env: SimEnv = model.env
        got: list[tuple[float, tuple[tuple[int, int], ...]]] = []
        env.process(parcel_orders(env, "wh", spec, scenario.run, model.catalog,
                                  lambda basket: got.append((env.now, basket))))
        env.run(until=scenario.run.end)
        return got

    a = arrivals(sc)
    b = arrivals(make_wh("warehouses[0].robots.count=4", "warehouses[0].couriers.count=1"))
    assert a == b and len(a) > 100
    times = [t for t, _ in a]
    assert times == sorted(times) and sc.run.start <= times[0] and times[-1] < sc.run.end
