"""A Markdown reference of every scenario field, generated from the schema.

``python run_sim.py schema --markdown`` prints it; the README embeds it and a test
checks the two agree, so the documentation cannot drift from the code.
"""

from __future__ import annotations

import datetime
import typing
from typing import Any, Literal, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from sim.scenario.json_schema import (
    BareConstant,
    BareTag,
    Const,
    OneItem,
    Replace,
    ShortForm,
    human,
    short_form_of,
)
from sim.scenario.loading import tag_field, union_members
from sim.scenario.units import (
    parse_distance,
    parse_duration,
    parse_speed,
    parse_time_of_day,
    written_as,
)

_UNIT = {parse_duration: "duration", parse_distance: "distance", parse_speed: "speed",
         parse_time_of_day: "time of day"}


def _validators(tp: Any) -> list[Any]:
    """The metadata of ``tp``'s ``Annotated`` layers (constraints of nested ``Field(...)``
    flattened), outermost first."""
    out = []
    while get_origin(tp) is typing.Annotated:
        for m in tp.__metadata__:
            out.extend(m.metadata if isinstance(m, FieldInfo) else [m])
        tp = get_args(tp)[0]
    return out


def _bounds(meta: list[Any], noun: str = "items") -> str:
    parts = []
    lengths = {type(m): getattr(m, "min_length", getattr(m, "max_length", None))
               for m in meta if isinstance(m, MinLen | MaxLen)}
    exact = lengths.get(MinLen) is not None and lengths.get(MinLen) == lengths.get(MaxLen)
    for m in meta:
        if isinstance(m, Ge):
            parts.append(f">= {m.ge}")
        elif isinstance(m, Gt):
            parts.append(f"> {m.gt}")
        elif isinstance(m, Le):
            parts.append(f"<= {m.le}")
        elif isinstance(m, Lt):
            parts.append(f"< {m.lt}")
        elif exact and isinstance(m, MinLen):
            parts.append(f"exactly {m.min_length} {noun}")
        elif isinstance(m, MinLen) and m.min_length and not exact:
            parts.append(f"at least {m.min_length} {noun}")
        elif isinstance(m, MaxLen) and not exact:
            parts.append(f"at most {m.max_length} {noun}")
    return ", ".join(parts)


def _strip(tp: Any) -> Any:
    while get_origin(tp) is typing.Annotated:
        tp = get_args(tp)[0]
    return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _short_form(meta: list[Any]) -> ShortForm | None:
    for m in meta:
        form = short_form_of(getattr(m, "func", None))
        if form is not None:
            return form
    return None


def _unit_of(tp: Any, meta: list[Any]) -> str | None:
    """The unit kind of a field (``duration``, ``distance``, ...), of its optional value
    or of the constants its distribution takes, or None."""
    for m in list(meta) + _validators(tp):
        if getattr(m, "func", None) in _UNIT:
            return _UNIT[m.func]
    members = _optional_member(tp)
    if members is not None:
        return _unit_of(members, [])
    models = [m for m in union_members(tp) if _is_model(m)]
    if models and all(m.__name__.startswith("Duration") for m in models):
        return "duration"
    return None


def _optional_member(tp: Any) -> Any:
    """``X`` of ``X | None`` with its ``Annotated`` metadata kept, else None."""
    tp = _strip(tp)
    args = [a for a in get_args(tp) if a is not type(None)]
    if len(union_members(tp)) == 1 and len(args) == 1 and len(get_args(tp)) == 2:
        return args[0]
    return None


def _replaced(schema: dict[str, Any]) -> str:
    """A short description of a field whose schema is written out (``review``)."""
    parts = []
    for option in schema.get("anyOf", [schema]):
        if "const" in option:
            parts.append(f"`{option['const']}`")
        elif "x-unit" in option:
            bounds = option.get("description", "").rpartition("(")[2].partition(" in ")[0]
            parts.append(option["x-unit"] + (f" ({bounds})" if "(" in option.get(
                "description", "") else ""))
    return " or ".join(parts)


def _with_short_form(text: str, form: ShortForm, tp: Any) -> str:
    """The type description with the short form a file may use instead."""
    if isinstance(form, Const):
        return f"{text}, or `{form.value}` ({form.description})"
    if isinstance(form, OneItem):
        return f"mapping, or {text}"
    if isinstance(form, BareTag):
        names = [value for m in union_members(tp) if _is_model(m)
                 for key, value in [tag_field(m) or ("", "")]
                 if key == form.key and [n for n, f in m.model_fields.items()
                                         if f.is_required()] == [key]]
        return f"{text}, or a bare name: " + ", ".join(f"`{n}`" for n in names)
    if isinstance(form, BareConstant):
        unit = _unit_of(tp, [])
        return f"{text}, or a constant {unit or 'number'}"
    return text


def type_name(tp: Any, meta: list[Any] | None = None) -> str:
    """A short human description of a field's type (units, bounds and short forms)."""
    meta = list(meta or []) + _validators(tp)
    form = _short_form(meta)
    if isinstance(form, Replace):
        return _replaced(form.schema)
    for m in meta:
        func = getattr(m, "func", None)
        if func in _UNIT:
            bounds = _bounds(meta)
            return _UNIT[func] + (f" ({bounds})" if bounds else "")
    optional = _optional_member(tp)
    if optional is not None:
        return type_name(optional, [m for m in meta if m is not None])
    text = _plain_type_name(_strip(tp), meta)
    return _with_short_form(text, form, tp) if form is not None else text


def _plain_type_name(tp: Any, meta: list[Any]) -> str:
    members = union_members(tp)
    origin = get_origin(tp)
    if origin is Literal:
        return " \\| ".join(f"`{a}`" for a in get_args(tp))
    if len(members) > 1:
        models = [m for m in members if _is_model(m)]
        if models and all(m.__name__.startswith(("Duration", "Number")) for m in models):
            return "distribution" + (" of durations" if models[0].__name__.startswith(
                "Duration") else "")
        if len(models) == len(members):
            return "mapping, one of the kinds below"
        return " or ".join(type_name(m) for m in members)
    if origin in (list, tuple):
        args = [a for a in get_args(tp) if a is not Ellipsis]
        inner = type_name(args[0]) if args else "any"
        bounds = _bounds(meta)
        if origin is tuple:
            return f"[{', '.join(type_name(a) for a in args)}]"
        return f"list of {inner}" + (f" ({bounds})" if bounds else "")
    if origin is dict:
        return f"mapping name -> {type_name(get_args(tp)[1])}"
    if _is_model(tp):
        return "mapping"
    if tp is Any:
        return "any value"
    name = {int: "integer", float: "number", str: "text", bool: "true/false",
            datetime.date: "date (ISO, e.g. 2026-11-10)"}.get(tp, str(tp))
    bounds = _bounds(meta, "characters" if tp is str else "items")
    return name + (f" ({bounds})" if bounds else "")


def _default(f: FieldInfo, unit: str | None = None) -> str:
    if f.default is PydanticUndefined and f.default_factory is None:
        return "required"
    if f.default_factory is not None:
        return "see below" if f.default_factory is not list and f.default_factory is not dict \
            else "`[]`" if f.default_factory is list else "`{}`"
    value = f.default
    if value is None:
        return "none"
    if isinstance(value, BaseModel):
        return "see below"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    written = written_as(value)  # a duration, distance or speed default, with its unit
    if written is not None:
        return f"`{written}`"
    if value == "":
        return '`""`'
    if unit is not None and isinstance(value, int | float):
        return f"`{human(float(value), unit)}`"
    return f"`{value:g}`" if isinstance(value, float) else f"`{value}`"


def _first_line(model: type[BaseModel]) -> str:
    return (model.__doc__ or "").strip().split("\n")[0]


def _rows(model: type[BaseModel], prefix: str, out: list[tuple[str, str, str, str]],
          seen: set[tuple[str, str]], tagged: bool = False) -> None:
    """Append the rows of ``model``'s fields; ``tagged``: a ``(tag: value)`` row above
    already names the model's tag field (a kind of a union), so it gets no row."""
    for name, f in model.model_fields.items():
        path = f"{prefix}{name}"
        if (path, model.__name__) in seen:
            continue
        seen.add((path, model.__name__))
        members = union_members(f.annotation)
        models = [m for m in members if _is_model(m)]
        is_dist = models and all(m.__name__.startswith(("Duration", "Number")) for m in models)
        if tagged and get_origin(_strip(f.annotation)) is Literal and f.is_required() \
                and len(get_args(_strip(f.annotation))) == 1:
            continue  # a kind's tag: its row "(policy: name)" above says it
        doc = (f.description or (_first_line(models[0]) if len(models) == 1 else "")
               or (_first_line(model) if name == (tag_field(model) or ("",))[0] else "")
               ).replace("\n", " ")
        meta = list(f.metadata)
        out.append((path, type_name(f.annotation, meta),
                    _default(f, _unit_of(f.annotation, meta)), doc))
        if is_dist:
            continue
        inner = _strip(f.annotation)
        item = _strip(get_args(inner)[0]) if get_origin(inner) is list else None
        kinds = [m for m in union_members(item) if _is_model(m)] if item is not None else []
        if item is not None and _is_model(item):
            _rows(item, f"{path}[].", out, seen)
        elif len(kinds) > 1:  # a list of tagged kinds (calendar events)
            for m in kinds:
                tag, value = tag_field(m) or (None, m.__name__)
                out.append((f"{path}[] ({tag}: {value})", "", "", _first_line(m)))
                _rows(m, f"{path}[].", out, seen, tagged=True)
        elif get_origin(inner) is dict and _is_model(_strip(get_args(inner)[1])):
            _rows(_strip(get_args(inner)[1]), f"{path}.<name>.", out, seen)
        elif len(models) > 1:
            for m in models:
                tag, value = tag_field(m) or (None, m.__name__)
                out.append((f"{path} ({tag}: {value})", "", "", _first_line(m)))
                _rows(m, f"{path}.", out, seen, tagged=True)
        elif len(models) == 1 and name != "store_defaults":
            _rows(models[0], f"{path}.", out, seen)
        for m in members if len(members) > 1 else ():  # a union with a list of models
            listed = _strip(m)                         # (a roster's shifts): their rows too
            if get_origin(listed) is list and _is_model(_strip(get_args(listed)[0])):
                _rows(_strip(get_args(listed)[0]), f"{path}[].", out, seen)


def markdown_reference(model: type[BaseModel]) -> str:
    """The Markdown table of every field of ``model`` and its sub-models."""
    rows: list[tuple[str, str, str, str]] = []
    _rows(model, "", rows, set())
    lines = ["| field | type | default | meaning |", "|---|---|---|---|"]
    for path, tp, default, doc in rows:
        lines.append(f"| `{path}` | {tp} | {default} | {doc} |")
    return "\n".join(lines) + "\n"
