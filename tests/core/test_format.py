"""Numbers and labels for people: never scientific notation, rates in percent, the
practical threshold behind the report's colours, and tick labels that never overlap."""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from sim.core.format import (
    clock,
    count,
    duration,
    factor_label,
    metric_info,
    number,
    percent,
    points,
    practical_threshold,
    practical_verdict,
)
from sim.report.experiment_plots import plot_metric_by_factor

SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")


def test_numbers_from_the_issue():
    """The report's old outputs read as plain numbers with separators."""
    assert number(-3.06e-05, signed=True) == "-0.0000306"
    assert number(5.674e05) == "567,400"
    assert number(567400.3) == "567,400"
    assert number(12.345) == "12.3"
    assert number(20000) == "20,000" and count(19643.0) == "19,643"
    assert number(float("nan")) == "n/a" and number(None) == "n/a" and number("x") == "n/a"
    assert percent(0.9342) == "93.4%" and percent(1.0) == "100%"
    assert percent(0.999775) == "99.98%"  # short of 1 never reads as 100%
    assert points(-0.0002) == "-0.02 pp"
    assert clock(25200.971) == "07:00:00" and clock(90061) == "25:01:01" and clock(None) == ""
    assert duration(25200) == "7 h" and duration(1800) == "30 min"


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15),
       st.booleans())
def test_never_scientific_and_close(x, signed):
    """Any finite number prints without an exponent, and (unless tiny) reads back
    within its significant digits."""
    text = number(x, signed=signed)
    assert not SCIENTIFIC.search(text) and "e" not in text.lower()
    if text.lstrip("+-").startswith("<"):
        assert abs(x) < 1e-9
        return
    back = float(text.replace(",", ""))
    assert math.isclose(back, x, rel_tol=6e-3, abs_tol=1e-9)


def test_metric_labels():
    """Metric paths become labels with units; utilisation is not judged."""
    assert metric_info("sla.on_time_rate").label == "On-time rate"
    assert metric_info("sla.on_time_rate").axis_label == "On-time rate (%)"
    assert metric_info("sla.click_to_door_min.p90").label == "Click-to-door p90 (min)"
    assert metric_info("warehouses.wuxi.items_per_hour").label == (
        "Items per hour, warehouse wuxi")
    assert metric_info("utilisation.pickers.by_node.centre").label == (
        "Pickers utilisation at centre")
    assert not metric_info("utilisation.couriers.overall").judged
    assert not metric_info("warehouses.wuxi.station_utilisation.mean").judged
    assert metric_info("fill_rate.online.unit_fill_rate").kind == "rate"
    assert factor_label("store_defaults.couriers.count") == "Couriers count per store"
    assert factor_label("dispatch.policy") == "Dispatch policy"


def test_practical_verdicts():
    """A statistically clear change below the threshold is no practical difference; a
    big one keeps its verdict; utilisation says higher/lower, never better/worse."""
    rate = metric_info("utilisation.couriers.overall")
    tiny = practical_verdict("worse", -0.0002, -0.0003, -0.0001,
                             practical_threshold(rate, 0.8), rate.judged)
    assert tiny == "no practical difference"
    pickers = metric_info("utilisation.pickers.overall")
    assert practical_verdict("better", 0.15, 0.14, 0.16, practical_threshold(pickers, 0.66),
                             pickers.judged) == "higher"
    on_time = metric_info("sla.on_time_rate")
    assert practical_verdict("better", 0.05, 0.03, 0.07, practical_threshold(on_time, 0.9),
                             on_time.judged) == "better"
    assert practical_verdict("no difference", 0.05, -0.01, 0.1, 0.005) == "no difference"
    # no fixed threshold: 1% of the base's mean
    assert practical_threshold(metric_info("orders.delivered_per_hour"), 2000.0) == 20.0


def _overlaps(ax) -> bool:
    """Whether two neighbouring tick labels overlap: level labels by their boxes,
    labels turned by the same angle by their spacing across the slant against their
    unturned height."""
    fig = ax.get_figure(root=True)
    fig.tight_layout()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ticks = ax.get_xticklabels()
    angle = ticks[0].get_rotation()
    if angle == 0:
        boxes = [t.get_window_extent(renderer) for t in ticks]
        return any(a.x1 > b.x0 for a, b in itertools.pairwise(boxes))
    xs = ax.transData.transform([(x, 0.0) for x in ax.get_xticks()])[:, 0]
    heights = []
    for t in ticks:
        t.set_rotation(0)
        heights.append(t.get_window_extent(renderer).height)
        t.set_rotation(angle)
    across = min(np.diff(xs)) * math.sin(math.radians(angle))
    return across < max(heights)


def test_long_category_labels_do_not_overlap():
    """Long names are turned so no two tick labels touch (and the check catches level
    labels that would); short names stay level; very many names stand upright."""
    names = [f"policy_with_a_long_name_{i}" for i in range(10)]
    summary = pd.DataFrame({"policy": names, "mean": range(10), "low": range(10),
                            "high": range(10)})
    ax = plot_metric_by_factor(summary, "policy")
    assert ax.get_xticklabels()[0].get_rotation() == 30 and not _overlaps(ax)
    level = plot_metric_by_factor(summary, "policy")
    for t in level.get_xticklabels():
        t.set_rotation(0)
    assert _overlaps(level)
    short = plot_metric_by_factor(summary.head(3).assign(policy=["a", "b", "c"]), "policy")
    assert short.get_xticklabels()[0].get_rotation() == 0 and not _overlaps(short)
    many = pd.DataFrame({"policy": [f"p{i:02d}_long_label" for i in range(40)],
                         "mean": range(40), "low": range(40), "high": range(40)})
    upright = plot_metric_by_factor(many, "policy")
    assert upright.get_xticklabels()[0].get_rotation() == 90 and not _overlaps(upright)
