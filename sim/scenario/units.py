"""Human units at the scenario boundary, converted once to SI.

Simulation time is seconds, distances are metres and speeds are metres per second. A
scenario may write ``"30min"``, ``"1h30min"``, ``"90s"``, ``"3km"``, ``"18km/h"``; a bare
number is already in SI units. Each parser raises ``ValueError`` with a message meant for
the person who wrote the file; pydantic turns it into an error that names the field.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema

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


def _number(value: Any, what: str) -> float | None:
    """Return ``value`` as a finite float if it is a plain number, else None."""
    if isinstance(value, bool):
        raise ValueError(f"expected a {what}, got a boolean")
    if isinstance(value, int | float):
        x = float(value)
        if not math.isfinite(x):
            raise ValueError(f"expected a finite {what}, got {value}")
        return x
    return None


def _parse(value: Any, units: dict[str, float], what: str, example: str,
           compound: bool) -> float:
    x = _number(value, what)
    if x is not None:
        return x
    if not isinstance(value, str):
        raise ValueError(f"expected a {what} such as {example}, got {type(value).__name__}")
    text = value.strip()
    try:
        return float(text)
    except ValueError:
        pass
    total, pos, terms = 0.0, 0, 0
    while pos < len(text):
        m = _TERM.match(text, pos)
        if m is None or m.group(2).lower() not in units:
            raise ValueError(f"invalid {what} {value!r}: expected e.g. {example}")
        total += float(m.group(1)) * units[m.group(2).lower()]
        pos, terms = m.end(), terms + 1
    if terms == 0 or (terms > 1 and not compound):
        raise ValueError(f"invalid {what} {value!r}: expected e.g. {example}")
    return total


def parse_duration(value: Any) -> float:
    """Seconds from ``"90s"``, ``"30min"``, ``"1h30min"``, ``"2h"`` or a number of seconds."""
    return _parse(value, DURATION_UNITS, "duration", "'90s', '30min', '2h'", compound=True)


def parse_distance(value: Any) -> float:
    """Metres from ``"500m"``, ``"3km"`` or a number of metres."""
    return _parse(value, DISTANCE_UNITS, "distance", "'500m', '3km'", compound=False)


def parse_speed(value: Any) -> float:
    """Metres per second from ``"18km/h"``, ``"1.5m/s"`` or a number of m/s."""
    return _parse(value, SPEED_UNITS, "speed", "'18km/h', '1.5m/s'", compound=False)


_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")


def parse_time_of_day(value: Any) -> float:
    """Seconds after midnight from ``"07:30"``, ``"07:30:15"`` or a duration."""
    if isinstance(value, str):
        m = _CLOCK.match(value)
        if m:
            h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
            if mi >= 60 or s >= 60 or h > 24:
                raise ValueError(f"invalid time of day {value!r}")
            return float(h * 3600 + mi * 60 + s)
    try:
        return parse_duration(value)
    except ValueError:
        raise ValueError(f"invalid time of day {value!r}: expected e.g. '07:30'") from None


def _human(pattern_doc: str) -> dict[str, Any]:
    return {"anyOf": [{"type": "number"}, {"type": "string", "description": pattern_doc}]}


Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    WithJsonSchema(_human("duration: seconds, or e.g. '90s', '30min', '1h30min'")),
]
NonNegDuration = Annotated[Duration, Field(ge=0)]
PosDuration = Annotated[Duration, Field(gt=0)]
Distance = Annotated[
    float,
    BeforeValidator(parse_distance),
    WithJsonSchema(_human("distance: metres, or e.g. '500m', '3km'")),
]
NonNegDistance = Annotated[Distance, Field(ge=0)]
PosDistance = Annotated[Distance, Field(gt=0)]
Speed = Annotated[
    float,
    BeforeValidator(parse_speed),
    WithJsonSchema(_human("speed: m/s, or e.g. '18km/h', '1.5m/s'")),
    Field(gt=0),
]
TimeOfDay = Annotated[
    float,
    BeforeValidator(parse_time_of_day),
    WithJsonSchema(_human("time of day: '07:30', or seconds after midnight")),
    Field(ge=0, le=86400),
]
