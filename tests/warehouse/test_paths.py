"""Static shortest paths: the junction router agrees with A*, and paths obey the map."""

from __future__ import annotations

import itertools
import random

import pytest

from sim.scenario.warehouse import GeneratedLayout
from sim.warehouse.layout import Layout, generate, parse_map
from sim.warehouse.paths import Paths


def valid(lay: Layout, path: list[int]) -> bool:
    """Neighbouring cells, moves out of aisle cells in allowed directions, the middle of
    the path in aisles only."""
    for a, b in itertools.pairwise(path):
        if lay.manhattan(a, b) != 1:
            return False
        if lay.is_aisle(a) and lay.is_aisle(b) and not lay.dirs[a] >> lay.direction(a, b) & 1:
            return False
    return all(lay.is_aisle(c) for c in path[1:-1])


@pytest.mark.parametrize("one_way", [True, False])
def test_router_matches_astar(one_way: bool) -> None:
    """On random pairs of spots, the junction router's paths are as short as A*'s, and
    both follow the one-way aisles."""
    lay = generate(GeneratedLayout(kind="generated", blocks=(5, 4), block=(3, 2), stations=4,
                                   station_sides=["west", "south"], lane=3, chargers=2,
                                   one_way=one_way))
    paths = Paths(lay)
    assert paths.router is not None
    rnd = random.Random(3)
    for _ in range(300):
        a, b = rnd.sample(lay.spots, 2)
        h = rnd.randrange(4)
        p1, p2 = paths._astar(a, b, h), paths._route(a, b, h)
        assert len(p1) == len(p2), (a, b)
        assert valid(lay, p1) and valid(lay, p2)
        assert p2[0] == a and p2[-1] == b


def test_station_paths_follow_fields() -> None:
    """Paths into a lane and out of a pick cell are as long as their distance fields say."""
    lay = generate(GeneratedLayout(kind="generated", blocks=(4, 3), block=(4, 2), stations=3,
                                   lane=3, chargers=1))
    paths = Paths(lay)
    for s, st in enumerate(lay.stations):
        for spot in lay.spots[::7]:
            into = paths.to_station(spot, s, 0)
            assert into[0] == spot and into[-1] == st.tail and valid(lay, into)
            assert len(into) - 1 == paths.spot_to_station(s, spot)
            out = paths.from_station(s, spot)
            assert out[0] == st.pick and out[-1] == spot and valid(lay, out)
            assert len(out) - 1 == paths.station_to_spot(s, spot)


def test_open_floor_uses_astar() -> None:
    """A map with too many junctions for the all-pairs table falls back to A*."""
    from sim.warehouse.paths import JunctionRouter

    old = JunctionRouter.MAX_JUNCTIONS
    JunctionRouter.MAX_JUNCTIONS = 3
    try:
        lay = parse_map("......P\n.p.p.p.\n.......\n")
        paths = Paths(lay)
        assert paths.router is None
        p = paths.astar(lay.spots[0], lay.spots[2], 0)
        assert valid(lay, p) and len(p) == 7  # down, four along, up
    finally:
        JunctionRouter.MAX_JUNCTIONS = old
