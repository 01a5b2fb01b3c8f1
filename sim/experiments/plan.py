"""Expand an experiment into its design cells and runs, every scenario validated up front.

A *cell* is one point of the design: a variant crossed with one combination of factor
values. Each cell is a fully validated :class:`Scenario`; each run is a cell with one
replication's seed. Replication ``k`` uses the same seed in every cell (common random
numbers), so the runs of two cells with the same seed are a pair.

Overrides are applied to the base scenario's parsed YAML in this order: the experiment's
``overrides``, its ``warmup``, the variant's overrides, then the factor values; a later
one wins on the same path. A value that makes a bad scenario fails here, naming the
experiment field it came from, before any run starts.

:class:`Design` is what a results folder records about the experiment (``plan.json``):
it is enough to re-tabulate, compare and report without the scenario files.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sim import __version__
from sim.experiments.spec import DEFAULT_KPIS, ExperimentSpec, KpiSpec
from sim.metrics.window import MetricContext
from sim.scenario.base import without_quiet_defaults
from sim.scenario.calendar import roster_peak
from sim.scenario.errors import ScenarioError, format_path
from sim.scenario.loading import (
    _line_of,
    load_yaml,
    override_of,
    parse_override,
    parse_path,
    read_scenario,
    read_text,
    set_path,
    validate_scenario,
)
from sim.scenario.schema import Scenario
from sim.scenario.units import si_text

IMPLICIT_VARIANT = "base"
"""The variant's name when an experiment lists no variants."""

_UNSAFE = re.compile(r"[^A-Za-z0-9_.=+-]+")


def value_text(value: Any) -> str:
    """A factor value as short text: scalars as written, others as compact JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float | str):
        return str(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def quiet_json(scenario: Scenario) -> str:
    """The scenario as compact JSON (as ``model_dump_json``) without the fields left at
    their quiet defaults, so adding a calendar field changes no digest of a scenario
    that does not use it."""
    dump = without_quiet_defaults(scenario, scenario.model_dump(mode="json"))
    return json.dumps(dump, separators=(",", ":"), ensure_ascii=False)


def _digest(text: str, n: int = 16) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def _folder_name(variant: str, factors: dict[str, Any]) -> str:
    parts = [variant] + [f"{k}={value_text(v)}" for k, v in factors.items()]
    name = _UNSAFE.sub("_", "__".join(parts)).strip("_.") or "cell"
    if len(name) > 100:
        name = f"{name[:80]}-{_digest(name, 8)}"
    return name


def scenario_summary(sc: Scenario) -> dict[str, Any]:
    """The few figures a report shows about a scenario."""
    run = sc.run
    out: dict[str, Any] = {
        "scenario": sc.name,
        "description": sc.description.strip(),
        "stores": len(sc.stores),
        "pickers": sum(roster_peak(s.pickers) for s in sc.stores),
        "couriers": sum(roster_peak(f.count) for s in sc.stores for f in s.fleets)
        + sum(roster_peak(w.couriers.count) for w in sc.warehouses),
        "online orders per day": sc.demand.online.orders_per_day,
        "walk-ins per day": sum(s.walkins_per_day for s in sc.stores),
        "start (h)": run.start / 3600,
        "demand for (h)": run.duration / 3600,
        "warm-up (h)": run.warmup / 3600,
        "drain (h)": run.drain / 3600,
        "promise (min)": sc.promise.window / 60,
    }
    out["promise policy"] = sc.promise.policy
    out["assignment policy"] = sc.assignment.policy
    out["dispatch policy"] = sc.dispatch.policy
    out["warehouses"] = len(sc.warehouses)
    return out


@dataclass(frozen=True)
class CellInfo:
    """One design point as recorded in a results folder."""

    variant: str
    factors: dict[str, Any]
    folder: str
    digest: str
    window: dict[str, float]
    summary: dict[str, Any]
    overrides: dict[str, Any] = field(default_factory=dict)

    def context(self) -> MetricContext:
        """The measured window of this cell's runs."""
        w = self.window
        return MetricContext(start=w["start"], end=w["end"], stop=w["stop"],
                             promise=w["promise"])


@dataclass(frozen=True)
class PlannedRun:
    """Replication ``replication`` (seed ``seed``) of cell number ``cell``."""

    cell: int
    replication: int
    seed: int
    folder: str

    @property
    def key(self) -> str:
        """The run's folder relative to the results folder."""
        return self.folder


@dataclass(frozen=True)
class Design:
    """The experiment's cells, seeds, KPIs and base: everything but the scenarios."""

    name: str
    description: str
    seeds: tuple[int, ...]
    kpis: tuple[KpiSpec, ...]
    variants: tuple[str, ...]
    base_variant: str
    factors: tuple[str, ...]
    confidence: float
    cells: tuple[CellInfo, ...]
    source: str = ""
    sim_version: str = __version__

    def short_names(self) -> dict[str, str]:
        """Each factor's shortest unambiguous name (its last path part when unique)."""
        last = {f: str(parse_path(f)[-1]) if parse_path(f) else f for f in self.factors}
        counts: dict[str, int] = {}
        for name in last.values():
            counts[name] = counts.get(name, 0) + 1
        return {f: (n if counts[n] == 1 else f) for f, n in last.items()}

    def label(self, cell: CellInfo) -> str:
        """A cell's name in tables and plots: ``batch, count=70``."""
        short = self.short_names()
        parts = [cell.variant] if len(self.variants) > 1 or not self.factors else []
        parts += [f"{short[k]}={value_text(v)}" for k, v in cell.factors.items()]
        return ", ".join(parts)

    def base_of(self, cell: CellInfo) -> CellInfo:
        """The cell a cell is compared with: the base variant at the same factor values
        when there are several variants, else the first factor combination."""
        if len(self.variants) > 1:
            for c in self.cells:
                if c.variant == self.base_variant and c.factors == cell.factors:
                    return c
        return self.cells[0]

    def runs(self) -> list[PlannedRun]:
        """Every run in table order: cell by cell, replications in order."""
        return [PlannedRun(i, k, seed, f"runs/{cell.folder}/s{seed}")
                for i, cell in enumerate(self.cells) for k, seed in enumerate(self.seeds)]

    def to_json(self) -> dict[str, Any]:
        """The design as JSON-ready data (``plan.json``)."""
        return {
            "name": self.name, "description": self.description, "source": self.source,
            "sim_version": self.sim_version, "seeds": list(self.seeds),
            "kpis": [k.model_dump(exclude_none=True) for k in self.kpis],
            "variants": list(self.variants), "base_variant": self.base_variant,
            "factors": list(self.factors), "confidence": self.confidence,
            "cells": [vars(c) for c in self.cells],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Design:
        """Read back :meth:`to_json`."""
        return cls(
            name=data["name"], description=data.get("description", ""),
            seeds=tuple(data["seeds"]),
            kpis=tuple(KpiSpec.model_validate(k) for k in data["kpis"]),
            variants=tuple(data["variants"]), base_variant=data["base_variant"],
            factors=tuple(data["factors"]), confidence=float(data["confidence"]),
            cells=tuple(CellInfo(**c) for c in data["cells"]),
            source=data.get("source", ""), sim_version=data.get("sim_version", ""),
        )


@dataclass(frozen=True)
class Plan:
    """A design and the validated scenario of each of its cells."""

    design: Design
    scenarios: tuple[Scenario, ...]
    text: str | None = None
    """The experiment file's YAML, when read from one (copied into the results folder)."""

    def with_seeds(self, seeds: Sequence[int]) -> Plan:
        """The same plan with other replications."""
        seeds = _checked_seeds(seeds)
        return replace(self, design=replace(self.design, seeds=tuple(seeds)))

    def with_replications(self, replications: int, base_seed: int) -> Plan:
        """The same plan with ``replications`` replications, seeds ``base_seed, ...``."""
        if replications < 1:
            raise ScenarioError("--replications must be >= 1")
        return self.with_seeds(range(base_seed, base_seed + replications))


def _checked_seeds(seeds: Iterable[int]) -> list[int]:
    out = list(seeds)
    if not out:
        raise ScenarioError("needs at least one replication", ("replications",))
    for s in out:
        if s < 0:
            raise ScenarioError(f"seeds must be >= 0 (got {s})", ("seeds",))
    if len(set(out)) != len(out):
        raise ScenarioError("a seed is listed twice", ("seeds",))
    return out


def make_cell(scenario: Scenario, variant: str, factors: dict[str, Any],
              overrides: dict[str, Any], folder: str) -> CellInfo:
    """The record of a validated cell scenario."""
    ctx = MetricContext.of(scenario)
    return CellInfo(variant=variant, factors=factors, folder=folder,
                    digest=_digest(quiet_json(scenario)),
                    window={"start": ctx.start, "end": ctx.end, "stop": ctx.stop,
                            "promise": ctx.promise},
                    summary=scenario_summary(scenario), overrides=overrides)


def _unique_folders(names: list[str]) -> list[str]:
    out, seen = [], set()
    for i, name in enumerate(names):
        if name in seen:
            name = f"{name}-{i}"
        seen.add(name)
        out.append(name)
    return out


# --------------------------------------------------------------------------- experiments

Layer = tuple[tuple[str | int, ...], str, Any]  # (experiment field, override path, value)


def _cell_scenario(spec: ExperimentSpec, raw: Any, scenario_text: str, layers: list[Layer],
                   source: str, text: str | None, where: str) -> Scenario:
    """Apply the layers to the base scenario's mapping and validate the result."""
    data = copy.deepcopy(raw)
    paths = []
    for loc, key, value in layers:
        path = parse_path(key)
        paths.append(path)
        try:
            set_path(data, path, copy.deepcopy(value))
        except ScenarioError as exc:
            inner = f"{format_path(exc.path)}: " if exc.path else ""
            raise ScenarioError(inner + exc.message, loc, source,
                                _line_of(text, loc) if text else None) from None
    scenario_file = Path(spec.scenario)
    try:
        return validate_scenario(data, str(scenario_file), scenario_text,
                                 scenario_file.parent, paths)
    except ScenarioError as exc:
        i = override_of(exc.path, paths) if exc.source == "--set" else None
        if i is not None:  # the bad value came from the experiment: name it
            loc, path = layers[i][0], paths[i]
            full = (*loc, *exc.path[len(path):])  # down into a mapping value
            line = (_line_of(text, full) or _line_of(text, loc)) if text else None
            raise ScenarioError(exc.message, full, source, line) from None
        raise ScenarioError(f"{where}: {exc}", (), source) from None


def plan_experiment(spec: ExperimentSpec, source: str = "<string>",
                    text: str | None = None, sets: Sequence[str] = ()) -> Plan:
    """Expand an experiment into cells (variants x factor grid), validating each one.

    ``source`` and ``text`` (the experiment file's name and YAML) let errors name the
    experiment field and line a bad override came from. ``sets`` are ``--set
    PATH=VALUE`` overrides for every cell, applied after the experiment's ``overrides``
    and ``warmup`` and before the variants and factors, which may not set the same path
    (that would make the cells alike): an error in one names ``--set``.
    """
    scenario_text = read_text(spec.scenario)
    raw = load_yaml(scenario_text, spec.scenario)
    variants = dict(spec.variants) or {IMPLICIT_VARIANT: {}}
    base_variant = spec.base or next(iter(variants))
    common: list[Layer] = [(("overrides", k), k, v) for k, v in spec.overrides.items()]
    if spec.warmup is not None:
        # the validated warm-up is seconds: written with its unit, as a scenario must
        common.append((("warmup",), "run.warmup", si_text(spec.warmup, "s")))
    varied = set(spec.factors) | {k for over in variants.values() for k in over}
    for item in sets:
        key = item.partition("=")[0].strip()
        _, value = parse_override(item)
        if key in varied:
            raise ScenarioError(f"{key} is set by the experiment's variants or factors, so "
                                "--set would make the cells alike", (), "--set")
        common.append((("--set", key), key, value))
    names = list(spec.factors)
    grid = list(itertools.product(*(range(len(v)) for v in spec.factors.values())))
    cells, scenarios, folders = [], [], []
    for variant, over in variants.items():
        for combo in grid:
            factors = {k: spec.factors[k][i] for k, i in zip(names, combo, strict=True)}
            layers = common + [(("variants", variant, k), k, v) for k, v in over.items()]
            layers += [(("factors", k, i), k, spec.factors[k][i])
                       for k, i in zip(names, combo, strict=True)]
            where = f"variant '{variant}'" + "".join(
                f", {k}={value_text(v)}" for k, v in factors.items())
            sc = _cell_scenario(spec, raw, scenario_text, layers, source, text, where)
            effective = {k: v for _, k, v in layers}
            cells.append((variant, factors, effective))
            scenarios.append(sc)
            folders.append(_folder_name(variant, factors))
    folders = _unique_folders(folders)
    seeds = _checked_seeds(spec.seed_list)
    design = Design(
        name=spec.name, description=spec.description.strip(), seeds=tuple(seeds),
        kpis=tuple(spec.kpis), variants=tuple(variants), base_variant=base_variant,
        factors=tuple(names), confidence=spec.confidence,
        cells=tuple(make_cell(sc, v, f, o, folder) for (v, f, o), sc, folder
                    in zip(cells, scenarios, folders, strict=True)),
        source=source)
    return Plan(design, tuple(scenarios))


def load_plan(path: str | Path, replications: int | None = None,
              seeds: Sequence[int] | None = None, sets: Sequence[str] = ()) -> Plan:
    """Read an experiment file and expand it; ``replications``/``seeds`` replace the
    file's replications (seeds ``base_seed, base_seed + 1, ...``); ``sets`` are
    ``--set`` overrides for every cell (see :func:`plan_experiment`)."""
    from sim.experiments.loading import parse_experiment

    p = Path(path)
    text = read_text(p)
    spec = parse_experiment(text, str(path), base_dir=p.resolve().parent)
    try:
        planned = plan_experiment(spec, str(path), text, sets)
    except ScenarioError as exc:
        if exc.path[:1] != ("--set",):
            raise
        raise ScenarioError(exc.message, exc.path[1:], "--set") from None
    plan = replace(planned, text=text)
    if seeds is not None:
        plan = plan.with_seeds(seeds)
    elif replications is not None:
        plan = plan.with_replications(replications, spec.base_seed)
    return plan


# --------------------------------------------------------------------------- scenarios


def _variant_names(names: list[str]) -> list[str]:
    out: list[str] = []
    for i, name in enumerate(names):
        name = _UNSAFE.sub("_", name).strip("_.") or f"v{i}"
        out.append(name if name not in out else f"{name}-{i + 1}")
    return out


def plan_scenarios(scenarios: Sequence[Scenario], names: Sequence[str], seeds: Sequence[int],
                   kpis: Sequence[KpiSpec] = DEFAULT_KPIS, name: str = "compare",
                   description: str = "", confidence: float = 0.95,
                   sources: Sequence[str] = ()) -> Plan:
    """A plan comparing whole scenarios, one variant each, the first as the base."""
    if not scenarios:
        raise ScenarioError("needs at least one scenario")
    variants = _variant_names(list(names))
    srcs = list(sources) + [""] * (len(scenarios) - len(sources))
    cells = tuple(make_cell(sc, v, {}, {"scenario": src} if src else {}, v)
                  for sc, v, src in zip(scenarios, variants, srcs, strict=True))
    design = Design(name=name, description=description, seeds=tuple(_checked_seeds(seeds)),
                    kpis=tuple(kpis), variants=tuple(variants), base_variant=variants[0],
                    factors=(), confidence=confidence, cells=cells,
                    source=", ".join(sources))
    return Plan(design, tuple(scenarios))


def load_scenarios_plan(files: Sequence[str | Path], seeds: Sequence[int],
                        overrides: Sequence[str] = (),
                        kpis: Sequence[KpiSpec] = DEFAULT_KPIS) -> Plan:
    """Compare scenario files (``run_sim.py compare A.yaml B.yaml``); variants are named
    after the scenarios (or the files when two scenarios share a name)."""
    scenarios = [read_scenario(f, overrides) for f in files]
    names = [sc.name for sc in scenarios]
    if len(set(names)) < len(names):
        names = [Path(f).stem for f in files]
    name = "compare-" + "-vs-".join(_variant_names(names))
    if len(name) > 64:
        name = f"compare-{_digest(name, 8)}"
    return plan_scenarios(scenarios, names, seeds, kpis, name=name,
                          description=f"{len(files)} scenarios compared",
                          sources=[str(f) for f in files])
