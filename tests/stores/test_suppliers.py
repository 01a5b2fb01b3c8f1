"""The distribution centre: lead times, truck departures and cut-offs, short lines."""

from __future__ import annotations

from sim.core.env import SimEnv
from sim.scenario.schema import DistributionCentreSpec
from sim.stores.suppliers import DistributionCentre


def dc(env: SimEnv, **fields) -> DistributionCentre:
    """A distribution centre with the given spec fields."""
    return DistributionCentre(env, "dc", DistributionCentreSpec(kind="dc", **fields))


def test_without_trucks_an_order_arrives_one_lead_time_later(tiny):
    """Each order leaves at once and arrives after the lead time with what was ordered."""
    env = SimEnv(tiny, 0)
    event = dc(env, lead_time="2h").ship("west", [(1, 5), (2, 3)])
    env.run(until=env.now + 7199)
    assert not event.triggered
    env.run(until=env.now + 2)
    assert event.value == [(1, 5), (2, 3)]


def test_orders_wait_for_the_next_truck_after_the_cutoff(tiny):
    """An order inside the cut-off misses that truck; orders on one truck arrive together."""
    env = SimEnv(tiny, 0)  # the tiny scenario starts at 10:00
    centre = dc(env, lead_time="1h", trucks=["10:20", "14:00"], cutoff="30min")
    late = centre.ship("west", [(1, 1)])          # 10:00 is inside 10:20's cut-off
    assert centre.next_departure(env.now + 1800) == 14 * 3600
    env.run(until=12 * 3600)
    same = centre.ship("west", [(2, 1)])          # 12:00: still the 14:00 truck
    other = centre.ship("east", [(3, 1)])         # another store: its own truck
    env.run(until=15 * 3600 - 1)
    assert not late.triggered and not same.triggered and not other.triggered
    env.run(until=15 * 3600 + 1)
    assert late.value == [(1, 1)] and same.value == [(2, 1)] and other.value == [(3, 1)]


def test_departures_wrap_to_the_next_day(tiny):
    """After the last truck of the day the next one is tomorrow's first."""
    env = SimEnv(tiny, 0)
    centre = dc(env, lead_time="1h", trucks=["05:00", "09:00"])
    assert centre.next_departure(9 * 3600 + 1) == 86400 + 5 * 3600


def test_line_fill_rate_ships_some_lines_not_at_all(tiny):
    """With a line fill rate below 1 some lines are missing; the others ship in full."""
    env = SimEnv(tiny, 3)
    centre = dc(env, lead_time="10min", line_fill_rate=0.5)
    lines = [(sku, 2) for sku in range(200)]
    event = centre.ship("west", lines)
    env.run(until=env.now + 601)
    got = event.value
    assert abs(len(got) - 100) <= 21  # 200 lines at fill 0.5: sd 7.07, within 3 sd
    assert all(q == 2 for _, q in got) and {s for s, _ in got} <= set(range(200))
