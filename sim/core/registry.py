"""Typed registries of policies: a tag of the scenario schema to the class that runs it.

A registry maps each tag of a schema union (``policy: Literal["fixed"]``, ...) to a small
factory that builds the implementation from the union member's own spec class. The
factory narrows the union with :func:`narrow`, so every implementation is type-checked
against its own spec type, and the registry's keys can be tested against the union's
tags (a spec added without an implementation is a failing test, not a run-time
``KeyError``).
"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def narrow(cls: type[T], spec: object) -> T:
    """``spec`` as an instance of ``cls``; a registry entry built for another tag than
    the spec's is a programming error, reported here rather than deep in a policy."""
    if not isinstance(spec, cls):
        raise TypeError(f"expected a {cls.__name__}, got a {type(spec).__name__}")
    return spec
