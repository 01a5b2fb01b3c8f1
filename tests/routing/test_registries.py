"""The routing registries name exactly what the scenario schema offers, and the dispatch
policies work on their own, without a model: built from their spec, fed ready orders and
returning couriers by hand."""

from __future__ import annotations

from typing import get_args

import pytest

from sim.city.network import RoadNetwork
from sim.core.env import SimEnv
from sim.demand.catalog import Basket
from sim.demand.order import Order
from sim.fleet.couriers import Fleet
from sim.routing.dispatch import DISPATCH_POLICIES, DispatchKind, ImmediateDispatch
from sim.routing.planning import DEFAULT_EFFORT
from sim.routing.solvers import DISPATCH_OPTIONS, SOLVER_NAMES, SOLVERS, make_solver
from sim.scenario import Scenario
from sim.scenario.fleet import FleetSpec, VehicleSpec
from sim.scenario.schema import (
    BatchDispatchSpec,
    CheapestInsertionDispatchSpec,
    DispatchSpec,
    ImmediateDispatchSpec,
    PlannedDispatch,
    RollingHorizonDispatchSpec,
)


def tags(annotated: object, field: str) -> dict[str, type]:
    """The members of a tagged union (``Annotated[A | B, ...]``) by their Literal tag."""
    union = get_args(annotated)[0]
    out: dict[str, type] = {}
    for member in get_args(union):
        (tag,) = get_args(member.model_fields[field].annotation)
        out[tag] = member
    return out


def test_dispatch_registry_matches_the_schema() -> None:
    """One dispatch policy per member of the schema's dispatch union, built from it."""
    members = tags(DispatchSpec, "policy")
    assert set(DISPATCH_POLICIES) == set(members)
    for tag, kind in DISPATCH_POLICIES.items():
        assert isinstance(kind, DispatchKind) and kind.spec is members[tag]


def test_solver_registries_match_the_schema() -> None:
    """Solvers, their dispatch options and default efforts: one entry per solver the
    schema's ``solver`` field allows."""
    names = set(get_args(PlannedDispatch.model_fields["solver"].annotation))
    assert set(SOLVER_NAMES) == set(SOLVERS) == set(DISPATCH_OPTIONS) == names
    assert set(DEFAULT_EFFORT) == names


def test_make_solver_refuses_unknown_names_and_options() -> None:
    """An unknown solver or an option its solver does not take is a one-line error."""
    with pytest.raises(ValueError, match="unknown solver 'gurobi'"):
        make_solver("gurobi")
    with pytest.raises(ValueError, match="'pyvrp' takes no option warm_start"):
        make_solver("pyvrp", 10, warm_start=True)
    assert make_solver("insertion").name == "insertion"


def test_a_policy_refuses_another_policys_spec(tiny: Scenario) -> None:
    """Building a policy from the spec of another is a type error, not a silent mix-up."""
    env = SimEnv(tiny)
    with pytest.raises(TypeError, match="BatchDispatchSpec expected"):
        DISPATCH_POLICIES["batch"](env, small_fleet(env, 1), ImmediateDispatchSpec(
            policy="immediate"))


# --------------------------------------------------------------------- policies alone

NET = RoadNetwork.grid(2000, 2000, 100)


def small_fleet(env: SimEnv, couriers: int, capacity: int = 3) -> Fleet:
    """A node at the centre with ``couriers`` e-bikes at 5 m/s."""
    return Fleet(env, "s", NET.place(1000, 1000), [FleetSpec(count=couriers, vehicle="bike")],
                 {"bike": VehicleSpec(speed="5m/s", capacity=capacity)}, NET)


def ready_order(env: SimEnv, i: int, x: float, y: float, due_in: float = 3600.0) -> Order:
    """An order at (x, y), accepted and packed now, due ``due_in`` seconds from now."""
    o = Order(i, env.now, NET.place(x, y), Basket(()), 1, node="s")
    o.accepted = o.pick_start = o.pick_end = o.ready = env.now
    o.due = env.now + due_in
    return o


def test_immediate_sends_each_order_alone_and_queues_the_rest(tiny: Scenario) -> None:
    """With one courier, the first ready order leaves at once and the second waits for
    the courier to come back, first in first out."""
    env = SimEnv(tiny)
    fleet = small_fleet(env, 1)
    policy = ImmediateDispatch(env, fleet, ImmediateDispatchSpec(policy="immediate"))
    a, b = ready_order(env, 1, 1500, 1000), ready_order(env, 2, 500, 1000)
    policy.order_ready(a)
    policy.order_ready(b)
    assert a.trip == 0 and b.trip == -1 and list(policy.waiting) == [b]
    env.run(until=env.now + 3600)
    assert b.trip == 1 and b.dispatched >= a.delivered and not policy.waiting


def test_batch_holds_orders_until_its_window(tiny: Scenario) -> None:
    """Orders ready between two decisions are planned at the next window; with one
    courier they leave together on it."""
    env = SimEnv(tiny)
    fleet = small_fleet(env, 1)
    spec = BatchDispatchSpec(policy="batch", window="2min", solver="insertion")
    policy = DISPATCH_POLICIES["batch"](env, fleet, spec)
    start = env.now
    orders = [ready_order(env, i, 1200 + 50 * i, 1000) for i in range(3)]
    for o in orders:
        policy.order_ready(o)
    assert all(o.trip == -1 for o in orders)  # nothing before the window
    env.run(until=start + 121)
    assert {o.dispatched for o in orders} == {start + 120}
    assert {o.trip for o in orders} == {0}


def test_cheapest_insertion_leaves_when_full_or_held(tiny: Scenario) -> None:
    """A trip leaves as soon as it holds ``max_orders_per_trip`` orders; a lone order
    leaves after ``max_hold``."""
    env = SimEnv(tiny)
    fleet = small_fleet(env, 2)
    spec = CheapestInsertionDispatchSpec(policy="cheapest_insertion", max_orders_per_trip=2,
                                         max_hold="90s")
    policy = DISPATCH_POLICIES["cheapest_insertion"](env, fleet, spec)
    start = env.now
    a, b = ready_order(env, 1, 1300, 1000), ready_order(env, 2, 1300, 1100)
    policy.order_ready(a)
    assert a.trip == -1  # held for a second order
    policy.order_ready(b)
    assert a.trip == b.trip == 0 and a.dispatched == start  # full: leaves at once
    c = ready_order(env, 3, 700, 1000)
    policy.order_ready(c)
    env.run(until=start + 91)
    assert c.dispatched == start + 90


def test_rolling_horizon_replans_on_every_change(tiny: Scenario) -> None:
    """An order ready with a courier idle leaves at that instant; one ready while the
    only courier rides leaves the moment it is back."""
    env = SimEnv(tiny)
    fleet = small_fleet(env, 1)
    spec = RollingHorizonDispatchSpec(policy="rolling_horizon", solver="insertion")
    policy = DISPATCH_POLICIES["rolling_horizon"](env, fleet, spec)
    start = env.now
    a = ready_order(env, 1, 1500, 1000)
    policy.order_ready(a)
    env.run(until=start + 1)
    assert a.dispatched == start
    back = fleet.couriers[0].free_at
    b = ready_order(env, 2, 500, 1000)
    policy.order_ready(b)
    env.run(until=back + 1)
    assert b.dispatched == back and b.trip == 1
