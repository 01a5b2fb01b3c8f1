"""The Python API for researchers: replications and sweeps as DataFrames.

::

    import sim
    sc = sim.read_scenario("scenarios/hema_city.yaml")
    runs = sim.replicate(sc, replications=10)              # one row per replication
    runs = sim.sweep("scenarios/experiments/couriers.yaml")  # one row per run
    table = sim.compare(runs)                               # means, intervals, verdicts

Nothing is written unless ``out`` names a results folder (then it is the same folder
``run_sim.py sweep`` writes, and ``resume=True`` completes it).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sim.experiments.checks import check_kpis
from sim.experiments.plan import load_plan, plan_experiment, plan_scenarios
from sim.experiments.spec import ExperimentSpec
from sim.experiments.sweep import execute_plan
from sim.scenario.loading import read_scenario
from sim.scenario.schema import Scenario


def replicate(scenario: Scenario | str | Path, replications: int = 10, *,
              seeds: Sequence[int] | None = None, base_seed: int = 0,
              backend: str = "processes",
              workers: int | None = None, address: str | None = None,
              out: str | Path | None = None, resume: bool = False,
              progress: bool = False) -> pd.DataFrame:
    """Run ``scenario`` (a Scenario or a file) with several seeds; one row per run.

    Seeds are ``base_seed, base_seed + 1, ...`` unless ``seeds`` lists them. The columns
    are those of ``runs.csv`` (see :mod:`sim.experiments.tables`).
    """
    sc = scenario if isinstance(scenario, Scenario) else read_scenario(scenario)
    chosen = list(seeds) if seeds is not None else list(
        range(base_seed, base_seed + replications))
    plan = plan_scenarios([sc], [sc.name], chosen, name=sc.name,
                          description=f"replications of {sc.name}")
    return execute_plan(plan, Path(out) if out is not None else None, backend, workers,
                        address, resume, progress=progress).runs


def sweep(experiment: ExperimentSpec | str | Path, *, replications: int | None = None,
          backend: str = "processes", workers: int | None = None,
          address: str | None = None, out: str | Path | None = None, resume: bool = False,
          progress: bool = False) -> pd.DataFrame:
    """Run an experiment (a file or an :class:`ExperimentSpec`); one row per run.

    ``replications`` replaces the experiment's. Every KPI is checked against the metrics
    the runs write before anything runs (:class:`ScenarioError` if one is not). Compare
    the cells with
    :func:`sim.experiments.compare.compare` (``sim.compare``).
    """
    if isinstance(experiment, ExperimentSpec):
        plan = plan_experiment(experiment)
        if replications is not None:
            plan = plan.with_replications(replications, experiment.base_seed)
    else:
        plan = load_plan(experiment, replications)
    check_kpis(plan, None if isinstance(experiment, ExperimentSpec) else str(experiment))
    return execute_plan(plan, Path(out) if out is not None else None, backend, workers,
                        address, resume, progress=progress).runs
