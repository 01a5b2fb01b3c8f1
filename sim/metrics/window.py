"""The measured window and the parameters the metrics need besides the records, and the
two ways every metric reads the records: a table (empty when the run made none) and its
rows inside the window."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.scenario.schema import Scenario


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

    @classmethod
    def of(cls, scenario: Scenario) -> MetricContext:
        """The context a scenario defines: after warm-up until arrivals stop."""
        start, end = scenario.run.measured
        return cls(start, end, scenario.run.stop, scenario.promise.window,
                   scenario.economics)

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
