"""The base of every scenario model and the scalar field types the models share.

The concept modules (:mod:`sim.scenario.fleet`, :mod:`sim.scenario.demand`,
:mod:`sim.scenario.warehouse`, ...) and :mod:`sim.scenario.schema`, which assembles the
whole scenario, build on it; it imports none of them.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from sim.scenario.json_schema import Const, shorthand
from sim.scenario.units import (
    NonNegNumber,
    finite_number,
    whole_number,
)

NonNegInt = Annotated[int, Field(ge=0), BeforeValidator(whole_number)]
PosInt = Annotated[int, Field(ge=1), BeforeValidator(whole_number)]
NonNegFloat = NonNegNumber
PosFloat = Annotated[float, Field(gt=0, allow_inf_nan=False), BeforeValidator(finite_number)]
Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False),
                        BeforeValidator(finite_number)]
OpenProbability = Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False),
                            BeforeValidator(finite_number)]
AtLeastOne = Annotated[float, Field(ge=1, allow_inf_nan=False), BeforeValidator(finite_number)]
Name = Annotated[str, Field(min_length=1, max_length=64,
                            pattern=r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$")]
"""A name that is also a safe folder name: letters, digits, ``_ . -``, not starting with
a dot (so never ``.``, ``..`` or a hidden folder)."""


class Spec(BaseModel):
    """Base of every scenario model: immutable, unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True,
                              allow_inf_nan=False)

    quiet_defaults: ClassVar[frozenset[str]] = frozenset()
    """Fields left out of the resolved scenario while they hold their default: fields
    added after scenarios were first written out (calendar, rosters, vehicle costs), so a
    scenario that does not use them resolves to the same file as before."""


def without_quiet_defaults(model: object, dump: Any) -> Any:
    """``dump`` (the JSON dump of ``model``) without the fields each model lists in
    ``quiet_defaults`` while they hold their default, at every depth: a scenario that
    does not use the calendar, rosters or vehicle costs resolves to the same file (and
    digest) as before those fields existed."""
    if isinstance(model, Spec) and isinstance(dump, dict):
        fields = type(model).model_fields
        out = {}
        for key, value in dump.items():
            child = getattr(model, key, None)
            if key in type(model).quiet_defaults and child == fields[key].get_default(
                    call_default_factory=True):
                continue
            out[key] = without_quiet_defaults(child, value)
        return out
    if isinstance(model, list | tuple) and isinstance(dump, list):
        return [without_quiet_defaults(m, d) for m, d in zip(model, dump, strict=True)]
    if isinstance(model, dict) and isinstance(dump, dict):
        return {k: without_quiet_defaults(model.get(k), v) for k, v in dump.items()}
    return dump


@shorthand(Const("flat", "the same weight in every hour"))
def _flat(value: Any) -> Any:
    """``profile: flat`` means the same weight in every hour."""
    return [1.0] * 24 if value == "flat" else value


Profile = Annotated[list[NonNegFloat], Field(min_length=24, max_length=24),
                    BeforeValidator(_flat)]
"""24 hourly weights, or ``flat`` for the same weight in every hour."""
