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
from matplotlib.ticker import PercentFormatter

from sim.core.format import percent
from sim.core.records import REJECTED
from sim.metrics.orders import click_to_door_minutes
from sim.metrics.utilisation import busy_over_time, staffing_by_hour
from sim.metrics.window import MetricContext
from sim.report.figures import new_axes, new_figure, save

UTILISATION_BY_STORE = "utilisation_by_store.png"
STAFFING = "staffing.png"
"""Staffed versus busy per hour (written only for runs under rosters)."""


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
    ax.set_ylabel("share of delivered orders (%)")
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    ax.set_title("Click-to-door time")
    return ax


def _hourly(orders: pd.DataFrame, ctx: MetricContext
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Clock hours and, per hour of creation, accepted and rejected orders and the
    on-time rate of the accepted ones (NaN in an hour without any)."""
    hour = np.floor(orders["created"].to_numpy(dtype=float) / 3600).astype(int)
    first = int(hour.min())
    hours = np.arange(first, int(hour.max()) + 1)
    rejected = orders["status"].to_numpy() == REJECTED
    on_time = (orders["delivered"] <= orders["created"] + ctx.promise + 1e-9).to_numpy()
    n = len(hours)
    acc = np.bincount(hour[~rejected] - first, minlength=n)
    rej = np.bincount(hour[rejected] - first, minlength=n)
    kept = np.bincount(hour[~rejected & on_time] - first, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(acc > 0, kept / np.maximum(acc, 1), np.nan)
    return hours, acc, rej, rate


def plot_orders_per_hour(orders: pd.DataFrame, ctx: MetricContext,
                         ax: Axes | None = None, target: float | None = None,
                         events: pd.DataFrame | None = None) -> Axes:
    """Orders created per clock hour (accepted and rejected) and the on-time rate, with
    the on-time target (the promise model's quantile) when given and the calendar
    events' windows shaded. One legend below the plot holds every series, so no line
    runs through it."""
    ax = ax or new_axes()
    if orders.empty:
        return ax
    hours, acc, rej, rate = _hourly(orders, ctx)
    ax.bar(hours + 0.5, acc, width=0.9, label="accepted orders", color="tab:blue")
    ax.bar(hours + 0.5, rej, width=0.9, bottom=acc, label="rejected orders",
           color="tab:gray")
    mark_events(ax, events)
    ax.set_xlabel("hour of day (orders by hour of creation)")
    ax.set_ylabel("orders created per hour")
    twin = ax.twinx()
    twin.plot(hours + 0.5, rate, color="tab:green", marker="o", label="on-time rate")
    if target is not None:
        twin.axhline(target, color="tab:green", linestyle=":", linewidth=1.2,
                     label=f"on-time target {percent(target)}")
    twin.set_ylim(0, 1.05)
    twin.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
    twin.set_ylabel("on-time rate (%)", color="tab:green")
    handles, labels = ax.get_legend_handles_labels()
    more, more_labels = twin.get_legend_handles_labels()
    ax.legend(handles + more, labels + more_labels, loc="upper center",
              bbox_to_anchor=(0.5, -0.2), ncol=4, fontsize="small", frameon=False)
    ax.set_title("Orders and on-time rate per hour")
    return ax


def plot_utilisation(states: pd.DataFrame, ctx: MetricContext, ax: Axes | None = None,
                     step: float = 900.0, events: pd.DataFrame | None = None) -> Axes:
    """Utilisation of every monitored resource over time (all stores pooled), in
    ``step``-second bins, with the calendar events' windows shaded."""
    ax = ax or new_axes()
    t0 = float(states["time"].min()) if not states.empty else ctx.start
    edges = np.arange(t0, ctx.stop + step, step)
    for resource in sorted(states["resource"].unique()):
        u = busy_over_time(states, str(resource), edges)
        ax.step(edges[:-1] / 3600, u, where="post", label=str(resource))
    mark_events(ax, events)
    _utilisation_axes(ax, t0, ctx)
    ax.set_title("Utilisation over time, all stores")
    return ax


EVENT_COLOURS = {"surge": "tab:orange", "weather": "tab:cyan", "closure": "tab:red",
                 "no_show": "tab:purple", "outage": "tab:brown"}
"""Shade of each calendar event kind on the time-axis figures."""


def mark_events(ax: Axes, events: pd.DataFrame | None) -> None:
    """Shade each calendar event's window (hours on the x axis), one legend entry per
    kind; nothing when the run has no events."""
    if events is None or events.empty:
        return
    seen: set[str] = set()
    for kind, start, end in zip(events["kind"].astype(str).tolist(),
                                events["start"].astype(float).tolist(),
                                events["end"].astype(float).tolist(), strict=True):
        ax.axvspan(start / 3600, end / 3600, alpha=0.15, linewidth=0,
                   color=EVENT_COLOURS.get(kind, "tab:olive"),
                   label=None if kind in seen else f"event: {kind}")
        seen.add(kind)


def _utilisation_axes(ax: Axes, t0: float, ctx: MetricContext) -> None:
    ax.axvspan(t0 / 3600, ctx.start / 3600, color="0.9", label="warm-up")
    ax.set_xlabel("hour of day")
    ax.set_ylabel("utilisation (%)")
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
              frameon=False)


def plot_utilisation_by_store(states: pd.DataFrame, ctx: MetricContext, resource: str,
                              ax: Axes | None = None, step: float = 900.0,
                              events: pd.DataFrame | None = None) -> Axes:
    """Utilisation of one resource (e.g. pickers) over time, one line per store or
    node, in ``step``-second bins: the pooled figure hides a store that runs hot."""
    ax = ax or new_axes()
    rows = states[states["resource"] == resource]
    t0 = float(states["time"].min()) if not states.empty else ctx.start
    edges = np.arange(t0, ctx.stop + step, step)
    for node, g in rows.groupby("node", sort=True):
        ax.step(edges[:-1] / 3600, busy_over_time(g, resource, edges), where="post",
                label=str(node))
    mark_events(ax, events)
    _utilisation_axes(ax, t0, ctx)
    ax.set_title(f"{resource.capitalize()} utilisation by store")
    return ax


def plot_staffing(states: pd.DataFrame, ctx: MetricContext, resource: str,
                  node: str | None = None, ax: Axes | None = None) -> Axes:
    """Staffed versus busy ``resource`` (couriers, pickers) per clock hour of the run, at
    ``node`` or all nodes pooled: the grey area is the staff on duty (a roster's shape),
    the line the staff at work; the gap is idle paid time, a line at the area's edge a
    bottleneck."""
    ax = ax or new_axes()
    t0 = float(states["time"].min()) if not states.empty else ctx.start
    starts, staffed, busy = staffing_by_hour(states, resource, t0, ctx.stop, node)
    edges = np.append(starts, ctx.stop) / 3600
    widths = np.diff(edges)  # hours; the first and last may be cut by the run
    staffed, busy = staffed / widths, busy / widths  # mean staff on duty and at work
    ax.fill_between(edges, np.append(staffed, staffed[-1:]), step="post", color="0.85",
                    label="staffed")
    ax.step(edges, np.append(busy, busy[-1:]), where="post", color="tab:blue",
            label="busy")
    ax.axvspan(t0 / 3600, ctx.start / 3600, color="0.95", label="warm-up")
    ax.set_xlabel("hour of the run (from midnight of day 1)")
    ax.set_ylabel(f"{resource} (mean in the hour)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    ax.set_title(f"{resource.capitalize()} staffed vs busy, {node or 'all nodes'}")
    return ax


def _write_staffing(states: pd.DataFrame, ctx: MetricContext, folder: Path) -> Path:
    """One figure: a row per resource, all nodes pooled then each node."""
    resources = sorted(str(r) for r in states["resource"].unique())
    nodes = sorted(str(n) for n in states["node"].unique())
    cols = 1 + len(nodes)
    fig = new_figure(3.2 * cols, 0.5 + 2.8 * len(resources))
    axes = fig.subplots(len(resources), cols, sharex=True, squeeze=False)
    for row, resource in zip(axes, resources, strict=True):
        for ax, node in zip(row, [None, *nodes], strict=True):
            plot_staffing(states, ctx, resource, node, ax)
            ax.title.set_fontsize("small")
            if node is not None:
                legend = ax.get_legend()
                if legend is not None:
                    legend.remove()
    save(axes[0][0], folder / STAFFING)
    return folder / STAFFING


def plot_late_orders(orders: pd.DataFrame, fleets: pd.DataFrame, ctx: MetricContext,
                     ax: Axes | None = None) -> Axes:
    """Where the measured delivered orders went: on time in grey, late in red (later
    than the promise after the click), with the stores; shows where the promise breaks."""
    ax = ax or new_axes(7.0, 7.0)
    measured = ctx.within(orders, "created")
    measured = measured[measured["status"] != REJECTED]
    delivered = measured["delivered"].notna()
    late = (measured["delivered"] > measured["created"] + ctx.promise + 1e-9).to_numpy()
    ok = measured[delivered.to_numpy() & ~late]
    bad = measured[late]
    ax.scatter(ok["x"], ok["y"], s=4, color="0.7", alpha=0.6, linewidths=0,
               label=f"on time ({ok.shape[0]:,})", rasterized=True)
    ax.scatter(bad["x"], bad["y"], s=9, color="tab:red", alpha=0.8, linewidths=0,
               label=f"late ({bad.shape[0]:,})", rasterized=True)
    homes = fleets.drop_duplicates("node") if not fleets.empty else fleets
    ax.scatter(homes["x"], homes["y"], marker="s", s=60, color="black", label="store",
               zorder=3)
    for name, x, y in zip(homes["node"], homes["x"], homes["y"], strict=True):
        ax.annotate(str(name), (float(x), float(y)), textcoords="offset points",
                    xytext=(5, 5), fontsize=8)
    ax.set_aspect("equal")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, fontsize="small",
              frameon=False)
    ax.set_title(f"Late orders: {percent(bad.shape[0] / max(measured.shape[0], 1))} of "
                 "the accepted orders of the measured window")
    return ax


def write_run_plots(records: Mapping[str, pd.DataFrame], ctx: MetricContext,
                    folder: Path, target: float | None = None) -> list[Path]:
    """Write the standard figures of a run into ``folder``; return their paths.
    ``target`` is the on-time target drawn in the orders-per-hour figure."""
    out = []
    orders = records.get("orders")
    events = records.get("events")  # calendar events: only when the scenario has them
    if orders is not None:
        save(plot_click_to_door(orders, ctx), folder / "click_to_door.png")
        save(plot_orders_per_hour(orders, ctx, target=target, events=events),
             folder / "orders_per_hour.png")
        out += [folder / "click_to_door.png", folder / "orders_per_hour.png"]
    states = records.get("states")
    if states is not None:
        save(plot_utilisation(states, ctx, events=events), folder / "utilisation.png")
        out.append(folder / "utilisation.png")
        several = [str(r) for r, g in states.groupby("resource", sort=True)
                   if g["node"].nunique() > 1]
        if several:  # one figure, a panel per resource: one save instead of several
            fig = new_figure(7.0, 0.5 + 3.0 * len(several))
            axes = fig.subplots(len(several), 1, sharex=True, squeeze=False)[:, 0]
            for ax, resource in zip(axes, several, strict=True):
                plot_utilisation_by_store(states, ctx, resource, ax, events=events)
                if ax is not axes[-1]:
                    ax.set_xlabel("")
            save(axes[0], folder / UTILISATION_BY_STORE)
            out.append(folder / UTILISATION_BY_STORE)
        if records.get("staffing") is not None:
            out.append(_write_staffing(states, ctx, folder))
    if records.get("wh_cells") is not None:
        from sim.report.warehouse_plots import write_warehouse_plots

        out.extend(write_warehouse_plots(records, ctx, folder))
    return out
