"""Solomon instances: the reader, the cost convention and the best-known solutions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.routing.checker import check_plan
from sim.routing.solomon import plan_of, read_instance, read_solution, tenths
from sim.routing.solvers import LEAN_OPERATORS, make_solver

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "solomon"

# A depot and four customers: two east and two west, capacity 20 (two per route).
TINY = """T101

VEHICLE
NUMBER     CAPACITY
  3         20

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      50         50          0          0        300          0
    1      60         53         10          0        100         10
    2      63         55         10          0        200         10
    3      40         47         10         30        100         10
    4      37         45         10          0        200         10
"""
TINY_SOL = """Route #1: 1 2
Route #2: 3 4
Cost 55.8
"""


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    """A folder with the tiny instance and its optimal solution."""
    (tmp_path / "T101.txt").write_text(TINY)
    (tmp_path / "T101.sol").write_text(TINY_SOL)
    return tmp_path


def test_reader_and_distances(tiny_dir: Path) -> None:
    """The reader takes vehicles, capacity and rows; distances are truncated to tenths."""
    inst = read_instance(tiny_dir / "T101.txt")
    assert (inst.name, inst.vehicles, inst.capacity, len(inst.rows)) == ("T101", 3, 20, 5)
    d = inst.distances()
    assert d[0, 1] == 10.4  # hypot(10, 3) = 10.44...
    assert d[1, 2] == 3.6   # hypot(3, 2) = 3.605...
    p = inst.problem()
    assert p.jobs[2].earliest == 30.0 and p.jobs[2].latest == 100.0
    assert p.vehicles[0].shift_end == 300.0


def test_checker_reproduces_stated_cost(tiny_dir: Path) -> None:
    """The checker recomputes the .sol route set's cost exactly and finds it feasible."""
    p = read_instance(tiny_dir / "T101.txt").problem()
    routes, cost = read_solution(tiny_dir / "T101.sol")
    c = check_plan(p, plan_of(routes, len(p.jobs)))
    assert c.feasible, c.violations
    assert tenths(sum(r.distance for r in c.routes)) == tenths(cost) == 558


@pytest.mark.parametrize("solver", ["ortools", "ortools-ils", "pyvrp"])
def test_solvers_find_the_optimum(tiny_dir: Path, solver: str) -> None:
    """Both solvers (OR-Tools also with its iterated local search, as the benchmark runs
    it) find the optimal 55.8 on the tiny instance, feasibly."""
    p = read_instance(tiny_dir / "T101.txt").problem()
    if solver == "ortools-ils":
        plan = make_solver("ortools", None, 0.3, first_solution="SAVINGS",
                           metaheuristic="ITERATED_LOCAL_SEARCH",
                           params=[LEAN_OPERATORS]).solve(p)
    else:
        plan = make_solver(solver, 200 if solver == "pyvrp" else 100).solve(p)
    c = check_plan(p, plan)
    assert c.feasible and not plan.dropped
    assert tenths(sum(r.distance for r in c.routes)) == 558


@pytest.mark.skipif(not (DATA / "C101.txt").exists(), reason="Solomon data not available")
def test_c101_best_known() -> None:
    """C101's best-known solution is feasible and costs exactly 827.3 (10 routes)."""
    p = read_instance(DATA / "C101.txt").problem()
    routes, cost = read_solution(DATA / "C101.sol")
    c = check_plan(p, plan_of(routes, len(p.jobs)))
    assert c.feasible and len(routes) == 10
    assert tenths(sum(r.distance for r in c.routes)) == tenths(cost) == 8273


def test_benchmark_script(tiny_dir: Path, tmp_path: Path) -> None:
    """benchmarks/solomon.py solves, checks and writes the rows as JSON."""
    out = tmp_path / "rows.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "solomon.py"), str(tiny_dir),
         "--time-limit", "0.3", "--json", str(out)],
        capture_output=True, text=True, check=True, cwd=ROOT)
    assert "T101" in proc.stdout
    rows = json.loads(out.read_text())["rows"]
    assert rows[0]["instance"] == "T101" and rows[0]["feasible"]
    assert rows[0]["best_known_check"]["matches"]
    assert set(rows[0]) >= {"instance", "best_known", "found", "gap_pct", "routes",
                            "seconds", "feasible"}
