"""The HTML report of one run: a single self-contained page (figures embedded as data
URIs, no scripts, no external files) built from the run's results folder alone.

Sections: what was run (scenario, seed, version, measured window, ``--set``
overrides), a summary of the promise and the resources, where the click-to-door time
goes (stage breakdown), one row per store, the figures, and a map of the late orders.
Numbers go through :mod:`sim.core.format` like the terminal summary. Figures the run
already wrote (``run`` without ``--no-plots``) are embedded as they are; missing ones
are drawn from the record tables.

The page is built with the same small escaping helpers as the experiment report rather
than a template engine: every value passes through :func:`html.escape` on its way in,
and the page has no logic a template would make clearer.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from sim import __version__
from sim.core.format import clock, count, duration, metric_info, number, percent
from sim.core.tablefiles import read_table
from sim.metrics.window import MetricContext
from sim.report.html import CSS, esc, html_table, png_data_uri
from sim.runfolder import METRICS, RESOLVED, read_overrides
from sim.scenario.errors import ScenarioError

REPORT = "report.html"

RUN_CSS = CSS + """
.bar { background: #4a7fc1; height: 0.9em; display: inline-block; vertical-align: middle; }
td.bars { width: 40%; }
"""




def _figure_uri(folder: Path, name: str, draw: Callable[[], Axes | None]) -> str | None:
    """The run's own ``name`` PNG as a data URI, or the figure ``draw`` makes (None:
    nothing to show)."""
    path = folder / name
    if path.is_file():
        return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
    ax = draw()
    return png_data_uri(ax) if ax is not None else None


def html_figure(uri: str | None, caption: str) -> str:
    if uri is None:
        return ""
    return (f'<figure><img src="{uri}" alt="{esc(caption)}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>")


def _header(scenario: dict[str, Any], overrides: list[str], ctx: MetricContext) -> str:
    """What was run. The page names no folder, so the same run gives the same page
    wherever it is written."""
    run = scenario.get("run", {})
    items = [
        ("Scenario", str(scenario.get("name", "?"))),
        ("Seed", str(scenario.get("seed", "?"))),
        ("Written by", f"omnisim {scenario.get('sim_version') or '?'}"),
        ("Simulated", f"{clock(run.get('start'))} to {clock(ctx.stop)} (warm-up "
         f"{duration(run.get('warmup', 0))}, drain {duration(run.get('drain', 0))})"),
        ("Measured window", f"orders created {clock(ctx.start)} to {clock(ctx.end)} "
         f"({number(ctx.hours)} h)"),
        ("Promise", f"{number(ctx.promise / 60)} min click to door"),
        ("Overrides", ", ".join(f"--set {o}" for o in overrides) or "none"),
    ]
    return html_table(None, items)


def _summary(metrics: dict[str, Any]) -> str:
    o, s = metrics["orders"], metrics["sla"]
    c2d = s["click_to_door_min"]
    reasons = ", ".join(f"{k} {count(v)}" for k, v in o["rejected"]["by_reason"].items())
    rows = [
        ("Orders created", count(o["created"])),
        ("Accepted", count(o["accepted"])),
        ("Rejected", f"{count(o['rejected']['total'])} ({percent(o['rejection_rate'])})"
         + (f": {reasons}" if reasons else "")),
        ("Delivered", f"{count(o['delivered'])} ({number(o['delivered_per_hour'])} per hour)"),
        ("Still in progress at the end", count(o["in_progress_at_end"])),
        (f"On time (within {number(s['promise_min'])} min)",
         f"{percent(s['on_time_rate'])} ({count(s['on_time'])} orders)"),
        ("Click to door (min)", f"mean {number(c2d['mean'])}, median {number(c2d['p50'])}, "
         f"p90 {number(c2d['p90'])}, p95 {number(c2d['p95'])}, max {number(c2d['max'])}"),
    ]
    late = s.get("lateness_min", {})
    if late.get("n"):
        rows.append(("Lateness of late orders (min)",
                     f"mean {number(late['mean'])}, p90 {number(late['p90'])}"))
    for resource, u in metrics.get("utilisation", {}).items():
        rows.append((f"{resource.capitalize()} utilisation", percent(u["overall"])))
    fill = metrics.get("fill_rate")
    if fill:
        rows.append(("Unit fill rate", f"walk-in {percent(fill['walkin']['unit_fill_rate'])}, "
                     f"online {percent(fill['online']['unit_fill_rate'])}"))
    inv = metrics.get("inventory", {})
    if inv:
        rows.append(("Stock-outs", f"{count(inv.get('stockout_events', 0))} events, "
                     f"{count(inv.get('lost_walkin_units', 0))} walk-in units lost"))
    routing = metrics.get("routing", {})
    if routing.get("trips"):
        rows.append(("Courier trips", f"{count(routing['trips'])}, "
                     f"{number(routing['orders_per_trip']['mean'])} orders per trip, "
                     f"{number(routing['km_per_order'])} km per order"))
    money = metrics.get("economics")
    if money:
        rows.append(("Profit", f"{number(money['profit'])} ({number(money['profit_per_hour'])} "
                     "per hour)"))
    for name, w in metrics.get("warehouses", {}).items():
        rows.append((f"Warehouse {name}",
                     f"{number(w.get('items_per_hour'))} items per hour, stations picking "
                     f"{percent(w['station_utilisation']['mean'])}, order cycle p90 "
                     f"{number(w['cycle_time_min']['p90'])} min"))
    return "<h2>Summary</h2>" + html_table(None, rows)


def _stages(metrics: dict[str, Any]) -> str:
    stages = {k: v for k, v in metrics.get("stages_min", {}).items() if v is not None}
    if not stages:
        return ""
    total = sum(stages.values())
    rows = []
    for name, minutes in stages.items():
        share = minutes / total if total > 0 else 0.0
        rows.append(f"<tr><td>{esc(name.replace('_', ' '))}</td>"
                    f'<td class="num">{esc(number(minutes))}</td>'
                    f'<td class="num">{esc(percent(share))}</td>'
                    f'<td class="bars"><span class="bar" style="width:{100 * share:.1f}%">'
                    "</span></td></tr>")
    return ("<h2>Where the time goes</h2><p class='meta'>Mean minutes per stage of the "
            "measured delivered orders, from the click to the door.</p><table><thead><tr>"
            "<th>stage</th><th>minutes (mean)</th><th>share</th><th></th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _stores(orders: pd.DataFrame | None, metrics: dict[str, Any], ctx: MetricContext) -> str:
    util = metrics.get("utilisation", {})
    nodes: list[str] = sorted({str(n) for u in util.values() for n in u.get("by_node", {})})
    per: dict[str, dict[str, str]] = {n: {} for n in nodes}
    if orders is not None and not orders.empty:
        measured = ctx.within(orders, "created")
        for node, g in measured.groupby(measured["node"].astype(str), sort=True):
            accepted = g[g["status"] != "rejected"]
            done = accepted[accepted["delivered"].notna()]
            minutes = ((done["delivered"] - done["created"]) / 60).to_numpy(dtype=float)
            on_time = int((minutes <= ctx.promise / 60 + 1e-9).sum())
            rejected = len(g) - len(accepted)
            per.setdefault(str(node), {}).update({
                "orders": count(len(g)), **({"rejected": count(rejected)} if rejected else {}),
                "on time": percent(on_time / len(accepted)) if len(accepted) else "n/a",
                "click to door p90 (min)": (number(float(np.quantile(minutes, 0.9)))
                                            if minutes.size else "n/a")})
    for resource, u in util.items():
        for node, value in u.get("by_node", {}).items():
            per.setdefault(str(node), {})[f"{resource} utilisation"] = percent(value)
    if not per:
        return ""
    columns = list(dict.fromkeys(c for row in per.values() for c in row))
    if "rejected" in columns:  # shown when a store turned orders down; 0 for the others
        for row in per.values():
            row.setdefault("rejected", count(0) if "orders" in row else "")
        columns.remove("rejected")
        columns.insert(1, "rejected")
    rows = [[node, *(row.get(c, "") for c in columns)] for node, row in sorted(per.items())
            if node and node != "nan"]
    return ("<h2>Stores</h2><p class='meta'>Orders created in the measured window, by the "
            "node that served them (an order rejected before a node was chosen counts for "
            "none); utilisation over the measured window.</p>"
            + html_table(["store", *columns], rows))


def _warehouse_figures(folder: Path, ctx: MetricContext) -> dict[str, bytes]:
    """The robot warehouses' figures of a run folder, drawn from its tables into a
    scratch folder (by name; none without warehouse tables)."""
    if read_table(folder, "wh_cells", ["warehouse"]) is None:
        return {}
    import tempfile

    from sim.report.warehouse_plots import write_warehouse_plots

    records = {n: t for n in ("wh_cells", "wh_time")
               if (t := read_table(folder, n)) is not None}
    with tempfile.TemporaryDirectory(prefix="omnisim-report-") as tmp:
        return {p.name: p.read_bytes() for p in write_warehouse_plots(records, ctx, Path(tmp))}


def build_run_report(folder: Path) -> str:
    """The report of the run in ``folder`` as HTML text."""
    from sim.metrics.promise import on_time_target
    from sim.report.route_map import ROUTE_MAP, plot_route_map
    from sim.report.run_plots import (
        UTILISATION_BY_STORE,
        plot_click_to_door,
        plot_late_orders,
        plot_orders_per_hour,
        plot_utilisation,
        plot_utilisation_by_store,
    )
    from sim.scenario.loading import read_scenario

    if not (folder / METRICS).is_file() or not (folder / RESOLVED).is_file():
        raise ScenarioError(f"{folder}: no {METRICS} and {RESOLVED} (not the results "
                            "folder of a run or a sweep)")
    sc = read_scenario(folder / RESOLVED)
    ctx = MetricContext.of(sc)
    try:
        metrics = json.loads((folder / METRICS).read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ScenarioError(f"{folder / METRICS}: unreadable ({exc})") from None
    raw = sc.model_dump(mode="json")
    orders, states, trips, fleets = (read_table(folder, n)
                                     for n in ("orders", "states", "trips", "fleets"))

    def by_store() -> Axes | None:
        if states is None:
            return None
        several = [str(r) for r, g in states.groupby("resource", sort=True)
                   if g["node"].nunique() > 1]
        if not several:
            return None
        from sim.report.figures import new_figure

        fig = new_figure(7.0, 0.5 + 3.0 * len(several))
        axes = fig.subplots(len(several), 1, sharex=True, squeeze=False)[:, 0]
        for ax, resource in zip(axes, several, strict=True):
            plot_utilisation_by_store(states, ctx, resource, ax)
        return axes[0]

    def route() -> Axes | None:
        if trips is None or trips.empty or orders is None or fleets is None:
            return None
        from sim.model import build_network

        return plot_route_map(trips, orders, fleets, network=build_network(sc))

    figures = []
    if orders is not None:
        figures += [
            html_figure(_figure_uri(folder, "click_to_door.png",
                                lambda: plot_click_to_door(orders, ctx)),
                    "Click-to-door time of the measured delivered orders"),
            html_figure(_figure_uri(folder, "orders_per_hour.png",
                                lambda: plot_orders_per_hour(orders, ctx,
                                                             target=on_time_target(sc))),
                    "Orders and on-time rate per hour of creation"),
        ]
    if states is not None:
        figures += [
            html_figure(_figure_uri(folder, "utilisation.png",
                                lambda: plot_utilisation(states, ctx)),
                    "Utilisation over time, all stores pooled"),
            html_figure(_figure_uri(folder, UTILISATION_BY_STORE, by_store),
                    "Utilisation over time, store by store"),
        ]
    figures.append(html_figure(_figure_uri(folder, ROUTE_MAP, route),
                           "A sample of courier trips in the busiest hour"))
    standard = {"click_to_door.png", "orders_per_hour.png", "utilisation.png",
                UTILISATION_BY_STORE, ROUTE_MAP}
    extras = {p.name: p.read_bytes() for p in folder.glob("*.png") if p.name not in standard}
    if not extras:  # a run written without figures: draw the warehouse ones too
        extras = _warehouse_figures(folder, ctx)
    for name in sorted(extras):
        uri = "data:image/png;base64," + base64.b64encode(extras[name]).decode("ascii")
        figures.append(html_figure(uri, Path(name).stem.replace("_", " ")))
    late = ""
    if orders is not None and fleets is not None and not orders.empty:
        late = "<h2>Late orders</h2>" + html_figure(
            png_data_uri(plot_late_orders(orders, fleets, ctx)),
            "Where the measured accepted orders went: late ones in red")
    overrides = read_overrides(folder)
    name = str(raw.get("name", folder.name))
    body = "".join([
        _header(raw, overrides, ctx), _summary(metrics), _stages(metrics),
        _stores(orders, metrics, ctx),
        "<h2>Figures</h2>" + ("".join(figures) or "<p>No figures.</p>"), late,
        "<h2>Definitions</h2><ul>"
        "<li><b>Measured window</b>: orders created after the warm-up and before arrivals "
        "stop; the drain lets them finish. Every figure in the summary is over it.</li>"
        f"<li><b>On time</b>: delivered within {esc(number(ctx.promise / 60))} minutes of "
        "the click; the rate is over the accepted orders.</li>"
        "<li><b>Utilisation</b>: busy time over capacity times the window, pooled over "
        "stores unless shown by store.</li></ul>",
    ])
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(name)}: run report</title><style>{RUN_CSS}</style></head><body>"
            f"<h1>{esc(name)}</h1><p class='meta'>Run report written by omnisim "
            f"{esc(__version__)}. {esc(metric_info('sla.on_time_rate').label)} "
            f"{esc(percent(metrics['sla']['on_time_rate']))}.</p>{body}</body></html>\n")


def write_run_report(folder: Path, output: Path | None = None) -> Path:
    """Write the report of the run in ``folder`` (default ``folder/report.html``, which
    the run folder's marker then lists); an existing file is replaced only if omnisim
    wrote it."""
    from sim.outputs import check_file, write_owned_file

    target = output or folder / REPORT
    check_file(target, lambda head: b"omnisim" in head, "report")
    write_owned_file(target, build_run_report(folder).encode("utf-8"))
    return target
