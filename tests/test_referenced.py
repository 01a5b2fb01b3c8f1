"""Files a scenario points to (issue 18 item 6): ``validate`` reads and checks them as
``run`` does, and a bad GraphML network or warehouse map is one line naming the file and
the offending node or edge, exit 2, never a crash or a runaway allocation."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from sim.city.network import RoadNetwork, parse_maxspeed
from sim.cli import main
from sim.referenced import load_referenced
from sim.scenario import ScenarioError, read_scenario
from tests.conftest import TINY
from tests.warehouse.conftest import TINY_MAP, WH

GRAPHML = "network: {kind: graphml, file: roads.graphml}"
GENERATED = ("layout: {kind: generated, blocks: [4, 3], block: [4, 2], stations: 2, "
             "lane: 3,\n             chargers: 2}")

Edit = Callable[[nx.Graph], None]


def roads(edit: Edit | None = None, offset: tuple[float, float] = (0.0, 0.0),
          scale: float = 500.0, maxspeed: str | None = None) -> nx.Graph:
    """A 9 x 9 street grid ``scale`` metres apart covering the tiny 4 km city (shifted
    by ``offset``), every street 500 m long, optionally with ``maxspeed`` as osmnx
    writes it (a string), then changed by ``edit``."""
    g = nx.Graph()
    for i in range(9):
        for j in range(9):
            g.add_node(f"{i}-{j}", x=offset[0] + i * scale, y=offset[1] + j * scale)
    for i in range(9):
        for j in range(9):
            for a, b in ((i + 1, j), (i, j + 1)):
                if a < 9 and b < 9:
                    g.add_edge(f"{i}-{j}", f"{a}-{b}", length=500.0)
                    if maxspeed is not None:
                        g.edges[f"{i}-{j}", f"{a}-{b}"]["maxspeed"] = maxspeed
    if edit is not None:
        edit(g)
    return g


def scenario_with(tmp_path: Path, g: nx.Graph) -> Path:
    """The tiny scenario on ``g`` (written next to it as roads.graphml)."""
    nx.write_graphml(g, tmp_path / "roads.graphml")
    path = tmp_path / "s.yaml"
    path.write_text(TINY.replace("network: {kind: grid, block: 250m}", GRAPHML))
    return path


def refused(capsys: pytest.CaptureFixture[str], tmp_path: Path, scenario: Path) -> str:
    """``validate`` and ``run`` both exit 2 with the same line (naming the scenario file,
    line and field) and write nothing; the line."""
    assert main(["validate", str(scenario)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and len(err) < 400
    assert main(["run", str(scenario), "--out", str(tmp_path / "out"), "--quiet",
                 "--no-plots"]) == 2
    assert capsys.readouterr().err.strip() == err
    assert err.startswith(f"error: {scenario}:")
    assert not (tmp_path / "out").exists()
    return err


def set_edge(key: str, value: object) -> Edit:
    """An edit that sets ``key`` on the street 3-3 -> 3-4."""
    def edit(g: nx.Graph) -> None:
        g.edges["3-3", "3-4"][key] = value
    return edit


def set_node(key: str, value: float) -> Edit:
    """An edit that sets ``key`` of node 3-3."""
    def edit(g: nx.Graph) -> None:
        g.nodes["3-3"][key] = value
    return edit


@pytest.mark.parametrize(("edit", "maxspeed", "expected"), [
    (set_edge("maxspeed", "-30"), "30", r"edge '3-3'-'3-4': 'maxspeed' '-30' is not a positive"),
    (set_edge("maxspeed", "0"), "30", r"edge '3-3'-'3-4': 'maxspeed' '0' is not a positive"),
    (set_edge("maxspeed", "fast"), "30", r"edge '3-3'-'3-4': 'maxspeed' 'fast' is not"),
    (set_edge("length", math.nan), None, r"edge '3-3'-'3-4': 'length' nan"),
    (set_edge("length", math.inf), None, r"edge '3-3'-'3-4': 'length' inf"),
    (set_node("x", math.nan), None, r"node '3-3': 'x' nan is not a finite number"),
    (set_node("y", -math.inf), None, r"node '3-3': 'y' -inf is not a finite number"),
], ids=["negative_maxspeed", "zero_maxspeed", "text_maxspeed", "nan_length", "inf_length",
        "nan_x", "inf_y"])
def test_bad_graphml_values_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      edit: Edit, maxspeed: str | None, expected: str) -> None:
    """A bad speed limit, length or coordinate is refused by validate and run alike,
    naming the field, the file and the edge or node (a negative limit used to allocate
    until std::bad_alloc, the others were exit 1 or a misleading "no road")."""
    scenario = scenario_with(tmp_path, roads(edit, maxspeed=maxspeed))
    err = refused(capsys, tmp_path, scenario)
    assert "city.network.file: " in err and "roads.graphml: " in err
    assert re.search(expected, err), err


def test_network_far_outside_the_city(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A network 1,000 km away from the city's rectangle is refused, not run with every
    place snapped kilometres away."""
    err = refused(capsys, tmp_path, scenario_with(tmp_path, roads(offset=(1e6, 1e6))))
    assert "lies outside the city" in err and "roads.graphml" in err


def test_longitude_latitude_network(tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A network in degrees (inside the city's rectangle by coincidence, a few metres
    wide) is recognised as longitude/latitude and refused with what to do."""
    g = roads(offset=(121.40, 31.20), scale=0.005)
    err = refused(capsys, tmp_path, scenario_with(tmp_path, g))
    assert "look like longitude/latitude" in err and "project" in err


def test_osmnx_maxspeed_lists_take_the_lowest() -> None:
    """osmnx writes a street with several limits as a list string: the lowest holds on
    all of it; ``mph`` converts; anything else is not a speed."""
    assert parse_maxspeed("['30', '50']") == 30.0
    assert parse_maxspeed("[50, 20]") == 20.0
    assert parse_maxspeed(" 40 ") == 40.0 and parse_maxspeed(25) == 25.0
    assert parse_maxspeed("20 mph") == pytest.approx(32.18688)
    for bad in ("signals", "['30', 'none']", "[]", "nan", "inf", True, None, ["30"],
                10**400, "1e400"):
        assert parse_maxspeed(bad) is None, bad


def test_listed_maxspeed_runs_at_the_lowest_limit(tmp_path: Path) -> None:
    """A scenario whose streets carry osmnx list limits validates, loads and travels at
    the lowest of each list."""
    scenario = scenario_with(tmp_path, roads(maxspeed="['30', '50']"))
    assert main(["validate", str(scenario)]) == 0
    net = load_referenced(read_scenario(scenario)).network
    assert net is not None and net.has_speed_limits
    a, b = net.place(0, 0), net.place(500, 0)
    secs, metres = net.travel(a, b, 20.0)  # a vehicle faster than the limit
    assert metres == pytest.approx(500) and secs == pytest.approx(500 / (30 / 3.6))


def test_road_network_refuses_negative_times_itself() -> None:
    """Built from a graph nobody checked, the network still refuses a negative limit
    before any search (a negative edge time is a negative cycle scipy never leaves)."""
    g = roads(set_edge("maxspeed", -30.0))
    with pytest.raises(ScenarioError, match="positive speed limits"):
        RoadNetwork(g)


# --------------------------------------------------------------------------- warehouse maps


def map_scenario(tmp_path: Path, data: bytes) -> Path:
    """The small warehouse scenario with its layout in the map file ``m.txt``."""
    (tmp_path / "m.txt").write_bytes(data)
    text = WH.replace(GENERATED, "layout: {kind: map, file: m.txt}")
    text = text.replace("robots: {count: 10}", "robots: {count: 1, battery: null}")
    assert "kind: map" in text
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_map_file_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A map file that is not UTF-8 is one line naming the file and the first bad byte,
    without echoing the file's bytes."""
    data = TINY_MAP.strip().encode("utf-8") + b"\n\xff\xfe" + bytes(range(128, 256)) * 40
    err = refused(capsys, tmp_path, map_scenario(tmp_path, data))
    assert "warehouses[0].layout.file: " in err and "m.txt is not UTF-8" in err
    assert "0xff" in err and "\\x" not in err


def test_validate_checks_the_map_layout(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """validate parses the map as run does: a spot without an aisle is refused there."""
    err = refused(capsys, tmp_path, map_scenario(tmp_path, b"....P\n#####\n##p##\n"))
    assert "warehouses[0].layout.file" in err and "has no aisle" in err
    good = map_scenario(tmp_path, TINY_MAP.strip().encode("utf-8"))
    assert main(["validate", str(good)]) == 0
