"""``run.days`` and ``run.date``: how the run window grows, and the resolved file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sim.runner import scenario_yaml
from sim.scenario.loading import parse_scenario
from sim.scenario.schema import Scenario

DEFAULT_DAY = Path(__file__).resolve().parents[2] / "scenarios" / "hema_city.yaml"


def _scenario(run_extra: str = "") -> Scenario:
    text = DEFAULT_DAY.read_text().replace("run:\n", "run:\n" + run_extra, 1)
    return parse_scenario(text)


def test_one_day_is_unchanged() -> None:
    """Without the new fields the arrival window and the resolved run are as before."""
    sc = _scenario()
    assert sc.run.days == 1 and sc.run.date is None
    assert sc.run.end == sc.run.start + sc.run.duration
    run_part = scenario_yaml(sc).split("\nrun:\n", 1)[1].split("\ncity:", 1)[0]
    assert "days" not in run_part and "date" not in run_part


def test_three_days_extend_the_arrivals() -> None:
    """days: 3 from midnight with a 24h duration is three whole days of arrivals."""
    sc = _scenario("  days: 3\n  date: 2026-11-10\n")
    assert sc.run.end == 3 * 86400.0
    assert sc.run.date == dt.date(2026, 11, 10)
    assert "date: '2026-11-10'" in scenario_yaml(sc)
