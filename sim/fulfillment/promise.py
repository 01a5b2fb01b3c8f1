"""Promise policies: which nodes may serve an order, and what is promised.

The promise decides two things: the nodes eligible for an order (those within the
service radius of its customer, straight-line, like the delivery-area maps retailers
publish) and, once the assignment policy has picked the node(s), whether the order is
accepted and by when it is due.

- ``fixed``: accept whatever an eligible node can serve; due ``window`` after the click.
- ``capacity_aware``: accept only if the promise model's predicted click-to-door (its
  ``predictor.quantile``) at the chosen node is within ``window``; otherwise reject
  (reason ``capacity``) or offer the first later slot the prediction meets (due
  ``window + k * slot``, k <= ``max_slots``), which the customer takes with probability
  ``slot_acceptance`` (else reason ``slot_declined``).
- ``dynamic_radius``: a node's radius shrinks while its predicted preparation is long:
  ``r = clamp((window - excess) * speed / detour, min_radius, radius)``, where
  ``excess`` is the predicted click-to-door beyond the ride at the node's current queue
  state and ``speed`` its couriers' speed. Orders the shrunken circles leave out are
  rejected as ``out_of_radius`` or served by another node whose circle still covers them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Protocol

from sim.core.registry import narrow
from sim.demand.order import Order
from sim.fulfillment.context import PolicyContext
from sim.fulfillment.node import FulfilmentNode
from sim.scenario.schema import (
    CapacityAwarePromiseSpec,
    DynamicRadiusPromiseSpec,
    FixedPromiseSpec,
    PromiseSpec,
)

CAPACITY = "capacity"
SLOT_DECLINED = "slot_declined"


class PromisePolicy(Protocol):
    """Decides eligibility and acceptance of online orders."""

    window: float

    def eligible(self, order: Order, nodes: Sequence[FulfilmentNode]) -> list[FulfilmentNode]:
        """Nodes that may serve ``order`` (empty: rejected as out of radius)."""
        ...

    def promise(self, order: Order, nodes: Sequence[FulfilmentNode]) -> str | None:
        """Promise ``order`` served from ``nodes``: set ``order.due`` and return None, or
        return a rejection reason."""
        ...

    def radius_of(self, node: FulfilmentNode) -> float:
        """The service radius of ``node`` now (metres)."""
        ...


class FixedPromise:
    """Accept every order that a node within ``radius`` can serve; promise ``window``."""

    def __init__(self, ctx: PolicyContext,
                 spec: FixedPromiseSpec | CapacityAwarePromiseSpec | DynamicRadiusPromiseSpec
                 ) -> None:
        self.window: float = spec.window
        self.radius: float = spec.radius

    def eligible(self, order: Order, nodes: Sequence[FulfilmentNode]) -> list[FulfilmentNode]:
        r = self.radius
        return [n for n in nodes if n.place.euclid(order.place) <= r]

    def promise(self, order: Order, nodes: Sequence[FulfilmentNode]) -> str | None:
        order.due = order.created + self.window
        return None

    def radius_of(self, node: FulfilmentNode) -> float:
        return self.radius


class CapacityAwarePromise(FixedPromise):
    """Accept only when the predicted click-to-door meets the window (or a later slot)."""

    def __init__(self, ctx: PolicyContext, spec: CapacityAwarePromiseSpec) -> None:
        super().__init__(ctx, spec)
        self.spec = spec
        self.predictor = ctx.predictor()
        self._rng = ctx.env.streams("promise/slots")

    def promise(self, order: Order, nodes: Sequence[FulfilmentNode]) -> str | None:
        predicted = max(self.predictor.predict(n, order) for n in nodes)
        spec, window = self.spec, self.window
        if predicted <= window:
            order.due = order.created + window
            return None
        if spec.when_late == "reject":
            return CAPACITY
        k = math.ceil((predicted - window) / spec.slot - 1e-9)
        if k > spec.max_slots:
            return CAPACITY
        if self._rng.random() >= spec.slot_acceptance:
            return SLOT_DECLINED
        order.due = order.created + window + k * spec.slot
        return None


class DynamicRadiusPromise(FixedPromise):
    """Shrink each node's radius while its predicted preparation time is long."""

    def __init__(self, ctx: PolicyContext, spec: DynamicRadiusPromiseSpec) -> None:
        super().__init__(ctx, spec)
        self.min_radius: float = spec.min_radius
        self.detour: float = spec.detour
        self.predictor = ctx.predictor()

    def radius_of(self, node: FulfilmentNode) -> float:
        left = self.window - self.predictor.excess(node)[0]
        reach = left * node.fleet.vehicle.speed / self.detour
        return min(self.radius, max(self.min_radius, reach))

    def eligible(self, order: Order, nodes: Sequence[FulfilmentNode]) -> list[FulfilmentNode]:
        out = []
        for n in nodes:
            d = n.place.euclid(order.place)
            if d <= self.min_radius or (d <= self.radius and d <= self.radius_of(n)):
                out.append(n)
        return out


PromiseFactory = Callable[[PolicyContext, PromiseSpec], PromisePolicy]

PROMISE_POLICIES: dict[str, PromiseFactory] = {
    "fixed": lambda ctx, spec: FixedPromise(ctx, narrow(FixedPromiseSpec, spec)),
    "capacity_aware": lambda ctx, spec: CapacityAwarePromise(
        ctx, narrow(CapacityAwarePromiseSpec, spec)),
    "dynamic_radius": lambda ctx, spec: DynamicRadiusPromise(
        ctx, narrow(DynamicRadiusPromiseSpec, spec)),
}
"""Promise policies by the ``policy`` tag of their scenario entry."""


def make_promise(ctx: PolicyContext, spec: PromiseSpec) -> PromisePolicy:
    """The promise policy ``spec`` describes."""
    return PROMISE_POLICIES[spec.policy](ctx, spec)
