"""The house rules of the source tree: one-way layers, no cycles, small modules and functions.

The layer contract itself is import-linter's (``[tool.importlinter]`` in ``pyproject.toml``,
run by ``nox -s lint``); these tests read the same tree with :mod:`ast`, so they hold on a
machine without import-linter and also see the imports made inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
FILES = sorted((SRC / "vsinit").rglob("*.py"))
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60  # the body, without its docstring
#: Top to bottom: a module may import its own layer and the layers below it, never above.
LAYERS = (
    "vsinit._tools",
    "vsinit.models",
    "vsinit.compat",
    "vsinit._engine",
    "vsinit.rng",
    "vsinit._math",
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def vsinit_imports(path: Path, *, module_level: bool = False) -> set[str]:
    """The vsinit modules that ``path`` imports: all of them, or only those at module level.

    ``from package import name`` counts as importing ``package`` and, where ``name`` is a
    module, ``package.name``.
    """
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text())
    found = set()
    for node in tree.body if module_level else ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            found |= {target, *(f"{target}.{alias.name}" for alias in node.names)}
    return {m for m in found if m in MODULES and m != name}


def layer(module: str) -> int | None:
    for i, prefix in enumerate(LAYERS):
        if module == prefix or module.startswith(prefix + "."):
            return i
    return None


MODULES = {module_name(f) for f in FILES}
GRAPH = {module_name(f): vsinit_imports(f) for f in FILES}
#: What runs at import time; a module importing its own package (or ``vsinit``) is not a cycle,
#: since Python hands it the partly initialized package.
IMPORT_TIME = {
    module_name(f): {
        m
        for m in vsinit_imports(f, module_level=True)
        if m != "vsinit" and not module_name(f).startswith(m + ".")
    }
    for f in FILES
}


def ids(path: Path) -> str:
    return module_name(path)


@pytest.mark.parametrize("path", [f for f in FILES if layer(module_name(f)) is not None], ids=ids)
def test_no_import_reaches_a_higher_layer(path):
    """``vsinit`` and ``vsinit.__main__``, the facade above the layers, are not in one."""
    name = module_name(path)
    mine = layer(name)
    assert mine is not None
    upward = sorted(m for m in GRAPH[name] if (other := layer(m)) is not None and other < mine)
    assert upward == [], f"{name} imports from a higher layer: {upward}"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of ``graph`` (module -> imported modules), by depth-first search."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    found = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    return found


def test_the_cycle_search_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_no_import_cycles():
    assert cycles(IMPORT_TIME) == []


def test_the_layer_check_sees_imports_inside_functions():
    assert "vsinit._tools.describe" in GRAPH["vsinit._tools.commands"]  # imported when run
    assert layer("vsinit.rng._numpy") > layer("vsinit._engine.fill")  # type: ignore[operator]


@pytest.mark.parametrize("path", FILES, ids=ids)
def test_module_size(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{module_name(path)} has {lines} lines"


@pytest.mark.parametrize("path", FILES, ids=ids)
def test_function_size(path):
    long = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if ast.get_docstring(node) is not None:
                body = body[1:]
            if body:
                length = body[-1].end_lineno - body[0].lineno + 1  # type: ignore[operator]
                if length > MAX_FUNCTION_LINES:
                    long.append((node.name, length))
    assert long == [], f"functions over {MAX_FUNCTION_LINES} lines in {module_name(path)}"


@pytest.mark.parametrize("path", FILES, ids=ids)
def test_module_docstring_says_what_it_may_import(path):
    doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    assert len(doc.splitlines()[0]) > 20 if doc else False, "no module docstring"
    assert "May import:" in doc, f"{module_name(path)}'s docstring does not say what it may import"
