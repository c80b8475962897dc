"""The package has no import cycle: the graph of module-level imports inside ``ngrok_async``.

Imports under ``if TYPE_CHECKING:`` and inside functions are left out (they run later, or
never); everything else that runs at import time counts, ``try``/``if`` blocks included.
"""

from __future__ import annotations

import ast
import pathlib
from collections.abc import Iterator, Mapping

import ngrok_async

ROOT = pathlib.Path(ngrok_async.__file__).parent
PACKAGE = "ngrok_async"


def module_name(path: pathlib.Path) -> str:
    parts = [PACKAGE, *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_time_nodes(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements that run when the module is imported (not function bodies, not
    ``TYPE_CHECKING`` blocks)."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _import_time_nodes(node.body)
            yield from _import_time_nodes(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _import_time_nodes(block)
            for handler in node.handlers:
                yield from _import_time_nodes(handler.body)
        elif isinstance(node, (ast.With, ast.ClassDef)):
            yield from _import_time_nodes(node.body)
        else:
            yield node


def imports_of(name: str, source: str, is_package: bool, known: set[str]) -> set[str]:
    """The ``ngrok_async`` modules that module ``name`` imports at import time."""
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _import_time_nodes(ast.parse(source).body):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            submodules = {f"{target}.{alias.name}" for alias in node.names} & known
            found |= submodules
            if len(submodules) < len(node.names):  # a name the module itself defines
                found.add(target)
    return {module for module in found if module in known and module != name}


def build_graph() -> dict[str, set[str]]:
    files = {module_name(path): path for path in ROOT.rglob("*.py")}
    known = set(files)
    return {
        name: imports_of(name, path.read_text("utf-8"), path.name == "__init__.py", known)
        for name, path in files.items()
    }


def find_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    """One import cycle as a path ``[a, b, …, a]``, or ``None``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_package_has_no_import_cycle() -> None:
    graph = build_graph()
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_the_graph_sees_relative_imports_and_skips_deferred_ones() -> None:
    graph = build_graph()
    assert len(graph) > 80
    assert "ngrok_async._certfile" in graph["ngrok_async.ssh_keys"]
    assert "ngrok_async._validate" in graph["ngrok_async.resources._base"]  # from .. import x
    assert "ngrok_async.resources._base" in graph["ngrok_async.resources._bulk"]
    # bulk issuance loads lazily: only TYPE_CHECKING and function-local imports of it
    assert "ngrok_async.bulk" not in graph["ngrok_async.resources._bulk"]
    assert "ngrok_async._certfile" not in graph["ngrok_async.renew"]


def test_a_cycle_is_found() -> None:
    source = "from . import b\nif TYPE_CHECKING:\n    from . import c\n"
    known = {"p", "p.a", "p.b", "p.c"}
    assert imports_of("p.a", source, False, known) == {"p.b"}
    assert find_cycle({"p.a": {"p.b"}, "p.b": {"p.c"}, "p.c": {"p.a"}}) == [
        "p.a",
        "p.b",
        "p.c",
        "p.a",
    ]
    assert find_cycle({"p.a": {"p.b"}, "p.b": set()}) is None
