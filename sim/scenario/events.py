"""Calendar events of a scenario: surges, weather, closures, no-shows and outages.

A scenario may list ``events:``, each a mapping selected by ``kind``. Every event has a
time window and a target:

- the window is a ``day`` of the run (1-based, or an ISO date such as ``2026-11-11``
  when the run has a calendar date) with a ``start`` clock time and either an ``end``
  clock time (an ``end`` at or before ``start`` crosses midnight into the next day) or a
  ``duration``; with neither, the window is the whole day from ``start``. The window is
  the half-open interval ``[start, end)`` in simulation seconds (seconds since midnight
  of day 1), computed by :func:`event_window`, the one place that maps a day and a clock
  time to simulation time;
- the target is ``city`` (the whole city), the name of a store or warehouse, or a fleet
  (``store/vehicle``) or picker group (``store/pickers``), depending on the kind.

This module only describes events and checks them against the rest of the scenario
(:func:`check_events`); what they do while the run plays out is
:mod:`sim.calendar.events`. It sits on the scenario floor (it imports the base
models of :mod:`sim.scenario.base`; :mod:`sim.scenario.schema` imports it).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from sim.scenario.base import NonNegFloat, PosFloat, Probability, Spec
from sim.scenario.calendar import DAY
from sim.scenario.errors import FieldError, Loc, ScenarioError, did_you_mean
from sim.scenario.units import PosDuration, TimeOfDay, whole_number

if TYPE_CHECKING:
    from sim.scenario.schema import RunSpec, Scenario

CITY = "city"
PICKERS = "pickers"
STATION_PICKERS = "station_pickers"


def _day(value: object) -> object:
    """A day is a whole number (1-based) or an ISO date (kept as a date)."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and "-" in value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expected a day number (1, 2, ...) or an ISO date such as "
                             f"2026-11-11, got {value!r}") from None
    return whole_number(value)


Day = Annotated[int | dt.date, BeforeValidator(_day)]
Factor = NonNegFloat


class _Event(Spec):
    """Fields every event has: its time window and a free-text label."""

    day: Day = Field(1, description="Day of the run the window starts on: 1 is the first "
                     "day, or an ISO date (2026-11-11) when `run.date` is set.")
    start: TimeOfDay = Field(0.0, description="Clock time the window starts on that day.")
    end: TimeOfDay | None = Field(
        None, description="Clock time the window ends; at or before `start` it ends on the "
        "next day (a window across midnight). Give `end` or `duration`, not both; with "
        "neither the window lasts 24 hours.")
    duration: PosDuration | None = Field(None, description="Length of the window "
                                         "(instead of `end`).")
    label: str = Field("", description="Free text shown in events.csv and on plots.")

    @field_validator("day")
    @classmethod
    def _positive(cls, value: int | dt.date) -> int | dt.date:
        if isinstance(value, int) and value < 1:
            raise ValueError("must be >= 1 (day 1 is the first day of the run)")
        return value

    @model_validator(mode="after")
    def _one_length(self) -> _Event:
        if self.end is not None and self.duration is not None:
            raise FieldError("give `end` or `duration`, not both", "duration")
        return self

    def target_name(self) -> str:
        """The event's target as written (``city`` for city-wide kinds)."""
        return getattr(self, "target", CITY)


class SurgeEventSpec(_Event):
    """A demand surge: the online and walk-in rates multiplied for the window.

    It may give its own hourly shape (a sale that opens at midnight: the first hours
    many times the usual, then fading)."""

    kind: Literal["surge"]
    target: str = Field(CITY, description="`city`: online orders and every store's "
                        "walk-ins; a store name: that store's walk-ins only.")
    online: Factor = Field(1.0, description="Multiplier of the online order rate.")
    walkin: Factor = Field(1.0, description="Multiplier of the walk-in shopper rate.")
    profile: list[Factor] | None = Field(
        None, min_length=1, description="Online multiplier for each hour of the window "
        "from its start (replacing `online` in those hours; later hours use `online`).")


class WeatherEventSpec(_Event):
    """Weather over the city: slower roads, drones slowed or grounded, demand shifted.

    Rain, say, raises online orders and keeps walk-in shoppers at home."""

    kind: Literal["weather"]
    target: Literal["city"] = Field("city", description="Weather covers the whole city.")
    road_speed: PosFloat = Field(
        1.0, description="Speed factor of road vehicles: 0.5 doubles a ride that lies "
        "wholly inside the window; a ride across its boundary rides at the factor in "
        "force at each moment.")
    drones: Literal["fly", "grounded"] = Field(
        "fly", description="`grounded`: no drone takes off in the window (flights in the "
        "air finish).")
    drone_speed: PosFloat = Field(1.0, description="Speed factor of drones that fly.")
    online: Factor = Field(1.0, description="Multiplier of the online order rate.")
    walkin: Factor = Field(1.0, description="Multiplier of the walk-in shopper rate.")


class ClosureEventSpec(_Event):
    """A store or warehouse closed: it takes no new orders for the window.

    Orders it already accepted are finished there. New orders go to another node or
    are rejected with the reason ``node_closed``; a closed store has no walk-in
    shoppers."""

    kind: Literal["closure"]
    target: str = Field(description="Name of a store or warehouse.")


class NoShowEventSpec(_Event):
    """Staff who do not turn up: a share of a fleet's couriers or a store's pickers.

    Every shift of the target that starts in the window loses Binomial(staff, share)
    of its staff for the whole shift, drawn from the event's own random stream
    ``events/no_show/<target>/<event index>``."""

    kind: Literal["no_show"]
    target: str = Field(description="A fleet as `store/vehicle` (or `warehouse/vehicle`), "
                        "a store's pickers as `store/pickers`, or a warehouse's rostered "
                        "station pickers as `warehouse/station_pickers`.")
    share: Probability = Field(description="Chance that each rostered person of a shift "
                               "starting in the window stays away for the shift.")


class OutageEventSpec(_Event):
    """A warehouse outage: a share of its robots and/or stations out of service.

    Robots at work finish their visit first (then stand still, counted ``broken``);
    stations finish their open orders but take no new ones."""

    kind: Literal["outage"]
    target: str = Field(description="Name of a robot warehouse.")
    robots: Probability = Field(0.0, description="Share of the robots out of service "
                                "(rounded to whole robots).")
    stations: Probability = Field(0.0, description="Share of the stations out of service "
                                  "(rounded to whole stations).")


EventSpec = Annotated[
    SurgeEventSpec | WeatherEventSpec | ClosureEventSpec | NoShowEventSpec | OutageEventSpec,
    Field(discriminator="kind")]
"""One calendar event, selected by ``kind``."""

AnyEvent = (SurgeEventSpec | WeatherEventSpec | ClosureEventSpec | NoShowEventSpec
            | OutageEventSpec)


# --------------------------------------------------------------------------- time


def event_day(day: int | dt.date, run: RunSpec, where: Loc = ()) -> int:
    """The 1-based day index of ``day`` in the run (an ISO date needs ``run.date``)."""
    if isinstance(day, int):
        return day
    first = run.date
    if first is None:
        raise ScenarioError("an ISO date needs run.date (the date of the run's first day); "
                            "or give a day number", where)
    index = (day - first).days + 1
    if index < 1:
        raise ScenarioError(f"{day.isoformat()} is before the run's first day "
                            f"({first.isoformat()}): the event is outside the run", where)
    return index


def event_window(event: AnyEvent, run: RunSpec, where: Loc = ()) -> tuple[float, float]:
    """The event's window ``[start, end)`` in simulation seconds (since midnight of the
    run's first day, as :func:`sim.calendar.clock.sim_time` maps days and clock times;
    the scenario floor cannot import the calendar package, which sits above it)."""
    start = (event_day(event.day, run, (*where, "day")) - 1) * DAY + event.start
    if event.duration is not None:
        return start, start + event.duration
    if event.end is None:
        return start, start + DAY
    end = start - event.start + event.end
    return start, end if end > start else end + DAY


# --------------------------------------------------------------------------- checks


def check_events(scenario: Scenario) -> None:
    """Cross-field checks of ``scenario.events``: windows inside the run, known targets."""
    stores = [s.name for s in scenario.stores]
    warehouses = [w.name for w in scenario.warehouses]
    run = scenario.run
    for i, event in enumerate(scenario.events):
        where: Loc = ("events", i)
        start, end = event_window(event, run, where)
        if end <= run.start or start >= run.stop:
            raise ScenarioError(
                f"the window [{_clock(start)}, {_clock(end)}) is outside the run "
                f"[{_clock(run.start)}, {_clock(run.stop)})", (*where, "day"))
        if isinstance(event, SurgeEventSpec):
            if event.target != CITY:
                _node(event.target, stores, [], (*where, "target"), "a store or 'city'")
        elif isinstance(event, ClosureEventSpec):
            _node(event.target, stores, warehouses, (*where, "target"),
                  "a store or warehouse")
        elif isinstance(event, OutageEventSpec):
            _node(event.target, [], warehouses, (*where, "target"), "a robot warehouse")
        elif isinstance(event, NoShowEventSpec):
            _staff(scenario, event.target, (*where, "target"))


def _clock(t: float) -> str:
    """``t`` as ``day N hh:mm`` for messages."""
    day, rest = divmod(t, DAY)
    return f"day {int(day) + 1} {int(rest // 3600):02d}:{int(rest % 3600 // 60):02d}"


def _node(name: str, stores: list[str], warehouses: list[str], where: Loc,
          what: str) -> None:
    known = [*stores, *warehouses]
    if name not in known:
        raise ScenarioError(f"unknown target '{name}'" + did_you_mean(name, known)
                            + f"; expected {what}" + (f": {', '.join(known)}" if known else ""),
                            where)


def _staff(scenario: Scenario, target: str, where: Loc) -> None:
    """``target`` names a fleet (``node/vehicle``) or a picker group."""
    fleets = staff_targets(scenario)
    if target not in fleets:
        raise ScenarioError(f"unknown target '{target}'" + did_you_mean(target, fleets)
                            + f"; expected one of {', '.join(fleets)}", where)


def staff_targets(scenario: Scenario) -> list[str]:
    """Names a no-show may target: every ``node/vehicle`` fleet, ``store/pickers`` and
    ``warehouse/station_pickers`` (when they have a roster)."""
    out: list[str] = []
    for s in scenario.stores:
        out.extend(f"{s.name}/{f.vehicle}" for f in s.fleets)
        out.append(f"{s.name}/{PICKERS}")
    for w in scenario.warehouses:
        out.append(f"{w.name}/{w.couriers.vehicle}")
        if w.stations.pickers is not None:  # station pickers on a roster
            out.append(f"{w.name}/{STATION_PICKERS}")
    return out
