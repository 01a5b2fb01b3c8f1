"""Robot motion: rest-to-rest runs, turns, and their tick profiles on the grid."""

from __future__ import annotations

import itertools
import math

import pytest

from sim.warehouse.kinematics import Kinematics, TickKinematics

KIN = Kinematics(speed=1.5, accel=0.5, turn=1.0)


def test_run_time_triangle_and_trapezoid() -> None:
    """Short runs never reach top speed (2 sqrt(d/a)); long ones cruise (d/v + v/a)."""
    assert KIN.run_time(0) == 0
    assert KIN.run_time(1) == pytest.approx(2 * math.sqrt(2))  # 1 m: 2.83 s
    assert KIN.run_time(4.5) == pytest.approx(6.0)  # exactly reaches 1.5 m/s
    assert KIN.run_time(30) == pytest.approx(30 / 1.5 + 3.0)


def test_time_at_is_the_inverse_of_the_profile() -> None:
    """time_at runs from 0 to the run time, increasing, symmetric about the middle."""
    for d in (1.0, 3.0, 4.5, 20.0):
        ts = [KIN.time_at(d, x) for x in [i * d / 50 for i in range(51)]]
        assert ts[0] == 0 and ts[-1] == pytest.approx(KIN.run_time(d))
        assert all(b > a for a, b in itertools.pairwise(ts))
        assert KIN.time_at(d, d / 4) + KIN.time_at(d, 3 * d / 4) == pytest.approx(
            KIN.run_time(d))


def test_manhattan_time_adds_one_turn() -> None:
    """The abstract mode drives x then y with one quarter turn between."""
    assert KIN.manhattan_time(3, 0) == pytest.approx(KIN.run_time(3))
    assert KIN.manhattan_time(3, -1) == pytest.approx(KIN.run_time(3) + KIN.run_time(1) + 1.0)


def test_run_profile_body_overlap() -> None:
    """In a run the body covers a cell from when its centre is a metre before it to a
    metre after it: consecutive cells overlap, and the last is held from arrival."""
    tk = TickKinematics(KIN, 0.1)
    p = tk.run(6)
    assert p.arrive == math.ceil(KIN.run_time(6) / 0.1 - 1e-9)
    for k in range(1, 6):
        assert p.enter[k] <= p.leave[k - 1], "the body bridges consecutive cells"
        assert p.enter[k + 1] >= p.enter[k]
    assert p.leave[6] == p.arrive
    assert p.enter[1] == 0 and p.leave[0] == math.ceil(KIN.time_at(6, 1) / 0.1 - 1e-9)
    assert tk.turn_ticks == 10
