"""The measured window and the parameters the metrics need besides the records, and the
two ways every metric reads the records: a table (empty when the run made none) and its
rows inside the window."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.calendar.clock import days_between
from sim.scenario.calendar import day_types
from sim.scenario.schema import Scenario, VehicleSpec


@dataclass(frozen=True)
class MetricContext:
    """Measured window ``[start, end)`` in clock seconds, the run's stop, the promise
    and the money figures."""

    start: float
    end: float
    stop: float
    promise: float
    economics: Any = None
    """The scenario's money figures (:class:`~sim.scenario.schema.EconomicsSpec`) or None."""
    day_types: tuple[str, ...] | None = None
    """The day type of each day of the run (index 0 is day 1) when the run has several
    days or a calendar (metrics are then also reported per day), else None."""
    vehicles: Mapping[str, VehicleSpec] | None = None
    """The vehicle types (their own costs), or None: every courier at the economics rates."""

    @classmethod
    def of(cls, scenario: Scenario) -> MetricContext:
        """The context a scenario defines: after warm-up until arrivals stop."""
        start, end = scenario.run.measured
        types: tuple[str, ...] | None = None
        if scenario.calendar is not None or scenario.run.days > 1:
            types = day_types(scenario) or tuple(
                "default" for _ in days_between(0.0, scenario.run.stop))
        return cls(start, end, scenario.run.stop, scenario.promise.window,
                   scenario.economics, types, scenario.vehicles)

    @property
    def hours(self) -> float:
        """Length of the measured window in hours."""
        return (self.end - self.start) / 3600.0

    def within(self, frame: pd.DataFrame, column: str) -> pd.DataFrame:
        """The rows of ``frame`` whose ``column`` (a clock time) lies in ``[start, end)``."""
        times = frame[column]
        return frame[(times >= self.start) & (times < self.end)]


def table(records: Mapping[str, pd.DataFrame], name: str,
          columns: tuple[str, ...]) -> pd.DataFrame:
    """The record table ``name``, or an empty one with ``columns`` when the run made none."""
    frame = records.get(name)
    return frame if frame is not None else pd.DataFrame(columns=list(columns))
