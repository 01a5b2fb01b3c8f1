"""Python's cyclic garbage collector paused while a run plays out.

The model creates no cyclic garbage while it runs (every object it makes is freed by
reference counting; ``tests/core/test_gcpause.py`` checks it), yet the collector would
still walk the run's growing set of live objects (orders, records, SimPy events) again
and again as they pile up: 13% of ``env.run`` on the default day, 28% at 5x demand and
49% at 25x (``benchmarks/gc_pause.py``), where it bent the cost per order upward.
Pausing it for the build, the run and the conversion of the records to tables removes
that cost without changing any result. The collector's previous state is restored
afterwards, so cyclic garbage made meanwhile by other code (building a model leaves a
few thousand objects the first time) is collected as usual afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block; restore its state after it
    (also when the block raises). Nested use is safe: the outer block restores."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
