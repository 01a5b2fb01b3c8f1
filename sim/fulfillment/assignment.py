"""Order-to-node assignment policies: which eligible node(s) serve an order.

A policy's :meth:`~AssignmentPolicy.plan` returns the nodes that serve an order with the
lines each picks: one node with the whole basket, several for a split order, or nothing
when no eligible node can serve it (the order is then rejected as out of stock).

- ``nearest``: the eligible node nearest by road that can serve the whole basket.
- ``inventory_aware``: among able nodes at most ``max_detour`` farther by road than the
  nearest able one, the one with the most days of cover left of the basket's scarcest
  line (``(units available - units ordered) / expected daily demand``); nodes that do
  with unlimited stock count as having ample cover.
- ``load_aware``: the able node with the earliest predicted delivery (the promise model:
  ride plus the learned picker and courier delays at the node's queue state).
- ``split``: the nearest able node; if no node has the whole basket, greedily the nearest
  node covering the most remaining units, then the next, up to ``max_parts`` nodes.

Every policy may name a ``fallback`` kind of node (a robot warehouse): nodes of that kind
are left out of the normal choice and used, nearest by road within the fallback radius
(eligible or not), only when no other node can serve the order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Protocol

from sim.core.registry import narrow
from sim.demand.catalog import Basket
from sim.demand.order import Order
from sim.fulfillment.context import PolicyContext
from sim.fulfillment.node import FulfilmentNode
from sim.scenario.schema import (
    AssignmentSpec,
    FallbackSpec,
    InventoryAwareAssignmentSpec,
    LoadAwareAssignmentSpec,
    NearestAssignmentSpec,
    SplitAssignmentSpec,
)

Plan = list[tuple[FulfilmentNode, Basket]]


class AssignmentPolicy(Protocol):
    """Chooses the node(s) that serve an order."""

    @property
    def splits(self) -> bool:
        """True for policies that may serve one order from several nodes (the flow then
        follows each shipment to finish its order)."""
        ...

    @property
    def fallback(self) -> FallbackSpec | None:
        """The kind of node used when no eligible node can serve an order (None: off);
        with one, an order no node is eligible for still goes to :meth:`plan`."""
        ...

    def plan(self, order: Order, eligible: Sequence[FulfilmentNode]) -> Plan:
        """The nodes to serve ``order`` and the lines of each (empty: none can)."""
        ...

    def reroute(self, order: Order, eligible: Sequence[FulfilmentNode],
                exclude: FulfilmentNode) -> FulfilmentNode | None:
        """A node other than ``exclude`` to take over ``order`` whole (after a stock-out
        there), or None."""
        ...


class SingleNodeAssignment:
    """Base of the policies: one node per order, with the optional fallback."""

    splits = False
    """True for policies that may serve one order from several nodes."""

    def __init__(self, ctx: PolicyContext, spec: NearestAssignmentSpec
                 | InventoryAwareAssignmentSpec | LoadAwareAssignmentSpec
                 | SplitAssignmentSpec) -> None:
        self.ctx = ctx
        self.fallback: FallbackSpec | None = spec.fallback

    def choose(self, order: Order, ranked: list[FulfilmentNode]) -> FulfilmentNode | None:
        """The node among ``ranked`` (primary eligible nodes, nearest by road first) that
        serves ``order`` whole, or None. This base: the nearest that can."""
        basket = order.basket
        return next((n for n in ranked if n.can_serve(basket)), None)

    def ranked(self, order: Order, nodes: Sequence[FulfilmentNode]) -> list[FulfilmentNode]:
        """``nodes`` nearest by road first (ties by position in the list)."""
        if len(nodes) < 2:
            return list(nodes)
        road = self.ctx.road_metres
        return [n for _, _, n in sorted((road(n, order), i, n) for i, n in enumerate(nodes))]

    def _primary(self, eligible: Sequence[FulfilmentNode]) -> Sequence[FulfilmentNode]:
        fb = self.fallback
        return eligible if fb is None else [n for n in eligible if n.kind != fb.kind]

    def _fallback(self, order: Order, exclude: FulfilmentNode | None = None
                  ) -> FulfilmentNode | None:
        fb = self.fallback
        if fb is None:
            return None
        closed = self.ctx.closed
        nodes = [n for n in self.ctx.nodes if n.kind == fb.kind and n is not exclude
                 and n.place.euclid(order.place) <= fb.radius and n.name not in closed]
        return next((n for n in self.ranked(order, nodes) if n.can_serve(order.basket)), None)

    @staticmethod
    def able(order: Order, ranked: list[FulfilmentNode]) -> list[FulfilmentNode]:
        """The nodes of ``ranked`` that can serve the whole basket, in order."""
        basket = order.basket
        return [n for n in ranked if n.can_serve(basket)]

    def plan(self, order: Order, eligible: Sequence[FulfilmentNode]) -> Plan:
        ranked = self.ranked(order, self._primary(eligible))
        node = self.choose(order, ranked) or self._fallback(order)
        return [] if node is None else [(node, order.basket)]

    def reroute(self, order: Order, eligible: Sequence[FulfilmentNode],
                exclude: FulfilmentNode) -> FulfilmentNode | None:
        ranked = self.ranked(order, [n for n in self._primary(eligible) if n is not exclude])
        return self.choose(order, ranked) or self._fallback(order, exclude)


class NearestAssignment(SingleNodeAssignment):
    """The eligible node nearest to the customer by road that has the whole basket."""


class InventoryAwareAssignment(SingleNodeAssignment):
    """Prefer the node with the most cover of the basket, within a detour of the nearest."""

    def __init__(self, ctx: PolicyContext, spec: InventoryAwareAssignmentSpec) -> None:
        super().__init__(ctx, spec)
        self.max_detour: float = spec.max_detour

    @staticmethod
    def cover(node: FulfilmentNode, basket: Basket) -> float:
        """Days of cover left of the basket's scarcest line if ``node`` serves it."""
        stock = node.stock
        if stock.unlimited:
            return math.inf
        daily = stock.daily
        return min((stock.available(sku) - qty) / max(daily[sku], 1e-9) for sku, qty in basket)

    def choose(self, order: Order, ranked: list[FulfilmentNode]) -> FulfilmentNode | None:
        able = self.able(order, ranked)
        if len(able) <= 1:
            return able[0] if able else None
        road = self.ctx.road_metres
        limit = road(able[0], order) + self.max_detour
        near = [n for n in able if road(n, order) <= limit]
        return max(enumerate(near), key=lambda item: (self.cover(item[1], order.basket),
                                                      -item[0]))[1]


class LoadAwareAssignment(SingleNodeAssignment):
    """The able node with the earliest predicted delivery."""

    def __init__(self, ctx: PolicyContext, spec: LoadAwareAssignmentSpec) -> None:
        super().__init__(ctx, spec)
        self.predictor = ctx.predictor()

    def choose(self, order: Order, ranked: list[FulfilmentNode]) -> FulfilmentNode | None:
        able = self.able(order, ranked)
        if len(able) <= 1:
            return able[0] if able else None
        predict = self.predictor.predict
        return min(enumerate(able), key=lambda item: (predict(item[1], order), item[0]))[1]


class SplitAssignment(SingleNodeAssignment):
    """The nearest able node, else the basket split across up to ``max_parts`` nodes."""

    splits = True

    def __init__(self, ctx: PolicyContext, spec: SplitAssignmentSpec) -> None:
        super().__init__(ctx, spec)
        self.max_parts: int = spec.max_parts

    def plan(self, order: Order, eligible: Sequence[FulfilmentNode]) -> Plan:
        whole = super().plan(order, eligible)
        if whole or len(order.basket) < 2:
            return whole
        return self.split(order, self.ranked(order, self._primary(eligible)))

    def split(self, order: Order, nodes: list[FulfilmentNode]) -> Plan:
        """Greedy cover of the basket's lines by the nearest nodes, or [] if it fails."""
        left = list(order.basket)
        parts: Plan = []
        can = {id(n): [line for line in left if n.can_serve((line,))] for n in nodes}
        used: set[int] = set()
        while left and len(parts) < self.max_parts:
            best: FulfilmentNode | None = None
            lines: list[tuple[int, int]] = []
            for n in nodes:
                if id(n) in used:
                    continue
                mine = [line for line in can[id(n)] if line in left]
                if sum(q for _, q in mine) > sum(q for _, q in lines):
                    best, lines = n, mine
            if best is None:
                return []
            used.add(id(best))
            parts.append((best, tuple(lines)))
            left = [line for line in left if line not in lines]
        return parts if not left else []


AssignmentFactory = Callable[[PolicyContext, AssignmentSpec], AssignmentPolicy]

ASSIGNMENT_POLICIES: dict[str, AssignmentFactory] = {
    "nearest": lambda ctx, spec: NearestAssignment(ctx, narrow(NearestAssignmentSpec, spec)),
    "inventory_aware": lambda ctx, spec: InventoryAwareAssignment(
        ctx, narrow(InventoryAwareAssignmentSpec, spec)),
    "load_aware": lambda ctx, spec: LoadAwareAssignment(
        ctx, narrow(LoadAwareAssignmentSpec, spec)),
    "split": lambda ctx, spec: SplitAssignment(ctx, narrow(SplitAssignmentSpec, spec)),
}
"""Assignment policies by the ``policy`` tag of their scenario entry."""


def make_assignment(ctx: PolicyContext, spec: AssignmentSpec) -> AssignmentPolicy:
    """The assignment policy ``spec`` describes."""
    return ASSIGNMENT_POLICIES[spec.policy](ctx, spec)
