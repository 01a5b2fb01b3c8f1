"""The files of a run's folder, by name, and the readers of its header.

The runner writes these files; reports, replays and experiment stores read them. Both
sides take the names from here, so neither imports the other.
"""

from __future__ import annotations

from pathlib import Path

RESOLVED = "scenario.resolved.yaml"
METRICS = "metrics.json"
WALLCLOCK = "wallclock.json"  # the one file that differs between runs with the same seed
ERROR = "error.txt"

OVERRIDE_COMMENT = "# --set "
"""How the resolved scenario's header records each ``--set`` override of the run."""


def read_overrides(folder: Path) -> list[str]:
    """The ``--set`` overrides recorded in a run folder's resolved scenario."""
    path = folder / RESOLVED
    if not path.is_file():
        return []
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                break
            if line.startswith(OVERRIDE_COMMENT):
                out.append(line[len(OVERRIDE_COMMENT):].rstrip("\n"))
    return out
