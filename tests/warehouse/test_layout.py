"""Warehouse layouts: the generator, text maps, rendering and validation errors."""

from __future__ import annotations

import pytest

from sim.cli import main
from sim.scenario.errors import ScenarioError
from sim.scenario.warehouse import GeneratedLayout
from sim.warehouse.layout import (
    AISLE,
    CHARGER,
    PICK,
    QUEUE,
    SPOT,
    generate,
    parse_map,
    render,
    turns,
)


def gen(**kw: object) -> GeneratedLayout:
    return GeneratedLayout(kind="generated", **kw)  # type: ignore[arg-type]


def test_generated_counts() -> None:
    """A generated layout has the spots, stations, lanes and chargers asked for."""
    lay = generate(gen(blocks=(4, 3), block=(4, 2), stations=5, lane=4, chargers=3,
                       station_sides=["west", "east", "south"]))
    assert len(lay.spots) == 4 * 3 * 4 * 2
    assert len(lay.stations) == 5
    assert len(lay.chargers) == 3
    for st in lay.stations:
        assert len(st.lane) == 4
        assert lay.kinds[st.pick] == PICK
        assert all(lay.kinds[c] == QUEUE for c in st.lane[1:])
        # the tail is entered from a ring cell, the pick cell left to its exit row
        assert all(lay.kinds[a] == AISLE and lay.manhattan(a, st.tail) == 1 for a in st.entry)
        assert all(lay.kinds[a] == AISLE and lay.manhattan(a, st.pick) == 1 for a in st.exit)
    assert all(lay.kinds[c] == CHARGER for c in lay.chargers)


def test_stations_at_feeder_aisles() -> None:
    """With enough aisles flowing towards a side, each lane continues such an aisle, so a
    robot drives straight from its aisle into the lane."""
    lay = generate(gen(blocks=(4, 4), block=(3, 2), stations=4, lane=3,
                       station_sides=["west", "east", "south", "north"], chargers=2))
    for st in lay.stations:
        (entry,) = st.entry
        into_tail = lay.direction(entry, st.tail)
        assert lay.dirs[entry] >> into_tail & 1, "traffic at the entry flows into the lane"


def test_render_parse_round_trip() -> None:
    """Rendering a two-way generated layout and parsing it back gives the same floor."""
    lay = generate(gen(blocks=(3, 2), block=(4, 2), stations=3, lane=3, chargers=2,
                       one_way=False, station_sides=["west", "north"]))
    back = parse_map(render(lay))
    assert (back.width, back.height) == (lay.width, lay.height)
    assert back.kinds == lay.kinds
    assert back.dirs == lay.dirs
    assert sorted(st.lane for st in back.stations) == sorted(st.lane for st in lay.stations)


def test_map_directions_and_lane() -> None:
    """Arrows are one-way aisles; a straight run of q cells is the lane, tail last."""
    lay = parse_map("""
#C###
v<<<<
vppo^
>>>>^
qqP^#
""")
    (st,) = lay.stations
    assert [lay.xy(c) for c in st.lane] == [(2, 0), (1, 0), (0, 0)]
    assert [lay.xy(c) for c in st.entry] == [(0, 1)]
    assert sorted(lay.xy(c) for c in st.exit) == [(2, 1), (3, 0)]
    assert lay.dirs[lay.cell(0, 1)] == 1 << 0  # '>' leaves east only
    assert [lay.xy(c) for c in lay.chargers] == [(1, 4)]
    assert [lay.kinds[c] for c in lay.spots] == [SPOT, SPOT, SPOT]
    assert lay.pods_at_start == [True, True, False]


@pytest.mark.parametrize(("text", "needle"), [
    ("....P\n.ppx.\n", "unknown character 'x' at line 2, column 4"),
    ("....P\n#####\n##p##\n", "storage spot at (2, 0) has no aisle next to it"),
    ("..>.P\n.p...\n", "cannot"),
    ("....P\n.pq..\n", "queue cell at (2, 0) is not in a straight line"),
    ("p...\n....\n", "no picking station"),
    ("#P#\n.p.\n", "no aisle next to its pick cell"),
])
def test_map_errors(text: str, needle: str) -> None:
    """A bad map fails with one message that names the cell or the character."""
    with pytest.raises(ScenarioError, match=None) as err:
        parse_map(text, ("warehouses", 0, "layout", "text"))
    assert needle in err.value.message
    assert err.value.path == ("warehouses", 0, "layout", "text")


def test_too_many_stations_names_field() -> None:
    """Stations that cannot fit along the sides are reported on layout.stations."""
    with pytest.raises(ScenarioError) as err:
        generate(gen(blocks=(2, 2), block=(3, 2), stations=9, station_sides=["west"]),
                 where=("warehouses", 0, "layout"))
    assert err.value.path == ("warehouses", 0, "layout", "stations")
    assert "need" in err.value.message


def test_bad_map_exits_2(tmp_path, capsys) -> None:
    """Running a scenario whose map is unusable exits with code 2 and one line."""
    (tmp_path / "m.txt").write_text("....P\n#####\n##p##\n", encoding="utf-8")
    from tests.warehouse.conftest import WH

    text = WH.replace("layout: {kind: generated, blocks: [4, 3], block: [4, 2], stations: 2, "
                      "lane: 3,\n             chargers: 2}", "layout: {kind: map, file: m.txt}")
    text = text.replace("robots: {count: 10}", "robots: {count: 1, battery: null}")
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    code = main(["run", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.count("\n") == 0 and "storage spot at (2, 0) has no aisle" in err
    assert "warehouses[0].layout" in err
    assert not (tmp_path / "out").exists()


def test_turns() -> None:
    """Quarter turns between headings."""
    assert [turns(0, d) for d in range(4)] == [0, 1, 2, 1]
