"""The house rules of the code's layout, read from the source with `ast` (nothing is imported).

- no import circle between modules, counting imports inside functions too (not those under TYPE_CHECKING);
- nothing in channels/ imports publisher or web: an adapter knows only what it is handed;
- nothing in publisher/ imports web, except the command line that starts the server;
- no two areas of the office (subpackages of publisher/) import each other, directly or round about;
- views never build queries: web/ imports no SQL construct from SQLAlchemy.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("publisher", "channels", "web")
QUERY_BUILDERS = {"select", "insert", "update", "delete", "func", "and_", "or_", "text", "exists", "case"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


def _type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imports_of(path: Path) -> list[tuple[str, tuple[str, ...]]]:
    """(module, names) for every import in the file, outside `if TYPE_CHECKING:` blocks."""
    found: list[tuple[str, tuple[str, ...]]] = []

    def visit(node: ast.AST) -> None:
        if _type_checking_block(node):
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name, ()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, tuple(alias.name for alias in node.names)))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def import_graph() -> dict[str, set[str]]:
    modules = source_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for target, names in imports_of(path):
            for candidate in [f"{target}.{n}" for n in names] or [target]:
                if candidate in modules:
                    graph[name].add(candidate)
                elif target in modules:
                    graph[name].add(target)
    for name in graph:
        graph[name].discard(name)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                connect(nxt)
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
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def area_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "publisher" and len(parts) > 2 else None


def test_there_is_no_import_circle():
    assert circles(import_graph()) == []


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_channels_import_nothing_of_publisher_or_web():
    offending = [(name, target) for name, path in source_modules().items() if name.startswith("channels")
                 for target, _ in imports_of(path) if target.split(".")[0] in ("publisher", "web")]
    assert offending == []


def test_publisher_imports_web_only_to_start_the_server():
    offending = [(name, target) for name, path in source_modules().items() if name.startswith("publisher")
                 for target, _ in imports_of(path) if target.split(".")[0] == "web"]
    assert {name for name, _ in offending} <= {"publisher.cli"}


def test_no_two_areas_import_each_other():
    between: dict[str, set[str]] = defaultdict(set)
    for name, targets in import_graph().items():
        for target in targets:
            source_area, target_area = area_of(name), area_of(target)
            if source_area and target_area and source_area != target_area:
                between[source_area].add(target_area)
    assert circles(between) == []


def test_views_build_no_queries():
    offending = [(name, sorted(set(names) & QUERY_BUILDERS)) for name, path in source_modules().items()
                 if name.startswith("web") for target, names in imports_of(path)
                 if target.split(".")[0] == "sqlalchemy" and set(names) & QUERY_BUILDERS]
    assert offending == []


def test_audit_rows_are_written_only_by_the_audit_trail():
    writers = [name for name, path in source_modules().items()
               if name not in ("publisher.audit.trail", "publisher.core.models")
               and any(pattern in path.read_text(encoding="utf-8")
                       for pattern in ("AuditEvent(", "AuditEvent.__table__", "insert(AuditEvent"))]
    assert writers == []
