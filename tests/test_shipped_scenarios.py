"""Every shipped scenario runs for one busy hour (experiments: tests/experiments)."""

from pathlib import Path

import pytest
import yaml

from sim.calendar.clock import date_of_day
from sim.runner import run
from sim.scenario import read_scenario
from sim.scenario.events import event_day
from tests.conftest import SCENARIOS


def scenario_files() -> list[Path]:
    """YAML files under scenarios/ that are scenarios (experiments name a base scenario)."""
    out = []
    for path in sorted(SCENARIOS.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "city" in data:
            out.append(path)
    return out


def short(path: Path):
    """The scenario cut to its busiest hour with a short warm-up and drain; a scenario
    of several days to one day first: the day of its first event (the day it is about)."""
    sc = read_scenario(path)
    profile = sc.demand.online.profile
    peak = max(range(24), key=lambda h: (profile[h], -h))
    one_day = []
    if sc.run.days > 1:
        one_day.append("run.days=1")
        if sc.events and sc.run.date is not None:
            first = min(event_day(e.day, sc.run) for e in sc.events)
            one_day.append(f"run.date={date_of_day(sc.run.date, first).isoformat()}")
    return read_scenario(path, [*one_day, f"run.start={peak:02d}:00", "run.duration=1h",
                                "run.warmup=10min", "run.drain=45min"])


def test_default_scenario_is_listed():
    """The parametrised test below is not empty."""
    assert SCENARIOS / "hema_city.yaml" in scenario_files()


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.name)
def test_shipped_scenario_runs(path):
    """The scenario is valid and a short run delivers orders."""
    result = run(short(path))
    assert result.metrics["orders"]["created"] > 0
    assert result.metrics["orders"]["delivered"] > 0
