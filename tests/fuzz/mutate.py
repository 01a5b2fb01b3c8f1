"""A seeded mutation fuzzer for the command line, over the shipped scenarios.

A :class:`Mutation` changes one field of a shipped scenario file: a number to zero,
negative, huge, tiny, ``inf``/``nan`` (as a string and as YAML's ``.inf``/``.nan``) or a
wrong type; a string to ``""``, ``"."`` and the other scalars a YAML resolver may
mistake for numbers, or a mangled unit; a list or mapping to empty; a field deleted or
an unknown one added. :func:`candidates` lists every such mutation of a file in a fixed
order and :func:`sample` draws from them with a seeded :class:`random.Random`, so the
same seed always tries the same mutations.

Each mutation is written to a scenario file of its own in a fresh folder and given to
the real command line: :func:`run_subprocess` starts ``run_sim.py`` (``validate``, or a
short ``run``) in a child process with a time limit and a memory limit;
:func:`validate_in_process` calls :func:`sim.cli.main` in this process with stdout and
stderr captured and an alarm as the time limit (what a child process would print: an
escaping exception is rendered as the traceback Python would print, with exit 1).
:func:`judge` accepts exit 0, or exit 2 with exactly one line on stderr and no
traceback, within the limit, with nothing left in the folder but the scenario (and on
exit 0 the results folder).
"""

from __future__ import annotations

import contextlib
import copy
import io
import math
import os
import random
import resource
import signal
import subprocess
import sys
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import yaml

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
RUN_SIM = ROOT / "run_sim.py"

VALIDATE_LIMIT_S = 10.0
"""Seconds a ``validate`` may take."""
RUN_LIMIT_S = 60.0
"""Seconds a short ``run`` may take."""
MEMORY_LIMIT_BYTES = 3 * 1024**3
"""Address space of a child process: a mutation that asks for a huge city fails in the
child with a MemoryError instead of taking the machine's memory."""
SHORT_RUN = ("--set", "run.start=17:00", "--set", "run.duration=20min",
             "--set", "run.warmup=5min", "--set", "run.drain=10min", "--no-plots", "--quiet")
"""The horizon of a fuzzed ``run``: 20 minutes of demand and 10 of drain."""

OK, REJECTED, FAILED = "exit 0", "exit 2", "failure"
"""The outcomes :func:`judge` sorts results into; only the last is a defect."""

Key = str | int
FieldPath = tuple[Key, ...]


class _Delete:
    """The value of a mutation that removes its field."""

    def __repr__(self) -> str:
        return "<deleted>"


DELETE = _Delete()

NUMBER_VALUES: tuple[tuple[str, object], ...] = (
    ("zero", 0), ("negative", -1), ("negative-large", -1e9), ("huge", 1e300),
    ("huge-int", 10**18), ("tiny", 1e-300), ("inf-string", "inf"), ("neg-inf-string", "-inf"),
    ("infinity-string", "infinity"), ("nan-string", "nan"), ("yaml-inf", math.inf),
    ("yaml-nan", math.nan), ("bool", True), ("text", "abc"), ("dot", "."),
    ("empty-list", []), ("empty-map", {}), ("null", None),
)
"""What a number field is turned into."""

ODD_SCALARS = (".", "-.", "._", ".e5", "0x_", "", " ", "~", "1_000", "0o", "+", "e5")
"""Plain scalars that look like numbers to a regular expression but not to ``float``."""

STRING_VALUES: tuple[tuple[str, object], ...] = (
    *((f"scalar {s!r}", s) for s in ODD_SCALARS),
    ("number", 0), ("negative-number", -5), ("bool", False), ("empty-list", []),
    ("empty-map", {}), ("null", None), ("long", "x" * 10_000),
)
"""What a string field is turned into."""

UNIT_MANGLES: tuple[tuple[str, str], ...] = (
    ("unit-inf", "inf{unit}"), ("unit-1e400", "1e400{unit}"), ("unit-nan", "nan{unit}"),
    ("unit-negative", "-{text}"), ("unit-unknown", "{number}parsecs"),
    ("unit-doubled", "{text}{text}"), ("unit-dash", "1h-{text}"), ("unit-space", "{number} {unit}"),
    ("unit-only", "{unit}"), ("unit-zero", "0{unit}"), ("unit-tiny", "1e-300{unit}"),
)
"""How a value with a unit (``"30min"``, ``"3km"``, ``"18km/h"``) is mangled."""


@dataclass(frozen=True)
class Mutation:
    """One change to one field of a shipped scenario file."""

    scenario: str
    """File name under ``scenarios/`` (``"hema_city.yaml"``)."""
    path: FieldPath
    """Where the field is: mapping keys and list indexes from the top."""
    kind: str
    """What was done, for the report (``"negative"``, ``"delete"``, ``"unit-inf"``...)."""
    value: object
    """The new value (:data:`DELETE` to remove the field)."""

    @property
    def field(self) -> str:
        """The field as a ``--set`` path: ``stores[0].pickers``."""
        out = ""
        for key in self.path:
            out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
        return out or "<top>"

    def label(self) -> str:
        """One line naming the file, field and change."""
        shown = repr(self.value)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        return f"{self.scenario}: {self.field} -> {shown} ({self.kind})"

    def apply(self, tree: object) -> object:
        """A deep copy of the parsed scenario ``tree`` with this change made."""
        out = copy.deepcopy(tree)
        if not self.path:
            return copy.deepcopy(self.value)
        parent = out
        for key in self.path[:-1]:
            parent = _child(parent, key)
        last = self.path[-1]
        new = copy.deepcopy(self.value)
        if isinstance(parent, dict):
            if self.value is DELETE:
                del parent[last]
            else:
                parent[last] = new
        elif isinstance(parent, list) and isinstance(last, int):
            if self.value is DELETE:
                parent.pop(last)
            else:
                parent[last] = new
        else:
            raise KeyError(f"{self.field}: not a field of {self.scenario}")
        return out

    def write(self, folder: Path) -> Path:
        """Write the mutated scenario into ``folder`` and return the file's path."""
        tree = yaml.safe_load((SCENARIOS / self.scenario).read_text(encoding="utf-8"))
        target = folder / self.scenario
        target.write_text(yaml.safe_dump(self.apply(tree), sort_keys=False,
                                         allow_unicode=True), encoding="utf-8")
        return target


def _child(node: object, key: Key) -> object:
    """``node[key]`` for a mapping or a list (KeyError when there is no such child)."""
    if isinstance(node, dict):
        return node[key]
    if isinstance(node, list) and isinstance(key, int):
        return node[key]
    raise KeyError(key)


def _split_unit(text: str) -> tuple[str, str] | None:
    """``("30", "min")`` for ``"30min"``: a leading number and a unit, else None."""
    i = 0
    while i < len(text) and (text[i].isdigit() or text[i] in ".-+"):
        i += 1
    number, unit = text[:i], text[i:].strip()
    if not number or not unit or not any(c.isdigit() for c in number) or ":" in unit:
        return None
    return number, unit


def _leaf_mutations(value: object) -> Iterator[tuple[str, object]]:
    """Every (kind, new value) for a leaf holding ``value``."""
    if isinstance(value, bool):
        yield from (("flip", not value), ("text", "yes please"), ("number", 2), ("null", None))
    elif isinstance(value, int | float):
        yield from NUMBER_VALUES
    elif isinstance(value, str):
        yield from STRING_VALUES
        parts = _split_unit(value)
        if parts is not None:
            number, unit = parts
            for kind, pattern in UNIT_MANGLES:
                yield kind, pattern.format(unit=unit, number=number, text=value)
    elif value is None:
        yield from (("number", 1), ("text", "abc"))


def _walk(node: object, path: FieldPath) -> Iterator[tuple[str, FieldPath, object]]:
    """(kind, path, new value) for every one-field mutation under ``node``."""
    if isinstance(node, dict):
        if path:
            yield "empty-map", path, {}
            yield "to-number", path, 1
        yield "unknown-key", (*path, "bogus_field"), 1
        for key, child in node.items():
            yield "delete", (*path, key), DELETE
            yield from _walk(child, (*path, key))
    elif isinstance(node, list):
        yield "empty-list", path, []
        yield "to-string", path, "."
        if node:
            yield "drop-first", path, node[1:]
            yield "duplicate-first", path, [node[0], *node]
        for i, child in enumerate(node):
            yield from _walk(child, (*path, i))
    else:
        for kind, value in _leaf_mutations(node):
            if not (type(value) is type(node) and value == node):  # not a no-op
                yield kind, path, value


def candidates(scenario: str) -> list[Mutation]:
    """Every one-field mutation of ``scenarios/<scenario>``, in a fixed order."""
    tree = yaml.safe_load((SCENARIOS / scenario).read_text(encoding="utf-8"))
    return [Mutation(scenario, path, kind, value) for kind, path, value in _walk(tree, ())]


def shipped() -> list[str]:
    """The shipped scenario files' names, sorted."""
    return sorted(p.name for p in SCENARIOS.glob("*.yaml"))


def sample(n: int, seed: int, scenarios: Sequence[str] | None = None,
           skip_prefixes: Sequence[str] = (), skip_kinds: Sequence[str] = ()) -> list[Mutation]:
    """``n`` distinct mutations drawn with ``random.Random(seed)`` from every candidate of
    ``scenarios`` (default: all shipped) whose field does not start with one of
    ``skip_prefixes`` and whose kind does not start with one of ``skip_kinds`` (all of
    them when fewer are left)."""
    pool = [m for s in (scenarios or shipped()) for m in candidates(s)
            if not any(m.field == p or m.field.startswith((p + ".", p + "["))
                       for p in skip_prefixes)
            and not m.kind.startswith(tuple(skip_kinds))]
    return random.Random(seed).sample(pool, min(n, len(pool)))


def accepted_sample(n: int, seed: int, folder: Path, skip_prefixes: Sequence[str] = ("run",),
                    skip_kinds: Sequence[str] = ()) -> list[Mutation]:
    """The first ``n`` mutations of the seeded order that ``validate`` accepts (exit 0,
    checked in this process in subfolders of ``folder``): the ones that reach run time,
    where a defect no longer shows as a clean load error. Fields under ``run`` are left
    out by default (a fuzzed run overrides them with its short horizon)."""
    out: list[Mutation] = []
    pool = sample(50 * n, seed, skip_prefixes=skip_prefixes, skip_kinds=skip_kinds)
    for i, mutation in enumerate(pool):
        if len(out) == n:
            break
        work = folder / f"accept-{i:05d}"
        work.mkdir(parents=True)
        if validate_in_process(mutation, work).code == 0:
            out.append(mutation)
    return out


# ----------------------------------------------------------------------------- judging


@dataclass(frozen=True)
class Outcome:
    """What the command line did with one mutation."""

    mutation: Mutation
    command: str
    code: int | None
    """Exit code; None when the time limit stopped it."""
    stderr: str
    seconds: float
    problem: str | None
    """Why this is a defect; None for exit 0 or a clean exit 2."""

    @property
    def category(self) -> str:
        """:data:`OK`, :data:`REJECTED` or :data:`FAILED`."""
        if self.problem is not None:
            return FAILED
        return OK if self.code == 0 else REJECTED

    def describe(self) -> str:
        """One line: the command, the mutation and what went wrong (or the exit code)."""
        return f"{self.command} {self.mutation.label()}: {self.problem or self.category}"


def judge(code: int | None, stderr: str, seconds: float, limit: float,
          leftovers: Sequence[str]) -> str | None:
    """Why this result breaks the contract (None when it keeps it): exit 0, or exit 2 with
    one line on stderr and no traceback, within ``limit`` seconds, leaving nothing."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    last = lines[-1][:200] if lines else ""
    if code is None:
        return f"no answer within {limit:g} s"
    if "Traceback" in stderr:
        return f"exit {code} with a traceback: {last}"
    if code == 2 and len(lines) != 1:
        return f"exit 2 with {len(lines)} lines on stderr: {last}"
    if code not in (0, 2):
        return f"exit {code}: {last}"
    if seconds > limit:
        return f"took {seconds:.1f} s (limit {limit:g} s)"
    if leftovers:
        return f"exit {code} left {', '.join(sorted(leftovers))}"
    return None


def _leftovers(folder: Path, keep: Iterable[str]) -> list[str]:
    """Entries of ``folder`` (hidden ones included) other than ``keep``."""
    return sorted(set(os.listdir(folder)) - set(keep))


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    """Cap the child's address space at :data:`MEMORY_LIMIT_BYTES`."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


def run_subprocess(mutation: Mutation, command: str, folder: Path,
                   limit: float | None = None, out: str | None = "out") -> Outcome:
    """Give ``mutation`` to ``run_sim.py validate`` or a short ``run_sim.py run`` in a child
    process working in the empty folder ``folder``. A run writes to ``--out OUT``, or with
    ``out=None`` to its default place ``results/<scenario>/<run-id>``."""
    limit = limit or (RUN_LIMIT_S if command == "run" else VALIDATE_LIMIT_S)
    target = mutation.write(folder)
    argv = [sys.executable, str(RUN_SIM), command, target.name]
    if command == "run":
        argv += [*SHORT_RUN, *(("--out", out) if out else ())]
    t0 = time.perf_counter()
    try:
        done = subprocess.run(argv, cwd=folder, capture_output=True, text=True,
                              timeout=limit, preexec_fn=_limit_memory, check=False)
        code, stderr = done.returncode, done.stderr
    except subprocess.TimeoutExpired as exc:
        code = None
        stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) \
            else (exc.stderr or "")
    seconds = time.perf_counter() - t0
    ran = code == 0 and command == "run"
    written = out or "results"
    problem = judge(code, stderr, seconds, limit,
                    _leftovers(folder, [target.name, *([written] if ran else [])]))
    if problem is None and ran:
        found = list((folder / written).glob("metrics.json" if out else "*/*/metrics.json"))
        if len(found) != 1:
            problem = f"exit 0 with {len(found)} metrics.json under {written}/"
    return Outcome(mutation, command, code, stderr, seconds, problem)


class _TimeLimit(BaseException):
    """Raised by the alarm inside a call that ran past its time limit."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise _TimeLimit


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Raise :class:`_TimeLimit` in this thread after ``seconds`` (main thread only)."""
    if sys.platform == "win32" or not _main_thread():
        yield
        return
    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def validate_in_process(mutation: Mutation, folder: Path,
                        limit: float = VALIDATE_LIMIT_S) -> Outcome:
    """Give ``mutation`` to ``sim.cli.main(["validate", FILE])`` in this process, as a
    child would see it: stdout and stderr captured, warnings printed to stderr, an
    escaping exception printed as a traceback with exit 1; the alarm stops it at
    ``limit`` seconds. The working folder is ``folder`` during the call."""
    from sim.cli import main

    target = mutation.write(folder)
    err, out = io.StringIO(), io.StringIO()
    code: int | None
    here = Path.cwd()
    t0 = time.perf_counter()
    try:
        os.chdir(folder)
        with warnings.catch_warnings(record=True) as caught, \
                contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            warnings.simplefilter("default")
            try:
                with _alarm(limit):
                    code = main(["validate", target.name])
            except _TimeLimit:
                code = None
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except Exception as exc:
                err.write("".join(traceback.format_exception(exc)))
                code = 1
        for w in caught:
            err.write(warnings.formatwarning(w.message, w.category, w.filename, w.lineno))
    finally:
        os.chdir(here)
    seconds = time.perf_counter() - t0
    problem = judge(code, err.getvalue(), seconds, limit, _leftovers(folder, [target.name]))
    return Outcome(mutation, "validate", code, err.getvalue(), seconds, problem)


def counts(outcomes: Iterable[Outcome]) -> Counter[str]:
    """How many outcomes fell in each category (all three present, zeros included)."""
    c: Counter[str] = Counter(dict.fromkeys((OK, REJECTED, FAILED), 0))
    c.update(o.category for o in outcomes)
    return c


def report(outcomes: Sequence[Outcome], title: str) -> str:
    """Counts per outcome and one line per failure."""
    c = counts(outcomes)
    head = (f"{title}: {len(outcomes)} mutations: {c[OK]} exit 0, {c[REJECTED]} clean exit 2, "
            f"{c[FAILED]} failures")
    return "\n".join([head, *("  " + o.describe() for o in outcomes if o.problem)])
