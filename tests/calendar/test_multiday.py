"""A three-day run under a calendar and rosters: every order ends in one state, the days
add up to the totals, and the same seed gives the same bytes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.core.records import CANCELLED, DELIVERED, IN_PROGRESS, REJECTED
from sim.runner import RunResult, run, write_run
from sim.scenario import Scenario, parse_scenario
from sim.scenario.calendar import day_types
from tests.conftest import TINY

THREE_DAYS = [
    "run={start: '00:00', duration: 24h, days: 3, date: 2026-11-10, warmup: 1h, drain: 1h}",
    "demand.online.orders_per_day=240", "store_defaults.walkins_per_day=100",
    "calendar={day_types: {normal: {}, sale: {online: 2.5, walkins: 0.5, profile: "
    "[6, 5, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3], rosters: "
    "[{node: west, resource: couriers, roster: [{start: '00:00', end: '04:00', count: 6}, "
    "{start: '04:00', end: '00:00', count: 3}]}]}}, default: normal, "
    "dates: {2026-11-11: sale}}",
    "store_defaults.couriers.count=[{start: '07:00', end: '15:00', count: 3}, "
    "{start: '15:00', end: '01:00', count: 2}]",
    "stores[1].pickers=[{start: '06:00', end: '23:00', count: 2}]",
]


@pytest.fixture(scope="module")
def three_days() -> tuple[Scenario, RunResult]:
    """The tiny city over three days, the middle one a sale, with rosters."""
    sc = parse_scenario(TINY, "tiny.yaml", THREE_DAYS)
    return sc, run(sc, 11)


def test_days_and_types(three_days: tuple[Scenario, RunResult]) -> None:
    """11 November is the sale day; the run touches a fourth day (its drain)."""
    sc, _ = three_days
    assert day_types(sc) == ("normal", "sale", "normal", "normal")


def test_every_order_ends_in_one_state(three_days: tuple[Scenario, RunResult]) -> None:
    """Each online order is one row, in exactly one terminal state (or in progress)."""
    _, result = three_days
    orders = result.records["orders"]
    assert orders["order_id"].is_unique
    assert set(orders["status"]) <= {DELIVERED, REJECTED, CANCELLED, IN_PROGRESS}
    delivered = orders[orders["status"] == DELIVERED]
    assert delivered["delivered"].notna().all()
    assert (delivered["delivered"] >= delivered["created"]).all()


def test_days_add_up_to_the_totals(three_days: tuple[Scenario, RunResult]) -> None:
    """The per-day counts sum to the run's counts; the day types pool their days."""
    _, result = three_days
    m: dict[str, Any] = result.metrics
    days = m["days"]["by_day"]
    assert list(days) == ["1", "2", "3"]
    for key, total in (("created", m["orders"]["created"]),
                       ("accepted", m["orders"]["accepted"]),
                       ("rejected", m["orders"]["rejected"]["total"]),
                       ("delivered", m["orders"]["delivered"]),
                       ("cancelled", m["orders"]["cancelled"]),
                       ("in_progress_at_end", m["orders"]["in_progress_at_end"]),
                       ("on_time", m["sla"]["on_time"])):
        assert sum(d[key] for d in days.values()) == total, key
        assert sum(t[key] for t in m["days"]["by_day_type"].values()) == total, key
    assert m["days"]["by_day_type"]["normal"]["days"] == 2
    assert days["2"]["day_type"] == "sale"
    assert days["2"]["created"] > 1.5 * days["3"]["created"]  # 2.5 x the demand


def test_couriers_follow_the_rosters(three_days: tuple[Scenario, RunResult]) -> None:
    """Nobody rides outside a shift: every trip of east starts while it has couriers on
    duty, and west has 6 on duty at 01:00 of the sale day only."""
    _, result = three_days
    staffing = result.records["staffing"]
    west = staffing[(staffing["node"] == "west") & (staffing["resource"] == "couriers")]
    at = west[west["time"] <= 86400 + 3600]["rostered"].iloc[-1]
    assert at == 6
    east = staffing[(staffing["node"] == "east") & (staffing["resource"] == "couriers")]
    trips = result.records["trips"]
    for start in trips[trips["node"] == "east"]["start"]:
        assert east[east["time"] <= start]["on_duty"].iloc[-1] > 0
    assert result.metrics["staffing"]["couriers"]["by_node"]["east"]["unstaffed_hours"] > 0


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.name != "wallclock.json"}


def test_same_seed_same_bytes(three_days: tuple[Scenario, RunResult], tmp_path: Path) -> None:
    """Two runs of the three days with the same seed write byte-identical files."""
    sc, first = three_days
    write_run(first, tmp_path / "a", plots=False)
    write_run(run(sc, 11), tmp_path / "b", plots=False)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert "staffing.csv" in a and a == b


def test_resolved_scenario_reads_back(three_days: tuple[Scenario, RunResult]) -> None:
    """The resolved scenario of a calendar run (dates, day numbers, shifts, rosters by
    day type) reads back to the same scenario, so re-running it reproduces the run."""
    from sim.runner import scenario_yaml

    sc, _ = three_days
    again = parse_scenario(scenario_yaml(sc), "resolved.yaml")
    assert again.model_copy(update={"store_defaults": sc.store_defaults}) == sc
