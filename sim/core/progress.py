"""A dependency-free progress bar for long runs and sweeps.

It stays silent for the first seconds (short runs print nothing) and only draws on a
terminal, so logs and tests are not littered with carriage returns.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """``[#####.....] 52% 3/6 runs, 12 s left`` on stderr, redrawn in place."""

    def __init__(self, total: float, label: str = "", unit: str = "", delay: float = 2.0,
                 stream: TextIO | None = None, width: int = 30) -> None:
        self.total = max(total, 1e-12)
        self.label, self.unit, self.delay, self.width = label, unit, delay, width
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self._t0 = time.monotonic()
        self._drawn = False
        self._last = 0.0

    def update(self, done: float, note: str = "") -> None:
        """Redraw with ``done`` out of ``total`` finished (at most 10 times a second)."""
        if not self.enabled:
            return
        now = time.monotonic()
        elapsed = now - self._t0
        if elapsed < self.delay or (now - self._last < 0.1 and done < self.total):
            return
        self._last = now
        frac = min(max(done / self.total, 0.0), 1.0)
        bar = "#" * int(frac * self.width) + "." * (self.width - int(frac * self.width))
        left = elapsed * (1 - frac) / frac if frac > 0 else float("nan")
        count = f" {done:g}/{self.total:g}{self.unit}" if self.unit else ""
        self.stream.write(f"\r{self.label}[{bar}] {frac:4.0%}{count}, "
                          f"{left:5.0f} s left {note}\x1b[K")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """End the bar's line if it was drawn."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
