"""Fixtures of small routing problems (the builders are in ``routing_cases``)."""

from __future__ import annotations

import pytest

from sim.routing.problem import Job, RoutingProblem, Vehicle
from tests.routing.routing_cases import grid_profile


@pytest.fixture
def two_way() -> RoutingProblem:
    """One courier, a store at 0, customer A 500 m east, customer B 500 m west."""
    prof = grid_profile([(0, 0), (500, 0), (-500, 0)])
    return RoutingProblem(
        (prof,), (Vehicle(0, 0, 2, available=100.0, load_time=60.0, duration_cost=1.0),),
        (Job(1, 0, 1, service=30.0), Job(2, 0, 1, service=30.0)))
