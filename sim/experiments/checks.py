"""Checks of a whole experiment before its first run: ``validate`` and ``sweep`` share them.

Expanding the plan (:func:`sim.experiments.plan.load_plan`) already validates every
cell's scenario with its overrides applied. Here the KPIs are checked against the metric
paths the cells' runs write (:mod:`sim.metrics.paths`, no simulation needed), so a
misspelt ``sla.ontime_rate`` is an input error with a did-you-mean instead of a column
of n/a after hours of runs; and each cell that cannot deliver anything is named.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.experiments.plan import Plan
from sim.metrics.paths import metric_names
from sim.scenario.errors import ScenarioError, did_you_mean
from sim.scenario.loading import _line_of
from sim.scenario.sanity import delivery_warnings

EXPERIMENT_KEYS = ("variants", "factors", "replications", "seeds", "kpis")
"""Top-level keys that, beside ``scenario``, mark a file as an experiment."""


def is_experiment(data: Any) -> bool:
    """Whether parsed YAML is an experiment file (it names a base ``scenario`` and has
    variants, factors, replications or KPIs) rather than a scenario."""
    return isinstance(data, Mapping) and "scenario" in data and any(
        k in data for k in EXPERIMENT_KEYS)


def check_kpis(plan: Plan, source: str | None = None) -> None:
    """Every KPI must be a metric that the runs of at least one cell write.

    Raises :class:`ScenarioError` naming the KPI's field and line in the experiment file
    (``source``; ``--kpi`` for the command line), with the closest metric path.
    """
    names = [metric_names(sc) for sc in plan.scenarios]
    for i, kpi in enumerate(plan.design.kpis):
        if any(kpi.metric in n for n in names):
            continue
        candidates = sorted({x for n in names for x in n.names})
        loc = ("kpis", i, "metric")
        line = _line_of(plan.text, loc) if plan.text else None
        hint = did_you_mean(kpi.metric, candidates)
        if not hint and kpi.metric.startswith("economics."):
            hint = " (the scenario has no `economics` figures)"
        raise ScenarioError(f"'{kpi.metric}' is not a metric that these runs write{hint}",
                            loc if plan.text else (), source, line)


def plan_warnings(plan: Plan) -> list[str]:
    """The delivery warnings of each cell (:mod:`sim.scenario.sanity`), named by cell."""
    out: list[str] = []
    seen: set[str] = set()
    for cell, sc in zip(plan.design.cells, plan.scenarios, strict=True):
        for warning in delivery_warnings(sc):
            label = plan.design.label(cell) or cell.variant
            line = f"{label}: {warning}" if len(plan.scenarios) > 1 else warning
            if line not in seen:
                seen.add(line)
                out.append(line)
    return out


def describe(plan: Plan) -> str:
    """One line on what a checked experiment will run."""
    d = plan.design
    cells, reps = len(d.cells), len(d.seeds)
    return (f"experiment '{d.name}', {cells} cell{'s' if cells != 1 else ''} x {reps} "
            f"replication{'s' if reps != 1 else ''} = {cells * reps} runs of scenario "
            f"'{plan.scenarios[0].name}', {len(d.kpis)} KPIs checked")
