"""The layers of DESIGN.md look down, and no two modules import each other.

Read from the source with ``ast``, not by importing it, so every import counts: those at the top
of a module, those inside functions (imported late to keep a start fast, but a dependency all
the same) and those only for type checking (``if TYPE_CHECKING:``). A layer importing one it
should not drags that one into every use of it: Qt into the command line, SQLAlchemy into a
value rule, the window into a use case. A cycle makes the import order matter, so a module
moved or imported first elsewhere breaks at start with a half-initialised module; imports
only for type checking run at no start, so they do not count as cycles.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import veru_desk

PACKAGE = Path(veru_desk.__file__).parent
MIGRATIONS = PACKAGE / "db" / "migrations"  # Alembic's scripts, loaded by Alembic from files

# Which layer a module is in: its sub-package, or for the package's own modules the role it
# plays. "base" is what every layer may read: the version, paths and settings, shipped files.
TOP_LEVEL_MODULES = {
    "veru_desk": "base",
    "veru_desk.config": "base",
    "veru_desk.resources": "base",
    "veru_desk.app": "app",  # the desktop start: sign-in, first paint, window
    "veru_desk.selftest": "app",  # the installation check builds the window too
    "veru_desk.startup": "app",  # which road the arguments take, shared by both doors
    "veru_desk.heap": "base",  # the process's collector: the app, its lock screen, the bench
    "veru_desk.launch": "entry",
    "veru_desk.__main__": "entry",
}
LAYERS = ("domain", "db", "services", "demo", "reports", "ui", "bench", "cli")

# What each layer may import of ours besides itself (DESIGN.md, "Architecture").
MAY_IMPORT: dict[str, set[str]] = {
    "domain": set(),
    "base": {"domain"},
    "db": {"base", "domain"},
    "services": {"db", "base", "domain"},
    "demo": {"services", "db", "base", "domain"},  # the bulk writer writes rows directly
    "reports": {"services", "base", "domain"},
    "ui": {"services", "reports", "demo", "base", "domain"},
    "app": {"ui", "reports", "services", "demo", "db", "base", "domain"},
    "bench": {"app", "ui", "reports", "services", "demo", "db", "base", "domain"},
    "cli": {"app", "bench", "reports", "services", "demo", "base", "domain"},
    # bench: only the frozen bundle's bare-window floor (``launch.BENCH_FLOOR_ENV``).
    "entry": {"cli", "app", "services", "db", "base", "domain", "bench"},
}

# Imports across the layers that are known and tolerated, each with why. A new one fails the
# test; so does one listed here that is gone (take it off the list).
KNOWN_CROSSINGS: dict[tuple[str, str], str] = {
    ("veru_desk.app", "veru_desk.bench.probe"): "`--exit-after-first-paint`, for the bench",
    ("veru_desk.reports.tabular", "veru_desk.db.csv_files"): "one CSV writer (BOM, private)",
    ("veru_desk.cli.cases", "veru_desk.db.csv_files"): "one CSV writer (BOM, private)",
    ("veru_desk.cli.audit", "veru_desk.db.csv_files"): "one CSV writer (BOM, private)",
    ("veru_desk.cli", "veru_desk.db.engine"): "type of the opened database",
    ("veru_desk.cli", "veru_desk.db.failures"): "explains an environment's failure in a line",
    ("veru_desk.cli.demo", "veru_desk.db.opening"): "opens the file it fills",
    ("veru_desk.cli.setup", "veru_desk.db.opening"): "`init` and `migrate` open the file",
    ("veru_desk.cli.setup", "veru_desk.db.migrate"): "`check --repair` rebuilds indexes",
    ("veru_desk.cli.server", "veru_desk.db.driver"): "whether a server login is wanted",
    ("veru_desk.ui.shell.sign_in", "veru_desk.db.engine"): "opens the database signed into",
    ("veru_desk.ui.shell.lock_screen", "veru_desk.db.engine"): "type of the database opened",
    ("veru_desk.ui.shell.damaged_database", "veru_desk.db.integrity"): "type of the finding",
}

# Cycles known and not yet broken, each with why; a new one fails, and so does one gone.
KNOWN_CYCLES: dict[frozenset[str], str] = {
    frozenset(
        {
            "veru_desk.services.users",
            "veru_desk.services.server_accounts",
            "veru_desk.services.vault",
        }
    ): "users changes an account's server login and database key (server_accounts, vault, "
    "imported late); vault signs in and server setup adds users through users",
}

# Third-party packages by layer: the domain is plain Python; below the UI there is no Qt.
DOMAIN_THIRD_PARTY = {"dateutil"}
NO_QT = {"domain", "base", "db", "services", "demo", "reports", "cli"}
QT = {"PySide6", "shiboken6"}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str  # one of our modules, or a third-party/standard top-level name
    line: int
    type_only: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {
    module_name(path): path
    for path in sorted(PACKAGE.rglob("*.py"))
    if MIGRATIONS not in path.parents and "__pycache__" not in path.parts
}


def layer_of(module: str) -> str:
    if module in TOP_LEVEL_MODULES:
        return TOP_LEVEL_MODULES[module]
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    raise AssertionError(
        f"{module} belongs to no layer: put it in a layer's folder, or name its layer in "
        "TOP_LEVEL_MODULES in tests/domain/test_layering.py"
    )


def _ours(name: str) -> str | None:
    """The module of ours that importing ``name`` loads (a name inside it counts as it)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(module: str) -> Iterator[Import]:
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    type_only_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for inner in node.body:
                type_only_lines.update(
                    child.lineno for child in ast.walk(inner) if hasattr(child, "lineno")
                )
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            # ``from pkg import sub`` loads the module pkg.sub; ``from pkg import name``, pkg.
            submodules = [f"{source}.{alias.name}" for alias in node.names]
            targets = [name for name in submodules if name in MODULES] or [source]
        else:
            continue
        for target in targets:
            ours = _ours(target)
            if ours == module:
                continue
            yield Import(
                importer=module,
                imported=ours if ours is not None else target,
                line=node.lineno,
                type_only=node.lineno in type_only_lines,
            )


ALL_IMPORTS = [found for module in MODULES for found in imports_of(module)]


def test_every_module_is_in_a_layer() -> None:
    assert len(MODULES) > 100, "the package was not found"
    for module in MODULES:
        layer_of(module)


@pytest.mark.parametrize("layer", ["base", *LAYERS, "app", "entry"])
def test_each_layer_imports_only_the_layers_beneath_it(layer: str) -> None:
    wrong = []
    for found in ALL_IMPORTS:
        if layer_of(found.importer) != layer or _ours(found.imported) is None:
            continue
        target = layer_of(found.imported)
        crossing = (found.importer, found.imported)
        if target != layer and target not in MAY_IMPORT[layer] and crossing not in KNOWN_CROSSINGS:
            wrong.append(f"{found.importer}:{found.line} imports {found.imported} ({target})")
    assert not wrong, f"{layer} may import only {sorted(MAY_IMPORT[layer])}:\n" + "\n".join(wrong)


def test_known_crossings_are_still_there() -> None:
    present = {(found.importer, found.imported) for found in ALL_IMPORTS}
    gone = sorted(set(KNOWN_CROSSINGS) - present)
    assert not gone, f"no longer imported, take off KNOWN_CROSSINGS: {gone}"


@pytest.mark.parametrize(
    "module", [m for m in MODULES if layer_of(m) == "domain"], ids=lambda m: m
)
def test_domain_modules_import_nothing_outside_the_domain(module: str) -> None:
    for found in imports_of(module):
        if _ours(found.imported) is not None:
            continue
        top = found.imported.split(".")[0]
        assert top in sys.stdlib_module_names or top in DOMAIN_THIRD_PARTY, (
            f"{module}:{found.line} imports {found.imported}"
        )


def test_no_qt_below_the_user_interface() -> None:
    wrong = [
        f"{found.importer}:{found.line} imports {found.imported}"
        for found in ALL_IMPORTS
        if layer_of(found.importer) in NO_QT and found.imported.split(".")[0] in QT
    ]
    assert not wrong, "\n".join(wrong)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
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
    return found


def test_no_two_modules_import_each_other() -> None:
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    lines: dict[tuple[str, str], int] = {}
    for found in ALL_IMPORTS:
        if not found.type_only and found.imported in MODULES:
            graph[found.importer].add(found.imported)
            lines.setdefault((found.importer, found.imported), found.line)
    described = []
    components = _cycles(graph)
    gone = set(KNOWN_CYCLES) - {frozenset(component) for component in components}
    assert not gone, f"broken at last, take off KNOWN_CYCLES: {sorted(map(sorted, gone))}"
    for component in components:
        members = set(component)
        if frozenset(members) in KNOWN_CYCLES:
            continue
        links = [
            f"{a}:{lines[a, b]} imports {b}"
            for a in component
            for b in sorted(graph[a] & members)
        ]
        described.append("\n  ".join(links))
    assert not described, "import cycles (move the shared piece into a module both import):\n  " + (
        "\n\n  ".join(described)
    )


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The check above is only as good as this: a cycle of three, and a module beside it."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
