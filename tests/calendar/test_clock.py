"""Calendar days and clock times map to simulation seconds and back."""

from __future__ import annotations

import datetime as dt

import pytest

from sim.calendar.clock import (
    DAY,
    clock_of,
    date_of_day,
    day_of,
    day_of_date,
    day_window,
    days_between,
    format_clock,
    sim_time,
    weekday,
)


def test_sim_time_of_day_and_clock() -> None:
    """17:00 on day 1 is 61200 s; 02:00 on day 3 is two days plus two hours."""
    assert sim_time(1, 61200.0) == 61200.0
    assert sim_time(3, 7200.0) == 2 * DAY + 7200.0


def test_round_trip() -> None:
    """day_of and clock_of invert sim_time, midnight starting the new day."""
    for day in (1, 2, 7):
        for clock in (0.0, 1.5, 43200.0, DAY - 1):
            t = sim_time(day, clock)
            assert (day_of(t), clock_of(t)) == (day, clock)
    assert day_of(DAY) == 2 and clock_of(DAY) == 0.0


def test_day_zero_is_refused() -> None:
    """Days are 1-based."""
    with pytest.raises(ValueError):
        sim_time(0, 0.0)


def test_days_between_touches_every_day() -> None:
    """[17:00 day 1, 17:00 day 2) touches days 1 and 2; an interval ending at midnight
    does not touch the next day; an empty one touches none."""
    assert days_between(61200.0, DAY + 61200.0) == [1, 2]
    assert days_between(0.0, DAY) == [1]
    assert days_between(5.0, 5.0) == []
    assert day_window(2) == (DAY, 2 * DAY)


def test_dates_and_weekdays() -> None:
    """With day 1 on 10 November 2026 (a Tuesday), 11 November is day 2, a Wednesday."""
    first = dt.date(2026, 11, 10)
    assert day_of_date(first, dt.date(2026, 11, 11)) == 2
    assert date_of_day(first, 3) == dt.date(2026, 11, 12)
    assert weekday(first, 1) == "tuesday" and weekday(first, 2) == "wednesday"


def test_format_clock() -> None:
    """Clock times print as HH:MM, with seconds only when there are some."""
    assert format_clock(61200.0) == "17:00"
    assert format_clock(3661.0) == "01:01:01"
