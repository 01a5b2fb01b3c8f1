"""Time spent in each state, accumulated into fixed clock bins during the run.

Per-event rows for 700 robots over a shift would be millions; what the metrics need is
how many robot-seconds went to each state in each part of the day. A state interval is
split over the bins it spans as it closes; the rows are written once at the end.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

BIN = 900.0
"""Width of a time bin (seconds): 15 minutes, so half-hour warm-ups fall on bin edges."""


class TimeBins:
    """Seconds (or unit-seconds for levels) per (unit, state, bin) over ``[start, stop]``."""

    __slots__ = ("_data", "_n", "start", "states", "units", "width")

    def __init__(self, start: float, stop: float, units: Sequence[str],
                 states: Sequence[str], width: float = BIN) -> None:
        self.start, self.width = start, width
        self.units, self.states = tuple(units), tuple(states)
        self._n = max(1, math.ceil((stop - start) / width) + 1)
        self._data = [0.0] * (len(self.units) * len(self.states) * self._n)

    def add(self, unit: int, state: int, t0: float, t1: float, weight: float = 1.0) -> None:
        """Add ``weight * (t1 - t0)`` to ``state`` of ``unit``, split over bins."""
        if t1 <= t0:
            return
        width, n, data = self.width, self._n, self._data
        b = int((t0 - self.start) // width)
        base = (unit * len(self.states) + state) * n
        t = t0
        while True:
            if b >= n - 1:
                data[base + n - 1] += (t1 - t) * weight
                return
            edge = self.start + (b + 1) * width
            if t1 <= edge:
                data[base + b] += (t1 - t) * weight
                return
            data[base + b] += (edge - t) * weight
            t = edge
            b += 1

    def rows(self, warehouse: str, kind: str) -> Iterator[tuple[object, ...]]:
        """Non-zero cells as ``wh_time`` rows."""
        n, ns = self._n, len(self.states)
        for u, unit in enumerate(self.units):
            for s, state in enumerate(self.states):
                base = (u * ns + s) * n
                for b in range(n):
                    v = self._data[base + b]
                    if v:
                        yield (warehouse, kind, unit, state, self.start + b * self.width, v)
