"""Figures of a robot warehouse: cell occupancy heat map, robot time, throughput curve.

Like :mod:`sim.report.run_plots`, every function takes an optional Axes and returns the
Axes it drew on; :func:`write_warehouse_plots` writes the standard set for a run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap

from sim.metrics.warehouse import shares
from sim.metrics.window import MetricContext
from sim.report.figures import new_axes, save

__all__ = ["plot_cell_occupancy", "plot_robot_time", "plot_throughput_curve", "save",
           "write_warehouse_plots"]

STATE_COLOURS = {
    "idle": "0.8", "moving_empty": "tab:cyan", "moving_loaded": "tab:blue",
    "blocked": "tab:red", "handling": "tab:olive", "queueing": "tab:orange",
    "at_station": "tab:green", "waiting_for_charger": "tab:pink", "charging": "tab:purple",
    "broken": "black",
}


def plot_cell_occupancy(cells: pd.DataFrame, seconds: float, ax: Axes | None = None,
                        title: str = "Cell occupancy") -> Axes:
    """Heat map of the share of time each cell held a robot (one warehouse's ``wh_cells``
    rows over a run of ``seconds``); storage spots, stations and chargers are outlined
    by kind in grey underneath."""
    width = int(cells["x"].max()) + 1
    height = int(cells["y"].max()) + 1
    ax = ax or new_axes(min(12.0, 2 + width / 15), min(10.0, 1.5 + height / 15))
    share = np.full((height, width), np.nan)
    share[cells["y"].to_numpy(dtype=int), cells["x"].to_numpy(dtype=int)] = \
        cells["occupied_s"].to_numpy(dtype=float) / max(seconds, 1e-9)
    kind = np.full((height, width), np.nan)
    codes = {"aisle": 0, "spot": 1, "pick": 2, "queue": 2, "charger": 3}
    kind[cells["y"].to_numpy(dtype=int), cells["x"].to_numpy(dtype=int)] = \
        [codes.get(k, 0) for k in cells["kind"]]
    ax.imshow(kind, origin="lower", cmap=ListedColormap(["0.97", "0.88", "0.75", "0.6"]),
              vmin=0, vmax=3, interpolation="nearest")
    masked = np.ma.masked_where(~(share > 0), share)
    im = ax.imshow(masked, origin="lower", cmap="inferno_r", vmin=0,
                   vmax=max(0.05, float(np.nanpercentile(share[share > 0], 99)))
                   if np.any(share > 0) else 1.0, interpolation="nearest")
    fig = ax.get_figure()
    if fig is not None:
        fig.colorbar(im, ax=ax, shrink=0.8, label="share of time occupied")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    ax.set_title(title)
    return ax


def plot_robot_time(time: pd.DataFrame, ctx: MetricContext, ax: Axes | None = None,
                    title: str = "Robot time") -> Axes:
    """Stacked bar of the share of robot-time in each state over the measured window."""
    ax = ax or new_axes(9.0, 2.2)
    s = shares(time, "robots", ctx)
    left = 0.0
    for state, colour in STATE_COLOURS.items():
        v = s.get(state, 0.0)
        if v > 0:
            ax.barh([0], [v], left=left, color=colour, label=f"{state} {v:.0%}")
            left += v
    ax.set_xlim(0, 1)
    ax.set_yticks([])
    ax.set_xlabel("share of robot-time")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), ncol=2, fontsize="small")
    ax.set_title(title)
    return ax


def plot_throughput_curve(curves: Mapping[str, Sequence[tuple[float, float]]],
                          bound: float | None = None, ax: Axes | None = None) -> Axes:
    """Items picked per hour against the number of robots, one line per curve (e.g. per
    traffic mode), with the stations' picking bound as a dashed line."""
    ax = ax or new_axes()
    for name, points in curves.items():
        pts = sorted(points)
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=name)
    if bound is not None:
        ax.axhline(bound, color="tab:red", linestyle="--",
                   label=f"station bound {bound:,.0f} items/h")
    ax.set_xlabel("robots")
    ax.set_ylabel("items picked per hour")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    ax.set_title("Throughput against robots")
    return ax


def write_warehouse_plots(records: Mapping[str, pd.DataFrame], ctx: MetricContext,
                          folder: Path) -> list[Path]:
    """Per warehouse: ``<name>_occupancy.png`` and ``<name>_robot_time.png``."""
    out: list[Path] = []
    cells = records.get("wh_cells")
    time = records.get("wh_time")
    if cells is None or cells.empty:
        return out
    # occupancy is accumulated from the start of the run (the first time bin)
    run_start = float(time["bin_start"].min()) if time is not None and not time.empty \
        else ctx.start
    for name, c in cells.groupby("warehouse", sort=True):
        path = folder / f"{name}_occupancy.png"
        save(plot_cell_occupancy(c, ctx.stop - run_start, title=f"{name}: cell occupancy"),
             path)
        out.append(path)
        if time is not None:
            path = folder / f"{name}_robot_time.png"
            save(plot_robot_time(time[time["warehouse"] == name], ctx,
                                 title=f"{name}: robot time"), path)
            out.append(path)
    return out
