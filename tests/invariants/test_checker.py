"""The independent invariant checker over every shipped scenario, and proof that it bites.

Short horizons (20 minutes of demand, 10 of drain) end with couriers still on the road,
the case where records are most easily incomplete; a long drain ends with everything
finished; full-length runs are behind ``slow``. The mutation tests break one invariant
in a good run's files and expect the checker to name it, so a checker that reads
nothing cannot pass.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from tests.conftest import SCENARIOS
from tests.invariants.checker import check_run

SHIPPED = sorted(p.name for p in SCENARIOS.glob("*.yaml"))
IN_FLIGHT = ("--set", "run.start=17:00", "--set", "run.duration=20min",
             "--set", "run.warmup=5min", "--set", "run.drain=10min")
DRAINED = ("--set", "run.start=17:00", "--set", "run.duration=20min",
           "--set", "run.warmup=5min", "--set", "run.drain=2h")


def _run(scenario: str, horizon: tuple[str, ...], out: Path) -> Path:
    """Run a shipped scenario through the command line into ``out``."""
    code = main(["run", str(SCENARIOS / scenario), *horizon, "--no-plots", "--quiet",
                 "--out", str(out)])
    assert code == 0, f"{scenario} did not run"
    return out


@pytest.fixture(scope="module")
def short_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every shipped scenario run for 20 minutes and stopped 10 minutes later."""
    base = tmp_path_factory.mktemp("short")
    return {s: _run(s, IN_FLIGHT, base / s) for s in SHIPPED}


@pytest.fixture(scope="module")
def drained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """hema_city for 20 minutes with a 2-hour drain: every trip is over when it stops."""
    return _run("hema_city.yaml", DRAINED, tmp_path_factory.mktemp("drained") / "run")


def _couriers_out_at_stop(folder: Path) -> int:
    """Couriers on a trip when the run stopped, from the last state of each node's fleet."""
    states = pd.read_csv(folder / "states.csv")
    couriers = states[states["resource"].str.startswith("couriers")]
    return int(couriers.groupby(["resource", "node"])["busy"].last().sum())


@pytest.mark.parametrize("scenario", SHIPPED)
def test_short_run_with_trips_in_flight_keeps_every_invariant(
        short_runs: dict[str, Path], scenario: str) -> None:
    """A run stopped while couriers are on the road breaks no invariant (stage order,
    trips, stock, metrics recomputed from orders.csv)."""
    folder = short_runs[scenario]
    assert _couriers_out_at_stop(folder) > 0, "the horizon must end with trips in flight"
    violations = check_run(folder)
    assert violations == [], f"{scenario}: {len(violations)} violations:\n" + "\n".join(
        violations)


def test_drained_run_keeps_every_invariant(drained: Path) -> None:
    """With every trip finished, the records are complete and consistent."""
    assert _couriers_out_at_stop(drained) == 0
    assert check_run(drained) == []


@pytest.mark.slow
@pytest.mark.parametrize("scenario", SHIPPED)
def test_full_length_run_keeps_every_invariant(tmp_path: Path, scenario: str) -> None:
    """A shipped scenario at its own full horizon breaks no invariant."""
    folder = tmp_path / "run"
    code = main(["run", str(SCENARIOS / scenario), "--no-plots", "--quiet", "--out",
                 str(folder)])
    assert code == 0
    violations = check_run(folder)
    assert violations == [], f"{scenario}: {len(violations)} violations:\n" + "\n".join(
        violations)


# ------------------------------------------------------------------ the checker bites


@pytest.fixture
def good(drained: Path, tmp_path: Path) -> Path:
    """A private copy of the drained run to damage."""
    return Path(shutil.copytree(drained, tmp_path / "copy"))


def _edit(folder: Path, name: str) -> tuple[pd.DataFrame, Path]:
    """The table ``name`` of ``folder`` and its path, to change and write back."""
    path = folder / f"{name}.csv"
    return pd.read_csv(path, dtype={"stops": str, "courier": str}), path


def _violations_about(folder: Path, needle: str) -> list[str]:
    """The checker's violations that mention ``needle``."""
    return [v for v in check_run(folder) if needle in v]


def test_checker_catches_overlapping_trips(good: Path) -> None:
    """A courier's second trip moved to start before its first ends is reported."""
    trips, path = _edit(good, "trips")
    twice = trips["courier"].value_counts()
    courier = twice[twice > 1].index[0]
    rows = trips.index[trips["courier"] == courier].sort_values()
    first, second = trips.loc[rows[0]], rows[1]
    trips.loc[second, "start"] = (first["start"] + first["end"]) / 2
    trips.to_csv(path, index=False)
    assert _violations_about(good, f"courier {courier}: trip")


def test_checker_catches_a_load_over_capacity(good: Path) -> None:
    """A trip carrying more orders than its vehicle's capacity is reported."""
    fleets, path = _edit(good, "fleets")
    fleets["capacity"] = 0
    fleets.to_csv(path, index=False)
    assert _violations_about(good, "of capacity 0")


def test_checker_catches_negative_stock(good: Path) -> None:
    """A negative stock level and an unbalanced ledger row are reported."""
    levels, path = _edit(good, "stock_levels")
    levels.loc[len(levels) // 2, "on_hand"] = -1
    levels.to_csv(path, index=False)
    ledger, lpath = _edit(good, "stock_ledger")
    ledger.loc[0, "on_hand"] += 1
    ledger.to_csv(lpath, index=False)
    found = check_run(good)
    assert any("stock_levels" in v and "on_hand -1" in v for v in found)
    assert any("stock_ledger" in v and "initial + received" in v for v in found)


def test_checker_catches_stages_out_of_order_and_a_lost_trip(good: Path) -> None:
    """An order picked before it was accepted, one with a bogus status and one whose trip
    is not in trips.csv are each reported."""
    orders, path = _edit(good, "orders")
    delivered = orders.index[orders["status"] == "delivered"]
    a, b, c = delivered[:3]
    orders.loc[a, "pick_start"] = orders.loc[a, "accepted"] - 60
    orders.loc[b, "status"] = "lost"
    orders.loc[c, "trip"] = 10**9
    orders.to_csv(path, index=False)
    found = check_run(good)
    ids = orders.loc[[a, b, c], "order_id"].tolist()
    assert any(f"order {ids[0]}: pick_start" in v for v in found)
    assert any(f"order {ids[1]}: status 'lost'" in v for v in found)
    assert any(f"order {ids[2]}: its trip {10**9} is not in trips.csv" in v for v in found)


@pytest.mark.parametrize(("section", "key", "change"), [
    ("orders", "created", 1), ("orders", "in_progress_at_end", 1),
    ("sla", "on_time_rate", -0.01), ("sla", "on_time", -1)])
def test_checker_catches_a_wrong_metric(good: Path, section: str, key: str,
                                        change: float) -> None:
    """metrics.json counts and rates that disagree with orders.csv are reported."""
    path = good / "metrics.json"
    metrics = json.loads(path.read_text(encoding="utf-8"))
    metrics[section][key] += change
    path.write_text(json.dumps(metrics), encoding="utf-8")
    assert _violations_about(good, f"{section}.{key}")


def test_checker_catches_a_wrong_percentile(good: Path) -> None:
    """A click-to-door p90 off by a second is reported."""
    path = good / "metrics.json"
    metrics = json.loads(path.read_text(encoding="utf-8"))
    metrics["sla"]["click_to_door_min"]["p90"] += 1 / 60
    path.write_text(json.dumps(metrics), encoding="utf-8")
    assert _violations_about(good, "click_to_door_min.p90")


def test_checker_catches_a_robot_on_two_visits(short_runs: dict[str, Path],
                                               tmp_path: Path) -> None:
    """A warehouse robot sent on a second pod visit before its first returned is reported."""
    folder = Path(shutil.copytree(short_runs["cainiao_warehouse.yaml"], tmp_path / "wh"))
    path = folder / "wh_visits.csv"
    visits = pd.read_csv(path)
    twice = visits["robot"].value_counts()
    robot = twice[twice > 1].index[0]
    rows = visits[visits["robot"] == robot].sort_values("dispatched").index
    visits.loc[rows[1], "dispatched"] = visits.loc[rows[0], "dispatched"]
    visits.to_csv(path, index=False)
    assert _violations_about(folder, f"robot {robot} starts visit")
