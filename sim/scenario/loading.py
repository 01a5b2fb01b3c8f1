"""Read scenario text into a validated :class:`Scenario`, or fail with one clear line.

Parsing (text in) is separate from reading (file in) so tests can feed strings. Overrides
(``--set stores[0].pickers=8``) are applied to the parsed mapping before validation, so
they are checked exactly like values written in the file. Every failure becomes a
:class:`ScenarioError` naming the field and, where known, the file and line.
"""

from __future__ import annotations

import copy
import re
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from sim.scenario.errors import ScenarioError, did_you_mean, field_of, format_path
from sim.scenario.schema import Scenario, with_store_defaults
from sim.scenario.units import show

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists a YAML document may have (scenarios use ~8)."""
MAX_NODES = 200_000
"""Most values a YAML document may hold once its aliases are expanded (the shipped
scenarios hold a few hundred): a few hundred bytes of nested aliases (a "billion
laughs") would otherwise expand to more than memory holds."""


class _Loader(yaml.SafeLoader):
    """``yaml.safe_load`` without YAML 1.1's base-60 numbers, so ``7:30`` stays a string,
    with bounded nesting and alias expansion (see :data:`MAX_DEPTH`, :data:`MAX_NODES`)."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        """Compose one node, refusing nesting deeper than :data:`MAX_DEPTH`."""
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep",
                    self.peek_event().start_mark)
            node: yaml.Node | None = super().compose_node(parent, index)
            return node
        finally:
            self._depth -= 1

    def compose_document(self) -> yaml.Node | None:
        """Compose the document and check its size with aliases expanded."""
        node: yaml.Node | None = super().compose_document()
        if node is not None:
            _check_expansion(node)
        return node


def _check_expansion(root: yaml.Node) -> None:
    """Raise if ``root`` expands to more than :data:`MAX_NODES` values or :data:`MAX_DEPTH`
    levels, or refers to itself. Each distinct node is visited once (an alias is the
    same node object as its anchor), so the check is linear in the document's size."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        if done:
            open_.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
            if size[key] > MAX_NODES or depth[key] > MAX_DEPTH:
                what = (f"more than {MAX_NODES:,} values" if size[key] > MAX_NODES
                        else f"more than {MAX_DEPTH} levels deep")
                raise yaml.composer.ComposerError(
                    None, None, f"aliases expand to {what}", node.start_mark)
            continue
        if key in size:
            continue
        if key in open_:
            raise yaml.composer.ComposerError(None, None, "an alias refers to itself",
                                              node.start_mark)
        open_.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers
          if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# The number patterns match only what PyYAML's constructors (float() and int() after
# dropping '_') accept: at least one digit in every number, so '.', '-.', '._', '.e5'
# and '0x_' stay strings instead of crashing the constructor.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^[-+]?(?:0|[1-9][0-9_]*|0x_*[0-9a-fA-F][0-9a-fA-F_]*|0o_*[0-7][0-7_]*)$"),
    list("-+0123456789"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?"
               r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


def load_yaml(text: str, source: str = "<string>") -> Any:
    """Parse YAML text safely; syntax errors become a one-line :class:`ScenarioError`."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or "invalid YAML"
        raise ScenarioError(f"invalid YAML: {problem}", (), source, line) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"invalid YAML: {exc}", (), source) from None
    except (ValueError, OverflowError) as exc:  # e.g. an integer of more than 4300 digits
        raise ScenarioError(f"invalid YAML: a value cannot be read ({show(str(exc))})", (),
                            source) from None
    except RecursionError:
        raise ScenarioError("invalid YAML: nested too deeply", (), source) from None


def read_text(path: str | Path) -> str:
    """Read a file, turning a missing or unreadable file into a :class:`ScenarioError`."""
    p = Path(path)
    if not p.is_file():
        what = "is a directory" if p.is_dir() else "not found"
        raise ScenarioError(f"file {what}: {p}", ())
    try:
        return p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read {p}: {exc}", ()) from None


# --------------------------------------------------------------------------- overrides

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(key: str) -> list[str | int]:
    """``"stores[0].pickers"`` -> ``["stores", 0, "pickers"]``."""
    parts: list[str | int] = []
    pos = 0
    key = key.strip()
    while pos < len(key):
        if key[pos] == ".":
            pos += 1
            continue
        m = _PART.match(key, pos)
        if m is None:
            raise ScenarioError(f"cannot read the path {show(key)}")
        name, index = m.group(1), m.group(2)
        parts.append(int(index) if index is not None else
                     int(name) if name.isdigit() else name)
        pos = m.end()
    return parts


def parse_override(item: str) -> tuple[list[str | int], Any]:
    """``"stores[0].pickers=8"`` -> ``(["stores", 0, "pickers"], 8)``; the value is YAML."""
    if "=" not in item:
        raise ScenarioError(f"needs PATH=VALUE, got {show(item)}")
    key, _, raw = item.partition("=")
    parts = parse_path(key)  # the caller names the source ("--set"), once
    if not parts:
        raise ScenarioError(f"empty path in {show(item)}")
    value = load_yaml(raw, "--set") if raw.strip() else ""
    return parts, value


def set_path(data: Any, path: Sequence[str | int], value: Any) -> None:
    """Set ``value`` at ``path`` inside ``data`` in place (missing mappings are created)."""
    node = data
    for i, part in enumerate(path):
        last = i == len(path) - 1
        here = path[: i + 1]
        if isinstance(part, int):
            if not isinstance(node, list):
                raise ScenarioError("is not a list, cannot index it", path[:i])
            if not 0 <= part < len(node):
                raise ScenarioError(f"index out of range (the list has {len(node)} items)",
                                    here)
        elif not isinstance(node, dict):
            raise ScenarioError("is not a mapping, cannot set a field in it", path[:i])
        if last:
            node[part] = value
        else:
            if isinstance(part, str) and part not in node:
                node[part] = {}
            node = node[part]


def apply_overrides(data: Any, overrides: Iterable[str]) -> Any:
    """Return a copy of ``data`` with each ``PATH=VALUE`` override applied."""
    data = copy.deepcopy(data)
    for item in overrides:
        path, value = parse_override(item)
        set_path(data, path, value)
    return data


# --------------------------------------------------------------------------- errors


def _strip_tags(raw: Any, loc: Sequence[str | int]) -> list[str | int]:
    """Drop the union tags pydantic inserts into error locations (``mean`` not
    ``exponential.mean``) by following the raw data."""
    out: list[str | int] = []
    node = raw
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, dict):
            if part in node or last:
                out.append(part)
                node = node.get(part)
            # else: a union tag or a function-wrapper marker; not part of the user's path
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, str) and not last:
            pass  # a union tag inside a list-valued field (a roster's ``shifts``)
        elif isinstance(node, list | tuple) or node is None or last:
            out.append(part)
            node = None
    return out


def _from_defaults(raw: Any, path: list[str | int]) -> list[str | int]:
    """Point at ``store_defaults.x`` when a store's bad value came from the defaults."""
    if (len(path) >= 3 and path[0] == "stores" and isinstance(path[1], int)
            and isinstance(raw, dict) and isinstance(raw.get("store_defaults"), dict)):
        stores = raw.get("stores")
        if isinstance(stores, list) and path[1] < len(stores):
            own = stores[path[1]]
            field = path[2]
            if isinstance(own, dict) and field not in own and field in raw["store_defaults"]:
                return ["store_defaults", *path[2:]]
    return path


def _unwrap(tp: Any) -> Any:
    """Strip ``Annotated`` and ``Optional`` from a type."""
    while True:
        origin = get_origin(tp)
        if origin is typing.Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def union_members(tp: Any) -> list[Any]:
    """The types a field may hold: the members of a union (without None), else the type
    itself; ``Annotated`` and ``Optional`` stripped from each."""
    tp = _unwrap(tp)
    if get_origin(tp) in (Union, types.UnionType):
        return [_unwrap(a) for a in get_args(tp) if a is not type(None)]
    return [tp]


def tag_field(model: type[BaseModel]) -> tuple[str, str] | None:
    """``(field, value)`` of the literal field that names a kind of a tagged union."""
    for name, field in model.model_fields.items():
        if get_origin(field.annotation) is Literal:
            return name, str(get_args(field.annotation)[0])
    return None


def _tag_of(model: type[BaseModel]) -> str | None:
    tag = tag_field(model)
    return tag[1] if tag else None


def _allowed_keys(loc: Sequence[str | int], root: type[BaseModel] = Scenario) -> list[str]:
    """The field names a model accepts at the pydantic error location ``loc``."""
    tp: Any = root
    for part in loc:
        members = union_members(tp)
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        if len(models) > 1:  # a discriminated union: this part is the tag
            chosen = [m for m in models if _tag_of(m) == part]
            if chosen:
                tp = chosen[0]
                continue
            return []
        tp = members[0]
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if not isinstance(part, str) or part not in tp.model_fields:
                return []
            field = tp.model_fields[part]
            tp = field.annotation
        elif get_origin(tp) in (list, tuple):
            tp = get_args(tp)[0]
        elif get_origin(tp) is dict:
            tp = get_args(tp)[1]
        else:
            return []
    models = [m for m in union_members(tp) if isinstance(m, type) and issubclass(m, BaseModel)]
    return list(models[0].model_fields) if len(models) == 1 else []


def _message(err: ErrorDetails, root: type[BaseModel] = Scenario) -> str:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        key = str(err["loc"][-1])
        allowed = _allowed_keys(err["loc"][:-1], root)
        hint = did_you_mean(key, allowed)
        if not hint and allowed:
            hint = f" (allowed: {', '.join(allowed)})"
        return f"unknown field {show(key)}{hint}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        op = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=",
              "less_than": "<"}[kind]
        bound = next(iter(ctx.values()), "?")
        return f"must be {op} {bound} (got {show(value)})"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number (got {show(value)})"
    if kind in ("float_type", "float_parsing"):
        return f"must be a number (got {show(value)})"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false (got {show(value)})"
    if kind == "string_type":
        return f"must be text (got {show(value)})"
    if kind == "string_pattern_mismatch":
        return ("must use only letters, digits, '_', '.' and '-', and not start with '.' "
                f"(got {show(value)})")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be a mapping of fields (got {show(value)})"
    if kind in ("list_type", "tuple_type"):
        return f"must be a list (got {show(value)})"
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length')} items (got {ctx.get('actual_length')})"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} items (got {ctx.get('actual_length')})"
    if kind == "union_tag_invalid":
        tag, expected = str(ctx.get("tag")), str(ctx.get("expected_tags", ""))
        names = [t.strip(" '") for t in expected.split(",")]
        return (f"unknown {ctx.get('discriminator', 'kind').strip(chr(39))} {show(tag)}"
                f"{did_you_mean(tag, names)}; expected one of: {', '.join(names)}")
    if kind == "union_tag_not_found":
        return f"needs a '{ctx.get('discriminator', '').strip(chr(39))}' field"
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        names = [t.strip(" '") for t in re.split(r",| or ", expected) if t.strip(" '")]
        typed = value if isinstance(value, str) else ""
        return f"must be one of {expected} (got {show(value)}){did_you_mean(typed, names)}"
    msg = err["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    return msg


def _line_of(text: str, path: Sequence[str | int]) -> int | None:
    """The 1-based line of ``path`` in YAML ``text`` (deepest node found), if known."""
    try:
        node: Any = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None
    line = None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if k.value == part]
            if not match:
                break
            key, node = match[0]
            line = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
                and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _full_loc(err: ErrorDetails) -> list[str | int]:
    """The error's location, with the field a nested model's :class:`FieldError` names."""
    return [*err["loc"], *field_of((err.get("ctx") or {}).get("error"))]


def validation_error(exc: ValidationError, raw: Any,
                     root: type[BaseModel] = Scenario) -> ScenarioError:
    """Turn pydantic's errors into one :class:`ScenarioError` (the first, with a count);
    ``root`` is the model that was validated (for the allowed keys of an unknown one)."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    if first["type"] == "missing":  # a misspelt key shows up as missing + unknown: say why
        parent = tuple(first["loc"][:-1])
        first = next((e for e in errors if e["type"] == "extra_forbidden"
                      and tuple(e["loc"][:-1]) == parent), first)
    message = _message(first, root)
    loc = _full_loc(first)
    if first["type"] == "union_tag_invalid":
        loc.append(str((first.get("ctx") or {}).get("discriminator", "")).strip("'"))
    merged = with_store_defaults(raw)
    message += _other_errors(errors, first, raw, merged, root)
    return ScenarioError(message, _strip_tags(merged, loc))


SHOWN_ERRORS = 4
"""How many further errors a message lists (with their fields) before counting the rest."""
ALSO_BUDGET = 150
"""Characters the further errors may take, so a message stays one readable line however
many errors there are (a list of 50,000 bad items)."""


def _other_errors(errors: list[ErrorDetails], first: ErrorDetails, raw: Any, merged: Any,
                  root: type[BaseModel]) -> str:
    """``"; also a.b: must be ...; c: is required (and 2 more errors)"``: the errors at
    other fields than the first one's, one per field, so one run of ``validate`` shows
    what to fix (a store's error that came from ``store_defaults`` is listed once)."""
    def where(e: ErrorDetails) -> tuple[str | int, ...]:
        return tuple(_from_defaults(raw, _strip_tags(merged, _full_loc(e))))

    # a misspelt key is reported as unknown, not also as a missing one beside it
    unknown_in = {tuple(e["loc"][:-1]) for e in errors if e["type"] == "extra_forbidden"}
    seen = {where(first)}
    shown: list[str] = []
    more = 0
    for e in errors:
        path = where(e)
        if path in seen or (e["type"] == "missing" and tuple(e["loc"][:-1]) in unknown_in):
            continue
        seen.add(path)
        text = f"{format_path(path)}: {_message(e, root)}"
        if len(shown) < SHOWN_ERRORS and (
                not shown or sum(len(t) + 2 for t in shown) + len(text) <= ALSO_BUDGET):
            shown.append(text)
        else:
            more += 1
    if not shown:
        return ""
    tail = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
    return "; also " + "; ".join(shown) + tail


# --------------------------------------------------------------------------- entry points


def override_of(path: Sequence[str | int],
                overridden: Sequence[Sequence[str | int]]) -> int | None:
    """Index of the override an error at ``path`` came from (the last that matches), or None.

    An error comes from an override when it lies inside the override's value, or when it
    is a key that only the override wrote (an unknown field's path is the key itself, a
    prefix of the override's path).
    """
    path = tuple(path)
    for i in range(len(overridden) - 1, -1, -1):
        o = tuple(overridden[i])
        if path[: len(o)] == o or (path and o[: len(path)] == path):
            return i
    return None


def _locate(exc: ScenarioError, raw: Any, source: str | None, text: str | None,
            overridden: Sequence[Sequence[str | int]]) -> ScenarioError:
    """Name where the bad value came from: an override, or the file and its line."""
    path = tuple(_from_defaults(raw, list(exc.path)))
    if override_of(path, overridden) is not None:
        return ScenarioError(exc.message, path, "--set")
    line = _line_of(text, path) if text is not None else None
    return ScenarioError(exc.message, path, source, line)


def validate_scenario(data: Any, source: str | None = None, text: str | None = None,
                      base_dir: Path | None = None,
                      overridden: Sequence[Sequence[str | int]] = ()) -> Scenario:
    """Validate a parsed mapping; relative file paths in it resolve against ``base_dir``.

    ``text`` (the YAML source) lets errors name their line; ``overridden`` lists the
    paths set by ``--set`` so their errors name the override instead.
    """
    if not isinstance(data, Mapping):
        raise ScenarioError("a scenario must be a mapping of fields at the top level", (),
                            source)
    context = {"base_dir": base_dir or Path.cwd()}
    try:
        return Scenario.model_validate(data, context=context)
    except ValidationError as exc:
        err = validation_error(exc, data)
    except ScenarioError as exc:
        err = exc
    raise _locate(err, data, source, text, overridden)


def parse_scenario(text: str, source: str = "<string>", overrides: Iterable[str] = (),
                   base_dir: Path | None = None) -> Scenario:
    """Parse and validate scenario YAML text, with ``PATH=VALUE`` overrides applied."""
    data = copy.deepcopy(load_yaml(text, source))
    try:
        parsed = [parse_override(item) for item in overrides]  # each value parsed once
        for path, value in parsed:
            set_path(data, path, value)
    except ScenarioError as exc:
        raise exc.located("--set") from None
    return validate_scenario(data, source, text, base_dir, [path for path, _ in parsed])


def read_scenario(path: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Read, parse and validate a scenario file."""
    p = Path(path)
    return parse_scenario(read_text(p), str(path), overrides, base_dir=p.resolve().parent)


def locate_in_file(exc: ScenarioError, path: str | Path,
                   overrides: Iterable[str] = ()) -> ScenarioError:
    """``exc`` naming the file and line (or the ``--set``) its field came from.

    For errors found after loading, while the model is built or run (a warehouse layout
    that has no room for its chargers): they know the field's path but not the source.
    """
    if exc.source is not None:
        return exc
    overrides = list(overrides)
    try:
        text = read_text(path)
        data = apply_overrides(load_yaml(text, str(path)), overrides)
        paths = [parse_override(item)[0] for item in overrides]
    except ScenarioError:
        return exc.located(str(path))
    return _locate(exc, data, str(path), text, paths)
