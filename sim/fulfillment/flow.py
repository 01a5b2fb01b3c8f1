"""The order lifecycle from click to hand-over to a node, and after a stock-out.

:class:`OrderFlow` receives each online order as it is created, asks the promise policy
which nodes are eligible, the assignment policy which of them serve it (one node, or
several for a split order), and the promise policy whether to accept it and by when;
then hands it to the node(s). It also carries out the stock-out handler's reroutes and
cancellations. It keeps every order and writes the ``orders`` table (and
``order_parts`` for split orders) when the run ends, so each created order appears
exactly once with its terminal state (delivered, rejected, cancelled) or
``in_progress``.

A split order is one customer order with one shipment per node (see
:mod:`sim.demand.order`). It is delivered when its last shipment is, and its row in
``orders`` carries that shipment's stage times, so click-to-door and on-time mean the
same for split and whole orders: the customer has everything by then. Its ``node`` is
the nodes joined by ``+``. A shipment cancelled after a stock-out leaves the rest of the
order standing; the order is cancelled only if all its shipments are.

Nodes that a calendar event has closed (``PolicyContext.closed``) are left out of the
choice; an order that only a closed node could have served is rejected ``node_closed``.

When vehicles have weight or volume limits, nodes none of whose fleets could carry the
whole order in one trip are left out too; an order no eligible node could carry is
rejected ``too_heavy`` at once (rather than waiting for a courier that never comes).
"""

from __future__ import annotations

from functools import partial

from sim.core.env import SimEnv
from sim.core.records import ORDER_COLUMNS, PART_COLUMNS
from sim.demand.choice import DECLINED, IMPATIENT, CustomerChoice, CustomerPatience
from sim.demand.order import CANCELLED, DELIVERED, REJECTED, Order
from sim.fulfillment.assignment import AssignmentPolicy
from sim.fulfillment.context import PolicyContext
from sim.fulfillment.node import FulfilmentNode
from sim.fulfillment.promise import PromisePolicy
from sim.fulfillment.stockout import StockoutHandling

OUT_OF_RADIUS = "out_of_radius"
OUT_OF_STOCK = "out_of_stock"
NODE_CLOSED = "node_closed"
TOO_HEAVY = "too_heavy"


class OrderFlow:
    """Routes each new order to a node or rejects it with a reason."""

    def __init__(self, ctx: PolicyContext, promise: PromisePolicy,
                 assignment: AssignmentPolicy, stockouts: StockoutHandling,
                 choice: CustomerChoice | None = None,
                 patience: CustomerPatience | None = None) -> None:
        self.ctx, self.env = ctx, ctx.env
        self.choice, self.patience = choice, patience
        self._by_name = {node.name: node for node in ctx.nodes}
        self.nodes = ctx.nodes
        self.promise, self.assignment = promise, assignment
        self.fallback = assignment.fallback is not None
        self.stockouts = stockouts
        self.orders: list[Order] = []
        # some vehicle limits weight or volume: orders are matched to nodes that carry them
        self.weighed = any(k.limits_payload for n in ctx.nodes for k in n.fleet.types)
        env: SimEnv = ctx.env
        if assignment.splits:
            env.hooks.order_delivered.on(self._delivered)
        env.recorder.on_finish(self._write)

    def _write(self) -> None:
        recorder = self.env.recorder
        recorder.table("orders", ORDER_COLUMNS).rows.extend(o.row() for o in self.orders)
        parts = [p.part_row() for o in self.orders if o.parts for p in o.parts]
        if parts:
            recorder.table("order_parts", PART_COLUMNS).rows.extend(parts)

    def submit(self, order: Order) -> None:
        """Decide a new order now: accept it at a node (or nodes) or reject it."""
        env = self.env
        self.orders.append(order)
        env.hooks.order_created.emit(order)
        eligible = self.promise.eligible(order, self.nodes)
        shut = False  # a node that could have taken the order is closed (calendar event)
        if self.ctx.closed and eligible:
            open_nodes = self.open(eligible)
            shut, eligible = len(open_nodes) < len(eligible), open_nodes
        if not eligible and not self.fallback:
            self.reject(order, NODE_CLOSED if shut else OUT_OF_RADIUS)
            return
        if self.weighed and eligible:
            eligible = [n for n in eligible if self.carries(n, order)]
            if not eligible:
                self.reject(order, TOO_HEAVY)
                return
        plan = self.assignment.plan(order, eligible)
        if not plan:
            self.reject(order, OUT_OF_STOCK if eligible else
                        NODE_CLOSED if shut else OUT_OF_RADIUS)
            return
        if self.weighed and len(plan) == 1 and not self.carries(plan[0][0], order):
            self.reject(order, TOO_HEAVY)  # a fallback node that cannot carry it
            return
        reason = self.promise.promise(order, [node for node, _ in plan])
        if reason is None and self.choice is not None \
                and not self.choice.orders(order.id, order.due - env.now):
            reason = DECLINED  # the customer saw the quote and did not order
        if reason is not None:
            self.reject(order, reason)
            return
        order.accepted = env.now
        if len(plan) == 1:
            node = plan[0][0]
            order.node = node.name
            env.hooks.order_accepted.emit(order)
            self._hand(node, order)
            return
        order.node = "+".join(node.name for node, _ in plan)
        order.parts = [order.shipment(k, node.name, lines)
                       for k, (node, lines) in enumerate(plan)]
        order.open_parts = len(plan)
        env.hooks.order_accepted.emit(order)
        for (node, _), part in zip(plan, order.parts, strict=True):
            self.stockouts.event(part, node.name, "split", -1, part.units)
            self._hand(node, part)

    @staticmethod
    def carries(node: FulfilmentNode, order: Order) -> bool:
        """True when one of ``node``'s fleets can carry ``order`` in one trip."""
        return any(kind.fits((order,)) for kind in node.fleet.types)

    def open(self, nodes: list[FulfilmentNode]) -> list[FulfilmentNode]:
        """``nodes`` without those a calendar event has closed."""
        closed = self.ctx.closed
        return [n for n in nodes if n.name not in closed] if closed else nodes

    def _hand(self, node: FulfilmentNode, order: Order) -> None:
        if self.ctx.has_predictor:  # the promise model is in use
            self.ctx.predictor().note(order, node, self.promise.radius_of(node))
        self.env.hooks.order_at_node.emit(order, node.name)
        if self.patience is not None:
            customer = order.parent if order.parent is not None else order
            wait = self.patience.of(customer.id)
            order.gives_up = self.env.now + wait
            self.env.timeout(wait).callbacks.append(partial(self._give_up, order))
        node.accept(order)

    def _give_up(self, order: Order, _event: object) -> None:
        """The customer's patience ran out: cancel the order (or shipment) if its node
        still holds it. The node is asked even for an order that is done or gone, so it
        drops what it kept for the customer's cancellation."""
        node = self._by_name[order.node]
        if node.give_up(order):
            self.cancel(order, node, IMPATIENT)

    def reject(self, order: Order, reason: str) -> None:
        """Turn ``order`` away with ``reason``."""
        order.status = REJECTED
        order.reason = reason
        self.env.hooks.order_rejected.emit(order)

    # ------------------------------------------------------------------ after stock-outs

    def reroute_target(self, order: Order, node: FulfilmentNode) -> FulfilmentNode | None:
        """Another node that can take ``order`` (or shipment) whole now, or None."""
        eligible = self.open(self.promise.eligible(order, self.nodes))
        return self.assignment.reroute(order, eligible, node)

    def reroute(self, order: Order, old: FulfilmentNode, new: FulfilmentNode) -> None:
        """Move ``order`` from ``old`` (which let it go) to ``new``."""
        self.stockouts.event(order, old.name, "rerouted", -1, order.units, new.name)
        hooks = self.env.hooks
        hooks.order_left_node.emit(order, old.name)
        if self.ctx.has_predictor:
            self.ctx.predictor().forget(order)
        order.node = new.name
        hooks.order_at_node.emit(order, new.name)
        new.accept(order)

    def cancel(self, order: Order, node: FulfilmentNode, reason: str) -> None:
        """Cancel ``order`` (or one shipment of a split order) at ``node``."""
        self.stockouts.event(order, node.name, "cancelled", -1, order.units, reason)
        self.env.hooks.order_left_node.emit(order, node.name)
        order.status = CANCELLED
        order.reason = reason
        self.env.hooks.order_cancelled.emit(order)
        if order.parent is not None:
            self._part_done(order)

    def _delivered(self, order: Order) -> None:
        if order.parent is not None:
            self._part_done(order)

    def _part_done(self, part: Order) -> None:
        """A shipment finished; finish its order when it was the last."""
        parent = part.parent
        assert parent is not None and parent.parts is not None
        parent.open_parts -= 1
        if parent.open_parts > 0:
            return
        done = [p for p in parent.parts if p.status == DELIVERED]
        if not done:
            parent.status, parent.reason = CANCELLED, part.reason
            return
        last = max(done, key=lambda p: (p.delivered, p.part))
        parent.pick_start, parent.pick_end, parent.ready = (last.pick_start, last.pick_end,
                                                            last.ready)
        parent.dispatched, parent.delivered = last.dispatched, last.delivered
        parent.courier, parent.trip = last.courier, last.trip
        parent.status = DELIVERED
