"""``run_sim.py plan``: bad input exits 2 with one line before anything runs; a plan
from a short history writes a roster the scenario accepts."""

from __future__ import annotations

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
])
def test_bad_input_exits_2_with_one_line(argv: list[str], needle: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Each bad argument is exit 2 and one stderr line naming it."""
    assert main(["plan", HEMA, *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and needle in err, err
