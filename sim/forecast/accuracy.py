"""Accuracy of a forecast on held-out days: MAPE, WAPE, bias and pinball loss.

- ``mape``: mean of ``|forecast - actual| / actual`` over the store-hours with orders
  (hours with none have no percentage error; they count in the other figures);
- ``wape``: ``sum |forecast - actual| / sum actual`` (MAPE weighted by volume: a quiet
  night hour does not weigh like the evening peak);
- ``bias``: ``sum (forecast - actual) / sum actual`` (negative: the forecast is short);
- ``pinball``: the mean over rows and quantiles of the quantile (pinball) loss
  ``max(q (y - f_q), (q - 1)(y - f_q))``, in orders; ``pinball_by_q`` per quantile;
- ``coverage``: the share of store-hours inside the outermost quantiles' interval.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.forecast.history import DemandHistory
from sim.forecast.models import DEFAULT_QUANTILES, Prediction, make_forecaster


def pinball(actual: np.ndarray, forecast: np.ndarray, q: float) -> float:
    """Mean pinball loss of the ``q``-quantile forecast."""
    d = actual - forecast
    return float(np.mean(np.maximum(q * d, (q - 1.0) * d)))


def scores(actual: np.ndarray, pred: Prediction) -> dict[str, float | dict[str, float]]:
    """MAPE, WAPE, bias, pinball loss and interval coverage of ``pred``."""
    y, f = np.asarray(actual, dtype=float), pred.mean
    pos = y > 0
    total = float(y.sum())
    out: dict[str, float | dict[str, float]] = {
        "mape": float(np.mean(np.abs(f[pos] - y[pos]) / y[pos])) if pos.any() else float("nan"),
        "wape": float(np.abs(f - y).sum() / total) if total else float("nan"),
        "bias": float((f - y).sum() / total) if total else float("nan"),
    }
    if pred.quantiles:
        by_q = {f"{q:g}": pinball(y, v, q) for q, v in sorted(pred.quantiles.items())}
        out["pinball"] = float(np.mean(list(by_q.values())))
        out["pinball_by_q"] = by_q
        lo, hi = min(pred.quantiles), max(pred.quantiles)
        out["coverage"] = float(np.mean((y >= pred.quantiles[lo]) & (y <= pred.quantiles[hi])))
    return out


def evaluate(history: DemandHistory, held_out: Sequence[int], names: Sequence[str],
             quantiles: Sequence[float] = DEFAULT_QUANTILES
             ) -> dict[str, dict[str, dict[str, float | dict[str, float]]]]:
    """Fit each forecaster on the days before the first held-out day and score it on
    each held-out day and on all of them: ``{forecaster: {day or "all": scores}}``."""
    first = min(held_out)
    train = DemandHistory(history.frame[history.frame["day"] < first].reset_index(drop=True),
                          history.stores)
    test = history.frame[history.frame["day"].isin(list(held_out))].reset_index(drop=True)
    out: dict[str, dict[str, dict[str, float | dict[str, float]]]] = {}
    for name in names:
        model = make_forecaster(name)
        model.fit(train)
        pred = model.predict(test, quantiles)
        res: dict[str, dict[str, float | dict[str, float]]] = {}
        for day in sorted(held_out):
            m = (test["day"] == day).to_numpy()
            label = f"day {day} ({test.loc[m, 'day_type'].iloc[0]})" if m.any() else str(day)
            res[label] = scores(test["orders"].to_numpy()[m], _rows(pred, m))
        res["all"] = scores(test["orders"].to_numpy(), pred)
        out[name] = res
    return out


def _rows(pred: Prediction, mask: np.ndarray) -> Prediction:
    return Prediction(pred.mean[mask], {q: v[mask] for q, v in pred.quantiles.items()})


def table(results: dict[str, dict[str, dict[str, float | dict[str, float]]]]) -> pd.DataFrame:
    """The figures of :func:`evaluate` as one table (forecaster, days, figures)."""
    rows = [{"forecaster": name, "days": label,
             **{k: v for k, v in s.items() if not isinstance(v, dict)}}
            for name, res in results.items() for label, s in res.items()]
    return pd.DataFrame(rows)
