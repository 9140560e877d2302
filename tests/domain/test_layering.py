"""The domain is plain Python: it imports the standard library, dateutil and itself only.

DESIGN.md's layers look down; a Qt or SQLAlchemy import here would drag the GUI or the
database into every use of a value rule, including the command line and the importer.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import veru_desk.domain

DOMAIN = Path(veru_desk.domain.__file__).parent
ALLOWED_THIRD_PARTY = {"dateutil"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.add("veru_desk.domain")  # relative imports stay inside the package
            elif node.module:
                found.add(node.module)
    return found


@pytest.mark.parametrize("path", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_domain_modules_import_nothing_outside_the_domain(path: Path) -> None:
    for module in _imports(path):
        top = module.split(".")[0]
        if top == "veru_desk":
            assert module == "veru_desk.domain" or module.startswith("veru_desk.domain."), module
        else:
            assert top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY, module
