"""A Markdown reference of every scenario field, generated from the schema.

``python run_sim.py schema --markdown`` prints it; the README embeds it and a test
checks the two agree, so the documentation cannot drift from the code.
"""

from __future__ import annotations

import typing
from typing import Any, Literal, get_args, get_origin

from annotated_types import Ge, Gt, Le, MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

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
    out = []
    while get_origin(tp) is typing.Annotated:
        out.extend(tp.__metadata__)
        tp = get_args(tp)[0]
    return out


def _bounds(meta: list[Any], noun: str = "items") -> str:
    parts = []
    for m in meta:
        if isinstance(m, Ge):
            parts.append(f">= {m.ge}")
        elif isinstance(m, Gt):
            parts.append(f"> {m.gt}")
        elif isinstance(m, Le):
            parts.append(f"<= {m.le}")
        elif isinstance(m, MinLen) and m.min_length:
            parts.append(f"at least {m.min_length} {noun}")
        elif isinstance(m, MaxLen):
            parts.append(f"at most {m.max_length} {noun}")
    return ", ".join(parts)


def _strip(tp: Any) -> Any:
    while get_origin(tp) is typing.Annotated:
        tp = get_args(tp)[0]
    return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def type_name(tp: Any, meta: list[Any] | None = None) -> str:
    """A short human description of a field's type."""
    meta = list(meta or []) + _validators(tp)
    for m in meta:
        func = getattr(m, "func", None)
        if func in _UNIT:
            bounds = _bounds(meta)
            return _UNIT[func] + (f" ({bounds})" if bounds else "")
    tp = _strip(tp)
    members = union_members(tp)
    if len(members) == 1 and members[0] is not tp:  # X | None
        return type_name(members[0], meta)
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
        kind = "list" if origin is list else f"[{', '.join(type_name(a) for a in args)}]"
        if origin is tuple:
            return kind
        return f"list of {inner}" + (f" ({bounds})" if bounds else "")
    if origin is dict:
        return f"mapping name -> {type_name(get_args(tp)[1])}"
    if _is_model(tp):
        return "mapping"
    name = {int: "integer", float: "number", str: "text", bool: "true/false"}.get(tp, str(tp))
    bounds = _bounds(meta, "characters" if tp is str else "items")
    return name + (f" ({bounds})" if bounds else "")


def _default(f: FieldInfo) -> str:
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
    return f"`{value:g}`" if isinstance(value, float) else f"`{value}`"


def _first_line(model: type[BaseModel]) -> str:
    return (model.__doc__ or "").strip().split("\n")[0]


def _rows(model: type[BaseModel], prefix: str, out: list[tuple[str, str, str, str]],
          seen: set[tuple[str, str]]) -> None:
    for name, f in model.model_fields.items():
        path = f"{prefix}{name}"
        if (path, model.__name__) in seen:
            continue
        seen.add((path, model.__name__))
        members = union_members(f.annotation)
        models = [m for m in members if _is_model(m)]
        is_dist = models and all(m.__name__.startswith(("Duration", "Number")) for m in models)
        if get_origin(_strip(f.annotation)) is Literal and f.is_required() \
                and len(get_args(_strip(f.annotation))) == 1:
            continue  # a kind's tag: its row "(policy: name)" above says it
        doc = (f.description or (_first_line(models[0]) if len(models) == 1 else "")
               ).replace("\n", " ")
        out.append((path, type_name(f.annotation, list(f.metadata)), _default(f), doc))
        if is_dist:
            continue
        inner = _strip(f.annotation)
        if get_origin(inner) is list and _is_model(_strip(get_args(inner)[0])):
            _rows(_strip(get_args(inner)[0]), f"{path}[].", out, seen)
        elif get_origin(inner) is dict and _is_model(_strip(get_args(inner)[1])):
            _rows(_strip(get_args(inner)[1]), f"{path}.<name>.", out, seen)
        elif len(models) > 1:
            for m in models:
                tag, value = tag_field(m) or (None, m.__name__)
                out.append((f"{path} ({tag}: {value})", "", "", _first_line(m)))
                _rows(m, f"{path}.", out, seen)
        elif len(models) == 1 and name != "store_defaults":
            _rows(models[0], f"{path}.", out, seen)


def markdown_reference(model: type[BaseModel]) -> str:
    """The Markdown table of every field of ``model`` and its sub-models."""
    rows: list[tuple[str, str, str, str]] = []
    _rows(model, "", rows, set())
    lines = ["| field | type | default | meaning |", "|---|---|---|---|"]
    for path, tp, default, doc in rows:
        lines.append(f"| `{path}` | {tp} | {default} | {doc} |")
    return "\n".join(lines) + "\n"
