"""The single-run HTML report: self-contained, complete, reproducible, and written by
``run --report`` and by ``report RUN_DIR``."""

from __future__ import annotations

import html
import re
import shutil

from sim.cli import main
from sim.report.run_report import build_run_report
from tests.conftest import TINY
from tests.report.test_report_browser import SCIENTIFIC

IMG = re.compile(r'<img src="([^"]*)"')


def visible_text(page: str) -> str:
    """The page's text without tags and data URIs (what a reader sees, roughly)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", page,
                                                        flags=re.S)))


def test_run_report_is_self_contained_and_complete(run_folder):
    """Every figure embedded, nothing loaded from outside, every section there, numbers
    for people (thousands separators, percentages, no scientific notation)."""
    page = (run_folder / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert not re.search(r'(src|href)="(?!data:)', page)
    assert len(IMG.findall(page)) >= 6
    text = visible_text(page)
    for part in ("Summary", "Where the time goes", "Stores", "Late orders",
                 "--set store_defaults.pickers=2", "On time (within 30 min)"):
        assert part in text, part
    assert re.search(r"On time \(within 30 min\)\s+\d+(\.\d+)?% \(\d", text)
    assert SCIENTIFIC.findall(text) == []


def test_report_command_on_a_run_folder(run_folder, tmp_path, capsys):
    """report RUN_DIR rebuilds the same page byte for byte (also from a copy elsewhere,
    and with the figures deleted, drawn again from the tables)."""
    copy = shutil.copytree(run_folder, tmp_path / "copy")
    (copy / "report.html").unlink()
    assert main(["report", str(copy)]) == 0
    assert capsys.readouterr().out.strip() == str(copy / "report.html")
    assert (copy / "report.html").read_bytes() == (run_folder / "report.html").read_bytes()
    for png in copy.glob("*.png"):
        png.unlink()
    redrawn = build_run_report(copy)
    assert len(IMG.findall(redrawn)) == len(IMG.findall(
        (run_folder / "report.html").read_text(encoding="utf-8")))


def test_run_without_plots_still_reports(tmp_path):
    """run --no-plots --report draws the report's figures itself and leaves no PNG."""
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    out = tmp_path / "run"
    assert main(["run", str(tmp_path / "tiny.yaml"), "--out", str(out), "--no-plots",
                 "--report", "--quiet", "--set", "run.duration=1h"]) == 0
    assert not list(out.glob("*.png"))
    assert len(IMG.findall((out / "report.html").read_text(encoding="utf-8"))) >= 5
