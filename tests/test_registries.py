"""Every policy registry covers exactly the tags of its schema union.

A spec class added to a union without an implementation (or an implementation left in a
registry after its spec was removed) fails here, not at run time with a ``KeyError``.
The tags are read off the union's member classes, never listed by hand.
"""

from __future__ import annotations

import types
from typing import Annotated, Union, get_args, get_origin

import pytest

from sim.fulfillment.assignment import ASSIGNMENT_POLICIES
from sim.fulfillment.promise import PROMISE_POLICIES
from sim.fulfillment.stockout import STOCKOUT_ACTIONS
from sim.scenario.schema import (
    AssignmentSpec,
    PromiseSpec,
    ReplenishmentSpec,
    StockoutAction,
    SupplierSpec,
)
from sim.scenario.warehouse import (
    OrderStationSpec,
    PodReturnSpec,
    PodSelectionSpec,
    SequenceSpec,
    TaskAllocationSpec,
)
from sim.stores.replenishment import REPLENISHMENT_POLICIES
from sim.stores.suppliers import SUPPLIER_KINDS
from sim.warehouse.policies import (
    ORDER_STATION_POLICIES,
    POD_RETURN_POLICIES,
    POD_SELECTION_POLICIES,
    SEQUENCE_POLICIES,
    TASK_ALLOCATION_POLICIES,
)


def members(spec: object) -> tuple[type, ...]:
    """The classes of a (possibly ``Annotated``) tagged union, or the one class."""
    inner = get_args(spec)[0] if get_origin(spec) is Annotated else spec
    if get_origin(inner) in (Union, types.UnionType):
        return get_args(inner)
    return (inner,)


def tags(spec: object, field: str) -> set[str]:
    """The ``Literal`` tag of ``field`` on every member class of the union ``spec``."""
    out: set[str] = set()
    for cls in members(spec):
        literal = cls.model_fields[field].annotation
        (tag,) = get_args(literal)
        out.add(tag)
    return out


@pytest.mark.parametrize(("registry", "union", "field"), [
    (PROMISE_POLICIES, PromiseSpec, "policy"),
    (ASSIGNMENT_POLICIES, AssignmentSpec, "policy"),
    (REPLENISHMENT_POLICIES, ReplenishmentSpec, "policy"),
    (SUPPLIER_KINDS, SupplierSpec, "kind"),
    (SEQUENCE_POLICIES, SequenceSpec, "policy"),
    (ORDER_STATION_POLICIES, OrderStationSpec, "policy"),
    (POD_SELECTION_POLICIES, PodSelectionSpec, "policy"),
    (TASK_ALLOCATION_POLICIES, TaskAllocationSpec, "policy"),
    (POD_RETURN_POLICIES, PodReturnSpec, "policy"),
], ids=["promise", "assignment", "replenishment", "suppliers", "wh_sequence",
        "wh_order_station", "wh_pod_selection", "wh_task_allocation", "wh_pod_return"])
def test_registry_keys_are_the_tags_of_its_union(registry: dict[str, object], union: object,
                                                 field: str) -> None:
    """The registry has one entry per tag of its schema union, and no other."""
    assert set(registry) == tags(union, field)


def test_stockout_actions_are_the_schema_actions() -> None:
    """Every action ``stockout.actions`` accepts has a handler, and no other does."""
    assert set(STOCKOUT_ACTIONS) == set(get_args(StockoutAction))


def test_tags_are_read_off_every_member() -> None:
    """The helper sees every member of a union, each with its own tag (a guard against
    comparing two empty sets)."""
    assert len(tags(PromiseSpec, "policy")) == len(members(PromiseSpec)) > 1
    assert len(tags(SupplierSpec, "kind")) == len(members(SupplierSpec)) == 1
