"""``veru-desk self-test``: is this installation sound? One line, exit status 0 or 1.

For IT after deploying the bundle to a PC, and for the packaging test after each build. It
works in a temporary folder and ignores ``--database`` and ``--user``: it proves the
installation, not a particular database (``veru-desk check`` does that).
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from veru_desk.cli import Context


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "self-test",
        help="check this installation works (database, encryption, PDF, main window)",
        description="Creates a temporary encrypted database, migrates it, writes and reads a "
        "case, renders a case summary PDF and builds the main window offscreen. Prints one "
        "line; exits 0 when everything works, 1 naming what failed. Touches no real data.",
    )
    parser.add_argument(
        "--no-window",
        action="store_true",
        help="skip the main-window check (a server without Qt's system libraries)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from veru_desk.selftest import run_self_test

    report = run_self_test(include_window=not args.no_window)
    failure = report.failure
    if failure is None:
        ctx.print(report.one_line())
        return 0
    line = report.one_line()
    log_file = _log_trace(failure.name, failure.trace) if failure.trace else None
    if log_file is not None:
        line += f" (details in {log_file})"
    ctx.warn(line)
    return 1


def _log_trace(check: str, trace: str) -> str | None:
    """The traceback goes to the log file support asks for, not onto the screen."""
    from veru_desk.config import log_dir

    try:
        path = log_dir() / "veru-desk-cli.log"
        with path.open("a", encoding="utf-8") as log:
            log.write(f"{dt.datetime.now().isoformat(timespec='seconds')} self-test: {check}\n")
            log.write(trace)
    except OSError:
        return None
    return str(path)
