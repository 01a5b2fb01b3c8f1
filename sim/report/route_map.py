"""A map of a sample of courier trips over the road network, with the stores.

The sample is taken from the busiest clock hour of the run (the hour in which most trips
started): every k-th of its trips, up to ``sample``. Road trips follow the shortest road
path between stops (drawn from the network), drone trips the straight line (dashed; a
single-stop flight is drawn one way, since its way back is the same line).
Like every figure here it takes an optional Axes and returns the Axes it drew on.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection

from sim.city.network import RoadNetwork
from sim.report.figures import new_axes, save

ROUTE_MAP = "route_map.png"


def sample_trips(trips: pd.DataFrame, sample: int) -> tuple[pd.DataFrame, int | None]:
    """Up to ``sample`` trips spread over the busiest hour, and that hour."""
    if trips.empty:
        return trips, None
    hour = np.floor(trips["start"].to_numpy(dtype=float) / 3600).astype(int)
    hours, counts = np.unique(hour, return_counts=True)
    busiest = int(hours[int(np.argmax(counts))])  # the earliest of the busiest
    in_hour = trips[hour == busiest].sort_values(["start", "trip_id"], kind="stable")
    step = max(1, int(np.ceil(len(in_hour) / sample)))
    return in_hour.iloc[::step].head(sample), busiest


def _road_line(network: RoadNetwork, points: list[tuple[float, float]]
               ) -> list[tuple[float, float]]:
    """The polyline along the roads through ``points`` (with the access legs)."""
    line = [points[0]]
    for (ax, ay), (bx, by) in itertools.pairwise(points):
        a, b = network.place(ax, ay), network.place(bx, by)
        nodes = network.path(a.node, b.node) if a.node != b.node else [a.node]
        line.extend((float(network.xy[n, 0]), float(network.xy[n, 1])) for n in nodes)
        line.append((bx, by))
    return line


def plot_route_map(trips: pd.DataFrame, orders: pd.DataFrame, fleets: pd.DataFrame,
                   ax: Axes | None = None, network: RoadNetwork | None = None,
                   sample: int = 30) -> Axes:
    """Draw a sample of trips (see module doc) over the network with the stores."""
    ax = ax or new_axes(7.0, 7.0)
    if network is not None:
        g = network.graph
        segs = [((g.nodes[u]["x"], g.nodes[u]["y"]), (g.nodes[v]["x"], g.nodes[v]["y"]))
                for u, v in g.edges()]
        ax.add_collection(LineCollection(segs, colors="0.88", linewidths=0.5, zorder=0))
    shown, hour = sample_trips(trips, sample)
    where = dict(zip(orders["order_id"].tolist(),
                     zip(orders["x"].tolist(), orders["y"].tolist(), strict=True),
                     strict=True)) if not orders.empty else {}
    homes = {str(n): (float(x), float(y)) for n, x, y in
             zip(fleets["node"].tolist(), fleets["x"].tolist(), fleets["y"].tolist(),
                 strict=True)}
    flies = {str(v) for v, k in zip(fleets["vehicle"].tolist(), fleets["kind"].tolist(),
                                    strict=True) if k == "drone"}
    colours = [f"C{i % 10}" for i in range(len(shown))]
    for colour, trip in zip(colours, shown.itertuples(), strict=True):
        home = homes.get(str(trip.node))
        stops = [where[int(s)] for s in str(trip.stops).split(";") if int(s) in where]
        if home is None or not stops:
            continue
        drone = str(trip.vehicle) in flies
        if drone:  # out and back on one straight line: drawn twice, the dashes of the
            # way back would fill the gaps of the way out and the line look solid
            line = [home, *stops] + ([home] if len(stops) > 1 else [])
        else:
            points = [home, *stops, home]
            line = points if network is None else _road_line(network, points)
        xs, ys = zip(*line, strict=True)
        ax.plot(xs, ys, color=colour, lw=1.2, alpha=0.8,
                ls=(0, (4, 3)) if drone else "-")
        sx, sy = zip(*stops, strict=True)
        ax.scatter(sx, sy, s=14, color=colour, zorder=3)
    for name, (x, y) in sorted(homes.items()):
        ax.scatter([x], [y], marker="s", s=70, color="black", zorder=4)
        ax.annotate(name, (x, y), textcoords="offset points", xytext=(5, 5), fontsize=8)
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    when = f", {hour:02d}:00-{hour + 1:02d}:00" if hour is not None else ""
    note = " (dashed: drones)" if flies and set(shown["vehicle"].astype(str)) & flies else ""
    ax.set_title(f"Sample of {len(shown)} trips{when}{note}")
    return ax


def write_route_map(records: Mapping[str, pd.DataFrame], folder: Path,
                    network: RoadNetwork | None = None) -> Path | None:
    """Write ``route_map.png`` when the run has trips; return its path."""
    trips, orders, fleets = (records.get(k) for k in ("trips", "orders", "fleets"))
    if trips is None or trips.empty or orders is None or fleets is None:
        return None
    path = folder / ROUTE_MAP
    save(plot_route_map(trips, orders, fleets, network=network), path)
    return path
