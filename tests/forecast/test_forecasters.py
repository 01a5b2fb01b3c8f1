"""Forecasters on synthetic series with known answers, and accuracy on a two-week run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.forecast.accuracy import evaluate, pinball, scores
from sim.forecast.history import DemandHistory, future_rows, load_history
from sim.forecast.models import Prediction, make_forecaster
from sim.runner import run, write_run
from sim.scenario import parse_scenario
from sim.scenario.errors import ScenarioError
from tests.forecast.days import OVERRIDES, TEXT, TRAIN_DAYS

SHAPE = np.array([0, 0, 0, 0, 0, 0, 0, 2, 4, 6, 8, 10, 8, 5, 4, 4, 6, 10, 11, 9, 6, 4, 1, 0],
                 dtype=float)


def synthetic(days: int, per_day: list[float], types: list[str]) -> DemandHistory:
    """One store whose day d has ``per_day[d]`` x SHAPE orders, typed ``types[d]``."""
    rows = [("s", d + 1, h, d % 7, types[d], 1.0, per_day[d] * SHAPE[h])
            for d in range(days) for h in range(24)]
    frame = pd.DataFrame(rows, columns=["store", "day", "hour", "weekday", "day_type",
                                        "weather", "orders"])
    return DemandHistory(frame, ("s",))


def test_seasonal_naive_repeats_the_last_day() -> None:
    """Seasonal naive forecasts each hour as the last day's same hour."""
    h = synthetic(3, [1.0, 2.0, 3.0], ["n"] * 3)
    f = make_forecaster("seasonal_naive")
    f.fit(h)
    pred = f.predict(future_rows(["s"], [(4, 3, "n")]), [0.5])
    assert np.allclose(pred.mean, 3.0 * SHAPE)


def test_holt_winters_learns_a_steady_profile() -> None:
    """On ten identical days Holt-Winters forecasts the same profile (within 2%)."""
    h = synthetic(10, [5.0] * 10, ["n"] * 10)
    f = make_forecaster("holt_winters")
    f.fit(h)
    pred = f.predict(future_rows(["s"], [(11, 3, "n")]), [])
    assert np.allclose(pred.mean, 5.0 * SHAPE, rtol=0.02, atol=0.1)


def test_gbm_learns_what_a_day_type_does() -> None:
    """Sale days are 2x: from two sale days in ten, the boosted model forecasts a
    held-out sale day's total well above a normal day's (over 1.3x; seasonal naive
    gives 1x) and no higher than 2.3x."""
    per = [5.0, 5.0, 10.0, 5.0, 5.0, 5.0, 10.0, 5.0, 5.0, 5.0]
    types = ["n" if p == 5.0 else "sale" for p in per]
    h = synthetic(10, per, types)
    gbm = make_forecaster("gbm")
    gbm.fit(h)
    rows = future_rows(["s"], [(11, 3, "sale")])
    pred = gbm.predict(rows, [0.5])
    normal = 5.0 * SHAPE.sum()
    assert 1.3 * normal < pred.mean.sum() < 2.3 * normal
    assert 1.3 * normal < pred.quantiles[0.5].sum() < 2.3 * normal


def test_pinball_known_values() -> None:
    """Pinball loss by hand: q=0.9, actual 10, forecast 8 -> 1.8; forecast 12 -> 0.2."""
    assert pinball(np.array([10.0]), np.array([8.0]), 0.9) == pytest.approx(1.8)
    assert pinball(np.array([10.0]), np.array([12.0]), 0.9) == pytest.approx(0.2)
    s = scores(np.array([10.0, 0.0, 20.0]), Prediction(np.array([12.0, 1.0, 15.0]), {}))
    assert s["mape"] == pytest.approx((0.2 + 0.25) / 2)
    assert s["bias"] == pytest.approx(-2.0 / 30)


def test_unknown_forecaster_is_an_input_error() -> None:
    """An unknown forecaster name is a ScenarioError naming the flag."""
    with pytest.raises(ScenarioError, match=r"unknown forecaster 'gmb'.*gbm"):
        make_forecaster("gmb")


def test_empty_history_is_an_input_error(tmp_path: Path) -> None:
    """No run folder, or a folder that is no run: one-line input errors."""
    with pytest.raises(ScenarioError, match="no run folders"):
        load_history([])
    with pytest.raises(ScenarioError, match="not a run folder"):
        load_history([tmp_path])


@pytest.fixture(scope="module")
def two_weeks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two-week history run of tests.forecast.days, written to a results folder."""
    folder = tmp_path_factory.mktemp("hist") / "run"
    write_run(run(parse_scenario(TEXT, "tiny.yaml", OVERRIDES), 11), folder, plots=False)
    return folder


def test_accuracy_on_held_out_days_with_a_surge(two_weeks: Path) -> None:
    """Fit on days 1-13, score days 14 (normal) and 15 (sale): every forecaster is
    within 25% WAPE on the normal day; on the sale day the boosted model (which saw the
    earlier sale) beats seasonal naive on WAPE, bias and pinball loss."""
    h = load_history([two_weeks])
    assert h.days == list(range(1, 16))
    res = evaluate(h, [TRAIN_DAYS + 1, TRAIN_DAYS + 2],
                   ["seasonal_naive", "holt_winters", "gbm"])
    normal, sale = "day 14 (normal)", "day 15 (sale)"
    for name in res:
        assert res[name][normal]["wape"] < 0.25  # type: ignore[operator]
    g, n = res["gbm"][sale], res["seasonal_naive"][sale]
    assert g["wape"] < n["wape"]  # type: ignore[operator]
    assert abs(g["bias"]) < abs(n["bias"])  # type: ignore[arg-type]
    assert g["pinball"] < n["pinball"]  # type: ignore[operator]


def test_weather_factor_per_hour() -> None:
    """Rain from 12:00 to 14:30 on day 2 with online 1.5: hours 12 and 13 of day 2 get
    1.5, hour 14 gets 1.25 (half the hour), every other hour 1."""
    from sim.forecast.history import weather_factors
    from tests.conftest import TINY

    sc = parse_scenario(TINY, "tiny.yaml", [
        "run={start: '00:00', duration: 24h, days: 2, warmup: 1h, drain: 1h}",
        "events=[{kind: weather, day: 2, start: '12:00', end: '14:30', online: 1.5}]"])
    w = weather_factors(sc, 2)
    expect = np.ones((2, 24))
    expect[1, 12:14] = 1.5
    expect[1, 14] = 1.25
    assert np.allclose(w, expect)
