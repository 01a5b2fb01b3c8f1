"""A roster from a forecast: hourly demand -> staff per hour (Erlang C) -> least-cost shifts.

:func:`make_plan` forecasts every store's orders per clock hour for each day of the
scenario's run (its days follow the history's last day; their day types and weekdays
come from the scenario's calendar and ``run.date``), turns each hour's orders into the
fewest pickers and couriers meeting the target (:mod:`sim.staffing.queueing`, with the
service times measured in the history), takes for each day type the most any of its
days needs in each hour, and covers those counts with the cheapest shifts
(:mod:`sim.staffing.shifts`). With one day type the day repeats and shifts may cross
midnight; with several, every type's shifts end by midnight (a shift crossing into the
next day would belong to a day of another type and not run).

Targets (``--target``):

- ``on_time=P``: at least a share P of orders delivered within the promise window. The
  window less the measured mean pick-and-pack and door leg (dispatch to delivery) is the
  time an order may wait; half of it is the picker queue's, half the courier queue's,
  and each queue must keep a share ``sqrt(P)`` of orders within its half (both together
  then hold P if the two waits were independent). It is an approximation: service
  times vary, and the simulation (or the optimiser) says how the roster really does;
- ``mean_wait=D``: the mean wait for a picker and for a courier at most D (a duration).

The roster is written as ``--set`` overrides (a YAML mapping of scenario path to value):
the day type of day 1 (or the only one) goes into each store's own ``pickers`` and its
first fleet's ``count`` (the store's ``couriers`` written out whole, the rest as it
was); every other day type present gets ``calendar.day_types.T.rosters``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

import numpy as np

from sim.forecast.history import DemandHistory, future_rows, load_history, weather_factors
from sim.forecast.models import ForecasterName, make_forecaster
from sim.scenario.calendar import HourlyRosterSpec, day_types
from sim.scenario.errors import ScenarioError, did_you_mean
from sim.scenario.schema import Scenario
from sim.scenario.units import parse_duration
from sim.staffing.queueing import ServiceTimes, WaitTarget, hourly_counts
from sim.staffing.shifts import HOURS, PlannedShift, cover, roster_entries

TargetKind = Literal["on_time", "mean_wait"]
TARGETS: tuple[str, ...] = get_args(TargetKind)
Resource = Literal["pickers", "couriers"]
MIN_ORDERS = 0.5
"""Hours forecast below this many orders get no staff: a Poisson-loss model never says
exactly 0, and a night hour with a stray 0.1 orders is not worth a shift (an order that
does come waits for the morning's)."""


@dataclass(frozen=True)
class Target:
    """A staffing target as given on the command line (``on_time=0.95``)."""

    kind: TargetKind
    value: float

    @classmethod
    def parse(cls, text: str) -> Target:
        """``KPI=VALUE``; an unknown KPI or a value out of range is a one-line error."""
        key, sep, raw = text.partition("=")
        key = key.strip()
        if not sep:
            raise ScenarioError(f"expected KPI=VALUE (e.g. on_time=0.95), got '{text}'",
                                ("--target",))
        if key not in TARGETS:
            raise ScenarioError(f"unknown target KPI '{key}'" + did_you_mean(key, list(TARGETS))
                                + f"; targets: {', '.join(TARGETS)}", ("--target",))
        try:
            value = float(raw) if key == "on_time" else parse_duration(raw.strip())
        except ValueError as exc:
            raise ScenarioError(f"{key}: {exc}", ("--target",)) from None
        if key == "on_time" and not 0.0 < value < 1.0:
            raise ScenarioError(f"on_time must lie between 0 and 1 (got {raw})", ("--target",))
        if key == "mean_wait" and value <= 0:
            raise ScenarioError(f"mean_wait must be > 0 (got {raw})", ("--target",))
        return cls(key, value)  # type: ignore[arg-type]

    def wait_target(self, window: float, service: ServiceTimes) -> WaitTarget:
        """What each queue (pickers, couriers) must achieve for this target."""
        if self.kind == "mean_wait":
            return WaitTarget(mean_wait=self.value)
        budget = window - service.pick - service.door
        if budget <= 0:
            raise ScenarioError(
                f"the promise window ({window / 60:g} min) leaves no time to wait after the "
                f"measured pick ({service.pick / 60:.1f} min) and door leg "
                f"({service.door / 60:.1f} min)", ("--target",))
        return WaitTarget(within=budget / 2, within_share=math.sqrt(self.value))


@dataclass(frozen=True)
class StaffPlan:
    """One resource of one store on the days of one day type."""

    store: str
    resource: Resource
    day_type: str
    need: list[int]
    shifts: list[PlannedShift]

    @property
    def paid_hours(self) -> int:
        """Staff-hours paid per day."""
        return sum(s.count * s.paid_hours for s in self.shifts)


@dataclass
class Plan:
    """Every store's picker and courier plans, the figures they came from and the
    overrides that put them into the scenario."""

    forecaster: str
    service: ServiceTimes
    plans: list[StaffPlan] = field(default_factory=list)
    overrides: dict[str, object] = field(default_factory=dict)

    def set_args(self) -> list[str]:
        """The overrides as ``--set PATH=VALUE`` arguments (flow-style YAML values)."""
        import yaml

        return [f"{k}={yaml.safe_dump(v, default_flow_style=True, width=10_000).strip()}"
                for k, v in self.overrides.items()]


def _roster_value(shifts: Sequence[PlannedShift]) -> object:
    """Planned shifts as a roster value (hourly zeros when nobody is needed)."""
    entries = roster_entries(shifts)
    return entries if entries else {"hourly": [0] * HOURS}


def plan_days(scenario: Scenario, history: DemandHistory) -> list[tuple[int, int, str]]:
    """``(day index, weekday, day type)`` of each of the scenario's days, numbered on
    after the history's last day."""
    last = history.days[-1]
    types = list(day_types(scenario))[: scenario.run.days] or ["default"] * scenario.run.days
    date = scenario.run.date
    out = []
    for d in range(1, scenario.run.days + 1):
        index = last + d
        weekday = ((date.weekday() + d - 1) % 7) if date is not None else (index - 1) % 7
        out.append((index, weekday, types[d - 1]))
    return out


def make_plan(scenario: Scenario, history_dirs: Sequence[str | Path], target: Target,
              forecaster: str | None = None, quantile: float | None = None,
              lengths: Sequence[int] = (4, 6, 8), break_after: int | None = None,
              min_pickers: int = 1, min_couriers: int = 1) -> Plan:
    """The least-cost roster for ``target`` on the scenario's days (see the module)."""
    history = load_history(history_dirs)
    service = ServiceTimes.measure(history_dirs)
    missing = [s.name for s in scenario.stores if s.name not in history.stores]
    if missing:
        raise ScenarioError(f"the history has no store '{missing[0]}' (its stores: "
                            f"{', '.join(history.stores)})", ("--history",))
    name: ForecasterName | str = forecaster or ("gbm" if len(history.days) >= 3
                                                else "seasonal_naive")
    model = make_forecaster(name)
    if quantile is not None and not 0.0 < quantile < 1.0:
        raise ScenarioError(f"must lie between 0 and 1 (got {quantile:g})", ("--quantile",))
    model.fit(history)
    days = plan_days(scenario, history)
    rows = future_rows([s.name for s in scenario.stores], days,
                       weather_factors(scenario, len(days)))
    pred = model.predict(rows, [quantile] if quantile is not None else [])
    demand = pred.quantiles[quantile] if quantile is not None else pred.mean
    demand = np.where(demand < MIN_ORDERS, 0.0, demand)
    window = _window(scenario)
    wait = target.wait_target(window, service)
    plan = Plan(model.name, service)
    first_type = days[0][2]
    for i, store in enumerate(scenario.stores):
        for resource, service_s, minimum in (("pickers", service.pick, min_pickers),
                                             ("couriers", service.courier, min_couriers)):
            by_type: dict[str, list[int]] = {}
            for d, _, dtype in days:
                mask = ((rows["store"] == store.name) & (rows["day"] == d)).to_numpy()
                need = hourly_counts(np.asarray(demand)[mask].tolist(), service_s, wait)
                prev = by_type.get(dtype, [0] * HOURS)
                by_type[dtype] = [max(a, b) for a, b in zip(prev, need, strict=True)]
            for dtype, need in by_type.items():
                shifts = cover(need, lengths, minimum, break_after, wrap=len(by_type) == 1)
                sp = StaffPlan(store.name, resource, dtype, need, shifts)  # type: ignore[arg-type]
                plan.plans.append(sp)
                value = _roster_value(shifts)
                if dtype == first_type:
                    if resource == "pickers":
                        plan.overrides[f"stores[{i}].pickers"] = value
                    else:  # the whole fleet list, its first fleet's count replaced
                        fleets = [f.model_dump(mode="json") for f in store.fleets]
                        fleets[0]["count"] = value
                        plan.overrides[f"stores[{i}].couriers"] = fleets
                else:
                    key = f"calendar.day_types.{dtype}.rosters"
                    entries = plan.overrides.setdefault(key, [])
                    assert isinstance(entries, list)
                    entries.append({"node": store.name, "resource": resource,
                                    "roster": value})
    return plan


def _window(scenario: Scenario) -> float:
    """The promise window in seconds (the target's time budget)."""
    window = getattr(scenario.promise, "window", None)
    if window is None:
        raise ScenarioError("an on_time target needs a promise with a window", ("--target",))
    return float(window)


def staffed_hours(roster: object) -> float:
    """Staff-hours per day of a roster as a scenario holds it (count, shifts, hourly)."""
    if isinstance(roster, int):
        return roster * 24.0
    if isinstance(roster, HourlyRosterSpec):
        return float(sum(roster.hourly))
    if isinstance(roster, list):
        return float(sum(s.count * s.length for s in roster)) / 3600.0
    return 0.0


def current_hours(scenario: Scenario) -> tuple[float, float]:
    """Picker- and courier-hours per day of the scenario's own rosters (first fleets)."""
    return (sum(staffed_hours(s.pickers) for s in scenario.stores),
            sum(staffed_hours(s.fleets[0].count) for s in scenario.stores))

