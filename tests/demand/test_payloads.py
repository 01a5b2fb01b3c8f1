"""SKU weights and volumes: drawn once per SKU from their own stream, summed per order,
split with the basket, and invisible to every other draw."""

from __future__ import annotations

import pytest

from sim.city.network import Place
from sim.core.rng import RandomStreams
from sim.demand.catalog import SkuPayload
from sim.demand.order import Order
from sim.runner import run
from sim.scenario import Scenario
from sim.scenario.demand import CatalogSpec
from sim.scenario.loading import read_scenario
from tests.conftest import SCENARIOS


def test_no_distributions_no_payloads() -> None:
    """A catalogue without weights and volumes draws nothing (payloads are off)."""
    assert SkuPayload.draw(CatalogSpec(skus=10), RandomStreams(1)) is None


def test_payloads_are_drawn_per_sku_and_summed_per_basket() -> None:
    """Constant unit figures: a basket weighs units x kg summed over its lines; a
    catalogue with weights only has volumes of 0; the draw is the same for the seed."""
    spec = CatalogSpec.model_validate({"skus": 5, "weight_kg": 0.25, "volume_litres": 1.5})
    payloads = SkuPayload.draw(spec, RandomStreams(7))
    assert payloads is not None
    assert payloads.kg == [0.25] * 5 and payloads.litres == [1.5] * 5
    assert payloads.of(((0, 2), (3, 1))) == (0.75, 4.5)
    spec = CatalogSpec.model_validate(
        {"skus": 200, "weight_kg": {"dist": "lognormal", "mean": 0.5, "sd": 0.6}})
    a, b = SkuPayload.draw(spec, RandomStreams(7)), SkuPayload.draw(spec, RandomStreams(7))
    assert a is not None and b is not None and a.kg == b.kg and a.litres == [0.0] * 200
    assert min(a.kg) > 0 and len(set(a.kg)) == 200
    assert sum(a.kg) / 200 == pytest.approx(0.5, rel=0.2)


def test_a_shipment_weighs_its_share() -> None:
    """A split order's shipment weighs its own lines, not the whole basket."""
    spec = CatalogSpec.model_validate({"skus": 3, "weight_kg": 2.0, "volume_litres": 0.5})
    payloads = SkuPayload.draw(spec, RandomStreams(0))
    order = Order(1, 0.0, Place(0.0, 0.0, 0, 0.0), ((0, 1), (1, 3)), 4).weigh(payloads)
    assert (order.weight, order.volume) == (8.0, 2.0)
    part = order.shipment(0, "a", ((1, 3),))
    assert (part.weight, part.volume) == (6.0, 1.5)


def _short(scenario: str, *sets: str) -> Scenario:
    return read_scenario(SCENARIOS / scenario, ["run.start=11:00", "run.duration=20min",
                                                "run.warmup=5min", *sets])


def test_weights_change_no_other_draw() -> None:
    """Weighing goods (with no limit to bind) changes neither the orders drawn nor what
    happens to them: the payload stream is a stream of its own."""
    plain = run(_short("hema_city.yaml")).records
    weighed = run(_short("hema_city.yaml", "catalog.weight_kg={dist: gamma, mean: 1, sd: 1}",
                         "catalog.volume_litres=2")).records
    assert plain["orders"].equals(weighed["orders"])
    assert plain["trips"].equals(weighed["trips"])
    assert "trip_payloads" not in plain and len(weighed["trip_payloads"]) == len(plain["trips"])
