"""run_sim.py compare: scenario files head to head over the same seeds."""

from __future__ import annotations

import pandas as pd

from sim.cli import main


def test_compare_two_scenarios(write_experiment, tmp_path, capsys):
    """Two files, two replications each, the first the base; the summary names both."""
    write_experiment()
    tiny = tmp_path / "tiny.yaml"
    slow = tmp_path / "slow.yaml"
    slow.write_text(tiny.read_text().replace("name: tiny", "name: slow")
                    .replace("pickers: 3", "pickers: 1"))
    code = main(["compare", str(tiny), str(slow), "--replications", "2", "--backend",
                 "serial", "--results", str(tmp_path / "results"), "--no-report",
                 "--kpi", "stages_min.wait_for_picker:lower"])
    assert code == 0
    out = capsys.readouterr().out
    assert "compare-tiny-vs-slow: 4 of 4 runs" in out
    comp = pd.read_csv(tmp_path / "results/compare-tiny-vs-slow/comparison.csv")
    slow_row = comp.set_index("cell").loc["slow"]
    assert slow_row["kpi"] == "stages_min.wait_for_picker"
    assert slow_row["diff_mean"] > 0  # one picker instead of three: longer waits
    runs = pd.read_csv(tmp_path / "results/compare-tiny-vs-slow/runs.csv")
    assert list(runs["seed"]) == [0, 1, 0, 1]


def test_compare_options_are_checked(write_experiment, tmp_path, capsys):
    """A malformed --kpi or --seeds is a one-line input error."""
    write_experiment()
    tiny = str(tmp_path / "tiny.yaml")
    assert main(["compare", tiny, "--kpi", "sla.on_time_rate:up"]) == 2
    assert "--kpi needs METRIC:higher or METRIC:lower" in capsys.readouterr().err
    assert main(["compare", tiny, "--seeds", "1,x"]) == 2
    assert "--seeds needs whole numbers" in capsys.readouterr().err
    assert main(["compare", tiny, "--seeds", "1,1"]) == 2
    assert "listed twice" in capsys.readouterr().err
