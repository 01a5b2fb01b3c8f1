"""The solver interface and the registry of solvers by name.

Every solver takes a :class:`~sim.routing.problem.RoutingProblem` and returns a
:class:`~sim.routing.problem.RoutePlan`. :func:`make_solver` builds one from the knobs a
scenario exposes: ``effort`` is the deterministic stopping criterion (OR-Tools: solutions
accepted by its local search; PyVRP: iterations; insertion: unused) and ``time_cap`` the
wall-clock safety cap. The solver libraries are imported only when a solver is made, so
scenarios that never solve a VRP do not pay for importing them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol, TypedDict, Unpack, get_args

from sim.routing.problem import RoutePlan, RoutingProblem


class Solver(Protocol):
    """Solves routing problems."""

    name: str
    soft_windows: bool  # can it price lateness past a soft due time?

    def solve(self, problem: RoutingProblem) -> RoutePlan:
        """The best plan it finds."""
        ...


SolverName = Literal["ortools", "pyvrp", "insertion"]
"""The solvers a scenario can name (its dispatch ``solver`` field)."""

SOLVER_NAMES: tuple[SolverName, ...] = get_args(SolverName)


class OrToolsOptions(TypedDict, total=False):
    """Options of :class:`~sim.routing.ortools_solver.OrToolsSolver` (search strategies)."""

    first_solution: str
    metaheuristic: str
    gls_lambda: float | None
    params: Sequence[str]
    warm_start: bool


class PyVRPOptions(TypedDict, total=False):
    """Options of :class:`~sim.routing.pyvrp_solver.PyVRPSolver`."""

    seed: int


class SolverOptions(OrToolsOptions, PyVRPOptions, total=False):
    """Options of any solver; each takes only its own (others are refused)."""


ORTOOLS_OPTIONS = frozenset(OrToolsOptions.__optional_keys__)
PYVRP_OPTIONS = frozenset(PyVRPOptions.__optional_keys__)


class SolverFactory(Protocol):
    """Makes one solver: ``effort`` its deterministic stopping criterion, ``time_cap`` its
    wall-clock cap, ``options`` its constructor options."""

    def __call__(self, effort: int | None, time_cap: float | None,
                 options: SolverOptions) -> Solver:
        """The solver."""
        ...


LEAN_OPERATORS = (
    "local_search_operators { use_global_cheapest_insertion_path_lns: BOOL_FALSE "
    "use_local_cheapest_insertion_path_lns: BOOL_FALSE "
    "use_relocate_path_global_cheapest_insertion_insert_unperformed: BOOL_FALSE "
    "use_global_cheapest_insertion_visit_types_lns: BOOL_FALSE "
    "use_local_cheapest_insertion_visit_types_lns: BOOL_FALSE "
    "use_shortest_path_swap_active: BOOL_FALSE use_shortest_path_two_opt: BOOL_FALSE "
    "use_swap_active_chain: BOOL_FALSE use_lin_kernighan: BOOL_FALSE "
    "use_relocate_expensive_chain: BOOL_FALSE use_exchange_subtrip: BOOL_FALSE "
    "use_relocate_subtrip: BOOL_FALSE }")

DISPATCH_OPTIONS: dict[SolverName, SolverOptions] = {
    # Dispatch problems are small (a store's orders of a minute or two) and solved
    # thousands of times a day: start from the cheapest-insertion plan, descend to a local
    # optimum with the classic operators and stop there. (Guided local search only stops at
    # its solution limit, which on a one- or two-order problem it may never reach before
    # the wall-clock cap: it would make runs irreproducible.) Measured on captured
    # dispatch problems of the default scenario: as good as guided local search with 20
    # solutions, 3-5 times faster.
    "ortools": {"metaheuristic": "GREEDY_DESCENT", "warm_start": True,
                "params": (LEAN_OPERATORS,)},
    "pyvrp": {},
    "insertion": {},
}
"""The options each solver gets when a dispatch policy makes it (one entry per solver
of the scenario's ``solver`` field)."""


def _only(name: str, options: SolverOptions, accepted: frozenset[str]) -> None:
    """Refuse options the solver ``name`` does not take (a TypedDict may carry more keys
    than its type names)."""
    extra = sorted(options.keys() - accepted)
    if extra:
        raise ValueError(f"solver {name!r} takes no option {', '.join(extra)}")


def _ortools(effort: int | None, time_cap: float | None, options: SolverOptions) -> Solver:
    from sim.routing.ortools_solver import OrToolsSolver

    _only("ortools", options, ORTOOLS_OPTIONS)
    ortools: OrToolsOptions = options
    return OrToolsSolver(effort, time_cap, **ortools)


def _pyvrp(effort: int | None, time_cap: float | None, options: SolverOptions) -> Solver:
    from sim.routing.pyvrp_solver import PyVRPSolver

    _only("pyvrp", options, PYVRP_OPTIONS)
    pyvrp: PyVRPOptions = options
    return PyVRPSolver(effort, time_cap, **pyvrp)


def _insertion(effort: int | None, time_cap: float | None, options: SolverOptions) -> Solver:
    from sim.routing.insertion import InsertionSolver

    _only("insertion", options, frozenset())
    return InsertionSolver()


SOLVERS: dict[SolverName, SolverFactory] = {
    "ortools": _ortools,
    "pyvrp": _pyvrp,
    "insertion": _insertion,
}
"""How to make each solver the scenario's ``solver`` field names."""


def make_solver(name: str, effort: int | None = None, time_cap: float | None = None,
                **options: Unpack[SolverOptions]) -> Solver:
    """A solver by name; ``options`` go to its constructor (e.g. OR-Tools strategies)."""
    for known, factory in SOLVERS.items():
        if known == name:
            return factory(effort, time_cap, options)
    raise ValueError(f"unknown solver {name!r}; expected one of {', '.join(SOLVER_NAMES)}")
