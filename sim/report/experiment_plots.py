"""Figures of an experiment, drawn from its runs table and run folders.

- :func:`plot_metric_by_factor`: a metric's mean and confidence interval against a
  factor's values, one line per combination of the other design columns (e.g. on-time
  rate against courier count per dispatch policy; throughput against robot count).
- :func:`plot_delivery_cdfs`: click-to-door CDFs of several cells overlaid.

Like :mod:`sim.report.run_plots`, every function takes an optional Axes and returns the
Axes it drew on, and uses matplotlib's object API (no pyplot state).
"""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.ticker import PercentFormatter

from sim.core.tablefiles import read_table
from sim.experiments.intervals import t_interval
from sim.experiments.plan import value_text
from sim.metrics.orders import click_to_door_minutes
from sim.metrics.window import MetricContext
from sim.report.figures import new_axes


def summarise(runs: pd.DataFrame, metric: str, by: Sequence[str],
              level: float = 0.95) -> pd.DataFrame:
    """Mean and t interval of ``metric`` over successful runs, per group of ``by``
    (groups in order of first appearance)."""
    ok = runs[runs["status"] == "ok"]
    rows = []
    keys = list(by)
    for key, g in ok.groupby(keys, sort=False, dropna=False):
        values = pd.to_numeric(g[metric], errors="coerce") if metric in g else pd.Series([])
        iv = t_interval(values.to_numpy(dtype=float), level)
        parts = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(keys, parts, strict=True)), "n": iv.n, "mean": iv.mean,
                     "low": iv.low, "high": iv.high})
    return pd.DataFrame(rows, columns=[*keys, "n", "mean", "low", "high"])


def _numeric(values: Sequence[object]) -> bool:
    return all(isinstance(v, int | float | np.integer | np.floating)
               and not isinstance(v, bool) and math.isfinite(float(v)) for v in values)


def plot_metric_by_factor(summary: pd.DataFrame, factor: str, series: Sequence[str] = (),
                          ax: Axes | None = None, ylabel: str | None = None,
                          xlabel: str | None = None, names: Mapping[str, str] | None = None,
                          percent: bool = False) -> Axes:
    """Mean with interval bars against ``factor``, one line per value of ``series``.

    ``summary`` is :func:`summarise`'s frame (columns ``factor``, ``series``, ``mean``,
    ``low``, ``high``). A numeric factor gets a numeric axis; any other gets one
    position per value, in order of appearance. ``names`` shortens column names in the
    legend.
    """
    ax = ax or new_axes()
    names = names or {}
    levels = list(dict.fromkeys(summary[factor].tolist()))
    numeric = _numeric(levels)
    position = {v: (float(v) if numeric else float(i)) for i, v in enumerate(levels)}
    groups = (list(summary.groupby(list(series), sort=False, dropna=False)) if series
              else [((), summary)])
    span = (max(position.values()) - min(position.values())) if len(levels) > 1 else 1.0
    step = (span / max(len(levels) - 1, 1)) * 0.12 / max(len(groups), 1)
    for i, (key, g) in enumerate(groups):
        parts = key if isinstance(key, tuple) else (key,)
        label = ", ".join(
            str(p) if s == "variant" else f"{names.get(s, s)}={value_text(p)}"
            for s, p in zip(series, parts, strict=True)) or None
        shift = (i - (len(groups) - 1) / 2) * step
        x = np.array([position[v] for v in g[factor]]) + shift
        mean = g["mean"].to_numpy(dtype=float)
        low = np.nan_to_num(mean - g["low"].to_numpy(dtype=float), nan=0.0)
        high = np.nan_to_num(g["high"].to_numpy(dtype=float) - mean, nan=0.0)
        ax.errorbar(x, mean, yerr=[low, high], marker="o", capsize=4, label=label,
                    linestyle="-" if numeric else "none")
    if not numeric:
        set_category_ticks(ax, [position[v] for v in levels], [value_text(v) for v in levels])
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
    ax.set_xlabel(xlabel or names.get(factor, factor))
    ax.set_ylabel(ylabel or "")
    ax.grid(alpha=0.3)
    if any(not str(label).startswith("_") for label in ax.get_legend_handles_labels()[1]):
        ax.legend(loc="best", fontsize="small")
    return ax


def set_category_ticks(ax: Axes, positions: Sequence[float], labels: Sequence[str],
                       wrap: int = 14, room: float = 0.8) -> None:
    """Tick labels for categories that never overlap, measured rather than guessed:
    wrapped at ``wrap`` characters and level when the widest fits the space between two
    ticks; otherwise on one line, turned 30 degrees when the space across the slant
    (spacing x sin 30) holds a line, else 90 degrees; smaller type with many
    categories. ``room`` allows for the axes shrinking when the figure is laid out."""
    size = "medium" if len(labels) <= 4 else "small" if len(labels) <= 8 else "x-small"
    wrapped = [textwrap.fill(t, wrap, break_long_words=True) or t for t in labels]
    ticks = list(positions)
    ax.set_xticks(ticks, wrapped, fontsize=size)
    if len(ticks) < 2:
        return
    fig = ax.get_figure(root=True)
    canvas = fig.canvas if fig is not None else None
    if not isinstance(canvas, FigureCanvasAgg):  # not measurable: leave them level
        return
    renderer = canvas.get_renderer()
    xs = sorted(ax.transData.transform([(x, 0.0) for x in ticks])[:, 0])
    spacing = room * min(b - a for a, b in itertools.pairwise(xs))
    widths = [t.get_window_extent(renderer).width for t in ax.get_xticklabels()]
    if max(widths) <= spacing:
        return
    ax.set_xticks(ticks, list(labels), fontsize=size)
    line = max(t.get_window_extent(renderer).height for t in ax.get_xticklabels())
    angle = 30 if spacing * 0.5 >= line else 90
    for tick in ax.get_xticklabels():
        tick.set_rotation(angle)
        tick.set_horizontalalignment("right" if angle == 30 else "center")
        tick.set_rotation_mode("anchor" if angle == 30 else "default")


def pooled_click_to_door(folders: Sequence[Path], ctx: MetricContext) -> np.ndarray:
    """Click-to-door minutes of the measured delivered orders of runs, pooled."""
    parts = []
    for folder in folders:
        orders = read_table(folder, "orders", ["created", "status", "delivered"])
        if orders is None:
            continue
        parts.append(click_to_door_minutes(orders, ctx))
    return np.concatenate(parts) if parts else np.empty(0)


def plot_delivery_cdfs(curves: Mapping[str, np.ndarray], promise_min: float | None = None,
                       ax: Axes | None = None, points: int = 400) -> Axes:
    """Empirical CDFs of click-to-door minutes, one per label, with the promise line.

    Each curve is drawn through ``points`` quantiles, so pooling many runs stays light.
    """
    ax = ax or new_axes()
    probs = np.linspace(0, 1, points + 1)
    for label, minutes in curves.items():
        x = np.asarray(minutes, dtype=float)
        x = x[~np.isnan(x)]
        if x.size == 0:
            continue
        ax.plot(np.quantile(x, probs), probs, label=f"{label} (n={x.size})")
    if promise_min is not None:
        ax.axvline(promise_min, color="tab:red", linestyle="--",
                   label=f"promise {promise_min:g} min")
    ax.set_xlabel("click to door (min)")
    ax.set_ylabel("share of delivered orders")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    ax.set_title("Click-to-door time, all replications pooled")
    return ax
