"""Hooks: every event is a typed channel; handlers run in order; misuse is a mypy error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest

from sim.core.hooks import Channel, Hooks
from tests.conftest import ROOT

if TYPE_CHECKING:
    from sim.demand.order import Order
    from sim.fleet.couriers import Courier

NO_ORDER = cast("Order", None)  # the handlers here never look at the order


def test_every_event_is_a_channel() -> None:
    """Each event slot of :class:`Hooks` holds its own :class:`Channel`."""
    hooks = Hooks()
    channels = [getattr(hooks, name) for name in Hooks.__slots__]
    assert all(isinstance(c, Channel) for c in channels)
    assert len({id(c) for c in channels}) == len(channels)


def test_handlers_run_in_subscription_order() -> None:
    """Emitting calls every subscriber of that event, in the order they subscribed."""
    hooks = Hooks()
    seen: list[tuple[str, str]] = []
    hooks.order_at_node.on(lambda order, node: seen.append(("a", node)))
    hooks.order_at_node.on(lambda order, node: seen.append(("b", node)))
    hooks.order_left_node.on(lambda order, node: seen.append(("left", node)))
    hooks.order_at_node.emit(NO_ORDER, "s1")
    assert seen == [("a", "s1"), ("b", "s1")]


def test_emit_without_subscribers_is_harmless() -> None:
    """An event nobody listens to is emitted without effect."""
    Hooks().trip_finished.emit(cast("Courier", None), 3)


SNIPPET = '''
from sim.core.hooks import Hooks
from sim.demand.order import Order


def ready(order: Order) -> None: ...
def wrong(order: Order, node: int) -> None: ...


hooks = Hooks()
hooks.order_ready.on(ready)
hooks.order_ready.on(wrong)  # E: handler signature
hooks.order_at_node.emit(ready, "s1")  # E: argument type
hooks.order_redy.on(ready)  # E: misspelt event
'''


def test_misuse_is_a_type_error(tmp_path: Path) -> None:
    """mypy reports a wrong handler signature, a wrong emit argument and a misspelt
    event, and nothing else (uses the project's mypy cache: quick once ``mypy sim`` ran)."""
    api = pytest.importorskip("mypy.api")
    path = tmp_path / "snippet.py"
    path.write_text(SNIPPET)
    out, _, _ = api.run(["--config-file", str(ROOT / "pyproject.toml"),
                         "--follow-imports=silent", "--no-error-summary", str(path)])
    flagged = {int(m.group(1)) for m in re.finditer(r":(\d+): error", out)}
    expected = {i + 1 for i, line in enumerate(SNIPPET.splitlines()) if "# E:" in line}
    assert flagged == expected, out
