"""The JSON Schema of scenario and experiment files, as editors and ``jsonschema`` see them.

Pydantic writes a schema of the *validated* shape of a model; a file may also use the
short forms that before-validators expand (``profile: flat``, ``traffic: abstract``, a
bare policy name, one fleet instead of a list, a bare constant instead of a
distribution) and human units (``30min``, ``3km``, ``18km/h``). This module makes the
generated schema describe what a file may contain:

- :class:`SchemaGenerator` writes a field that goes through a unit parser
  (:mod:`sim.scenario.units`) as a number with its unit in a string, or ``0`` where 0 is
  allowed, with the field's bounds in the description and its unit kind in an
  ``x-unit`` annotation (defaults are written with a unit too); and each
  before-validator registered with :func:`shorthand` adds its short form to the field's
  schema.
- :func:`finish` and :func:`store_defaults_required` post-process the result: store fields that
  ``store_defaults`` may supply are required of a store only when the defaults do not
  give them, and the short forms that depend on the members of a union (which bare names
  stand for a policy) are resolved against the definitions.

Nothing here validates a scenario: pydantic does. This module imports no model (the
models import its markers); :mod:`sim.experiments.schema_files` builds the schemas of
scenario and experiment files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import CoreSchema

from sim.scenario.units import (
    DISTANCE_UNITS,
    DURATION_UNITS,
    SPEED_UNITS,
    parse_distance,
    parse_duration,
    parse_speed,
    parse_time_of_day,
)

DRAFT = "https://json-schema.org/draft/2020-12/schema"

JsonDict = dict[str, Any]
F = TypeVar("F", bound=Callable[..., Any])

# --------------------------------------------------------------------------- short forms


@dataclass(frozen=True)
class Const:
    """The short form is this exact value (``profile: flat``)."""

    value: str
    description: str


@dataclass(frozen=True)
class OneItem:
    """One item stands for a list of one (``couriers`` as a single fleet)."""


@dataclass(frozen=True)
class BareTag:
    """A bare name stands for ``{key: name}``: allowed for the members of the union whose
    only required field is the tag ``key``."""

    key: str


@dataclass(frozen=True)
class BareConstant:
    """A bare value stands for ``{key: tag, field: value}`` (a constant distribution)."""

    key: str
    tag: str
    field: str


@dataclass(frozen=True)
class Replace:
    """The field's whole schema, written out (the validator accepts another shape than
    the type it produces)."""

    schema: JsonDict


ShortForm = Const | OneItem | BareTag | BareConstant | Replace

_SHORTHANDS: dict[Callable[..., Any], ShortForm] = {}


def shorthand(form: ShortForm) -> Callable[[F], F]:
    """Register a before-validator's short form, so the JSON Schema accepts it too."""

    def mark(func: F) -> F:
        _SHORTHANDS[func] = form
        return func

    return mark


def short_form_of(func: Any) -> ShortForm | None:
    """The short form registered for a before-validator function, if any."""
    try:
        return _SHORTHANDS.get(getattr(func, "__func__", func))
    except TypeError:  # an unhashable validator is no registered function
        return None


# --------------------------------------------------------------------------- units

_NUM = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"


def _any_case(word: str) -> str:
    """``min`` -> ``[mM][iI][nN]``: the parsers read unit names in any case."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


def _units(names: dict[str, float]) -> str:
    return "(?:" + "|".join(_any_case(u) for u in sorted(names, key=lambda u: (-len(u), u))) \
        + ")"


@dataclass(frozen=True)
class UnitKind:
    """How a unit field is written: its name, unit pattern and an example."""

    name: str
    units: str
    example: str
    compound: bool


UNIT_KINDS: dict[Callable[[Any], float], UnitKind] = {
    parse_duration: UnitKind("duration", _units(DURATION_UNITS), "'90s', '30min', '1h30min'",
                             True),
    parse_distance: UnitKind("distance", _units(DISTANCE_UNITS), "'500m', '3km'", False),
    parse_speed: UnitKind("speed", _units(SPEED_UNITS), "'18km/h', '1.5m/s'", False),
}


@dataclass(frozen=True)
class Bounds:
    """The numeric bounds pydantic checks after the unit is converted (SI units)."""

    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None

    @property
    def nonnegative(self) -> bool:
        """No negative value is allowed."""
        return (self.ge is not None and self.ge >= 0) or (self.gt is not None and self.gt >= 0)

    @property
    def zero_ok(self) -> bool:
        """0 is an allowed value."""
        return not (self.gt is not None and self.gt >= 0) and not (
            self.ge is not None and self.ge > 0) and not (
            self.le is not None and self.le < 0) and not (self.lt is not None and self.lt <= 0)

    def text(self) -> str:
        """``> 0``, ``>= 0, <= 86400``: the bounds in SI units, for the description."""
        parts = [f"{op} {v:g}" for op, v in
                 ((">", self.gt), (">=", self.ge), ("<", self.lt), ("<=", self.le))
                 if v is not None]
        return ", ".join(parts)


def unit_pattern(kind: UnitKind, signed: bool) -> str:
    """The regular expression of a number with a unit (several terms for durations)."""
    sign = "[+-]?" if signed else r"\+?"
    term = rf"{sign}{_NUM}\s*{kind.units}\s*"
    return rf"^\s*(?:{term})+$" if kind.compound else rf"^\s*{term}$"


def unit_schema(kind: UnitKind, bounds: Bounds, clock: bool = False) -> JsonDict:
    """A number with a unit as a string (or a clock time), or the number 0 when allowed."""
    what = "time of day" if clock else kind.name
    si = {"duration": "seconds", "distance": "metres", "speed": "m/s"}[kind.name]
    limits = bounds.text()
    desc = (f"{what}: a clock time such as '07:30' or a duration after midnight such as "
            f"{kind.example}" if clock else
            f"{what}: a number with a unit, e.g. {kind.example}")
    if limits:
        desc += f" ({limits} in {si})"
    options: list[JsonDict] = [{"type": "string",
                                "pattern": unit_pattern(kind, not bounds.nonnegative)}]
    if clock:
        options.insert(0, {"type": "string",
                           "pattern": r"^\s*(?:[01]?\d|2[0-4]):[0-5]\d(?::[0-5]\d)?\s*$"})
    if bounds.zero_ok:
        options.append({"const": 0})
    return {"anyOf": options, "description": desc, "x-unit": what}


_BOUND_KEYS = ("gt", "ge", "lt", "le")


def _bound_of(func: Any) -> dict[str, float]:
    """The bound a pydantic constraint validator checks (``partial(..., gt=0)``)."""
    if isinstance(func, partial):
        return {k: float(v) for k, v in func.keywords.items() if k in _BOUND_KEYS}
    return {}


def _unit_field(schema: CoreSchema) -> tuple[Callable[[Any], float], Bounds] | None:
    """The unit parser and bounds of a unit field's core schema, else None."""
    bounds: dict[str, float] = {}
    node: Any = schema
    while isinstance(node, dict):
        kind = node.get("type")
        if kind == "float":
            for key in _BOUND_KEYS:
                if key in node:
                    bounds.setdefault(key, float(node[key]))
            return None
        if kind not in ("function-after", "function-before"):
            return None
        func = node["function"]["function"]
        for key, value in _bound_of(func).items():
            bounds.setdefault(key, value)
        updates = (node.get("metadata") or {}).get("pydantic_js_updates") or {}
        for key in _BOUND_KEYS:
            if key in updates:
                bounds.setdefault(key, float(updates[key]))
        if kind == "function-before" and (func in UNIT_KINDS or func is parse_time_of_day):
            inner = node.get("schema") or {}
            for key in _BOUND_KEYS:
                if key in inner:
                    bounds.setdefault(key, float(inner[key]))
            return func, Bounds(**bounds)
        node = node.get("schema")
    return None


class SchemaGenerator(GenerateJsonSchema):
    """Pydantic's generator, writing unit fields and registered short forms as files may
    contain them."""

    def generate_inner(self, schema: Any) -> JsonSchemaValue:
        """Unit fields and short forms first; everything else as pydantic writes it."""
        unit = _unit_field(schema)
        if unit is not None:
            func, bounds = unit
            if func is parse_time_of_day:
                return unit_schema(UNIT_KINDS[parse_duration], bounds, clock=True)
            return unit_schema(UNIT_KINDS[func], bounds)
        if schema.get("type") == "function-before":
            form = short_form_of(schema["function"]["function"])
            if isinstance(form, Replace):
                return dict(form.schema)
            if form is not None:
                inner = self.generate_inner(schema["schema"])
                return _with_short_form(inner, form)
        return super().generate_inner(schema)


def _with_short_form(inner: JsonDict, form: ShortForm) -> JsonDict:
    if isinstance(form, Const):
        alt: JsonDict = {"const": form.value, "description": form.description}
    elif isinstance(form, OneItem):
        alt = dict(inner.get("items", {}))
        if not alt:
            return inner
    else:  # resolved against the definitions by _short_forms (in finish)
        alt = {"x-short-form": vars(form) | {"form": type(form).__name__}}
    return {"anyOf": [inner, alt]}


# --------------------------------------------------------------------------- post-processing


def _deref(node: JsonDict, defs: JsonDict) -> JsonDict:
    ref = node.get("$ref", "")
    return defs.get(ref.rsplit("/", 1)[-1], node) if ref.startswith("#/$defs/") else node


def _members(union: JsonDict, defs: JsonDict) -> list[JsonDict]:
    refs = union.get("oneOf") or union.get("anyOf") or [union]
    return [_deref(r, defs) for r in refs]


def human(value: float, unit: str) -> str | float:
    """An SI default as a file would write it: ``1800`` seconds -> ``30min``."""
    if value == 0:
        return 0
    if unit in ("duration", "time of day"):
        for name, size in (("h", 3600.0), ("min", 60.0)):
            if value % size == 0:
                return f"{value / size:g}{name}"
        return f"{value:g}s"
    if unit == "distance":
        return f"{value / 1000:g}km" if value % 100 == 0 and value >= 1000 else f"{value:g}m"
    return f"{value:g}m/s"


def _resolve(node: Any, defs: JsonDict) -> Any:
    """Replace the ``x-short-form`` placeholders, depth first, and write the defaults of
    unit fields with their unit."""
    if isinstance(node, list):
        return [_resolve(v, defs) for v in node]
    if not isinstance(node, dict):
        return node
    node = _short_forms({k: _resolve(v, defs) for k, v in node.items()}, defs)
    default = node.get("default")
    if isinstance(default, int | float) and not isinstance(default, bool):
        units = [node.get("x-unit"), *(a.get("x-unit") for a in node.get("anyOf", [])
                                       if isinstance(a, dict))]
        unit = next((u for u in units if u), None)
        if unit:
            node["default"] = human(float(default), unit)
    return node


def _short_forms(node: JsonDict, defs: JsonDict) -> JsonDict:
    """Resolve each ``{"x-short-form": ...}`` alternative of ``node["anyOf"]`` against the
    union written just before it (pydantic may flatten a ``null`` alternative in after)."""
    alts = node.get("anyOf")
    if not isinstance(alts, list) or not any(
            isinstance(a, dict) and "x-short-form" in a for a in alts):
        return node
    out = list(alts)
    for i, alt in enumerate(alts):
        if i > 0 and isinstance(alt, dict) and "x-short-form" in alt:
            out[i] = _short_form_schema(alt["x-short-form"], _members(alts[i - 1], defs))
    return {**node, "anyOf": out}


def _short_form_schema(form: JsonDict, members: list[JsonDict]) -> JsonDict:
    """The schema of a union's short form, from the union's member definitions."""
    if form["form"] == "BareTag":
        key = form["key"]
        names = [m["properties"][key]["const"] for m in members
                 if m.get("required") == [key] and "const" in m["properties"].get(key, {})]
        return {"enum": names, "description": f"a bare name stands for {{{key}: name}}"}
    chosen = [m for m in members
              if m.get("properties", {}).get(form["key"], {}).get("const") == form["tag"]]
    alt = dict(chosen[0]["properties"][form["field"]]) if chosen else {}
    alt.pop("title", None)
    alt["description"] = (f"a bare value stands for {{{form['key']}: {form['tag']}, "
                          f"{form['field']}: value}}")
    return alt


def store_defaults_required(schema: JsonDict) -> None:
    """A store needs a field only when ``store_defaults`` does not give it (in place).

    A store's mapping-valued field is deep-merged into the default's (``couriers:
    {count: 5}`` keeps the default vehicle), so where the defaults give it, a store may
    write any part of the mapping; where they do not, the field must be complete.
    """
    defs = schema["$defs"]
    store, defaults = defs["StoreSpec"], defs["StoreDefaults"]
    shared = [f for f in store["properties"] if f in defaults["properties"]]
    required = set(store.get("required", []))
    store["required"] = [f for f in store.get("required", []) if f not in shared]
    rules = []
    for f in shared:
        full = store["properties"][f]
        then: JsonDict = {}
        if "$ref" in json.dumps(full):
            store["properties"][f] = {
                "anyOf": [{k: v for k, v in full.items() if k not in ("title", "default")},
                          {"type": "object", "description": "part of the mapping in "
                           "store_defaults: the two are merged"}],
                **{k: v for k, v in full.items() if k in ("title", "description", "default")}}
            then["properties"] = {f: full}
        if f in required:
            then["required"] = [f]
        if then:
            rules.append({
                "if": {"not": {"required": ["store_defaults"],
                               "properties": {"store_defaults": {"required": [f]}}}},
                "then": {"properties": {"stores": {"items": then}}},
            })
    schema.setdefault("allOf", []).extend(rules)


def finish(schema: JsonDict, title: str, description: str) -> JsonDict:
    """Resolve the short forms and unit defaults; put the draft, title and description
    first and the definitions last, after the properties that refer to them."""
    schema = _resolve(schema, schema.get("$defs", {}))
    head = {"$schema": DRAFT, "title": title, "description": description}
    tail = {"$defs": schema["$defs"]} if "$defs" in schema else {}
    return head | {k: v for k, v in schema.items() if k not in head and k not in tail} | tail


def schema_text(schema: JsonDict) -> str:
    """The schema as the committed files hold it: indented JSON, a final newline."""
    return json.dumps(schema, indent=2) + "\n"
