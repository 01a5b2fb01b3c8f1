"""The space-time reservation table: disjoint closed intervals per cell."""

from __future__ import annotations

import pytest

from sim.warehouse.reservations import HOLD, Reservations


def test_conflict_reports_the_blocking_end() -> None:
    """A query overlapping a reservation gets its end (retry after it); free gets -1."""
    r = Reservations(3)
    r.add(0, 10, 20, owner=1, horizon=0)
    r.add(0, 30, 40, owner=2, horizon=0)
    assert r.conflict(0, 0, 9) == -1
    assert r.conflict(0, 21, 29) == -1
    assert r.conflict(0, 5, 10) == 20  # touching ends clash: intervals are closed
    assert r.conflict(0, 15, 35) == 40  # the latest overlapping one
    assert r.conflict(1, 0, HOLD) == -1


def test_clash_raises() -> None:
    """Reserving over someone else's interval is a bug and raises."""
    r = Reservations(1)
    r.add(0, 10, 20, owner=1, horizon=0)
    with pytest.raises(RuntimeError, match="clash"):
        r.add(0, 20, 25, owner=2, horizon=0)
    with pytest.raises(RuntimeError, match="clash"):
        r.add(0, 0, 10, owner=2, horizon=0)


def test_hold_and_release() -> None:
    """An open-ended hold blocks everything after it until its owner releases it."""
    r = Reservations(1)
    r.add(0, 50, HOLD, owner=7, horizon=0)
    assert r.hold_owner(0) == 7
    assert r.conflict(0, 1000, 2000) == HOLD
    assert r.next_start(0, 10) == 50
    assert r.release(0, 7, 60) == 50
    assert r.conflict(0, 61, 2000) == -1
    with pytest.raises(RuntimeError, match="does not hold"):
        r.release(0, 7, 70)


def test_past_is_forgotten() -> None:
    """Intervals ending before the horizon are dropped when the cell is written."""
    r = Reservations(1)
    for k in range(12):
        r.add(0, 10 * k, 10 * k + 5, owner=k, horizon=0)
    r.add(0, 500, 510, owner=99, horizon=100)
    assert r.starts[0] == [100, 110, 500]  # [0, 5] .. [90, 95] ended before 100
    assert r.ends[0] == [105, 115, 510] and r.owners[0] == [10, 11, 99]
