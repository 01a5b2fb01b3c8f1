"""Named, independent random streams derived from one root seed.

Each source of randomness (online demand, walk-ins of a store, pick times of a store,
...) asks for a stream by name. The stream's seed is the root seed plus a spawn key
derived from a stable hash of the name, so adding a new stream never shifts the numbers
an existing stream produces, and two runs with the same seed agree whatever order the
streams are created in. This is what lets policy comparisons use common random numbers:
the demand stream is the same under every policy.
"""

from __future__ import annotations

import hashlib

import numpy as np


def stream_key(name: str) -> int:
    """A stable 64-bit key for a stream name (independent of PYTHONHASHSEED)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


class RandomStreams:
    """A factory of :class:`numpy.random.Generator` objects keyed by name."""

    def __init__(self, seed: int) -> None:
        if seed < 0:
            raise ValueError("seed must be >= 0")
        self.seed = seed
        self._streams: dict[str, np.random.Generator] = {}

    def __call__(self, name: str) -> np.random.Generator:
        """Return the generator for ``name``, creating it on first use."""
        gen = self._streams.get(name)
        if gen is None:
            seq = np.random.SeedSequence(self.seed, spawn_key=(stream_key(name),))
            gen = np.random.Generator(np.random.PCG64(seq))
            self._streams[name] = gen
        return gen
