"""Promise policies: fixed, capacity-aware (reject or later slot) and dynamic radius."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from sim.core.records import REJECTED
from sim.demand.order import Order
from sim.fulfillment.context import PolicyContext
from sim.fulfillment.promise import CapacityAwarePromise, FixedPromise
from sim.model import Model
from sim.runner import run
from sim.scenario.schema import CapacityAwarePromiseSpec, FixedPromiseSpec

OVERLOADED = ("store_defaults.couriers.count=3", "run.duration=3h")
"""Three couriers a store for ~50 orders an hour each: queues build all run long."""


def test_fixed_promise_is_due_one_window_after_the_click(make_scenario):
    """Every accepted order under the fixed promise is due window after it was created."""
    orders = run(make_scenario()).records["orders"]
    accepted = orders[orders["status"] != REJECTED]
    assert np.allclose(accepted["due"] - accepted["created"], 1800.0)


def test_capacity_aware_accepts_only_orders_predicted_within_the_window(make_scenario):
    """Every accepted order had a prediction within the window when it was accepted; the
    rest are rejected for capacity, and the promise is kept far more often than under
    the fixed promise."""
    fixed = run(make_scenario(*OVERLOADED))
    aware = run(make_scenario(*OVERLOADED, "promise={policy: capacity_aware}"))
    orders = aware.records["orders"]
    pred = aware.records["predictions"].merge(orders[["order_id", "status"]], on="order_id")
    assert len(pred) == int((orders["status"] != REJECTED).sum())
    assert (pred["predicted_s"] <= 1800.0 + 1e-6).all()
    reasons = aware.metrics["orders"]["rejected"]["by_reason"]
    assert reasons.get("capacity", 0) > 50
    assert aware.metrics["sla"]["on_time_rate"] > fixed.metrics["sla"]["on_time_rate"] + 0.3


def test_later_slots_are_whole_slots_after_the_window(make_scenario):
    """Orders predicted late are offered the first slot their prediction meets; those
    who take it are due window + k slots (k <= max_slots), the others decline."""
    result = run(make_scenario(*OVERLOADED, "promise={policy: capacity_aware, when_late: "
                               "later_slot, slot: 20min, max_slots: 3, slot_acceptance: 0.5}"))
    orders = result.records["orders"]
    accepted = orders[orders["status"] != REJECTED]
    k = (accepted["due"] - accepted["created"] - 1800.0) / 1200.0
    assert np.allclose(k, np.round(k)) and k.between(0, 3).all() and (k > 0).sum() > 10
    pred = result.records["predictions"].set_index("order_id")["predicted_s"]
    late = accepted[k > 0]
    slot_k = np.round(k[k > 0]).to_numpy()
    p = pred[late["order_id"]].to_numpy()
    assert (p > 1800.0 + (slot_k - 1) * 1200.0).all() and (p <= 1800.0 + slot_k * 1200.0).all()
    reasons = result.metrics["orders"]["rejected"]["by_reason"]
    assert reasons.get("slot_declined", 0) > 10
    promise = result.metrics["promise"]
    assert promise["later_slot_orders"] > 0 and promise["on_time_to_due_rate"] is not None


def test_dynamic_radius_shrinks_with_the_predicted_preparation(make_scenario):
    """The radius is the distance couriers cover in the time the prediction leaves,
    clamped to [min_radius, radius]."""
    model = Model(make_scenario("promise={policy: dynamic_radius, min_radius: 1km, "
                                "radius: 3km, detour: 1.25}"))
    west = model.stores[0]
    assert model.promise.radius_of(west) == 3000.0        # nothing learned: full radius
    line = model.ctx.predictor()._model("west")
    line.update(0, 0, 1500.0, 0.9, 15.0)                   # waits of 25 min at west
    excess = model.ctx.predictor().excess(west)[0]
    speed = west.fleet.vehicle.speed
    assert model.promise.radius_of(west) == pytest.approx(
        max(1000.0, (1800.0 - excess) * speed / 1.25))
    assert model.promise.radius_of(west) < 3000.0
    line.update(0, 0, 1e5, 0.9, 15.0)
    line.w[0] = 1e5
    assert model.promise.radius_of(west) == 1000.0
    near = Order(0, model.env.now, model.network.place(1500, 2000), ((1, 1),), 1)
    far = Order(1, model.env.now, model.network.place(2500, 2000), ((1, 1),), 1)
    assert west in model.promise.eligible(near, [west])
    assert west not in model.promise.eligible(far, [west])


def test_dynamic_radius_turns_away_far_customers_under_load(make_scenario):
    """Overloaded, the shrunken circles reject far customers as out of radius, and every
    accepted customer was inside its node's radius at the time."""
    result = run(make_scenario(*OVERLOADED, "promise={policy: dynamic_radius, "
                               "min_radius: 800m}"))
    assert result.metrics["orders"]["rejected"]["by_reason"].get("out_of_radius", 0) > 20
    pred = result.records["predictions"].merge(result.records["orders"], on="order_id")
    where = {"west": (1000.0, 2000.0), "east": (3000.0, 2000.0)}
    dist = [math.hypot(r.x - where[r.node_x][0], r.y - where[r.node_x][1])
            for r in pred.itertuples()]
    assert (np.asarray(dist) <= pred["radius_m"].to_numpy() + 1e-6).all()
    assert pred["radius_m"].between(800.0, 3000.0).all() and pred["radius_m"].min() < 3000


# ---------------------------------------------------------------- the policies on their own


class Predicted:
    """A promise model that predicts the same click-to-door for every node."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def predict(self, node: object, order: Order) -> float:
        """The fixed prediction."""
        return self.seconds


class Context(PolicyContext):
    """A policy context on the tiny scenario's network, with no nodes, whose promise
    model predicts ``seconds`` everywhere."""

    def __init__(self, tiny, seconds: float = 0.0) -> None:
        model = Model(tiny)
        super().__init__(model.env, tiny, model.network, [])
        self.seconds = seconds

    def predictor(self):
        """The stand-in promise model."""
        return Predicted(self.seconds)


def test_fixed_promise_on_its_own(tiny):
    """Nodes within the radius are eligible; an accepted order is due one window on."""
    ctx = Context(tiny)
    policy = FixedPromise(ctx, FixedPromiseSpec(policy="fixed", window="20min", radius="2km"))
    customer = ctx.network.place(3000, 3000)
    near = SimpleNamespace(place=ctx.network.place(3000, 4500))
    far = SimpleNamespace(place=ctx.network.place(3000, 5500))
    order = Order(id=1, created=600.0, place=customer, basket=((0, 1),), units=1)
    assert policy.eligible(order, [near, far]) == [near]
    assert policy.promise(order, [near]) is None and order.due == 600.0 + 1200.0


@pytest.mark.parametrize(("predicted", "due", "reason"), [
    (25 * 60, 30 * 60, None),              # within the window
    (50 * 60, 60 * 60, None),              # 20 min late: two 15-min slots later
    (61 * 60, math.nan, "capacity"),       # three slots needed, two offered
])
def test_later_slots_on_their_own(tiny, predicted, due, reason):
    """A late prediction is offered the first whole slot after the window that meets it,
    up to max_slots; beyond that the order is rejected for capacity."""
    ctx = Context(tiny, predicted)
    spec = CapacityAwarePromiseSpec(policy="capacity_aware", window="30min",
                                    when_late="later_slot", slot="15min", max_slots=2,
                                    slot_acceptance=1.0)
    policy = CapacityAwarePromise(ctx, spec)
    order = Order(id=1, created=0.0, place=ctx.network.place(0, 0), basket=((0, 1),))
    assert policy.promise(order, [SimpleNamespace()]) == reason
    assert order.due == due or (math.isnan(due) and math.isnan(order.due))
