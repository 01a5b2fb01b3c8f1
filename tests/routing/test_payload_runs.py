"""Payloads in the simulation: no trip ever exceeds its vehicle's order count, weight or
volume (checked from the written records by the independent invariant checker), under
every dispatch policy and both routing solvers; orders too heavy for every fleet are
rejected ``too_heavy`` at once and never wait; without weights nothing is written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from tests.conftest import SCENARIOS
from tests.invariants.checker import check_run

# drones.yaml (drones limited to 2.3 kg) for 40 minutes at the lunch peak, drained; the
# e-bikes get a weight and a volume limit too, so all three dimensions bind on
# multi-order trips, and orders over 4 kg or 8 litres fit no vehicle at all
WINDOW = ("run.start=11:00", "run.duration=40min", "run.warmup=5min", "run.drain=90min")
LIMITS = ("catalog.volume_litres={dist: lognormal, mean: 0.8, sd: 0.8}",
          "vehicles.ebike.max_weight_kg=4", "vehicles.ebike.max_volume_litres=8")
SAME_DROPOFF = ("store_defaults.couriers[1].dropoff_time=2min",)  # PyVRP: one service time
SOLVER = {"batch_ortools": "ortools", "batch_pyvrp": "pyvrp", "rolling_ortools": "ortools"}
"""The solver whose plans each case must include (small problems go to exact solvers)."""
CASES = {
    "immediate": ("dispatch.policy=immediate",),
    # a 6-minute window gathers more than the 8 orders the exact solver takes: OR-Tools
    "batch_ortools": ("dispatch.policy=batch", "dispatch.solver=ortools",
                      "dispatch.window=6min"),
    "batch_pyvrp": ("dispatch.policy=batch", "dispatch.solver=pyvrp", *SAME_DROPOFF),
    "rolling_ortools": ("dispatch.policy=rolling_horizon", "dispatch.solver=ortools",
                        "dispatch.soon_ready=2min"),
    "insertion": ("dispatch.policy=cheapest_insertion",),
}


def _run(out: Path, *sets: str) -> Path:
    args = ["run", str(SCENARIOS / "drones.yaml"), "--no-plots", "--quiet", "--out", str(out)]
    for s in sets:
        args += ["--set", s]
    assert main(args) == 0
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """drones.yaml with weight and volume limits under each dispatch policy and solver."""
    base = tmp_path_factory.mktemp("payload_runs")
    return {name: _run(base / name, *WINDOW, *LIMITS, *sets) for name, sets in CASES.items()}


@pytest.mark.parametrize("case", list(CASES))
def test_no_trip_exceeds_its_vehicle(runs: dict[str, Path], case: str) -> None:
    """The checker finds no violation (its payload check compares every trip's load with
    the resolved scenario's limits), and restated here: no trip over 1 drone order or
    2.3 kg, 3 e-bike orders, 4 kg or 8 litres."""
    folder = runs[case]
    assert check_run(folder) == []
    loads = pd.read_csv(folder / "trip_payloads.csv")
    trips = pd.read_csv(folder / "trips.csv")
    assert len(loads) == len(trips) > 50
    limits = {"drone": (1, 2.3, float("inf")), "ebike": (3, 4.0, 8.0)}
    for vehicle, (orders, kg, litres) in limits.items():
        mine = loads[loads["vehicle"] == vehicle]
        assert len(mine) > 0
        assert mine["orders"].max() <= orders
        assert mine["weight_kg"].max() <= kg + 5e-4
        assert mine["volume_litres"].max() <= litres + 5e-4
    if case != "immediate":  # the limits bind on trips of several orders
        multi = loads[(loads["vehicle"] == "ebike") & (loads["orders"] > 1)]
        assert len(multi) > 0
    if case in SOLVER:  # plans of that solver were carried out
        dispatches = pd.read_csv(folder / "dispatches.csv")
        by_solver = dispatches[dispatches["solver"] == SOLVER[case]]
        assert by_solver["trips_started"].sum() > 0


@pytest.mark.parametrize("case", list(CASES))
def test_too_heavy_orders_are_rejected_and_nothing_waits(runs: dict[str, Path],
                                                         case: str) -> None:
    """Orders over every vehicle's limits are rejected ``too_heavy`` (never accepted, so
    none waits forever); every accepted order is delivered by the end of the drain;
    orders between the drone's 2.3 kg and the e-bike's 4 kg went by e-bike."""
    folder = runs[case]
    orders = pd.read_csv(folder / "orders.csv")
    heavy = orders[orders["reason"] == "too_heavy"]
    assert len(heavy) > 0 and (heavy["status"] == "rejected").all()
    accepted = orders[orders["status"] != "rejected"]
    assert (accepted["status"] == "delivered").all()
    loads = pd.read_csv(folder / "trip_payloads.csv")
    solo = loads[loads["orders"] == 1]
    assert (solo[solo["weight_kg"] > 2.3]["vehicle"] == "ebike").all()
    assert (solo["weight_kg"] > 2.3).any()


def test_checker_catches_an_overweight_trip(runs: dict[str, Path], tmp_path: Path) -> None:
    """A trip written heavier than its vehicle carries, or missing from trip_payloads.csv,
    is reported (so the payload check reads what it claims to)."""
    import shutil

    folder = Path(shutil.copytree(runs["batch_ortools"], tmp_path / "copy"))
    path = folder / "trip_payloads.csv"
    loads = pd.read_csv(path)
    drone = loads.index[loads["vehicle"] == "drone"][0]
    loads.loc[drone, "weight_kg"] = 2.31
    tid = int(loads.loc[drone, "trip_id"])
    dropped = int(loads.loc[loads.index[-1], "trip_id"])
    loads.iloc[:-1].to_csv(path, index=False)
    found = check_run(folder)
    assert f"trip {tid}: 2.31 kg on a drone that carries at most 2.3 kg" in found
    assert f"trip {dropped}: no row in trip_payloads.csv" in found


def test_without_weights_no_payload_table(tmp_path: Path) -> None:
    """A scenario without SKU weights writes no trip_payloads.csv and rejects nothing as
    too heavy (payloads are off by default)."""
    folder = _run(tmp_path / "off", *WINDOW, "catalog.weight_kg=null",
                  "vehicles.drone.max_weight_kg=null")
    assert not (folder / "trip_payloads.csv").exists()
    orders = pd.read_csv(folder / "orders.csv")
    assert "too_heavy" not in set(orders["reason"].dropna())
    assert check_run(folder) == []


@pytest.mark.parametrize(("override", "message"), [
    ("vehicles.drone.max_weight_kg=-1", "vehicles.drone.max_weight_kg: must be > 0.0"),
    ("vehicles.drone.max_weight_kg=0", "vehicles.drone.max_weight_kg: must be > 0.0"),
    ("vehicles.ebike.max_volume_litres=lots",
     "vehicles.ebike.max_volume_litres: must be a number"),
    ("catalog.weight_kg={dist: lognormal, mean: -1, sd: 1}", "catalog.weight_kg.mean"),
    ("catalog.volume_litres={dist: gamma, mean: 1}", "catalog.volume_litres"),
])
def test_bad_payload_input_is_exit_2(override: str, message: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Bad weights, volumes and limits are one-line errors naming the field, exit 2."""
    assert main(["validate", str(SCENARIOS / "drones.yaml"), "--set", override]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --set: ") and message in err and err.count("\n") == 1


def test_bad_limit_in_a_file_names_the_line(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """A negative drone payload in the file: exit 2 naming the file, line and field, and
    no results folder."""
    text = (SCENARIOS / "drones.yaml").read_text(encoding="utf-8")
    path = tmp_path / "drones.yaml"
    path.write_text(text.replace("max_weight_kg: 2.3 ", "max_weight_kg: -2.3 "),
                    encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "max_weight_kg: 2.3" in t)
    out = tmp_path / "out"
    assert main(["run", str(path), "--no-plots", "--quiet", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"error: {path}:{line}: vehicles.drone.max_weight_kg: must be > 0.0 (got -2.3)\n")
    assert not out.exists()


def test_drones_alone_reject_exactly_the_heavy_orders() -> None:
    """Drones only, immediate dispatch: an order is rejected ``too_heavy`` exactly when
    its basket weighs more than the drone's 2.3 kg (weights recomputed from the
    catalogue's draw), and every order a drone carried weighs at most that."""
    from sim.model import Model
    from sim.runner import run
    from sim.scenario.loading import read_scenario

    sc = read_scenario(SCENARIOS / "drones.yaml", [
        *WINDOW, "dispatch.policy=immediate",
        "store_defaults.couriers={count: 8, vehicle: drone, pickup_time: 30s, "
        "dropoff_time: 1min}"])
    online = Model(sc).online
    assert online.payloads is not None
    weight = {i: online.payloads.of(b)[0] for i, b in enumerate(online.baskets)}
    orders = run(sc).records["orders"]
    heavy = orders["reason"] == "too_heavy"
    assert heavy.sum() > 0
    assert all(weight[i] > 2.3 for i in orders.loc[heavy, "order_id"])
    served = orders[orders["status"] != "rejected"]
    assert all(weight[i] <= 2.3 for i in served["order_id"])
    # an order over 2.3 kg rejected for another reason (out of radius) comes first
    others = orders[~heavy & (orders["status"] == "rejected")]
    assert all(r in ("out_of_radius", "out_of_stock") for r in others["reason"])
