"""Online orders across the city, drawn up front from the ``demand/online`` stream.

Arrival times, customer places and baskets of the whole run are drawn before the
simulation starts, from one stream that nothing else touches. Every policy variant of a
scenario therefore sees exactly the same orders for the same seed (common random
numbers), whatever it does with them. With ``placement: density`` the places come from
a stream of their own (:mod:`sim.demand.geography`), so changing the stores changes
neither the places nor the baskets.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

import numpy as np
import numpy.typing as npt
import simpy

from sim.calendar.events import DemandFactors
from sim.city.network import RoadNetwork
from sim.core.env import SimEnv
from sim.core.rng import RandomStreams
from sim.core.sampling import sampler
from sim.demand.arrivals import clustered_points, uniform_points
from sim.demand.catalog import Catalog, SkuPayload
from sim.demand.days import calendar_arrivals
from sim.demand.geography import Geography
from sim.demand.order import Order
from sim.scenario.demand import CentresDensitySpec
from sim.scenario.schema import Scenario


class OnlineDemand:
    """The run's online orders, released into the model at their creation times."""

    def __init__(self, env: SimEnv, scenario: Scenario, catalog: Catalog,
                 network: RoadNetwork,
                 density_data: npt.NDArray[np.float64] | None = None,
                 factors: DemandFactors | None = None) -> None:
        spec, city = scenario.demand.online, scenario.city
        rng = env.streams("demand/online")
        self.env = env
        # SKU weights and volumes (None when the catalogue gives none): a stream of
        # their own, so the orders drawn below are the same with or without them
        self.payloads = SkuPayload.draw(scenario.catalog, env.streams)
        self.times = calendar_arrivals(rng, scenario, "online", spec.orders_per_day,
                                       spec.profile, scenario.run.start, scenario.run.end,
                                       None if factors is None else factors.online)
        n = len(self.times)
        density = spec.customers.density
        self.geography: Geography | None = None
        if density is not None:
            # positions from streams of their own: the same customers whatever the stores
            # the centres' layout from the run's seed, or from a seed of its own that
            # keeps the city fixed across replications
            fixed = density.layout_seed if isinstance(density, CentresDensitySpec) else None
            layout = (env.streams if fixed is None else RandomStreams(fixed))(
                "demand/geography")
            self.geography = Geography(density, city.width, city.height, layout,
                                       density_data)
            pts = self.geography.draw(env.streams("demand/customers"), n)
        elif spec.customers.placement == "uniform":
            pts = uniform_points(rng, n, city.width, city.height)
        else:
            # around the stores; a city of robot warehouses only: around the warehouses
            # (warehouses carry no demand weight: they weigh the same)
            stores = scenario.stores
            centres = np.array([s.location for s in stores or scenario.warehouses], dtype=float)
            weights = (np.array([s.demand_weight for s in stores], dtype=float) if stores
                       else np.ones(len(centres)))
            if weights.sum() <= 0:
                weights = np.ones(len(centres))
            pts = clustered_points(rng, n, centres, weights, spec.customers.spread,
                                   city.width, city.height)
        self.places = network.places(pts) if n else []
        self.baskets = catalog.baskets(rng, n, sampler(spec.basket.lines),
                                       sampler(spec.basket.units_per_line))

    def __len__(self) -> int:
        return len(self.times)

    def process(self, submit: Callable[[Order], None]) -> Generator[simpy.Event, object, None]:
        """SimPy process: create each order at its time and ``submit`` it."""
        env = self.env
        for i, t in enumerate(self.times.tolist()):
            if t > env.now:
                yield env.timeout(t - env.now)
            basket = self.baskets[i]
            submit(Order(i, env.now, self.places[i], basket, sum(q for _, q in basket)
                         ).weigh(self.payloads))
