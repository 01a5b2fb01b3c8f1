"""Named random streams are reproducible and independent of each other's existence."""

import numpy as np

from sim.core.rng import RandomStreams, stream_key


def test_same_seed_same_numbers():
    """The same seed and name give the same numbers."""
    a, b = RandomStreams(3)("demand"), RandomStreams(3)("demand")
    assert np.array_equal(a.random(5), b.random(5))


def test_adding_a_stream_does_not_shift_others():
    """Creating or using another stream first leaves a stream's numbers unchanged."""
    plain = RandomStreams(3)("demand").random(5)
    s = RandomStreams(3)
    s("robots").random(100)
    assert np.array_equal(s("demand").random(5), plain)


def test_streams_differ_by_name_and_seed():
    """Different names or seeds give different numbers."""
    assert not np.array_equal(RandomStreams(3)("a").random(5), RandomStreams(3)("b").random(5))
    assert not np.array_equal(RandomStreams(3)("a").random(5), RandomStreams(4)("a").random(5))


def test_stream_key_is_stable():
    """Keys do not depend on Python's hash randomisation."""
    assert stream_key("demand/online") == 0xE0E332DF481A94A0  # pinned: blake2b, not hash()
