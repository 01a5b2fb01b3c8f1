"""The Python API: sim.replicate, sim.sweep and sim.compare return DataFrames."""

from __future__ import annotations

import pandas as pd
import pytest

import sim
from sim.experiments.loading import read_experiment


def test_replicate_in_memory_matches_the_results_folder(tiny, tmp_path):
    """The in-memory table equals the one written to (and rebuilt from) a folder."""
    memory = sim.replicate(tiny, 3, backend="serial")
    folder = sim.replicate(tiny, 3, backend="serial", out=tmp_path / "reps")
    assert list(memory["seed"]) == [0, 1, 2]
    assert (memory["status"] == "ok").all()
    assert memory.to_csv() == folder.to_csv()
    assert (tmp_path / "reps" / "runs.csv").read_text() == folder.to_csv(index=False)
    assert memory["sla.on_time_rate"].nunique() > 1  # seeds differ


def test_common_random_numbers_across_cells(write_experiment):
    """Cells that differ only in couriers see the same demand: replication k creates
    the same orders in every cell, and different replications differ."""
    runs = sim.sweep(write_experiment(), backend="serial")
    created = runs.pivot(index="seed", columns="cell", values="orders.created")
    assert (created.nunique(axis=1) == 1).all()
    assert created.iloc[:, 0].nunique() == 3


def test_sweep_spec_and_compare(write_experiment):
    """sim.sweep takes a spec too; sim.compare of its table flags and intervals."""
    spec = read_experiment(write_experiment())
    runs = sim.sweep(spec, replications=2, backend="processes", workers=2)
    assert len(runs) == 8 and list(runs["replication"].unique()) == [0, 1]
    table = sim.compare(runs, spec.kpis)
    assert len(table) == 4 * len(spec.kpis)
    base_rows = table[table["verdict"] == "base"]
    assert set(base_rows["variant"]) == {"few"}
    assert set(table["verdict"]) <= {"base", "better", "worse", "no difference"}
    assert isinstance(table, pd.DataFrame)


def test_bad_input_raises_scenario_error(tmp_path):
    """A missing experiment file is a ScenarioError, as on the command line."""
    with pytest.raises(sim.ScenarioError, match="not found"):
        sim.sweep(tmp_path / "missing.yaml")
