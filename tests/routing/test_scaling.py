"""Integer scaling: windows round inwards, tenths stay exact, costs keep their ratios."""

from __future__ import annotations

import math

import numpy as np

from sim.routing import scaling


def test_ticks_round_inwards() -> None:
    """Earliest times round up, latest times down; values on the grid are exact even
    with float noise; infinities become 0 and the horizon."""
    assert scaling.time_ticks(12.34, "up") == 124 and scaling.time_ticks(12.34, "down") == 123
    assert scaling.time_ticks(12.3) == 123 and scaling.time_ticks(0.1 + 0.2, "up") == 3
    assert scaling.time_ticks(math.inf) == scaling.HORIZON
    assert scaling.time_ticks(-math.inf) == 0
    assert scaling.dist_ticks(827.3) == 8273


def test_matrices_and_snapping() -> None:
    """Matrices become int64 ticks; snapped seconds are exact multiples of a tick."""
    m = np.array([[0.0, 12.34], [12.36, 0.0]])
    assert scaling.time_matrix(m).tolist() == [[0, 123], [124, 0]]
    snapped = scaling.snap_time(m)
    assert np.array_equal(scaling.time_matrix(snapped) / scaling.TIME_SCALE, snapped)


def test_costs() -> None:
    """A courier-minute per second is 1667 units per tick; PyVRP's scale makes the
    smallest rate 1."""
    assert scaling.cost_per_time_tick(1 / 60) == 1667
    assert scaling.objective(scaling.cost(2.5)) == 2.5
    assert scaling.small_cost_scale([0.0, 1 / 600, 0.01], []) == 600.0
    assert scaling.small_cost_scale([], [0.0, 5.0]) == 200.0
