"""The promise model: a click-to-door quantile learned online from finished orders.

The prediction for an order served by a node has three parts:

- the **ride** from the node to the customer (shortest road path at the node's courier
  speed, access legs included): known exactly;
- the **wait** from click until a courier leaves with the order (picker queue, picking,
  packing, waiting for a courier): a quantile (``predictor.quantile``) learned per node
  as a linear function of the node's queue state at the click,
  ``wait = a + b * max(pressure, 0) + c * backlog``, where ``backlog`` is the orders
  handed to the node and not yet packed and ``pressure`` the orders that will need a
  courier before this one minus the couriers free now;
- the **hand-over overhead** of the trip beyond the ride (collecting the bag, the
  drop-off, detours of multi-stop trips): a smoothed mean per node, starting from the
  fleet's pickup plus drop-off times.

The wait model is online quantile regression: after each dispatch, every weight moves by
``step * (p - [actual <= predicted]) * feature / mean square of the feature`` (slopes kept
>= 0), which converges to the p-quantile and follows it as the day changes; a linear
model in the queue length extrapolates to queues it has not seen yet, which a table of
past averages would not. The wait is learned when the order leaves with a courier (the
earliest moment it is known) and the overhead when it is delivered. Until a node has
``min_samples`` dispatches its estimate is marked as a cold start in the records.

Each accepted order's prediction is written to the ``predictions`` table with the queue
state it saw, so its error can be measured against the actual delivery.
"""

from __future__ import annotations

from sim.city.network import RoadNetwork
from sim.core.env import SimEnv
from sim.core.records import PREDICTION_COLUMNS
from sim.demand.order import Order
from sim.fulfillment.load import NodeLoad
from sim.fulfillment.node import FulfilmentNode
from sim.scenario.schema import PredictorSpec

SCALE_SMOOTHING = 0.02
OVERHEAD_SMOOTHING = 0.05


class QuantileLine:
    """Online linear quantile regression of a wait on ``(1, pressure+, backlog)``."""

    __slots__ = ("n", "scale", "w")

    def __init__(self) -> None:
        self.w = [0.0, 0.0, 0.0]
        self.scale = [1.0, 1.0, 1.0]
        self.n = 0

    def predict(self, pressure: int, backlog: int) -> float:
        """The wait quantile at this queue state (seconds, >= 0)."""
        w = self.w
        y = w[0] + w[1] * (pressure if pressure > 0 else 0) + w[2] * backlog
        return y if y > 0 else 0.0

    def update(self, pressure: int, backlog: int, y: float, p: float, step: float) -> None:
        """Learn from a wait of ``y`` seconds seen at this queue state."""
        phi = (1.0, float(pressure if pressure > 0 else 0), float(backlog))
        if self.n == 0:
            self.w[0] = y
        else:
            g = step * (p - (1.0 if y <= self.predict(pressure, backlog) else 0.0))
            w, scale = self.w, self.scale
            for i in (0, 1, 2):
                f = phi[i]
                scale[i] += SCALE_SMOOTHING * (f * f - scale[i])
                w[i] += g * f / (scale[i] if scale[i] > 1.0 else 1.0)
            if w[1] < 0:
                w[1] = 0.0
            if w[2] < 0:
                w[2] = 0.0
        self.n += 1


class PromisePredictor:
    """Predicts click-to-door at a node from its queue state; learns from finished orders."""

    def __init__(self, env: SimEnv, spec: PredictorSpec, network: RoadNetwork,
                 load: NodeLoad) -> None:
        self.env, self.network, self.load = env, network, load
        self.p, self.step, self.min_samples = spec.quantile, spec.step, spec.min_samples
        self._wait: dict[str, QuantileLine] = {}
        self._overhead: dict[str, float] = {}
        self._table = env.recorder.table("predictions", PREDICTION_COLUMNS)
        env.hooks.order_dispatched.on(self._dispatched)
        env.hooks.order_delivered.on(self._delivered)

    def travel(self, node: FulfilmentNode, order: Order) -> float:
        """Seconds riding from ``node`` to the customer of ``order``."""
        return self.network.travel(node.place, order.place, node.fleet.vehicle.speed)[0]

    def state(self, node: FulfilmentNode) -> tuple[int, int]:
        """``(backlog, pressure)`` of ``node`` now."""
        return self.load.backlog[node.name], self.load.pressure(node)

    def _model(self, name: str) -> QuantileLine:
        m = self._wait.get(name)
        if m is None:
            m = self._wait[name] = QuantileLine()
        return m

    def overhead(self, node: FulfilmentNode) -> float:
        """Mean seconds a trip adds to the ride for one order (hand-over, drop-off)."""
        h = self._overhead.get(node.name)
        if h is None:
            spec = node.fleet.spec
            h = self._overhead[node.name] = spec.pickup_mean + spec.dropoff_mean
        return h

    def excess(self, node: FulfilmentNode) -> tuple[float, int]:
        """Predicted click-to-door beyond the ride at ``node`` now, and the number of
        dispatches the wait estimate rests on."""
        backlog, pressure = self.state(node)
        m = self._model(node.name)
        return m.predict(pressure, backlog) + self.overhead(node), m.n

    def predict(self, node: FulfilmentNode, order: Order) -> float:
        """Predicted click-to-door seconds of ``order`` served from ``node`` now."""
        return self.travel(node, order) + self.excess(node)[0]

    def note(self, order: Order, node: FulfilmentNode, radius: float) -> None:
        """Record the prediction for ``order`` accepted at ``node`` and remember its queue
        state, to learn from it when it leaves and when it is delivered."""
        travel = self.travel(node, order)
        backlog, pressure = self.state(node)
        excess, samples = self.excess(node)
        order.pred = (node.name, pressure, backlog, travel)
        self._table.append((order.id, order.part, self.env.now, node.name, travel + excess,
                            travel, backlog, pressure,
                            samples if samples >= self.min_samples else 0, radius))

    def forget(self, order: Order) -> None:
        """Do not learn from ``order`` (it was rerouted: its time is not its node's)."""
        order.pred = None

    def _dispatched(self, order: Order) -> None:
        pred = order.pred
        if pred is None:
            return
        name, pressure, backlog, _ = pred
        self._model(name).update(pressure, backlog, order.dispatched - order.created, self.p,
                                 self.step)

    def _delivered(self, order: Order) -> None:
        pred = order.pred
        if pred is None:
            return
        name = pred[0]
        extra = order.delivered - order.dispatched - pred[3]
        h = self._overhead.get(name, extra)
        self._overhead[name] = h + OVERHEAD_SMOOTHING * (extra - h)
