"""Numbers and metric names for people: one module used by the terminal summary, the
single-run report and the experiment report, so they all read the same.

- Never scientific notation: :func:`number` keeps a few significant digits and writes
  the rest as plain decimals (``0.000306``, ``567,400``), with thousands separators.
- Rates as percentages (``93.4%``) and their differences in percentage points
  (``-0.02 pp``), minutes with ``min``, clock times as ``HH:MM:SS``.
- :func:`metric_info` turns a dotted metric path of ``metrics.json`` into a label with
  its unit, the kind of number it is, and the smallest difference that matters in
  practice (the experiment report paints a difference only when it is both
  statistically clear and at least that large).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Literal

Kind = Literal["rate", "minutes", "count", "money", "km", "number"]

MAX_DECIMALS = 9
"""Decimals shown at most: a magnitude below 1e-9 prints as ``<0.000000001`` rather
than in scientific notation (such a value is noise in every metric here)."""


def _finite(x: object) -> float | None:
    """``x`` as a finite float, or None (None, NaN, infinities, pandas' NA, text)."""
    if not isinstance(x, numbers.Real) or isinstance(x, bool):
        return None
    value = float(x)
    return value if math.isfinite(value) else None


def number(x: object, digits: int = 3, signed: bool = False, missing: str = "n/a") -> str:
    """``x`` to ``digits`` significant digits with thousands separators, never in
    scientific notation: 567400.3 -> ``567,400``, 12.345 -> ``12.3``, -3.06e-05 ->
    ``-0.0000306``. Whole numbers keep every digit (counts are exact)."""
    value = _finite(x)
    if value is None:
        return missing
    sign = "+" if signed else ""
    if value == 0:
        return f"{sign}0" if signed else "0"
    if value.is_integer() and abs(value) >= 10 ** (digits - 1):
        return f"{value:{sign},.0f}"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    if abs(value) < 10.0 ** -MAX_DECIMALS:
        return f"{'-' if value < 0 else sign}<0.{'0' * (MAX_DECIMALS - 1)}1"
    decimals = min(decimals, MAX_DECIMALS)  # below 1e-7 fewer digits, never an exponent
    text = f"{value:{sign},.{decimals}f}"
    if "." in text:  # 12.50 -> 12.5, 3.00 -> 3: trailing zeros say nothing
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "+0") and not signed else text


def count(x: object, signed: bool = False, missing: str = "n/a") -> str:
    """A count as a whole number with thousands separators: ``20,000``."""
    value = _finite(x)
    if value is None:
        return missing
    return f"{round(value):{'+' if signed else ''},d}"


def percent(rate: object, digits: int = 3, signed: bool = False, missing: str = "n/a") -> str:
    """A rate (a share of 1) as a percentage: 0.9342 -> ``93.4%``; 1.0 -> ``100%``; a
    rate short of 1 never reads as 100: 0.999775 -> ``99.98%``."""
    value = _finite(rate)
    if value is None:
        return missing
    text = number(100 * value, digits, signed)
    extra = digits
    while text.lstrip("+-") == "100" and abs(value) != 1 and extra < digits + 4:
        extra += 1
        text = number(100 * value, extra, signed)
    return text + "%"


def points(diff: object, digits: int = 2, missing: str = "n/a") -> str:
    """A difference of two rates in percentage points, signed: -0.0002 -> ``-0.02 pp``."""
    value = _finite(diff)
    if value is None:
        return missing
    return number(100 * value, digits, signed=True) + " pp"


def clock(seconds: object, missing: str = "") -> str:
    """Clock seconds after midnight of the first day as ``HH:MM:SS`` (hours go past 24
    on later days, so the text still sorts): 25200.971 -> ``07:00:00``."""
    value = _finite(seconds)
    if value is None or value < 0:
        return missing
    whole = int(value)  # truncated: a stamp at 07:00:00.97 happened in second 07:00:00
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def duration(seconds: object, missing: str = "n/a") -> str:
    """A length of time for people: ``45 s``, ``30 min``, ``7 h``, ``1 h 30 min``."""
    value = _finite(seconds)
    if value is None:
        return missing
    if abs(value) < 60:
        return f"{number(value)} s"
    if abs(value) < 7200 and value % 3600:
        return f"{number(value / 60)} min"
    hours, rest = divmod(round(value), 3600)
    return f"{hours} h" + (f" {number(rest / 60)} min" if rest >= 1 else "")


@dataclass(frozen=True)
class MetricInfo:
    """How to name and show a metric."""

    label: str
    """Human name with its unit, e.g. ``Click-to-door p90 (min)``."""
    kind: Kind
    practical: float | None
    """Smallest difference that matters in practice, in the metric's units (None: 1% of
    the base value, see :func:`practical_threshold`)."""
    judged: bool = True
    """False for metrics with no good direction on their own (utilisation: a busier
    fleet is cheaper but makes orders wait), shown without better/worse."""

    @property
    def axis_label(self) -> str:
        """The label with the unit a plot axis shows (rates are drawn in percent)."""
        return f"{self.label} (%)" if self.kind == "rate" else self.label

    def value(self, x: object, signed: bool = False) -> str:
        """A value of this metric for people."""
        if self.kind == "rate":
            return percent(x, signed=signed)
        if self.kind == "count":
            return count(x, signed)
        if self.kind == "money":
            v = _finite(x)
            return number(x, 3 if v is not None and abs(v) < 100 else 1, signed)
        return number(x, 3, signed)

    def spread(self, x: object) -> str:
        """A half-width or threshold of this metric (rates in percentage points)."""
        if self.kind == "rate":
            value = _finite(x)
            return "n/a" if value is None else number(100 * value, 2) + " pp"
        return self.value(x)

    def diff(self, x: object) -> str:
        """A difference of two values of this metric (rates in percentage points)."""
        return points(x) if self.kind == "rate" else self.value(x, signed=True)


_STATS = {"mean": "mean", "p50": "median", "p90": "p90", "p95": "p95", "p99": "p99",
          "max": "max", "overall": "", "total": "total"}

_EXACT: dict[str, tuple[str, Kind, float | None]] = {
    "sla.on_time_rate": ("On-time rate", "rate", 0.005),
    "sla.late_rate": ("Late rate", "rate", 0.005),
    "orders.rejection_rate": ("Rejection rate", "rate", 0.005),
    "orders.delivered_per_hour": ("Orders delivered per hour", "number", None),
    "promise.on_time_to_due_rate": ("On time to the promised time", "rate", 0.005),
    "routing.km": ("Distance driven (km)", "km", None),
    "routing.km_per_order": ("Distance per order (km)", "km", 0.05),
    "routing.orders_per_trip.mean": ("Orders per trip", "number", 0.05),
    "economics.profit": ("Profit", "money", None),
    "economics.profit_per_hour": ("Profit per hour", "money", None),
}
"""Metrics whose label, kind and practical threshold are set by hand (the rest are
derived from their path by :func:`metric_info`)."""


def _words(part: str) -> str:
    return part.replace("_", " ").replace("click to door", "click-to-door")


def metric_info(metric: str) -> MetricInfo:
    """Label, kind and practical threshold of a dotted metric path. Any path works:
    ``sla.click_to_door_min.p90`` -> ``Click-to-door p90 (min)``,
    ``utilisation.pickers.by_node.centre`` -> ``Pickers utilisation at centre``,
    ``warehouses.wuxi.items_per_hour`` -> ``Items per hour, warehouse wuxi``."""
    if metric in _EXACT:
        label, kind, practical = _EXACT[metric]
        return MetricInfo(label, kind, practical)
    parts = metric.split(".")
    stat = ""
    if len(parts) > 1 and parts[-1] in _STATS:
        stat, parts = _STATS[parts[-1]], parts[:-1]
    name, unit, kind, practical = parts[-1], "", "number", None
    where = ""
    if parts[0] == "warehouses" and len(parts) > 2:
        where, parts = f", warehouse {parts[1]}", parts[2:]
    judged = True
    if name.endswith("_min"):
        name, unit, kind, practical = name[:-4], "min", "minutes", 0.5
    elif parts[0] == "stages_min":
        unit, kind, practical = "min", "minutes", 0.25
    elif name == "km" or name.startswith("km_"):
        name, unit, kind = "distance" + name[2:], "km", "km"
    elif parts[0] == "utilisation" or "utilisation" in name:
        kind, practical, judged = "rate", 0.01, False
        if parts[0] == "utilisation":
            name = f"{parts[1]} utilisation"
            if len(parts) >= 4 and parts[2] == "by_node":
                name += f" at {parts[3]}"
            parts = [name]
    elif name.endswith(("_rate", "_share")) or name == "share_of_accepted":
        kind, practical = "rate", 0.005
    elif parts[0] == "economics":
        kind = "money"
    qualifier = parts[-2] if len(parts) > 2 else ""
    text = " ".join(w for w in (_words(qualifier), _words(name), stat) if w)
    label = text[:1].upper() + text[1:] + where + (f" ({unit})" if unit else "")
    return MetricInfo(label, kind, practical, judged)


def practical_threshold(info: MetricInfo, base_mean: object) -> float:
    """The smallest difference that matters for a metric whose base cell has mean
    ``base_mean``: the metric's own threshold, or 1% of the base value."""
    if info.practical is not None:
        return info.practical
    base = _finite(base_mean)
    return 0.01 * abs(base) if base is not None else 0.0


def practical_verdict(verdict: str, diff_mean: object, diff_low: object, diff_high: object,
                      threshold: float, judged: bool = True) -> str:
    """The statistical verdict (``better``/``worse``/``no difference``/``n/a``/``base``)
    refined for people: a statistically clear change smaller than ``threshold`` is ``no
    practical difference``, and metrics that are not judged say ``higher``/``lower``
    rather than better/worse."""
    if verdict not in ("better", "worse"):
        return verdict
    mean = _finite(diff_mean)
    low, high = _finite(diff_low), _finite(diff_high)
    if mean is None:
        return verdict
    if abs(mean) < threshold or (low is not None and high is not None
                                 and -threshold < low and high < threshold):
        return "no practical difference"
    if not judged:
        return "higher" if mean > 0 else "lower"
    return verdict


def with_unit(label: str, info: MetricInfo) -> str:
    """An axis label: ``label`` (a KPI's own or the metric's) with the unit the axis
    is drawn in, unless it already names it."""
    unit = {"rate": "%", "minutes": "min", "km": "km"}.get(info.kind)
    return f"{label} ({unit})" if unit and f"({unit})" not in label else label


def factor_label(path: str) -> str:
    """An override path as an axis label: ``store_defaults.couriers.count`` ->
    ``Couriers count per store``, ``dispatch.policy`` -> ``Dispatch policy``."""
    parts = [p for p in path.replace("[", ".").replace("]", "").split(".") if p]
    if not parts:
        return path
    per_store = parts[0] == "store_defaults"
    tail = [p for p in parts[1 if per_store else 0:] if not p.isdigit()][-2:] or parts[-1:]
    text = " ".join(_words(p) for p in tail) + (" per store" if per_store else "")
    return text[:1].upper() + text[1:]
