"""Command line: ``run``, ``validate``, ``schema``, ``sweep``, ``compare`` and ``report``.

Exit codes: 0 success; 2 bad input (one line on stderr naming the field, no traceback,
nothing written); 1 internal error (the traceback goes into the run folder's
``error.txt``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sim.scenario.errors import ScenarioError

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2


class UsageError(Exception):
    """Bad command-line usage (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line via :class:`UsageError`."""

    def error(self, message: str) -> Any:
        raise UsageError(f"{self.prog}: {message}")


def _fmt_pct(x: Any) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _fmt_min(x: Any) -> str:
    return "n/a" if x is None else f"{x:.1f}"


def summary_lines(metrics: dict[str, Any], name: str, seed: int) -> list[str]:
    """A few lines on how the promise held, for the terminal."""
    o, s = metrics["orders"], metrics["sla"]
    c2d = s["click_to_door_min"]
    util = metrics.get("utilisation", {})
    parts = [f"{k} {_fmt_pct(v['overall'])}" for k, v in util.items()]
    inv = metrics.get("inventory", {})
    reasons = ", ".join(f"{k} {v}" for k, v in o["rejected"]["by_reason"].items()) or "none"
    return [
        f"{name} (seed {seed}): {o['created']} orders created in the measured window, "
        f"{o['accepted']} accepted, {o['rejected']['total']} rejected ({reasons})",
        f"  on time {_fmt_pct(s['on_time_rate'])} within {s['promise_min']:g} min; "
        f"click-to-door p50 {_fmt_min(c2d['p50'])}, p90 {_fmt_min(c2d['p90'])}, "
        f"p95 {_fmt_min(c2d['p95'])} min; {o['in_progress_at_end']} still in progress",
        "  utilisation: " + (", ".join(parts) or "n/a"),
        f"  stock-outs {inv.get('stockout_events', 0)}, "
        f"lost walk-in units {inv.get('lost_walkin_units', 0)}",
    ]


# --------------------------------------------------------------------------- commands


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario and write its results folder."""
    from sim.runner import new_run_dir, run, write_failure, write_run
    from sim.scenario.loading import read_scenario

    scenario = read_scenario(args.file, args.set or ())
    seed = scenario.seed if args.seed is None else args.seed
    if seed < 0:
        raise ScenarioError("--seed must be >= 0")
    folder = Path(args.out) if args.out else new_run_dir(Path(args.results), scenario, seed)
    try:
        result = run(scenario, seed, progress=not args.quiet)
    except ScenarioError:
        raise
    except Exception as exc:
        where = write_failure(scenario, seed, exc, folder)
        print(f"error: internal error during the run: {exc!r}; traceback in {where}",
              file=sys.stderr)
        return EXIT_INTERNAL
    write_run(result, folder, plots=not args.no_plots)
    if not args.quiet:
        for line in summary_lines(result.metrics, scenario.name, seed):
            print(line)
        print(f"  results: {folder}  ({result.wall_seconds:.1f} s)")
    else:
        print(folder)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a scenario file and say what it contains."""
    from sim.scenario.loading import read_scenario

    sc = read_scenario(args.file, args.set or ())
    fleet = sum(s.couriers.count for s in sc.stores)
    print(f"{args.file}: ok: scenario '{sc.name}', {len(sc.stores)} stores, "
          f"{sc.demand.online.orders_per_day:g} online orders/day, {fleet} couriers, "
          f"{sc.run.duration / 3600:g} h from {sc.run.start / 3600:g} h")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of scenario files."""
    from sim.scenario.schema import Scenario

    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    text = json.dumps(schema, indent=2) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _sweep_lines(result: Any) -> list[str]:
    """How a sweep went and, per KPI, each cell's mean and difference with the base."""
    design, comp = result.design, result.comparison
    done = f"{result.ran} run now" + (f", {result.already_done} done before"
                                      if result.already_done else "")
    lines = [f"{design.name}: {len(result.runs)} of {len(design.runs())} runs in the tables "
             f"({done}), {result.failed} failed, {result.wall_seconds:.1f} s on "
             f"{result.backend} ({result.workers} worker{'s' if result.workers != 1 else ''})"]
    labels = {c.folder: design.label(c) for c in design.cells}
    width = max(len(v) for v in labels.values())
    for kpi in design.kpis:
        lines.append(f"  {kpi.label or kpi.metric} ({kpi.better} is better; mean +- "
                     f"{design.confidence:.0%} half-width, difference with the base)")
        for _, r in comp[comp["kpi"] == kpi.metric].iterrows():
            head = f"    {labels[r['cell']]:<{width}}  {_num(r['mean'])} +- {_num(r['half_width'])}"
            if r["verdict"] == "base":
                lines.append(f"{head}  base")
            else:
                lines.append(f"{head}  {_num(r['diff_mean'], True)} "
                             f"[{_num(r['diff_low'], True)}, {_num(r['diff_high'], True)}] "
                             f"{r['verdict']}")
    return lines


def _num(x: Any, signed: bool = False) -> str:
    try:
        value = float(x)
    except (TypeError, ValueError):
        return "n/a"
    if value != value:  # NaN
        return "n/a"
    return f"{value:+.4g}" if signed else f"{value:.4g}"


def _execute(plan: Any, args: argparse.Namespace, experiment_text: str | None) -> int:
    """Run a plan as the sweep and compare commands do, write tables and report."""
    from sim.experiments.sweep import execute_plan

    backend = args.backend or ("dask" if args.address else "processes")
    out = Path(args.out) if args.out else Path(args.results) / plan.design.name
    result = execute_plan(plan, out, backend, args.workers, args.address, args.resume,
                          "metrics" if args.no_tables else "tables", args.plots,
                          progress=not args.quiet, experiment_text=experiment_text)
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

        report = write_report(out)
    if args.quiet:
        print(out)
    else:
        for line in _sweep_lines(result):
            print(line)
        files = "runs.csv, comparison.csv" + (", report.html" if report else "")
        print(f"  results: {out}  ({files})")
    if result.failed:
        print(f"error: {result.failed} run(s) failed; their errors are in runs.csv and each "
              "run folder's error.txt (the other runs are complete)", file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_OK


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run an experiment file: every variant x factor combination x replication."""
    from sim.experiments.plan import load_plan
    from sim.scenario.loading import read_text

    plan = load_plan(args.file, args.replications)
    return _execute(plan, args, read_text(args.file))


def _kpi_option(text: str) -> Any:
    from sim.experiments.spec import KpiSpec

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
    return _execute(plan, args, None)


def cmd_report(args: argparse.Namespace) -> int:
    """Write the HTML report of a sweep's results folder."""
    from sim.report.experiment_report import write_report

    path = write_report(Path(args.folder), Path(args.output) if args.output else None)
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
    p.add_argument("--quiet", action="store_true", help="print only the results folder")


Command = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    p = _Parser(prog="run_sim.py", description="Omnichannel 30-minute fulfilment simulator.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    r = sub.add_parser("run", help="run a scenario and write its results folder")
    r.add_argument("file", help="scenario YAML file")
    r.add_argument("--seed", type=int, help="root random seed (default: the scenario's)")
    r.add_argument("--out", help="results folder (default: results/<scenario>/<run-id>)")
    r.add_argument("--results", default="results", help="base folder for results")
    r.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="override a field, e.g. --set stores[0].pickers=8 (repeatable)")
    r.add_argument("--no-plots", action="store_true", help="skip the figures")
    r.add_argument("--quiet", action="store_true", help="print only the results folder")
    r.set_defaults(func=cmd_run)

    v = sub.add_parser("validate", help="check a scenario file")
    v.add_argument("file")
    v.add_argument("--set", action="append", metavar="PATH=VALUE")
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    s.add_argument("--output", "-o", help="write to this file instead of stdout")
    s.set_defaults(func=cmd_schema)

    w = sub.add_parser("sweep", help="run an experiment: variants x factors x replications")
    w.add_argument("file", help="experiment YAML file")
    w.add_argument("--replications", type=int,
                   help="replications (replaces the file's; seeds base_seed, base_seed+1, ...)")
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

    rp = sub.add_parser("report", help="write the HTML report of a sweep's results folder")
    rp.add_argument("folder", help="results folder of a sweep or compare")
    rp.add_argument("--output", "-o", help="HTML file (default: FOLDER/report.html)")
    rp.set_defaults(func=cmd_report)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        code: int = args.func(args)
        return code
    except (ScenarioError, UsageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
