"""The packages of ``sim`` import downward only, and no modules import each other in a circle.

The floors below are the layering of the reference design: the scenario models at the
bottom, then the kernel, the city, demand, the fleets, routing, the fulfilment nodes and
their policies, metrics, the model, and the application (runs, reports, experiments,
command line) on top. A module may import from its own package or from a lower floor;
shared types live on the lowest floor that uses them. Imports under ``if TYPE_CHECKING:``
are annotations only and are not counted; imports inside functions are.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import networkx as nx

from tests.conftest import ROOT

FLOORS: tuple[tuple[str, ...], ...] = (
    ("scenario",),
    ("core",),
    ("forecast",),
    ("calendar",),
    ("city",),
    ("demand",),
    ("fleet",),
    ("routing",),
    ("stores",),
    ("warehouse",),
    ("fulfillment",),
    ("metrics",),
    ("referenced", "outputs", "runfolder"),
    ("model",),
    ("runner", "staffing", "report", "experiments", "cli", "__main__"),
)
"""Packages (and top-level modules) of ``sim`` from the bottom floor up."""

FLOOR = {name: i for i, names in enumerate(FLOORS) for name in names}

KNOWN_UPWARD: frozenset[tuple[str, str]] = frozenset()
"""Upward imports still to be removed; the test fails when one of them goes away too, so
the list only shrinks."""


def module_name(path: Path) -> str:
    """``sim/city/network.py`` -> ``sim.city.network``; a package is its ``__init__``."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def runtime_imports(tree: ast.AST) -> Iterator[str]:
    """The ``sim`` modules a module imports when it runs (not under ``TYPE_CHECKING``)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking_only(child):
                todo.extend(child.orelse)
                continue
            if isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                if child.module.split(".")[0] == "sim":
                    yield child.module
            elif isinstance(child, ast.Import):
                yield from (a.name for a in child.names if a.name.split(".")[0] == "sim")
            todo.append(child)


def imports() -> dict[str, set[str]]:
    """Every module of ``sim`` with the ``sim`` modules it imports at run time."""
    out = {}
    for path in sorted((ROOT / "sim").rglob("*.py")):
        out[module_name(path)] = set(runtime_imports(ast.parse(path.read_text())))
    return out


def package(module: str) -> str:
    """The floor-level unit of a module: ``sim.city.network`` -> ``city``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def upward(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Imports that point to a higher floor (the ``sim`` root, with the version, is
    everyone's)."""
    out = set()
    for mod, targets in graph.items():
        for target in targets:
            a, b = package(mod), package(target)
            if b and a != b and FLOOR[b] > FLOOR[a]:
                out.add((mod, target))
    return out


def test_every_package_is_on_a_floor() -> None:
    """A new package of ``sim`` must be given a floor here before it can import anything."""
    assert {package(m) for m in imports()} - {""} == set(FLOOR)


def test_imports_point_down() -> None:
    """No module imports from a package on a higher floor (beyond the shrinking list)."""
    assert upward(imports()) == KNOWN_UPWARD


def test_no_import_circles() -> None:
    """No modules import each other in a circle, directly or through others."""
    found = imports()
    graph = nx.DiGraph()
    for mod, targets in found.items():
        graph.add_edges_from((mod, t) for t in targets if t in found)
    circles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert circles == []


def test_same_floor_packages_do_not_import_each_other() -> None:
    """Packages that share a floor stay independent of each other below the application
    floor (the model, its input references and the output folders)."""
    graph = imports()
    top = len(FLOORS) - 1
    pairs = {(package(m), package(t)) for m, ts in graph.items() for t in ts
             if package(t) and package(m) != package(t)
             and FLOOR[package(m)] == FLOOR[package(t)] < top}
    assert pairs == set()
