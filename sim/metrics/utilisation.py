"""Time-weighted utilisation of pickers, couriers and any other monitored resource.

The ``states`` table holds, per resource kind and node, the busy count at every change
and the capacity. Utilisation over the window is the integral of busy over time divided
by capacity times the window's length; the overall figure pools every node's busy time
and capacity.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.metrics.stats import step_integral
from sim.metrics.window import MetricContext


def utilisation(states: pd.DataFrame, ctx: MetricContext) -> dict[str, Any]:
    """``{resource: {"overall": u, "by_node": {node: u}}}`` over the measured window."""
    out: dict[str, Any] = {}
    span = ctx.end - ctx.start
    for resource, rows in states.groupby("resource", sort=True):
        busy_total = cap_total = 0.0
        by_node: dict[str, float | None] = {}
        for node, g in rows.groupby("node", sort=True):
            cap = float(g["capacity"].iloc[-1])
            busy = step_integral(g["time"].to_numpy(), g["busy"].to_numpy(), ctx.start, ctx.end)
            by_node[str(node)] = busy / (cap * span) if cap > 0 else None
            busy_total += busy
            cap_total += cap * span
        out[str(resource)] = {"overall": busy_total / cap_total if cap_total > 0 else None,
                              "by_node": by_node}
    return out


def binned_integrals(times: np.ndarray, levels: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The integral of a step function (as in :func:`~sim.metrics.stats.step_integral`:
    ``levels[i]`` from ``times[i]``, 0 before the first) over each interval between
    sorted ``edges``, all at once: the running integral at every edge, differenced."""
    t = np.asarray(times, dtype=float)
    v = np.asarray(levels, dtype=float)
    if t.size == 0:
        return np.zeros(len(edges) - 1)
    running = np.concatenate([[0.0], np.cumsum(v[:-1] * np.diff(t))])
    i = np.searchsorted(t, edges, side="right") - 1
    j = np.maximum(i, 0)
    at_edges = np.where(i >= 0, running[j] + v[j] * (edges - t[j]), 0.0)
    return np.diff(at_edges)


def busy_over_time(states: pd.DataFrame, resource: str, edges: np.ndarray) -> np.ndarray:
    """Utilisation of ``resource`` (all nodes pooled) in each interval between ``edges``."""
    rows = states[states["resource"] == resource]
    out = np.zeros(len(edges) - 1)
    cap = 0.0
    for _, g in rows.groupby("node", sort=True):
        cap += float(g["capacity"].iloc[-1])
        out += binned_integrals(g["time"].to_numpy(), g["busy"].to_numpy(), edges)
    widths = np.diff(edges)
    return out / (cap * widths) if cap > 0 else np.full(len(widths), np.nan)
