"""PySide6 reads the source of every module imported after it, looking for ``__feature__``
use, and keeps it in ``linecache``; the app turns that scan off (``veru_desk.ui``). In a fresh
interpreter, as the app starts: Qt first, then the database layer."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import linecache, sys
import PySide6.QtWidgets
import veru_desk.ui
import sqlalchemy.sql.compiler
import veru_desk.db.models
kept = [  # files read whole: SQLAlchemy also keeps a few lines of code it generates here
    name for name, entry in linecache.cache.items()
    if len(entry) > 2 and name.endswith(".py") and ("sqlalchemy" in name or "models" in name)
]
print(len(kept))
"""


def test_modules_imported_after_qt_are_not_read_into_memory() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0"]


def test_a_module_asking_for_a_feature_still_gets_it() -> None:
    script = (
        "import veru_desk.ui\n"
        "from __feature__ import snake_case\n"
        "from PySide6.QtCore import QObject\n"
        "print(hasattr(QObject(), 'object_name'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True"]
