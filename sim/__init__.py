"""omnisim: a discrete-event simulator of omnichannel 30-minute fulfilment.

Stores that double as fulfilment centres, robot warehouses and couriers play out a
city's day from a YAML scenario; the results say how well the delivery promise held.

The Python API for researchers::

    import sim
    scenario = sim.read_scenario("scenarios/hema_city.yaml")
    result = sim.run(scenario, seed=1)      # records (DataFrames) and metrics (dict)
    runs = sim.replicate(scenario, replications=10)     # one row of metrics per seed
    runs = sim.sweep("experiment.yaml")     # variants x factors x seeds, one row per run
    table = sim.compare(runs)               # means, confidence intervals, verdicts
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = {
    "run": ("sim.runner", "run"),
    "write_run": ("sim.runner", "write_run"),
    "RunResult": ("sim.runner", "RunResult"),
    "read_scenario": ("sim.scenario.loading", "read_scenario"),
    "parse_scenario": ("sim.scenario.loading", "parse_scenario"),
    "Scenario": ("sim.scenario.schema", "Scenario"),
    "ScenarioError": ("sim.scenario.errors", "ScenarioError"),
    "replicate": ("sim.experiments.api", "replicate"),
    "sweep": ("sim.experiments.api", "sweep"),
    "compare": ("sim.experiments.compare", "compare"),
    "replications_needed": ("sim.experiments.intervals", "replications_needed"),
    "read_experiment": ("sim.experiments.loading", "read_experiment"),
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    """Import the public API on first use, so ``import sim`` stays light."""
    if name in _API:
        import importlib

        module, attr = _API[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
