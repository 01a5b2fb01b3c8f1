"""A resource's roster expanded over the run: how many staff are on duty when.

A :class:`Roster` holds the shifts of a normal day and, for the days whose day type
brings its own roster, that day's shifts. Shifts repeat every day; a shift crossing
midnight (``22:00`` to ``06:00``) belongs to the day it starts on and carries into the
next. :meth:`Roster.steps` turns it into the on-duty count over a window: the change
points and the count from each on. It is pure (no SimPy): the model's staff pools
follow these steps, and tests and metrics can compute them by hand.

Absences (the calendar's ``no_show`` event) are :meth:`Roster.with_absent`: a given
day's shift loses a number of its staff.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from sim.calendar.clock import DAY, day_of
from sim.scenario.calendar import HourlyRosterSpec, RosterSpec, day_types
from sim.scenario.schema import Scenario

HOUR = 3600.0


@dataclass(frozen=True)
class Shift:
    """``count`` staff from clock time ``start`` to ``end`` of the day the shift starts
    on; ``end`` may exceed 86400 (the shift crosses midnight)."""

    start: float
    end: float
    count: int


def shifts_of(spec: RosterSpec) -> tuple[Shift, ...]:
    """A roster as written, as the shifts of one day (a count: one all-day shift;
    hourly counts: one shift per hour with staff; shifts crossing midnight end after
    86400)."""
    if isinstance(spec, int):
        return (Shift(0.0, DAY, spec),)
    if isinstance(spec, HourlyRosterSpec):
        return tuple(Shift(h * HOUR, (h + 1) * HOUR, n) for h, n in enumerate(spec.hourly)
                     if n > 0)
    return tuple(Shift(s.start, s.start + s.length, s.count) for s in spec)


@dataclass(frozen=True)
class Roster:
    """The on-duty staff of one resource (a store's pickers, one fleet's couriers).

    ``default`` are the shifts of every day, ``by_day`` those of the days (1-based) that
    have their own; ``absent`` maps (day, shift index) to staff of that shift who do not
    turn up; ``constant`` is the plain count of a roster written as one integer with no
    day overriding it (the resource never changes size).
    """

    default: tuple[Shift, ...]
    by_day: Mapping[int, tuple[Shift, ...]] = field(default_factory=dict)
    absent: Mapping[tuple[int, int], int] = field(default_factory=dict)
    constant: int | None = None

    @classmethod
    def of(cls, spec: RosterSpec, by_day: Mapping[int, RosterSpec] | None = None) -> Roster:
        """The roster of ``spec`` on every day, with ``by_day`` replacing it on some."""
        days = {d: shifts_of(s) for d, s in (by_day or {}).items()}
        constant = spec if isinstance(spec, int) and not days else None
        return cls(shifts_of(spec), days, {}, constant)

    def shifts(self, day: int) -> tuple[Shift, ...]:
        """The shifts starting on day ``day``, absences taken off."""
        base = self.by_day.get(day, self.default)
        if not self.absent:
            return base
        return tuple(replace(s, count=max(0, s.count - self.absent.get((day, i), 0)))
                     for i, s in enumerate(base))

    def with_absent(self, day: int, shift: int, staff: int) -> Roster:
        """This roster with ``staff`` more of shift number ``shift`` (its index in the
        day's shifts; 0 for a plain count) missing on day ``day`` (for ``no_show``)."""
        n = len(self.by_day.get(day, self.default))
        if not 0 <= shift < n:
            raise ValueError(f"day {day} has {n} shift{'s' if n != 1 else ''}, no shift "
                             f"{shift}")
        if staff < 0:
            raise ValueError(f"absent staff must be >= 0 (got {staff})")
        absent = dict(self.absent)
        absent[(day, shift)] = absent.get((day, shift), 0) + staff
        return replace(self, absent=absent, constant=None)

    def steps(self, start: float, stop: float) -> list[tuple[float, int]]:
        """The on-duty count over ``[start, stop]``: ``(time, count from then on)`` at
        ``start`` and at every change before ``stop``, in time order, without repeats."""
        if self.constant is not None:
            return [(start, self.constant)]
        deltas: dict[float, int] = {}
        # from the day before: its shifts crossing midnight reach into the window (before
        # day 1 that is day 0, with the normal roster: the night shift was on already)
        for day in range(day_of(start) - 1, day_of(stop) + 1):
            for s in self.shifts(day):
                if s.count == 0:
                    continue
                a, b = (day - 1) * DAY + s.start, (day - 1) * DAY + s.end
                deltas[a] = deltas.get(a, 0) + s.count
                deltas[b] = deltas.get(b, 0) - s.count
        level = sum(d for t, d in deltas.items() if t <= start)
        out = [(start, level)]
        for t in sorted(t for t in deltas if start < t < stop):
            if deltas[t] == 0:
                continue
            level += deltas[t]
            out.append((t, level))
        return out

    def peak(self, start: float, stop: float) -> int:
        """The most staff on duty at once in ``[start, stop]``."""
        return max(n for _, n in self.steps(start, stop))

    def staffed_seconds(self, start: float, stop: float) -> float:
        """Staff-seconds rostered in ``[start, stop]`` (staff x time on duty)."""
        steps = self.steps(start, stop)
        ends = [t for t, _ in steps[1:]] + [stop]
        return sum(n * (b - t) for (t, n), b in zip(steps, ends, strict=True))


RosterAdjuster = Callable[[str, str, str | None, Roster], Roster]
"""Changes a resource's roster before the run: ``(node, resource, vehicle, roster) ->
roster``. The calendar's ``no_show`` event is one: it takes staff off a day's shifts
with :meth:`Roster.with_absent`; :class:`~sim.model.Model` applies its adjusters in
order to every roster it builds."""


def roster_for(scenario: Scenario, node: str, resource: str, spec: RosterSpec,
               vehicle: str | None = None) -> Roster:
    """The roster of ``resource`` (``pickers`` or ``couriers``; ``vehicle``: which fleet)
    at ``node`` written ``spec``, with the days whose day type replaces it."""
    types = day_types(scenario)
    cal = scenario.calendar
    if cal is None or not types:
        return Roster.of(spec)
    first_vehicle = _first_vehicle(scenario, node)
    by_day: dict[int, RosterSpec] = {}
    for day, tname in enumerate(types, start=1):
        for o in cal.day_types[tname].rosters:
            o_vehicle = o.vehicle if o.vehicle is not None else first_vehicle
            if o.node == node and o.resource == resource and (
                    resource != "couriers" or o_vehicle == vehicle):
                by_day[day] = o.roster
    return Roster.of(spec, by_day)


def _first_vehicle(scenario: Scenario, node: str) -> str | None:
    for s in scenario.stores:
        if s.name == node:
            return s.fleets[0].vehicle
    for w in scenario.warehouses:
        if w.name == node:
            return w.couriers.vehicle
    return None
