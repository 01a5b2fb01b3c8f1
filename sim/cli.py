"""Command line: ``run``, ``validate`` and ``schema`` (more subcommands register here).

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

from sim.report.format import count as _n
from sim.report.format import number as _fmt_min
from sim.report.format import percent as _fmt_pct
from sim.scenario.errors import ScenarioError

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2


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
        *wh_lines,
    ]


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
    """Run one scenario and write its results folder."""
    from sim.core.tablefiles import require
    from sim.runner import new_run_dir, run, write_failure, write_run
    from sim.scenario.loading import read_scenario

    table_format = require(args.format)
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
    overrides = tuple(args.set or ())
    write_run(result, folder, plots=not args.no_plots, overrides=overrides,
              report=args.report, table_format=table_format)
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


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a scenario file and say what it contains."""
    from sim.scenario.loading import read_scenario

    sc = read_scenario(args.file, args.set or ())
    fleet = sum(f.count for s in sc.stores for f in s.fleets) + sum(
        w.couriers.count for w in sc.warehouses)
    robots = sum(w.robots.count for w in sc.warehouses)
    whs = f", {len(sc.warehouses)} warehouses ({robots} robots)" if sc.warehouses else ""
    print(f"{args.file}: ok: scenario '{sc.name}', {len(sc.stores)} stores{whs}, "
          f"{sc.demand.online.orders_per_day:g} online orders/day, {fleet} couriers, "
          f"{sc.run.duration / 3600:g} h from {sc.run.start / 3600:g} h")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of scenario files (or a Markdown field reference)."""
    from sim.scenario.schema import Scenario

    if args.markdown:
        from sim.scenario.reference import markdown_reference

        text = markdown_reference(Scenario)
    else:
        schema = Scenario.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        text = json.dumps(schema, indent=2) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


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
    r.set_defaults(func=cmd_run)

    v = sub.add_parser("validate", help="check a scenario file")
    v.add_argument("file")
    v.add_argument("--set", action="append", metavar="PATH=VALUE")
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    s.add_argument("--output", "-o", help="write to this file instead of stdout")
    s.add_argument("--markdown", action="store_true",
                   help="print a Markdown reference of every field instead")
    s.set_defaults(func=cmd_schema)

    from sim.experiments.commands import add_experiment_commands

    add_experiment_commands(sub)  # sweep, compare, report
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
