"""Copies of a SQLite database made with SQLite's online backup API, never a file copy:
a plain copy of a WAL database taken mid-write can be torn.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine

from veru_desk.domain.errors import StorageError


def backup_sqlite(engine: Engine, destination: Path) -> Path:
    """Writes a consistent copy of the database to ``destination`` and checks it."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_suffix(destination.suffix + ".partial")
    partial.unlink(missing_ok=True)
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        module = type(source).__module__.split(".")[0]
        connect = (
            __import__(module).connect if module != "sqlite3" else __import__("sqlite3").connect
        )
        target = connect(str(partial))
        try:
            source.backup(target)  # type: ignore[union-attr]
            result = target.execute("PRAGMA integrity_check").fetchone()
        finally:
            target.close()
    finally:
        raw.close()
    if not result or result[0] != "ok":
        partial.unlink(missing_ok=True)
        raise StorageError(f"The backup failed its integrity check ({result}).")
    partial.replace(destination)
    return destination


def timestamped_name(prefix: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now()
    return f"{prefix}-{now:%Y%m%d-%H%M%S}.db"
