"""How vehicles move: travel between places and travel matrices for the planners.

A :class:`Mover` is the travel model of one vehicle type. Road vehicles follow the
road network at their speed (:class:`RoadMover`); drones fly the straight line between
two points at their own speed (:class:`FlightMover`). The fleet uses ``travel`` to
schedule trips; dispatch planners use ``matrices`` to build routing problems, with the
same numbers, so a plan's times are the times the trip then takes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from sim.city.network import Place, RoadNetwork
from sim.scenario.fleet import VehicleSpec

Matrix = npt.NDArray[np.float64]
"""A square matrix between places (seconds or metres)."""


class Mover(Protocol):
    """Travel of one vehicle type."""

    def travel(self, a: Place, b: Place) -> tuple[float, float]:
        """(seconds, metres) from ``a`` to ``b``."""
        ...

    def matrices(self, places: Sequence[Place]) -> tuple[Matrix, Matrix]:
        """(seconds, metres) between every two of ``places``."""
        ...


class RoadMover:
    """Fastest paths on the road network at a fixed speed."""

    def __init__(self, network: RoadNetwork, speed: float) -> None:
        self.network, self.speed = network, speed

    def travel(self, a: Place, b: Place) -> tuple[float, float]:
        return self.network.travel(a, b, self.speed)

    def matrices(self, places: Sequence[Place]) -> tuple[Matrix, Matrix]:
        return self.network.matrices(list(places), self.speed)


class FlightMover:
    """Straight lines between the points themselves (not their road nodes)."""

    def __init__(self, speed: float) -> None:
        self.speed = speed

    def travel(self, a: Place, b: Place) -> tuple[float, float]:
        metres = math.hypot(a.x - b.x, a.y - b.y)
        return metres / self.speed, metres

    def matrices(self, places: Sequence[Place]) -> tuple[Matrix, Matrix]:
        n = len(places)
        metres = np.empty((n, n))
        for i, a in enumerate(places):
            for j, b in enumerate(places):
                metres[i, j] = math.hypot(a.x - b.x, a.y - b.y)
        return metres / self.speed, metres


def mover_for(vehicle: VehicleSpec, network: RoadNetwork) -> Mover:
    """The travel model of a vehicle type."""
    if vehicle.kind == "drone":
        return FlightMover(vehicle.speed)
    return RoadMover(network, vehicle.speed)
