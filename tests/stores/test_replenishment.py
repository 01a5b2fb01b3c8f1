"""Replenishment policies order the right quantities at the right times."""

from __future__ import annotations

import numpy as np
import pytest
import simpy
from scipy.stats import norm

from sim.core.env import SimEnv
from sim.runner import run
from sim.scenario.schema import (
    ForecastReplenishment,
    NoReplenishmentSpec,
    RQReplenishment,
    RSReplenishment,
    SSReplenishment,
)
from sim.stores.forecast import DemandForecast, fill_rate_factor, normal_loss
from sim.stores.inventory import ShelfStock
from sim.stores.replenishment import (
    ForecastPolicy,
    RQPolicy,
    RSPolicy,
    SSPolicy,
    StockPlan,
    make_replenishment,
)


class FakeSupplier:
    """A supplier that records orders and delivers them after a fixed delay."""

    name = "fake"

    def __init__(self, env: SimEnv, delay: float = 3600.0) -> None:
        self.env, self.delay = env, delay
        self.orders: list[tuple[float, str, list[tuple[int, int]]]] = []

    def ship(self, store: str, lines) -> simpy.Event:
        """Record the order; deliver it in full after ``delay``."""
        self.orders.append((self.env.now, store, list(lines)))
        event = self.env.event()
        self.env.timeout(self.delay).callbacks.append(lambda _: event.succeed(list(lines)))
        return event


def plan(daily: list[float]) -> StockPlan:
    """A plan with the given daily units per SKU and a flat day."""
    return StockPlan(np.asarray(daily, dtype=float), np.ones(24))


def test_continuous_ss_orders_up_to_big_s_when_the_position_reaches_s(tiny):
    """After each sale that brings the position to s, the order lifts it back to S."""
    env = SimEnv(tiny, 0)
    stock = ShelfStock(env, "n", [6, 6])
    supplier = FakeSupplier(env)
    spec = SSReplenishment(policy="sS", supplier="fake", s=3, S=8, levels_in="units")
    policy = SSPolicy(env, spec, "n", stock, supplier, plan([1, 1]))
    policy.start()
    stock.take_available(((0, 2),), "walkin")   # position 4: nothing
    assert supplier.orders == []
    stock.take_available(((0, 1),), "walkin")   # position 3 = s: order 5
    assert supplier.orders == [(env.now, "n", [(0, 5)])]
    stock.take_available(((0, 3),), "walkin")   # position 0 + 5 on order = 5: nothing
    assert len(supplier.orders) == 1
    env.run(until=env.now + 3601)
    assert stock.levels == [5, 6] and stock.on_order == [0, 0] and stock.imbalances() == []


def test_periodic_rs_orders_up_to_s_at_review_times_only(tiny):
    """An (R, S) policy orders only at its review clock times, S minus the position."""
    env = SimEnv(tiny, 0)  # starts at 10:00
    stock = ShelfStock(env, "n", [10, 2])
    supplier = FakeSupplier(env)
    spec = RSReplenishment(policy="RS", supplier="fake", S=10, review="4h", review_at="03:00",
                           levels_in="units")
    RSPolicy(env, spec, "n", stock, supplier, plan([1, 1])).start()
    env.run(until=11 * 3600 - 1)
    assert supplier.orders == []
    env.run(until=11 * 3600 + 1)               # 03:00 + 2 x 4h = 11:00
    assert supplier.orders == [(11 * 3600, "n", [(1, 8)])]


def test_rq_orders_whole_multiples_of_q(tiny):
    """(r, Q) orders the smallest multiple of Q that lifts the position above r."""
    env = SimEnv(tiny, 0)
    stock = ShelfStock(env, "n", [10])
    supplier = FakeSupplier(env)
    spec = RQReplenishment(policy="rQ", supplier="fake", r=4, Q=3, levels_in="units")
    RQPolicy(env, spec, "n", stock, supplier, plan([1])).start()
    stock.take_available(((0, 9),), "walkin")   # position 1 <= 4: 2 x 3 = 6 lifts it to 7
    assert supplier.orders[-1][2] == [(0, 6)]


def test_levels_in_days_round_reorder_points_to_nearest_and_targets_up(tiny):
    """Days of demand become units: s to the nearest unit, S up and at least s + 1."""
    env = SimEnv(tiny, 0)
    stock = ShelfStock(env, "n", [0, 0, 0])
    spec = SSReplenishment(policy="sS", supplier="fake", s=0.5, S=1.2)
    policy = SSPolicy(env, spec, "n", stock, FakeSupplier(env), plan([9.0, 3.0, 0.1]))
    assert policy.s.tolist() == [5, 2, 0]       # 4.5 -> 5 (half up), 1.5 -> 2, 0.05 -> 0
    assert policy.S.tolist() == [11, 4, 1]      # 10.8 -> 11, 3.6 -> 4, 0.12 -> 1


def test_normal_loss_inverse_matches_its_definition():
    """fill_rate_factor inverts G(k) = E[(Z - k)+], checked by numeric integration."""
    z = np.linspace(-10, 10, 200001)
    dz = z[1] - z[0]
    for k in (-1.0, 0.0, 0.7, 2.0):
        integral = float(np.sum(np.maximum(z - k, 0) * norm.pdf(z)) * dz)
        assert normal_loss(np.array([k]))[0] == pytest.approx(integral, abs=1e-6)
    ratios = normal_loss(np.array([-1.0, 0.0, 0.7, 2.0]))
    assert fill_rate_factor(ratios) == pytest.approx([-1.0, 0.0, 0.7, 2.0], abs=1e-6)


def test_forecast_learns_a_rate_and_the_shape_of_the_day():
    """Fed Poisson sales with a known rate and hourly shape, the smoothed forecast finds
    both although it started from a wrong plan."""
    rng = np.random.default_rng(5)
    shape = np.array([0.2] * 8 + [1.0] * 8 + [1.8] * 8)
    shape *= 24 / shape.sum()
    rate = np.array([40.0, 5.0])                     # units per average hour
    f = DemandForecast(rate * 2, np.ones(24), alpha=0.05, gamma=0.3, beta=0.05)
    for _ in range(30):
        for h in range(24):
            f.observe(h, rng.poisson(rate * shape[h]).astype(float))
    assert f.level == pytest.approx(rate, rel=0.15)
    day, evening = f.season[8:16].mean(), f.season[16:24].mean()
    assert day / evening == pytest.approx(1.0 / 1.8, rel=0.1)
    mean, var = f.expected(0.0, 86400.0)
    assert mean == pytest.approx(rate * 24, rel=0.15)
    assert (var >= mean - 1e-9).all()                # never below Poisson


FORECAST_SKU = """
name: one_sku
run: {start: 0, duration: 30d, warmup: 3d, drain: 0}
city: {width: 1km, height: 1km}
catalog: {skus: 1}
demand:
  online: {orders_per_day: 0, profile: flat, basket: {lines: 1}}
  walkin: {profile: flat, basket: {lines: 1, units_per_line: 1}}
vehicles: {bike: {speed: 5m/s}}
suppliers: {dc: {kind: dc, lead_time: 2h}}
stores:
  - name: s
    location: [500m, 500m]
    pickers: 1
    pick_time_per_order: 1s
    pick_time_per_item: 1s
    couriers: {count: 0, vehicle: bike}
    stock: {cover_days: 1, min_units: 0}
    walkins_per_day: 120
    replenishment: {policy: forecast, supplier: dc, review: 6h, lead_time: 2h,
                    target_fill_rate: 0.95}
"""


def test_forecast_policy_reaches_about_its_target_fill_rate(make_scenario):
    """One SKU with Poisson demand: the forecast policy's walk-in fill rate lands near its
    0.95 target (the normal approximation and learning keep it from being exact)."""
    fills = [run(make_scenario(text=FORECAST_SKU), seed).metrics["inventory"]
             ["walkin_fill_rate"] for seed in range(3)]
    assert 0.93 < float(np.mean(fills)) < 0.99


def test_forecast_spec_defaults_are_valid():
    """The forecast policy's defaults validate (a review period, a planning lead time)."""
    spec = ForecastReplenishment(policy="forecast", supplier="dc")
    assert spec.review == 4 * 3600 and 0 < spec.target_fill_rate < 1


def test_forecast_policy_orders_from_the_plan_before_it_has_learned(tiny):
    """At the first review the order-up-to level comes from the plan's demand."""
    env = SimEnv(tiny, 0)
    stock = ShelfStock(env, "n", [0, 0])
    supplier = FakeSupplier(env)
    spec = ForecastReplenishment(policy="forecast", supplier="fake", review="4h",
                                 review_at="10:00", lead_time="2h", target_fill_rate=0.99)
    policy = ForecastPolicy(env, spec, "n", stock, supplier, plan([240.0, 24.0]))
    policy.start()
    env.run(until=env.now + 1)
    (_, _, lines), = supplier.orders
    # a flat day: lead time + review = 6 h of demand, Poisson spread, a 4 h cycle
    mean = np.array([60.0, 6.0])
    sigma = np.sqrt(mean)
    k = fill_rate_factor(0.01 * mean * 4 / 6 / sigma)
    assert (k > 1).all()                              # a 99% target needs safety stock
    assert lines == list(enumerate(np.ceil(mean + k * sigma).astype(int).tolist()))


def test_suppliers_are_found_by_name_among_centres_and_supplying_nodes(make_scenario):
    """A replenishment policy's supplier may be a distribution centre or a node that
    ships (a robot warehouse); an unknown name is an input error."""
    from sim.model import Model
    from sim.scenario import ScenarioError

    model = Model(make_scenario("suppliers={dc: {kind: dc, lead_time: 1h}}"))
    assert model.supplier("dc").name == "dc"

    class ShippingNode:
        name, kind = "wh", "warehouse"

        def ship(self, store, lines):
            return model.env.event()

    node = ShippingNode()
    model.supplying_nodes["wh"] = node
    assert model.supplier("wh") is node
    with pytest.raises(ScenarioError, match="unknown supplier 'nope'; suppliers: dc, wh"):
        model.supplier("nope")


def test_the_registry_finds_the_supplier_only_for_policies_that_order(tiny):
    """``none`` never asks for a supplier; an ordering policy asks for the one its spec
    names and orders from it."""
    env = SimEnv(tiny, 0)
    asked: list[str] = []
    supplier = FakeSupplier(env)

    def find(name: str) -> FakeSupplier:
        asked.append(name)
        return supplier

    make_replenishment(env, NoReplenishmentSpec(policy="none"), "n",
                       ShelfStock(env, "n", [1]), find, plan([1])).start()
    assert asked == []
    stock = ShelfStock(env, "n", [2])
    spec = SSReplenishment(policy="sS", supplier="dc", s=1, S=4, levels_in="units")
    make_replenishment(env, spec, "n", stock, find, plan([1])).start()
    stock.take_available(((0, 1),), "walkin")
    assert asked == ["dc"] and supplier.orders == [(env.now, "n", [(0, 3)])]
