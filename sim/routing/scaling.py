"""Integer scaling for the solvers: the one place where seconds, metres and costs become
integers.

Both OR-Tools and PyVRP work in integers. A :class:`~sim.routing.problem.RoutingProblem`
is in seconds, metres and cost units (floats); the adapters convert with these helpers
only:

- time: :data:`TIME_SCALE` ticks per second (0.1 s). Travel matrices are rounded to the
  nearest tick; windows are rounded *inwards* (earliest, release and availability up,
  due, latest and shift end down), so a plan that is feasible in ticks is feasible in
  seconds when the matrices are already on the tick grid (the dispatcher snaps them with
  :func:`snap_time`; Solomon's tenths are on it).
- distance: :data:`DIST_SCALE` ticks per metre (0.1 m), same rules.
- payload: :data:`PAYLOAD_SCALE` ticks per kg or litre (grams, millilitres); a job's
  weight rounds up and a vehicle's limit down, so a load feasible in ticks is feasible
  in kg and litres.
- cost (OR-Tools): :data:`COST_SCALE` integer units per cost unit. Per-second and
  per-metre rates are multiplied by it and divided by the tick scale, then rounded, so a
  rate of 1/60 per second (one unit per courier-minute) is 1667 per tick (0.02 %
  rounding).
- cost (PyVRP): PyVRP's penalty manager is tuned for small unit costs (its penalties for
  excess load and time warp start from the data's cost per unit), so :func:`small_cost_scale`
  picks the scale that makes the smallest non-zero per-tick rate exactly 1; lump sums
  (penalties, fixed costs) use the same scale.

:data:`HORIZON` stands for "no limit" (about 30 years in ticks).
"""

from __future__ import annotations

import math

import numpy as np

TIME_SCALE = 10
DIST_SCALE = 10
COST_SCALE = 1_000_000
PAYLOAD_SCALE = 1000
HORIZON = 10**10


def _ticks(value: float, scale: int, rounding: str) -> int:
    if value == math.inf:
        return HORIZON
    if value == -math.inf:
        return 0
    x = value * scale
    r = round(x)
    if abs(x - r) < 1e-6:  # on the grid up to float noise (12.3 * 10 = 122.99999...)
        out = int(r)
    elif rounding == "up":
        out = math.ceil(x)
    elif rounding == "down":
        out = math.floor(x)
    else:
        out = int(r)
    return max(0, min(out, HORIZON))


def time_ticks(seconds: float, rounding: str = "nearest") -> int:
    """Seconds as ticks (``rounding``: nearest, up or down; infinities to 0 / HORIZON)."""
    return _ticks(seconds, TIME_SCALE, rounding)


def dist_ticks(metres: float, rounding: str = "nearest") -> int:
    """Metres as distance ticks."""
    return _ticks(metres, DIST_SCALE, rounding)


def payload_ticks(amount: float, rounding: str) -> int:
    """Kilograms or litres as payload ticks (``up`` for a job, ``down`` for a limit)."""
    return _ticks(amount, PAYLOAD_SCALE, rounding)


def payload_capacities(sizes: list[float], limits: list[float]) -> tuple[list[int], list[int]]:
    """One extra capacity dimension in ticks: the jobs' sizes and the vehicles' limits; an
    unlimited vehicle gets a capacity no sum of the jobs reaches."""
    jobs = [payload_ticks(x, "up") for x in sizes]
    unlimited = max(HORIZON, sum(jobs))
    return jobs, [unlimited if x == math.inf else payload_ticks(x, "down") for x in limits]


def time_matrix(seconds: np.ndarray) -> np.ndarray:
    """A travel-time matrix in ticks (int64)."""
    return np.rint(np.asarray(seconds, dtype=float) * TIME_SCALE).astype(np.int64)


def dist_matrix(metres: np.ndarray) -> np.ndarray:
    """A distance matrix in ticks (int64)."""
    return np.rint(np.asarray(metres, dtype=float) * DIST_SCALE).astype(np.int64)


def cost(units: float) -> int:
    """A cost (penalty, fixed cost) in integer objective units."""
    return round(units * COST_SCALE)


def cost_per_time_tick(per_second: float) -> int:
    """A cost rate per second as integer objective units per time tick."""
    return round(per_second * COST_SCALE / TIME_SCALE)


def cost_per_dist_tick(per_metre: float) -> int:
    """A cost rate per metre as integer objective units per distance tick."""
    return round(per_metre * COST_SCALE / DIST_SCALE)


def objective(value: int) -> float:
    """An integer objective back in cost units."""
    return value / COST_SCALE


def snap_time(seconds: np.ndarray) -> np.ndarray:
    """Round a matrix of seconds to the tick grid (so solver ticks are exact)."""
    return np.rint(np.asarray(seconds, dtype=float) * TIME_SCALE) / TIME_SCALE


def snap_dist(metres: np.ndarray) -> np.ndarray:
    """Round a matrix of metres to the distance-tick grid."""
    return np.rint(np.asarray(metres, dtype=float) * DIST_SCALE) / DIST_SCALE


def small_cost_scale(per_tick_rates: list[float], lump_sums: list[float]) -> float:
    """Integer units per cost unit that make the smallest non-zero rate per tick 1 (PyVRP).

    Without rates, the smallest non-zero lump sum becomes 1000 (or the scale is 1).
    """
    rates = [r for r in per_tick_rates if r > 0]
    if rates:
        return 1.0 / min(rates)
    lumps = [x for x in lump_sums if x > 0]
    return 1000.0 / min(lumps) if lumps else 1.0
