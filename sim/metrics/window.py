"""The measured window and the parameters the metrics need besides the records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
