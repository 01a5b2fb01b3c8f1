"""Command line: ``run``, ``validate`` and ``schema`` (more subcommands register here:
experiments, ``plan``).

Exit codes: 0 success; 2 bad input (one line on stderr naming the field, no traceback,
nothing written); 1 internal error (the traceback goes into the run folder's
``error.txt``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.core.format import count as _n
from sim.core.format import number as _fmt_min
from sim.core.format import percent as _fmt_pct
from sim.scenario.calendar import roster_peak
from sim.scenario.errors import EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, ScenarioError

if TYPE_CHECKING:
    from sim.core.tablefiles import TableFormat
    from sim.runner import RunResult



class UsageError(Exception):
    """Bad command-line usage (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line via :class:`UsageError`."""

    def error(self, message: str) -> Any:
        raise UsageError(f"{self.prog}: {message}")


def summary_lines(metrics: dict[str, Any], name: str, seed: int,
                  overrides: Sequence[str] = ()) -> list[str]:
    """A few lines on how the promise held, for the terminal (and the ``--set``
    overrides the run used, if any)."""
    o, s = metrics["orders"], metrics["sla"]
    c2d = s["click_to_door_min"]
    util = metrics.get("utilisation", {})
    parts = [f"{k} {_fmt_pct(v['overall'])}" for k, v in util.items()]
    inv = metrics.get("inventory", {})
    reasons = ", ".join(f"{k} {_n(v)}" for k, v in o["rejected"]["by_reason"].items()) or "none"
    wh_lines = [
        f"  warehouse {n}: {_n(w['items_per_hour'] or 0)} items/h, stations picking "
        f"{_fmt_pct(w['station_utilisation']['mean'])}, robots blocked "
        f"{_fmt_pct(w['robot_time_share'].get('blocked', 0.0))}, order cycle p90 "
        f"{_fmt_min(w['cycle_time_min']['p90'])} min"
        for n, w in metrics.get("warehouses", {}).items()]
    over = ["  overrides: " + ", ".join(f"--set {x}" for x in overrides)] if overrides else []
    return [
        f"{name} (seed {seed}): {_n(o['created'])} orders created in the measured window, "
        f"{_n(o['accepted'])} accepted, {_n(o['rejected']['total'])} rejected ({reasons})",
        *over,
        f"  on time {_fmt_pct(s['on_time_rate'])} within {s['promise_min']:g} min; "
        f"click-to-door p50 {_fmt_min(c2d['p50'])}, p90 {_fmt_min(c2d['p90'])}, "
        f"p95 {_fmt_min(c2d['p95'])} min; {_n(o['in_progress_at_end'])} still in progress",
        "  utilisation: " + (", ".join(parts) or "n/a"),
        f"  stock-outs {_n(inv.get('stockout_events', 0))}, "
        f"lost walk-in units {_n(inv.get('lost_walkin_units', 0))}",
        *_policy_lines(metrics),
        *_staffing_lines(metrics),
        *wh_lines,
    ]


def _staffing_lines(metrics: dict[str, Any]) -> list[str]:
    """Under rosters: utilisation over staffed time, and every node and resource that had
    nobody on duty for some hours of the window (valid: its orders waited)."""
    staffing = metrics.get("staffing")
    if not staffing:
        return []
    parts = [f"{k} {_fmt_pct(v['utilisation'])} of {_n(v['staffed_hours'])} staffed h"
             for k, v in staffing.items()]
    gaps = [f"{node} {k} {v['unstaffed_hours']:g} h" for k, r in staffing.items()
            for node, v in r["by_node"].items() if v["unstaffed_hours"]]
    out = ["  rosters: busy over staffed time: " + ", ".join(parts)]
    if gaps:
        out.append("  nobody on duty (orders waited): " + ", ".join(gaps))
    return out


def _policy_lines(metrics: dict[str, Any]) -> list[str]:
    """Fill rates, replenishment and profit, when the run has them."""
    fill = metrics.get("fill_rate")
    if not fill:
        return []
    repl = metrics.get("inventory", {}).get("replenishment")
    line = (f"  unit fill rate: walk-in {_fmt_pct(fill['walkin']['unit_fill_rate'])}, "
            f"online {_fmt_pct(fill['online']['unit_fill_rate'])}")
    if repl:
        line += (f"; {_n(repl['orders'])} replenishment orders, "
                 f"{_n(repl['units_ordered'])} units")
    money = metrics.get("economics")
    if money:
        line += f"; profit {_fmt_min(money['profit'])}"
    return [line]


# --------------------------------------------------------------------------- commands


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario and write its results folder.

    The output folder is checked before the simulation starts (a file, a folder holding
    files omnisim did not write, or a place that cannot be created is exit 2), so a bad
    ``--out`` never costs a run and never removes a user's file."""
    from sim.core.tablefiles import require
    from sim.outputs import check_folder
    from sim.runner import new_run_dir, run, write_failure
    from sim.scenario.loading import locate_in_file, read_scenario

    table_format = require(args.format)
    scenario = read_scenario(args.file, args.set or ())
    warn_undeliverable(scenario, args.file)
    seed = scenario.seed if args.seed is None else args.seed
    if seed < 0:
        raise ScenarioError("--seed must be >= 0")
    folder = Path(args.out) if args.out else new_run_dir(Path(args.results), scenario, seed)
    check_folder(folder, "--out" if args.out else "results folder")
    try:
        result = run(scenario, seed, progress=not args.quiet)
    except ScenarioError as exc:  # found while building the model: name file and line
        raise locate_in_file(exc, args.file, args.set or ()) from None
    except Exception as exc:
        where = write_failure(scenario, seed, exc, folder)
        print(f"error: internal error during the run: {exc!r}; traceback in {where}",
              file=sys.stderr)
        return EXIT_INTERNAL
    overrides = tuple(args.set or ())
    _write_result(result, folder, not args.no_plots, overrides, args.report,
                  table_format)
    if args.replay:
        from sim.report.replay import write_replay

        write_replay(folder)
    if not args.quiet:
        for line in summary_lines(result.metrics, scenario.name, seed, overrides):
            print(line)
        st = result.records.get("solve_times")
        if st is not None and len(st):
            print(f"  dispatch: {len(st)} routing decisions, solve median "
                  f"{st['solve_ms'].median():.1f} ms, max {st['solve_ms'].max():.0f} ms "
                  "(wall clock, in wallclock.json)")
        print(f"  results: {folder}  ({result.wall_seconds:.1f} s)")
    else:
        print(folder)
    return EXIT_OK


def _write_result(result: RunResult, folder: Path, plots: bool, overrides: Sequence[str],
                  report: bool, table_format: TableFormat) -> None:
    """Write a finished run; if drawing its figures (or its report) fails, write it
    without them rather than lose the simulated result (both can be redrawn later from
    the tables)."""
    from sim.runner import write_run

    if not plots and not report:
        write_run(result, folder, plots=False, overrides=overrides,
                  table_format=table_format)
        return
    try:
        write_run(result, folder, plots=plots, overrides=overrides, report=report,
                  table_format=table_format)
    except ScenarioError:
        raise
    except Exception as exc:
        write_run(result, folder, plots=False, overrides=overrides,
                  table_format=table_format)
        print(f"warning: the figures or report could not be drawn ({exc!r}); the results "
              "were written without them", file=sys.stderr)


def cmd_replay(args: argparse.Namespace) -> int:
    """Write ``replay.html``, an interactive replay of a finished run, from its records."""
    from sim.report.replay import parse_window, write_replay

    window = parse_window(args.wh_window) if args.wh_window else None
    print(write_replay(args.run_dir, args.out, window))
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a scenario file and every file it points to (or an experiment file: every
    cell and KPI), and say what it contains."""
    from sim.experiments.checks import is_experiment
    from sim.referenced import load_referenced
    from sim.scenario.loading import load_yaml, locate_in_file, read_scenario, read_text

    if is_experiment(load_yaml(read_text(args.file), args.file)):
        from sim.experiments.commands import validate_experiment_file

        return validate_experiment_file(args.file, args.set or ())
    sc = read_scenario(args.file, args.set or ())
    try:
        refs = load_referenced(sc)  # what run would read: road network file, warehouse maps
    except ScenarioError as exc:
        raise locate_in_file(exc, args.file, args.set or ()) from None
    warn_undeliverable(sc, args.file)
    fleet = sum(roster_peak(f.count) for s in sc.stores for f in s.fleets) + sum(
        roster_peak(w.couriers.count) for w in sc.warehouses)
    robots = sum(w.robots.count for w in sc.warehouses)
    whs = f", {len(sc.warehouses)} warehouses ({robots} robots)" if sc.warehouses else ""
    print(f"{args.file}: ok: scenario '{sc.name}', {len(sc.stores)} stores{whs}, "
          f"{sc.demand.online.orders_per_day:g} online orders/day, {fleet} couriers, "
          f"{sc.run.duration / 3600:g} h from {sc.run.start / 3600:g} h")
    if refs.network_note is not None:
        print(f"  road network {refs.network_note}")
    return EXIT_OK


def warn_undeliverable(scenario: Any, source: str) -> None:
    """Print a warning on stderr for each reason the scenario cannot deliver anything."""
    from sim.scenario.sanity import delivery_warnings

    for warning in delivery_warnings(scenario):
        print(f"warning: {source}: {warning}", file=sys.stderr)


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of scenario (or experiment) files, or a Markdown reference."""
    from sim.scenario.json_schema import schema_text

    if args.markdown:
        from sim.scenario.reference import markdown_reference

        if args.experiment:
            from sim.experiments.spec import ExperimentSpec

            text = markdown_reference(ExperimentSpec)
        else:
            from sim.scenario.schema import Scenario

            text = markdown_reference(Scenario)
    else:
        from sim.experiments.schema_files import experiment_schema, scenario_schema

        text = schema_text(experiment_schema() if args.experiment else scenario_schema())
    if args.output:
        from sim.outputs import check_file, write_file

        check_file(Path(args.output), _is_schema_output, "schema -o")
        write_file(Path(args.output), text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _is_schema_output(head: bytes) -> bool:
    """Whether a file's first bytes are what ``schema`` writes (it may overwrite those)."""
    return b"json-schema.org" in head or b'"$defs"' in head or head.startswith(b"| field |")


Command = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    from sim import __version__

    p = _Parser(prog="run_sim.py", description="Omnichannel 30-minute fulfilment simulator.")
    p.add_argument("--version", action="version", version=f"omnisim {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    r = sub.add_parser("run", help="run a scenario and write its results folder")
    r.add_argument("file", help="scenario YAML file")
    r.add_argument("--seed", type=int, help="root random seed (default: the scenario's)")
    r.add_argument("--out", help="results folder (default: results/<scenario>/<run-id>)")
    r.add_argument("--results", default="results", help="base folder for results")
    r.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="override a field, e.g. --set stores[0].pickers=8 (repeatable)")
    r.add_argument("--no-plots", action="store_true", help="skip the figures")
    r.add_argument("--format", choices=("csv", "parquet"), default="csv",
                   help="record tables as CSV (default) or Parquet (needs pyarrow)")
    r.add_argument("--report", action="store_true",
                   help="also write report.html, the run's self-contained HTML report")
    r.add_argument("--quiet", action="store_true", help="print only the results folder")
    r.add_argument("--replay", action="store_true",
                   help="also write replay.html, an interactive replay of the run")
    r.set_defaults(func=cmd_run)

    rp = sub.add_parser("replay", help="write replay.html, an interactive replay of a run")
    rp.add_argument("run_dir", help="a run's results folder")
    rp.add_argument("--out", help="write the page here (default: RUN_DIR/replay.html)")
    rp.add_argument("--wh-window", metavar="HH:MM-HH:MM",
                    help="robot warehouses: the time window whose robot moves are shown "
                         "(default: the whole run, or as much as fits)")
    rp.set_defaults(func=cmd_replay)

    v = sub.add_parser("validate", help="check a scenario or experiment file (an experiment: "
                       "every cell and KPI, without running anything)")
    v.add_argument("file")
    v.add_argument("--set", action="append", metavar="PATH=VALUE")
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("schema", help="print the JSON Schema of scenario (or experiment) files")
    s.add_argument("--output", "-o", help="write to this file instead of stdout")
    s.add_argument("--markdown", action="store_true",
                   help="print a Markdown reference of every field instead")
    s.add_argument("--experiment", action="store_true",
                   help="the schema of experiment files (run_sim.py sweep) instead")
    s.set_defaults(func=cmd_schema)

    from sim.experiments.commands import add_experiment_commands

    add_experiment_commands(sub)  # sweep, compare, report
    from sim.staffing.commands import add_plan_command

    add_plan_command(sub)  # plan: a roster from a forecast
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
