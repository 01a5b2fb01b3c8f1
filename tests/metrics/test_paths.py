"""The static list of metric paths is exactly what runs write to metrics.json.

KPI names are checked against :data:`sim.metrics.paths.METRIC_PATHS` before a sweep
starts; these small runs (a city with every optional section switched on, a robot
warehouse, and a city across midnight with a calendar and rosters) pin the list to the
metrics code: every scalar they write matches a path, and every path is written by one
of them.
"""

from __future__ import annotations

from typing import Any

import pytest

from sim.experiments.tables import flatten
from sim.metrics.paths import METRIC_PATHS, metric_names
from sim.runner import run
from sim.scenario import Scenario, parse_scenario, read_scenario
from tests.conftest import SCENARIOS, TINY

CITY = [  # every optional section: predictor, economics, replenishment, solver, rejections
    "run.start=10:00", "run.duration=1h", "run.warmup=10min", "run.drain=30min",
    "promise={policy: capacity_aware, window: 30min, radius: 1500m, when_late: later_slot}",
    "dispatch={policy: batch, window: 1min}",
    "economics={unit_price: 10, courier_hour: 30}",
    "suppliers={dc: {kind: dc, lead_time: 20min}}",
    "store_defaults.replenishment={policy: sS, supplier: dc, levels_in: units, s: 30, "
    "S: 40}",
    "store_defaults.stock={cover_days: 0.02, min_units: 1}",
]
CALENDAR = [  # across midnight under a calendar, rosters and a vehicle's own costs
    "run.start=23:00", "run.duration=2h", "run.warmup=10min", "run.drain=30min",
    "economics={unit_price: 10, courier_hour: 30}",
    "vehicles.ebike.hour_cost=12", "vehicles.ebike.day_cost=5",
    "calendar={day_types: {normal: {}}, default: normal}",
    "store_defaults.couriers.count=[{start: '22:00', end: '00:30', count: 8}, "
    "{start: '00:30', end: '06:00', count: 3}]",
    "store_defaults.pickers={hourly: [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, "
    "3, 3, 3, 3, 3, 3, 2]}",
]
WAREHOUSE = ["run.start=08:00", "run.duration=30min", "run.warmup=5min", "run.drain=10min",
             "warehouses[0].robots.count=60", "warehouses[0].layout.stations=8"]


@pytest.fixture(scope="module")
def runs() -> list[tuple[Scenario, dict[str, Any]]]:
    """Three short runs and their flattened metrics."""
    out = []
    for path, overrides in (("tiny", CITY), ("cainiao_warehouse.yaml", WAREHOUSE),
                            ("tiny", CALENDAR)):
        sc = (parse_scenario(TINY, "tiny.yaml", overrides) if path == "tiny"
              else read_scenario(SCENARIOS / path, overrides))
        out.append((sc, flatten(run(sc, 3).metrics)))
    return out


def test_every_metric_matches_a_path(runs):
    """Each scalar a run writes is one of the listed paths (with its scenario's keys)."""
    for sc, metrics in runs:
        names = metric_names(sc)
        assert [k for k in metrics if k not in names] == [], sc.name


def test_every_path_is_written(runs):
    """Each listed path is written by one of the runs: the list holds nothing stale."""
    written = set()
    for sc, metrics in runs:
        for pattern in METRIC_PATHS:
            if any(k in metric_names(sc, [pattern]) for k in metrics):
                written.add(pattern)
    assert [p for p in METRIC_PATHS if p not in written] == []


def test_names_are_checked_against_the_scenario(tiny):
    """A node, vehicle or resource the scenario lacks, or a misspelt path, is no metric."""
    names = metric_names(tiny)
    assert "sla.on_time_rate" in names
    assert "utilisation.couriers.by_node.west" in names
    assert "routing.by_vehicle.ebike.km" in names
    assert "orders.rejected.by_reason.anything" in names
    for bad in ("sla.ontime_rate", "utilisation.courier.overall",
                "utilisation.couriers.by_node.north", "routing.by_vehicle.drone.km",
                "economics.profit", "warehouses.wuxi.items_per_hour", "sla", ""):
        assert bad not in names, bad
    assert "sla.on_time_rate" in names.names
    warehouse_only = read_scenario(SCENARIOS / "cainiao_warehouse.yaml")
    assert "utilisation.pickers.overall" not in metric_names(warehouse_only)
    assert "warehouses.wuxi.items_per_hour" in metric_names(warehouse_only)
