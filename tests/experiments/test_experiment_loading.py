"""Experiment files: what they accept, and one-line errors that name the field."""

from __future__ import annotations

import pytest

from sim.cli import main
from sim.experiments.loading import parse_experiment, read_experiment
from sim.experiments.plan import load_plan
from sim.scenario.errors import ScenarioError


def test_reads_the_documented_fields(write_experiment):
    """A full experiment file reads into the spec with its defaults filled in."""
    path = write_experiment("""
name: full
scenario: tiny.yaml
seeds: [5, 9]
warmup: 20min
confidence: 0.9
overrides: {run.duration: 3h}
variants:
  a:
  b: {dispatch: {policy: immediate}}
base: b
factors: {store_defaults.couriers.count: [4, 8]}
kpis:
  - {metric: sla.on_time_rate, better: higher, target_half_width: 0.02, label: on time}
""")
    spec = read_experiment(path)
    assert spec.seed_list == [5, 9]
    assert spec.warmup == 1200.0
    assert spec.variants == {"a": {}, "b": {"dispatch": {"policy": "immediate"}}}
    assert spec.base == "b" and spec.confidence == 0.9
    assert spec.kpis[0].target_half_width == 0.02
    assert spec.scenario == str((path.parent / "tiny.yaml").resolve())


@pytest.mark.parametrize(("body", "expected"), [
    ("replications: 2\nvariantz: {a: {}}",
     "exp.yaml:4: variantz: unknown field 'variantz' (did you mean 'variants'?)"),
    ("replications: 2\nseeds: [1, 2]",
     "exp.yaml:3: replications: give either replications or seeds (exactly one)"),
    ("seeds: [1, 2, 1]", "exp.yaml:3: seeds[2]: seed 1 is listed twice"),
    ("replications: 0", "exp.yaml:3: replications: must be >= 1 (got 0)"),
    ("replications: 2\nkpis: [{metric: sla.on_time_rate, better: up}]",
     "exp.yaml:4: kpis[0].better: must be one of 'higher' or 'lower' (got 'up')"),
    ("replications: 2\nbase: zz\nvariants: {a: {}}",
     "exp.yaml:4: base: 'zz' is not one of the variants"),
    ("replications: 2\nfactors: {'x..[': [1]}",
     "exp.yaml:4: factors.x..[: cannot read the path 'x..['"),
    ("replications: 2\nconfidence: 1.5", "exp.yaml:4: confidence: must be < 1.0 (got 1.5)"),
])
def test_errors_name_the_field_and_line(write_experiment, body, expected):
    """Each mistake is one line naming the file, line and field."""
    path = write_experiment(f"name: x\nscenario: tiny.yaml\n{body}\n")
    with pytest.raises(ScenarioError) as err:
        load_plan(path)
    assert str(err.value).replace(str(path), "exp.yaml").startswith(expected)


def test_missing_scenario_file():
    """The base scenario must exist, relative to the experiment file."""
    with pytest.raises(ScenarioError, match=r"scenario: file not found: .*nope.yaml"):
        parse_experiment("name: x\nscenario: nope.yaml\nreplications: 1\n")


@pytest.mark.parametrize(("body", "expected"), [
    ("variants:\n  a: {}\n  b:\n    store_defaults.pickers: 0",
     "exp.yaml:7: variants.b.store_defaults.pickers: must be >= 1 (got 0)"),
    ("factors:\n  store_defaults.couriers.count: [3, -1]",
     "exp.yaml:5: factors.store_defaults.couriers.count[1]: must be >= 0 (got -1)"),
    ("variants:\n  a: {dispatch: {policy: batchy}}",
     "exp.yaml:5: variants.a.dispatch.policy: unknown policy 'batchy'"),
    ("variants:\n  a: {'stores[5].pickers': 3}",
     "exp.yaml:5: variants.a.stores[5].pickers: stores[5]: index out of range"),
    ("overrides: {run.bogus.deep: 1}",  # a key only the override wrote
     "exp.yaml:4: overrides.run.bogus.deep: unknown field 'bogus'"),
    ("overrides: {run.warmup: 3h}",
     "exp.yaml:4: overrides.run.warmup: must be shorter than run.duration"),
    ("overrides: {run.duration: 10min}",
     "exp.yaml: variant 'base': "),
])
def test_bad_overrides_fail_before_any_run(write_experiment, tmp_path, capsys, body,
                                           expected):
    """A value that makes a bad scenario stops the sweep up front: exit 2, one line
    naming the experiment field, nothing written."""
    path = write_experiment(f"name: x\nscenario: tiny.yaml\nreplications: 2\n{body}\n")
    out = tmp_path / "results"
    assert main(["sweep", str(path), "--out", str(out), "--backend", "serial"]) == 2
    err = capsys.readouterr().err.replace(str(path), "exp.yaml")
    assert err.startswith("error: " + expected)
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_unknown_kpi_metric_refuses_to_start(write_experiment, tmp_path, capsys):
    """A KPI that no run measures is an input error before any run, with a suggestion."""
    path = write_experiment("name: x\nscenario: tiny.yaml\nreplications: 1\n"
                            "kpis: [{metric: sla.on_time_rat, better: higher}]\n")
    assert main(["sweep", str(path), "--out", str(tmp_path / "o"), "--backend", "serial",
                 "--no-report", "--quiet"]) == 2
    assert ("kpis[0].metric: 'sla.on_time_rat' is not a metric that these runs write "
            "(did you mean 'sla.on_time_rate'?)") in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
