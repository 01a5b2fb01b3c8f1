"""Heavy modules are imported only where they are used, so start-up stays cheap.

``run_sim.py validate`` only reads and checks a scenario: it must not pay for the plots
(matplotlib), the routing solvers (OR-Tools, PyVRP) or the distributed backend (dask).
A run without figures under immediate dispatch needs none of them either. Each check
runs in a fresh interpreter and reads ``sys.modules`` at the end.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SCENARIOS

HEAVY = ("matplotlib", "ortools", "pyvrp", "dask", "distributed", "sklearn")


def imported_after(argv: list[str]) -> set[str]:
    """Top-level packages of ``HEAVY`` imported by ``run_sim.py ARGV``, run in a fresh
    interpreter from the project root (exit code 0 required)."""
    code = (
        "import json, sys\n"
        "from sim.cli import main\n"
        f"code = main({argv!r})\n"
        f"print(json.dumps([code, sorted(m for m in {HEAVY!r} if m in sys.modules)]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    exit_code, modules = json.loads(done.stdout.strip().splitlines()[-1])
    assert exit_code == 0, done.stderr
    return set(modules)


@pytest.mark.parametrize("file", sorted(p.name for p in SCENARIOS.glob("*.yaml")))
def test_validate_imports_no_plots_solvers_or_dask(file: str) -> None:
    """Validating any shipped scenario imports none of the heavy optional modules."""
    assert imported_after(["validate", str(SCENARIOS / file)]) == set()


def test_run_without_plots_imports_no_plots_or_solvers(tmp_path: Path) -> None:
    """A short immediate-dispatch run with ``--no-plots`` imports no plotting, solver or
    dask module (they are imported where figures are drawn or a VRP is solved)."""
    argv = ["run", str(SCENARIOS / "hema_city.yaml"), "--quiet", "--no-plots",
            "--out", str(tmp_path / "run"), "--set", "run.start=10:00",
            "--set", "run.duration=5min", "--set", "run.warmup=1min",
            "--set", "run.drain=5min"]
    assert imported_after(argv) == set()
    assert (tmp_path / "run" / "orders.csv").is_file()
