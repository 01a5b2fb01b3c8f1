"""The files a scenario points to, read and checked once, for ``validate`` and ``run``.

A scenario names files by path (a GraphML road network, warehouse maps); the schema only
checks that they exist. :func:`load_referenced` reads each of them and checks what it
holds, so ``validate`` refuses a bad file with the same one-line error (exit 2) that
``run`` would give, and the model is built from what was loaded instead of reading the
files again. A raster or address list of customers must hold finite, non-negative
weights (and addresses inside the city). A GraphML network must be readable, have
finite coordinates and lengths and positive speed limits, lie in the city's frame of
metres and be connected; a map file must be UTF-8 and a valid layout. Scenarios without
files cost nothing here (a grid city and generated layouts are built by the model).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sim.scenario.errors import ScenarioError
from sim.scenario.schema import GraphmlNetworkSpec, OsmNetworkSpec, Scenario
from sim.scenario.warehouse import MapLayout

if TYPE_CHECKING:
    import numpy as np

    from sim.city.network import RoadNetwork
    from sim.warehouse.layout import Layout


@dataclass(frozen=True, slots=True)
class Referenced:
    """What a scenario's files hold: the road network read from a GraphML file or an
    OpenStreetMap extract (None for a grid city), what reading it found (a line for
    people, or None), and the layout of each warehouse drawn as a map (by index)."""

    network: RoadNetwork | None = None
    layouts: Mapping[int, Layout] = field(default_factory=dict)
    network_note: str | None = None
    density: np.ndarray | None = None  # the customers' raster or address list


def load_referenced(scenario: Scenario) -> Referenced:
    """Read and check every file (and inline map) ``scenario`` points to; the first
    problem is a :class:`ScenarioError` naming the field, the file and what is wrong."""
    layouts: dict[int, Layout] = {}
    for i, wh in enumerate(scenario.warehouses):
        if isinstance(wh.layout, MapLayout):
            from sim.warehouse.layout import read_map

            layouts[i] = read_map(wh.layout, ("warehouses", i, "layout"))
    network, note = read_network(scenario)
    density = None
    spec = scenario.demand.online.customers.density
    if spec is not None:
        from sim.demand.geography import read_density

        density = read_density(spec, scenario.city.width, scenario.city.height)
    return Referenced(network, layouts, note, density)


def load_network(scenario: Scenario) -> RoadNetwork | None:
    """The scenario's road network from its file, read and checked (None for a grid)."""
    return read_network(scenario)[0]


def read_network(scenario: Scenario) -> tuple[RoadNetwork | None, str | None]:
    """The scenario's road network from its file (None for a grid city), read and
    checked, with a line saying what an OpenStreetMap extract gave (else None)."""
    net = scenario.city.network
    if isinstance(net, OsmNetworkSpec):
        from sim.city.network import RoadNetwork
        from sim.city.osm import OSM_FIELD, read_osm

        graph, summary = read_osm(net.source, net.roads, net.origin)
        network = RoadNetwork(graph)
        network.check_city(scenario.city.width, scenario.city.height, net.source, OSM_FIELD)
        return network, f"{net.source}: {summary.describe()}"
    if not isinstance(net, GraphmlNetworkSpec):
        return None, None
    from sim.city.network import GRAPHML_FIELD, RoadNetwork

    network = RoadNetwork.from_graphml(net.file)
    network.check_city(scenario.city.width, scenario.city.height, net.file)
    if not network.connected():
        raise ScenarioError(f"{net.file}: the road network is not connected (some nodes "
                            "cannot reach others)", GRAPHML_FIELD)
    return network, None
