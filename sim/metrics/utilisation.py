"""Time-weighted utilisation of pickers, couriers and any other monitored resource.

The ``states`` table holds, per resource kind and node, the busy count at every change
and the capacity (the staff on duty, which a roster changes over the day). Utilisation
over the window is busy time over staffed time: the integral of busy over time divided
by the integral of the capacity (capacity times the window's length when it never
changes); the overall figure pools every node's busy and staffed time. Staff off duty
count for nothing, so a night without couriers does not dilute their utilisation.
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
    for resource, rows in states.groupby("resource", sort=True):
        busy_total = cap_total = 0.0
        by_node: dict[str, float | None] = {}
        for node, g in rows.groupby("node", sort=True):
            busy = step_integral(g["time"].to_numpy(), g["busy"].to_numpy(), ctx.start, ctx.end)
            staffed = staffed_seconds(g, ctx.start, ctx.end)
            by_node[str(node)] = busy / staffed if staffed > 0 else None
            busy_total += busy
            cap_total += staffed
        out[str(resource)] = {"overall": busy_total / cap_total if cap_total > 0 else None,
                              "by_node": by_node}
    return out


def staffed_seconds(rows: pd.DataFrame, start: float, end: float) -> float:
    """Staff-seconds on duty in ``[start, end)`` of one node's ``states`` rows: the last
    capacity times the span when it never changes (as before rosters), else the
    time-weighted integral of the capacity."""
    caps = rows["capacity"].to_numpy()
    if (caps == caps[-1]).all():
        return float(caps[-1]) * (end - start)
    return step_integral(rows["time"].to_numpy(), caps, start, end)


def staffing_by_hour(states: pd.DataFrame, resource: str, start: float, end: float,
                     node: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(hour starts, staffed hours, busy hours)`` of ``resource`` in each whole clock
    hour of ``[start, end)`` (the first and last hours may be cut by the window), at
    ``node`` or pooled over every node."""
    first = np.floor(start / 3600.0) * 3600.0
    edges = np.arange(first, end + 3600.0, 3600.0)
    edges = np.clip(edges, start, end)
    edges = np.unique(edges)
    rows = states[states["resource"] == resource]
    if node is not None:
        rows = rows[rows["node"] == node]
    staffed = np.zeros(len(edges) - 1)
    busy = np.zeros(len(edges) - 1)
    for _, g in rows.groupby("node", sort=True):
        t = g["time"].to_numpy()
        staffed += binned_integrals(t, g["capacity"].to_numpy(), edges)
        busy += binned_integrals(t, g["busy"].to_numpy(), edges)
    return edges[:-1], staffed / 3600.0, busy / 3600.0


def staffing(states: pd.DataFrame, records_have_rosters: bool,
             ctx: MetricContext) -> dict[str, Any] | None:
    """Staffed and busy hours per resource, node and clock hour of the day, with the
    utilisation of each and the clock hours of the window in which nobody was on duty
    (``unstaffed_hours``: at any node pooled, and per node); None unless a roster changed
    some resource's size (the ``staffing`` table exists)."""
    if not records_have_rosters or states.empty:
        return None
    out: dict[str, Any] = {}
    for resource, rows in states.groupby("resource", sort=True):
        nodes: dict[str, Any] = {}
        for node, g in rows.groupby("node", sort=True):
            staffed = staffed_seconds(g, ctx.start, ctx.end) / 3600.0
            busy = step_integral(g["time"].to_numpy(), g["busy"].to_numpy(), ctx.start,
                                 ctx.end) / 3600.0
            _, node_staffed, _ = staffing_by_hour(g, str(resource), ctx.start, ctx.end)
            nodes[str(node)] = {"staffed_hours": staffed, "busy_hours": busy,
                                "utilisation": busy / staffed if staffed > 0 else None,
                                "unstaffed_hours": float((node_staffed <= 0).sum())}
        starts, staffed_h, busy_h = staffing_by_hour(states, str(resource), ctx.start, ctx.end)
        hour = ((starts // 3600) % 24).astype(int)
        by_hour: dict[str, Any] = {}
        for h in range(24):
            sel = hour == h
            if not sel.any():
                continue
            s, b = float(staffed_h[sel].sum()), float(busy_h[sel].sum())
            by_hour[str(h)] = {"staffed_hours": s, "busy_hours": b,
                               "utilisation": b / s if s > 0 else None}
        total_s = sum(v["staffed_hours"] for v in nodes.values())
        total_b = sum(v["busy_hours"] for v in nodes.values())
        out[str(resource)] = {
            "staffed_hours": total_s, "busy_hours": total_b,
            "utilisation": total_b / total_s if total_s > 0 else None,
            "unstaffed_hours": float(sum(1 for s in staffed_h if s <= 0)),
            "by_node": nodes, "by_hour": by_hour,
        }
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
    staffed = np.zeros(len(edges) - 1)
    varying = False
    for _, g in rows.groupby("node", sort=True):
        caps = g["capacity"].to_numpy()
        cap += float(caps[-1])
        varying = varying or not (caps == caps[-1]).all()
        staffed += binned_integrals(g["time"].to_numpy(), caps, edges)
        out += binned_integrals(g["time"].to_numpy(), g["busy"].to_numpy(), edges)
    widths = np.diff(edges)
    if varying:  # under a roster: busy over the staff on duty in each interval
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(staffed > 0, out / staffed, np.nan)
    return out / (cap * widths) if cap > 0 else np.full(len(widths), np.nan)
