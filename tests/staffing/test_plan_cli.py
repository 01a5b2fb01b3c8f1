"""``run_sim.py plan``: bad input exits 2 with one line before anything runs; a plan
from a short history writes a roster the scenario accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from tests.conftest import SCENARIOS

HEMA = str(SCENARIOS / "hema_city.yaml")


@pytest.mark.parametrize("argv,needle", [
    (["--target", "on_tme=0.95"], "unknown target KPI 'on_tme'"),
    (["--target", "on_time=1.5"], "between 0 and 1"),
    (["--target", "mean_wait=soon"], "mean_wait"),
    (["--target", "on_time"], "KPI=VALUE"),
    (["--target", "on_time=0.95", "--forecaster", "arima"], "unknown forecaster"),
    (["--target", "on_time=0.95", "--shift-lengths", "0,8"], "--shift-lengths"),
    (["--target", "on_time=0.95", "--history", "/nonexistent/run"], "not a run folder"),
    (["--target", "on_time=0.95", "--set", "run={start: 10:00, duration: 2h}"], "whole day"),
])
def test_bad_input_exits_2_with_one_line(argv: list[str], needle: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Each bad argument is exit 2 and one stderr line naming it."""
    assert main(["plan", HEMA, *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and needle in err, err


def test_plan_writes_a_roster_the_scenario_accepts(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """From a two-day history, ``plan`` writes a roster file and a scenario with the
    roster in place; the scenario validates and its stores are on shifts."""
    from sim.runner import run, scenario_yaml, write_run
    from sim.scenario import parse_scenario
    from sim.scenario.loading import read_scenario
    from tests.conftest import TINY

    days = ["run={start: '00:00', duration: 24h, days: 2, warmup: 1h, drain: 1h}",
            "demand.online.orders_per_day=600", "store_defaults.walkins_per_day=100",
            "demand.online.profile=[0, 0, 0, 0, 0, 0, 0, 2, 4, 6, 8, 10, 8, 5, 4, 4, 6, "
            "10, 11, 9, 6, 4, 1, 0]"]
    sc = parse_scenario(TINY, "tiny.yaml", days)
    hist = tmp_path / "hist"
    write_run(run(sc, 3), hist, plots=False)
    file = tmp_path / "city.yaml"
    file.write_text(scenario_yaml(sc.model_copy(update={"run": sc.run.model_copy(
        update={"days": 1})})), encoding="utf-8")
    roster, planned = tmp_path / "roster.yaml", tmp_path / "planned.yaml"
    assert main(["plan", str(file), "--target", "on_time=0.9", "--history", str(hist),
                 "--forecaster", "seasonal_naive", "-o", str(roster),
                 "--scenario-out", str(planned)]) == 0
    assert "stores[0].pickers" in roster.read_text(encoding="utf-8")
    out = read_scenario(planned)
    assert all(isinstance(s.pickers, list) and isinstance(s.fleets[0].count, list)
               for s in out.stores)
    assert "picker-hours" in capsys.readouterr().out
    # its own outputs may be replaced by the next plan
    assert main(["plan", str(file), "--target", "on_time=0.9", "--history", str(hist),
                 "--forecaster", "seasonal_naive", "-o", str(roster),
                 "--scenario-out", str(planned)]) == 0


@pytest.mark.parametrize("flag", ["-o", "--scenario-out"])
def test_plan_never_overwrites_a_users_file(tmp_path: Path, flag: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """An output path that holds a file omnisim did not write is refused (exit 2) before
    anything is simulated, and the file is left as it was."""
    mine = tmp_path / "thesis.yaml"
    mine.write_text("my notes\n", encoding="utf-8")
    assert main(["plan", HEMA, "--target", "on_time=0.95", flag, str(mine)]) == 2
    assert "not written by omnisim" in capsys.readouterr().err
    assert mine.read_text(encoding="utf-8") == "my notes\n"
