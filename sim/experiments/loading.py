"""Read an experiment file into a validated :class:`ExperimentSpec`, or fail in one line.

The same rules as scenario files: ``yaml.safe_load`` (without base-60 numbers), unknown
keys are errors with a did-you-mean, and every error names the field and the line it
came from. Override paths (``store_defaults.couriers.count``) are checked to be paths
here; whether their values make a valid scenario is checked when the experiment is
expanded (:mod:`sim.experiments.plan`), before anything runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.experiments.spec import ExperimentSpec
from sim.scenario.errors import ScenarioError
from sim.scenario.loading import _line_of, load_yaml, parse_path, read_text, validation_error

Loc = tuple[str | int, ...]


def _located(exc: ScenarioError, source: str, text: str | None) -> ScenarioError:
    line = _line_of(text, exc.path) if text is not None else None
    return ScenarioError(exc.message, exc.path, source, line)


def _check_paths(spec: ExperimentSpec) -> None:
    """Every override and factor key must be a dotted path."""
    keyed: list[tuple[Loc, str]] = [(("overrides", k), k) for k in spec.overrides]
    keyed += [(("variants", v, k), k) for v, over in spec.variants.items() for k in over]
    keyed += [(("factors", k), k) for k in spec.factors]
    for loc, key in keyed:
        try:
            parts = parse_path(key)
        except ScenarioError:
            parts = []
        if not parts:
            raise ScenarioError(f"cannot read the path {key!r} (write e.g. "
                                "store_defaults.couriers.count or stores[0].pickers)", loc)


def _check_lists(spec: ExperimentSpec) -> None:
    if spec.seeds is not None:
        seen: set[int] = set()
        for i, seed in enumerate(spec.seeds):
            if seed in seen:
                raise ScenarioError(f"seed {seed} is listed twice", ("seeds", i))
            seen.add(seed)
    metrics: set[str] = set()
    for i, kpi in enumerate(spec.kpis):
        if kpi.metric in metrics:
            raise ScenarioError(f"'{kpi.metric}' is listed twice", ("kpis", i, "metric"))
        metrics.add(kpi.metric)
    if not spec.kpis:
        raise ScenarioError("must list at least one KPI", ("kpis",))
    for k, values in spec.factors.items():
        shown = [repr(v) for v in values]
        for i, v in enumerate(shown):
            if v in shown[:i]:
                raise ScenarioError(f"value {values[i]!r} is listed twice", ("factors", k, i))


def validate_experiment(data: Any, source: str = "<string>", text: str | None = None,
                        base_dir: Path | None = None) -> ExperimentSpec:
    """Validate a parsed experiment mapping (the scenario path resolves against
    ``base_dir``)."""
    if not isinstance(data, Mapping):
        raise ScenarioError("an experiment must be a mapping of fields at the top level",
                            (), source)
    data = dict(data)
    variants = data.get("variants")
    if isinstance(variants, Mapping):  # `name:` with nothing after it means no overrides
        data["variants"] = {k: ({} if v is None else v) for k, v in variants.items()}
    try:
        spec = ExperimentSpec.model_validate(
            data, context={"base_dir": base_dir or Path.cwd()})
        _check_paths(spec)
        _check_lists(spec)
    except ValidationError as exc:
        raise _located(validation_error(exc, data, ExperimentSpec), source, text) from None
    except ScenarioError as exc:
        raise _located(exc, source, text) from None
    return spec


def parse_experiment(text: str, source: str = "<string>",
                     base_dir: Path | None = None) -> ExperimentSpec:
    """Parse and validate experiment YAML text."""
    return validate_experiment(load_yaml(text, source), source, text, base_dir)


def read_experiment(path: str | Path) -> ExperimentSpec:
    """Read, parse and validate an experiment file."""
    p = Path(path)
    return parse_experiment(read_text(p), str(path), base_dir=p.resolve().parent)
