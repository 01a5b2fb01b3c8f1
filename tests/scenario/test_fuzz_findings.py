"""Inputs the fuzzer found that validate accepted and the run then crashed or hung on:
each is now refused by validate with one line, or runs (issue 18)."""

from __future__ import annotations

import pytest

from sim.cli import main
from sim.demand.catalog import MAX_UNITS_PER_LINE, mean_units
from sim.runner import run
from tests.conftest import SCENARIOS

SHORT = ["--set", "run.start=17:00", "--set", "run.duration=20min", "--set",
         "run.warmup=5min", "--set", "run.drain=10min"]


@pytest.mark.parametrize(("scenario", "override", "message"), [
    ("drones.yaml", "demand.online.basket.lines.sd=1e300", "sd must be at most 100 x mean"),
    ("hema_city.yaml", "store_defaults.pick_time_per_item.mean=1e-300s",
     "sd must be at most 100 x mean"),
    ("hema_city.yaml", "store_defaults.pick_time_per_order.sd=1e-300s",
     "sd must be at least mean / 1e+06"),
    ("drones.yaml", "vehicles.ebike.speed=1e-300km/h", "a speed below 0.01m/s"),
    ("singles_day.yaml", "events[0].profile[3]=1e300", "events: asks for"),
    ("singles_day.yaml", "calendar.day_types.singles_day.online=1e300",
     "calendar.day_types: asks for"),
])
def test_refused_by_validate(scenario, override, message, capsys):
    """Each was an OverflowError or a numpy ValueError ('lam value too large') at run
    time (exit 1) after validate said ok."""
    assert main(["validate", str(SCENARIOS / scenario), "--set", override]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_huge_baskets_run_bounded(make_scenario):
    """Basket lines of 1e300 overflowed the integer conversion (exit 1) and 1e12 hung
    redrawing one SKU at a time; now a basket is at most the catalogue, completed in one
    draw, and expected units use the same bounds."""
    sc = make_scenario("demand.walkin.basket.lines=1e300",
                       "demand.online.basket.lines=1e12", "run.duration=10min",
                       "run.warmup=0s", "run.drain=10min")
    result = run(sc)
    walkins, orders = result.records["walkins"], result.records["orders"]
    assert len(walkins) > 0 and len(orders) > 0
    assert orders["lines"].max() == sc.catalog.skus  # every SKU, once each
    assert mean_units(sc.demand.online.basket, sc.catalog.skus) == sc.catalog.skus
    big = make_scenario("demand.online.basket.units_per_line=1e300").demand.online.basket
    assert mean_units(big, 10) == 3 * MAX_UNITS_PER_LINE  # 3 lines (Poisson mean)
