"""Demand over the calendar: each day's arrival rate and hourly profile by its day type.

Without a calendar every day is the scenario's own day (``orders_per_day`` with
``demand.online.profile``) and the arrival processes draw the whole run in one go, as
they always did. With one, the run is cut at midnights and each piece is drawn with its
day type's factor and profile (the same non-homogeneous Poisson process, piece by piece,
from the same stream).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.random import Generator

from sim.calendar.clock import day_window, days_between
from sim.calendar.events import Piecewise
from sim.demand.arrivals import arrival_times
from sim.scenario.calendar import day_types
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class DayDemand:
    """One day's piece of the run: ``[start, end)``, the factor and the profile."""

    day: int
    start: float
    end: float
    factor: float
    profile: Sequence[float]


def demand_days(scenario: Scenario, channel: str, profile: Sequence[float],
                start: float, end: float) -> list[DayDemand]:
    """The pieces of ``[start, end)`` by day, with the day type's factor and profile for
    ``channel`` (``online`` or ``walkins``; ``profile`` is the scenario's own)."""
    cal = scenario.calendar
    types = day_types(scenario)
    out = []
    for day in days_between(start, end):
        lo, hi = day_window(day)
        factor, prof = 1.0, profile
        if cal is not None and day <= len(types):
            dt = cal.day_types[types[day - 1]]
            if channel == "online":
                factor, prof = dt.online, dt.profile or profile
            else:
                factor, prof = dt.walkins, dt.walkin_profile or profile
        out.append(DayDemand(day, max(lo, start), min(hi, end), factor, prof))
    return out


def calendar_arrivals(rng: Generator, scenario: Scenario, channel: str, per_day: float,
                      profile: Sequence[float], start: float, end: float,
                      factor: Piecewise | None = None) -> np.ndarray:
    """Sorted arrival times in ``[start, end)``: the whole run at once without a
    calendar (exactly as before), else day by day with each day type's factor and
    profile; ``factor`` is the calendar events' rate factor (surges, weather, closures)
    on top of both."""
    if scenario.calendar is None:
        return arrival_times(rng, per_day, profile, start, end, factor)
    chunks = [arrival_times(rng, per_day * d.factor, d.profile, d.start, d.end, factor)
              for d in demand_days(scenario, channel, profile, start, end)]
    return np.concatenate(chunks) if chunks else np.empty(0)
