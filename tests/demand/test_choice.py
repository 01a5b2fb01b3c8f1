"""Customers who see the quoted promise and decide whether to order."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.demand.choice import order_chance
from sim.scenario.demand import LogitChoiceSpec, TableChoiceSpec
from tests.conftest import SCENARIOS

LOGIT = LogitChoiceSpec.model_validate({"kind": "logit", "half_at": "40min",
                                        "scale": "8min"})


def test_logit_closed_form() -> None:
    """The logit chance is 1 / (1 + exp((q - half_at) / scale)); half at ``half_at``."""
    assert order_chance(LOGIT, 40 * 60) == pytest.approx(0.5)
    assert order_chance(LOGIT, 30 * 60) == pytest.approx(1 / (1 + math.exp(-10 / 8)))
    assert order_chance(LOGIT, 1e9) == 0.0


def test_table_interpolates_and_is_flat_beyond_its_ends() -> None:
    """A table is linear between rows and flat outside them."""
    spec = TableChoiceSpec.model_validate(
        {"kind": "table", "points": [["20min", 1.0], ["60min", 0.2]]})
    assert order_chance(spec, 10 * 60) == 1.0 and order_chance(spec, 90 * 60) == 0.2
    assert order_chance(spec, 40 * 60) == pytest.approx(0.6)


def test_table_equals_numpy_interp_bit_for_bit() -> None:
    """The table's plain-Python interpolation (no numpy call per order) returns exactly
    what ``numpy.interp`` returns, at the rows, between them and beyond both ends."""
    spec = TableChoiceSpec.model_validate(
        {"kind": "table", "points": [["30min", 1.0], ["45min", 0.7], ["60min", 0.4],
                                     ["90min", 0.1]]})
    quotes = [q for q, _ in spec.points]
    chances = [p for _, p in spec.points]
    rng = np.random.default_rng(5)
    for quote in [*quotes, 0.0, 1e5, *rng.uniform(0, 7200, 2000)]:
        assert order_chance(spec, float(quote)) == float(np.interp(quote, quotes, chances))


def _run(tmp_path: Path, name: str, *sets: str) -> pd.DataFrame:
    argv = ["run", str(SCENARIOS / "hema_city.yaml"), "--quiet", "--no-plots", "--out",
            str(tmp_path / name), "--set", "run.start=10:00", "--set", "run.duration=2h",
            "--set", "run.warmup=5min", "--set", "run.drain=30min"]
    for item in sets:
        argv += ["--set", item]
    assert main(argv) == 0
    return pd.read_csv(tmp_path / name / "orders.csv")


def test_share_ordering_matches_the_closed_form(tmp_path: Path) -> None:
    """With a fixed 30-minute promise every accepted customer is quoted 30 min, so the
    share who order matches the logit's chance at 30 min within 1 percentage point; the
    others are rejected as ``declined``, and the rest of the day is unchanged for the
    customers who order."""
    orders = _run(tmp_path, "choice",
                  "demand.online.choice={kind: logit, half_at: 32min, scale: 4min}")
    offered = orders[orders["reason"].isna() | (orders["reason"] == "declined")]
    declined = (offered["reason"] == "declined").mean()
    assert len(offered) > 2500
    assert 1 - declined == pytest.approx(1 / (1 + math.exp(-2 / 4)), abs=0.01)
    base = _run(tmp_path, "base")
    assert orders[["order_id", "created", "x", "y", "lines"]].equals(
        base[["order_id", "created", "x", "y", "lines"]])
