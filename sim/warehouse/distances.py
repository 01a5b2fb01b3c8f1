"""How far a robot drives between places on the floor, one model per traffic mode.

The warehouse needs three kinds of distance, for choosing pods and spots and for sizing
battery reserves: from every storage spot into each station's lane and back out, from
the farthest spot to its nearest charger, and the length of one trip a robot is about
to make. The abstract mode measures them as Manhattan distances (robots drive straight
through each other); the grid mode measures them over the aisle graph, where one-way
aisles and station lanes make the way there differ from the way back. Both are
:class:`FloorDistances`; :func:`floor_distances` picks one, so the coordinator never
branches on the mode for distances.
"""

from __future__ import annotations

from array import array
from typing import Protocol

import numpy as np

from sim.warehouse.layout import Layout
from sim.warehouse.paths import FAR, Paths, distance_field


class FloorDistances(Protocol):
    """Distances in metres (one per cell moved) on a warehouse floor."""

    def to_and_from_stations(self) -> tuple[list[array[int]], list[array[int]]]:
        """Per station, the metres from every storage spot into its lane, and from its
        pick cell back to every spot, as int arrays indexed by spot."""
        ...

    def worst_to_charger(self) -> int:
        """The longest way from any storage spot to its nearest charger."""
        ...

    def trip(self, start: int, goal: int, heading: int) -> int:
        """Metres of the trip a robot at ``start`` facing ``heading`` drives to ``goal``."""
        ...


class ManhattanDistances:
    """Straight-line grid distances: the abstract traffic mode's floor."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout

    def to_and_from_stations(self) -> tuple[list[array[int]], list[array[int]]]:
        lay = self.layout
        to_station: list[array[int]] = []
        from_station: list[array[int]] = []
        for st in lay.stations:
            d = lay.manhattan_from(lay.spots, st.pick).astype(np.int32)
            to_station.append(array("i", d.tobytes()))
            from_station.append(array("i", d.tobytes()))
        return to_station, from_station

    def worst_to_charger(self) -> int:
        lay = self.layout
        return max((int(lay.manhattan_from(lay.spots, c).max()) for c in lay.chargers),
                   default=0)

    def trip(self, start: int, goal: int, heading: int) -> int:
        return self.layout.manhattan(start, goal)


def access_matrix(layout: Layout) -> np.ndarray:
    """Per storage spot, the aisle cells it is entered from (up to four), padded with the
    index one past the last cell (which distance lookups map to :data:`FAR`)."""
    spots = layout.spots
    acc = np.full((len(spots), 4), layout.size, dtype=np.int64)
    for i, c in enumerate(spots):
        a = layout.access[c]
        acc[i, :len(a)] = a
    return acc


def _spot_distances(field: array[int], acc: np.ndarray) -> np.ndarray:
    """Per spot, one more than the nearest of its access cells in a distance field."""
    f = np.append(np.frombuffer(field, dtype=np.int32), FAR)
    return (f[acc].min(axis=1) + 1).astype(np.int32)


class GridDistances:
    """Distances over the aisle graph: the grid traffic mode's floor."""

    def __init__(self, layout: Layout, paths: Paths) -> None:
        self.layout, self.paths = layout, paths
        self._acc = access_matrix(layout)

    def to_and_from_stations(self) -> tuple[list[array[int]], list[array[int]]]:
        to_station: list[array[int]] = []
        from_station: list[array[int]] = []
        for s in range(len(self.layout.stations)):
            for fields, out in ((self.paths.to_tail, to_station),
                                (self.paths.from_pick, from_station)):
                out.append(array("i", _spot_distances(fields[s], self._acc).tobytes()))
        return to_station, from_station

    def worst_to_charger(self) -> int:
        lay = self.layout
        worst = 0
        for ch in lay.chargers:
            field = distance_field(lay, list(lay.access[ch]), True)
            worst = max(worst, int(_spot_distances(field, self._acc).max()))
        return worst

    def trip(self, start: int, goal: int, heading: int) -> int:
        return len(self.paths.astar(start, goal, heading)) - 1


def floor_distances(layout: Layout, paths: Paths | None) -> FloorDistances:
    """The grid floor's distances when paths are planned, else Manhattan distances."""
    return ManhattanDistances(layout) if paths is None else GridDistances(layout, paths)
