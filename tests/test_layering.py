"""The packages import one way: the core imports no feature, and each feature imports only the core and
the features it is built on. Read from the code's own import statements (TYPE_CHECKING-only imports, for
model relationships' types, do not count).

A part that needs something from a part built on it asks through a signal or a registered
contribution (impact/features.py) instead of importing it.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "impact"

# Modules and packages that make up the core: they may import only each other.
CORE = {"impact", "extensions", "model_types", "forms", "errors", "features", "requests", "signing", "external_urls",
        "access", "pagination", "concurrency", "column_limits", "text_filters", "mail", "jobs", "charts", "snapshots",
        "trash", "dependents", "attachments", "page_cache", "precompressed", "change_counters", "local_time",
        "db_connections"}

# What each feature is built on (besides the core); what those are built on is allowed too.
BUILT_ON = {
    "auth": set(),
    "admin": {"auth"},
    "projects": {"auth"},
    "toc": {"projects"},
    "evidence": {"toc"},
    "assessment": {"evidence"},
    "tracing": {"evidence"},
    "events": {"projects"},
    "cards": {"events", "toc"},
    "followups": {"cards", "evidence"},
    "coding": {"followups", "research"},
    "research": {"evidence"},
    "meetings": {"research"},
    "story": {"assessment", "tracing"},
    "reports": {"assessment", "tracing", "followups"},
    "publishing": {"story", "reports"},
    "transfer": {"evidence"},
    "api": {"cards", "research", "reports"},
    "demo": {"story", "reports", "coding", "admin", "research", "meetings", "publishing"},
}

def _allowed(feature: str) -> set[str]:
    seen, todo = set(), [feature]
    while todo:
        for base in BUILT_ON.get(todo.pop(), set()):
            if base not in seen:
                seen.add(base)
                todo.append(base)
    return seen


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "impact"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    typing_only = {id(node) for block in ast.walk(tree)
                   if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
                   for node in ast.walk(block)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "impact":
            found |= ({f"impact.{alias.name}" for alias in node.names} if node.module == "impact" else {node.module})
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("impact.")}
    return found


def arrows() -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        source = _part(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))
        for module in _imports(path):
            target = _part(module)
            if target != source:
                found.setdefault((source, target), []).append(str(path.relative_to(PACKAGE.parent)))
    return found


def test_every_package_is_declared():
    packages = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    modules = {path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    assert packages | modules <= CORE | set(BUILT_ON), "a new package or module must say which layer it is in"


def test_imports_point_one_way():
    wrong = []
    for (source, target), files in sorted(arrows().items()):
        if target in CORE:
            continue
        if source in CORE:
            wrong.append(f"the core ({source}) imports the feature {target}: {sorted(set(files))}")
        elif target not in _allowed(source):
            wrong.append(f"{source} imports {target}, which it is not built on: {sorted(set(files))}")
    assert not wrong, "\n".join(wrong)


def test_the_import_graph_has_no_loop():
    """Between packages (core ones included), counting imports inside functions too."""
    graph: dict[str, set[str]] = {}
    for source, target in arrows():
        if source != target:
            graph.setdefault(source, set()).add(target)
    finished: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            raise AssertionError("import loop: " + " -> ".join(path[path.index(node):] + [node]))
        if node in finished:
            return
        for target in sorted(graph.get(node, ())):
            visit(target, path + [node])
        finished.add(node)

    for node in sorted(graph):
        visit(node, [])


def test_the_declared_layers_have_no_loop():
    for feature in BUILT_ON:
        assert feature not in _allowed(feature), f"{feature} is built on itself"
