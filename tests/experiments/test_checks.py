"""Experiments are checked whole before the first run: `validate` reads them, and `sweep`
and `compare` refuse to start (exit 2, nothing written) on a bad KPI or override."""

from __future__ import annotations

import pytest

from sim.cli import main
from sim.experiments.checks import is_experiment
from sim.scenario import ScenarioError, parse_scenario
from sim.scenario.sanity import delivery_warnings
from tests.conftest import SCENARIOS, TINY
from tests.experiments.conftest import SMALL


@pytest.mark.parametrize("path", sorted((SCENARIOS / "experiments").glob("*.yaml")),
                         ids=lambda p: p.name)
def test_validate_shipped_experiments(path, capsys):
    """`validate` expands every shipped experiment, checks its KPIs and says what it runs."""
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr()
    assert ": ok: experiment '" in out.out and "KPIs checked" in out.out
    assert out.err == ""


def test_validate_small_experiment(write_experiment, capsys):
    """The line counts cells, replications and runs."""
    assert main(["validate", str(write_experiment())]) == 0
    assert "4 cells x 3 replications = 12 runs of scenario 'tiny', 2 KPIs checked" \
        in capsys.readouterr().out


BAD = [
    (SMALL.replace("sla.on_time_rate", "sla.ontime_rate"),
     "exp.yaml:11: kpis[0].metric: 'sla.ontime_rate' is not a metric that these runs write "
     "(did you mean 'sla.on_time_rate'?)"),
    (SMALL.replace("sla.on_time_rate", "utilisation.couriers.by_node.north"),
     "'utilisation.couriers.by_node.north' is not a metric"),
    (SMALL.replace("sla.on_time_rate", "economics.profit"),
     "(the scenario has no `economics` figures)"),
    (SMALL.replace("store_defaults.pickers: 5", "store_defaults.pickers: -5"),
     "exp.yaml:7: variants.more.store_defaults.pickers: must be >= 1 (got -5)"),
    (SMALL.replace("[6, 9]", "[6, lots]"),
     "exp.yaml:9: factors.store_defaults.couriers.count[1]: must be a whole number"),
]


@pytest.mark.parametrize(("text", "words"), BAD, ids=["kpi", "node", "economics",
                                                      "override", "factor"])
def test_sweep_refuses_to_start(text, words, write_experiment, tmp_path, capsys):
    """A misspelt KPI or a bad override is exit 2 with one line, before any run starts:
    no results folder; `validate` reports the same error."""
    path = write_experiment(text)
    out = tmp_path / "results"
    assert main(["sweep", str(path), "--out", str(out), "--backend", "serial"]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1, err
    assert not out.exists()
    assert main(["validate", str(path)]) == 2
    assert words in capsys.readouterr().err


def test_python_sweep_checks_kpis(write_experiment, tmp_path):
    """sim.sweep raises the same input error before running anything."""
    import sim

    path = write_experiment(SMALL.replace("sla.on_time_rate", "sla.ontime_rate"))
    with pytest.raises(ScenarioError, match=r"did you mean 'sla\.on_time_rate'"):
        sim.sweep(path, backend="serial", out=tmp_path / "o")
    assert not (tmp_path / "o").exists()


def test_compare_checks_kpis(write_experiment, tmp_path, capsys):
    """`compare --kpi` with a misspelt metric refuses to start too."""
    write_experiment()
    scenario = str(tmp_path / "tiny.yaml")
    out = tmp_path / "cmp"
    assert main(["compare", scenario, scenario, "--kpi", "sla.click_to_door.p90:lower",
                 "--out", str(out), "--replications", "1"]) == 2
    assert "did you mean 'sla.click_to_door_min.p90'" in capsys.readouterr().err
    assert not out.exists()


def test_validate_experiment_rejects_set(write_experiment, capsys):
    """--set is for scenario files; an experiment's overrides live in the file."""
    assert main(["validate", str(write_experiment()), "--set", "run.duration=1h"]) == 2
    assert "--set applies to scenario files" in capsys.readouterr().err


def test_experiment_detected_by_content():
    """An experiment names a scenario and has variants, factors, replications or KPIs."""
    assert is_experiment({"scenario": "a.yaml", "variants": {}})
    assert is_experiment({"scenario": "a.yaml", "replications": 3})
    assert not is_experiment({"name": "x", "stores": []})
    assert not is_experiment({"scenario": "a.yaml"})
    assert not is_experiment(["scenario"])


@pytest.mark.parametrize(("overrides", "words"), [
    (["promise.window=30s"], "promise.window is 30 s, shorter than the fastest possible "
                            "delivery (2 min of pickup and drop-off"),
    (["store_defaults.couriers.count=0"], "no courier on duty anywhere"),
])
def test_undeliverable_scenarios_warn(overrides, words, tmp_path, capsys):
    """A valid scenario that cannot deliver anything is a warning on stderr that names it,
    in `validate` and in `run` (which still runs)."""
    sc = parse_scenario(TINY, "tiny.yaml", overrides)
    assert any(words in w for w in delivery_warnings(sc))
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    sets = [x for o in overrides for x in ("--set", o)]
    assert main(["validate", str(path), *sets]) == 0
    err = capsys.readouterr().err
    assert err.startswith(f"warning: {path}: ") and words in err
    assert main(["run", str(path), *sets, "--set", "run.duration=20min",
                 "--set", "run.warmup=5min", "--set", "run.drain=10min",
                 "--out", str(tmp_path / "out"), "--quiet", "--no-plots"]) == 0
    assert words in capsys.readouterr().err


def test_deliverable_scenario_does_not_warn(tiny):
    """The tiny scenario (couriers on duty, a 30-minute promise) has no warning."""
    assert delivery_warnings(tiny) == []
