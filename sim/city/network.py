"""The city's road network and travel between places on it.

A :class:`RoadNetwork` is a networkx graph whose nodes have ``x``/``y`` coordinates in
metres and whose edges have a ``length`` in metres and optionally a ``maxspeed`` in
km/h. It is built either as a grid of two-way streets or from a GraphML file.

A :class:`Place` is a point in the city snapped to its nearest network node; travel
between two places is the straight access leg to the node, the fastest path on the
network for the vehicle's speed, and the access leg from the last node. Shortest paths
are computed one source at a time with scipy's Dijkstra on a CSR matrix and cached per
(speed, source), since couriers leave from a handful of nodes again and again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from sim.scenario.errors import Loc, ScenarioError

GRAPHML_FIELD: Loc = ("city", "network", "file")
MPH = 1.609344  # km/h per mile per hour


@dataclass(frozen=True, slots=True)
class Place:
    """A point in the city (metres) and the network node it joins the roads at."""

    x: float
    y: float
    node: int
    access: float  # straight-line metres between the point and its node

    def euclid(self, other: Place) -> float:
        """Straight-line distance in metres."""
        return math.hypot(self.x - other.x, self.y - other.y)


class RoadNetwork:
    """Road graph with snapping, fastest paths per speed, and a per-source cache."""

    def __init__(self, graph: nx.Graph, cache_sources: int = 4096) -> None:
        if graph.number_of_nodes() == 0:
            raise ScenarioError("the road network has no nodes", ("city", "network"))
        self.graph = nx.convert_node_labels_to_integers(graph, ordering="sorted")
        n = self.graph.number_of_nodes()
        self.xy = np.array([[d["x"], d["y"]] for _, d in sorted(self.graph.nodes(data=True))],
                           dtype=float)
        rows, cols, lengths, limits = [], [], [], []
        for u, v, d in self.graph.edges(data=True):
            length = float(d["length"])
            limit = float(d.get("maxspeed", math.inf)) / 3.6
            for a, b in ((u, v), (v, u)) if not self.graph.is_directed() else ((u, v),):
                rows.append(a)
                cols.append(b)
                lengths.append(length)
                limits.append(limit)
        self._rows = np.asarray(rows, dtype=np.int64)
        self._cols = np.asarray(cols, dtype=np.int64)
        self._length = np.asarray(lengths, dtype=float)
        self._limit = np.asarray(limits, dtype=float)
        # Dijkstra needs finite, non-negative times: a negative one (a negative speed limit)
        # makes a negative cycle that scipy's search follows until memory runs out
        if not (np.isfinite(self.xy).all() and np.isfinite(self._length).all()
                and (self._length >= 0).all() and (self._limit > 0).all()):
            raise ScenarioError("the road network needs finite node coordinates, finite "
                                "non-negative edge lengths and positive speed limits",
                                ("city", "network"))
        self._n = n
        self._csr: dict[float, csr_matrix] = {}
        self._tree = cKDTree(self.xy)
        self._cache: dict[tuple[float, int], tuple[np.ndarray, np.ndarray]] = {}
        self._cache_size = cache_sources
        self.has_speed_limits = bool(np.isfinite(self._limit).any())
        self._edge_length: dict[tuple[int, int], float] | None = None
        # without speed limits an undirected network's fastest paths are the same both
        # ways, so a search from either end answers a query
        self._symmetric = not self.graph.is_directed() and not self.has_speed_limits

    # ---------------------------------------------------------------- construction

    @classmethod
    def grid(cls, width: float, height: float, block: float) -> RoadNetwork:
        """Streets every ``block`` metres across a ``width`` x ``height`` rectangle."""
        nx_, ny_ = math.floor(width / block) + 1, math.floor(height / block) + 1
        g = nx.Graph()
        for i in range(nx_):
            for j in range(ny_):
                g.add_node(i * ny_ + j, x=i * block, y=j * block)
        for i in range(nx_):
            for j in range(ny_):
                k = i * ny_ + j
                if i + 1 < nx_:
                    g.add_edge(k, k + ny_, length=block)
                if j + 1 < ny_:
                    g.add_edge(k, k + 1, length=block)
        return cls(g)

    @classmethod
    def from_graphml(cls, path: str | Path, where: Loc = GRAPHML_FIELD) -> RoadNetwork:
        """Load a GraphML network (see :func:`read_road_graph` for what is checked)."""
        return cls(read_road_graph(path, where))

    def check_city(self, width: float, height: float, source: str,
                   where: Loc = GRAPHML_FIELD) -> None:
        """Refuse a network that cannot be in the city's frame of metres: coordinates that
        look like longitude/latitude, or a network entirely outside ``[0, width] x [0,
        height]`` (``source`` names the file in the message)."""
        (x0, y0), (x1, y1) = self.xy.min(axis=0), self.xy.max(axis=0)
        extent = max(x1 - x0, y1 - y0)
        span = f"x {x0:.6g}..{x1:.6g}, y {y0:.6g}..{y1:.6g}"
        longest = float(self._length.max()) if self._length.size else 0.0
        degrees = bool(x0 >= -180 and x1 <= 180 and y0 >= -90 and y1 <= 90)
        tiny = extent > 0 and (extent < max(width, height) / 1000 or 100 * extent < longest)
        if degrees and tiny:
            raise ScenarioError(
                f"{source}: node coordinates look like longitude/latitude ({span}, edges up "
                f"to {longest:.0f} m long): project the network to metres in the city's "
                "frame first (e.g. osmnx.project_graph, then shift the origin)", where)
        if x1 < 0 or y1 < 0 or x0 > width or y0 > height:
            raise ScenarioError(
                f"{source}: the network ({span} m) lies outside the city (x 0..{width:.6g}, "
                f"y 0..{height:.6g} m): node coordinates must be metres in the city's frame",
                where)

    # ---------------------------------------------------------------- places

    def place(self, x: float, y: float) -> Place:
        """Snap a point to its nearest node."""
        dist, node = self._tree.query((x, y))
        return Place(float(x), float(y), int(node), float(dist))

    def places(self, xy: np.ndarray) -> list[Place]:
        """Snap many points at once."""
        dist, nodes = self._tree.query(xy)
        return [Place(float(px), float(py), int(n), float(d))
                for (px, py), n, d in zip(xy, nodes, dist, strict=True)]

    # ---------------------------------------------------------------- paths

    def _matrix(self, speed: float) -> csr_matrix:
        m = self._csr.get(speed)
        if m is None:
            times = self._length / np.minimum(speed, self._limit)
            m = csr_matrix((times, (self._rows, self._cols)), shape=(self._n, self._n))
            self._csr[speed] = m
        return m

    def from_node(self, source: int, speed: float) -> tuple[np.ndarray, np.ndarray]:
        """Seconds and metres along the fastest paths from ``source`` to every node."""
        key = (speed, source)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        if not self.has_speed_limits:
            other = self._cache.get((0.0, source)) if speed != 0.0 else None
            if other is None:
                metres = dijkstra(self._matrix(1.0), indices=source)
                self._remember((0.0, source), (metres, metres))
            else:
                metres = other[1]
            result = (metres / speed, metres)
        else:
            seconds, pred = dijkstra(self._matrix(speed), indices=source,
                                     return_predecessors=True)
            result = (seconds, self._lengths_along(source, seconds, pred))
        self._remember(key, result)
        return result

    def _remember(self, key: tuple[float, int], value: tuple[np.ndarray, np.ndarray]) -> None:
        self._cache[key] = value
        if len(self._cache) > self._cache_size:  # forget the oldest search
            del self._cache[next(iter(self._cache))]

    def _lengths_along(self, source: int, seconds: np.ndarray, pred: np.ndarray) -> np.ndarray:
        """Metres along the predecessor tree of a fastest-path search."""
        if self._edge_length is None:
            self._edge_length = {}
            for a, b, m in zip(self._rows.tolist(), self._cols.tolist(), self._length.tolist(),
                               strict=True):
                old = self._edge_length.get((a, b))
                self._edge_length[(a, b)] = m if old is None else min(old, m)
        length = self._edge_length
        metres = np.full(self._n, np.inf)
        metres[source] = 0.0
        for v in np.argsort(seconds, kind="stable").tolist():
            p = int(pred[v])
            if p >= 0:
                metres[v] = metres[p] + length[(p, v)]
        return metres

    def travel(self, a: Place, b: Place, speed: float) -> tuple[float, float]:
        """(seconds, metres) from ``a`` to ``b`` at ``speed`` m/s on the roads."""
        if a.node == b.node:
            metres = a.euclid(b)
            return metres / speed, metres
        source, target = a.node, b.node
        if self._symmetric and (speed, source) not in self._cache \
                and (speed, target) in self._cache:
            source, target = target, source  # e.g. the ride back home: reuse home's search
        times, lengths = self.from_node(source, speed)
        s, m = float(times[target]), float(lengths[target])
        if not math.isfinite(s):
            raise ScenarioError(f"no road from node {a.node} to node {b.node}",
                                ("city", "network"))
        access = a.access + b.access
        return s + access / speed, m + access

    def matrices(self, places: list[Place], speed: float) -> tuple[np.ndarray, np.ndarray]:
        """(seconds, metres) between every two places at ``speed``, as :meth:`travel`
        computes them (one cached fastest-path search per distinct source node)."""
        n = len(places)
        node_list = [p.node for p in places]
        nodes = np.asarray(node_list, dtype=np.int64)
        access = np.asarray([p.access for p in places], dtype=float)
        secs, metres = np.empty((n, n)), np.empty((n, n))
        sharing: dict[int, list[int]] = {}
        for j, node in enumerate(node_list):
            sharing.setdefault(node, []).append(j)
        for i, a in enumerate(places):
            times, lengths = self.from_node(a.node, speed)
            legs = a.access + access
            secs[i] = times[nodes] + legs / speed
            metres[i] = lengths[nodes] + legs
            for j in sharing[a.node]:  # same road node: the straight line, as travel()
                m = a.euclid(places[j])
                secs[i, j], metres[i, j] = m / speed, m
        if not np.isfinite(secs).all():
            raise ScenarioError("some places cannot reach each other by road",
                                ("city", "network"))
        return secs, metres

    def path(self, a: int, b: int) -> list[int]:
        """The nodes of a shortest path (by length) from node ``a`` to node ``b``."""
        _, pred = dijkstra(self._matrix(1.0), indices=a, return_predecessors=True)
        out = [b]
        while out[-1] != a:
            p = int(pred[out[-1]])
            if p < 0:
                return []
            out.append(p)
        return out[::-1]

    def connected(self) -> bool:
        """True when every node can reach every other."""
        if self.graph.is_directed():
            return bool(nx.is_strongly_connected(self.graph))
        return bool(nx.is_connected(self.graph))


# ------------------------------------------------------------------------ reading GraphML


def _show(value: object, limit: int = 40) -> str:
    """A short ``repr`` of a value from a file, for a message (never the whole of it)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _finite(value: object) -> float | None:
    """``value`` as a finite float, or None (missing, not a number, NaN or infinite)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        x = float(value)
    except (ValueError, OverflowError):  # OverflowError: an integer beyond any float
        return None
    return x if math.isfinite(x) else None


def parse_maxspeed(value: object) -> float | None:
    """A speed limit in km/h from a GraphML ``maxspeed``: a number, a number with
    ``mph`` or ``km/h``, or a list of them as osmnx writes one (``"['30', '50']"``: the
    lowest, the limit that holds on all of the road); None when it is none of these."""
    if isinstance(value, str) and value.strip().startswith("["):
        parts = [p.strip().strip("'\"") for p in value.strip()[1:].rstrip("]").split(",")]
        speeds = [parse_maxspeed(p) for p in parts if p]
        if not speeds or any(v is None for v in speeds):
            return None
        return min(v for v in speeds if v is not None)
    factor = 1.0
    if isinstance(value, str):
        text = value.strip().lower()
        for unit, f in (("mph", MPH), ("km/h", 1.0), ("kmh", 1.0), ("kph", 1.0)):
            if text.endswith(unit):
                text, factor = text[: -len(unit)].strip(), f
                break
        value = text
    x = _finite(value)
    return None if x is None else x * factor


def read_road_graph(path: str | Path, where: Loc = GRAPHML_FIELD) -> nx.Graph:
    """A road graph from GraphML, every node and edge checked: finite ``x``/``y``
    (metres), a finite non-negative ``length`` (metres) and, when given, a positive
    ``maxspeed`` (km/h; see :func:`parse_maxspeed`). The first bad node or edge is a
    :class:`ScenarioError` at ``where`` naming the file and the node or edge."""
    try:
        g = nx.read_graphml(path)
    except Exception as exc:  # networkx and the XML parser raise several types
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise ScenarioError(f"cannot read GraphML {path}: {reason}", where) from None
    for node, d in g.nodes(data=True):
        for axis in ("x", "y"):
            value = _finite(d.get(axis))
            if value is None:
                got = "missing" if axis not in d else f"{_show(d[axis])} is not a finite number"
                raise ScenarioError(f"{path}: node {_show(node)}: '{axis}' {got} (metres); "
                                    "every node needs numeric 'x' and 'y'", where)
            d[axis] = value
    for u, v, d in g.edges(data=True):
        edge = f"edge {_show(u)}-{_show(v)}"
        length = _finite(d.get("length"))
        if length is None or length < 0:
            got = "missing" if "length" not in d else f"{_show(d['length'])}"
            raise ScenarioError(f"{path}: {edge}: 'length' {got}: every edge needs a "
                                "finite, non-negative numeric 'length' (metres)", where)
        d["length"] = length
        if "maxspeed" in d:
            limit = parse_maxspeed(d["maxspeed"])
            if limit is None or limit <= 0:
                raise ScenarioError(f"{path}: {edge}: 'maxspeed' {_show(d['maxspeed'])} is "
                                    "not a positive speed in km/h (a number, 'N mph', or a "
                                    "list of them)", where)
            d["maxspeed"] = limit
    if isinstance(g, nx.MultiGraph | nx.MultiDiGraph):
        g = nx.DiGraph(g) if g.is_directed() else nx.Graph(g)
    return g
