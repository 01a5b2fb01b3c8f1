"""Size limits: what a scenario asks for is estimated and refused before memory is spent.

A few characters can ask for more than any machine holds: ``city.network.block: 1m``
over an 8 km city is a 64-million-node road grid, ``catalog.skus: 1e9`` a billion-row
stock table, ``orders_per_day: 1e12`` more orders than memory. Without a check the run
allocates until the operating system kills it, with no message and no ``error.txt``.

:func:`check_limits` estimates each size from the validated scenario (cheap arithmetic,
nothing is built) and raises a :class:`ScenarioError` naming the field that asks for it
when an estimate exceeds its limit. The limits sit far above the shipped scenarios (the
largest of which uses well under 5 % of any of them) and below what exhausts a machine
with a few GB of memory. A study that really needs more raises a limit in the scenario's
``limits:`` section (``--set limits.orders=5e6`` works too). The limits live in the
scenario rather than on the command line so that a resolved scenario, an experiment's
runs and the Python API all check the same numbers, and a run's folder records them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import BeforeValidator, Field

from sim.scenario.base import Spec
from sim.scenario.calendar import roster_peak
from sim.scenario.demand import BasketSpec
from sim.scenario.errors import Loc, ScenarioError
from sim.scenario.events import SurgeEventSpec, WeatherEventSpec, event_window
from sim.scenario.units import whole_number

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

Limit = Annotated[int, Field(ge=1), BeforeValidator(whole_number)]
DAY = 86400.0


class LimitsSpec(Spec):
    """Largest sizes a scenario may ask for; each is estimated before the run is built."""

    network_nodes: Limit = Field(
        250_000, description="Nodes of a grid road network ((width / block + 1) x (height / "
        "block + 1)).")
    skus: Limit = Field(1_000_000, description="SKUs in the catalogue (`catalog.skus`).")
    stock_entries: Limit = Field(
        20_000_000, description="SKU stock entries: SKUs x (stores + warehouses), plus "
        "the pod slots of every warehouse (pods x `pods.skus_per_pod`).")
    orders: Limit = Field(
        2_000_000, description="Expected orders and walk-in shoppers over the run "
        "(online, walk-in, parcel).")
    order_lines: Limit = Field(
        20_000_000, description="Expected basket lines of those orders.")
    warehouse_cells: Limit = Field(
        2_000_000, description="1 m cells of a generated warehouse layout.")
    agents: Limit = Field(
        200_000, description="Couriers, pickers and robots together.")
    days: Limit = Field(
        400, description="Simulated days (`run.duration` + `run.drain`).")


def _fmt(n: float) -> str:
    return f"{n:,.0f}" if n < 1e15 else f"{n:.3g}"


def _refuse(what: str, estimate: float, limit: int, name: str, where: Loc,
            advice: str) -> None:
    if estimate > limit:
        raise ScenarioError(
            f"asks for {_fmt(estimate)} {what}, more than limits.{name} ({limit:,}); "
            f"{advice}, or raise limits.{name}", where)


def _mean_lines(basket: BasketSpec) -> float:
    """Expected lines of a basket (at least one)."""
    return max(1.0, basket.lines.exact_mean)


def _calendar_boost(sc: Scenario) -> tuple[float, float]:
    """Upper bounds on how much the calendar and the events multiply the expected online
    orders and walk-in shoppers over the run (1 without them): the busiest day type's
    factor over the whole run, plus every surge or weather window at the product of all
    their factors, at the busiest hour's rate. Crude, but a factor of 1e300 is caught
    before a single arrival is drawn."""
    day_online, day_walkin = _day_factors(sc)
    online_f, walkin_f, hours = 1.0, 1.0, 0.0
    for event in sc.events:
        online = _event_factors(event)
        if online is None:
            continue
        try:
            start, end = event_window(event, sc.run)
        except ScenarioError:  # check_events names the field
            continue
        hours += max(0.0, end - start) / 3600
        online_f *= max(1.0, *online[0])
        walkin_f *= max(1.0, online[1])
    run_hours = max((sc.run.end - sc.run.start) / 3600, 1e-9)
    share = min(hours, run_hours) / run_hours
    walkin = sc.demand.walkin
    return (max(1.0, day_online) * (1 + share * _peak(sc.demand.online.profile)
                                    * (online_f - 1)),
            max(1.0, day_walkin) * (1 + share * _peak(walkin.profile if walkin else None)
                                    * (walkin_f - 1)))


def _peak(profile: list[float] | None) -> float:
    """The busiest hour's rate over the day's mean rate (24: all in one hour)."""
    if not profile or sum(profile) <= 0:
        return 24.0
    return 24 * max(profile) / sum(profile)


def _day_factors(sc: Scenario) -> tuple[float, float]:
    """The busiest day type's online and walk-in factors (1 without a calendar)."""
    if sc.calendar is None:
        return 1.0, 1.0
    types = sc.calendar.day_types.values()
    return (max((t.online for t in types), default=1.0),
            max((t.walkins for t in types), default=1.0))


def _event_factors(event: object) -> tuple[list[float], float] | None:
    """The online factors (the flat one and any hourly ones) and the walk-in factor of a
    surge or weather event; None for the other kinds."""
    if isinstance(event, SurgeEventSpec):
        return [event.online, *(event.profile or ())], event.walkin
    if isinstance(event, WeatherEventSpec):
        return [event.online], event.walkin
    return None


def check_limits(sc: Scenario) -> None:
    """Raise a :class:`ScenarioError` if any estimated size of ``sc`` exceeds its limit."""
    lim = sc.limits
    days = (sc.run.duration + sc.run.drain) / DAY
    _refuse("simulated days", days, lim.days, "days", ("run", "duration"),
            "shorten the run")
    net = sc.city.network
    if net.kind == "grid":
        nodes = (sc.city.width // net.block + 1) * (sc.city.height // net.block + 1)
        _refuse("road grid nodes", nodes, lim.network_nodes, "network_nodes",
                ("city", "network", "block"), "use a longer block")
    skus = sc.catalog.skus
    _refuse("SKUs", skus, lim.skus, "skus", ("catalog", "skus"),
            "use fewer SKUs")
    run_days = (sc.run.end - sc.run.start) / DAY
    online = sc.demand.online
    online_boost, walkin_boost = _calendar_boost(sc)
    orders = online.orders_per_day * run_days * online_boost
    lines = orders * min(_mean_lines(online.basket), skus)
    where_orders: Loc = ("demand", "online", "orders_per_day")
    plain = online.orders_per_day * run_days
    if plain <= lim.orders < orders:  # the calendar's day factors or the events do it
        by_days = plain * _day_factors(sc)[0]
        where_orders = ("calendar", "day_types") if by_days > lim.orders else ("events",)
    _refuse("expected online orders", orders, lim.orders, "orders", where_orders,
            "lower the rate, the demand factors or the run's length")
    walkin_lines = _mean_lines(sc.demand.walkin.basket) if sc.demand.walkin else 1.0
    agents = 0

    def crew(count: int, where: Loc) -> None:
        nonlocal agents
        agents += count
        _refuse("couriers, pickers and robots", agents, lim.agents, "agents", where,
                "use fewer")

    for i, store in enumerate(sc.stores):
        shoppers = store.walkins_per_day * run_days * walkin_boost
        orders += shoppers
        lines += shoppers * min(walkin_lines, skus)
        _refuse("expected orders and walk-in shoppers", orders, lim.orders, "orders",
                ("stores", i, "walkins_per_day"), "lower the rate or shorten the run")
        crew(roster_peak(store.pickers), ("stores", i, "pickers"))
        for k, fleet in enumerate(store.fleets):
            crew(roster_peak(fleet.count), ("stores", i, "couriers", *((k,) if len(store.fleets) > 1
                                                          else ()), "count"))
    slots = skus * (len(sc.stores) + len(sc.warehouses))
    for i, wh in enumerate(sc.warehouses):
        where: Loc = ("warehouses", i)
        if wh.parcels is not None:
            parcels = wh.parcels.orders_per_day * run_days
            orders += parcels
            lines += parcels * min(_mean_lines(wh.parcels.basket), skus)
            _refuse("expected orders", orders, lim.orders, "orders",
                    (*where, "parcels", "orders_per_day"), "lower the rate or shorten the run")
        crew(wh.robots.count, (*where, "robots", "count"))
        crew(roster_peak(wh.couriers.count), (*where, "couriers", "count"))
        layout = wh.layout
        if layout.kind == "generated":
            (bx, by), (nbx, nby) = layout.block, layout.blocks
            margin = 2 * layout.lane  # station bays and chargers outside the ring
            cells = (nbx * (bx + 1) + 1 + margin) * (nby * (by + 1) + 1 + margin)
            _refuse("layout cells", cells, lim.warehouse_cells, "warehouse_cells",
                    (*where, "layout", "blocks"), "use fewer or smaller blocks")
            pods = nbx * nby * bx * by
        elif layout.text is not None:  # a map written inline: one character per cell
            pods = layout.text.count("p")
        else:  # a map file: not read here (referenced files are checked where they load)
            pods = 0
        slots += pods * wh.pods.skus_per_pod
        _refuse("SKU stock entries (with the pod slots)", slots, lim.stock_entries,
                "stock_entries", (*where, "pods", "skus_per_pod"),
                "use fewer SKUs per pod or fewer pods")
    _refuse("SKU stock entries", slots, lim.stock_entries, "stock_entries",
            ("catalog", "skus"), "use fewer SKUs")
    _refuse("expected basket lines", lines, lim.order_lines, "order_lines",
            ("demand", "online", "basket", "lines"), "use smaller baskets or fewer orders")
