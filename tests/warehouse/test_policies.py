"""Warehouse decision rules on their own, without a warehouse run."""

from __future__ import annotations

from types import SimpleNamespace

from sim.scenario.warehouse import (
    EarliestDueSequence,
    FifoSequence,
    LeastLoadedStation,
    PodMatchStation,
)
from sim.warehouse.orders import Line, WhOrder
from sim.warehouse.policies import (
    SEQUENCE_POLICIES,
    LeastLoaded,
    PodMatch,
)


def order(lines: list[tuple[int, int]], created: float = 0.0, due: float = 0.0) -> WhOrder:
    """A warehouse order of ``(sku, units)`` lines."""
    wo = WhOrder(1, "online", created, due)
    wo.lines = [Line(wo, i, sku, q, q) for i, (sku, q) in enumerate(lines)]
    return wo


def station(index: int, open_units: int, pods: tuple[dict[int, int], ...] = ()) -> SimpleNamespace:
    """A station with ``open_units`` to pick and pods (units by SKU) on their way."""
    incoming = [SimpleNamespace(pod=SimpleNamespace(units=units, claimed={})) for units in pods]
    return SimpleNamespace(index=index, open_units=open_units, incoming=incoming)


def test_sequence_rules_sort_by_due_or_by_arrival():
    """Earliest-due sorts by due time, FIFO by creation time; both come from the registry
    with their own spec."""
    late_click_early_due = order([(0, 1)], created=100.0, due=200.0)
    edd = SEQUENCE_POLICIES["earliest_due"](None, EarliestDueSequence(policy="earliest_due"),
                                            None)
    fifo = SEQUENCE_POLICIES["fifo"](None, FifoSequence(policy="fifo"), None)
    assert edd.key(late_click_early_due) == 200.0
    assert fifo.key(late_click_early_due) == 100.0


def test_least_loaded_takes_the_fewest_open_units_then_the_lowest_index():
    """Ties on open units go to the lower station index."""
    rule = LeastLoaded(None, LeastLoadedStation(policy="least_loaded"), None)
    stations = [station(0, 9), station(1, 3), station(2, 3)]
    assert rule.choose(order([(0, 1)]), stations).index == 1


def test_pod_match_prefers_the_station_whose_incoming_pods_fill_the_lines():
    """A busier station wins when pods already coming to it hold the order's SKUs with
    units to spare; a pod without enough units does not count."""
    rule = PodMatch(None, PodMatchStation(policy="pod_match"), None)
    wo = order([(4, 2), (5, 1)])
    idle = station(0, 0)
    short = station(1, 5, ({4: 1},))
    match = station(2, 9, ({4: 3}, {5: 1}))
    assert rule.choose(wo, [idle, short, match]) is match
    assert rule.choose(wo, [idle, short]) is idle
