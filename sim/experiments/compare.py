"""The comparison table: per cell and KPI, the mean with its intervals and the paired
difference with the base cell.

One row per (cell, KPI), in design order. Columns:

- ``n``, ``mean``, ``sd``, ``ci_low``, ``ci_high``, ``half_width``: the t interval of
  the KPI over the cell's successful replications (see :mod:`sim.experiments.intervals`).
- ``target_half_width``, ``replications_needed``: when the KPI sets a target, the
  replications the t interval needs to reach it at the observed spread.
- ``pooled_rate``, ``pooled_trials``, ``wilson_low``, ``wilson_high``: for rates with a
  count behind them (:data:`RATE_COUNTS`), the proportion pooled over every measured
  trial of the cell's replications, and its Wilson interval. The pooled rate weights
  replications by their number of trials, so it can differ from ``mean``.
- ``base_cell``, ``n_pairs``, ``diff_mean``, ``diff_low``, ``diff_high``, ``verdict``:
  ``cell - base`` over the replications both completed (same seeds), its t interval,
  and ``better`` / ``worse`` / ``no difference`` / ``n/a``; the base row says ``base``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.intervals import (
    paired_difference,
    replications_needed,
    t_interval,
    verdict,
    wilson_interval,
)
from sim.experiments.plan import Design
from sim.experiments.spec import DEFAULT_KPIS, KpiSpec
from sim.experiments.tables import factor_value as _factor_value

Count = Callable[[pd.DataFrame], "pd.Series[float]"]


def _col(name: str) -> Count:
    return lambda df: df[name].astype(float)


RATE_COUNTS: dict[str, tuple[Count, Count]] = {
    "sla.on_time_rate": (_col("sla.on_time"), _col("orders.accepted")),
    "sla.late_rate": (lambda df: df["orders.accepted"].astype(float)
                      - df["sla.on_time"].astype(float), _col("orders.accepted")),
    "orders.rejection_rate": (_col("orders.rejected.total"), _col("orders.created")),
}
"""Rates that are a count of successes over a count of independent-ish trials, as
``metric: (successes, trials)`` computed from the runs table. Only these get a pooled
Wilson interval: a utilisation or a fill rate of units is not a count of trials."""

COLUMNS = ("kpi", "label", "better", "n", "mean", "sd", "ci_low", "ci_high", "half_width",
           "target_half_width", "replications_needed", "pooled_rate", "pooled_trials",
           "wilson_low", "wilson_high", "base_cell", "n_pairs", "diff_mean", "diff_low",
           "diff_high", "verdict")


def design_factors(runs: pd.DataFrame) -> list[str]:
    """The factor columns of a runs table: those between ``variant`` and
    ``replication``."""
    cols = list(runs.columns)
    return cols[cols.index("variant") + 1: cols.index("replication")]


def _values(frame: pd.DataFrame, metric: str) -> pd.Series:
    if metric not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[metric], errors="coerce").astype(float)


def _pooled(frame: pd.DataFrame, metric: str, level: float) -> dict[str, float]:
    nan = {"pooled_rate": math.nan, "pooled_trials": math.nan, "wilson_low": math.nan,
           "wilson_high": math.nan}
    counts = RATE_COUNTS.get(metric)
    if counts is None or frame.empty:
        return nan
    try:
        successes, trials = (float(f(frame).sum()) for f in counts)
    except KeyError:
        return nan
    p = wilson_interval(successes, trials, level)
    return {"pooled_rate": p.rate, "pooled_trials": trials, "wilson_low": p.low,
            "wilson_high": p.high}


def compare_cells(runs: pd.DataFrame, cells: Sequence[str], base_of: dict[str, str],
                  kpis: Sequence[KpiSpec], level: float = 0.95,
                  heads: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
    """The comparison table for ``cells`` (ids in the ``cell`` column), each compared
    with ``base_of[cell]`` over the seeds both completed. ``heads`` gives each cell's
    variant and factor values (default: from its first row in ``runs``)."""
    factors = design_factors(runs)
    ok = runs[runs["status"] == "ok"]
    by_cell: dict[Any, pd.DataFrame] = dict(list(ok.groupby("cell", sort=False)))
    first = runs.drop_duplicates("cell").set_index("cell")
    empty = ok.iloc[0:0]
    rows: list[dict[str, Any]] = []
    for cell in cells:
        frame = by_cell.get(cell, empty)
        base = base_of[cell]
        base_frame = by_cell.get(base, empty)
        head: dict[str, Any] = {"cell": cell}
        if heads is not None and cell in heads:
            head.update(heads[cell])
        elif cell in first.index:
            head["variant"] = first.at[cell, "variant"]
            head.update({f: first.at[cell, f] for f in factors})
        for kpi in kpis:
            x = _values(frame, kpi.metric)
            iv = t_interval(x.to_numpy(), level)
            row = {**head, "kpi": kpi.metric, "label": kpi.label or kpi.metric,
                   "better": kpi.better, "n": iv.n, "mean": iv.mean, "sd": iv.sd,
                   "ci_low": iv.low, "ci_high": iv.high, "half_width": iv.half_width,
                   "target_half_width": kpi.target_half_width or math.nan,
                   "replications_needed": (
                       replications_needed(x.to_numpy(), kpi.target_half_width, level)
                       if kpi.target_half_width else None)}
            row.update(_pooled(frame, kpi.metric, level))
            row["base_cell"] = base
            if cell == base:
                row.update({"n_pairs": math.nan, "diff_mean": math.nan, "diff_low": math.nan,
                            "diff_high": math.nan, "verdict": "base"})
            else:
                pairs = pd.merge(
                    pd.DataFrame({"seed": frame["seed"], "x": x}),
                    pd.DataFrame({"seed": base_frame["seed"],
                                  "b": _values(base_frame, kpi.metric)}),
                    on="seed").dropna()
                d = paired_difference(pairs["x"].to_numpy(), pairs["b"].to_numpy(), level)
                row.update({"n_pairs": d.n, "diff_mean": d.mean, "diff_low": d.low,
                            "diff_high": d.high, "verdict": verdict(d, kpi.better)})
            rows.append(row)
    columns = ["cell", "variant", *factors, *COLUMNS]
    out = pd.DataFrame(rows, columns=columns)
    for c in ("n", "n_pairs", "replications_needed"):
        out[c] = out[c].astype("Int64")
    return out


def compare_design(runs: pd.DataFrame, design: Design) -> pd.DataFrame:
    """The comparison table of a sweep's runs, in the design's cell order."""
    cells = [c.folder for c in design.cells]
    base_of = {c.folder: design.base_of(c).folder for c in design.cells}
    heads = {c.folder: {"variant": c.variant,
                        **{f: _factor_value(c.factors.get(f)) for f in design.factors}}
             for c in design.cells}
    return compare_cells(runs, cells, base_of, design.kpis, design.confidence, heads)


def compare(runs: pd.DataFrame, kpis: Sequence[KpiSpec] | None = None,
            base: str | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """The comparison table of a runs table alone (e.g. from :func:`sim.sweep`).

    Cells are taken in order of first appearance; ``base`` is the base variant (default:
    the first). With several variants, each cell is compared with the base variant at
    the same factor values; with one, with the first factor combination.
    """
    factors = design_factors(runs)
    first = runs.drop_duplicates("cell").set_index("cell")
    cells = list(first.index)
    variants = list(dict.fromkeys(first["variant"]))
    base = base or variants[0]
    if base not in variants:
        raise ValueError(f"base variant {base!r} is not one of {variants}")

    def point(cell: str) -> tuple[str, ...]:
        return tuple(repr(first.at[cell, f]) for f in factors)

    base_of = {}
    for cell in cells:
        if len(variants) > 1:
            match = [c for c in cells
                     if first.at[c, "variant"] == base and point(c) == point(cell)]
            base_of[cell] = match[0] if match else cell
        else:
            base_of[cell] = cells[0]
    return compare_cells(runs, cells, base_of, list(kpis or DEFAULT_KPIS), confidence)
