"""The experiment report: self-contained HTML with every figure embedded."""

from __future__ import annotations

import base64
import re
import shutil
import struct

import numpy as np
import pandas as pd

from sim.cli import main
from sim.experiments.store import write_folder
from sim.report.experiment_plots import plot_delivery_cdfs, plot_metric_by_factor, summarise
from sim.report.experiment_report import build_report

IMG = re.compile(r'<img src="([^"]*)"')


def png_size(uri: str) -> tuple[int, int]:
    """Width and height of a base64 PNG data URI (from its IHDR chunk)."""
    assert uri.startswith("data:image/png;base64,")
    data = base64.b64decode(uri.split(",", 1)[1], validate=True)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_report_is_self_contained(swept):
    """report.html references nothing outside itself: no scripts, no links, every
    image an embedded PNG with a size."""
    text = (swept / "report.html").read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "<script" not in text and "<link" not in text
    assert not re.search(r'(src|href)="(?!data:)', text)
    images = IMG.findall(text)
    # 2 KPIs by courier count, 1 CDF overlay, throughput by courier count
    assert len(images) == 4
    for uri in images:
        w, h = png_size(uri)
        assert w > 100 and h > 100


def test_report_shows_the_design_and_kpis(swept):
    """Scenario summary, one row per cell with coloured verdicts, definitions."""
    text = (swept / "report.html").read_text(encoding="utf-8")
    assert "report_demo" in text and "Two pickers levels" in text
    for label in ("base, count=6", "base, count=9", "more_pickers, count=6",
                  "more_pickers, count=9"):
        assert label in text
    verdicts = re.findall(r'<td class="num (base|better|worse|same)">', text)
    assert len(verdicts) == 8 and verdicts.count("base") == 4
    assert "on-time rate (higher is better)" in text
    assert "Wilson" in text and "needs" in text and "replications" in text
    assert "12 of 12 runs finished" in text
    comp = pd.read_csv(swept / "comparison.csv")
    first = comp[(comp["cell"] == "base__store_defaults.couriers.count=6")
                 & (comp["kpi"] == "sla.on_time_rate")].iloc[0]
    # rates as percentages, their half-widths in percentage points
    assert (f"{100 * first['mean']:.3g}% &plusmn; {100 * first['half_width']:.2g} pp"
            in text)


def test_report_of_an_incomplete_sweep(swept_copy):
    """Missing and failed runs are reported, and the page still builds."""
    shutil.rmtree(swept_copy / "runs/base__store_defaults.couriers.count=6/s2")
    failed = swept_copy / "runs/more_pickers__store_defaults.couriers.count=9/s1"
    resolved = (failed / "scenario.resolved.yaml").read_bytes()
    write_folder(failed, {"scenario.resolved.yaml": resolved,
                          "error.txt": b"Traceback (most recent call last):\n"
                                       b"RuntimeError: simulated failure\n"})
    text = build_report(swept_copy)
    assert "10 of 12 runs finished, 1 failed, 1 not run yet" in text
    assert "Failed runs" in text and "RuntimeError: simulated failure" in text


def test_report_command(swept_copy, tmp_path, capsys):
    """run_sim.py report writes the page where asked; a non-results folder is exit 2."""
    target = tmp_path / "page.html"
    assert main(["report", str(swept_copy), "--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8").count("<img ") == 4
    assert main(["report", str(tmp_path / "nothing")]) == 2
    assert "not the results folder of a sweep" in capsys.readouterr().err


def test_metric_by_factor_plot():
    """One line per series with interval bars; categorical factors get tick labels."""
    runs = pd.DataFrame({
        "cell": ["a", "a", "b", "b", "c", "c", "d", "d"],
        "variant": ["x", "x", "x", "x", "y", "y", "y", "y"],
        "policy": ["fifo", "fifo", "batch", "batch"] * 2,
        "status": ["ok"] * 8, "kpi": [1.0, 2.0, 3.0, 5.0, 2.0, 2.0, 4.0, 4.5]})
    summary = summarise(runs, "kpi", ["variant", "policy"])
    assert list(summary["mean"]) == [1.5, 4.0, 2.0, 4.25]
    ax = plot_metric_by_factor(summary, "policy", ["variant"], ylabel="kpi")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["fifo", "batch"]
    assert len(ax.containers) == 2  # one errorbar container per variant
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["x", "y"]


def test_delivery_cdf_plot():
    """A curve per label through its quantiles, plus the promise line."""
    rng = np.random.default_rng(1)
    ax = plot_delivery_cdfs({"a": rng.exponential(10, 500), "b": np.array([])}, 30.0)
    lines = ax.get_lines()
    assert len(lines) == 2  # "b" has no data: only "a" and the promise
    x, y = lines[0].get_data()
    assert y[0] == 0 and y[-1] == 1 and np.all(np.diff(x) >= 0)
