"""Road networks: grid distances, GraphML with speed limits, snapping and errors."""

from pathlib import Path

import networkx as nx
import pytest

from sim.city.network import RoadNetwork
from sim.scenario import ScenarioError


def test_grid_is_manhattan():
    """On a grid, road distance between intersections is the Manhattan distance."""
    net = RoadNetwork.grid(1000, 800, 200)
    assert net.graph.number_of_nodes() == 6 * 5
    a, b = net.place(0, 0), net.place(1000, 800)
    secs, metres = net.travel(a, b, 5.0)
    assert metres == pytest.approx(1800) and secs == pytest.approx(360)


def test_access_legs_added():
    """Points between intersections add their straight access legs to the nearest node."""
    net = RoadNetwork.grid(1000, 1000, 200)
    a, b = net.place(30, 0), net.place(600, 410)
    assert a.node == net.place(0, 0).node and a.access == pytest.approx(30)
    _, metres = net.travel(a, b, 5.0)
    assert metres == pytest.approx(30 + 600 + 400 + 10)


def test_same_node_is_straight_line():
    """Two points at the same node are a straight line apart."""
    net = RoadNetwork.grid(1000, 1000, 200)
    a, b = net.place(10, 10), net.place(40, 50)
    assert net.travel(a, b, 5.0)[1] == pytest.approx(50)


def test_travel_cache_consistent():
    """Repeated travel queries give the same answers as the first (cached rows), and
    as a network with nothing cached; another speed scales the times, not the metres."""
    net = RoadNetwork.grid(2000, 2000, 250)
    xy = [(0, 0), (1750, 250), (500, 2000), (1000, 1000)]
    pts = [net.place(x, y) for x, y in xy]
    first = [net.travel(a, b, 4.0) for a in pts for b in pts]
    again = [net.travel(a, b, 4.0) for a in pts for b in pts]
    assert first == again
    fresh = [RoadNetwork.grid(2000, 2000, 250).travel(a, b, 4.0) for a in pts for b in pts]
    assert again == fresh
    assert net.travel(pts[1], pts[2], 4.0)[1] == pytest.approx(net.travel(pts[2], pts[1], 4.0)[1])
    faster = [net.travel(a, b, 10.0) for a in pts for b in pts]
    for (s4, m4), (s10, m10) in zip(again, faster, strict=True):
        assert m10 == m4 and s10 == pytest.approx(s4 * 4.0 / 10.0)
    # every point is an intersection: road metres are the Manhattan distance
    manhattan = [abs(ax - bx) + abs(ay - by) for ax, ay in xy for bx, by in xy]
    assert [m for _, m in again] == pytest.approx(manhattan)
    assert net.travel(pts[1], pts[2], 4.0) == pytest.approx((750.0, 3000.0))  # 1250 + 1750 m


def write_graph(path: Path) -> None:
    g = nx.Graph()
    g.add_node("A", x=0.0, y=0.0)
    g.add_node("B", x=1000.0, y=0.0)
    g.add_node("C", x=500.0, y=500.0)
    g.add_edge("A", "B", length=1000.0, maxspeed=10.0)  # a slow direct street
    g.add_edge("A", "C", length=800.0)
    g.add_edge("C", "B", length=800.0)
    nx.write_graphml(g, path)


def test_graphml_fastest_path_per_vehicle(tmp_path):
    """Speed limits make fast vehicles detour and slow ones take the short street."""
    write_graph(tmp_path / "g.graphml")
    net = RoadNetwork.from_graphml(tmp_path / "g.graphml")
    a, b = net.place(0, 0), net.place(1000, 0)
    fast = net.travel(a, b, 5.0)      # direct 360 s at 10 km/h, detour 320 s
    slow = net.travel(a, b, 2.5)      # direct 400 s, detour 640 s
    assert fast == pytest.approx((320.0, 1600.0))
    assert slow == pytest.approx((400.0, 1000.0))


def test_graphml_errors(tmp_path):
    """A GraphML file without coordinates or lengths names what is missing."""
    g = nx.Graph()
    g.add_node(1, x=0.0)
    nx.write_graphml(g, tmp_path / "bad.graphml")
    with pytest.raises(ScenarioError, match="numeric 'x' and 'y'"):
        RoadNetwork.from_graphml(tmp_path / "bad.graphml")
    (tmp_path / "junk.graphml").write_text("not xml")
    with pytest.raises(ScenarioError, match="cannot read GraphML"):
        RoadNetwork.from_graphml(tmp_path / "junk.graphml")


def test_graphml_scenario_runs(tmp_path, make_scenario):
    """A scenario on a GraphML city runs, with the file found next to the scenario."""
    from sim.runner import run
    from sim.scenario import read_scenario
    from tests.conftest import TINY

    g = nx.grid_2d_graph(9, 9)
    h = nx.Graph()
    for (i, j) in g.nodes:
        h.add_node(f"{i}-{j}", x=i * 500.0, y=j * 500.0)
    for (a, b) in g.edges:
        h.add_edge(f"{a[0]}-{a[1]}", f"{b[0]}-{b[1]}", length=500.0)
    nx.write_graphml(h, tmp_path / "city.graphml")
    text = TINY.replace("network: {kind: grid, block: 250m}",
                        "network: {kind: graphml, file: city.graphml}")
    (tmp_path / "s.yaml").write_text(text)
    result = run(read_scenario(tmp_path / "s.yaml"))
    assert result.metrics["orders"]["delivered"] > 0


def test_disconnected_network_refused(tmp_path, make_scenario):
    """A road network with unreachable parts is refused with the field named."""
    from sim.model import Model
    from tests.conftest import TINY

    g = nx.Graph()
    g.add_node("a", x=0.0, y=0.0)
    g.add_node("b", x=100.0, y=0.0)
    g.add_node("c", x=3000.0, y=3000.0)
    g.add_edge("a", "b", length=100.0)
    nx.write_graphml(g, tmp_path / "city.graphml")
    text = TINY.replace("network: {kind: grid, block: 250m}",
                        f"network: {{kind: graphml, file: {tmp_path / 'city.graphml'}}}")
    with pytest.raises(ScenarioError,
                       match=r"city\.network\.file: .*city\.graphml: the road network is not "
                             r"connected"):
        Model(make_scenario(text=text))
