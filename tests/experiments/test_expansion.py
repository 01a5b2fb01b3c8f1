"""Expanding an experiment: cells, seeds (common random numbers), override order."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import yaml

from sim.experiments.plan import IMPLICIT_VARIANT, Design, load_plan, load_scenarios_plan
from sim.scenario import read_scenario


def test_cells_are_variants_times_grid(write_experiment):
    """2 variants x 2 factor values give 4 cells in variant-major order, 3 runs each."""
    plan = load_plan(write_experiment())
    d = plan.design
    assert [(c.variant, c.factors) for c in d.cells] == [
        ("few", {"store_defaults.couriers.count": 6}),
        ("few", {"store_defaults.couriers.count": 9}),
        ("more", {"store_defaults.couriers.count": 6}),
        ("more", {"store_defaults.couriers.count": 9}),
    ]
    assert [d.label(c) for c in d.cells] == ["few, count=6", "few, count=9",
                                            "more, count=6", "more, count=9"]
    assert len({c.folder for c in d.cells}) == 4
    assert [sc.stores[0].fleets[0].count for sc in plan.scenarios] == [6, 9, 6, 9]
    assert [sc.stores[1].pickers for sc in plan.scenarios] == [3, 3, 5, 5]
    assert len(d.runs()) == 12


def test_replication_k_has_the_same_seed_in_every_cell(write_experiment):
    """Common random numbers: the seed depends on the replication only."""
    d = load_plan(write_experiment()).design
    seeds: dict[int, set[int]] = {}
    for run in d.runs():
        seeds.setdefault(run.replication, set()).add(run.seed)
    assert seeds == {0: {0}, 1: {1}, 2: {2}}
    assert load_plan(write_experiment(), replications=5).design.seeds == (0, 1, 2, 3, 4)


def test_override_order(write_experiment):
    """overrides, then warmup, then the variant, then the factor: the later one wins."""
    plan = load_plan(write_experiment("""
name: order
scenario: tiny.yaml
seeds: [3]
overrides: {store_defaults.pickers: 2, run.warmup: 5min}
warmup: 10min
variants:
  plain: {}
  four: {store_defaults.pickers: 4}
factors: {store_defaults.pickers: [6, 7]}
"""))
    assert [sc.stores[0].pickers for sc in plan.scenarios] == [6, 7, 6, 7]
    assert {sc.run.warmup for sc in plan.scenarios} == {600.0}
    assert plan.design.cells[3].overrides == {
        "store_defaults.pickers": 7, "run.warmup": "600s"}


def test_base_cell(write_experiment):
    """With several variants the base is the base variant at the same factor values;
    with one, the first factor combination."""
    d = load_plan(write_experiment()).design
    assert [d.base_of(c).folder for c in d.cells] == [
        d.cells[0].folder, d.cells[1].folder, d.cells[0].folder, d.cells[1].folder]
    single = load_plan(write_experiment(
        "name: s\nscenario: tiny.yaml\nreplications: 1\n"
        "factors: {store_defaults.couriers.count: [4, 8, 12]}\n")).design
    assert single.variants == (IMPLICIT_VARIANT,)
    assert [single.label(c) for c in single.cells] == ["count=4", "count=8", "count=12"]
    assert {single.base_of(c).folder for c in single.cells} == {single.cells[0].folder}


def test_design_round_trips_through_json(write_experiment):
    """plan.json holds the whole design: reading it back gives the same design."""
    d = load_plan(write_experiment()).design
    again = Design.from_json(json.loads(json.dumps(d.to_json())))
    assert again == d


def test_cell_scenarios_pickle(write_experiment):
    """Scenarios go to worker processes and Dask workers: they pickle and come back equal."""
    plan = load_plan(write_experiment())
    for sc in plan.scenarios:
        assert pickle.loads(pickle.dumps(sc)) == sc


def test_compare_plan_names_variants_after_scenarios(write_experiment, tmp_path):
    """compare A B: one variant per scenario file, the first is the base."""
    write_experiment()
    other = tmp_path / "tiny2.yaml"
    other.write_text((tmp_path / "tiny.yaml").read_text().replace("name: tiny", "name: tiny2"))
    plan = load_scenarios_plan([tmp_path / "tiny.yaml", other], [1, 2],
                               ["store_defaults.couriers.count=5"])
    d = plan.design
    assert d.variants == ("tiny", "tiny2") and d.base_variant == "tiny"
    assert d.name == "compare-tiny-vs-tiny2"
    assert all(sc.stores[0].fleets[0].count == 5 for sc in plan.scenarios)
    same = load_scenarios_plan([tmp_path / "tiny.yaml", tmp_path / "tiny.yaml"], [1])
    assert same.design.variants == ("tiny", "tiny-2")


def test_every_shipped_scenario_pickles():
    """Sweeps send scenarios to other processes: every scenario under scenarios/ (with
    the models other packages add to the schema) pickles and comes back equal."""
    root = Path(__file__).resolve().parents[2] / "scenarios"
    files = [p for p in sorted(root.rglob("*.yaml"))
             if "city" in (yaml.safe_load(p.read_text(encoding="utf-8")) or {})]
    assert files
    for path in files:
        sc = read_scenario(path)
        assert pickle.loads(pickle.dumps(sc)) == sc, path.name
