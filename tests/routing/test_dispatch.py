"""Dispatch policies in the simulation: each runs on the tiny scenario, conserves orders,
respects trip sizes and ranges, postpones instead of losing orders, decides on its own
clock (the clock does not move while a solver runs), and is deterministic."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from sim.core.records import DELIVERED, IN_PROGRESS, REJECTED
from sim.runner import RunResult, run, write_tables
from sim.scenario import Scenario

POLICIES = ("immediate", "batch", "rolling_horizon", "cheapest_insertion")
SHORT = ("run.duration=1h", "run.warmup=10min", "run.drain=1h")


def conserved(result: RunResult, max_per_trip: int) -> None:
    """Every accepted order is delivered or still in progress, every delivered order rode
    exactly one trip, and no trip carried more than ``max_per_trip`` orders."""
    orders, trips = result.records["orders"], result.records["trips"]
    accepted = orders[orders["status"] != REJECTED]
    assert set(accepted["status"]) <= {DELIVERED, IN_PROGRESS}
    delivered = accepted[accepted["status"] == DELIVERED]
    stops = [int(s) for row in trips["stops"] for s in str(row).split(";")]
    assert len(stops) == len(set(stops))  # nobody rides twice
    assert set(stops) == set(delivered["order_id"])
    assert trips["orders"].max() <= max_per_trip
    assert (delivered["dispatched"] >= delivered["ready"]).all()
    assert (delivered["delivered"] > delivered["dispatched"]).all()


@pytest.mark.parametrize("policy", POLICIES)
def test_policy_runs_and_conserves_orders(make_scenario: Callable[..., Scenario],
                                          policy: str) -> None:
    """Each policy delivers every accepted order of a short run, none twice."""
    result = run(make_scenario(*SHORT, f"dispatch.policy={policy}"))
    assert result.metrics["orders"]["delivered"] == result.metrics["orders"]["accepted"] > 50
    conserved(result, 1 if policy == "immediate" else 3)
    d = result.records.get("dispatches")
    if policy != "immediate":
        assert d is not None and len(d) > 0
        assert not d["capped"].any()
        assert len(result.records["solve_times"]) == len(d)


@pytest.mark.parametrize("policy", ["batch", "rolling_horizon", "cheapest_insertion"])
def test_same_seed_same_outputs(make_scenario: Callable[..., Scenario], policy: str,
                                tmp_path: Path) -> None:
    """Two runs with the same seed write byte-identical CSVs (solve times excluded)."""
    sc = make_scenario(*SHORT, f"dispatch.policy={policy}")
    for k in (1, 2):
        (tmp_path / str(k)).mkdir()
        write_tables(run(sc, seed=3).records, tmp_path / str(k))
    names = sorted(p.name for p in (tmp_path / "1").iterdir())
    assert "dispatches.csv" in names and "solve_times.csv" not in names
    for name in names:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes()


def test_batch_decides_on_its_window(make_scenario: Callable[..., Scenario]) -> None:
    """Batch decisions, and so every dispatch, fall on the window grid: the solver's run
    time does not move the simulation clock."""
    result = run(make_scenario(*SHORT, "dispatch.policy=batch", "dispatch.window=90s",
                               "dispatch.max_orders_per_trip=2"))
    start = 10 * 3600.0
    d = result.records["dispatches"]
    orders = result.records["orders"]
    sent = orders["dispatched"].dropna().to_numpy()
    for times in (d["time"].to_numpy(), sent):
        assert np.allclose((times - start) % 90.0, 0.0)
    conserved(result, 2)
    assert (result.records["trips"]["orders"] == 2).any()  # it does batch


def test_scarce_couriers_postpone_not_lose(make_scenario: Callable[..., Scenario]) -> None:
    """With two couriers per store, most orders are left out of a plan at least once;
    they wait for a later decision and every one is delivered in the end."""
    result = run(make_scenario(*SHORT, "dispatch.policy=batch",
                               "store_defaults.couriers.count=2", "run.drain=3h"))
    d = result.records["dispatches"]
    assert d["orders_held"].sum() > len(d)  # orders were postponed
    assert result.metrics["orders"]["delivered"] == result.metrics["orders"]["accepted"]
    conserved(result, 3)


def test_rolling_horizon_plans_soon_ready_orders(make_scenario: Callable[..., Scenario]
                                                 ) -> None:
    """With ``soon_ready``, rolling horizon also plans orders still being picked, holds
    some ready orders for them, and re-plans often."""
    result = run(make_scenario(*SHORT, "dispatch.policy=rolling_horizon",
                               "dispatch.soon_ready=2min"))
    d = result.records["dispatches"]
    assert d["orders_upcoming"].sum() > 0 and d["orders_held"].sum() > 0
    assert len(d) > result.metrics["routing"]["trips"]
    conserved(result, 3)


@pytest.mark.parametrize("policy", ["batch", "rolling_horizon"])
def test_moved_and_cancelled_orders_leave_the_upcoming_list(
        make_scenario: Callable[..., Scenario], policy: str) -> None:
    """An order rerouted to another store or cancelled after a stock-out is no longer
    planned as soon-ready at its old store (else ready orders would wait for it)."""
    from sim.model import Model

    sc = make_scenario(f"dispatch={{policy: {policy}, soon_ready: 5min, solver: insertion}}",
                       "store_defaults.stock.reserve=pick",
                       "store_defaults.stock.pick_miss_probability=0.2",
                       "stockout={actions: [reroute, cancel]}",
                       "store_defaults.stock.cover_days=0.2", "run.duration=1h")
    model = Model(sc)
    records = model.run()
    events = set(records["fulfil_events"]["event"])
    assert {"rerouted", "cancelled"} <= events  # both ways of leaving a store happened
    for node in model.nodes:
        for order in node.dispatch.upcoming.values():
            assert order.node == node.name and order.status == IN_PROGRESS, order
            assert np.isnan(order.ready), order


def test_cheapest_insertion_holds_at_most_max_hold(make_scenario: Callable[..., Scenario]
                                                   ) -> None:
    """With couriers to spare, no order waits at the store longer than the hold."""
    result = run(make_scenario(*SHORT, "dispatch.policy=cheapest_insertion",
                               "dispatch.max_hold=1min", "store_defaults.couriers.count=20"))
    o = result.records["orders"].dropna(subset=["dispatched"])
    first_ready = o.groupby("trip")["ready"].transform("min")
    assert ((o["dispatched"] - first_ready) <= 60.0 + 1e-6).all()
    assert (result.records["trips"]["orders"] > 1).any()


def test_pyvrp_and_insertion_solvers_dispatch(make_scenario: Callable[..., Scenario]) -> None:
    """The batch policy also runs with the PyVRP and the insertion solver."""
    for solver in ("pyvrp", "insertion"):
        result = run(make_scenario("run.duration=30min", "run.warmup=5min",
                                   "dispatch.policy=batch", f"dispatch.solver={solver}"))
        conserved(result, 3)
        assert result.metrics["orders"]["delivered"] == result.metrics["orders"]["accepted"]
        solvers = set(result.records["dispatches"]["solver"])
        assert solvers <= {solver, "insertion"} and solver in solvers


DRONES = ("vehicles.drone={speed: 54km/h, kind: drone, max_range: 3km, swap_time: 3min}",
          "store_defaults.couriers=[{count: 3, vehicle: ebike}, "
          "{count: 3, vehicle: drone, pickup_time: 30s, dropoff_time: 45s}]")


@pytest.mark.parametrize("policy", POLICIES)
def test_mixed_fleet(make_scenario: Callable[..., Scenario], policy: str) -> None:
    """E-bikes and drones at each store: drones carry one order within their range and
    swap batteries between flights; every order still arrives."""
    result = run(make_scenario(*SHORT, *DRONES, f"dispatch.policy={policy}"))
    trips = result.records["trips"]
    flights = trips[trips["vehicle"] == "drone"]
    assert len(flights) > 0 and (flights["orders"] == 1).all()
    assert (flights["distance_m"] <= 3000.0 + 1e-6).all()
    conserved(result, 1 if policy == "immediate" else 3)
    # a drone is busy through its battery swap: no flight starts within 3 min of its last
    for _, g in flights.sort_values("start").groupby("courier"):
        gaps = g["start"].to_numpy()[1:] - g["end"].to_numpy()[:-1]
        assert (gaps >= 180.0 - 1e-6).all()
    assert set(result.metrics["routing"]["by_vehicle"]) == {"ebike", "drone"}


def test_solver_effort_follows_problem_size(make_scenario: Callable[..., Scenario]) -> None:
    """With OR-Tools configured, one order is solved by insertion, 2 to MAX_JOBS by exact
    enumeration and larger problems by OR-Tools, and every order is still served."""
    from sim.routing.exact import MAX_JOBS

    result = run(make_scenario(*SHORT, "dispatch.policy=batch", "dispatch.window=8min"))
    conserved(result, 3)
    d = result.records["dispatches"]
    planned = d["orders_ready"] + d["orders_upcoming"]
    expected = np.where(planned == 1, "insertion",
                        np.where(planned <= MAX_JOBS, "exact", "ortools"))
    assert (d["solver"].to_numpy() == expected).all()
    assert {"exact", "ortools"} <= set(d["solver"])
