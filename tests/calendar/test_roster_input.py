"""Rosters and calendars as written: the shapes accepted and the bad input refused with
one line naming the field."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest

from sim.scenario import Scenario, ScenarioError
from sim.scenario.calendar import HourlyRosterSpec, roster_peak
from tests.conftest import ROOT, TINY

Make = Callable[..., Scenario]
SHIFTS = "[{start: '08:00', end: '16:00', count: 3}, {start: '12:00', end: '20:00', count: 2}]"


def test_three_forms(make_scenario: Make) -> None:
    """A count, shifts and hourly counts are all rosters; overlapping shifts add up."""
    sc = make_scenario(f"stores[0].pickers={SHIFTS}",
                       "stores[1].couriers.count={hourly: [" + ", ".join(["2"] * 24) + "]}")
    assert roster_peak(sc.stores[0].pickers) == 5
    assert isinstance(sc.stores[1].fleets[0].count, HourlyRosterSpec)
    assert roster_peak(sc.stores[1].fleets[0].count) == 2
    assert sc.stores[1].pickers == 3


def test_night_shift_crosses_midnight(make_scenario: Make) -> None:
    """A shift from 22:00 to 06:00 is eight hours long."""
    sc = make_scenario("stores[0].pickers=[{start: '22:00', end: '06:00', count: 1}]")
    shift = sc.stores[0].pickers[0]  # type: ignore[index]
    assert shift.length == 8 * 3600


def _error(make: Make, *overrides: str) -> str:
    with pytest.raises(ScenarioError) as info:
        make(*overrides)
    return str(info.value).removeprefix("--set: ")


def test_zero_length_shift(make_scenario: Make) -> None:
    """A shift ending when it starts is refused at its end field."""
    msg = _error(make_scenario, "stores[0].pickers=[{start: '08:00', end: '08:00', count: 1}]")
    assert msg.startswith("stores[0].pickers[0].end: ends when it starts (08:00)")


def test_negative_factor(make_scenario: Make) -> None:
    """A day type's demand factor cannot be negative."""
    msg = _error(make_scenario, "calendar={day_types: {sale: {online: -1}}, default: sale}")
    assert msg.startswith("calendar.day_types.sale.online:")


def test_unknown_day_type(make_scenario: Make) -> None:
    """A day mapped to a day type that does not exist is refused, with a suggestion."""
    msg = _error(make_scenario, "calendar={day_types: {normal: {}, promo: {online: 2}}, "
                 "default: normal, days: {1: promp}}")
    assert msg.startswith("calendar.days[1]: unknown day type 'promp'") and "promo" in msg


def test_overlapping_rosters_that_disagree(make_scenario: Make) -> None:
    """Two rosters for the same fleet on the same day type must agree."""
    msg = _error(make_scenario, "calendar={day_types: {normal: {rosters: ["
                 "{node: west, resource: couriers, roster: 4}, "
                 "{node: west, resource: couriers, vehicle: ebike, roster: 5}]}}, "
                 "default: normal}")
    assert msg.startswith("calendar.day_types.normal.rosters[1].roster: overlapping rosters "
                          "that disagree")


def test_unknown_node_and_day_outside(make_scenario: Make) -> None:
    """A roster override names a node of the scenario; a day lies inside the run; dates
    need run.date."""
    assert _error(make_scenario, "calendar={day_types: {n: {rosters: [{node: wset, "
                  "resource: pickers, roster: 1}]}}, default: n}").startswith(
        "calendar.day_types.n.rosters[0].node: unknown node 'wset'")
    assert _error(make_scenario, "calendar={day_types: {n: {}}, default: n, "
                  "days: {2: n}}").startswith("calendar.days[2]: day 2 is outside the run")
    assert _error(make_scenario, "calendar={day_types: {n: {}}, default: n, "
                  "dates: {2026-11-11: n}}").startswith("calendar.dates: needs run.date")
    assert _error(make_scenario, "run.date=2026-11-10", "calendar={day_types: {n: {}}, "
                  "default: n, dates: {2026-11-12: n}}").startswith(
        "calendar.dates.2026-11-12: 2026-11-12 is outside the run")


def test_bad_roster_exits_2_with_one_line(tmp_path: object) -> None:
    """On the command line a bad shift is exit code 2 and one line naming the field."""
    path = ROOT / ".pytest_roster_bad.yaml"
    try:
        path.write_text(TINY)
        out = subprocess.run(
            [sys.executable, str(ROOT / "run_sim.py"), "validate", str(path), "--set",
             "stores[1].couriers.count=[{start: '09:00', end: '09:00', count: 2}]"],
            capture_output=True, text=True, cwd=ROOT, check=False)
    finally:
        path.unlink()
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "stores[1].couriers.count[0].end" in lines[0]
