"""Customers who weigh the promise they are quoted, and who stop waiting: a long quote
loses the order instead of making a late one, and a long wait cancels it.

The chance that a customer orders given the quote (seconds from click to promised
delivery) is a logistic curve or a table. Each online order's decision uses one uniform
drawn up front for its index from the ``demand/choice`` stream, so the same customer
decides the same way in every policy variant given the same quote (common random
numbers), and the stream is used the same whatever the quotes are.
"""

from __future__ import annotations

import bisect
import math

from sim.core.env import SimEnv
from sim.core.sampling import sampler
from sim.scenario.demand import ChoiceSpec, LogitChoiceSpec, TableChoiceSpec
from sim.scenario.distributions import DurationDistribution

DECLINED = "declined"
"""Rejection reason of an order the customer did not place after seeing the quote."""
IMPATIENT = "impatient"
"""Cancellation reason of an order whose customer stopped waiting before it left."""


def order_chance(spec: ChoiceSpec, quote: float) -> float:
    """The chance a customer orders when quoted ``quote`` seconds."""
    if isinstance(spec, LogitChoiceSpec):
        z = (quote - spec.half_at) / spec.scale
        return 0.0 if z > 700 else 1.0 / (1.0 + math.exp(z))
    assert isinstance(spec, TableChoiceSpec)
    points = spec.points
    if quote <= points[0][0]:
        return points[0][1]
    if quote >= points[-1][0]:
        return points[-1][1]
    j = bisect.bisect_right(points, quote, key=lambda p: p[0]) - 1
    (q0, p0), (q1, p1) = points[j], points[j + 1]
    return (p1 - p0) / (q1 - q0) * (quote - q0) + p0  # linear, as numpy.interp computes


class CustomerChoice:
    """Decides, for each online order by index, whether its customer takes the quote."""

    def __init__(self, env: SimEnv, spec: ChoiceSpec, orders: int) -> None:
        self.spec = spec
        self._u = env.streams("demand/choice").random(orders).tolist()

    def orders(self, index: int, quote: float) -> bool:
        """True when customer ``index`` places the order at this quote (seconds)."""
        return self._u[index] < order_chance(self.spec, quote)


class CustomerPatience:
    """How long each online order's customer waits for it to leave the store, drawn up
    front by order index from the ``demand/patience`` stream (common random numbers)."""

    def __init__(self, env: SimEnv, spec: DurationDistribution, orders: int) -> None:
        rng = env.streams("demand/patience")
        self._wait = sampler(spec).draw(rng, orders).tolist() if orders else []

    def of(self, index: int) -> float:
        """Seconds customer ``index`` waits after acceptance."""
        return float(self._wait[index])
