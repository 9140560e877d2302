"""What a desktop start never loads, though something once brought it in by a side door.

- SQLAlchemy's PostgreSQL dialect on a start on a file (30-50 ms and 2 MiB): an index naming
  ``postgresql_where`` (SQLAlchemy loads a dialect to check a keyword named for it) and a
  module-level statement typed with the dialect's ``ARRAY`` each loaded it.
- The ``cryptography`` package (12.6 MiB, and its own OpenSSL): the key file uses the OpenSSL
  Python has loaded (``db.libcrypto``).
- QtNetwork, off Windows (9 ms and 3.4 MiB): the single-instance guard's Unix socket is the
  standard library's (``ui.shell.single_instance``).

Every module a desktop start can import is imported here, in a fresh process, and none of
these may be among them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = """
import importlib, json, pkgutil, sys
import veru_desk
skip = ("veru_desk.db.migrations", "veru_desk.bench", "veru_desk.cli")
for package in ("domain", "db", "services", "reports", "ui"):
    root = importlib.import_module(f"veru_desk.{package}")
    for found in pkgutil.walk_packages(root.__path__, prefix=f"veru_desk.{package}."):
        if not found.name.startswith(skip):
            importlib.import_module(found.name)
importlib.import_module("veru_desk.app")
print(json.dumps(sorted(sys.modules)))
"""


def test_no_module_of_the_desktop_app_loads_what_its_start_must_not() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert "veru_desk.ui.shell.single_instance" in loaded  # the probe reached the app
    unwanted = ["sqlalchemy.dialects.postgresql", "cryptography"]
    if sys.platform != "win32":
        unwanted.append("PySide6.QtNetwork")
    found = [m for m in loaded if any(m == u or m.startswith(f"{u}.") for u in unwanted)]
    assert found == []
