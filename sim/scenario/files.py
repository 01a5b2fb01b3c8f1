"""Files named inside scenario and experiment files (a GraphML city, a warehouse map,
an experiment's base scenario): relative to the file that names them.

:func:`resolve_file` runs while the scenario is validated (the file must exist);
:func:`read_text_file` reads a text file the scenario points to, with one-line errors
that name the file and never echo its bytes. Reading and checking what the files hold is
:func:`sim.referenced.load_referenced`, shared by ``validate`` and ``run``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, ValidationInfo

from sim.scenario.errors import Loc, ScenarioError


def resolve_file(value: str, info: ValidationInfo) -> str:
    """``value`` resolved against the folder of the file being read (``base_dir`` in the
    validation context, else the working folder), checked to exist, made absolute."""
    base = (info.context or {}).get("base_dir")
    path = Path(value) if base is None else Path(base) / value
    if not path.is_file():
        raise ValueError(f"file not found: {path}")
    return str(path.resolve())


ScenarioFile = Annotated[str, AfterValidator(resolve_file)]
"""A path to a file, relative to the scenario (or experiment) file that names it:
resolved and checked to exist while the scenario is validated (:func:`resolve_file`)."""


def read_text_file(path: str | Path, where: Loc = ()) -> str:
    """The UTF-8 text of ``path``; a file that cannot be read or is not UTF-8 is a
    :class:`ScenarioError` at ``where`` naming the file and the first bad byte's offset."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ScenarioError(f"cannot read {path}: {exc.strerror or type(exc).__name__}",
                            where) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path} is not UTF-8 text (byte 0x{data[exc.start]:02x} at "
                            f"offset {exc.start}); save it as UTF-8", where) from None
