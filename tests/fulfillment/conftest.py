"""A fake robot-warehouse-like node: any kind of node plugs into the order flow."""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import pytest

from sim.demand.order import Order
from sim.fleet.couriers import Fleet
from sim.model import Model
from sim.routing.dispatch import ImmediateDispatch
from sim.scenario.fleet import FleetSpec, VehicleSpec
from sim.scenario.schema import ImmediateDispatchSpec


class Everything:
    """Unlimited stock, as policies read a node's stock (no cover limit)."""

    unlimited = True
    daily: tuple[float, ...] = ()

    def available(self, sku: int) -> float:
        """Any number of units."""
        return math.inf


class FakeWarehouse:
    """A node of kind ``warehouse`` with unlimited stock that packs every order in a
    fixed time, with its own couriers: enough of the FulfilmentNode protocol to test
    policies that treat nodes by kind."""

    kind = "warehouse"

    def __init__(self, model: Model, name: str, x: float, y: float, couriers: int = 10,
                 pack_seconds: float = 120.0) -> None:
        env = model.env
        self.env, self.name = env, name
        self.place = model.network.place(x, y)
        self.fleet = Fleet(env, name, self.place, [FleetSpec(count=couriers, vehicle="van")],
                           {"van": VehicleSpec(speed="8m/s", capacity=1)}, model.network)
        self.dispatch = ImmediateDispatch(env, self.fleet,
                                          ImmediateDispatchSpec(policy="immediate"))
        self.stock = Everything()
        self.pack_seconds = pack_seconds
        self.accepted: list[Order] = []

    def can_serve(self, basket: Any) -> bool:
        """Always: the warehouse has everything."""
        return True

    def accept(self, order: Order) -> None:
        """Pack the order after a fixed time and hand it to the couriers."""
        self.accepted.append(order)
        self.env.process(self._pack(order))

    def _pack(self, order: Order) -> Generator[Any, Any, None]:
        order.pick_start = self.env.now
        yield self.env.timeout(self.pack_seconds)
        order.pick_end = order.ready = self.env.now
        self.env.hooks.order_ready.emit(order)
        self.dispatch.order_ready(order)


def add_warehouse(model: Model, name: str = "wh", x: float = 0.0, y: float = 0.0,
                  **kwargs: Any) -> FakeWarehouse:
    """Plug a fake warehouse into a built model (the flow and policies see it)."""
    node = FakeWarehouse(model, name, x, y, **kwargs)
    model.nodes.append(node)
    return node


@pytest.fixture
def warehouse() -> Any:
    """``warehouse(model, name="wh", x=0, y=0, ...)`` plugs a fake warehouse into a model."""
    return add_warehouse
