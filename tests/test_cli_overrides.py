"""--version, the --set overrides recorded in a run folder and shown in the summary,
and sweep --set applied to every cell."""

from __future__ import annotations

import json

import pytest

from sim.cli import main
from sim.runfolder import RESOLVED, read_overrides
from sim.scenario.loading import read_scenario
from tests.conftest import TINY


def test_version(capsys):
    """--version prints the package version and exits 0."""
    from sim import __version__

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"omnisim {__version__}\n"


def test_run_records_its_overrides(tmp_path, capsys):
    """The resolved scenario's header lists each --set in order, the summary shows
    them, and the resolved file still re-runs to the same scenario."""
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    out = tmp_path / "run"
    sets = ["run.duration=1h", "store_defaults.pickers=4"]
    assert main(["run", str(tmp_path / "tiny.yaml"), "--out", str(out), "--no-plots",
                 *(a for s in sets for a in ("--set", s))]) == 0
    assert read_overrides(out) == sets
    assert "overrides: --set run.duration=1h, --set store_defaults.pickers=4" in (
        capsys.readouterr().out)
    again = read_scenario(out / RESOLVED)
    assert again.run.duration == 3600 and again.stores[0].pickers == 4
    plain = tmp_path / "plain"
    assert main(["run", str(tmp_path / "tiny.yaml"), "--out", str(plain), "--no-plots",
                 "--quiet"]) == 0
    assert read_overrides(plain) == []
    assert "--set" not in (plain / RESOLVED).read_text(encoding="utf-8")


EXPERIMENT = """
name: sets
scenario: tiny.yaml
replications: 1
variants:
  base: {}
  more: {store_defaults.pickers: 5}
"""


def test_sweep_set_applies_to_every_cell(tmp_path, capsys):
    """sweep --set reaches every cell (plan.json and each run's scenario); a path the
    variants set, or a bad value, is exit 2 before any run, naming --set."""
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    (tmp_path / "exp.yaml").write_text(EXPERIMENT, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["sweep", str(tmp_path / "exp.yaml"), "--out", str(out), "--backend",
                 "serial", "--quiet", "--no-report", "--set", "run.duration=30min"]) == 0
    cells = json.loads((out / "plan.json").read_text(encoding="utf-8"))["cells"]
    assert [c["overrides"].get("run.duration") for c in cells] == ["30min", "30min"]
    for run in sorted(out.glob("runs/*/s0")):
        assert read_scenario(run / RESOLVED).run.duration == 1800
    capsys.readouterr()
    bad = tmp_path / "bad"
    assert main(["sweep", str(tmp_path / "exp.yaml"), "--out", str(bad),
                 "--set", "store_defaults.pickers=2"]) == 2
    assert "--set: store_defaults.pickers is set by the experiment" in capsys.readouterr().err
    assert main(["sweep", str(tmp_path / "exp.yaml"), "--out", str(bad),
                 "--set", "run.duration=soon"]) == 2
    assert capsys.readouterr().err.startswith("error: --set: run.duration: invalid duration")
    assert not bad.exists()
