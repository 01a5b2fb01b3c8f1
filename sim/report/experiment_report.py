"""The HTML report of a sweep: one self-contained page (figures embedded as data URIs,
no scripts, no external files) that opens in a browser without a server.

It is built from the results folder alone (``plan.json`` and the run folders), so it
can be rebuilt at any time, also for a sweep still missing runs: it says how many.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import pandas as pd

from sim import __version__
from sim.core.format import (
    factor_label,
    metric_info,
    number,
    percent,
    practical_threshold,
    practical_verdict,
    with_unit,
)
from sim.experiments.compare import RATE_COUNTS, compare_design
from sim.experiments.plan import CellInfo, Design, value_text
from sim.experiments.spec import KpiSpec
from sim.experiments.store import REPORT, read_design
from sim.experiments.tables import collect
from sim.report.experiment_plots import (
    plot_delivery_cdfs,
    plot_metric_by_factor,
    pooled_click_to_door,
    summarise,
)
from sim.report.html import CSS, esc, html_figure, html_table

THROUGHPUT = ("orders.delivered_per_hour", ".items_per_hour")
"""Throughput metrics plotted against every factor: these names and endings (a robot
warehouse's ``warehouses.<name>.items_per_hour``), and any metric whose name contains
``throughput``."""

MAX_CDF_CURVES = 8

def fmt(x: Any, signed: bool = False) -> str:
    """A number for people (see :func:`sim.core.format.number`); text as it is."""
    if isinstance(x, str):
        return x
    return number(x, signed=signed)


# --------------------------------------------------------------------------- sections


def _overview(design: Design, runs: pd.DataFrame, root: Path) -> str:
    planned = len(design.runs())
    ok = int((runs["status"] == "ok").sum())
    failed = int((runs["status"] == "failed").sum())
    missing = planned - ok - failed
    seeds = ", ".join(str(s) for s in design.seeds)
    status = f"{ok} of {planned} runs finished"
    if failed:
        status += f", {failed} failed"
    if missing:
        status += f", {missing} not run yet (complete them with --resume)"
    items = [
        ("Design", f"{len(design.cells)} cells ({len(design.variants)} variant(s)"
         + (f" x {len(design.factors)} factor(s)" if design.factors else "") + ") x "
         f"{len(design.seeds)} replications = {planned} runs"),
        ("Replication seeds", f"{seeds} (the same in every cell: common random numbers)"),
        ("Base", f"variant '{design.base_variant}'" if len(design.variants) > 1 else
         f"cell '{design.label(design.cells[0])}'"),
        ("Confidence level", f"{design.confidence:.0%}"),
        ("Runs", status),
        ("Source", design.source or "n/a"),
        ("Results folder", str(root)),
    ]
    desc = f"<p>{esc(design.description)}</p>" if design.description else ""
    return desc + html_table(None, [(k, v) for k, v in items])


def _scenario(design: Design) -> str:
    base = design.cells[0].summary
    keys = list(base)
    varying = [k for k in keys if any(c.summary.get(k) != base.get(k) for c in design.cells)]
    rows = [(k, fmt(v) if isinstance(v, int | float) else str(v)) for k, v in base.items()
            if k not in varying and v not in ("", None)]
    out = "<h2>Scenario</h2>" + html_table(None, rows)
    design_rows = []
    for c in design.cells:
        over = ", ".join(f"{k}={value_text(v)}" for k, v in c.overrides.items()) or "none"
        vals = [fmt(c.summary.get(k)) if isinstance(c.summary.get(k), int | float)
                else str(c.summary.get(k, "")) for k in varying]
        design_rows.append([design.label(c), c.variant, *vals, over])
    out += ('<h3>Cells</h3><div class="wide">'
            + html_table(["cell", "variant", *varying, "overrides"], design_rows) + "</div>")
    return out


def _verdict_class(verdict: str) -> str:
    return {"better": "better", "worse": "worse", "base": "base"}.get(verdict, "same")


def kpi_verdicts(design: Design, comparison: pd.DataFrame) -> dict[tuple[str, str], str]:
    """Each (cell folder, KPI metric)'s verdict for people: the statistical verdict of
    ``comparison.csv`` refined by the KPI's practical threshold (a clear change smaller
    than it is ``no practical difference``) and by whether the KPI is judged at all
    (utilisation says ``higher``/``lower``); see :func:`practical_verdict`."""
    out: dict[tuple[str, str], str] = {}
    rows: dict[tuple[str, str], dict[Hashable, Any]] = {
        (str(r["cell"]), str(r["kpi"])): r for r in comparison.to_dict("records")}
    for c in design.cells:
        base = design.base_of(c).folder
        for k in design.kpis:
            r = rows.get((c.folder, k.metric))
            if r is None:
                continue
            info = metric_info(k.metric)
            base_mean = rows.get((base, k.metric), {}).get("mean")
            out[(c.folder, k.metric)] = practical_verdict(
                str(r["verdict"]), r["diff_mean"], r["diff_low"], r["diff_high"],
                practical_threshold(info, base_mean), info.judged)
    return out


def kpi_heading(kpi: KpiSpec) -> str:
    """A KPI's column heading: its label and the direction that is better (or that it
    is shown without a verdict)."""
    info = metric_info(kpi.metric)
    name = kpi.label or info.label
    return f"{name} ({kpi.better} is better)" if info.judged else f"{name} (not judged)"


def _kpi_table(design: Design, comparison: pd.DataFrame) -> str:
    pct = f"{design.confidence:.0%}"
    head = ["cell"] + [kpi_heading(k) for k in design.kpis]
    verdicts = kpi_verdicts(design, comparison)
    rows = []
    for c in design.cells:
        cells = [f"<td>{esc(design.label(c))}</td>"]
        sub = comparison[comparison["cell"] == c.folder].set_index("kpi")
        for k in design.kpis:
            r = sub.loc[k.metric]
            info = metric_info(k.metric)
            said = verdicts.get((c.folder, k.metric), str(r["verdict"]))
            text = (f'<div>{info.value(r["mean"])} &plusmn; {info.spread(r["half_width"])}'
                    f' <span class="pooled">(n={number(r["n"])})</span></div>')
            if said == "base":
                text += '<div class="diff">base</div>'
            else:
                text += (f'<div class="diff">{info.diff(r["diff_mean"])} '
                         f'[{info.diff(r["diff_low"])}, {info.diff(r["diff_high"])}] '
                         f'{esc(said)}</div>')
            if k.metric in RATE_COUNTS and not pd.isna(r["pooled_rate"]):
                text += (f'<div class="pooled">pooled {percent(r["pooled_rate"])} '
                         f'[{percent(r["wilson_low"])}, {percent(r["wilson_high"])}] Wilson, '
                         f'{number(r["pooled_trials"])} trials</div>')
            if k.target_half_width:
                text += (f'<div class="pooled">&plusmn;{info.spread(k.target_half_width)} '
                         f'needs {number(r["replications_needed"])} replications</div>')
            cells.append(f'<td class="num {_verdict_class(said)}">{text}</td>')
        rows.append(cells)
    legend = ('<p class="legend"><span class="better" style="background:#d9f2d9">better than '
              'the base with confidence</span><span style="background:#f8d7d7">worse than the '
              'base with confidence</span><span style="background:#eef2fb">base</span>'
              '<span style="background:#fafafa">no difference shown, no practical '
              'difference, or not judged</span></p>')
    thresholds = "; ".join(
        f"{esc(k.label or metric_info(k.metric).label)} "
        + esc(metric_info(k.metric).spread(practical_threshold(
            metric_info(k.metric), _base_mean(comparison, design, k.metric))))
        for k in design.kpis)
    note = (f"<p class='meta'>Each cell: mean &plusmn; half-width of the {pct} t interval "
            "over replications; below it the paired difference with the base "
            f"(same seeds) and its {pct} interval. Rates are percentages and their "
            "differences percentage points (pp). Rates also show the pooled proportion "
            "over all measured orders with its Wilson interval. A difference is coloured "
            "only when it is statistically clear and at least the KPI's practical "
            f"threshold: {thresholds}.</p>")
    out = ["<h2>KPIs</h2>", legend, note, '<div class="wide"><table><thead><tr>',
           *(f"<th>{esc(h)}</th>" for h in head), "</tr></thead><tbody>"]
    out += ["<tr>" + "".join(r) + "</tr>" for r in rows]
    out.append("</tbody></table></div>")
    return "".join(out)


def _base_mean(comparison: pd.DataFrame, design: Design, metric: str) -> float | None:
    """The KPI's mean in the first base cell (what a relative threshold is relative to)."""
    base = design.base_of(design.cells[0]).folder
    rows = comparison[(comparison["cell"] == base) & (comparison["kpi"] == metric)]
    return float(rows["mean"].iloc[0]) if len(rows) else None


def _failures(runs: pd.DataFrame, design: Design) -> str:
    failed = runs[runs["status"] == "failed"]
    if failed.empty:
        return ""
    labels = {c.folder: design.label(c) for c in design.cells}
    rows = [(labels.get(r["cell"], r["cell"]), str(r["seed"]), r["error"],
             f"runs/{r['cell']}/s{r['seed']}/error.txt") for _, r in failed.iterrows()]
    return "<h2>Failed runs</h2>" + html_table(["cell", "seed", "error", "traceback"], rows)


def _metric_figures(design: Design, runs: pd.DataFrame, metric: str, label: str) -> list[str]:
    figures = []
    short = design.short_names()
    variants = ["variant"] if len(design.variants) > 1 else []
    # factors with a single value are constant: neither an axis nor a series
    varied = [f for f in design.factors
              if len({repr(c.factors.get(f)) for c in design.cells}) > 1]
    by = [*variants, *varied] or ["variant"]
    if metric not in runs.columns:
        return []
    summary = summarise(runs, metric, by, design.confidence)
    if summary.empty:
        return []
    xs = varied or ["variant"]
    for x in xs:
        series = [s for s in by if s != x]
        info = metric_info(metric)
        axis = with_unit(label, info)
        ax = plot_metric_by_factor(summary, x, series, ylabel=axis, names=short,
                                   xlabel=factor_label(x) if x != "variant" else "Variant",
                                   percent=info.kind == "rate")
        ax.set_title(f"{label} by {factor_label(x).lower() if x != 'variant' else 'variant'}")
        figures.append(html_figure(ax, f"{label} against {x} (mean and "
                                   f"{design.confidence:.0%} t interval)"))
    return figures


def _cdf_figures(design: Design, runs: pd.DataFrame, root: Path) -> list[str]:
    groups: dict[str, list[CellInfo]] = {"": list(design.cells)}
    if len(design.cells) > MAX_CDF_CURVES and len(design.variants) > 1 and design.factors:
        groups = {}
        for c in design.cells:  # one figure per factor combination, variants overlaid
            key = ", ".join(f"{k}={value_text(v)}" for k, v in c.factors.items())
            groups.setdefault(key, []).append(c)
    ok = runs[runs["status"] == "ok"]
    finished = set(zip(ok["cell"], ok["seed"], strict=True))
    folders: dict[str, list[Path]] = {}  # a cell's finished run folders, by cell folder
    for r in design.runs():
        cell = design.cells[r.cell].folder
        if (cell, r.seed) in finished:
            folders.setdefault(cell, []).append(root / r.folder)
    figures = []
    for title, cells in list(groups.items())[:12]:
        curves = {}
        for c in cells[:MAX_CDF_CURVES]:
            curves[design.label(c)] = pooled_click_to_door(folders.get(c.folder, []),
                                                           c.context())
        if not any(len(v) for v in curves.values()):
            continue
        ax = plot_delivery_cdfs(curves, cells[0].window["promise"] / 60)
        if title:
            ax.set_title(f"Click-to-door time, {title}")
        figures.append(html_figure(ax, "Empirical distribution of click-to-door minutes of the "
                                   "measured delivered orders, all replications pooled"
                           + (f" ({title})" if title else "")))
    return figures


def build_report(root: Path, design: Design | None = None, runs: pd.DataFrame | None = None,
                 comparison: pd.DataFrame | None = None) -> str:
    """The report of the sweep in ``root`` as HTML text.

    A sweep that has just built its tables passes them, so that the report does not
    read every run's metrics again; otherwise they are read from ``root``.
    """
    design = design or read_design(root)
    runs = collect(root, design) if runs is None else runs
    comparison = compare_design(runs, design) if comparison is None else comparison
    parts = [_overview(design, runs, root), _scenario(design)]
    parts.append(_kpi_table(design, comparison))
    parts.append(_failures(runs, design))
    figures = []
    for k in design.kpis:
        figures += _metric_figures(design, runs, k.metric,
                                   k.label or metric_info(k.metric).label)
    parts.append("<h2>KPIs by design</h2>" + ("".join(figures) or "<p>No finished runs.</p>"))
    cdfs = _cdf_figures(design, runs, root)
    if cdfs:
        parts.append("<h2>Delivery times</h2>" + "".join(cdfs))
    kpi_metrics = {k.metric for k in design.kpis}
    throughput = [m for m in runs.columns if (m.endswith(THROUGHPUT) or "throughput" in m)
                  and m not in kpi_metrics]
    through_figs = [f for m in throughput
                    for f in _metric_figures(design, runs, m, metric_info(m).label)]
    if through_figs:
        parts.append("<h2>Throughput</h2>" + "".join(through_figs))
    parts.append(
        "<h2>Definitions</h2><ul>"
        "<li><b>t interval</b>: mean &plusmn; t(1-a/2, n-1) s/&radic;n over the "
        "replications of a cell (each replication is one independent run).</li>"
        "<li><b>Paired difference</b>: cell minus base over the replications both "
        "finished; replication k uses the same seed in every cell, so the difference "
        "removes the shared demand noise.</li>"
        "<li><b>Better / worse</b>: the interval of the difference lies entirely on the "
        "better / worse side of zero for that KPI's direction, and the mean difference is "
        "at least the KPI's practical threshold (0.5 pp for service rates, 1 pp for "
        "utilisation, half a minute for click-to-door times, a quarter minute for a "
        "stage, otherwise 1% of the base value). A statistically clear change below it "
        "says <i>no practical difference</i>. With many cells and KPIs, some flags at "
        "this confidence level are expected by chance.</li>"
        "<li><b>Not judged</b>: utilisation has no good direction on its own: a busier "
        "fleet costs less per order but makes orders wait longer (and fewer pickers are "
        "busier, not better). It is shown with <i>higher</i> / <i>lower</i> and never "
        "coloured; judge the service and cost KPIs instead.</li>"
        "<li><b>Wilson interval</b>: the score interval of a proportion pooled over all "
        "measured orders of a cell; orders in one run are not independent, so it is "
        "narrower than the run-to-run uncertainty (trust the t interval).</li></ul>")
    body = "".join(parts)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(design.name)}: experiment report</title>"
            f"<style>{CSS}</style></head><body>"
            f"<h1>{esc(design.name)}</h1><p class='meta'>Experiment report written by "
            f"omnisim {esc(__version__)}.</p>{body}</body></html>\n")


def write_report(root: Path, output: Path | None = None, design: Design | None = None,
                 runs: pd.DataFrame | None = None,
                 comparison: pd.DataFrame | None = None) -> Path:
    """Write the report of the sweep in ``root`` (default ``root/report.html``); the
    tables, when given, are the sweep's own (see :func:`build_report`)."""
    from sim.experiments.store import write_bytes

    target = output or root / REPORT
    write_bytes(target, build_report(root, design, runs, comparison).encode("utf-8"))
    return target

