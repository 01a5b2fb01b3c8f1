"""Hourly demand per store from earlier runs' ``orders.csv``, with calendar features.

A :class:`DemandHistory` is one row per (store, day, clock hour) of the days the runs
cover: the online orders created at that store in that hour (``orders``), and the
features a forecaster may use: the day's index (``day``, counting on across the runs in
the order given), its clock ``hour``, its ``weekday`` (0 is Monday; from ``run.date``, or
the day index modulo 7 when the run has no date), its calendar ``day_type`` (the
scenario's day type, ``default`` without a calendar) and ``weather``: the online demand
factor of the scenario's weather events in that hour (1 without any; an event covering
part of the hour counts for that part), known ahead as a weather forecast would be.
Hours without orders are rows with 0 orders, so every store has all 24 hours of every
day.

An order counts at the store it was assigned to (``node``); an order refused before a
store took it (no store had the basket in stock, ...) counts at the nearest store in a
straight line if that store lies within the promise radius, else it is left out: the
history measures the demand that asked for each store's area, not only what it sold. The last
day of a run is kept only if its 24 hours lie inside the arrival window (a drain after
midnight is not a day of demand).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.scenario.calendar import DAY, day_types
from sim.scenario.errors import ScenarioError
from sim.scenario.events import WeatherEventSpec, event_window
from sim.scenario.schema import Scenario

HOURS = 24
RESOLVED = "scenario.resolved.yaml"
"""The resolved scenario a run folder holds (:data:`sim.runfolder.RESOLVED`; this
package sits below the run folders and names the file itself)."""
FEATURES = ("store", "day", "hour", "weekday", "day_type", "weather")
"""Columns of a history that describe a row (the rest is the target ``orders``)."""


@dataclass(frozen=True)
class DemandHistory:
    """Orders per store and clock hour over whole days, with their features.

    ``frame`` has the columns of :data:`FEATURES` and ``orders``, sorted by store, day
    and hour; ``stores`` lists the stores in the scenario's order."""

    frame: pd.DataFrame
    stores: tuple[str, ...]

    @property
    def days(self) -> list[int]:
        """The day indices the history holds, in order."""
        return sorted(int(d) for d in self.frame["day"].unique())

    def split(self, held_out: Sequence[int]) -> tuple[DemandHistory, pd.DataFrame]:
        """The history without the days ``held_out`` (to fit on) and those days' rows
        (to score a forecast against)."""
        mask = self.frame["day"].isin(list(held_out))
        return (DemandHistory(self.frame[~mask].reset_index(drop=True), self.stores),
                self.frame[mask].reset_index(drop=True))

    def series(self, store: str) -> np.ndarray:
        """A store's orders hour by hour, day after day (length 24 x days)."""
        rows = self.frame[self.frame["store"] == store]
        return rows["orders"].to_numpy(dtype=float)


def weather_factors(scenario: Scenario, days: int) -> np.ndarray:
    """The online demand factor of the weather events in each clock hour of the first
    ``days`` days (shape ``days x 24``; 1 where no weather event is on)."""
    out = np.ones((days, HOURS))
    for event in scenario.events:
        if not isinstance(event, WeatherEventSpec) or event.online == 1.0:
            continue
        start, end = event_window(event, scenario.run)
        for k in range(days * HOURS):
            a, b = k * 3600.0, (k + 1) * 3600.0
            share = max(0.0, min(b, end) - max(a, start)) / 3600.0
            if share > 0:
                out[k // HOURS, k % HOURS] *= 1.0 + share * (event.online - 1.0)
    return out


def _run_days(folder: Path) -> tuple[pd.DataFrame, list[str], list[str], _dt.date | None,
                                     np.ndarray]:
    """One run folder: its orders, stores, day types of its whole days and run.date."""
    from sim.scenario.loading import read_scenario

    orders_path, resolved = folder / "orders.csv", folder / RESOLVED
    for path in (orders_path, resolved):
        if not path.is_file():
            raise ScenarioError(f"{folder} is not a run folder (no {path.name})", ("--history",))
    scenario = read_scenario(resolved)
    orders = pd.read_csv(orders_path, usecols=["created", "x", "y", "node"])
    names = [s.name for s in scenario.stores]
    loc = np.array([[s.location[0], s.location[1]] for s in scenario.stores], dtype=float)
    lost = orders["node"].isna().to_numpy()
    if lost.any():
        xy = orders.loc[lost, ["x", "y"]].to_numpy(dtype=float)
        dist = np.hypot(xy[:, None, 0] - loc[None, :, 0], xy[:, None, 1] - loc[None, :, 1])
        near = dist.argmin(axis=1)
        inside = dist[np.arange(len(near)), near] <= scenario.promise.radius
        nearest = np.array(names, dtype=object)[near]
        orders["node"] = orders["node"].astype(object)
        orders.loc[orders.index[lost], "node"] = pd.Series(
            np.where(inside, nearest, None), index=orders.index[lost])
    end = scenario.run.end
    whole = int(end // DAY)  # days whose 24 hours lie inside the arrival window
    if whole < 1:
        raise ScenarioError(f"{folder}: the run covers no whole day of arrivals (from "
                            "00:00 to 24:00); a forecast learns from whole days", ("--history",))
    types = list(day_types(scenario)) or ["default"] * whole
    return orders, names, types[:whole], scenario.run.date, weather_factors(scenario, whole)


def load_history(folders: Sequence[str | Path]) -> DemandHistory:
    """The hourly demand of the runs in ``folders``, their days numbered on in the order
    given (a run's day 1 follows the previous run's last day). Refused with a one-line
    error (exit 2) when no folder is given, one is not a run folder or the runs hold no
    orders."""
    if not folders:
        raise ScenarioError("no run folders given: the forecast needs at least one earlier "
                            "run's orders.csv", ("--history",))
    parts: list[pd.DataFrame] = []
    stores: list[str] = []
    offset = 0
    for folder in folders:
        orders, names, types, date, weather = _run_days(Path(folder))
        for s in names:
            if s not in stores:
                stores.append(s)
        n = len(types)
        known = orders[orders["node"].isin(names)]
        day = (known["created"] // DAY).astype(int)
        hour = ((known["created"] % DAY) // 3600).astype(int)
        inside = day < n
        counts = (pd.DataFrame({"store": known["node"][inside], "day": day[inside],
                                "hour": hour[inside]})
                  .value_counts().rename("orders"))
        grid = pd.MultiIndex.from_product([names, range(n), range(HOURS)],
                                          names=["store", "day", "hour"])
        frame = counts.reindex(grid, fill_value=0).reset_index()
        frame["weekday"] = [((date + _dt.timedelta(days=int(d))).weekday() if date
                             else int(d + offset) % 7) for d in frame["day"]]
        frame["day_type"] = [types[int(d)] for d in frame["day"]]
        frame["weather"] = weather[frame["day"].to_numpy(), frame["hour"].to_numpy()]
        frame["day"] = frame["day"] + offset + 1
        parts.append(frame)
        offset += n
    frame = pd.concat(parts, ignore_index=True)
    if int(frame["orders"].sum()) == 0:
        raise ScenarioError("the runs hold no orders assigned to a store: nothing to "
                            "forecast from", ("--history",))
    frame["orders"] = frame["orders"].astype(float)
    frame = frame[[*FEATURES, "orders"]]
    order = {s: i for i, s in enumerate(stores)}
    frame = frame.sort_values(["store", "day", "hour"], key=lambda c: c.map(order)
                              if c.name == "store" else c, kind="stable")
    return DemandHistory(frame.reset_index(drop=True), tuple(stores))


def future_rows(stores: Sequence[str], days: Sequence[tuple[int, int, str]],
                weather: np.ndarray | None = None) -> pd.DataFrame:
    """Feature rows of days to forecast: every store x hour of each ``(day, weekday,
    day_type)`` given, with ``weather[i, hour]`` the weather factor of the i-th day
    (default 1; ``orders`` is left out)."""
    w = np.ones((len(days), HOURS)) if weather is None else weather
    rows = [(s, d, h, wd, t, float(w[i, h])) for s in stores
            for i, (d, wd, t) in enumerate(days) for h in range(HOURS)]
    return pd.DataFrame(rows, columns=list(FEATURES))
