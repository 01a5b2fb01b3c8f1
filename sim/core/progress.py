"""Progress of long runs and sweeps, on stderr.

On a terminal it is a bar redrawn in place, silent for the first seconds so short runs
print nothing. Off a terminal (a log file, a pipe, a batch job) a bar would litter the
log with carriage returns, so it writes one plain line at a fixed interval instead:
what is done, the note (e.g. simulated hours), the time elapsed and the estimated time
left. The interval is ``OMNISIM_PROGRESS_SECONDS`` (default 30 seconds; 0 turns the
lines off).
"""

from __future__ import annotations

import math
import os
import sys
import time
from typing import TextIO

from sim.core.format import number

LOG_INTERVAL = 30.0
"""Seconds between progress lines off a terminal (``OMNISIM_PROGRESS_SECONDS``)."""


def log_interval() -> float:
    """The interval between progress lines off a terminal, from the environment (a
    value that is not a finite non-negative number falls back to the default)."""
    text = os.environ.get("OMNISIM_PROGRESS_SECONDS", "")
    try:
        value = float(text)
    except ValueError:
        return LOG_INTERVAL
    return value if math.isfinite(value) and value >= 0 else LOG_INTERVAL


def _duration(seconds: float) -> str:
    """``42 s``, ``3 min 05 s``, ``1 h 02 min``: for people, never negative."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s // 60 % 60:02d} min"


class ProgressBar:
    """``[#####.....] 52% 3/6 runs, 12 s left`` redrawn in place on a terminal, or
    ``sweep: 3/6 runs, 50% done, 40 s elapsed, about 40 s left`` every ``interval`` seconds
    elsewhere."""

    def __init__(self, total: float, label: str = "", unit: str = "", delay: float = 2.0,
                 stream: TextIO | None = None, width: int = 30,
                 interval: float | None = None) -> None:
        self.total = max(total, 1e-12)
        self.label, self.unit, self.delay, self.width = label, unit, delay, width
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.interval = log_interval() if interval is None else interval
        self.enabled = self.tty or self.interval > 0
        self._t0 = time.monotonic()
        self._drawn = False
        self._last = 0.0 if self.tty else self._t0

    def update(self, done: float, note: str = "") -> None:
        """Report ``done`` out of ``total`` finished: redrawn at most 10 times a second
        on a terminal, a line every ``interval`` seconds elsewhere."""
        if not self.enabled:
            return
        now = time.monotonic()
        elapsed = now - self._t0
        frac = min(max(done / self.total, 0.0), 1.0)
        left = elapsed * (1 - frac) / frac if frac > 0 else math.nan
        count = f" {number(done)}/{number(self.total)}{self.unit}" if self.unit else ""
        extra = f" {note}" if note else ""
        if not self.tty:
            if now - self._last < self.interval:
                return
            self._last = now
            eta = f"about {_duration(left)} left" if frac > 0 else "time left not known yet"
            self.stream.write(f"{self.label.strip()}:{count}{extra}, {frac:.0%} done, "
                              f"{_duration(elapsed)} elapsed, {eta}\n")
            self.stream.flush()
            return
        if elapsed < self.delay or (now - self._last < 0.1 and done < self.total):
            return
        self._last = now
        bar = "#" * int(frac * self.width) + "." * (self.width - int(frac * self.width))
        self.stream.write(f"\r{self.label}[{bar}] {frac:4.0%}{count}{extra}, "
                          f"{left:5.0f} s left\x1b[K")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """End the bar's line if it was drawn."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
