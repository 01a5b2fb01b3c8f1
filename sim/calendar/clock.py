"""Calendar days and clock times <-> simulation seconds.

Simulation time is seconds since midnight of day 1 (``run.start: 17:00`` is 61200 s).
Day ``d`` (1-based) covers ``[(d - 1) x 86400, d x 86400)``; a clock time is seconds
after that day's midnight. When a run names the date of its first day (``run.date``),
a calendar date maps to its day index and back, and each day has a weekday name.

Everything here is a pure function of numbers and dates, so the scenario schema, the
model, the metrics and the events module share one definition of "day".
"""

from __future__ import annotations

import datetime as _dt
import math

DAY = 86400.0
"""Seconds in a simulated day (no daylight-saving days: every day has 24 hours)."""

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""Weekday names as :meth:`datetime.date.weekday` numbers them (0 is Monday)."""


def sim_time(day: int, clock: float) -> float:
    """Simulation seconds of clock time ``clock`` (seconds after midnight, may be 86400
    or more to mean the next day) on day ``day`` (1-based)."""
    if day < 1:
        raise ValueError(f"day must be >= 1 (got {day})")
    return (day - 1) * DAY + clock


def day_of(t: float) -> int:
    """The 1-based day that simulation time ``t`` falls on (midnight starts a day)."""
    return math.floor(t / DAY) + 1


def clock_of(t: float) -> float:
    """Seconds after midnight of the day ``t`` falls on."""
    return t - (day_of(t) - 1) * DAY


def day_start(day: int) -> float:
    """Simulation time of midnight at the start of day ``day``."""
    return sim_time(day, 0.0)


def day_window(day: int) -> tuple[float, float]:
    """``[start, end)`` of day ``day`` in simulation seconds."""
    return (day_start(day), day_start(day) + DAY)


def days_between(start: float, end: float) -> list[int]:
    """The days that the interval ``[start, end)`` touches, in order (empty when
    ``end <= start``)."""
    if end <= start:
        return []
    return list(range(day_of(start), day_of(math.nextafter(end, -math.inf)) + 1))


def day_of_date(first: _dt.date, date: _dt.date) -> int:
    """The 1-based day index of ``date`` in a run whose day 1 is ``first`` (may be < 1
    or beyond the run: the caller checks the range)."""
    return (date - first).days + 1


def date_of_day(first: _dt.date, day: int) -> _dt.date:
    """The calendar date of day ``day`` in a run whose day 1 is ``first``."""
    return first + _dt.timedelta(days=day - 1)


def weekday(first: _dt.date, day: int) -> str:
    """The weekday name (``monday`` ... ``sunday``) of day ``day``."""
    return WEEKDAYS[date_of_day(first, day).weekday()]


def format_clock(seconds: float) -> str:
    """``HH:MM`` (``HH:MM:SS`` when there are seconds) of a clock time, for messages."""
    s = round(seconds)
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" + (f":{sec:02d}" if sec else "")
