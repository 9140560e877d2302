"""Why the database failed, told truthfully: the one place that reads a driver's error.

A message that blames the wrong cause does harm: "restore the latest backup" for a database
that was only busy for a moment sends an administrator to throw away a morning's work. So
every layer that meets a database error (the services, the command line, the desktop start
and its last-resort handler) asks ``explain`` and shows its words, and only a file that is
genuinely damaged is ever answered with "restore".

The causes: locked by another program (try again: says how long it waited), a value the
database cannot store (which field), a server that cannot be reached, a wrong password or
key, a full or failing disk, a read-only file or folder, a database not set up for this
release, and a damaged file. Anything else is not classified (``None``): the caller treats it
as the bug it probably is, logs it, and does not guess.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import Any

from veru_desk.db.driver import BUSY_TIMEOUT_MS
from veru_desk.domain.errors import StorageError


class Cause(enum.Enum):
    LOCKED = "locked by another program"
    BAD_INPUT = "a value the database cannot store"
    UNREACHABLE = "server unreachable"
    SIGN_IN = "wrong password or key"
    DISK = "disk full or failing"
    READ_ONLY = "read-only"
    CANNOT_OPEN = "cannot open the file"
    NOT_SET_UP = "not set up for this release"
    NOT_ALLOWED = "not allowed by the server"
    DAMAGED = "damaged"


class DatabaseFailure(StorageError):
    """A database error explained: ``cause`` says which kind, the message what to do."""

    def __init__(self, cause: Cause, message: str) -> None:
        super().__init__(message)
        self.cause = cause


RESTORE = "Restore the latest backup (Administration, Backups; or `veru-desk restore`), or ask IT."


def waited() -> str:
    """How long a save waits for another program's save, in words: "15 seconds"."""
    seconds = BUSY_TIMEOUT_MS / 1000
    shown = f"{seconds:g}"
    return f"{shown} second{'' if shown == '1' else 's'}"


def explain(error: BaseException, *, encrypted: bool = False) -> DatabaseFailure | None:
    """The truth about ``error`` if it is a database failure we recognise, else None.

    ``error`` may be SQLAlchemy's wrapper or the driver's own exception (``sqlite3``,
    ``sqlcipher3``, ``psycopg``). ``encrypted`` says the file is an SQLCipher one, where
    "file is not a database" means the key does not fit as often as it means damage.
    """
    if isinstance(error, DatabaseFailure):
        return error
    original: BaseException = getattr(error, "orig", None) or error
    module = type(original).__module__.split(".")[0]
    text = " ".join(str(original).split())
    lowered = text.lower()
    params = getattr(error, "params", None)
    if module in ("sqlite3", "sqlcipher3"):
        return _sqlite(lowered, text, encrypted or module == "sqlcipher3")
    if module == "psycopg" or module == "psycopg_pool":
        return _server(type(original).__name__, lowered, text, params)
    return None


def _sqlite(lowered: str, text: str, encrypted: bool) -> DatabaseFailure | None:
    if "locked" in lowered or "busy" in lowered:
        return _locked("another program (or VERU Desk on another PC) is saving to it")
    if "database or disk is full" in lowered:
        return DatabaseFailure(
            Cause.DISK,
            "The disk holding the database is full: nothing was saved. Free some space, then "
            "try again.",
        )
    if "disk i/o error" in lowered:
        return DatabaseFailure(
            Cause.DISK,
            "The database file could not be read or written (disk I/O error): nothing was "
            "saved. Check that the drive or network share is connected, then try again.",
        )
    if "readonly" in lowered or "read-only" in lowered:
        return DatabaseFailure(
            Cause.READ_ONLY,
            "The database file (or its folder) is read-only: nothing was saved. Ask IT to let "
            "you write to the folder.",
        )
    if "unable to open database file" in lowered:
        return DatabaseFailure(
            Cause.CANNOT_OPEN,
            "The database file cannot be opened: check that its folder exists, that the drive "
            "or share is connected and that you may write there.",
        )
    if "no such table" in lowered or "no such column" in lowered:
        return DatabaseFailure(
            Cause.NOT_SET_UP,
            f"The database is not set up for this release of VERU Desk ({text}): check that "
            "--database names the right file, or run `veru-desk init` to upgrade it.",
        )
    if "file is not a database" in lowered or "file is encrypted" in lowered:
        if encrypted:
            return DatabaseFailure(
                Cause.SIGN_IN,
                "The database cannot be decrypted with the key from its key file: the key "
                "file may belong to another database. Put back the key file that was saved "
                "with this database (a backup's key file opens only that backup, and is named "
                "after it); if it is the right one, "
                "the file is damaged. " + RESTORE,
            )
        return DatabaseFailure(Cause.DAMAGED, f"The database file is damaged ({text}). {RESTORE}")
    if "malformed" in lowered or "corrupt" in lowered:
        return DatabaseFailure(Cause.DAMAGED, f"The database file is damaged ({text}). {RESTORE}")
    return None


_CONNECT_REASONS: tuple[tuple[str, str], ...] = (
    ("connection refused", "connection refused: is the server running?"),
    ("timeout expired", "no answer in time: is the server running, and the network up?"),
    ("timed out", "no answer in time: is the server running, and the network up?"),
    ("could not translate host name", "no computer of that name: check the URL"),
    ("name or service not known", "no computer of that name: check the URL"),
    ("no route to host", "no route to that computer: check the network"),
    ("network is unreachable", "the network is unreachable"),
    ("server closed the connection", "the server closed the connection"),
    ("terminating connection", "the server is shutting down or restarting"),
    ("the database system is starting up", "the server is still starting up"),
    ("the database system is shutting down", "the server is shutting down"),
    ("connection is closed", "the connection to the server was lost"),
    ("consuming input failed", "the connection to the server was lost"),
)


def _server(kind: str, lowered: str, text: str, params: Any) -> DatabaseFailure | None:
    if "password authentication failed" in lowered or kind == "InvalidPassword":
        user = re.search(r'for user "([^"]+)"', text)
        who = f" for {user.group(1)}" if user else ""
        return DatabaseFailure(
            Cause.SIGN_IN,
            f"The database server refused the password{who}: check the user name and "
            "password in the database URL, or ask your administrator.",
        )
    if kind in ("LockNotAvailable", "QueryCanceled") and (
        "lock timeout" in lowered or "statement timeout" in lowered
    ):
        return _locked("another user or program is saving to it")
    if kind in ("DeadlockDetected", "SerializationFailure"):
        return _locked("another user saved at the same moment")
    if "nul" in lowered and ("0x00" in lowered or "cannot contain" in lowered):
        field = _field_with_nul(params)
        where = f" in {field}" if field else ""
        return DatabaseFailure(
            Cause.BAD_INPUT,
            f"A value{where} contains a NUL character (0x00), which the database server "
            "cannot store: nothing was saved. Retype that text rather than pasting it.",
        )
    if kind in ("DataError", "StringDataRightTruncation", "InvalidTextRepresentation") or (
        kind.endswith("DataException")
    ):
        return DatabaseFailure(
            Cause.BAD_INPUT,
            f"The database server refused a value ({text}): nothing was saved. Check what was "
            "typed or imported.",
        )
    if kind == "InsufficientPrivilege":
        return DatabaseFailure(
            Cause.NOT_ALLOWED,
            f"The database server does not allow your login to do this ({text}): ask your "
            "administrator.",
        )
    if kind == "DiskFull" or "no space left" in lowered:
        return DatabaseFailure(
            Cause.DISK,
            "The database server's disk is full: nothing was saved. Ask your administrator.",
        )
    if kind in ("DataCorrupted", "IndexCorrupted"):
        return DatabaseFailure(
            Cause.DAMAGED,
            f"The database server reports damaged data ({text}): ask your administrator to "
            "check the server and restore its latest backup.",
        )
    if "does not exist" in lowered and "database" in lowered:
        return DatabaseFailure(
            Cause.UNREACHABLE,
            f"The database server has no such database ({text}): check the database URL.",
        )
    for words, reason in _CONNECT_REASONS:
        if words in lowered:
            host = re.search(r'server at "([^"]+)"(?:, port (\d+))?', text)
            where = (
                f" at {host.group(1)}" + (f" port {host.group(2)}" if host.group(2) else "")
                if host
                else ""
            )
            return DatabaseFailure(
                Cause.UNREACHABLE,
                f"The database server{where} cannot be reached ({reason}). Nothing was "
                "changed: try again when it is back, or ask your administrator.",
            )
    if kind == "OperationalError" and "connection" in lowered:
        return DatabaseFailure(
            Cause.UNREACHABLE,
            f"The database server cannot be reached ({text}). Nothing was changed: try again "
            "when it is back, or ask your administrator.",
        )
    return None


def _locked(who: str) -> DatabaseFailure:
    return DatabaseFailure(
        Cause.LOCKED,
        f"The database is locked: {who}, and VERU Desk waited {waited()} for it. Nothing was "
        "changed and nothing you typed has been lost: try again in a minute. If it stays "
        "locked, an import or backup may still be running.",
    )


def _field_with_nul(params: Any) -> str | None:
    """The column a NUL was bound for, from SQLAlchemy's parameters (``narrative_m3``)."""
    rows = params if isinstance(params, list | tuple) else [params]
    for row in rows:
        if isinstance(row, Mapping):
            for key, value in row.items():
                if isinstance(value, str) and "\x00" in value:
                    return re.sub(r"(_m)?\d+$", "", str(key)).replace("_", " ")
    return None
