"""Scenario models of rosters (shifts) and of the calendar (day types and their days).

A roster says how many staff of a resource (a store's pickers, a fleet's couriers) are
on duty at each clock time. It is written in one of three ways:

- an integer: that many on duty all day, every day (the form every scenario used before
  rosters existed);
- a list of shifts ``{start, end, count}``: ``count`` staff from ``start`` to ``end``
  (clock times) every day. A shift whose ``end`` is before its ``start`` crosses
  midnight (``22:00`` to ``06:00``); ``end`` equal to
  ``start`` is refused (a zero-length shift, or a 24-hour one: write ``00:00`` to
  ``24:00``). Shifts that overlap add up (08:00-16:00 x 3 and 12:00-20:00 x 2 is 5 staff
  from 12:00 to 16:00);
- ``{hourly: [24 counts]}``: the count on duty in each clock hour.

The calendar gives every day of the run a *day type* (weekday, weekend, promotion, ...):
a default type, then by weekday name (needs ``run.date``), by day number and by date (a
more specific entry wins; a day named by both its number and its date must get the same
type). A day type scales online and walk-in demand, may carry its own hourly profiles
and may replace rosters for its days (``rosters``: one entry per node and resource; two
entries for the same resource that disagree are refused).

The pure expansion of a roster into on-duty counts over time is
:mod:`sim.calendar.roster`; the day arithmetic is :mod:`sim.calendar.clock`.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Discriminator, Field, Tag, model_validator

from sim.scenario.base import Name, NonNegFloat, NonNegInt, PosInt, Profile, Spec
from sim.scenario.errors import FieldError, ScenarioError, did_you_mean
from sim.scenario.units import TimeOfDay, clock_text, show, whole_number

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

DAY = 86400.0
"""Seconds in a day (the scenario floor's own copy of :data:`sim.calendar.clock.DAY`:
the calendar package sits above the scenario models and uses them)."""

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _date_of_day(first: _dt.date, day: int) -> _dt.date:
    return first + _dt.timedelta(days=day - 1)

# --------------------------------------------------------------------------- rosters


class ShiftSpec(Spec):
    """``count`` staff on duty from ``start`` to ``end`` (clock times), every day; an
    ``end`` before ``start`` crosses midnight."""

    start: TimeOfDay = Field(description="Clock time the shift starts.")
    end: TimeOfDay = Field(description="Clock time the shift ends; before `start`: the "
                           "next day (the shift crosses midnight); 24:00 is midnight.")
    count: NonNegInt = Field(description="Staff on this shift.")

    @model_validator(mode="after")
    def _has_length(self) -> ShiftSpec:
        if self.start >= DAY:
            raise FieldError("a shift starts before 24:00 (write 00:00)", "start")
        if self.end == self.start:
            raise FieldError(
                f"ends when it starts ({clock_text(self.start)}): a shift must have a "
                "length (an end before the start crosses midnight; all day is 00:00 to "
                "24:00)", "end")
        return self

    @property
    def length(self) -> float:
        """Seconds from start to end (crossing midnight when end < start)."""
        return self.end - self.start if self.end > self.start else self.end + DAY - self.start


class HourlyRosterSpec(Spec):
    """The number on duty in each clock hour, every day."""

    hourly: list[NonNegInt] = Field(min_length=24, max_length=24,
                                    description="24 counts, one per clock hour from 00:00.")


def _roster_form(value: Any) -> str:
    """Which form a roster is written in (so an error names the form's own field)."""
    if isinstance(value, list | tuple):
        return "shifts"
    if isinstance(value, dict | HourlyRosterSpec):
        return "hourly"
    return "count"


def _count_at_least(low: int) -> Any:
    """A before-validator that checks a roster written as a plain count (``>= low``, a
    finite whole number) so its error names the field itself, not the union's branch."""

    def check(value: Any) -> Any:
        if isinstance(value, str):  # not a count, shifts nor hourly counts
            try:
                value = int(value)
            except ValueError:
                raise ValueError(f"must be a whole number (got {show(value)})") from None
        if isinstance(value, bool | int | float):
            value = whole_number(value)
            if isinstance(value, float):
                if not value.is_integer():
                    raise ValueError(f"must be a whole number (got {show(value)})")
                value = int(value)
            if value < low:
                raise ValueError(f"must be >= {low} (got {value})")
        return value

    return check


Shifts = Annotated[list[ShiftSpec], Field(min_length=1)]
RosterSpec = Annotated[Annotated[NonNegInt, Tag("count")] | Annotated[Shifts, Tag("shifts")]
                       | Annotated[HourlyRosterSpec, Tag("hourly")],
                       Discriminator(_roster_form), BeforeValidator(_count_at_least(0))]
"""A roster: a count on duty all day, a list of shifts, or hourly counts."""
PickerRosterSpec = Annotated[Annotated[PosInt, Tag("count")] | Annotated[Shifts, Tag("shifts")]
                             | Annotated[HourlyRosterSpec, Tag("hourly")],
                             Discriminator(_roster_form), BeforeValidator(_count_at_least(1))]
"""A store's picker roster: at least one picker when written as a plain count (as
before rosters existed); shifts and hourly counts may leave windows without pickers."""


def roster_peak(roster: RosterSpec) -> int:
    """The most staff a roster ever has on duty at once (sizes the resource)."""
    if isinstance(roster, int):
        return roster
    if isinstance(roster, HourlyRosterSpec):
        return max(roster.hourly)
    return max(roster_counts(roster), default=0)


def roster_counts(shifts: Sequence[ShiftSpec]) -> list[int]:
    """On-duty counts of a daily repeating list of shifts between its change points
    over one day (shifts crossing midnight wrap into the morning)."""
    deltas: dict[float, int] = {}
    for s in shifts:
        end = s.start + s.length
        deltas[s.start] = deltas.get(s.start, 0) + s.count
        deltas[end] = deltas.get(end, 0) - s.count
    # repeated daily: each shift also runs from the day before, so fold into [0, DAY)
    points = sorted({t % DAY for t in deltas} | {0.0})
    out = []
    for p in points:
        n = 0
        for s in shifts:
            a = s.start
            b = a + s.length
            if a <= p < b or a <= p + DAY < b:
                n += s.count
        out.append(n)
    return out


def is_constant(roster: RosterSpec) -> bool:
    """True for a plain count (on duty all day at one size: no roster changes)."""
    return isinstance(roster, int)


# --------------------------------------------------------------------------- calendar


class RosterOverrideSpec(Spec):
    """A roster that replaces a node resource's own roster on the days of a day type."""

    node: Name = Field(description="Name of a store or warehouse.")
    resource: Literal["pickers", "couriers", "station_pickers"] = Field(
        description="pickers (a store's), couriers (a node's fleet) or station_pickers "
        "(a robot warehouse's).")
    vehicle: Name | None = Field(
        None, description="couriers: the vehicle of the fleet meant; none: the node's "
        "only (or first) fleet.")
    roster: RosterSpec = Field(description="The roster on these days: a count, shifts "
                               "or {hourly: [...]}.")


class DayTypeSpec(Spec):
    """A kind of day (weekday, weekend, promotion): how demand and staffing differ."""

    online: NonNegFloat = Field(1.0, description="Factor on the online orders of the day "
                                "(demand.online.orders_per_day x online).")
    walkins: NonNegFloat = Field(1.0, description="Factor on every store's walk-ins of "
                                 "the day.")
    profile: Profile | None = Field(
        None, description="The online hourly profile of these days (24 weights or flat); "
        "none: demand.online.profile.")
    walkin_profile: Profile | None = Field(
        None, description="The walk-in hourly profile of these days; none: "
        "demand.walkin.profile.")
    rosters: list[RosterOverrideSpec] = Field(
        default_factory=list, description="Rosters that replace a node's own on these "
        "days (shifts crossing midnight carry into the next day).")


WeekdayName = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                      "sunday"]


class CalendarSpec(Spec):
    """The type of every day of the run: a default, then by weekday, day number, date."""

    quiet_defaults: ClassVar[frozenset[str]] = frozenset()

    day_types: dict[Name, DayTypeSpec] = Field(
        min_length=1, description="Day types by name (e.g. weekday, weekend, promotion).")
    default: Name = Field(description="The type of days no other entry names.")
    weekdays: dict[WeekdayName, Name] = Field(
        default_factory=dict, description="Type by weekday name (needs run.date), e.g. "
        "{saturday: weekend, sunday: weekend}.")
    days: dict[PosInt, Name] = Field(
        default_factory=dict, description="Type by day number (1 is the run's first day).")
    dates: dict[_dt.date, Name] = Field(
        default_factory=dict, description="Type by ISO date (needs run.date), e.g. "
        "{2026-11-11: singles_day}; wins over weekdays and day numbers.")

    @model_validator(mode="after")
    def _known_types(self) -> CalendarSpec:
        known = list(self.day_types)

        def check(name: str, *where: str | int) -> None:
            if name not in self.day_types:
                raise FieldError(f"unknown day type '{name}'" + did_you_mean(name, known)
                                 + f"; day types: {', '.join(known)}", *where)

        check(self.default, "default")
        for wd, name in self.weekdays.items():
            check(name, "weekdays", wd)
        for d, name in self.days.items():
            check(name, "days", d)
        for date, name in self.dates.items():
            check(name, "dates", date.isoformat())
        return self

    def type_of(self, day: int, first: _dt.date | None) -> str:
        """The type name of day ``day`` (1-based); ``first`` is ``run.date``."""
        if first is not None:
            by_date = self.dates.get(_date_of_day(first, day))
            if by_date is not None:
                return by_date
        if day in self.days:
            return self.days[day]
        if first is not None and self.weekdays:
            name = self.weekdays.get(WEEKDAYS[_date_of_day(first, day).weekday()])  # type: ignore[call-overload]
            if name is not None:
                return name
        return self.default


def day_types(scenario: Scenario) -> tuple[str, ...]:
    """The day type of each day the run touches (index 0 is day 1, up to the day the
    run stops), or ``()`` when the scenario has no calendar."""
    cal = scenario.calendar
    if cal is None:
        return ()
    last = math.floor(max(scenario.run.stop - 1e-9, 0.0) / DAY) + 1
    return tuple(cal.type_of(d, scenario.run.date) for d in range(1, last + 1))


def check_calendar(scenario: Scenario) -> None:
    """Cross-field checks of ``scenario.calendar``: dates and weekdays need ``run.date``,
    days and dates lie inside the run, a day named twice gets one type, roster overrides
    name existing nodes and fleets and do not disagree."""
    cal = scenario.calendar
    if cal is None:
        return
    run = scenario.run
    first = run.date
    for key, entries in (("weekdays", cal.weekdays), ("dates", cal.dates)):
        if entries and first is None:
            raise ScenarioError("needs run.date (the date of day 1)", ("calendar", key))
    for d in cal.days:
        if d > run.days:
            raise ScenarioError(f"day {d} is outside the run (run.days is {run.days})",
                                ("calendar", "days", d))
    for date, name in cal.dates.items():
        assert first is not None
        d = (date - first).days + 1
        if not 1 <= d <= run.days:
            raise ScenarioError(f"{date.isoformat()} is outside the run ({first.isoformat()}"
                                f", {run.days} day{'s' if run.days > 1 else ''})",
                                ("calendar", "dates", date.isoformat()))
        if d in cal.days and cal.days[d] != name:
            raise ScenarioError(f"day {d} is {date.isoformat()}, typed '{name}' here but "
                                f"'{cal.days[d]}' in calendar.days",
                                ("calendar", "dates", date.isoformat()))
    for tname, dtype in cal.day_types.items():
        _check_overrides(scenario, tname, dtype.rosters)


def _check_overrides(scenario: Scenario, tname: str,
                     overrides: Sequence[RosterOverrideSpec]) -> None:
    nodes: dict[str, Any] = {s.name: s for s in scenario.stores}
    nodes.update({w.name: w for w in scenario.warehouses})
    seen: dict[tuple[str, str, str], RosterOverrideSpec] = {}
    for k, o in enumerate(overrides):
        where = ("calendar", "day_types", tname, "rosters", k)
        node = nodes.get(o.node)
        if node is None:
            raise ScenarioError(f"unknown node '{o.node}'" + did_you_mean(o.node, list(nodes)),
                                (*where, "node"))
        is_store = node in scenario.stores
        if o.resource == "pickers" and not is_store:
            raise ScenarioError(f"'{o.node}' is a warehouse: its pickers are "
                                "station_pickers", (*where, "resource"))
        if o.resource == "station_pickers" and is_store:
            raise ScenarioError(f"'{o.node}' is a store: its pickers are pickers",
                                (*where, "resource"))
        if o.resource != "couriers" and o.vehicle is not None:
            raise ScenarioError("only a courier roster names a vehicle", (*where, "vehicle"))
        vehicle = ""
        if o.resource == "couriers":
            fleets = node.fleets if is_store else (node.couriers,)
            names = [f.vehicle for f in fleets]
            vehicle = o.vehicle if o.vehicle is not None else names[0]
            if vehicle not in names:
                raise ScenarioError(f"'{o.node}' has no fleet of '{vehicle}'; its fleets: "
                                    f"{', '.join(names)}", (*where, "vehicle"))
        key = (o.node, o.resource, vehicle)
        before = seen.get(key)
        if before is not None and before.roster != o.roster:
            raise ScenarioError(f"overlapping rosters that disagree: a second roster for "
                                f"{o.resource} of '{o.node}'" + (f" ({vehicle})" if vehicle
                                                                 else ""), (*where, "roster"))
        seen[key] = o
