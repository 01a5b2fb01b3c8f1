"""Shared fixtures: a tiny canonical scenario that every test can bend with overrides.

``make_scenario(*overrides)`` parses :data:`TINY` with ``--set``-style overrides, so a
test states only what it changes (``"stores[0].pickers=1"``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sim.scenario import Scenario, parse_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"

TINY = """
name: tiny
seed: 7
run: {start: "10:00", duration: 2h, warmup: 15min, drain: 1h}
city: {width: 4km, height: 4km, network: {kind: grid, block: 250m}}
catalog: {skus: 200, zipf_exponent: 1.0}
demand:
  online:
    orders_per_day: 2400
    profile: flat
    customers: {placement: clustered, spread: 800m}
    basket: {lines: {dist: poisson, mean: 3}, units_per_line: 1}
  walkin:
    profile: flat
    basket: {lines: 3}
promise: {policy: fixed, window: 30min, radius: 3km}
vehicles:
  ebike: {speed: 18km/h, capacity: 3}
store_defaults:
  pickers: 3
  pick_time_per_order: 30s
  pick_time_per_item: {dist: exponential, mean: 10s}
  pack_time: 30s
  couriers: {count: 8, vehicle: ebike, pickup_time: 1min, dropoff_time: 1min}
  stock: {cover_days: 1.0, min_units: 2}
  walkins_per_day: 1200
stores:
  - {name: west, location: [1km, 2km]}
  - {name: east, location: [3km, 2km]}
"""


@pytest.fixture
def make_scenario() -> Callable[..., Scenario]:
    """Build the tiny scenario with ``PATH=VALUE`` overrides applied."""

    def make(*overrides: str, text: str = TINY) -> Scenario:
        return parse_scenario(text, "tiny.yaml", overrides)

    return make


@pytest.fixture
def tiny(make_scenario: Callable[..., Scenario]) -> Scenario:
    """The tiny scenario as written."""
    return make_scenario()
