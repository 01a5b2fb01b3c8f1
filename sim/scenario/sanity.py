"""Warnings about scenarios that are valid but cannot deliver anything.

A scenario can pass every field check and still be useless: a fleet of zero couriers
everywhere, or a promise shorter than the hand-over and drop-off of the fastest fleet
(``window: 30`` read as 30 seconds). Such a run reports an on-time rate of 0 without a
word; ``validate`` and ``run`` print these warnings on stderr instead (they do not stop
the run: a study may mean it).
"""

from __future__ import annotations

from sim.scenario.calendar import roster_peak
from sim.scenario.fleet import FleetSpec
from sim.scenario.schema import Scenario


def _minutes(seconds: float) -> str:
    return f"{seconds:g} s" if seconds < 60 else f"{seconds / 60:g} min"


def delivery_warnings(sc: Scenario) -> list[str]:
    """One line per reason the scenario cannot deliver any online order on time."""
    if sc.demand.online.orders_per_day <= 0:
        return []
    fleets: list[tuple[str, FleetSpec]] = [
        (f"stores[{i}].couriers", f) for i, s in enumerate(sc.stores) for f in s.fleets]
    fleets += [(f"warehouses[{i}].couriers", w.couriers) for i, w in enumerate(sc.warehouses)]
    on_duty = [(where, f) for where, f in fleets if roster_peak(f.count) > 0]
    out = []
    if not on_duty:
        out.append("no courier on duty anywhere (every fleet's count is 0): no online order "
                   "can be delivered")
        return out
    fastest = min(f.pickup_mean + f.dropoff_mean for _, f in on_duty)
    window = sc.promise.window
    if window < fastest:
        out.append(f"promise.window is {_minutes(window)}, shorter than the fastest possible "
                   f"delivery ({_minutes(fastest)} of pickup and drop-off time alone, "
                   "before picking and riding): no order can be on time; did you mean "
                   f"{window:g}min?")
    return out
