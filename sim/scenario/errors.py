"""Errors in a scenario, for people: one line that names the field.

:class:`ScenarioError` is the one exception type that means "the input is wrong". The
command line prints it as a single line and exits with code 2; nothing else does that.
Validators inside the schema raise it directly when they know the field path (pydantic
passes non-``ValueError`` exceptions through untouched), and the loader converts
pydantic's own errors into it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

Loc = Sequence[str | int]

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2
"""The command line's exit codes: success, an internal error (traceback in the run
folder), bad input (a :class:`ScenarioError`, or bad usage)."""


def format_path(loc: Loc) -> str:
    """``("stores", 2, "pickers")`` -> ``"stores[2].pickers"``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = str(part)
            if len(name) > 40:  # a pasted blob as a key: show its ends, not all of it
                name = name[:18] + "..." + name[-18:]
            out += f".{name}" if out else name
    return out


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ``" (did you mean 'x'?)"`` suffix, or ``""`` when nothing is close (or the word
    is too long to be a misspelt name: comparing it would take time, not help)."""
    if len(word) > 100:
        return ""
    options = list(choices)
    prefixed = [c for c in options if word and c.startswith(word)]
    close = prefixed[:1] if len(prefixed) == 1 else \
        difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class FieldError(ValueError):
    """A model validator's complaint about one of the model's own fields.

    Raised inside a nested model that cannot know where it sits in the scenario: pydantic
    records the model's location, and the loader appends ``field`` to it, so the message
    names the full path (``warehouses[0].layout.block``, not ``block``).
    """

    def __init__(self, message: str, *field: str | int) -> None:
        super().__init__(message)
        self.field = tuple(field)


def field_of(error: object) -> tuple[str | int, ...]:
    """The relative field of a :class:`FieldError` held in a pydantic error's context."""
    return error.field if isinstance(error, FieldError) else ()


class ScenarioError(Exception):
    """Invalid input: a message, the field path it concerns and the source it came from."""

    def __init__(self, message: str, path: Loc = (), source: str | None = None,
                 line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = tuple(path)
        self.source = source
        self.line = line

    def located(self, source: str | None = None, line: int | None = None) -> ScenarioError:
        """Return a copy that also names the file (and line) it came from."""
        return ScenarioError(self.message, self.path, source or self.source,
                             line if line is not None else self.line)

    def __str__(self) -> str:
        where = ""
        if self.source:
            where = self.source + (f":{self.line}" if self.line else "") + ": "
        field = format_path(self.path)
        return f"{where}{field}: {self.message}" if field else f"{where}{self.message}"
