"""What both doors into VERU Desk share: ``launch`` (the ``veru-desk`` entry point) and
``cli.main`` (the command line called directly, as tests and ``python -c`` do) each decide
whether the arguments start the desktop app, and each set the standard streams to UTF-8.

Here rather than in ``launch`` so the command line need not import the entry point that
imports it: the two used to import each other. Standard library only at import time, for the
same reason ``launch`` is (see its docstring).
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
