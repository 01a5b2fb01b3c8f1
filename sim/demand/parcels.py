"""A warehouse's own parcel orders (e-commerce orders shipped by carrier, not by courier).

Parcel orders arrive as a non-homogeneous Poisson process over the run, with baskets
drawn from the catalogue, all from the warehouse's own random stream
(``demand/parcels/<warehouse>``), so they do not shift any other demand. The generator
hands each basket to the warehouse at its arrival time; the warehouse decides whether
it can take it.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

import simpy

from sim.core.env import SimEnv
from sim.core.sampling import sampler
from sim.demand.arrivals import arrival_times
from sim.demand.catalog import Basket, Catalog
from sim.scenario.schema import RunSpec
from sim.scenario.warehouse import ParcelDemandSpec


def parcel_orders(env: SimEnv, warehouse: str, spec: ParcelDemandSpec, run: RunSpec,
                  catalog: Catalog, receive: Callable[[Basket], None]
                  ) -> Generator[simpy.Event, object, None]:
    """SimPy process: draw the warehouse's parcel orders up front, then hand each basket
    to ``receive`` at its arrival time."""
    rng = env.streams(f"demand/parcels/{warehouse}")
    times = arrival_times(rng, spec.orders_per_day, spec.profile, run.start, run.end)
    baskets = catalog.baskets(rng, len(times), sampler(spec.basket.lines),
                              sampler(spec.basket.units_per_line))
    for t, basket in zip(times.tolist(), baskets, strict=True):
        if t > env.now:
            yield env.timeout(t - env.now)
        receive(basket)
