"""A start on a file never loads SQLAlchemy's PostgreSQL dialect.

Loading it costs every start on SQLite 30-50 ms and 2 MiB, and it came in by two side doors: an
index naming ``postgresql_where`` (SQLAlchemy loads a dialect to check a keyword named for it)
and a module-level statement typed with the dialect's ``ARRAY``. Every module a desktop start
can import is imported here, in a fresh process, and the dialect must still be absent.
"""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
import importlib, pkgutil, sys
import veru_desk
skip = ("veru_desk.db.migrations", "veru_desk.bench", "veru_desk.cli")
for package in ("domain", "db", "services", "reports", "ui"):
    root = importlib.import_module(f"veru_desk.{package}")
    for found in pkgutil.walk_packages(root.__path__, prefix=f"veru_desk.{package}."):
        if not found.name.startswith(skip):
            importlib.import_module(found.name)
importlib.import_module("veru_desk.app")
print(sorted(m for m in sys.modules if m.startswith("sqlalchemy.dialects.postgresql")))
"""


def test_no_module_of_the_desktop_app_loads_the_postgresql_dialect() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
