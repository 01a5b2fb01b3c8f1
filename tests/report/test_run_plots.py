"""The figures of one run: legends that hold every series and stay clear of the data,
the on-time target, per-store utilisation, labels with units."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.core.records import ORDER_COLUMNS, STATE_COLUMNS
from sim.metrics.window import MetricContext
from sim.report.run_plots import plot_orders_per_hour, plot_utilisation_by_store

CTX = MetricContext(start=8 * 3600.0, end=12 * 3600.0, stop=13 * 3600.0, promise=1800.0)


def orders() -> pd.DataFrame:
    """Three hours of orders: 8:xx all on time, 9:xx half late, 10:xx one rejected."""
    rows = []
    for k, (hour, late, status) in enumerate(
            [(8, False, "delivered"), (8, False, "delivered"), (9, False, "delivered"),
             (9, True, "delivered"), (10, False, "delivered"), (10, False, "rejected")]):
        created = hour * 3600.0 + 60 * k
        delivered = np.nan if status == "rejected" else created + (2400 if late else 900)
        rows.append(dict.fromkeys(ORDER_COLUMNS, np.nan) | {
            "order_id": k, "created": created, "status": status, "delivered": delivered})
    return pd.DataFrame(rows, columns=list(ORDER_COLUMNS))


def test_orders_per_hour_legend_and_target():
    """The on-time line and the target are in the one legend, which sits below the
    axes (so no line runs through it); the rates are per hour of creation."""
    ax = plot_orders_per_hour(orders(), CTX, target=0.9)
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "accepted orders", "rejected orders", "on-time rate", "on-time target 90%"]
    fig = ax.get_figure(root=True)
    fig.canvas.draw()
    box = legend.get_window_extent().transformed(ax.transAxes.inverted())
    assert box.y1 <= 0  # wholly under the plotting area
    twin = next(a for a in fig.axes if a is not ax)
    rate_line, target_line = twin.get_lines()
    assert list(rate_line.get_ydata()) == [1.0, 0.5, 1.0]
    assert list(target_line.get_ydata()) == [0.9, 0.9]
    assert twin.get_ylabel() == "on-time rate (%)"
    assert len(plot_orders_per_hour(orders(), CTX).figure.axes[1].get_lines()) == 1


def test_utilisation_by_store():
    """One line per store for the resource asked; the pooled mean hides the hot store."""
    states = pd.DataFrame(
        [(8 * 3600.0, "pickers", "a", 2, 2), (8 * 3600.0, "pickers", "b", 0, 2),
         (8 * 3600.0, "couriers", "a", 1, 4)], columns=list(STATE_COLUMNS))
    ax = plot_utilisation_by_store(states, CTX, "pickers")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["a", "b", "warm-up"]
    a, b = ax.get_lines()
    assert np.allclose(a.get_ydata(), 1.0) and np.allclose(b.get_ydata(), 0.0)
    assert ax.get_ylabel() == "utilisation (%)"


def test_binned_integrals_match_step_integral():
    """The vectorised per-bin integral equals step_integral bin by bin, with repeated
    change times and bins before, across and after the changes."""
    import itertools

    from sim.metrics.stats import step_integral
    from sim.metrics.utilisation import binned_integrals

    rng = np.random.default_rng(3)
    for _ in range(100):
        t = np.sort(rng.choice(np.arange(0, 100.0, 0.5), rng.integers(0, 30)))
        v = rng.integers(0, 5, len(t)).astype(float)
        edges = np.sort(rng.uniform(-10, 120, rng.integers(2, 12)))
        want = [step_integral(t, v, lo, hi) for lo, hi in itertools.pairwise(edges)]
        assert np.allclose(binned_integrals(t, v, edges), want)
