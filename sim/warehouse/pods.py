"""Pods, the SKUs on them, and the storage spots they stand on.

Every SKU of the catalogue gets pod slots in proportion to its popularity (at least one
each), every slot ``units_per_slot`` units. ``random`` assignment deals the slots to pods
at random and places pods on random spots; ``class`` assignment fills pods with SKUs in
popularity order, so class-A pods hold the fast movers, and puts the highest-scoring
pods on the spots nearest the stations (the zones of the ``classes`` shares).

:class:`Storage` keeps what is where: the pod and robot on each spot, pods on the way to
a spot, units on hand and available (on hand minus units promised to accepted orders),
and for each SKU the pods that hold it.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.random import Generator

from sim.demand.catalog import Basket
from sim.scenario.errors import Loc, ScenarioError
from sim.scenario.warehouse import PodSpec


@dataclass(slots=True, eq=False)
class Pod:
    """A mobile rack: units per SKU, where it stands, and the visit it is on."""

    id: int
    units: dict[int, int]
    spot: int = -1  # index of its storage spot, -1 while a robot carries it
    home: int = -1  # its spot at the start (the `original` return policy keeps it)
    cls: int = 0  # popularity class (0 = A)
    visit: Any = None  # the visit it is committed to, if any
    claimed: dict[int, int] = field(default_factory=dict)  # units claimed by that visit


def slot_counts(popularity: np.ndarray, slots: int) -> list[int]:
    """Slots per SKU: one each, the rest by popularity (largest remainder, exact total)."""
    n = len(popularity)
    extra = slots - n
    share = popularity / popularity.sum() * extra
    base = np.floor(share).astype(int)
    left = extra - int(base.sum())
    order = np.argsort(-(share - base), kind="stable")[:left]
    base[order] += 1
    return (base + 1).tolist()


def class_of(rank: int, total: int, shares: Sequence[float]) -> int:
    """The class of the item ranked ``rank`` (0 first) of ``total`` given class shares."""
    cum = 0.0
    for k, s in enumerate(shares):
        cum += s
        if rank < cum * total - 1e-9:
            return k
    return len(shares) - 1


class Storage:
    """Spots, pods and inventory of one warehouse."""

    def __init__(self, spot_cells: list[int], pods: list[Pod], skus: int,
                 zones: list[int]) -> None:
        self.spot_cells = spot_cells
        self.spot_of_cell = {c: i for i, c in enumerate(spot_cells)}
        self.pod_at: list[Pod | None] = [None] * len(spot_cells)
        self.robot_at: list[Any] = [None] * len(spot_cells)
        self.incoming: list[bool] = [False] * len(spot_cells)
        self.zone = zones
        self.pods = pods
        self.on_hand = [0] * skus
        self.sku_pods: list[list[Pod]] = [[] for _ in range(skus)]
        for pod in pods:
            self.pod_at[pod.spot] = pod
            for sku, units in pod.units.items():
                self.on_hand[sku] += units
                self.sku_pods[sku].append(pod)
        self.available = list(self.on_hand)
        self.on_free: list[Callable[[int], None]] = []

    def check_free(self, spot: int) -> None:
        """Tell the listeners if ``spot`` has just become free."""
        if self.free_spot(spot):
            for fn in self.on_free:
                fn(spot)

    # ------------------------------------------------------------ inventory

    def has(self, basket: Basket) -> bool:
        """True when every line of ``basket`` is available in full."""
        av = self.available
        return all(0 <= sku < len(av) and av[sku] >= qty for sku, qty in basket)

    def reserve(self, lines: Sequence[tuple[int, int]]) -> None:
        """Promise units to an accepted order (the caller checked availability)."""
        for sku, qty in lines:
            self.available[sku] -= qty
            if self.available[sku] < 0:
                raise RuntimeError(f"reserved {qty} of SKU {sku} beyond availability")

    def take(self, pod: Pod, sku: int, units: int) -> None:
        """Pick ``units`` of ``sku`` off ``pod`` (they were reserved)."""
        left = pod.units[sku] - units
        if left < 0:
            raise RuntimeError(f"pod {pod.id}: picking {units} of SKU {sku} with "
                               f"{pod.units[sku]} on it")
        self.on_hand[sku] -= units
        if left == 0:
            del pod.units[sku]
            self.sku_pods[sku].remove(pod)
        else:
            pod.units[sku] = left

    def free_spot(self, spot: int) -> bool:
        """True when a pod may be returned to ``spot``."""
        return self.pod_at[spot] is None and self.robot_at[spot] is None \
            and not self.incoming[spot]


class StockView:
    """A warehouse's stock as policies that compare nodes read it (like a store's shelf
    stock): units ``available(sku)`` (on hand, not promised), the expected ``daily``
    demand per SKU, and ``unlimited`` (never)."""

    unlimited = False

    def __init__(self, storage: Storage, daily: list[float]) -> None:
        self._storage = storage
        self.daily = daily
        self.size = len(daily)

    def available(self, sku: int) -> int:
        """Units of ``sku`` on hand and not promised to an accepted order."""
        return self._storage.available[sku]

    def has(self, basket: Basket) -> bool:
        """True when every line of ``basket`` is available in full."""
        return self._storage.has(basket)


class NearestFree:
    """The first free spot in each of several fixed orders (spots by distance from a
    station, say).

    Each order has a frontier: a heap holds the ranks of free spots before it, and the
    spots beyond it are scanned only when the heap has no free spot left (the frontier
    then moves out past the next free spots found). A spot that becomes free before an
    order's frontier is pushed onto its heap; spots no longer free are popped lazily.
    Returns go to spots near the stations, so frontiers stay near and heaps small.
    """

    BATCH = 16  # free spots taken in per scan beyond the frontier

    def __init__(self, storage: Storage, orders: Sequence[np.ndarray]) -> None:
        self.storage = storage
        n = len(storage.spot_cells)
        self.orders = [array("i", np.asarray(o, dtype=np.int32).tobytes()) for o in orders]
        # rank of each spot in each order (-1: not listed), one row per spot
        self.ranks = np.full((n, len(orders)), -1, dtype=np.int32)
        for k, o in enumerate(orders):
            o = np.asarray(o, dtype=np.int64)
            self.ranks[o, k] = np.arange(len(o), dtype=np.int32)
        self.heaps: list[list[int]] = [[] for _ in self.orders]
        self.frontier = np.zeros(len(self.orders), dtype=np.int32)
        storage.on_free.append(self.freed)

    def first(self, k: int) -> int:
        """The first free spot of order ``k``, or -1."""
        heap, order, free = self.heaps[k], self.orders[k], self.storage.free_spot
        while True:
            while heap:
                spot = order[heap[0]]
                if free(spot):
                    return spot
                heapq.heappop(heap)
            p, n = int(self.frontier[k]), len(order)
            if p >= n:
                return -1
            found = 0
            while p < n and found < self.BATCH:
                if free(order[p]):
                    heap.append(p)  # increasing ranks: still a heap
                    found += 1
                p += 1
            self.frontier[k] = p

    def freed(self, spot: int) -> None:
        """``spot`` became free: push it onto the orders whose frontier is past it."""
        row = self.ranks[spot]
        hit = np.flatnonzero((row >= 0) & (row < self.frontier))
        if hit.size:
            heaps = self.heaps
            for k, r in zip(hit.tolist(), row[hit].tolist(), strict=True):
                heapq.heappush(heaps[k], r)


def build_pods(spec: PodSpec, spot_cells: list[int], pod_spots: list[int],
               spot_rank: np.ndarray, popularity: np.ndarray, rng: Generator,
               where: Loc) -> Storage:
    """Pods on ``pod_spots`` (spot indices) stocked with the catalogue.

    ``spot_rank`` orders all spots by nearness to the stations (rank 0 nearest).
    """
    n_pods, skus = len(pod_spots), len(popularity)
    slots = n_pods * spec.skus_per_pod
    if slots < skus:
        raise ScenarioError(
            f"{n_pods} pods x {spec.skus_per_pod} SKUs per pod = {slots} slots cannot hold "
            f"the catalogue's {skus} SKUs: add pods, slots per pod, or use fewer SKUs",
            (*where, "pods", "skus_per_pod"))
    counts = slot_counts(popularity, slots)
    slot_skus = np.repeat(np.arange(skus), counts)  # SKUs in popularity order
    n_spots = len(spot_cells)
    rank_of = np.empty(n_spots, dtype=np.int64)
    rank_of[spot_rank] = np.arange(n_spots)
    zones = [class_of(int(r), n_spots, spec.classes) for r in rank_of]
    if spec.assignment == "random":
        slot_skus = rng.permutation(slot_skus)
        placed = list(rng.permutation(np.asarray(pod_spots)).tolist())
    else:
        # pods in popularity order take the chosen spots nearest the stations first
        placed = sorted(pod_spots, key=lambda s: (rank_of[s], s))
    k = spec.skus_per_pod
    pods: list[Pod] = []
    for i in range(n_pods):
        units: dict[int, int] = {}
        for sku in slot_skus[i * k:(i + 1) * k].tolist():
            units[sku] = units.get(sku, 0) + spec.units_per_slot
        spot = int(placed[i])
        pods.append(Pod(i, units, spot=spot, home=spot))
    # popularity class of each pod: by its share of demand (rank among pods)
    score = np.array([sum(float(popularity[s]) * u for s, u in p.units.items()) for p in pods])
    order = np.argsort(-score, kind="stable")
    for r, i in enumerate(order.tolist()):
        pods[i].cls = class_of(r, n_pods, spec.classes)
    return Storage(spot_cells, pods, skus, zones)


def choose_pod_spots(n_spots: int, pods_at_start: list[bool] | None, fill: float,
                     rng: Generator, where: Loc) -> list[int]:
    """Indices of the spots that hold a pod at the start."""
    if pods_at_start is not None:
        chosen = [i for i, has in enumerate(pods_at_start) if has]
    else:
        n = max(1, min(n_spots, round(fill * n_spots)))
        chosen = sorted(rng.choice(n_spots, size=n, replace=False).tolist())
    if not chosen:
        raise ScenarioError("the layout has no pod ('p' cells)", where)
    return chosen

