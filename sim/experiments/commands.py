"""The ``sweep``, ``compare`` and ``report`` subcommands of ``run_sim.py``.

They are registered by :func:`sim.cli.build_parser` and follow its conventions: input
errors raise :class:`ScenarioError` (one line, exit code 2); a sweep whose runs partly
failed still writes everything and returns exit code 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.experiments.spec import KpiSpec
from sim.scenario.errors import EXIT_INTERNAL, EXIT_OK, ScenarioError

if TYPE_CHECKING:
    from sim.experiments.plan import Plan
    from sim.experiments.sweep import SweepResult


def _sweep_lines(result: SweepResult) -> list[str]:
    """How a sweep went and, per KPI, each cell's mean and difference with the base
    (numbers and verdicts as the report shows them: see :mod:`sim.core.format`)."""
    from sim.core.format import metric_info
    from sim.report.experiment_report import kpi_heading, kpi_verdicts

    design, comp = result.design, result.comparison
    done = f"{result.ran} run now" + (f", {result.already_done} done before"
                                      if result.already_done else "")
    lines = [f"{design.name}: {len(result.runs)} of {len(design.runs())} runs in the tables "
             f"({done}), {result.failed} failed, {result.wall_seconds:.1f} s on "
             f"{result.backend} ({result.workers} worker{'s' if result.workers != 1 else ''})"]
    labels = {c.folder: design.label(c) for c in design.cells}
    width = max(len(v) for v in labels.values())
    verdicts = kpi_verdicts(design, comp)
    for kpi in design.kpis:
        info = metric_info(kpi.metric)
        lines.append(f"  {kpi_heading(kpi)}: mean +- {design.confidence:.0%} half-width, "
                     "difference with the base")
        for _, r in comp[comp["kpi"] == kpi.metric].iterrows():
            head = (f"    {labels[r['cell']]:<{width}}  {info.value(r['mean'])} +- "
                    f"{info.spread(r['half_width'])}")
            said = verdicts.get((r["cell"], kpi.metric), str(r["verdict"]))
            if said == "base":
                lines.append(f"{head}  base")
            else:
                lines.append(f"{head}  {info.diff(r['diff_mean'])} "
                             f"[{info.diff(r['diff_low'])}, {info.diff(r['diff_high'])}] "
                             f"{said}")
    return lines


def _execute(plan: Plan, args: argparse.Namespace) -> int:
    """Run a plan as the sweep and compare commands do, write tables and report."""
    from sim.core.tablefiles import require
    from sim.experiments.sweep import execute_plan

    table_format = require(args.format)
    backend = args.backend or ("dask" if args.address else "processes")
    from sim.outputs import inside

    out = (Path(args.out) if args.out
           else inside(Path(args.results), Path(args.results) / plan.design.name, "name"))
    result = execute_plan(plan, out, backend, args.workers, args.address, args.resume,
                          "metrics" if args.no_tables else "tables", args.plots,
                          progress=not args.quiet, table_format=table_format)
    if (result.runs["status"] == "ok").any():
        from sim.scenario.errors import did_you_mean

        metrics = [c for c in result.runs.columns if "." in c]
        for kpi in plan.design.kpis:
            if kpi.metric not in result.runs.columns:
                print(f"warning: KPI '{kpi.metric}' is not among the runs' metrics"
                      f"{did_you_mean(kpi.metric, metrics)}", file=sys.stderr)
    report = None
    if not args.no_report:
        from sim.report.experiment_report import write_report

        report = write_report(out, design=result.design, runs=result.runs,
                              comparison=result.comparison)
    if args.quiet:
        print(out)
    else:
        for line in _sweep_lines(result):
            print(line)
        suffix = ".parquet" if table_format == "parquet" else ".csv"
        files = f"runs{suffix}, comparison{suffix}" + (", report.html" if report else "")
        print(f"  results: {out}  ({files})")
    if result.failed:
        print(f"error: {result.failed} run(s) failed; their errors are in runs.csv and each "
              "run folder's error.txt (the other runs are complete)", file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_OK


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run an experiment file: every variant x factor combination x replication."""
    from sim.experiments.plan import load_plan

    plan = load_plan(args.file, args.replications, sets=args.set or ())
    _check_before_running(plan, args.file)
    return _execute(plan, args)


def _check_before_running(plan: Plan, source: str) -> None:
    """The checks `validate` makes, before the first run: KPIs (an error, exit 2) and
    cells that cannot deliver anything (a warning)."""
    from sim.experiments.checks import check_kpis, plan_warnings

    check_kpis(plan, source)
    for warning in plan_warnings(plan):
        print(f"warning: {source}: {warning}", file=sys.stderr)


def validate_experiment_file(path: str, overrides: Sequence[str] = ()) -> int:
    """`validate` of an experiment file: expand and check every cell and KPI, run nothing.

    ``--set`` overrides do not apply to experiments (their overrides are in the file).
    """
    from sim.experiments.checks import describe
    from sim.experiments.plan import load_plan

    if overrides:
        raise ScenarioError("--set applies to scenario files; an experiment's overrides "
                            "are written in the file", (), path)
    plan = load_plan(path)
    _check_before_running(plan, path)
    print(f"{path}: ok: {describe(plan)}")
    return EXIT_OK


def _kpi_option(text: str) -> KpiSpec:
    metric, sep, better = text.rpartition(":")
    if not sep or better not in ("higher", "lower") or not metric:
        raise ScenarioError(f"--kpi needs METRIC:higher or METRIC:lower, got {text!r}")
    return KpiSpec(metric=metric, better=better)


def cmd_compare(args: argparse.Namespace) -> int:
    """Compare scenario files over the same replications (common random numbers)."""
    from sim.experiments.plan import load_scenarios_plan
    from sim.experiments.spec import DEFAULT_KPIS

    if args.seeds:
        try:
            seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
        except ValueError:
            raise ScenarioError(f"--seeds needs whole numbers like 1,2,3, got {args.seeds!r}"
                                ) from None
    else:
        if args.replications < 1:
            raise ScenarioError("--replications must be >= 1")
        seeds = list(range(args.base_seed, args.base_seed + args.replications))
    kpis = [_kpi_option(k) for k in args.kpi] if args.kpi else list(DEFAULT_KPIS)
    plan = load_scenarios_plan(args.files, seeds, args.set or (), kpis)
    _check_before_running(plan, "--kpi" if args.kpi else ", ".join(args.files))
    return _execute(plan, args)


def cmd_report(args: argparse.Namespace) -> int:
    """Write the HTML report of a sweep's or a single run's results folder."""
    from sim.experiments.store import PLAN
    from sim.outputs import check_file
    from sim.report.experiment_report import write_report
    from sim.runfolder import METRICS

    folder, output = Path(args.folder), Path(args.output) if args.output else None
    if output is not None:
        check_file(output, lambda head: b"omnisim" in head, "report -o")
    if (folder / METRICS).is_file() and not (folder / PLAN).is_file():
        from sim.report.run_report import write_run_report

        print(write_run_report(folder, output))
        return EXIT_OK
    path = write_report(folder, output)
    print(path)
    return EXIT_OK


def _sweep_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", help="results folder (default: RESULTS/<experiment name>)")
    p.add_argument("--results", default="results", help="base folder for results")
    p.add_argument("--backend", choices=("serial", "processes", "dask"),
                   help="where runs execute (default: processes; dask with --address)")
    p.add_argument("--workers", type=int, help="worker processes (default: all cores)")
    p.add_argument("--address", help="Dask scheduler, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--resume", action="store_true",
                   help="complete the results in --out: run only what is missing or failed")
    p.add_argument("--no-tables", action="store_true",
                   help="keep only metrics.json per run, not the record CSVs")
    p.add_argument("--plots", action="store_true", help="draw each run's figures too")
    p.add_argument("--no-report", action="store_true", help="skip report.html")
    p.add_argument("--format", choices=("csv", "parquet"), default="csv",
                   help="record and sweep tables as CSV (default) or Parquet (needs pyarrow)")
    p.add_argument("--quiet", action="store_true", help="print only the results folder")


def add_experiment_commands(sub: Any) -> None:
    """Add the subcommands to ``run_sim.py``'s subparsers."""
    w = sub.add_parser("sweep", help="run an experiment: variants x factors x replications")
    w.add_argument("file", help="experiment YAML file")
    w.add_argument("--replications", type=int,
                   help="replications (replaces the file's; seeds base_seed, base_seed+1, ...)")
    w.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="override a field in every cell (repeatable; not a path the "
                        "variants or factors set)")
    _sweep_options(w)
    w.set_defaults(func=cmd_sweep)

    c = sub.add_parser("compare", help="compare scenario files over the same replications")
    c.add_argument("files", nargs="+", help="scenario YAML files; the first is the base")
    c.add_argument("--replications", type=int, default=10, help="replications (default 10)")
    c.add_argument("--base-seed", type=int, default=0, help="seed of the first replication")
    c.add_argument("--seeds", help="explicit seeds, comma-separated (instead of --replications)")
    c.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="override a field in every scenario (repeatable)")
    c.add_argument("--kpi", action="append", metavar="METRIC:higher|lower",
                   help="a KPI to compare (repeatable; default: the standard set)")
    _sweep_options(c)
    c.set_defaults(func=cmd_compare)

    rp = sub.add_parser("report", help="write the HTML report of a run's or a sweep's "
                        "results folder")
    rp.add_argument("folder", help="results folder of a run, a sweep or a compare")
    rp.add_argument("--output", "-o", help="HTML file (default: FOLDER/report.html)")
    rp.set_defaults(func=cmd_report)
