"""Forecasters of orders per store and clock hour, behind one interface.

Every forecaster is fitted on a :class:`~sim.forecast.history.DemandHistory` and
predicts the rows of later days (:func:`sim.forecast.history.future_rows`): a mean per
row and, for each asked probability ``q``, the ``q``-quantile of the hour's orders.

- ``seasonal_naive``: the same store and clock hour of the last day in the history
  (the baseline every forecast must beat); quantiles are Poisson around it.
- ``holt_winters``: exponential smoothing of each store's hourly series with level,
  trend and a 24-hour multiplicative season (:class:`~sim.forecast.smoothing.
  SeasonalSmoother`, the replenishment forecast's smoother), rolled forward hour by hour
  through the history and projected over the forecast days; quantiles are Poisson.
- ``gbm``: scikit-learn's ``HistGradientBoostingRegressor`` on the features store,
  hour, weekday, day type (store and day type categorical) and the weather factor: a
  Poisson-loss model for the mean and one quantile-loss model per asked probability
  (quantile crossings are sorted out).

Neither naive nor smoothing knows the calendar; the boosted model learns what a day
type does from the days of that type in the history (it cannot know a type it never
saw: such rows fall back on its categorical "unknown" branch). scikit-learn is imported
only when a ``gbm`` forecaster is fitted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, get_args

import numpy as np
import pandas as pd
from scipy.stats import poisson

from sim.forecast.history import FEATURES, HOURS, DemandHistory
from sim.forecast.smoothing import SeasonalSmoother
from sim.scenario.errors import ScenarioError, did_you_mean

ForecasterName = Literal["seasonal_naive", "holt_winters", "gbm"]
"""The forecasters :data:`FORECASTERS` knows, by name."""

DEFAULT_QUANTILES = (0.1, 0.5, 0.9)


@dataclass(frozen=True)
class Prediction:
    """A forecast of some rows: the mean and the asked quantiles (one array each)."""

    mean: np.ndarray
    quantiles: dict[float, np.ndarray]


class Forecaster(Protocol):
    """Learns hourly demand per store from a history and forecasts later days."""

    name: ForecasterName

    def fit(self, history: DemandHistory) -> None:
        """Learn from ``history`` (whole days)."""

    def predict(self, rows: pd.DataFrame, quantiles: Sequence[float]) -> Prediction:
        """Forecast ``rows`` (columns of :data:`~sim.forecast.history.FEATURES`; days
        after the history's last)."""


def poisson_quantiles(mean: np.ndarray, quantiles: Sequence[float]) -> dict[float, np.ndarray]:
    """Quantiles of Poisson counts with the given means (the spread a point forecast of
    independent arrivals implies)."""
    return {q: poisson.ppf(q, np.maximum(mean, 1e-9)).astype(float) for q in quantiles}


def _check(rows: pd.DataFrame, last_day: int) -> None:
    if len(rows) and int(rows["day"].min()) <= last_day:
        raise ValueError("forecast rows must lie after the history's last day")


class SeasonalNaive:
    """The same store and clock hour of the history's last day."""

    name: ForecasterName = "seasonal_naive"

    def __init__(self) -> None:
        self._last: dict[tuple[str, int], float] = {}
        self._day = 0

    def fit(self, history: DemandHistory) -> None:
        """Keep the last day's hours of every store."""
        self._day = history.days[-1]
        last = history.frame[history.frame["day"] == self._day]
        self._last = {(str(s), int(h)): float(v)
                      for s, h, v in zip(last["store"], last["hour"], last["orders"],
                                         strict=True)}

    def predict(self, rows: pd.DataFrame, quantiles: Sequence[float]) -> Prediction:
        """The last day's count of each row's store and hour."""
        _check(rows, self._day)
        mean = np.array([self._last.get((str(s), int(h)), 0.0)
                         for s, h in zip(rows["store"], rows["hour"], strict=True)])
        return Prediction(mean, poisson_quantiles(mean, quantiles))


class HoltWinters:
    """Level, trend and 24-hour season per store (:class:`SeasonalSmoother`).

    The smoothing constants are fixed (level 0.05, trend 0.001, season 0.1 per hour):
    with hourly steps, a level constant of 0.05 weighs about the last day, and the
    trend constant is small so a busy afternoon is not read as growth."""

    name: ForecasterName = "holt_winters"

    def __init__(self, alpha: float = 0.05, gamma: float = 0.1, trend: float = 0.001) -> None:
        self.alpha, self.gamma, self.trend = alpha, gamma, trend
        self._fits: dict[str, SeasonalSmoother] = {}
        self._day = 0

    def fit(self, history: DemandHistory) -> None:
        """Start each store from its first day (level: its mean hour; season: its
        profile) and smooth through every hour of the history."""
        self._day = history.days[-1]
        for store in history.stores:
            y = history.series(store)
            if not len(y):
                continue
            first = y[:HOURS]
            level = max(float(first.mean()), 1e-6)
            season = first + 0.01 * level  # keep closed hours near, not at, zero
            sm = SeasonalSmoother(np.array([level]), season, self.alpha, self.gamma,
                                  0.05, self.trend)
            for i, v in enumerate(y):
                sm.observe(i % HOURS, np.array([v]))
            self._fits[store] = sm

    def predict(self, rows: pd.DataFrame, quantiles: Sequence[float]) -> Prediction:
        """Project each store's smoother to each row's day and hour."""
        _check(rows, self._day)
        mean = np.zeros(len(rows))
        for i, (s, d, h) in enumerate(zip(rows["store"], rows["day"], rows["hour"],
                                          strict=True)):
            sm = self._fits.get(str(s))
            if sm is not None:
                steps = (int(d) - self._day - 1) * HOURS + int(h) + 1
                mean[i] = float(sm.ahead(steps, int(h))[0])
        return Prediction(mean, poisson_quantiles(mean, quantiles))


class GradientBoosting:
    """scikit-learn's ``HistGradientBoostingRegressor`` on store, hour, weekday, day
    type and weather: Poisson loss for the mean, quantile loss for each quantile."""

    name: ForecasterName = "gbm"

    def __init__(self, seed: int = 0, max_iter: int = 300, learning_rate: float = 0.05) -> None:
        self.seed, self.max_iter, self.learning_rate = seed, max_iter, learning_rate
        self._levels: dict[str, list[str]] = {}
        self._x: np.ndarray = np.zeros((0, len(FEATURES) - 1))  # all but the day index
        self._y: np.ndarray = np.zeros(0)
        self._day = 0
        self._models: dict[str, Callable[[np.ndarray], np.ndarray]] = {}

    def _encode(self, rows: pd.DataFrame) -> np.ndarray:
        """Features as numbers: store and day type by their index in the history (an
        unseen value is NaN, the models' missing-value branch), hour, weekday and
        weather as is."""
        cols = []
        for name in ("store", "hour", "weekday", "day_type", "weather"):
            if name in self._levels:
                index = {v: float(i) for i, v in enumerate(self._levels[name])}
                cols.append(np.array([index.get(str(v), np.nan) for v in rows[name]]))
            else:
                cols.append(rows[name].to_numpy(dtype=float))
        return np.column_stack(cols)

    def fit(self, history: DemandHistory) -> None:
        """Keep the encoded history (the models are fitted when asked to predict, once
        the quantiles are known)."""
        frame = history.frame
        self._day = history.days[-1]
        self._levels = {"store": list(history.stores),
                        "day_type": sorted(str(t) for t in frame["day_type"].unique())}
        self._x = self._encode(frame)
        self._y = frame["orders"].to_numpy(dtype=float)
        self._models = {}

    def _model(self, loss: str, quantile: float | None = None) -> Callable[[np.ndarray],
                                                                            np.ndarray]:
        key = f"{loss}{quantile}"
        if key not in self._models:
            from sklearn.ensemble import HistGradientBoostingRegressor

            extra = {"quantile": quantile} if quantile is not None else {}
            model = HistGradientBoostingRegressor(
                loss=loss, learning_rate=self.learning_rate, max_iter=self.max_iter,
                categorical_features=[0, 3], random_state=self.seed, early_stopping=False,
                **extra)
            model.fit(self._x, self._y)
            self._models[key] = model.predict
        return self._models[key]

    def predict(self, rows: pd.DataFrame, quantiles: Sequence[float]) -> Prediction:
        """Mean from the Poisson model, each quantile from its own model (sorted so a
        higher probability never gets a lower quantile; never negative)."""
        _check(rows, self._day)
        x = self._encode(rows)
        mean = np.maximum(self._model("poisson")(x), 0.0)
        qs = sorted(quantiles)
        if not qs:
            return Prediction(mean, {})
        stack = np.sort(np.column_stack([self._model("quantile", q)(x) for q in qs]), axis=1)
        return Prediction(mean, {q: np.maximum(stack[:, i], 0.0) for i, q in enumerate(qs)})


FORECASTERS: dict[ForecasterName, Callable[[], Forecaster]] = {
    "seasonal_naive": SeasonalNaive,
    "holt_winters": HoltWinters,
    "gbm": GradientBoosting,
}
"""Every forecaster by name (the keys are exactly :data:`ForecasterName`)."""

assert set(FORECASTERS) == set(get_args(ForecasterName))


def make_forecaster(name: str) -> Forecaster:
    """A new forecaster by name; an unknown name is a one-line input error."""
    if name not in FORECASTERS:
        raise ScenarioError(f"unknown forecaster '{name}'" + did_you_mean(name, list(FORECASTERS))
                            + f"; forecasters: {', '.join(FORECASTERS)}", ("--forecaster",))
    return FORECASTERS[name]()
