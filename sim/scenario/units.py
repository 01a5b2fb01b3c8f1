"""Human units at the scenario boundary, converted once to SI, and finite plain numbers.

Simulation time is seconds, distances are metres and speeds are metres per second. A
scenario writes ``"30min"``, ``"1h30min"``, ``"90s"``, ``"3km"``, ``"18km/h"``. A bare
number in a duration, distance or speed field is an error unless it is 0: ``window: 30``
could mean 30 seconds or 30 minutes, and guessing wrong silently ruins a study. Every
value is finite: ``inf``, ``.inf``, ``1e400s`` and NaN are refused here, once, for every
field (:data:`Number` and :data:`Whole` do the same for plain numbers), so no model
downstream has to guard against them. Each parser raises ``ValueError`` with a message
meant for the person who wrote the file; pydantic turns it into an error that names the
field.

Validated values serialise back (``model_dump(mode="json")``, the resolved scenario) with
explicit SI units (``1800s``, ``3000m``, ``4.5m/s``, ``07:30``) that parse to the same
floats, so a resolved scenario reproduces its run.
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema
from pydantic_core import CoreSchema, core_schema

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_TERM = re.compile(rf"\s*({_NUMBER})\s*([a-zA-Z/]+)\s*")

DURATION_UNITS: dict[str, float] = {
    "ms": 1e-3,
    "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
    "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
    "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0,
    "d": 86400.0, "day": 86400.0, "days": 86400.0,
}
DISTANCE_UNITS: dict[str, float] = {
    "m": 1.0, "metre": 1.0, "metres": 1.0, "meter": 1.0, "meters": 1.0,
    "km": 1000.0,
}
SPEED_UNITS: dict[str, float] = {
    "m/s": 1.0, "mps": 1.0,
    "km/h": 1000.0 / 3600.0, "kmh": 1000.0 / 3600.0, "kph": 1000.0 / 3600.0,
}

_SHORT = reprlib.Repr()
_SHORT.maxstring = 40
_SHORT.maxother = 40
_SHORT.maxlevel = 2
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = 4


def show(value: Any) -> str:
    """A short repr of ``value`` for an error message: bounded in length and in the time
    it takes, however large the value (an alias bomb must not be rendered whole)."""
    text = _SHORT.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Written(float):
    """A default in the code: already in SI units, remembering how it was written."""

    text: str

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> CoreSchema:
        """Shown as written (``"30min"``) where pydantic serialises the default itself:
        the JSON Schema's ``default``."""
        return core_schema.no_info_plain_validator_function(
            float, serialization=core_schema.plain_serializer_function_ser_schema(
                lambda v: v.text if isinstance(v, _Written) else v))


def _written(text: str, parse: Callable[[Any], float]) -> float:
    value = _Written(parse(text))
    value.text = text
    return value


def seconds(text: str) -> float:
    """A default duration written with its unit: ``Field(seconds("30min"))``. The value
    is already in seconds, so validating it again does not count as a bare number, and
    the field reference shows ``30min``."""
    return _written(text, parse_duration)


def metres(text: str) -> float:
    """A default distance written with its unit (see :func:`seconds`)."""
    return _written(text, parse_distance)


def metres_per_second(text: str) -> float:
    """A default speed written with its unit (see :func:`seconds`)."""
    return _written(text, parse_speed)


def written_as(value: Any) -> str | None:
    """How a default made by :func:`seconds` and friends was written, else None."""
    return value.text if isinstance(value, _Written) else None


def _finite(x: float, value: Any, what: str) -> float:
    if not math.isfinite(x):
        raise ValueError(f"must be a finite {what} (got {show(value)})")
    return x


def _number(value: Any, what: str) -> float | None:
    """``value`` as a finite float if it is a number or a numeric string, else None."""
    if isinstance(value, bool):
        raise ValueError(f"expected a {what}, got a boolean ({str(value).lower()})")
    if isinstance(value, int | float):
        try:
            return _finite(float(value), value, what)
        except OverflowError:  # an int beyond the float range
            raise ValueError(f"must be a finite {what} (got {show(value)})") from None
    if isinstance(value, str):
        try:
            x = float(value.strip())
        except ValueError:
            return None
        return _finite(x, value, what)
    return None


def finite_number(value: Any) -> Any:
    """Before-validator of :data:`Number`: a finite number, never a boolean.

    Text that is not a number passes through so pydantic reports it as "must be a number".
    """
    x = _number(value, "number")
    return value if x is None else x


def whole_number(value: Any) -> Any:
    """Before-validator of :data:`Whole`: an integer, never a boolean (``seed: true``)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a whole number, got a boolean ({str(value).lower()})")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"must be a finite whole number (got {show(value)})")
    return value


# Bounds go before the validator so that pydantic applies them to the float or int inside
# (and the JSON Schema shows them as minimum/maximum); every bounded alias spells it out.
Number = Annotated[float, Field(allow_inf_nan=False), BeforeValidator(finite_number)]
"""A finite plain number (booleans, ``inf`` and NaN refused): every number field's type."""
NonNegNumber = Annotated[float, Field(ge=0, allow_inf_nan=False),
                         BeforeValidator(finite_number)]
"""A finite number >= 0."""
PosNumber = Annotated[float, Field(gt=0, allow_inf_nan=False), BeforeValidator(finite_number)]
"""A finite number > 0."""
Whole = Annotated[int, BeforeValidator(whole_number)]
"""An integer (booleans refused): every count field's type."""


def _g(x: float) -> str:
    return f"{x:g}"


def _suggest_duration(x: float) -> str:
    if abs(x) <= 120:
        return f"{_g(x)}min (or {_g(x)}s)"
    return f"{_g(x)}s (or {_g(x / 60)}min)"


def _suggest_distance(x: float) -> str:
    if abs(x) < 50:
        return f"{_g(x)}km (or {_g(x)}m)"
    return f"{_g(x)}m (or {_g(x / 1000)}km)"


def _suggest_speed(x: float) -> str:
    if abs(x) <= 10:
        return f"{_g(x)}m/s (or {_g(x)}km/h)"
    return f"{_g(x)}km/h (or {_g(x)}m/s)"


def _parse(value: Any, units: dict[str, float], what: str, example: str,
           compound: bool, suggest: Any) -> float:
    if isinstance(value, _Written):
        return float(value)
    x = _number(value, what)
    if x is not None:
        if x == 0:
            return 0.0
        raise ValueError(f"a bare number is ambiguous; write {suggest(x)}")
    if not isinstance(value, str):
        raise ValueError(f"expected a {what} such as {example}, got {type(value).__name__}")
    text = value.strip()
    total, pos, terms = 0.0, 0, 0
    while pos < len(text):
        m = _TERM.match(text, pos)
        if m is None or m.group(2).lower() not in units or \
                (terms and m.group(1)[0] in "+-"):  # "1h-30min" is not 30 minutes
            raise ValueError(f"invalid {what} {show(value)}: expected e.g. {example}")
        total += float(m.group(1)) * units[m.group(2).lower()]
        pos, terms = m.end(), terms + 1
    if terms == 0 or (terms > 1 and not compound):
        raise ValueError(f"invalid {what} {show(value)}: expected e.g. {example}")
    return _finite(total, value, what)


def parse_duration(value: Any) -> float:
    """Seconds from ``"90s"``, ``"30min"``, ``"1h30min"``, ``"2h"`` (or 0)."""
    return _parse(value, DURATION_UNITS, "duration", "'90s', '30min', '2h'", True,
                  _suggest_duration)


def parse_distance(value: Any) -> float:
    """Metres from ``"500m"``, ``"3km"`` (or 0)."""
    return _parse(value, DISTANCE_UNITS, "distance", "'500m', '3km'", False,
                  _suggest_distance)


MIN_SPEED = 0.01
"""Metres per second: the slowest speed accepted (36 m an hour). Below it travel times
over a city run into years and overflow the routing's integer clock."""


def parse_speed(value: Any) -> float:
    """Metres per second from ``"18km/h"``, ``"1.5m/s"`` (a speed of 0 is refused by
    the fields that take one; a positive speed below :data:`MIN_SPEED` here)."""
    speed = _parse(value, SPEED_UNITS, "speed", "'18km/h', '1.5m/s'", False, _suggest_speed)
    if 0 < speed < MIN_SPEED:
        raise ValueError(f"a speed below {MIN_SPEED:g}m/s (36 m an hour) is not a "
                         f"vehicle's speed (got {value!r})")
    return speed


_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")


def _clock(x: float) -> str:
    """``"HH:MM"`` (or ``"HH:MM:SS"``) for whole seconds after midnight."""
    t = int(x)
    h, mi, sec = t // 3600, t // 60 % 60, t % 60
    return f"{h:02d}:{mi:02d}" + (f":{sec:02d}" if sec else "")


def parse_time_of_day(value: Any) -> float:
    """Seconds after midnight from ``"07:30"``, ``"07:30:15"`` or a duration (``"17h"``)."""
    if isinstance(value, _Written):
        return float(value)
    x = _number(value, "time of day")
    if x is not None:
        if x == 0:
            return 0.0
        hint = f"'{_clock(x * 3600)}'" if x == int(x) and 0 < x <= 24 else \
            f"'{_clock(x)}'" if x == int(x) and 0 < x <= 86400 else "e.g. '07:30'"
        raise ValueError(f"a bare number is ambiguous; write a clock time such as {hint}")
    if isinstance(value, str):
        m = _CLOCK.match(value)
        if m:
            h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
            if mi >= 60 or s >= 60 or h > 24:
                raise ValueError(f"invalid time of day {show(value)}")
            return float(h * 3600 + mi * 60 + s)
    try:
        return parse_duration(value)
    except ValueError:
        raise ValueError(f"invalid time of day {show(value)}: expected e.g. '07:30'") from None


def si_text(x: float, unit: str) -> str:
    """``x`` with its SI unit, written so that parsing it gives back exactly ``x``."""
    number = str(int(x)) if x == int(x) and abs(x) < 2.0 ** 53 else repr(x)
    return number + unit


def clock_text(x: float) -> str:
    """A time of day as ``"HH:MM[:SS]"`` when whole seconds, else seconds with a unit."""
    return _clock(x) if x == int(x) else si_text(x, "s")


def _human(pattern_doc: str) -> dict[str, Any]:
    return {"anyOf": [{"type": "number", "const": 0},
                      {"type": "string", "description": pattern_doc}]}


Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    PlainSerializer(lambda x: si_text(x, "s"), return_type=str, when_used="json"),
    WithJsonSchema(_human("duration with a unit, e.g. '90s', '30min', '1h30min' "
                          "(a bare number only for 0)")),
]
NonNegDuration = Annotated[Duration, Field(ge=0)]
PosDuration = Annotated[Duration, Field(gt=0)]
Distance = Annotated[
    float,
    BeforeValidator(parse_distance),
    PlainSerializer(lambda x: si_text(x, "m"), return_type=str, when_used="json"),
    WithJsonSchema(_human("distance with a unit, e.g. '500m', '3km' (a bare number only "
                          "for 0)")),
]
NonNegDistance = Annotated[Distance, Field(ge=0)]
PosDistance = Annotated[Distance, Field(gt=0)]
Speed = Annotated[
    float,
    BeforeValidator(parse_speed),
    PlainSerializer(lambda x: si_text(x, "m/s"), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string",
                    "description": "speed with a unit, e.g. '18km/h', '1.5m/s'"}),
    Field(gt=0),
]
TimeOfDay = Annotated[
    float,
    BeforeValidator(parse_time_of_day),
    PlainSerializer(clock_text, return_type=str, when_used="json"),
    WithJsonSchema(_human("time of day, e.g. '07:30' (or a duration after midnight such "
                          "as '17h')")),
    Field(ge=0, le=86400),
]
