"""Files named inside scenario and experiment files (a GraphML city, a warehouse map,
an experiment's base scenario): relative to the file that names them."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationInfo


def resolve_file(value: str, info: ValidationInfo) -> str:
    """``value`` resolved against the folder of the file being read (``base_dir`` in the
    validation context, else the working folder), checked to exist, made absolute."""
    base = (info.context or {}).get("base_dir")
    path = Path(value) if base is None else Path(base) / value
    if not path.is_file():
        raise ValueError(f"file not found: {path}")
    return str(path.resolve())
