"""Static shortest paths on the warehouse floor (ignoring other robots).

A path is a list of cells from a start to a goal through aisle cells only (the start
and goal may be storage spots, chargers or station cells). Paths are shortest in cells
and, among those, have the fewest turns, since a robot stops to turn.

Most trips end or start at a station, so each station has two distance fields computed
once with scipy (a breadth-first search in C): the distance from every aisle cell to
its lane's tail, and from its pick cell to every aisle cell. A path to or from a station
is then read off its field by descent, in time proportional to its length. Other trips
(to fetch a pod, to a charger) use A* over (cell, heading) states.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from sim.warehouse.layout import AISLE, Layout, turns

FAR = 1 << 30
TURN_COST = 1  # tie-break unit: one cell costs STEP
STEP = 1 << 12


def distance_field(layout: Layout, seeds: list[int], reverse: bool) -> array:
    """Moves from the seed cells (distance 1) over the aisle graph (to them, if
    ``reverse``), as an int array indexed by cell; unreachable cells get :data:`FAR`."""
    if not seeds:
        return array("i", [FAR]) * layout.size
    mat = layout.aisle_matrix(reverse=reverse)
    dist = dijkstra(mat, directed=True, indices=seeds, min_only=True, unweighted=True)
    dist = np.where(np.isfinite(dist), dist + 1, FAR).astype(np.int32)
    return array("i", dist.tobytes())


class Paths:
    """Shortest paths and distances on one layout."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        stations = layout.stations
        self.to_tail = [distance_field(layout, list(s.entry), reverse=True) for s in stations]
        self.from_pick = [distance_field(layout, list(s.exit), reverse=False) for s in stations]
        self._last: tuple[int, int, int, list[int]] = (-1, -1, -1, [])
        self._last_station: tuple[tuple[int, int, int], list[int]] = ((-1, -1, -1), [])
        try:
            self.router: JunctionRouter | None = JunctionRouter(layout)
        except ValueError:
            self.router = None  # an open floor: A* instead

    # ------------------------------------------------------------ distances

    def spot_to_station(self, station: int, spot_cell: int) -> int:
        """Moves from a storage spot (or charger) into the station's lane tail."""
        f = self.to_tail[station]
        return 1 + min(f[a] for a in self.layout.access[spot_cell])

    def station_to_spot(self, station: int, spot_cell: int) -> int:
        """Moves from the station's pick cell to a storage spot (or charger)."""
        f = self.from_pick[station]
        return 1 + min(f[a] for a in self.layout.access[spot_cell])

    # ------------------------------------------------------------ station paths

    def to_station(self, start: int, station: int, heading: int) -> list[int]:
        """Path from a non-aisle cell ``start`` to the lane tail of ``station`` (a new list;
        the last answer is kept, as a robot waiting to enter a lane asks again)."""
        key = (start, station, heading)
        if self._last_station[0] == key:
            return list(self._last_station[1])
        path = self._to_station(start, station, heading)
        self._last_station = (key, path)
        return list(path)

    def _to_station(self, start: int, station: int, heading: int) -> list[int]:
        lay = self.layout
        f = self.to_tail[station]
        acc = lay.access[start]
        best = min(f[a] for a in acc)
        cur = min((a for a in acc if f[a] == best),
                  key=lambda a: (turns(heading, lay.direction(start, a)), a))
        path = [start, cur]
        d = lay.direction(start, cur)
        _descend(f, cur, d, lay.out_moves, path, f"to station {station}")
        path.append(lay.stations[station].tail)
        return path

    def from_station(self, station: int, goal: int) -> list[int]:
        """Path from the pick cell of ``station`` to a non-aisle cell ``goal``."""
        lay = self.layout
        f = self.from_pick[station]
        acc = lay.access[goal]
        best = min(f[a] for a in acc)
        cur = min(a for a in acc if f[a] == best)
        rev = [goal, cur]
        d = lay.direction(cur, goal)
        _descend(f, cur, d, lay.in_moves, rev, f"from station {station}")
        rev.append(lay.stations[station].pick)
        rev.reverse()
        return rev

    # ------------------------------------------------------------ general paths

    def astar(self, start: int, goal: int, heading: int) -> list[int]:
        """Shortest path (fewest cells, then fewest turns) between two non-aisle cells.

        The last answer is kept: a robot's trip is often asked for twice in a row (for
        its length, then to drive it). The list must not be changed by the caller.
        """
        last = self._last
        if last[0] == start and last[1] == goal and last[2] == heading:
            return last[3]
        path = self._route(start, goal, heading) if self.router is not None \
            else self._astar(start, goal, heading)
        self._last = (start, goal, heading, path)
        return path

    def _route(self, start: int, goal: int, heading: int) -> list[int]:
        """Shortest path through the junction router (best pair of access cells)."""
        router, lay = self.router, self.layout
        assert router is not None
        best: tuple[int, int, int, int] | None = None
        for a in lay.access[start]:
            da = lay.direction(start, a)
            for b in lay.access[goal]:
                key = (router.distance(a, b), turns(heading, da), a, b)
                if best is None or key < best:
                    best = key
        assert best is not None
        a, b = best[2], best[3]
        return [start, *router.path(a, b, lay.direction(start, a)), goal]

    def _astar(self, start: int, goal: int, heading: int) -> list[int]:
        """A* over (cell, heading) states with the Manhattan heuristic."""
        lay = self.layout
        w = lay.width
        gx, gy = goal % w, goal // w
        goal_access = set(lay.access[goal])
        out = lay.out_moves
        direction = lay.direction
        # states are cell * 4 + heading; costs are cells * STEP + turns
        best: dict[int, int] = {}
        parent: dict[int, int] = {}
        heap: list[tuple[int, int, int]] = []
        for a in lay.access[start]:
            d = direction(start, a)
            g = 2 * STEP + turns(heading, d)  # into the aisle, and into the goal at the end
            s = a * 4 + d
            if g < best.get(s, FAR):
                best[s] = g
                parent[s] = -1
                h = (abs(a % w - gx) + abs(a // w - gy) - 1) * STEP
                heapq.heappush(heap, (g + h, -g, s))
        found = -1
        while heap:
            _, neg_g, s = heapq.heappop(heap)
            g = -neg_g
            if g > best.get(s, FAR):
                continue
            c, d = divmod(s, 4)
            if c in goal_access:
                found = s
                break
            for nb, nd in out[c]:
                ng = g + STEP + (TURN_COST * turns(d, nd) if nd != d else 0)
                ns = nb * 4 + nd
                if ng < best.get(ns, FAR):
                    best[ns] = ng
                    parent[ns] = s
                    h = (abs(nb % w - gx) + abs(nb // w - gy) - 1) * STEP
                    heapq.heappush(heap, (ng + h, -ng, ns))
        if found < 0:
            raise RuntimeError(f"no path from cell {start} to cell {goal}")
        cells = [goal]
        s = found
        while s >= 0:
            cells.append(s // 4)
            s = parent[s]
        cells.append(start)
        cells.reverse()
        return cells


class JunctionRouter:
    """Exact shortest paths between aisle cells via a compressed graph of junctions.

    A corridor cell lies on a straight line of aisle with exactly two aisle neighbours,
    traffic passing straight through; every other aisle cell is a junction. Corridors
    become edges between junctions; all-pairs junction distances are computed once with
    scipy, and a path is read off them junction by junction (keeping straight on when
    several ways are shortest, since a robot stops to turn). On a storage grid the
    junctions are the aisle crossings: a few thousand at most.
    """

    MAX_JUNCTIONS = 3000  # above this (open floors), the all-pairs table is too large

    def __init__(self, layout: Layout) -> None:
        self.layout = lay = layout
        n = lay.size
        w = lay.width
        step = (1, w, -1, -w)
        corridor = bytearray(n)
        for c in range(n):
            if lay.kinds[c] != AISLE:
                continue
            nbs = {nb for nb, _ in lay.out_moves[c]} | {p for p, _ in lay.in_moves[c]}
            if len(nbs) != 2:
                continue
            a, b = sorted(nbs)
            if b - c != c - a:
                continue  # not a straight line
            straight = all((c + (c - p), d) in lay.out_moves[c] for p, d in lay.in_moves[c]) \
                and all((c - (nb - c), d) in lay.in_moves[c] for nb, d in lay.out_moves[c])
            corridor[c] = 1 if straight else 0
        junctions = [c for c in range(n) if lay.kinds[c] == AISLE and not corridor[c]]
        self.count = len(junctions)
        if self.count > self.MAX_JUNCTIONS:
            raise ValueError(f"{self.count} junctions")
        index = {c: i for i, c in enumerate(junctions)}
        self.junctions = junctions
        self.index = index
        # edges: (from junction, to junction, direction, corridor cells between)
        self.edges: list[tuple[int, int, int, list[int]]] = []
        self.out_edges: list[list[int]] = [[] for _ in junctions]
        # per aisle cell: (junction, moves, edge) ahead of it / behind it on its corridor
        self.seg_out: list[list[tuple[int, int, int]]] = [[] for _ in range(n)]
        self.seg_in: list[list[tuple[int, int, int]]] = [[] for _ in range(n)]
        self.pos: dict[tuple[int, int], int] = {}  # (edge, cell) -> index along the edge
        for j in junctions:
            self.seg_out[j].append((index[j], 0, -1))
            self.seg_in[j].append((index[j], 0, -1))
        for j in junctions:
            for nb, d in lay.out_moves[j]:
                cells = []
                cur = nb
                while corridor[cur]:
                    cells.append(cur)
                    cur += step[d]
                e = len(self.edges)
                self.edges.append((index[j], index[cur], d, cells))
                self.out_edges[index[j]].append(e)
                k = len(cells)
                for i, c in enumerate(cells):
                    self.seg_out[c].append((index[cur], k - i, e))
                    self.seg_in[c].append((index[j], i + 1, e))
                    self.pos[(e, c)] = i
        m = len(junctions)
        rows, cols, lens = [], [], []
        for a, b, _, cells in self.edges:
            rows.append(a)
            cols.append(b)
            lens.append(len(cells) + 1)
        mat = csr_matrix((np.asarray(lens, dtype=float), (rows, cols)), shape=(m, m))
        dist = dijkstra(mat, directed=True)
        dist = np.where(np.isfinite(dist), dist, FAR).astype(np.int32)
        self.dist = [array("i", row.tobytes()) for row in dist]

    def distance(self, a: int, b: int) -> int:
        """Moves from aisle cell ``a`` to aisle cell ``b``."""
        return self._best(a, b)[0]

    def _best(self, a: int, b: int) -> tuple[int, int, int, int, int]:
        """The shortest way from aisle cell ``a`` to aisle cell ``b``:
        ``(distance, edge a leaves by, junction K reached, junction J left, edge into b)``
        (-1 for "a/b is itself a junction"); straight along one edge it is
        ``(distance, -2, edge, -1, -1)``."""
        if a == b:
            return (0, -2, -1, -1, -1)
        best = (FAR, -1, -1, -1, -1)
        pos, dist = self.pos, self.dist
        seg_in_b = self.seg_in[b]
        for k, dk, ek in self.seg_out[a]:
            if ek >= 0:
                pb = pos.get((ek, b), -1)
                if pb > pos[(ek, a)]:
                    d = pb - pos[(ek, a)]
                    if d < best[0]:
                        best = (d, -2, ek, -1, -1)
            row = dist[k]
            for j, dj, ej in seg_in_b:
                d = dk + row[j] + dj
                if d < best[0]:
                    best = (d, ek, k, j, ej)
        return best

    def path(self, a: int, b: int, heading: int) -> list[int]:
        """Cells from aisle cell ``a`` to aisle cell ``b`` (both included); ``heading`` is
        the robot's heading at ``a`` (a junction path keeps straight on where it can)."""
        d, ek, k, j, ej = self._best(a, b)
        if d >= FAR:
            raise RuntimeError(f"no path from cell {a} to cell {b}")
        pos, edges, junctions = self.pos, self.edges, self.junctions
        if ek == -2:  # along one corridor edge (k is the edge)
            if a == b:
                return [a]
            cells = edges[k][3]
            return [a, *cells[pos[(k, a)] + 1:pos[(k, b)] + 1]]
        out = [a]
        if ek >= 0:
            cells = edges[ek][3]
            out.extend(cells[pos[(ek, a)] + 1:])
            out.append(junctions[k])
            heading = edges[ek][2]
        cur = k
        dist = self.dist
        while cur != j:
            want = dist[cur][j]
            choice = -1
            for e in self.out_edges[cur]:
                _, dst, ed, cells = edges[e]
                if len(cells) + 1 + dist[dst][j] == want and (choice < 0 or ed == heading):
                    choice = e
                    if ed == heading:
                        break
            if choice < 0:
                raise RuntimeError(f"no way on from junction {junctions[cur]}")
            _, dst, ed, cells = edges[choice]
            out.extend(cells)
            out.append(junctions[dst])
            cur, heading = dst, ed
        if ej >= 0:
            cells = edges[ej][3]
            out.extend(cells[:pos[(ej, b)] + 1])
        return out


def _descend(field: Sequence[int], cur: int, heading: int,
             moves: Sequence[Sequence[tuple[int, int]]], out: list[int], what: str) -> None:
    """Follow a BFS distance ``field`` downhill from ``cur`` to its source, appending cells.

    ``moves[c]`` lists ``(neighbour, direction)``: the out-moves when walking towards the
    field's source, the in-moves when walking a reversed field back from it. Among
    neighbours one step nearer, the one keeping the current direction wins, so paths turn
    as little as the field allows (turns cost time).
    """
    d = heading
    while field[cur] > 1:
        want = field[cur] - 1
        nxt = -1
        nd_best = d
        for nb, nd in moves[cur]:
            if field[nb] == want and (nxt < 0 or nd == d):
                nxt, nd_best = nb, nd
                if nd == d:
                    break
        if nxt < 0:
            raise RuntimeError(f"no descent from cell {cur} ({what})")
        cur, d = nxt, nd_best
        out.append(cur)
