"""The warehouse floor: a grid of 1 m cells, generated from parameters or read from text.

Cells are numbered ``y * width + x`` with x to the east and y to the north. Aisle cells
are the only cells robots drive *through*; storage spots, chargers and station lanes are
entered only as the end of a trip (and left at the start of the next). An aisle cell
may be one-way: ``dirs[c]`` is the bit mask of directions a robot may leave it in.

:func:`validate` checks what the simulation relies on, with errors that name the cell:
every aisle cell reaches every other (strongly connected, respecting one-way aisles), and
every spot, charger, and station lane end touches an aisle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.random import Generator
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from sim.scenario.errors import Loc, ScenarioError
from sim.scenario.files import read_text_file
from sim.scenario.warehouse import GeneratedLayout, MapLayout

E, N, W, S = 0, 1, 2, 3
DX = (1, 0, -1, 0)
DY = (0, 1, 0, -1)
ALL_DIRS = 0b1111

AISLE, WALL, SPOT, PICK, QUEUE, CHARGER = range(6)
KIND_NAMES = ("aisle", "wall", "spot", "pick", "queue", "charger")

MAP_CHARS = {
    ".": (AISLE, ALL_DIRS), ">": (AISLE, 1 << E), "^": (AISLE, 1 << N),
    "<": (AISLE, 1 << W), "v": (AISLE, 1 << S), "#": (WALL, 0), " ": (WALL, 0),
    "p": (SPOT, 0), "o": (SPOT, 0), "P": (PICK, 0), "q": (QUEUE, 0), "C": (CHARGER, 0),
}


def turns(a: int, b: int) -> int:
    """Quarter turns between headings ``a`` and ``b`` (0, 1 or 2)."""
    d = abs(a - b) % 4
    return min(d, 4 - d)


@dataclass(frozen=True)
class StationCells:
    """Where a station is: its lane from the pick cell (``lane[0]``) to the tail."""

    index: int
    lane: tuple[int, ...]
    entry: tuple[int, ...]  # aisle cells from which a robot enters the tail
    exit: tuple[int, ...]  # aisle cells a robot leaves the pick cell to

    @property
    def pick(self) -> int:
        """The cell where the picker works on the pod."""
        return self.lane[0]

    @property
    def tail(self) -> int:
        """The lane cell robots enter first."""
        return self.lane[-1]


@dataclass
class Layout:
    """A warehouse floor and its static road graph."""

    width: int
    height: int
    kinds: bytearray
    dirs: bytearray
    spots: list[int]
    pods_at_start: list[bool] | None  # per spot; None: chosen by `fill` when pods are placed
    stations: list[StationCells]
    chargers: list[int]
    fill: float = 1.0
    out_moves: list[tuple[tuple[int, int], ...]] = field(default_factory=list)
    in_moves: list[tuple[tuple[int, int], ...]] = field(default_factory=list)
    access: list[tuple[int, ...]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._build_graph()

    # ------------------------------------------------------------ geometry

    @property
    def size(self) -> int:
        """Number of cells."""
        return self.width * self.height

    def xy(self, cell: int) -> tuple[int, int]:
        """(x, y) of a cell."""
        return cell % self.width, cell // self.width

    def cell(self, x: int, y: int) -> int:
        """The cell at (x, y)."""
        return y * self.width + x

    def neighbour(self, cell: int, d: int) -> int:
        """The cell next to ``cell`` in direction ``d``, or -1 off the grid."""
        x, y = cell % self.width + DX[d], cell // self.width + DY[d]
        if 0 <= x < self.width and 0 <= y < self.height:
            return y * self.width + x
        return -1

    def manhattan(self, a: int, b: int) -> int:
        """Manhattan distance in metres between two cells."""
        w = self.width
        return abs(a % w - b % w) + abs(a // w - b // w)

    def manhattan_from(self, cells: Sequence[int] | np.ndarray, b: int) -> np.ndarray:
        """Manhattan distances in metres from each of ``cells`` to cell ``b`` (int64)."""
        c, w = np.asarray(cells, dtype=np.int64), self.width
        return np.abs(c % w - b % w) + np.abs(c // w - b // w)

    def direction(self, a: int, b: int) -> int:
        """Direction of the move from ``a`` to the adjacent cell ``b``."""
        diff = b - a
        if diff == 1:
            return E
        if diff == -1:
            return W
        return N if diff > 0 else S

    # ------------------------------------------------------------ graph

    def _build_graph(self) -> None:
        """Aisle-to-aisle moves allowed by the directions, and aisle access of other cells."""
        n = self.size
        kinds, dirs = self.kinds, self.dirs
        out: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        inc: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        access: list[tuple[int, ...]] = [() for _ in range(n)]
        for c in range(n):
            k = kinds[c]
            if k == AISLE:
                for d in range(4):
                    if dirs[c] >> d & 1:
                        nb = self.neighbour(c, d)
                        if nb >= 0 and kinds[nb] == AISLE:
                            out[c].append((nb, d))
                            inc[nb].append((c, d))
            elif k != WALL:
                access[c] = tuple(nb for d in range(4)
                                  if (nb := self.neighbour(c, d)) >= 0 and kinds[nb] == AISLE)
        self.out_moves = [tuple(m) for m in out]
        self.in_moves = [tuple(m) for m in inc]
        self.access = access

    def aisle_matrix(self, reverse: bool = False) -> csr_matrix:
        """The aisle graph as a sparse matrix (reversed edges if ``reverse``), cached."""
        cache = self.__dict__.setdefault("_matrices", {})
        if reverse not in cache:
            cache[reverse] = self._aisle_matrix(reverse)
        return cache[reverse]

    def _aisle_matrix(self, reverse: bool) -> csr_matrix:
        rows, cols = [], []
        for c, moves in enumerate(self.out_moves):
            for nb, _ in moves:
                rows.append(nb if reverse else c)
                cols.append(c if reverse else nb)
        data = np.ones(len(rows))
        return csr_matrix((data, (rows, cols)), shape=(self.size, self.size))

    def is_aisle(self, cell: int) -> bool:
        """True for cells robots drive through."""
        return self.kinds[cell] == AISLE


# --------------------------------------------------------------------------- generation


def generate(spec: GeneratedLayout, rng: Generator | None = None,
             where: Loc = ()) -> Layout:
    """A layout from the generator parameters (see :class:`GeneratedLayout`).

    The storage area is a grid of blocks between one-cell aisles, ringed by an aisle.
    Each station is a bay sticking out of the ring: a straight lane of ``lane`` cells
    entered from the ring, the pick cell at its far end, and next to the lane a one-way
    exit row back to the ring (downstream of the lane), so a robot leaving the picker
    waits for a gap in the ring traffic in its exit row, not at the pick cell.
    """
    bx, by = spec.block
    nbx, nby = spec.blocks
    sides: list[str] = list(spec.station_sides)
    lane = spec.lane
    charger_side = next((sd for sd in ("north", "south", "east", "west") if sd not in sides),
                        None) if spec.chargers else None
    gx, gy = nbx * (bx + 1) + 1, nby * (by + 1) + 1

    def depth(side: str) -> int:
        return lane if side in sides else 1 if side == charger_side else 0


    ox, oy = depth("west"), depth("south")
    width, height = ox + gx + depth("east"), oy + gy + depth("north")
    kinds = bytearray([WALL]) * (width * height)
    dirs = bytearray(width * height)

    def at(x: int, y: int) -> int:
        return y * width + x

    for ly in range(gy):
        for lx in range(gx):
            c = at(ox + lx, oy + ly)
            row_aisle = ly % (by + 1) == 0
            col_aisle = lx % (bx + 1) == 0
            if not (row_aisle or col_aisle):
                kinds[c] = SPOT
                continue
            kinds[c] = AISLE
            if not spec.one_way:
                dirs[c] = ALL_DIRS
                continue
            d = 0
            if row_aisle:
                k = ly // (by + 1)
                d |= 1 << (E if k == 0 else W if k == nby else E if k % 2 == 0 else W)
            if col_aisle:
                k = lx // (bx + 1)
                d |= 1 << (S if k == 0 else N if k == nbx else N if k % 2 == 1 else S)
            dirs[c] = d
    spots = [c for c in range(width * height) if kinds[c] == SPOT]

    # a side's frame: (along, out) -> cell; out 0 is the ring, 1.. outwards; `down` is
    # the direction of the ring's traffic along the side (counter-clockwise)
    frames = {
        "west": (gy, lambda a, o: at(ox - o, oy + a), -1, E),
        "east": (gy, lambda a, o: at(ox + gx - 1 + o, oy + a), +1, W),
        "south": (gx, lambda a, o: at(ox + a, oy - o), +1, N),
        "north": (gx, lambda a, o: at(ox + a, oy + gy - 1 + o), -1, S),
    }
    per_side = dict.fromkeys(sides, 0)
    for k in range(spec.stations):
        per_side[sides[k % len(sides)]] += 1
    stations: list[StationCells] = []
    for side in sides:
        count = per_side[side]
        if count == 0:
            continue
        length, cell_at, down, inward = frames[side]
        need = 3 * count - 1  # lane, exit row, gap
        if need > length:
            raise ScenarioError(
                f"{count} stations need {need} m along the {side} side (3 m each), which is "
                f"{length} m long: use more blocks or more station sides",
                (*where, "stations"))
        # prefer the ends of aisles whose traffic flows into this side: a robot drives
        # straight along its aisle, across the ring and into the lane
        step = (by + 1) if side in ("west", "east") else (bx + 1)
        feeders = [a for a in range(0, length, step)
                   if 0 <= a + down < length and dirs[cell_at(a, 0)] >> (inward ^ 2) & 1]
        if count <= len(feeders):
            lanes = [feeders[int((i + 0.5) * len(feeders) / count)] for i in range(count)]
        else:
            segment = length / count
            lanes = []
            for i in range(count):
                a = int(i * segment + (segment - 2) / 2)
                lanes.append(a + 1 if down < 0 else a)
        for a_lane in lanes:
            a_exit = a_lane + down
            lane_cells = [cell_at(a_lane, o) for o in range(lane, 0, -1)]  # pick first
            kinds[lane_cells[0]] = PICK
            for c in lane_cells[1:]:
                kinds[c] = QUEUE
            for o in range(1, lane + 1):
                c = cell_at(a_exit, o)
                kinds[c] = AISLE
                dirs[c] = ALL_DIRS if not spec.one_way else 1 << inward
            stations.append(StationCells(len(stations), tuple(lane_cells),
                                         (cell_at(a_lane, 0),), (cell_at(a_exit, lane),)))
    # chargers: along a side without stations, else in the gaps between the bays
    places: list[int] = []
    for side in ([charger_side] if charger_side else sides):
        length, cell_at, _, _ = frames[side]
        places.extend(cell_at(a, 1) for a in range(length)
                      if kinds[cell_at(a, 1)] == WALL and kinds[cell_at(a, 0)] == AISLE
                      and all(kinds[cell_at(b, 1)] == WALL for b in (a - 1, a + 1)
                              if 0 <= b < length))
    if spec.chargers > len(places):
        raise ScenarioError(f"{spec.chargers} chargers do not fit (room for {len(places)} "
                            "along the ring)", (*where, "chargers"))
    chargers = [places[int((i + 0.5) * len(places) / spec.chargers)]
                for i in range(spec.chargers)]
    for c in chargers:
        kinds[c] = CHARGER
    layout = Layout(width, height, kinds, dirs, spots, None, stations, chargers,
                    fill=spec.fill)
    validate(layout, where)
    return layout


# --------------------------------------------------------------------------- text maps


def read_map(spec: MapLayout, where: Loc = ()) -> Layout:
    """The layout of a map given inline or in a file (read as UTF-8), validated; errors
    name ``where`` + ``text`` or ``file``."""
    if spec.text is not None:
        return parse_map(spec.text, (*where, "text"))
    assert spec.file is not None  # the spec allows exactly one of the two
    return parse_map(read_text_file(spec.file, (*where, "file")), (*where, "file"))


def parse_map(text: str, where: Loc = ()) -> Layout:
    """A layout from a text map (see :class:`MapLayout` for the characters)."""
    lines = [ln.rstrip("\n\r") for ln in text.splitlines()]
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise ScenarioError("the map is empty", where)
    height = len(lines)
    width = max(len(ln) for ln in lines)
    kinds = bytearray([WALL]) * (width * height)
    dirs = bytearray(width * height)
    with_pod: dict[int, bool] = {}
    for row, line in enumerate(lines):
        y = height - 1 - row
        for x, ch in enumerate(line):
            if ch not in MAP_CHARS:
                raise ScenarioError(f"unknown character {ch!r} at line {row + 1}, column "
                                    f"{x + 1} (allowed: {''.join(sorted(MAP_CHARS))!r})",
                                    where)
            c = y * width + x
            kinds[c], dirs[c] = MAP_CHARS[ch]
            if ch in "po":
                with_pod[c] = ch == "p"
    spots = sorted(with_pod)
    pods_at_start = [with_pod[c] for c in spots]
    chargers = [c for c in range(width * height) if kinds[c] == CHARGER]
    stations = _map_stations(kinds, width, height, where)
    layout = Layout(width, height, kinds, dirs, spots, pods_at_start, stations, chargers)
    validate(layout, where)
    return layout


def _map_stations(kinds: bytearray, width: int, height: int, where: Loc) -> list[StationCells]:
    """Each ``P`` with its lane: the straight line of ``q`` cells leading away from it."""

    def nb(c: int, d: int) -> int:
        x, y = c % width + DX[d], c // width + DY[d]
        return y * width + x if 0 <= x < width and 0 <= y < height else -1

    def name(c: int) -> str:
        return f"({c % width}, {c // width})"

    picks = sorted((c for c in range(width * height) if kinds[c] == PICK),
                   key=lambda c: (-(c // width), c % width))  # reading order
    used: set[int] = set()
    stations = []
    for i, p in enumerate(picks):
        qdirs = [d for d in range(4) if (q := nb(p, d)) >= 0 and kinds[q] == QUEUE]
        if len(qdirs) > 1:
            raise ScenarioError(f"station at {name(p)} has queue cells on more than one side",
                                where)
        lane = [p]
        if qdirs:
            c = nb(p, qdirs[0])
            while c >= 0 and kinds[c] == QUEUE:
                lane.append(c)
                c = nb(c, qdirs[0])
        used.update(lane[1:])
        entry = tuple(a for d in range(4) if (a := nb(lane[-1], d)) >= 0 and kinds[a] == AISLE)
        exit_ = tuple(a for d in range(4) if (a := nb(p, d)) >= 0 and kinds[a] == AISLE)
        if not exit_:
            raise ScenarioError(f"station at {name(p)} has no aisle next to its pick cell",
                                where)
        if not entry:
            raise ScenarioError(f"station at {name(p)}: the end of its lane at "
                                f"{name(lane[-1])} has no aisle next to it", where)
        stations.append(StationCells(i, tuple(lane), entry, exit_))
    for c in range(width * height):
        if kinds[c] == QUEUE and c not in used:
            raise ScenarioError(f"queue cell at {name(c)} is not in a straight line from a "
                                "station's pick cell 'P'", where)
    return stations


# --------------------------------------------------------------------------- validation


def validate(layout: Layout, where: Loc = ()) -> None:
    """Raise a :class:`ScenarioError` naming the first cell the simulation cannot use."""

    def name(c: int) -> str:
        x, y = layout.xy(c)
        return f"({x}, {y})"

    if not layout.stations:
        raise ScenarioError("the layout has no picking station", where)
    if not layout.spots:
        raise ScenarioError("the layout has no storage spot", where)
    aisles = [c for c in range(layout.size) if layout.kinds[c] == AISLE]
    if not aisles:
        raise ScenarioError("the layout has no aisle", where)
    for c in layout.spots:
        if not layout.access[c]:
            raise ScenarioError(f"storage spot at {name(c)} has no aisle next to it", where)
    for c in layout.chargers:
        if not layout.access[c]:
            raise ScenarioError(f"charger at {name(c)} has no aisle next to it", where)
    # strongly connected aisles: every aisle cell reaches every other (a station's lane
    # links its entry to its exit: robots drive through it)
    graph = layout.aisle_matrix().tolil()
    for st in layout.stations:
        for a in st.entry:
            for b in st.exit:
                graph[a, b] = 1
    _, labels = connected_components(graph.tocsr(), directed=True, connection="strong")
    aisle_labels = labels[aisles]
    main = int(np.bincount(aisle_labels).argmax())
    for c, lab in zip(aisles, aisle_labels.tolist(), strict=True):
        if lab != main:
            out = "leave" if not layout.out_moves[c] else "reach or leave"
            raise ScenarioError(
                f"aisle cell at {name(c)} cannot {out} the rest of the aisles "
                "(check one-way directions and walls)", where)


def render(layout: Layout, pods: list[bool] | None = None) -> str:
    """The layout as a text map (the format :func:`parse_map` reads).

    One-way aisle cells show their direction when they have exactly one; crossings of
    one-way aisles (two directions) show as ``+`` and are read back as two-way ``.``.
    ``pods`` (one flag per spot) marks spots holding a pod as ``p`` (default: all).
    """
    arrows = {1 << E: ">", 1 << N: "^", 1 << W: "<", 1 << S: "v", ALL_DIRS: "."}
    has_pod = dict(zip(layout.spots, pods if pods is not None else [True] * len(layout.spots),
                       strict=True))
    rows = []
    for y in range(layout.height - 1, -1, -1):
        row = []
        for x in range(layout.width):
            c = y * layout.width + x
            k = layout.kinds[c]
            if k == AISLE:
                row.append(arrows.get(layout.dirs[c], "+"))
            elif k == SPOT:
                row.append("p" if has_pod[c] else "o")
            else:
                row.append({WALL: "#", PICK: "P", QUEUE: "q", CHARGER: "C"}[k])
        rows.append("".join(row))
    return "\n".join(rows) + "\n"
