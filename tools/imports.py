"""Print loa's import graph between packages and modules; fail on a circle or a broken rule.

Run from the repository: `python -m tools.imports` (`make lint` does). Exit 0 when the layout
holds, 1 when it does not, with every problem listed. It reads the source with `ast` and imports
nothing, so it also works on code that would not import.

The rules:
- no import circle between modules, nor between the packages that group them;
- data flows one way: campaigns imports neither channels nor worker; channels never imports worker;
- no module over MAX_MODULE_LINES lines, no function over MAX_FUNCTION_LINES lines (frozen
  migration snapshots excepted).
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOTS = ("campaigns", "channels", "worker")
FORBIDDEN = {"campaigns": ("channels", "worker"), "channels": ("worker",)}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
FROZEN = ("worker/store/migrations/versions/",)
"""Migration revisions are snapshots of the schema as it was: never split, never refactored."""


@dataclass
class Graph:
    """Module -> the project modules it imports, with the line of each import."""

    edges: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    files: dict[str, Path] = field(default_factory=dict)


def module_name(path: Path, top: Path) -> str:
    parts = list(path.relative_to(top).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(top: Path) -> Iterator[Path]:
    for root in ROOTS:
        yield from sorted((top / root).rglob("*.py"))


def _imported(node: ast.AST, here: str, is_package: bool, known: set[str]) -> Iterator[str]:
    """The project modules one import statement names (a `from pkg import mod` counts as mod)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield from _resolve(alias.name, known)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            anchor = here.split(".")
            anchor = anchor if is_package else anchor[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            full = f"{base}.{alias.name}"
            yield from (full,) if full in known else _resolve(base, known)


def _resolve(name: str, known: set[str]) -> Iterator[str]:
    """The longest known module that `name` is or lies inside."""
    parts = name.split(".")
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in known:
            yield candidate
            return


def build(top: Path) -> Graph:
    graph = Graph()
    for path in source_files(top):
        graph.files[module_name(path, top)] = path
    known = set(graph.files)
    for name, path in graph.files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            for target in _imported(node, name, is_package, known):
                if target != name and not name.startswith(f"{target}."):
                    graph.edges[name].setdefault(target, getattr(node, "lineno", 0))
    return graph


def package_of(module: str) -> str:
    """The unit the layout talks about: campaigns, channels, worker.<role> (or worker.<module>)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "worker" and len(parts) > 1 else parts[0]


def package_edges(graph: Graph) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for source, targets in graph.edges.items():
        for target in targets:
            a, b = package_of(source), package_of(target)
            if a != b:
                out[a].add(b)
    return out


def circles(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def direction_problems(graph: Graph, top: Path) -> list[str]:
    problems = []
    for source, targets in sorted(graph.edges.items()):
        banned = FORBIDDEN.get(source.split(".")[0], ())
        for target, line in sorted(targets.items()):
            if target.split(".")[0] in banned:
                where = graph.files[source].relative_to(top).as_posix()
                problems.append(f"{where}:{line}: {source} imports {target}")
    return problems


def size_problems(graph: Graph, top: Path) -> list[str]:
    problems = []
    for path in graph.files.values():
        rel = path.relative_to(top).as_posix()
        if rel.startswith(FROZEN):
            continue
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            problems.append(f"{rel}: {lines} lines (at most {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    problems.append(
                        f"{rel}:{node.lineno}: {node.name}() is {length} lines "
                        f"(at most {MAX_FUNCTION_LINES})"
                    )
    return problems


def problems_of(graph: Graph, top: Path) -> list[str]:
    found = [f"module circle: {' <-> '.join(c)}" for c in circles(graph.edges)]
    found += [f"package circle: {' <-> '.join(c)}" for c in circles(package_edges(graph))]
    found += [f"one-way flow broken: {p}" for p in direction_problems(graph, top)]
    return found + size_problems(graph, top)


def describe(graph: Graph, modules: bool) -> str:
    lines = ["packages:"]
    for source, targets in sorted(package_edges(graph).items()):
        lines.append(f"  {source} -> {', '.join(sorted(targets))}")
    if modules:
        lines.append("modules:")
        for source in sorted(graph.files):
            names = sorted(graph.edges.get(source, {}))
            lines.append(f"  {source} -> {', '.join(names) if names else '(none)'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.imports", description=__doc__)
    parser.add_argument("--modules", action="store_true", help="also print every module's edges")
    parser.add_argument("--root", default=".", help="the repository (default: here)")
    args = parser.parse_args(argv)
    top = Path(args.root).resolve()
    graph = build(top)
    print(describe(graph, args.modules))
    found = problems_of(graph, top)
    for problem in found:
        print(problem, file=sys.stderr)
    print(f"{len(graph.files)} modules, {len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
