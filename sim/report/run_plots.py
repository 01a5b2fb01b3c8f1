"""Figures of one run, drawn from its record tables.

Every function takes an optional Axes and returns the Axes it drew on, so figures can
be composed; :func:`write_run_plots` writes the standard set as PNG files. Figures use
matplotlib's object API with the Agg canvas, never pyplot's global state.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.core.records import REJECTED
from sim.metrics.orders import click_to_door_minutes
from sim.metrics.utilisation import busy_over_time
from sim.metrics.window import MetricContext


def new_axes(width: float = 7.0, height: float = 4.0) -> Axes:
    """A fresh figure with one Axes on an Agg canvas."""
    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def plot_click_to_door(orders: pd.DataFrame, ctx: MetricContext, ax: Axes | None = None,
                       label: str | None = None) -> Axes:
    """Empirical CDF of click-to-door minutes of delivered orders, with the promise line."""
    ax = ax or new_axes()
    minutes = np.sort(click_to_door_minutes(orders, ctx))
    if minutes.size:
        ax.step(minutes, np.arange(1, minutes.size + 1) / minutes.size, where="post",
                label=label or "delivered orders")
    ax.axvline(ctx.promise / 60, color="tab:red", linestyle="--",
               label=f"promise {ctx.promise / 60:g} min")
    ax.set_xlabel("click to door (min)")
    ax.set_ylabel("share of delivered orders")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    ax.set_title("Click-to-door time")
    return ax


def plot_orders_per_hour(orders: pd.DataFrame, ctx: MetricContext,
                         ax: Axes | None = None) -> Axes:
    """Orders created per clock hour (accepted and rejected) and the on-time rate."""
    ax = ax or new_axes()
    if orders.empty:
        return ax
    hour = np.floor(orders["created"].to_numpy(dtype=float) / 3600).astype(int)
    hours = np.arange(hour.min(), hour.max() + 1)
    rejected = orders["status"].to_numpy() == REJECTED
    acc = np.array([np.sum((hour == h) & ~rejected) for h in hours])
    rej = np.array([np.sum((hour == h) & rejected) for h in hours])
    ax.bar(hours + 0.5, acc, width=0.9, label="accepted", color="tab:blue")
    ax.bar(hours + 0.5, rej, width=0.9, bottom=acc, label="rejected", color="tab:gray")
    on_time = (orders["delivered"] <= orders["created"] + ctx.promise + 1e-9).to_numpy()
    rate = np.array([np.sum((hour == h) & ~rejected & on_time) / a if a else np.nan
                     for h, a in zip(hours, acc, strict=True)])
    ax.set_xlabel("hour of day")
    ax.set_ylabel("orders created")
    ax.legend(loc="upper left")
    twin = ax.twinx()
    twin.plot(hours + 0.5, rate, color="tab:green", marker="o", label="on-time rate")
    twin.set_ylim(0, 1.05)
    twin.set_ylabel("on-time rate", color="tab:green")
    ax.set_title("Orders and on-time rate per hour")
    return ax


def plot_utilisation(states: pd.DataFrame, ctx: MetricContext, ax: Axes | None = None,
                     step: float = 900.0) -> Axes:
    """Utilisation of every monitored resource over time, in ``step``-second bins."""
    ax = ax or new_axes()
    t0 = float(states["time"].min()) if not states.empty else ctx.start
    edges = np.arange(t0, ctx.stop + step, step)
    for resource in sorted(states["resource"].unique()):
        u = busy_over_time(states, str(resource), edges)
        ax.step(edges[:-1] / 3600, u, where="post", label=str(resource))
    ax.axvspan(t0 / 3600, ctx.start / 3600, color="0.9", label="warm-up")
    ax.set_xlabel("hour of day")
    ax.set_ylabel("utilisation")
    ax.set_ylim(0, 1.05)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    ax.set_title("Utilisation over time")
    return ax


def save(ax: Axes, path: Path) -> None:
    """Write the Axes' figure as a PNG."""
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    fig.tight_layout()
    fig.savefig(path, format="png", metadata={"Software": None})


def write_run_plots(records: Mapping[str, pd.DataFrame], ctx: MetricContext,
                    folder: Path) -> list[Path]:
    """Write the standard figures of a run into ``folder``; return their paths."""
    out = []
    orders = records.get("orders")
    if orders is not None:
        for name, plot in (("click_to_door.png", plot_click_to_door),
                           ("orders_per_hour.png", plot_orders_per_hour)):
            save(plot(orders, ctx), folder / name)
            out.append(folder / name)
    states = records.get("states")
    if states is not None:
        save(plot_utilisation(states, ctx), folder / "utilisation.png")
        out.append(folder / "utilisation.png")
    if records.get("wh_cells") is not None:
        from sim.report.warehouse_plots import write_warehouse_plots

        out.extend(write_warehouse_plots(records, ctx, folder))
    return out
