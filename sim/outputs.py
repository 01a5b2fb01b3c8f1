"""The folders and files omnisim writes: where they may go, and writing them without harm.

One module owns every output location, so one set of rules holds for ``run``, ``sweep``,
``compare``, ``report`` and ``schema``:

- **Check first.** :func:`check_folder` and :func:`check_file` are called before any
  simulation starts, so a bad ``--out`` is a one-line error (exit code 2) and never a
  lost result.
- **Never remove what omnisim did not write.** A folder omnisim writes carries a marker
  file, :data:`MARKER`, naming its kind and listing its files. An existing folder is
  replaced only when it is empty or when its marker lists every file in it; anything
  else (a file, a folder holding a user's work) is refused.
- **All or nothing.** A folder is filled in a hidden staging folder and renamed into place
  when complete (:func:`atomic_folder`); the marker is written last, so a folder whose
  marker says ``complete`` is whole.
- **Nothing left behind.** Staging folders carry their own marker and the writer's process
  id; those of processes that no longer exist (a run killed with SIGKILL) are removed by
  the next writer in the same place (:func:`clean_stale`). Parent folders created for a
  run that then failed are removed again if they are still empty.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sim import __version__
from sim.scenario.errors import ScenarioError

MARKER = ".omnisim.json"
"""The marker of a folder omnisim wrote: ``{"kind", "version", "complete", "files"}``."""
STAGING = ".omnisim-staging"
"""Written first into a staging folder: marks it as omnisim's own temporary folder."""

FolderKind = Literal["run", "failed-run", "sweep-run"]


class OutputError(ScenarioError):
    """An output location that cannot or must not be written (exit code 2)."""


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Marker:
    """What a folder's marker says: its kind, the omnisim version that wrote it, its files."""

    kind: str
    version: str
    files: tuple[str, ...]


def read_marker(folder: Path) -> Marker | None:
    """The marker of ``folder`` when it is a readable, complete omnisim marker, else None."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("complete") is not True:
        return None
    files, kind, version = data.get("files"), data.get("kind"), data.get("version")
    if (not isinstance(files, list) or not all(isinstance(f, str) for f in files)
            or not isinstance(kind, str) or not isinstance(version, str)):
        return None
    return Marker(kind, version, tuple(files))


def _files_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir()}


def foreign_files(folder: Path) -> list[str]:
    """Files in ``folder`` that its marker does not list (all of them without a marker)."""
    marker = read_marker(folder)
    listed = set(marker.files) if marker is not None else set()
    return sorted(_files_in(folder) - listed - {MARKER})


def is_complete(folder: Path, kind: FolderKind | None = None) -> bool:
    """True when ``folder`` was written whole by omnisim (of ``kind``, if given) and every
    file its marker lists is still there."""
    marker = read_marker(folder)
    if marker is None or (kind is not None and marker.kind != kind):
        return False
    return all((folder / f).is_file() for f in marker.files)


# --------------------------------------------------------------------------- checking


def _first_existing(path: Path) -> Path:
    """``path`` or its nearest ancestor that exists (bounded by the path's depth)."""
    for candidate in (path, *path.parents):
        if candidate.exists() or candidate.is_symlink():
            return candidate
    return Path(path.anchor or ".")


def _check_parent(path: Path, what: str) -> None:
    """The place ``path`` would be created in can be: its nearest existing ancestor is a
    writable folder."""
    parent = _first_existing(path.parent if path.parent != path else path)
    if not parent.is_dir():
        raise OutputError(f"{what} {path}: cannot be created, {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{what} {path}: cannot be created, {parent} is not writable")


def check_folder(folder: Path, what: str = "--out") -> None:
    """Refuse (exit 2) an output folder that omnisim must not or cannot write: a file, a
    folder holding files omnisim did not write, or a place that cannot be created."""
    if folder.is_symlink() and not folder.exists():
        raise OutputError(f"{what} {folder}: is a broken symbolic link")
    if folder.exists():
        if not folder.is_dir():
            raise OutputError(f"{what} {folder}: is a file, not a folder; refusing to "
                              "replace it")
        foreign = foreign_files(folder)
        if foreign:
            shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more"
                                             if len(foreign) > 3 else "")
            raise OutputError(f"{what} {folder}: not empty and not a results folder "
                              f"written by omnisim (it holds {shown}); choose another "
                              "folder")
        if not os.access(folder, os.W_OK | os.X_OK) or not os.access(
                folder.parent if folder.parent != folder else folder, os.W_OK | os.X_OK):
            raise OutputError(f"{what} {folder}: not writable")
        return
    _check_parent(folder, what)


def check_file(path: Path, ours: Callable[[bytes], bool], what: str = "-o") -> None:
    """Refuse (exit 2) an output file that cannot be written, or that exists and was not
    written by omnisim (``ours`` recognises omnisim's own content from its first bytes)."""
    if path.exists():
        if path.is_dir():
            raise OutputError(f"{what} {path}: is a folder")
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
        if not ours(head):
            raise OutputError(f"{what} {path}: exists and was not written by omnisim; "
                              "refusing to overwrite it")
        return
    parent = path.parent
    if not parent.is_dir():
        raise OutputError(f"{what} {path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{what} {path}: folder {parent} is not writable")


def inside(base: Path, path: Path, what: str) -> Path:
    """``path``, refused (exit 2) if it does not lie inside ``base`` (a name like ``..``
    must not send output elsewhere)."""
    if not path.resolve().is_relative_to(base.resolve()) or path.resolve() == base.resolve():
        raise OutputError(f"{what}: {path} would lie outside {base}")
    return path


# --------------------------------------------------------------------------- writing


def write_file(path: Path, data: bytes) -> None:
    """Write a file atomically (a hidden temporary file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_owned_file(path: Path, data: bytes) -> None:
    """Write a file atomically; when it goes into a folder omnisim wrote (a run folder:
    a page or report added later), its marker lists it too, so the folder stays one that
    omnisim may replace."""
    write_file(path, data)
    marker = read_marker(path.parent)
    if marker is not None and path.name not in marker.files:
        files = sorted({*marker.files, path.name})
        data_marker = {"kind": marker.kind, "version": marker.version, "complete": True,
                       "files": files}
        write_file(path.parent / MARKER,
                   (json.dumps(data_marker, indent=1) + "\n").encode("utf-8"))


def _proc_state(pid: int) -> tuple[str, float] | None:
    """A process's state letter and start time (seconds since the epoch) from Linux's
    ``/proc``; None where there is no ``/proc`` or the process is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = next(float(line.split()[1]) for line in
                    Path("/proc/stat").read_text().splitlines() if line.startswith("btime "))
    except (OSError, StopIteration, ValueError, IndexError):
        return None
    fields = stat[stat.rfind(")") + 2:].split()  # the name may hold spaces and parentheses
    try:
        return fields[0], boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (IndexError, ValueError, OSError):
        return None


def _pid_alive(pid: int, since: float | None = None) -> bool:
    """Whether the process that wrote a staging path may still be writing it. A zombie
    (killed, never reaped) writes nothing; a process that started after the path was
    last written (``since``, its mtime) has only inherited the number."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    state = _proc_state(pid)
    if state is None:
        return True
    letter, started = state
    if letter in ("Z", "X"):
        return False
    return since is None or started <= since + 1.0


def _staging_pid(path: Path) -> int | None:
    """The process id in a staging name ``.<name>.partial-<pid>`` or ``.old-<pid>``."""
    for sep in (".partial-", ".old-"):
        head, found, pid = path.name.rpartition(sep)
        if found and head.startswith(".") and pid.isdigit():
            return int(pid)
    return None


def clean_stale(parent: Path, everything: bool = False) -> int:
    """Remove omnisim's staging leftovers in ``parent`` whose writer no longer runs (all
    of them with ``everything``, for a folder this process owns); return how many.
    Only folders that carry omnisim's staging marker, and hidden partial files named as
    :func:`write_file` names them, are touched."""
    if not parent.is_dir():
        return 0
    removed = 0
    for path in sorted(parent.glob(".*")):
        pid = _staging_pid(path)
        if pid is None:
            continue
        if not everything:
            try:
                written = path.lstat().st_mtime
            except OSError:
                continue
            if pid == os.getpid() or _pid_alive(pid, written):
                continue
        if path.is_dir() and not path.is_symlink():
            if not (path / STAGING).is_file() and not (path / MARKER).is_file():
                continue
            shutil.rmtree(path, ignore_errors=True)
        elif ".partial-" in path.name:
            path.unlink(missing_ok=True)
        else:
            continue
        removed += 1
    return removed


def _remove_owned(folder: Path) -> None:
    """Remove a folder omnisim wrote: the files its marker lists and its empty folders.
    Anything else found in it (written there meanwhile) is left where it is."""
    marker = read_marker(folder)
    if marker is not None:
        for name in marker.files:
            (folder / name).unlink(missing_ok=True)
    (folder / MARKER).unlink(missing_ok=True)
    (folder / STAGING).unlink(missing_ok=True)
    for sub in sorted((p for p in folder.rglob("*") if p.is_dir()),
                      key=lambda p: len(p.parts), reverse=True):
        with suppress(OSError):
            sub.rmdir()
    with suppress(OSError):
        folder.rmdir()


def made_parents(folder: Path) -> list[Path]:
    """Create the missing parents of ``folder``; return those created (deepest first),
    so that :func:`remove_if_empty` can take them back if the run fails."""
    missing = [p for p in folder.parents if not p.exists()]
    folder.parent.mkdir(parents=True, exist_ok=True)
    return missing


def remove_if_empty(folders: list[Path]) -> None:
    """Remove folders (deepest first) that omnisim created and that are still empty."""
    for path in folders:
        try:
            path.rmdir()
        except OSError:
            return


@contextmanager
def atomic_folder(folder: Path, kind: FolderKind = "run") -> Iterator[Path]:
    """Write a folder all at once: the caller fills the hidden staging folder this yields;
    when the block finishes, the marker (listing every file) is written and the staging
    folder replaces ``folder``. ``folder`` may be missing, empty, or an earlier folder
    omnisim wrote (it is removed only then); anything else is refused before the block
    runs. If the block fails, the staging folder is removed and ``folder`` is untouched."""
    check_folder(folder)
    created = made_parents(folder)
    clean_stale(folder.parent)
    tmp = folder.parent / f".{folder.name}.partial-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    (tmp / STAGING).write_bytes(b"")
    try:
        yield tmp
        (tmp / STAGING).unlink()
        files = sorted(_files_in(tmp) - {MARKER})
        marker = {"kind": kind, "version": __version__, "complete": True, "files": files}
        (tmp / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
        _swap_in(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        remove_if_empty(created)
        raise


def _swap_in(tmp: Path, folder: Path) -> None:
    """Rename the complete staging folder to ``folder``, replacing an empty folder or an
    earlier omnisim folder. If ``folder`` gained foreign files since it was checked, the
    new result is kept beside it under a fresh name instead (never lost, never mixed)."""
    if folder.exists() and foreign_files(folder):
        n = 2
        while folder.with_name(f"{folder.name}-{n}").exists():
            n += 1
        keep = folder.with_name(f"{folder.name}-{n}")
        tmp.rename(keep)
        raise OutputError(f"{folder}: files not written by omnisim appeared in it during the "
                          f"run; the result was kept in {keep}")
    if folder.exists() and any(folder.iterdir()):
        old = folder.parent / f".{folder.name}.old-{os.getpid()}"
        folder.rename(old)
        tmp.rename(folder)
        _remove_owned(old)
        return
    try:
        tmp.rename(folder)  # over an empty folder, rename(2) replaces it atomically
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
        folder.rmdir()
        tmp.rename(folder)
