"""Least-cost shift covering on small hand cases (CP-SAT)."""

from __future__ import annotations

from sim.staffing.shifts import PlannedShift, cover, on_duty, roster_entries


def test_one_peak_takes_one_shift() -> None:
    """Need 2 from 08:00 to 16:00 with 8-hour shifts: two staff on one 08:00 shift."""
    need = [0] * 8 + [2] * 8 + [0] * 8
    assert cover(need, [8]) == [PlannedShift(8, 8, 2)]


def test_hand_case_is_optimal() -> None:
    """Need 1 from 08:00 to 20:00 and 3 from 12:00 to 16:00, shifts of 4 or 8 hours.
    By hand: 12 hours of 1 need at least 12 paid hours, the 2 extra over 4 hours need
    8 more: 20 paid hours is the least, and the solver finds a roster with 20."""
    need = [0] * 8 + [1] * 4 + [3] * 4 + [1] * 4 + [0] * 4
    shifts = cover(need, [4, 8])
    assert all(d >= n for d, n in zip(on_duty(shifts), need, strict=True))
    assert sum(s.count * s.paid_hours for s in shifts) == 20


def test_minimum_and_midnight() -> None:
    """A need across midnight (22:00-02:00) with a minimum of 2 is one shift crossing
    midnight, written with an end before its start."""
    need = [1, 1] + [0] * 20 + [1, 1]
    shifts = cover(need, [4], minimum=2)
    assert shifts == [PlannedShift(22, 4, 2)]
    assert roster_entries(shifts) == [{"start": "22:00", "end": "02:00", "count": 2}]


def test_break_hour_is_not_covered_nor_paid() -> None:
    """An 8-hour shift with a break after 6 hours of length covers 7 hours and pays 7;
    it is written as its two parts around the break."""
    s = PlannedShift(8, 8, 1, break_hour=4)
    assert s.paid_hours == 7 and not s.covers(12) and s.covers(11) and s.covers(13)
    assert roster_entries([s]) == [{"start": "08:00", "end": "12:00", "count": 1},
                                   {"start": "13:00", "end": "16:00", "count": 1}]


def test_nothing_needed() -> None:
    """No hour needs staff: no shifts."""
    assert cover([0] * 24, [8]) == []


def test_no_wrap_keeps_shifts_inside_the_day() -> None:
    """Without wrap, a need at 00:00-02:00 and 22:00-24:00 is two shifts inside the day."""
    need = [1, 1] + [0] * 20 + [1, 1]
    shifts = cover(need, [2, 4], wrap=False)
    assert all(s.start + s.length <= 24 for s in shifts)
    assert on_duty(shifts) == need
