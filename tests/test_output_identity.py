"""The default day's outputs are byte-identical to the recorded hashes.

``tests/golden/default_day.sha256`` holds the sha256 of every file the default day
(``scenarios/hema_city.yaml``, its own seed) writes, except the figures and
``wallclock.json``. A change meant to keep results (a refactor, a speed-up) must leave
them all identical. When a change alters the outputs on purpose, regenerate the file
with ``python benchmarks/output_identity.py --golden`` and commit it with the change;
``python benchmarks/output_identity.py --base REF`` compares every shipped scenario and
experiment with another commit.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from sim.runner import run, write_run
from sim.scenario import read_scenario
from tests.conftest import ROOT


def _identity_script() -> ModuleType:
    """``benchmarks/output_identity.py`` (not a package), for its hashing rule."""
    path = ROOT / "benchmarks" / "output_identity.py"
    spec = importlib.util.spec_from_file_location("output_identity", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_default_day_outputs_match_recorded_hashes(tmp_path: Path) -> None:
    """Every CSV, ``metrics.json`` and the resolved scenario of the default day hash to
    the recorded values (and no file is missing or new)."""
    script = _identity_script()
    scenario = read_scenario(ROOT / script.DEFAULT_DAY)
    folder = write_run(run(scenario), tmp_path / "day", plots=False)
    recorded = (ROOT / script.GOLDEN).read_text(encoding="utf-8").splitlines()
    now = script.golden_lines(folder)
    names_then = {line.split("  ", 1)[1] for line in recorded}
    names_now = {line.split("  ", 1)[1] for line in now}
    assert names_now == names_then, "files written by the default day changed"
    differing = sorted(set(now) - set(recorded))
    assert not differing, (
        "default day outputs changed: " + ", ".join(x.split("  ", 1)[1] for x in differing)
        + " (if on purpose: python benchmarks/output_identity.py --golden)")
