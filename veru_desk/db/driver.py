"""The bare database drivers: which kind of database a location is, and a connection to it
set up exactly as the engine sets up its own, without importing SQLAlchemy.

Two callers need a database before SQLAlchemy is loaded (about half a second of imports on
an office PC): the engine itself, whose connections are made here so there is one place that
sets them up, and the start of the desktop app, which reads the first screen through a bare
connection while the window is built (``services.quick_start``).
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from veru_desk.config import DatabaseLocation
from veru_desk.db.staging import finish_interrupted_creation
from veru_desk.domain.errors import StorageError

BUSY_TIMEOUT_ENV = "VERU_DESK_BUSY_TIMEOUT"


def _busy_timeout_ms() -> int:
    """How long a save waits for another program's save before giving up: 15 s, or the
    seconds in ``VERU_DESK_BUSY_TIMEOUT`` (longer for a slow shared folder, shorter in tests).
    Error messages about a locked database say how long was waited (``db.failures``)."""
    try:
        seconds = float(os.environ.get(BUSY_TIMEOUT_ENV, "") or 15)
    except ValueError:
        seconds = 15
    return max(0, round(seconds * 1000))


BUSY_TIMEOUT_MS = _busy_timeout_ms()
#: SQLite's page cache per connection, in KiB (decrypted pages, on an encrypted file).
CACHE_KIB = 32_000
#: For a document read across the whole database (``Database.snapshot(wide=True)``): the
#: outcome report's year at 300,000 people reads indexes of a 4 GB file, and with 32 MB each
#: decrypted page was thrown out before it was wanted again (10.3 s, against 7.4 s at 128 MB
#: and at 512 MB; 2.4 s at 100,000 people).
WIDE_CACHE_KIB = 131_072
SQLITE_HEADER = b"SQLite format 3\x00"
KEY_FILE_SUFFIX = ".keys"


class DatabaseKind(enum.Enum):
    NEW = "new"  # no file yet: first start
    ENCRYPTED = "encrypted"  # SQLCipher file with its key file
    PLAIN = "plain"  # an unencrypted SQLite file (an explicit choice)
    SERVER = "server"  # PostgreSQL: protected by the server, not by us


def key_file_path(database: Path) -> Path:
    """The key file beside an encrypted database: ``cases.db`` -> ``cases.db.keys``."""
    return database.with_name(database.name + KEY_FILE_SUFFIX)


def kind_of(location: DatabaseLocation) -> DatabaseKind:
    if location.path is None:
        return DatabaseKind.SERVER
    path = location.path
    finish_interrupted_creation(path)  # a first start killed half-way (db.staging)
    if key_file_path(path).exists():
        return DatabaseKind.ENCRYPTED
    if not path.exists() or path.stat().st_size == 0:
        return DatabaseKind.NEW
    with path.open("rb") as handle:
        header = handle.read(16)
    if header == SQLITE_HEADER:
        return DatabaseKind.PLAIN
    # An encrypted file looks like random bytes from its first byte, and so does a damaged
    # one: say both, rather than guess one and send the person the wrong way.
    raise StorageError(
        f"{path.name} is not a plain SQLite file and has no key file "
        f"({key_file_path(path).name}) beside it. If it is an encrypted VERU Desk database, "
        "put its key file back beside it (a copy saved with the database; each backup has its "
        "own, named after the backup); if it is not, the "
        "file is damaged or is not a VERU Desk database: check --database, or restore the "
        "latest backup."
    )


def sqlite_module(key: bytes | None) -> Any:
    """``sqlite3`` for a plain file, SQLCipher's drop-in replacement for an encrypted one."""
    if key is None:
        import sqlite3

        return sqlite3
    import sqlcipher3.dbapi2 as sqlcipher

    return sqlcipher


def set_up_sqlite(connection: Any, key: bytes | None) -> None:
    """Every SQLite connection, the engine's or a bare one: the key first, then foreign keys
    on, WAL, a busy timeout, and transactions we begin ourselves (``BEGIN IMMEDIATE`` for
    writers) instead of the driver's implicit ones."""
    if key is not None:
        # SQLCipher logs every page that fails to decrypt to standard error (hundreds of
        # lines on a damaged file): our own messages say what is wrong, in one line. This
        # touches no page, so the key is still the first statement that reads the file.
        connection.execute("PRAGMA cipher_log_level = NONE")
        # A raw 256-bit key skips the KDF.
        connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    connection.isolation_level = None
    cursor = connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    finally:
        cursor.close()


def server_login_wanted(location: DatabaseLocation) -> bool:
    """A server URL naming no user: each person signs in to the server as their own login
    role, with their VERU Desk password (``veru-desk server setup``). A URL naming one (the
    single shared role of older set-ups, or the owner) connects as that role, as before."""
    if location.path is not None:
        return False
    userinfo, at, _host = urlsplit(location.url).netloc.rpartition("@")
    return not (at and userinfo.split(":", 1)[0])


def signed_in_location(
    location: DatabaseLocation, username: str, password: str
) -> DatabaseLocation:
    """The location as ``username`` signs in to it: on a server whose URL names no user, the
    URL carries their login role and password (never shown: ``DatabaseLocation.display``
    hides it); anything else unchanged."""
    if not server_login_wanted(location):
        return location
    from veru_desk.db.server_roles import role_name

    role = role_name(username.strip().lower())
    return replace(location, url=with_server_password(location.url, password, user=role))


def with_server_password(url: str, password: str, *, user: str | None = None) -> str:
    """``url`` with its login's password (and user) replaced, each percent-encoded."""
    parts = urlsplit(url)
    userinfo, _at, host = parts.netloc.rpartition("@")
    user = user if user is not None else unquote(userinfo.split(":", 1)[0])
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


def server_conninfo(url: str) -> str:
    """A SQLAlchemy URL (``postgresql+psycopg://…``) as the libpq URI psycopg takes."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


class Connection:
    """A bare connection with one way to run a query on either driver (``?`` placeholders)."""

    def __init__(self, raw: Any, *, server: bool) -> None:
        self.raw = raw
        self.server = server

    def rows(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.server:
            import psycopg

            sql = sql.replace("?", "%s")
            # A standard cursor (``%s``) even on the engine's connections, whose own are raw.
            cursor = psycopg.Cursor(self.raw)
        else:
            cursor = self.raw.cursor()
        try:
            cursor.execute(sql, tuple(parameters))
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def table_exists(self, name: str) -> bool:
        if self.server:
            sql = "SELECT 1 FROM information_schema.tables WHERE table_name = ?"
        else:
            sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        return bool(self.rows(sql, (name,)))

    def current_revision(self) -> str | None:
        """The schema revision Alembic recorded, None for an empty database."""
        if not self.table_exists("alembic_version"):
            return None
        found = self.rows("SELECT version_num FROM alembic_version")
        return found[0][0] if found else None

    def close(self) -> None:
        self.raw.close()


def connect(location: DatabaseLocation, key: bytes | None = None) -> Connection:
    """A bare connection to an existing database (read-only use: nothing is begun)."""
    if location.path is not None:
        raw = sqlite_module(key).connect(str(location.path), check_same_thread=False)
        try:
            set_up_sqlite(raw, key)
        except Exception:
            raw.close()
            raise
        return Connection(raw, server=False)
    import psycopg

    raw = psycopg.connect(server_conninfo(location.url), autocommit=True)
    return Connection(raw, server=True)
