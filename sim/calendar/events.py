"""Calendar events at run time: time-varying factors and the processes that act on nodes.

The scenario's ``events:`` (:mod:`sim.scenario.events`) become two kinds of things:

- **Factors known up front.** Demand surges, the demand side of weather and the
  walk-ins of a closed store are piecewise-constant multipliers of an arrival rate
  (:class:`Piecewise`); road and drone speed factors are piecewise-constant multipliers
  of a vehicle's speed (:class:`SpeedFactors`). :class:`DemandFactors` is the one small
  interface the demand generators read: ``None`` when no event changes a rate, so the
  run without events draws exactly as before and pays nothing per order.
- **Absences in the rosters.** A no-show takes staff off the shifts it hits
  (:class:`NoShows`, through :meth:`sim.calendar.roster.Roster.with_absent`): the
  roster machinery then staffs the resource as with any roster.
- **Switches during the run.** A closure, grounded drones and an outage start and end
  at their window's edges (:class:`EventRuntime`): a closed node leaves the set of
  nodes new orders may go to, grounded drones leave their fleet's free couriers (one in
  the air finishes its flight first), out-of-service robots and stations of a warehouse
  take no new work.

Speed factors time a ride by its progress: a ride needs its nominal riding time of
"full-speed seconds", and in each moment it makes progress at the factor in force then.
A ride that lies wholly inside a window with factor ``f`` therefore takes exactly
``nominal / f`` (a rain factor of 0.5 doubles it, to the last bit), a ride wholly outside
takes exactly its nominal time, and one across a window edge takes the time in between
that its two parts add up to. The ride's route is chosen at full speed (the factor is
the same on every road), and a trip's whole schedule is fixed when it starts.

Every event is one row of the ``events`` table (``events.csv``), written when the run is
built, with the number of absent staff drawn for a no-show.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Protocol

import numpy as np
import simpy

from sim.calendar.clock import day_of, sim_time
from sim.calendar.roster import Roster
from sim.core.env import SimEnv
from sim.core.records import EVENT_COLUMNS
from sim.scenario.events import (
    CITY,
    AnyEvent,
    ClosureEventSpec,
    NoShowEventSpec,
    OutageEventSpec,
    SurgeEventSpec,
    WeatherEventSpec,
    event_window,
)
from sim.scenario.schema import Scenario

HOUR = 3600.0
Switch = Callable[[], None]
"""What an event does at one edge of its window."""
Window = tuple[float, float, float]
"""``(start, end, factor)``: a factor in force on ``[start, end)``."""


class Piecewise:
    """A factor of time that is constant between cut points and 1 outside them.

    Overlapping windows multiply. ``cuts`` are the sorted times where the factor may
    change; ``values[i]`` holds on ``[cuts[i], cuts[i + 1])``.
    """

    __slots__ = ("cuts", "values")

    def __init__(self, windows: Iterable[Window]) -> None:
        spans = [(a, b, f) for a, b, f in windows if b > a]
        self.cuts: list[float] = sorted({t for a, b, _ in spans for t in (a, b)})
        self.values: list[float] = []
        for lo, hi in zip(self.cuts, self.cuts[1:], strict=False):
            value = 1.0
            for a, b, f in spans:
                if a <= lo and hi <= b:
                    value *= f
            self.values.append(value)

    @staticmethod
    def of(windows: Sequence[Window]) -> Piecewise | None:
        """The factor of ``windows``, or None when none of them changes anything."""
        if all(f == 1.0 for _, _, f in windows):
            return None
        return Piecewise(windows)

    def at(self, t: float) -> float:
        """The factor in force at ``t``."""
        return self.piece(t)[0]

    def piece(self, t: float) -> tuple[float, float]:
        """(factor at ``t``, time the factor may next change: inf when it never does)."""
        i = bisect.bisect_right(self.cuts, t)
        if i == 0:
            return 1.0, self.cuts[0] if self.cuts else math.inf
        if i >= len(self.cuts):
            return 1.0, math.inf
        return self.values[i - 1], self.cuts[i]

    def ride(self, t0: float, nominal: float) -> float:
        """Time a ride starting at ``t0`` takes when it needs ``nominal`` seconds at full
        speed and this is its speed factor (see the module docstring)."""
        left, t, elapsed = nominal, t0, 0.0
        while True:
            f, end = self.piece(t)
            need = left / f
            if t + need <= end:
                return elapsed + need
            left -= (end - t) * f
            elapsed += end - t
            t = end


@dataclass(frozen=True)
class DemandFactors:
    """What the demand generators read: a rate factor per channel (None: unchanged)."""

    online: Piecewise | None
    walkins: dict[str, Piecewise]

    def walkin(self, store: str) -> Piecewise | None:
        """The walk-in rate factor of ``store`` (None: unchanged)."""
        return self.walkins.get(store)


@dataclass(frozen=True)
class SpeedFactors:
    """Speed factors of road vehicles and of drones (None: full speed all run)."""

    road: Piecewise | None
    drone: Piecewise | None

    def of(self, vehicle_kind: str) -> Piecewise | None:
        """The speed factor of a vehicle kind (``road`` or ``drone``)."""
        return self.drone if vehicle_kind == "drone" else self.road


def windows(scenario: Scenario) -> list[tuple[AnyEvent, float, float]]:
    """Every event of ``scenario`` with its window, clipped to the run, in file order."""
    run = scenario.run
    out = []
    for event in scenario.events:
        start, end = event_window(event, run)
        out.append((event, max(start, run.start), min(end, run.stop)))
    return out


def surge_windows(event: SurgeEventSpec, start: float, end: float) -> list[Window]:
    """The online factor windows of a surge: its hourly profile, then ``online``."""
    out: list[Window] = []
    t = start
    for f in event.profile or ():
        if t >= end:
            break
        out.append((t, min(t + HOUR, end), f))
        t += HOUR
    if t < end:
        out.append((t, end, event.online))
    return out


def demand_factors(scenario: Scenario) -> DemandFactors | None:
    """The demand factors of the scenario's events, or None when no event touches
    demand (the generators then draw exactly as they would without events)."""
    online: list[Window] = []
    city_walkin: list[Window] = []
    store_walkin: dict[str, list[Window]] = {s.name: [] for s in scenario.stores}
    for event, start, end in windows(scenario):
        if isinstance(event, SurgeEventSpec):
            if event.target == CITY:
                online.extend(surge_windows(event, start, end))
                city_walkin.append((start, end, event.walkin))
            else:
                store_walkin[event.target].append((start, end, event.walkin))
        elif isinstance(event, WeatherEventSpec):
            online.append((start, end, event.online))
            city_walkin.append((start, end, event.walkin))
        elif isinstance(event, ClosureEventSpec) and event.target in store_walkin:
            store_walkin[event.target].append((start, end, 0.0))
    walkins = {}
    for name, own in store_walkin.items():
        factor = Piecewise.of(city_walkin + own)
        if factor is not None:
            walkins[name] = factor
    on = Piecewise.of(online)
    if on is None and not walkins:
        return None
    return DemandFactors(on, walkins)


def hourly_windows(factors: Sequence[float] | None, start: float,
                   stop: float) -> list[Window]:
    """One window per clock hour from ``start`` to ``stop`` with that hour's factor (the
    city's congestion: the same 24 factors every day); none for None."""
    if factors is None:
        return []
    out: list[Window] = []
    t = math.floor(start / HOUR) * HOUR
    while t < stop:
        out.append((t, t + HOUR, float(factors[int(t // HOUR) % 24])))
        t += HOUR
    return out


def speed_factors(scenario: Scenario) -> SpeedFactors | None:
    """The speed factors of the city's hourly congestion times those of the weather
    events (overlaps multiply), or None when nothing slows down."""
    run, travel = scenario.run, scenario.city.travel
    road = hourly_windows(travel.road_speed, run.start, run.stop)
    drone = hourly_windows(travel.drone_speed, run.start, run.stop)
    for event, start, end in windows(scenario):
        if isinstance(event, WeatherEventSpec):
            road.append((start, end, event.road_speed))
            drone.append((start, end, event.drone_speed))
    r, d = Piecewise.of(road), Piecewise.of(drone)
    return None if r is None and d is None else SpeedFactors(r, d)


# --------------------------------------------------------------------------- switches


class StaffedFleet(Protocol):
    """A node's couriers as the events see them (:class:`sim.fleet.couriers.Fleet`)."""

    node: str

    def staff(self, vehicle: str) -> int:
        """Couriers of the fleet with vehicle ``vehicle``."""
        ...

    def drone_vehicles(self) -> list[str]:
        """Vehicle names of the node's drone fleets."""
        ...

    def withdraw(self, vehicle: str, n: int) -> None:
        """Take ``n`` more couriers of ``vehicle`` out of service (busy ones after their
        trip)."""
        ...

    def restore(self, vehicle: str, n: int) -> None:
        """Bring ``n`` couriers of ``vehicle`` taken out back into service."""
        ...


class OutageTarget(Protocol):
    """A robot warehouse as an outage sees it (:class:`sim.warehouse.warehouse.RobotWarehouse`)."""

    name: str

    def out_of_service(self, robots: int, stations: int) -> None:
        """Take ``robots`` more robots and ``stations`` more stations out of service
        (negative numbers bring them back)."""
        ...

    def sizes(self) -> tuple[int, int]:
        """(robots, stations) of the warehouse."""
        ...


class EventRuntime:
    """The scenario's events wired to the run's nodes: the switches at window edges and
    the ``events`` table."""

    def __init__(self, env: SimEnv, scenario: Scenario, closed: set[str],
                 fleets: Sequence[StaffedFleet], warehouses: Sequence[OutageTarget],
                 no_shows: NoShows) -> None:
        self.env, self.closed, self.no_shows = env, closed, no_shows
        self._closures: dict[str, int] = {}
        self.fleets = {f.node: f for f in fleets}
        self.warehouses = {w.name: w for w in warehouses}
        self.switches: list[tuple[float, float, Switch, Switch]] = []
        table = env.recorder.table("events", EVENT_COLUMNS)
        for i, (event, start, end) in enumerate(windows(scenario)):
            drawn = self._wire(i, event, start, end)
            table.append((i, event.kind, event.target_name(), start, end, parameters(event),
                          drawn, event.label))

    def start(self) -> None:
        """Start one process per switch (each turns on at its start, off at its end)."""
        for start, end, on, off in self.switches:
            self.env.process(self._window(start, end, on, off))

    def _window(self, start: float, end: float, on: Switch, off: Switch
                ) -> Generator[simpy.Event, None, None]:
        env = self.env
        if start > env.now:
            yield env.timeout(start - env.now)
        on()
        yield env.timeout(end - env.now)
        off()

    def _wire(self, i: int, event: AnyEvent, start: float, end: float) -> float:
        """Add the switches of ``event``; the number drawn for a no-show (else NaN)."""
        if isinstance(event, ClosureEventSpec):
            self.switches.append((start, end, partial(self._close, event.target, +1),
                                  partial(self._close, event.target, -1)))
        elif isinstance(event, WeatherEventSpec) and event.drones == "grounded":
            for fleet in self.fleets.values():
                for vehicle in fleet.drone_vehicles():
                    self._staff_switch(start, end, fleet, vehicle, fleet.staff(vehicle))
        elif isinstance(event, OutageEventSpec):
            wh = self.warehouses[event.target]
            robots, stations = wh.sizes()
            k_r, k_s = round(event.robots * robots), round(event.stations * stations)
            if k_r or k_s:
                self.switches.append((start, end, partial(wh.out_of_service, k_r, k_s),
                                      partial(wh.out_of_service, -k_r, -k_s)))
        elif isinstance(event, NoShowEventSpec):
            return float(self.no_shows.drawn[i])
        return math.nan

    def _close(self, node: str, on: int) -> None:
        """Count a closure of ``node`` on (+1) or off (-1); overlapping closures nest."""
        n = self._closures.get(node, 0) + on
        self._closures[node] = n
        if n > 0:
            self.closed.add(node)
        else:
            self.closed.discard(node)

    def _staff_switch(self, start: float, end: float, fleet: StaffedFleet, vehicle: str,
                      n: int) -> None:
        if n > 0:
            self.switches.append((start, end, partial(fleet.withdraw, vehicle, n),
                                  partial(fleet.restore, vehicle, n)))


class NoShows:
    """The no-show events' absences, drawn per shift as the rosters are built.

    A no-show hits every shift of its target that starts inside its (unclipped) window:
    of a shift's ``count`` staff, Binomial(count, share) stay away for the whole shift.
    A roster written as a plain count is one shift a day from 00:00, so a no-show of a
    whole day (the default window) hits it. Each event draws from its own stream,
    ``events/no_show/<target>/<event index>``, shift by shift in time order, so adding
    an event or a stream elsewhere never changes its draws.
    """

    def __init__(self, env: SimEnv, scenario: Scenario) -> None:
        self.env = env
        run = scenario.run
        self.events = [(i, e, *event_window(e, run)) for i, e in enumerate(scenario.events)
                       if isinstance(e, NoShowEventSpec)]
        self.drawn: dict[int, int] = {i: 0 for i, *_ in self.events}

    def absent(self, node: str, resource: str, vehicle: str | None, roster: Roster
               ) -> Roster:
        """``roster`` (of ``resource`` at ``node``; ``vehicle``: which fleet) with the
        staff its no-shows keep away (a :data:`~sim.calendar.roster.RosterAdjuster`)."""
        target = f"{node}/{vehicle if resource == 'couriers' else resource}"
        for i, event, start, end in self.events:
            if event.target != target:
                continue
            rng = self.env.streams(f"events/no_show/{target}/{i}")
            for day in range(max(1, day_of(start) - 1), day_of(end) + 1):
                for k, shift in enumerate(roster.shifts(day)):
                    if start <= sim_time(day, shift.start) < end and shift.count > 0:
                        n = no_show_draw(rng, shift.count, event.share)
                        if n:
                            roster = roster.with_absent(day, k, n)
                            self.drawn[i] += n
        return roster


def no_show_draw(rng: np.random.Generator, staff: int, share: float) -> int:
    """How many of ``staff`` rostered people stay away when each does with chance
    ``share``: Binomial(staff, share), one draw per shift from the no-show's own stream."""
    return int(rng.binomial(staff, share)) if staff > 0 and share > 0 else 0


def parameters(event: AnyEvent) -> str:
    """An event's kind-specific fields as ``name=value`` pairs for ``events.csv``."""
    skip = {"kind", "target", "day", "start", "end", "duration", "label"}
    parts = []
    for name, value in event.model_dump(mode="json").items():
        if name in skip or value is None:
            continue
        shown = "/".join(f"{v:g}" for v in value) if isinstance(value, list) else (
            f"{value:g}" if isinstance(value, float) else str(value))
        parts.append(f"{name}={shown}")
    return ";".join(parts)
