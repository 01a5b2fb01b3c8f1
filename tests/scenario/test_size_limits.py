"""Size limits: a scenario asking for more than memory holds is refused before anything
is built (issue 18 item 12), and the limits can be raised."""

from __future__ import annotations

import time

import pytest

from sim.cli import main
from sim.scenario.limits import LimitsSpec
from sim.scenario.loading import read_scenario
from tests.conftest import SCENARIOS


@pytest.mark.parametrize(("scenario", "override", "field", "limit"), [
    ("hema_city", "city.network.block=1m", "city.network.block", "network_nodes"),
    ("hema_city", "catalog.skus=1000000000", "catalog.skus", "skus"),
    ("hema_city", "demand.online.orders_per_day=1e12", "demand.online.orders_per_day",
     "orders"),
    ("hema_city", "run.duration=1000d", "run.duration", "days"),
    ("hema_city", "store_defaults.couriers.count=1000000", "store_defaults.couriers.count",
     "agents"),
    ("hema_city", "demand.online.basket.lines=2900", "demand.online.basket.lines",
     "order_lines"),
    ("cainiao_warehouse", "warehouses[0].pods.skus_per_pod=1000000",
     "warehouses[0].pods.skus_per_pod", "stock_entries"),
    ("cainiao_warehouse", "warehouses[0].layout.blocks=[2000, 2000]",
     "warehouses[0].layout.blocks", "warehouse_cells"),
])
def test_oversized_scenarios_are_refused_at_once(capsys, scenario, override, field, limit):
    """Each huge request is exit 2 naming the field and the limit, in well under a second."""
    t0 = time.process_time()
    code = main(["validate", str(SCENARIOS / f"{scenario}.yaml"), "--set", override])
    cpu = time.process_time() - t0
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"error: --set: {field}: asks for ")
    assert f"limits.{limit}" in err and err.count("\n") == 1
    assert cpu < 1.0


def test_a_limit_can_be_raised():
    """A study that needs a bigger grid raises the limit in the scenario."""
    sc = read_scenario(SCENARIOS / "hema_city.yaml",
                       ["city.network.block=20m", "limits.network_nodes=200000"])
    assert getattr(sc.city.network, "block", None) == 20


@pytest.mark.parametrize("scenario", ["hema_city", "hema_policies", "drones",
                                      "cainiao_warehouse"])
def test_shipped_scenarios_are_well_inside_the_limits(scenario):
    """Every shipped scenario validates with every limit cut to 5 % of its default."""
    small = [f"limits.{name}={max(1, int(f.default * 0.05))}"
             for name, f in LimitsSpec.model_fields.items()]
    read_scenario(SCENARIOS / f"{scenario}.yaml", small)
