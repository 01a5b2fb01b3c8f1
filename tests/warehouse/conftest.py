"""Small canonical warehouse scenarios for the warehouse tests.

``make_wh(*overrides)`` parses :data:`WH` (a city with one small robot warehouse and no
stores) with ``--set``-style overrides; ``run_wh`` runs a scenario and returns the model
and its records. :data:`TINY_MAP` is the hand-checked layout of ``test_event_log``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sim.core.recorder import Records
from sim.model import Model
from sim.scenario import Scenario, parse_scenario

WH = """
name: wh
seed: 5
run: {start: "08:00", duration: 1h, warmup: 15min, drain: 20min}
city: {width: 4km, height: 4km, network: {kind: grid, block: 250m}}
catalog: {skus: 200, zipf_exponent: 1.0}
demand:
  online:
    orders_per_day: 0
    profile: flat
    basket: {lines: 2}
vehicles:
  ebike: {speed: 18km/h, capacity: 1}
warehouses:
  - name: wh
    location: [2km, 2km]
    traffic: abstract
    layout: {kind: generated, blocks: [4, 3], block: [4, 2], stations: 2, lane: 3,
             chargers: 2}
    robots: {count: 10}
    pods: {skus_per_pod: 5, units_per_slot: 20}
    couriers: {count: 3, vehicle: ebike}
    parcels:
      orders_per_day: 6000
      profile: flat
      basket: {lines: {dist: poisson, mean: 2}}
    record: {picks: true, moves: true}
"""

TINY_MAP = """
#po##
....P
#C###
"""


@pytest.fixture
def make_wh() -> Callable[..., Scenario]:
    """Build the small warehouse scenario with ``PATH=VALUE`` overrides applied."""

    def make(*overrides: str, text: str = WH) -> Scenario:
        return parse_scenario(text, "wh.yaml", overrides)

    return make


def run_model(scenario: Scenario, seed: int | None = None) -> tuple[Model, Records]:
    """Build and run ``scenario``; the model (to inspect its warehouses) and records."""
    model = Model(scenario, seed)
    return model, model.run()


@pytest.fixture
def run_wh() -> Callable[..., Any]:
    """Run a scenario: ``model, records = run_wh(scenario)``."""
    return run_model
