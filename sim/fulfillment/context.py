"""What promise, assignment and stock-out policies may consult: one object per run.

:class:`PolicyContext` holds the environment, the scenario, the road network and the
list of fulfilment nodes (stores, and robot warehouses when the scenario has them), and
builds the shared promise model (:class:`~sim.fulfillment.predictor.PromisePredictor`)
and node load counters on first request, so runs whose policies never ask for a
prediction pay nothing for it.
"""

from __future__ import annotations

from sim.city.network import RoadNetwork
from sim.core.env import SimEnv
from sim.demand.order import Order
from sim.fulfillment.load import NodeLoad
from sim.fulfillment.node import FulfilmentNode
from sim.fulfillment.predictor import PromisePredictor
from sim.scenario.schema import Scenario


class PolicyContext:
    """The run's environment, network and nodes, and the promise model on demand."""

    def __init__(self, env: SimEnv, scenario: Scenario, network: RoadNetwork,
                 nodes: list[FulfilmentNode]) -> None:
        self.env, self.scenario, self.network, self.nodes = env, scenario, network, nodes
        self.load: NodeLoad | None = None
        self.closed: set[str] = set()
        """Names of the nodes closed now by calendar events (they take no new orders)."""
        self._predictor: PromisePredictor | None = None

    def predictor(self) -> PromisePredictor:
        """The shared promise model (created, with the load counters, on first use)."""
        if self._predictor is None:
            self.load = NodeLoad(self.env)
            self._predictor = PromisePredictor(self.env, self.scenario.predictor,
                                               self.network, self.load)
        return self._predictor

    @property
    def has_predictor(self) -> bool:
        """True once a policy asked for the promise model."""
        return self._predictor is not None

    def road_metres(self, node: FulfilmentNode, order: Order) -> float:
        """Road distance from ``node`` to the customer of ``order``."""
        metres = self.network.from_node(node.place.node, 1.0)[1][order.place.node]
        return float(metres) + node.place.access + order.place.access
