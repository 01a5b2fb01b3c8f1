"""Customers who stop waiting: an order that has not left its store when the customer's
patience runs out is cancelled (reason ``impatient``) and its units go back on the shelf."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import kstest

from sim.cli import main
from tests.conftest import SCENARIOS

NOBODY = "{hourly: [" + ", ".join(["0"] * 24) + "]}"


def _run(tmp_path: Path, name: str, *sets: str, hours: str = "2h") -> Path:
    out = tmp_path / name
    argv = ["run", str(SCENARIOS / "hema_city.yaml"), "--quiet", "--no-plots", "--out",
            str(out), "--set", "run.start=10:00", "--set", f"run.duration={hours}",
            "--set", "run.warmup=0s", "--set", "run.drain=3h"]
    for item in sets:
        argv += ["--set", item]
    assert main(argv) == 0
    return out


def _waits(out: Path) -> tuple[pd.DataFrame, pd.Series]:
    """The orders and, for each cancelled one, minutes from acceptance to cancellation."""
    orders = pd.read_csv(out / "orders.csv")
    events = pd.read_csv(out / "fulfil_events.csv")
    cancelled = events[events["event"] == "cancelled"].merge(
        orders[["order_id", "accepted"]], on="order_id")
    return orders, (cancelled["time"] - cancelled["accepted"]) / 60


def test_a_queue_that_never_moves_cancels_as_the_patience_law_says(tmp_path: Path) -> None:
    """No picker on duty: every accepted order waits, and the share cancelled by t
    minutes follows 1 - exp(-t/mean) (Kolmogorov-Smirnov at 1%)."""
    out = _run(tmp_path, "nobody", "demand.online.patience={dist: exponential, mean: 10min}",
               f"store_defaults.pickers={NOBODY}", hours="4h")
    orders, waits = _waits(out)
    accepted = orders[orders["status"] != "rejected"]
    assert (accepted["status"] == "cancelled").all() and len(accepted) > 6000
    assert (accepted["reason"] == "impatient").all()
    assert kstest(waits, "expon", args=(0, 10)).pvalue > 0.01
    assert waits.mean() == pytest.approx(10, rel=0.05)


@pytest.mark.parametrize("dispatch", ["{policy: immediate}", "{policy: batch, window: 2min}",
                                      "{policy: cheapest_insertion}"])
def test_packed_orders_leave_the_dispatch_queue_on_time(tmp_path: Path, dispatch: str) -> None:
    """No courier on duty: orders are picked and packed, wait for a courier and are
    withdrawn from every dispatch policy exactly when the (constant) patience runs out;
    their units go back on the shelf (the stock ledger still balances: the run checks
    it), and nothing is delivered."""
    out = _run(tmp_path, "nocourier", "demand.online.patience=12min",
               f"store_defaults.couriers.count={NOBODY}", f"dispatch={dispatch}", hours="1h")
    orders, waits = _waits(out)
    accepted = orders[orders["status"] != "rejected"]
    assert len(accepted) > 1000 and (accepted["status"] == "cancelled").all()
    assert np.allclose(waits, 12.0)
    assert accepted["ready"].notna().mean() > 0.9  # most were packed before giving up
    ledger = pd.read_csv(out / "stock_ledger.csv")
    assert ledger["sold_online"].sum() == 0 and ledger["reserved"].sum() == 0


def test_patient_customers_change_nothing(tmp_path: Path) -> None:
    """A patience far longer than any wait cancels nothing and leaves every record as
    without patience (only the resolved scenario names it)."""
    base = _run(tmp_path, "base", hours="30min")
    slow = _run(tmp_path, "slow", "demand.online.patience=10h", hours="30min")
    for name in ("orders.csv", "trips.csv", "stock_levels.csv", "fulfil_events.csv"):
        assert (base / name).read_bytes() == (slow / name).read_bytes(), name
