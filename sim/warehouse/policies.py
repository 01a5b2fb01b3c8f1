"""Decision rules of a robot warehouse, each a small class chosen by name.

Five decisions, five registries keyed by the ``policy`` tag of the rule's scenario entry
(a new rule is one spec class, one class here and one registry line; a test checks that
each registry covers exactly its schema union):

- ``sequence``: the order in which backlog orders take free station slots;
- ``order_station``: which station (with a free slot) an order goes to;
- ``pod_selection``: which pod a station gets next for its waiting lines;
- ``task_allocation``: which idle robot fetches that pod;
- ``pod_return``: which free storage spot the pod goes back to.

Rules read the warehouse through :class:`WarehouseView`, never change it, and break
ties by ids so runs are reproducible.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from sim.core.env import SimEnv
from sim.core.registry import narrow
from sim.scenario.warehouse import (
    ClassReturnSpec,
    EarliestDueSequence,
    FifoSequence,
    LeastLoadedStation,
    LongestIdleRobot,
    MostLinesPod,
    NearestIdleRobot,
    NearestPodSpec,
    NearestReturnSpec,
    OrderStationSpec,
    OriginalReturnSpec,
    PodMatchStation,
    PodReturnSpec,
    PodSelectionSpec,
    RandomStationSpec,
    SequenceSpec,
    TaskAllocationSpec,
)
from sim.warehouse.orders import WhOrder
from sim.warehouse.pods import NearestFree, Pod, Storage
from sim.warehouse.robots import IdleRobots, Robot
from sim.warehouse.stations import Station


class WarehouseView(Protocol):
    """What the rules may look at."""

    name: str
    storage: Storage
    stations: list[Station]
    to_station: list[array[int]]  # per station: moves from each spot into its lane
    from_station: list[array[int]]  # per station: moves from its pick cell to each spot
    return_order: list[npt.NDArray[np.int32]]  # spots by distance from each station, nearest first
    return_order_by_zone: list[list[npt.NDArray[np.int32]]]
    idle: IdleRobots

    def pod_available(self, pod: Pod) -> bool:
        """True when ``pod`` stands in storage, is not committed, and is not blocked by a
        robot that cannot take it."""
        ...


S = TypeVar("S")
P = TypeVar("P")

Rule = Callable[[SimEnv, S, WarehouseView], P]
"""A registry entry: builds the rule for its own spec class of the union ``S``."""


# --------------------------------------------------------------------------- sequence


class SequencePolicy(Protocol):
    """Sort key of backlog orders (smallest first)."""

    def key(self, order: WhOrder) -> float:
        """The order's key."""
        ...


class EarliestDue:
    """Orders due first go first: online 30-minute orders overtake parcels."""

    def __init__(self, env: SimEnv, spec: EarliestDueSequence, wh: WarehouseView) -> None:
        pass

    def key(self, order: WhOrder) -> float:
        return order.due


class Fifo:
    """First come, first served."""

    def __init__(self, env: SimEnv, spec: FifoSequence, wh: WarehouseView) -> None:
        pass

    def key(self, order: WhOrder) -> float:
        return order.created


SEQUENCE_POLICIES: dict[str, Rule[SequenceSpec, SequencePolicy]] = {
    "earliest_due": lambda env, spec, wh: EarliestDue(env, narrow(EarliestDueSequence, spec), wh),
    "fifo": lambda env, spec, wh: Fifo(env, narrow(FifoSequence, spec), wh),
}


# --------------------------------------------------------------------------- order to station


class OrderStationPolicy(Protocol):
    """Chooses the station an order goes to among those with a free slot."""

    def choose(self, order: WhOrder, stations: Sequence[Station]) -> Station:
        """One of ``stations`` (never empty)."""
        ...


class LeastLoaded:
    """The station with the fewest units still to pick (then the lowest index)."""

    def __init__(self, env: SimEnv, spec: LeastLoadedStation, wh: WarehouseView) -> None:
        pass

    def choose(self, order: WhOrder, stations: Sequence[Station]) -> Station:
        return min(stations, key=lambda s: (s.open_units, s.index))


class RandomStation:
    """A station drawn uniformly from its own random stream."""

    def __init__(self, env: SimEnv, spec: RandomStationSpec, wh: WarehouseView) -> None:
        self.rng = env.streams(f"warehouse/{wh.name}/order_station")

    def choose(self, order: WhOrder, stations: Sequence[Station]) -> Station:
        return stations[int(self.rng.integers(len(stations)))]


class PodMatch:
    """The station whose incoming pods hold most of the order's SKUs with units to spare
    (more pile-on), then the least loaded."""

    def __init__(self, env: SimEnv, spec: PodMatchStation, wh: WarehouseView) -> None:
        pass

    def choose(self, order: WhOrder, stations: Sequence[Station]) -> Station:
        def matches(s: Station) -> int:
            n = 0
            for line in order.lines:
                for visit in s.incoming:
                    pod = visit.pod
                    if pod.units.get(line.sku, 0) - pod.claimed.get(line.sku, 0) >= line.units:
                        n += 1
                        break
            return n

        return min(stations, key=lambda s: (-matches(s), s.open_units, s.index))


ORDER_STATION_POLICIES: dict[str, Rule[OrderStationSpec, OrderStationPolicy]] = {
    "least_loaded": lambda env, spec, wh: LeastLoaded(env, narrow(LeastLoadedStation, spec), wh),
    "random": lambda env, spec, wh: RandomStation(env, narrow(RandomStationSpec, spec), wh),
    "pod_match": lambda env, spec, wh: PodMatch(env, narrow(PodMatchStation, spec), wh),
}


# --------------------------------------------------------------------------- pod selection


class PodSelectionPolicy(Protocol):
    """Chooses the next pod for a station's waiting lines."""

    def choose(self, station: Station) -> Pod | None:
        """An available pod that fills at least one waiting line, or None."""
        ...


class _Candidates:
    """Available pods holding a SKU, at most ``limit`` per look, starting where the last
    look for that SKU stopped (so a popular SKU's many pods share the work)."""

    def __init__(self, wh: WarehouseView, limit: int) -> None:
        self.wh, self.limit = wh, limit
        self._cursor: dict[int, int] = {}

    def __call__(self, sku: int) -> list[Pod]:
        pods = self.wh.storage.sku_pods[sku]
        n = len(pods)
        if n == 0:
            return []
        start = self._cursor.get(sku, 0) % n
        out: list[Pod] = []
        available = self.wh.pod_available
        for k in range(n):
            pod = pods[(start + k) % n]
            if available(pod):
                out.append(pod)
                if len(out) == self.limit:
                    self._cursor[sku] = start + k + 1
                    return out
        return out


class MostLines:
    """The pod that fills most waiting lines, then the nearest, then the lowest id.

    Candidates are pods holding the SKUs of the ``oldest`` oldest waiting lines (so old
    lines are served), scored on every waiting line.
    """

    def __init__(self, env: SimEnv, spec: MostLinesPod, wh: WarehouseView) -> None:
        self.wh = wh
        self.candidates = _Candidates(wh, spec.candidates)
        self.oldest = spec.oldest

    def choose(self, station: Station) -> Pod | None:
        waiting: dict[int, int] = {}  # SKU -> waiting lines, oldest line first
        for line in station.waiting:
            waiting[line.sku] = waiting.get(line.sku, 0) + 1
        dist = self.wh.to_station[station.index]
        best: Pod | None = None
        best_key: tuple[int, int, int] | None = None
        seen: set[int] = set()
        keys = waiting.keys()
        for sku in list(waiting)[:self.oldest]:
            for pod in self.candidates(sku):
                if pod.id in seen:
                    continue
                seen.add(pod.id)
                common = pod.units.keys() & keys
                n = waiting[sku] if len(common) == 1 else sum(waiting[s] for s in common)
                key = (-n, dist[pod.spot], pod.id)
                if best_key is None or key < best_key:
                    best, best_key = pod, key
        return best


class NearestPod:
    """For the station's oldest waiting line, the nearest pod holding its SKU."""

    def __init__(self, env: SimEnv, spec: NearestPodSpec, wh: WarehouseView) -> None:
        self.wh = wh
        self.candidates = _Candidates(wh, spec.candidates)

    def choose(self, station: Station) -> Pod | None:
        dist = self.wh.to_station[station.index]
        for line in station.waiting:
            pods = self.candidates(line.sku)
            if pods:
                return min(pods, key=lambda p: (dist[p.spot], p.id))
        return None


POD_SELECTION_POLICIES: dict[str, Rule[PodSelectionSpec, PodSelectionPolicy]] = {
    "most_lines": lambda env, spec, wh: MostLines(env, narrow(MostLinesPod, spec), wh),
    "nearest": lambda env, spec, wh: NearestPod(env, narrow(NearestPodSpec, spec), wh),
}


# --------------------------------------------------------------------------- task allocation


class TaskAllocationPolicy(Protocol):
    """Chooses the idle robot that fetches a pod."""

    def choose(self, pod: Pod) -> Robot | None:
        """One of the idle robots (or None to leave the pod for later)."""
        ...


class NearestIdle:
    """The idle robot nearest the pod (Manhattan), then the one idle longest."""

    def __init__(self, env: SimEnv, spec: NearestIdleRobot, wh: WarehouseView) -> None:
        self.wh = wh

    def choose(self, pod: Pod) -> Robot | None:
        return self.wh.idle.nearest(self.wh.storage.spot_cells[pod.spot])


class LongestIdle:
    """The robot idle the longest."""

    def __init__(self, env: SimEnv, spec: LongestIdleRobot, wh: WarehouseView) -> None:
        self.wh = wh

    def choose(self, pod: Pod) -> Robot | None:
        return self.wh.idle.first()


TASK_ALLOCATION_POLICIES: dict[str, Rule[TaskAllocationSpec, TaskAllocationPolicy]] = {
    "nearest_idle": lambda env, spec, wh: NearestIdle(env, narrow(NearestIdleRobot, spec), wh),
    "longest_idle": lambda env, spec, wh: LongestIdle(env, narrow(LongestIdleRobot, spec), wh),
}


# --------------------------------------------------------------------------- pod return


class PodReturnPolicy(Protocol):
    """Chooses the storage spot a pod returns to from a station."""

    keeps_home: bool  # True: a pod's spot stays reserved for it while it is away

    def choose(self, pod: Pod, station: Station) -> int:
        """Index of a free spot."""
        ...


class NearestReturn:
    """The free spot nearest the station."""

    keeps_home = False

    def __init__(self, env: SimEnv, spec: NearestReturnSpec, wh: WarehouseView) -> None:
        self.wh = wh
        self.index = NearestFree(wh.storage, wh.return_order)

    def choose(self, pod: Pod, station: Station) -> int:
        spot = self.index.first(station.index)
        if spot < 0:
            raise RuntimeError(f"warehouse {self.wh.name}: no free storage spot")
        return spot


class OriginalReturn:
    """The pod's own spot, kept free for it while it is away."""

    keeps_home = True

    def __init__(self, env: SimEnv, spec: OriginalReturnSpec, wh: WarehouseView) -> None:
        pass

    def choose(self, pod: Pod, station: Station) -> int:
        return pod.home


class ClassReturn:
    """The free spot nearest the station within the pod's class zone (any zone if full)."""

    keeps_home = False

    def __init__(self, env: SimEnv, spec: ClassReturnSpec, wh: WarehouseView) -> None:
        self.wh = wh
        self.zones = len(wh.return_order_by_zone[0])
        self.nearest = NearestFree(wh.storage, wh.return_order)
        self.by_zone = NearestFree(wh.storage, [o for per in wh.return_order_by_zone
                                                for o in per])

    def choose(self, pod: Pod, station: Station) -> int:
        zone = min(pod.cls, self.zones - 1)
        spot = self.by_zone.first(station.index * self.zones + zone)
        if spot < 0:
            spot = self.nearest.first(station.index)
        if spot < 0:
            raise RuntimeError(f"warehouse {self.wh.name}: no free storage spot")
        return spot


POD_RETURN_POLICIES: dict[str, Rule[PodReturnSpec, PodReturnPolicy]] = {
    "nearest": lambda env, spec, wh: NearestReturn(env, narrow(NearestReturnSpec, spec), wh),
    "original": lambda env, spec, wh: OriginalReturn(env, narrow(OriginalReturnSpec, spec), wh),
    "class": lambda env, spec, wh: ClassReturn(env, narrow(ClassReturnSpec, spec), wh),
}
