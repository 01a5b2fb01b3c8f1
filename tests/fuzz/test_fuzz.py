"""One-field mutations of the shipped scenarios through the command line never crash it.

Every mutation (:mod:`tests.fuzz.mutate`) must end in exit 0 or a clean exit 2 (one line
on stderr, no traceback), within its time limit, leaving nothing behind. The fast tests
try a small seeded sample (validate in this process, a few through a real child process,
three short runs); the ``slow`` ones a larger sample. Each prints its counts per outcome
(``pytest -s`` or ``-rP`` shows them) and lists every failure when it fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml

from tests.fuzz.mutate import (
    DELETE,
    FAILED,
    SCENARIOS,
    Mutation,
    Outcome,
    accepted_sample,
    candidates,
    report,
    run_subprocess,
    sample,
    shipped,
    validate_in_process,
)

SEED = 18
"""The fuzz seed of the test suite (issue 18); ``python -m tests.fuzz --seed N`` tries others."""


def _folder(base: Path, i: int) -> Path:
    """A fresh empty working folder for the ``i``-th mutation."""
    folder = base / f"m{i:04d}"
    folder.mkdir(parents=True)
    return folder


def _validate_all(mutations: Sequence[Mutation], base: Path) -> list[Outcome]:
    """Validate each mutation in this process, each in its own empty folder."""
    return [validate_in_process(m, _folder(base, i)) for i, m in enumerate(mutations)]


def _run_all(mutations: Sequence[Mutation], base: Path, command: str) -> list[Outcome]:
    """Give each mutation to ``run_sim.py COMMAND`` in a child process; runs alternate
    between ``--out out`` and the default ``results/<scenario>/<run-id>``."""
    return [run_subprocess(m, command, _folder(base, i), out=None if i % 2 else "out")
            for i, m in enumerate(mutations)]


def _assert_clean(outcomes: Sequence[Outcome], title: str) -> None:
    """Print the counts per outcome; fail listing every mutation that broke the contract."""
    text = report(outcomes, title)
    print(text)
    assert not any(o.category == FAILED for o in outcomes), text


def test_sampled_mutations_validate_cleanly(tmp_path: Path) -> None:
    """30 seeded one-field mutations through ``validate`` end in exit 0 or a clean exit 2
    within 10 s with nothing written."""
    outcomes = _validate_all(sample(30, SEED), tmp_path)
    _assert_clean(outcomes, "validate (in process)")


def test_in_process_validate_answers_like_a_child_process(tmp_path: Path) -> None:
    """The in-process harness is faithful: a clean exit 2, an exit 0 and a crash each give
    the same exit code, outcome and last stderr line through a real ``run_sim.py
    validate`` child (whatever today's code does with them)."""
    mutations = [Mutation("drones.yaml", ("store_defaults", "pickers"), "negative", -1),
                 Mutation("drones.yaml", ("seed",), "zero", 0),
                 Mutation("drones.yaml", ("name",), "scalar '.'", ".")]
    inside = _validate_all(mutations, tmp_path / "in")
    outside = _run_all(mutations, tmp_path / "out", "validate")
    print(report(outside, "validate (child process)"))
    for a, b in zip(inside, outside, strict=True):
        assert (a.code, a.category) == (b.code, b.category), (a.describe(), b.describe())
        assert a.stderr.strip().splitlines()[-1:] == b.stderr.strip().splitlines()[-1:]


def test_sampled_mutations_run_cleanly(tmp_path: Path) -> None:
    """A 20-minute ``run`` (``--out`` and the default results folder) of two seeded
    mutations that ``validate`` accepts and one drawn at random (outside ``run``, which the
    short horizon overrides): exit 0 with a results folder, or a clean exit 2 with no
    folder and no hidden staging folder, within 60 s."""
    mutations = [*accepted_sample(2, SEED, tmp_path / "accept"),
                 *sample(1, SEED, skip_prefixes=("run",))]
    _assert_clean(_run_all(mutations, tmp_path / "run", "run"), "run (child process)")


@pytest.mark.slow
def test_many_mutations_validate_cleanly(tmp_path: Path) -> None:
    """1,000 seeded one-field mutations through ``validate``."""
    outcomes = _validate_all(sample(1000, SEED + 100), tmp_path)
    _assert_clean(outcomes, "validate (in process)")


@pytest.mark.slow
def test_many_mutations_run_cleanly(tmp_path: Path) -> None:
    """40 seeded one-field mutations that ``validate`` accepts, and 10 drawn at random,
    through a short ``run`` in a child process."""
    mutations = [*accepted_sample(40, SEED + 100, tmp_path / "accept"),
                 *sample(10, SEED + 100, skip_prefixes=("run",))]
    _assert_clean(_run_all(mutations, tmp_path, "run"), "run (child process)")


def test_mutations_are_seeded_and_change_exactly_one_field() -> None:
    """The same seed draws the same mutations, another seed others, and each written
    file differs from its shipped scenario in the one field named (so the fuzzer cannot
    quietly test the unchanged file)."""
    first, again, other = sample(40, SEED), sample(40, SEED), sample(40, SEED + 1)
    assert [m.label() for m in first] == [m.label() for m in again]
    assert [m.label() for m in first] != [m.label() for m in other]
    kinds = {m.kind for s in shipped() for m in candidates(s)}
    assert {"delete", "zero", "negative", "huge", "tiny", "inf-string", "yaml-inf",
            "nan-string", "text", "empty-list", "empty-map", "unit-inf", "unit-unknown",
            "scalar '.'"} <= kinds
    for m in first[:15]:
        original = yaml.safe_load((SCENARIOS / m.scenario).read_text(encoding="utf-8"))
        mutated = m.apply(original)
        before, after = original, mutated
        for key in m.path[:-1]:
            before, after = before[key], after[key]
        last = m.path[-1]
        if m.value is DELETE:
            assert len(after) == len(before) - 1, m.label()
            continue
        got = after[last]
        assert got == m.value or (got != got and m.value != m.value), m.label()  # NaN
        if (isinstance(before, dict) and last in before) or isinstance(before, list):
            assert not (type(got) is type(before[last]) and got == before[last]), m.label()
