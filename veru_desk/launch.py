"""What ``veru-desk`` runs first: the desktop app, or a command of the command line.

When the arguments only start the app (nothing, or ``--database X``) and the credentials are
known, the start-up read (``services.quick_start``) goes onto its worker thread before anything
else is imported: for an encrypted file its argon2 key derivation, the longest single step of a
start, then runs beside the imports of Qt and the window instead of after them. So this module
imports only the standard library until it knows which road it is on; the command line
(``cli``, with its parser and every command's module) is imported for commands only.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence


def app_start(argv: Sequence[str]) -> tuple[bool, str | None]:
    """Whether the arguments only start the desktop app, and the database they name."""
    rest = list(argv)
    database = None
    if rest and rest[0].startswith("--database="):
        database = rest.pop(0).removeprefix("--database=")
    elif len(rest) >= 2 and rest[0] == "--database":
        database = rest[1]
        rest = rest[2:]
    return not rest and database != "", database


def start_app(database: str | None) -> int:
    from veru_desk.config import environment_credentials, resolve_database
    from veru_desk.services.quick_start import EarlyRead

    credentials = environment_credentials()
    early = EarlyRead(resolve_database(database), *credentials) if credentials else None
    from veru_desk.app import run_app  # Qt is imported here and only here

    return run_app(database, early=early)


def write_utf8() -> None:
    """Standard output and error in UTF-8 whatever the console's code page.

    Redirected to a file on Windows (``veru-desk cases > cases.txt``), Python writes in the
    console's code page (cp1252 in a British office), which cannot spell "Ţ", "Ł" or "ễ": the
    command stopped at the first such name with a half-written file. The error handler each
    stream had (strict for output, backslashreplace for errors) is kept.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None or (stream.encoding or "").lower().replace("-", "") == "utf8":
            continue
        # A stream already read from or closed is left as it is.
        with contextlib.suppress(ValueError, OSError):
            reconfigure(encoding="utf-8", errors=stream.errors)


def main(argv: Sequence[str] | None = None) -> int:
    from veru_desk.db.private_files import keep_new_files_private

    write_utf8()
    keep_new_files_private()  # logs, exports, the database: the user's only (Linux, macOS)
    arguments = list(sys.argv[1:] if argv is None else argv)
    starts_app, database = app_start(arguments)
    if starts_app:
        return start_app(database)
    from veru_desk.cli import main as run_command

    return run_command(arguments)
