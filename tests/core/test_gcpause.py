"""The run makes no cyclic garbage, so pausing the cyclic collector during it is safe."""

from __future__ import annotations

import gc

import pytest

from sim.core.gcpause import cyclic_gc_paused
from sim.model import Model
from sim.runner import run
from sim.scenario import read_scenario
from tests.conftest import SCENARIOS

SHORT = ["run.start=10:00", "run.duration=20min", "run.warmup=5min", "run.drain=20min"]
CASES = {
    # split orders, substitution, replenishment, capacity-aware promises
    "hema_policies": ("hema_policies.yaml", SHORT),
    # planned (VRP) dispatch through OR-Tools
    "batch": ("hema_city.yaml", [*SHORT, "dispatch.policy=batch"]),
    # the robot warehouse with grid traffic (congestion, deadlock resolution)
    "warehouse_grid": ("cainiao_warehouse.yaml",
                       ["run.start=08:00", "run.duration=10min", "run.warmup=2min",
                        "run.drain=5min", "warehouses[0].traffic=grid",
                        "warehouses[0].robots.count=60"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_run_and_record_conversion_make_no_cyclic_garbage(case: str) -> None:
    """After building a model, a full collection before playing it out and one after
    it (and after turning its records into tables) find no unreachable cycles: every
    object the run makes is freed by reference counting alone."""
    file, overrides = CASES[case]
    scenario = read_scenario(SCENARIOS / file, overrides)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        model = Model(scenario, scenario.seed)
        gc.collect()  # whatever building (and first imports) left behind
        records = model.run()
        garbage = gc.collect()
    finally:
        if was_enabled:
            gc.enable()
    assert len(records["orders"]) > 0
    assert garbage == 0, f"{case}: the run left {garbage} objects in reference cycles"


def test_pause_restores_the_collector_state() -> None:
    """The collector is off inside the block and back as it was after it, also when the
    block raises, and when it was off before."""
    was_enabled = gc.isenabled()
    try:
        gc.enable()
        with pytest.raises(RuntimeError), cyclic_gc_paused():
            assert not gc.isenabled()
            raise RuntimeError("boom")
        assert gc.isenabled()
        gc.disable()
        with cyclic_gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        if was_enabled:
            gc.enable()
        else:
            gc.disable()


def test_run_leaves_the_collector_enabled() -> None:
    """``sim.run`` pauses the collector only for the run: it is enabled afterwards."""
    scenario = read_scenario(SCENARIOS / "hema_city.yaml",
                             ["run.start=10:00", "run.duration=10min", "run.warmup=2min",
                              "run.drain=10min"])
    assert gc.isenabled()
    result = run(scenario)
    assert gc.isenabled()
    assert len(result.records["orders"]) > 0
