"""Picking stations and the pod visits they receive.

A station has one picker, a queue lane of ``lane_cap`` cells (the pick cell included),
``order_slots`` open orders and at most ``max_robots`` robots assigned at once (on the
way, waiting for room in the lane, in the lane). Lines of its open orders wait for pods; a pod visit
commits a robot and a pod to the station, claims the units the pod can fill, and at the
pick cell the picker takes those plus any newer waiting lines the pod can also fill
(pile-on). The station's time goes to ``picking``, ``waiting_for_pod`` (it has open
lines but no pod at the pick cell) or ``idle``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sim.warehouse.layout import StationCells
from sim.warehouse.orders import Line

NAN = math.nan

STATION_STATES = ("picking", "waiting_for_pod", "idle")
PICKING, WAITING_FOR_POD, STATION_IDLE = range(3)


@dataclass(slots=True, eq=False)
class Visit:
    """A robot bringing a pod to a station, with a timestamp per stage."""

    id: int
    robot: Any
    pod: Any
    station: int
    claims: list[tuple[Line, int]]
    dispatched: float
    at_pod: float = NAN
    at_station: float = NAN
    pick_start: float = NAN
    pick_end: float = NAN
    returned: float = NAN
    units: int = 0
    lines: int = 0
    empty_m: float = 0.0
    loaded_m: float = 0.0
    free_s: float = 0.0
    wait_s: float = 0.0
    legs: int = 0


@dataclass(slots=True, eq=False)
class Station:
    """One picking station."""

    index: int
    cells: StationCells
    order_slots: int
    max_robots: int
    lane_cap: int = 0
    open_orders: int = 0
    staffed: bool = True
    """A picker is rostered here: the station takes new orders (see ``pickers``)."""
    open_units: int = 0  # units of open orders not yet picked
    waiting: list[Line] = field(default_factory=list)  # lines with unclaimed units
    incoming: list[Visit] = field(default_factory=list)  # visits not yet gone from the pick cell
    state: int = STATION_IDLE
    since: float = 0.0
    out: bool = False  # out of service (an outage event): finishes its orders, takes no new

    @property
    def taking_orders(self) -> bool:
        """True when the station takes new orders: a picker is rostered and no outage
        has it out of service."""
        return self.staffed and not self.out

    def __post_init__(self) -> None:
        self.lane_cap = len(self.cells.lane)
