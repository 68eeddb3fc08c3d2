"""The package's import graph runs one way: floors, no cycles (docs/architecture.md).

Every ``import`` in ``src/mypref_harness`` counts, wherever it stands: at module level, inside a
function, or under ``if TYPE_CHECKING``. A lazy import still ties two modules together, and the
point of the floors is that a reader who follows one setting never has to climb back up.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "mypref_harness"
SRC = Path(__file__).resolve().parents[1] / "src"

# Bottom up. A module may import its own package (when it is a sub-module of a package listed here)
# and anything on a lower floor; nothing on its floor outside its package, nothing above.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("budget", "secret", "errors", "demo", "procs", "resources", "basis", "progress", "created", "chart"),
    ("spec", "auth"),
    ("config", "vectors", "sandbox"),
    ("guards", "credentials", "embedded", "report", "profile"),
    ("preflight",),
    ("contract", "load"),
    ("profile_measure",),
    ("gate",),
    ("commands",),
    ("cli",),
    ("__main__",),
)
# Foundation modules may use each other, in this order only (each one's allowed set is to its left).
FOUNDATION_ORDER = FLOORS[0]


@dataclass(frozen=True)
class Edge:
    source: str  # dotted module name, without the package prefix
    target: str
    line: int

    def __str__(self) -> str:
        return f"{self.source} -> {self.target} (line {self.line})"


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC / PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(dotted: str) -> str | None:
    """The module of ours that ``dotted`` (a module or a name inside one) belongs to."""
    if not dotted.startswith(PACKAGE + "."):
        return None
    name = dotted[len(PACKAGE) + 1 :]
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imported_names(node: ast.AST, module: str, path: Path) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            package = module if path.name == "__init__.py" else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = ".".join(part for part in (PACKAGE, package, node.module or "") if part)
        else:
            base = node.module or ""
        yield base
        yield from (f"{base}.{alias.name}" for alias in node.names)


def _edges() -> list[Edge]:
    edges: dict[tuple[str, str], Edge] = {}
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for dotted in _imported_names(node, module, path):
                target = _resolve(dotted)
                if target and target != module and (module, target) not in edges:
                    edges[(module, target)] = Edge(module, target, getattr(node, "lineno", 0))
    return list(edges.values())


EDGES = _edges()


def _top(module: str) -> str:
    return module.split(".")[0]


def _floor(module: str) -> int:
    for number, names in enumerate(FLOORS):
        if _top(module) in names:
            return number
    raise AssertionError(f"{module} is on no floor: add it to FLOORS and docs/architecture.md")


def _allowed(edge: Edge) -> bool:
    source, target = _top(edge.source), _top(edge.target)
    if source == target:
        # Inside one package: fine, but never the package's own __init__ from inside it.
        return not (edge.target == source and edge.source != source)
    if _floor(edge.source) == 0 and _floor(edge.target) == 0:
        return FOUNDATION_ORDER.index(target) < FOUNDATION_ORDER.index(source)
    return _floor(edge.target) < _floor(edge.source)


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    graph: dict[str, list[str]] = {module: [] for module in MODULES}
    for edge in EDGES:
        graph[edge.source].append(edge.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return components


def test_the_walk_sees_function_level_imports() -> None:
    # Guards the walker itself: these two edges exist only inside function bodies in the code this
    # test was written against; if the walk stopped at module level they would vanish.
    assert EDGES, "no import edges found: the walker is broken"
    assert any(edge.line > 0 for edge in EDGES)


def test_every_module_stands_on_a_floor() -> None:
    lost = sorted({_top(module) for module in MODULES if module} - {n for f in FLOORS for n in f})
    assert not lost, f"modules on no floor: {lost}"


def test_imports_only_go_down() -> None:
    placed = {name for floor in FLOORS for name in floor}
    on_floors = [edge for edge in EDGES if {_top(edge.source), _top(edge.target)} <= placed]
    upward = sorted(str(edge) for edge in on_floors if not _allowed(edge))
    assert not upward, "imports that point up or sideways:\n" + "\n".join(upward)


def test_no_import_cycles() -> None:
    cycles = _cycles()
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        ("config", "auth.pnauth", True),
        ("auth.oauth", "config", False),
        ("sandbox.app", "config", False),
        ("contract.runner", "gate.run", False),
        ("contract.routes", "contract", False),  # a package's own __init__ from inside it
        ("errors", "secret", True),
        ("secret", "errors", False),
    ],
)
def test_the_floor_rule_itself(source: str, target: str, allowed: bool) -> None:
    assert _allowed(Edge(source, target, 1)) is allowed
