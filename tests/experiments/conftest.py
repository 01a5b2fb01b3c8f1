"""Fixtures for experiments: the tiny scenario on disk and small experiment files."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import TINY

SMALL = """
name: small
scenario: tiny.yaml
replications: 3
variants:
  few: {}
  more: {store_defaults.pickers: 5}
factors:
  store_defaults.couriers.count: [6, 9]
kpis:
  - {metric: sla.on_time_rate, better: higher}
  - {metric: sla.click_to_door_min.mean, better: lower}
"""
"""2 variants x 2 courier counts x 3 replications = 12 runs of the tiny scenario."""

BROKEN_GRAPHML = "this is not GraphML\n"
"""A road network file that exists (so the scenario validates) but cannot be read: the
run fails when the model is built, as a corrupt data file would."""


@pytest.fixture
def write_experiment(tmp_path: Path) -> Callable[..., Path]:
    """Write ``tiny.yaml``, ``broken.graphml`` and an experiment file into tmp_path."""

    def write(text: str = SMALL, name: str = "exp.yaml") -> Path:
        (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
        (tmp_path / "broken.graphml").write_text(BROKEN_GRAPHML, encoding="utf-8")
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
