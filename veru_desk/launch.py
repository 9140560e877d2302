"""What ``veru-desk`` runs first: the desktop app, or a command of the command line.

When the arguments only start the app (nothing, or ``--database X``) and the credentials are
known, the start-up read (``services.quick_start``) goes onto its worker thread before anything
else is imported: for an encrypted file its argon2 key derivation, the longest single step of a
start, then runs beside the imports of Qt and the window instead of after them. So this module
imports only the standard library until it knows which road it is on; the command line
(``cli``, with its parser and every command's module) is imported for commands only.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from veru_desk.startup import app_start, start_app, write_utf8

#: Set by ``veru-desk bench`` (``bench.probe.FLOOR_ENV``) to time the plainest Qt window with
#: the bundle's own start; the bench may not import this entry module, so it is named twice.
BENCH_FLOOR_ENV = "VERU_DESK_BENCH_FLOOR"

__all__ = ["app_start", "main", "start_app", "write_utf8"]


def main(argv: Sequence[str] | None = None) -> int:
    from veru_desk.db.private_files import keep_new_files_private

    if os.environ.get(BENCH_FLOOR_ENV) == "1":
        # The benchmark's bare-window floor, from inside the frozen bundle (no ``python -m``).
        from veru_desk.bench.probe import bare_window

        return bare_window()
    write_utf8()
    keep_new_files_private()  # logs, exports, the database: the user's only (Linux, macOS)
    arguments = list(sys.argv[1:] if argv is None else argv)
    starts_app, database = app_start(arguments)
    if starts_app:
        return start_app(database)
    from veru_desk.cli import main as run_command

    return run_command(arguments)
