"""The route map draws a sample of trips of the busiest hour over the network."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.city.network import RoadNetwork
from sim.core.records import FLEET_COLUMNS, ORDER_COLUMNS, TRIP_COLUMNS
from sim.report.route_map import plot_route_map, sample_trips, write_route_map


def tables() -> dict[str, pd.DataFrame]:
    """Five trips at 10:xx and one at 11:00 from a store at (500, 500); one drone trip."""
    trips = [(k, "s", "s-c000", "drone" if k == 4 else "bike", 36000.0 + 60 * k,
              36600.0 + 60 * k, 1, str(k), 800.0, 0.0, 0.0, "finished") for k in range(5)]
    trips.append((5, "s", "s-c001", "bike", 39600.0, 40000.0, 1, "5", 800.0, 0.0, 0.0, "finished"))
    orders = [(k, 0.0, 100.0 * k, 900.0, 1, 1, "delivered", "", "s") + (0.0,) * 7 + ("", k)
              for k in range(6)]
    fleets = [("s", "bike", "road", 2, 5.0, 3, 500.0, 500.0),
              ("s", "drone", "drone", 1, 15.0, 1, 500.0, 500.0)]
    return {"trips": pd.DataFrame(trips, columns=list(TRIP_COLUMNS)),
            "orders": pd.DataFrame(orders, columns=list(ORDER_COLUMNS)),
            "fleets": pd.DataFrame(fleets, columns=list(FLEET_COLUMNS))}


def test_sample_is_from_the_busiest_hour() -> None:
    """The sample spreads over the busiest hour's trips, at most ``sample`` of them."""
    shown, hour = sample_trips(tables()["trips"], 3)
    assert hour == 10 and shown["trip_id"].tolist() == [0, 2, 4]


def test_plot_and_write(tmp_path: Path) -> None:
    """One line per sampled trip (drones dashed), the store marked, the PNG written."""
    t = tables()
    network = RoadNetwork.grid(1000, 1000, 100)
    ax = plot_route_map(t["trips"], t["orders"], t["fleets"], network=network, sample=10)
    assert len(ax.lines) == 5
    assert [line.get_linestyle() for line in ax.lines].count("--") == 1
    # the one-stop drone flight is drawn one way: drawn out and back over itself, the
    # dashes of the way back filled the gaps and the line looked solid
    (drone,) = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(drone.get_xdata()) == 2
    assert "5 trips, 10:00-11:00" in ax.get_title()
    assert write_route_map(t, tmp_path, network) == tmp_path / "route_map.png"
    assert (tmp_path / "route_map.png").stat().st_size > 1000
    assert write_route_map({**t, "trips": t["trips"].iloc[:0]}, tmp_path) is None
