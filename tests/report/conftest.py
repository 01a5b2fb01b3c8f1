"""A small finished sweep shared by the report tests (run once per session)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim.cli import main
from tests.conftest import TINY

EXPERIMENT = """
name: report_demo
description: Two pickers levels against courier count, for the report tests.
scenario: tiny.yaml
replications: 3
variants:
  base: {}
  more_pickers: {store_defaults.pickers: 5}
factors:
  store_defaults.couriers.count: [6, 9]
kpis:
  - {metric: sla.on_time_rate, better: higher, label: on-time rate, target_half_width: 0.05}
  - {metric: sla.click_to_door_min.p90, better: lower}
"""


@pytest.fixture(scope="session")
def swept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The results folder of a finished 12-run sweep of the tiny scenario, with report."""
    root = tmp_path_factory.mktemp("report")
    (root / "tiny.yaml").write_text(TINY, encoding="utf-8")
    (root / "exp.yaml").write_text(EXPERIMENT, encoding="utf-8")
    out = root / "results"
    assert main(["sweep", str(root / "exp.yaml"), "--out", str(out), "--backend",
                 "serial", "--quiet"]) == 0
    return out


@pytest.fixture
def swept_copy(swept: Path, tmp_path: Path) -> Path:
    """A copy of the finished sweep that a test may damage."""
    return Path(shutil.copytree(swept, tmp_path / "results"))


@pytest.fixture(scope="session")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The results folder of one run of the tiny scenario with its report.html, made
    with --set so the overrides show."""
    root = tmp_path_factory.mktemp("run_report")
    (root / "tiny.yaml").write_text(TINY, encoding="utf-8")
    out = root / "run"
    assert main(["run", str(root / "tiny.yaml"), "--out", str(out), "--report", "--quiet",
                 "--set", "store_defaults.pickers=2"]) == 0
    return out
