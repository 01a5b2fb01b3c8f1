"""``run_sim.py plan``: a roster for a staffing target from earlier runs' demand.

    python run_sim.py plan SCENARIO --target on_time=0.95 --history RUN_DIR [...]
        [--forecaster gbm] [--quantile 0.9] [--shift-lengths 4,6,8] [--break-after 6]
        [--min-pickers 1] [--min-couriers 1] [-o roster.yaml] [--scenario-out FILE]

Without ``--history`` the scenario is run once (its own seed, no figures) and that run
is the history. ``-o`` writes the roster as a YAML mapping of scenario paths to values
(each one a ``--set PATH=VALUE`` of ``run``); ``--scenario-out`` writes the whole
scenario with the roster in place, ready for ``run_sim.py run``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from sim.outputs import check_file, write_file
from sim.scenario.errors import EXIT_OK, ScenarioError

ROSTER_HEADER = b"# Roster planned by `run_sim.py plan "
"""How a roster file ``plan -o`` writes begins: such a file may be replaced, any other
file at that path is refused."""


def _lengths(text: str) -> list[int]:
    try:
        out = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ScenarioError(f"whole hours separated by commas (got '{text}')",
                            ("--shift-lengths",)) from None
    if not out or any(not 1 <= n <= 24 for n in out):
        raise ScenarioError(f"lengths are whole hours from 1 to 24 (got '{text}')",
                            ("--shift-lengths",))
    return out


def cmd_plan(args: argparse.Namespace) -> int:
    """Plan pickers and couriers per store for the target and write the roster."""
    import yaml

    from sim.runner import scenario_yaml
    from sim.scenario.loading import read_scenario
    from sim.staffing.plan import Target, current_hours, make_plan

    target = Target.parse(args.target)  # bad input first: before any simulation runs
    lengths = _lengths(args.shift_lengths)
    if args.break_after is not None and args.break_after < 2:
        raise ScenarioError(f"must be >= 2 hours (got {args.break_after})", ("--break-after",))
    for flag, value in (("--min-pickers", args.min_pickers),
                        ("--min-couriers", args.min_couriers)):
        if value < 0:
            raise ScenarioError(f"must be >= 0 (got {value})", (flag,))
    if args.forecaster is not None:
        from sim.forecast.models import make_forecaster

        make_forecaster(args.forecaster)
    # outputs checked before anything runs: a folder, or a file omnisim did not write
    # (a roster or resolved scenario it wrote may be replaced), is refused with exit 2
    if args.output is not None:
        check_file(Path(args.output), lambda head: head.startswith(ROSTER_HEADER), "plan -o")
    if args.scenario_out is not None:
        check_file(Path(args.scenario_out),
                   lambda head: head.startswith(b"# Resolved scenario written by omnisim"),
                   "plan --scenario-out")
    scenario = read_scenario(args.file, args.set or ())
    if not args.history and scenario.run.end < 86400.0:
        raise ScenarioError("without --history the scenario is run once as the history, "
                            "so its arrivals must cover a whole day (00:00 to 24:00)",
                            ("--history",))
    with tempfile.TemporaryDirectory() as tmp:
        history = list(args.history or ())
        if not history:
            from sim.runner import run, write_run

            folder = Path(tmp) / "history"
            write_run(run(scenario), folder, plots=False)
            history = [str(folder)]
        plan = make_plan(scenario, history, target, args.forecaster, args.quantile, lengths,
                         args.break_after, args.min_pickers, args.min_couriers)
    sets = plan.set_args()
    applied = read_scenario(args.file, [*(args.set or ()), *sets])  # the roster is valid
    s = plan.service
    print(f"{scenario.name}: plan for {args.target} from {len(history)} run(s) "
          f"(forecaster {plan.forecaster}); measured pick {s.pick / 60:.2f} min, courier "
          f"{s.courier / 60:.2f} min per order, door leg {s.door / 60:.2f} min")
    econ = scenario.economics
    ph, ch = current_hours(scenario)
    for dtype in dict.fromkeys(p.day_type for p in plan.plans):
        pk = sum(p.paid_hours for p in plan.plans if p.day_type == dtype
                 and p.resource == "pickers")
        co = sum(p.paid_hours for p in plan.plans if p.day_type == dtype
                 and p.resource == "couriers")
        cost = (f", wage cost {pk * econ.picker_hour + co * econ.courier_hour:,.0f} a day "
                f"(the scenario's rosters: {ph * econ.picker_hour + ch * econ.courier_hour:,.0f})"
                if econ is not None else "")
        print(f"  {dtype}: {pk} picker-hours (now {ph:g}), {co} courier-hours "
              f"(now {ch:g}){cost}")
    header = (f"{ROSTER_HEADER.decode()}{args.file} --target {args.target}`.\n"
              "# Each entry is a scenario path and its value: run with\n"
              f"#   python run_sim.py run {args.file} " + " ".join(
                  f'--set "{x}"' for x in sets) + "\n")
    text = header + yaml.safe_dump(plan.overrides, sort_keys=False, width=100)
    if args.output:
        write_file(Path(args.output), text.encode("utf-8"))
        print(f"  roster: {args.output}")
    else:
        sys.stdout.write(text)
    if args.scenario_out:
        write_file(Path(args.scenario_out),
                   scenario_yaml(applied, [*(args.set or ()), *sets]).encode("utf-8"))
        print(f"  scenario with the roster: {args.scenario_out}")
    return EXIT_OK


def add_plan_command(sub: Any) -> None:
    """Add ``plan`` to ``run_sim.py``'s subparsers."""
    p = sub.add_parser("plan", help="plan pickers and couriers per hour for a target from "
                       "earlier runs' demand, as least-cost shifts")
    p.add_argument("file", help="scenario YAML file (the days to plan)")
    p.add_argument("--target", required=True, metavar="KPI=VALUE",
                   help="on_time=0.95 (share within the promise) or mean_wait=2min")
    p.add_argument("--history", action="append", metavar="RUN_DIR",
                   help="an earlier run's results folder (repeatable; default: run the "
                        "scenario once)")
    p.add_argument("--forecaster", help="seasonal_naive, holt_winters or gbm (default: gbm "
                   "with 3 or more days of history, else seasonal_naive)")
    p.add_argument("--quantile", type=float,
                   help="staff for this quantile of the hour's orders instead of the mean")
    p.add_argument("--shift-lengths", default="4,6,8", help="allowed shift lengths in hours")
    p.add_argument("--break-after", type=int,
                   help="shifts of at least this many hours take one unpaid hour off")
    p.add_argument("--min-pickers", type=int, default=1,
                   help="pickers on duty at least in every hour with orders")
    p.add_argument("--min-couriers", type=int, default=1,
                   help="couriers on duty at least in every hour with orders")
    p.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="override a scenario field (repeatable)")
    p.add_argument("-o", "--output", help="write the roster here (default: stdout)")
    p.add_argument("--scenario-out", help="also write the scenario with the roster in place")
    p.set_defaults(func=cmd_plan)
