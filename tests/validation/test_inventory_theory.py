"""Replenishment against inventory theory: one store, one SKU, Poisson demand, lost sales.

The exact values are computed here, independently of the simulator:

- continuous-review (s, S) with a constant lead time L and s < S - s (so at most one
  order is outstanding): the Markov chain of the on-hand stock regenerates every time an
  order is placed (on hand is then exactly s), so renewal-reward over one cycle gives the
  fill rate and the time-average on hand exactly;
- periodic-review (s, S) every R with a constant lead time L < R: the on-hand stock at
  review epochs is a finite Markov chain; its stationary distribution and the expected
  sales and stock-time of a period from each state give both figures;
- base stock (S - 1, S) with lost sales: outstanding orders form an M/D/S/S loss system,
  whose occupancy is the Poisson demand over the lead time truncated at S (Erlang's loss
  formula, insensitive to the lead-time distribution); the fill rate is 1 - P(S).

The simulation runs the real model (walk-in shoppers taking one unit, the ``sS`` policy,
a distribution centre with a constant lead time) and reads the fill rate and the
time-weighted mean on hand from its metrics. The default run uses 100 days x 3 seeds per
case (standard errors about 0.3% on fill rates and 0.6-0.8% on mean inventory, so the
2% tolerance is 3 or more standard errors); ``-m slow`` runs 400 days x 8 seeds and asks
for 1%. The base stock's mean on hand is small (about 4 units) and noisy, so only its
fill rate is checked by default; the slow run checks both.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import poisson

from sim.runner import run

HOUR = 3600.0

SINGLE_SKU = """
name: single_sku
run: {{start: 0, duration: {days}d, warmup: 2d, drain: 0}}
city: {{width: 1km, height: 1km}}
catalog: {{skus: 1}}
demand:
  online: {{orders_per_day: 0, profile: flat, basket: {{lines: 1}}}}
  walkin: {{profile: flat, basket: {{lines: 1, units_per_line: 1}}}}
vehicles: {{bike: {{speed: 5m/s}}}}
suppliers: {{dc: {{kind: dc, lead_time: {lead}s}}}}
stores:
  - name: s
    location: [500m, 500m]
    pickers: 1
    pick_time_per_order: 1s
    pick_time_per_item: 1s
    couriers: {{count: 0, vehicle: bike}}
    stock: {{cover_days: 0, min_units: {S}}}
    walkins_per_day: {per_day}
    replenishment: {{policy: sS, supplier: dc, s: {s}, S: {S}, levels_in: units,
                     review: {review}}}
"""


def stock_time(x: int, lam: float, t: float) -> float:
    """E[integral over [0, t] of (x - N(u))+ du] for a Poisson process N of rate lam."""
    if x <= 0:
        return 0.0
    k = np.arange(x)
    return float(np.sum((x - k) * poisson.sf(k, lam * t)) / lam)


def _poisson(mean: float) -> tuple[np.ndarray, np.ndarray]:
    d = np.arange(int(mean + 12 * math.sqrt(mean + 1) + 30))
    p = poisson.pmf(d, mean)
    return d, p / p.sum()


def continuous_ss(lam: float, lead: float, s: int, up_to: int) -> tuple[float, float]:
    """Exact (fill rate, mean on hand) of continuous-review (s, S = up_to), lost sales."""
    assert s < up_to - s, "at most one order outstanding"
    d, p = _poisson(lam * lead)
    y = np.maximum(s - d, 0) + up_to - s               # on hand after the arrival
    cycle = lead + (p @ y - s) / lam                     # lead time + run-down from y to s
    sales = p @ np.minimum(s, d) + p @ y - s
    area = stock_time(s, lam, lead) + p @ ((y * (y + 1) - s * (s + 1)) / 2) / lam
    return float(sales / (lam * cycle)), float(area / cycle)


def periodic_ss(lam: float, period: float, lead: float, s: int, up_to: int
                ) -> tuple[float, float]:
    """Exact (fill rate, mean on hand) of periodic-review (s, S = up_to), lost sales,
    lead time L < review period R."""
    assert 0 <= lead < period
    n = up_to + 1
    trans = np.zeros((n, n))
    sales, area = np.zeros(n), np.zeros(n)
    d1, p1 = _poisson(lam * lead)
    d2, p2 = _poisson(lam * (period - lead))
    for x in range(n):
        q = up_to - x if x <= s else 0
        sales[x] = p1 @ np.minimum(x, d1)
        area[x] = stock_time(x, lam, lead)
        for y, py in zip((np.maximum(x - d1, 0) + q).tolist(), p1.tolist(), strict=True):
            np.add.at(trans[x], np.maximum(y - d2, 0), py * p2)
            sales[x] += py * (p2 @ np.minimum(y, d2))
            area[x] += py * stock_time(y, lam, period - lead)
    a = np.vstack([trans.T - np.eye(n), np.ones(n)])
    b = np.zeros(n + 1)
    b[-1] = 1.0
    pi = np.linalg.lstsq(a, b, rcond=None)[0]
    return float(pi @ sales / (lam * period)), float(pi @ area / period)


def base_stock(lam: float, lead: float, level: int) -> tuple[float, float]:
    """Exact (fill rate, mean on hand) of base stock ``level`` with lost sales (Erlang
    loss)."""
    n = np.arange(level + 1)
    w = poisson.pmf(n, lam * lead)
    w /= w.sum()
    return float(1 - w[-1]), float(level - n @ w)


def erlang_b(servers: int, load: float) -> float:
    """Erlang's loss formula by its textbook recursion."""
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def simulate(make_scenario, per_hour: float, lead: float, s: int, up_to: int, review: str,
             days: int, seeds: range) -> tuple[np.ndarray, np.ndarray]:
    """Walk-in fill rates and mean on hand of a single-SKU store, one per seed."""
    text = SINGLE_SKU.format(days=days, lead=lead, s=s, S=up_to, per_day=per_hour * 24,
                             review=review)
    fills, stock = [], []
    for seed in seeds:
        inv = run(make_scenario(text=text), seed).metrics["inventory"]
        fills.append(inv["walkin_fill_rate"])
        stock.append(inv["on_hand_units"]["total"])
    return np.array(fills), np.array(stock)


CASES = {
    # lambda per hour, lead time, s, S, review; exact figures from the functions above
    "continuous": (10.0, 2 * HOUR, 16, 60, "continuous"),
    "periodic": (10.0, 2 * HOUR, 35, 60, "4h"),
}


def exact(case: str) -> tuple[float, float]:
    """The exact figures of a case."""
    lam_h, lead, s, up_to, review = CASES[case]
    lam = lam_h / HOUR
    if review == "continuous":
        return continuous_ss(lam, lead, s, up_to)
    return periodic_ss(lam, float(review.removesuffix("h")) * HOUR, lead, s, up_to)


def test_exact_base_stock_is_erlangs_loss_formula():
    """The truncated-Poisson base-stock fill rate equals 1 - Erlang B(S, lambda L)."""
    for level, load in ((5, 3.0), (22, 20.0), (40, 30.0)):
        assert base_stock(load, 1.0, level)[0] == pytest.approx(1 - erlang_b(level, load),
                                                                abs=1e-12)


def test_exact_periodic_chain_tends_to_the_continuous_formula():
    """Reviewing every 36 s with no lead time, periodic (s, S) is continuous review with
    an instant lead time: both exact computations give fill 1 and on hand uniform on
    s+1..S."""
    lam = 10 / HOUR
    fill_c, stock_c = continuous_ss(lam, 1e-9, 16, 60)
    fill_p, stock_p = periodic_ss(lam, 36.0, 0.0, 16, 60)
    assert fill_c == pytest.approx(1.0) and stock_c == pytest.approx((60 + 17) / 2)
    assert fill_p == pytest.approx(fill_c, abs=1e-3)
    assert stock_p == pytest.approx(stock_c, rel=2e-3)


@pytest.mark.parametrize("case", list(CASES))
def test_ss_reproduces_the_exact_fill_rate_and_mean_inventory(make_scenario, case):
    """(s, S) with Poisson demand and a constant lead time: fill rate and mean on hand
    within 2% of the exact Markov-chain values (mean of 3 seeds x 100 days)."""
    fill, stock = exact(case)
    f, i = simulate(make_scenario, *CASES[case], days=100, seeds=range(3))
    assert f.mean() == pytest.approx(fill, rel=0.02)
    assert i.mean() == pytest.approx(stock, rel=0.02)


def test_base_stock_reproduces_the_erlang_fill_rate(make_scenario):
    """Base stock S = 22 against Poisson demand of 20 over the lead time: the fill rate is
    1 - P(outstanding = S) of the truncated Poisson, within 2% (3 seeds x 100 days)."""
    fill, _ = base_stock(10 / HOUR, 2 * HOUR, 22)
    f, _ = simulate(make_scenario, 10.0, 2 * HOUR, 21, 22, "continuous", 100, range(3))
    assert f.mean() == pytest.approx(fill, rel=0.02)


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_ss_matches_exact_values_closely_over_long_runs(make_scenario, case):
    """Long runs: within 1%, and within 4 standard errors of the seed means."""
    fill, stock = exact(case)
    f, i = simulate(make_scenario, *CASES[case], days=400, seeds=range(8))
    for sim, value in ((f, fill), (i, stock)):
        se = sim.std(ddof=1) / math.sqrt(sim.size)
        assert sim.mean() == pytest.approx(value, rel=0.01)
        assert abs(sim.mean() - value) < 4 * se + 1e-12


@pytest.mark.slow
def test_base_stock_matches_erlang_closely_over_long_runs(make_scenario):
    """Long runs of base stock: fill rate and mean on hand within 1% and 4 standard
    errors of the truncated-Poisson values."""
    fill, stock = base_stock(10 / HOUR, 2 * HOUR, 22)
    f, i = simulate(make_scenario, 10.0, 2 * HOUR, 21, 22, "continuous", 400, range(8))
    for sim, value in ((f, fill), (i, stock)):
        se = sim.std(ddof=1) / math.sqrt(sim.size)
        assert sim.mean() == pytest.approx(value, rel=0.01)
        assert abs(sim.mean() - value) < 4 * se + 1e-12
