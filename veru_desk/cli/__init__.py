"""The ``veru-desk`` command: the desktop app with no subcommand, headless subcommands otherwise.

Adding commands: write a module in this package with ``register(subparsers) -> None`` that
adds its parsers and sets ``func=handler`` where ``handler(args, ctx) -> int``; then add the
module's name to ``COMMAND_MODULES`` below. That one line is the whole registration.

Subcommands never import Qt (they run on servers, over SSH, in cron), and they call services
only: no SQL here. Errors meant for a person (``VeruError``: validation, permission, sign-in,
storage) are one line on standard error and exit status 1; usage errors are argparse's, exit
status 2; nothing a user can cause prints a traceback.

Every command takes ``--database PATH_OR_URL`` (or ``VERU_DESK_DATABASE``) and, when it reads or
writes case data, ``--user NAME`` (or ``VERU_DESK_USER``). The password comes from
``VERU_DESK_PASSWORD`` or a prompt, never from an argument: arguments show up in ``ps`` and in
shell history.

Database errors are explained by ``db.failures`` (locked, unreachable, wrong password or key,
bad value, damaged), the same words the desktop app shows. ``VERU_DESK_BUSY_TIMEOUT`` (seconds)
is how long a save waits for another program's save; read-only commands sign in with a read
and write the sign-in's audit row after their read (``Context.sign_in``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import importlib
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from veru_desk import __version__
from veru_desk.config import (
    PASSWORD_ENV,
    USER_ENV,
    DatabaseLocation,
    log_dir,
    resolve_database,
)
from veru_desk.domain.dates import parse_uk_date
from veru_desk.domain.errors import ValidationError, VeruError

if TYPE_CHECKING:
    from veru_desk.db.engine import Database
    from veru_desk.services import Services
    from veru_desk.services.actor import Actor

COMMAND_MODULES: tuple[str, ...] = (
    "veru_desk.cli.setup",
    "veru_desk.cli.cases",
    "veru_desk.cli.imports",
    "veru_desk.cli.demo",
    "veru_desk.cli.reports",
    "veru_desk.cli.sharing",
    "veru_desk.cli.bench",
    "veru_desk.cli.transfer",
    "veru_desk.cli.server",
    "veru_desk.cli.selftest",
    "veru_desk.cli.users",
    "veru_desk.cli.audit",
    "veru_desk.cli.backup",
    "veru_desk.cli.recover",
)

PROG = "veru-desk"

# How long a command waits, in all, for another program's save before giving up on a write it
# must not skip (a read-only command's sign-in audit row): several busy timeouts.
PATIENCE_SECONDS = 120

T = TypeVar("T")

Handler = Callable[[argparse.Namespace, "Context"], int]


class CommandError(VeruError):
    """Something the person running the command must change (a missing option, a bad file)."""


class CommandParser(argparse.ArgumentParser):
    """A parser whose every subcommand also accepts the global options.

    ``veru-desk --database x cases`` and ``veru-desk cases --database x`` both work, at any
    depth (``report outcomes --database x`` too): argparse makes sub-parsers of the parent's
    class, and only the top-level parser gives the options defaults, so a value given before
    the subcommand is not reset by the sub-parser.
    """

    def __init__(self, *args: Any, top_level: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = None if top_level else argparse.SUPPRESS
        self.add_argument(
            "--database",
            metavar="PATH_OR_URL",
            default=default,
            help="the database file or URL (default: $VERU_DESK_DATABASE, else the usual file)",
        )
        self.add_argument(
            "--user",
            metavar="NAME",
            default=default,
            help=f"sign in as this user (default: ${USER_ENV}); password from ${PASSWORD_ENV} "
            "or a prompt",
        )


def uk_date(text: str) -> dt.date:
    """argparse type for dates: dd/mm/yyyy or yyyy-mm-dd (and the other British forms)."""
    try:
        return parse_uk_date(text, "date")
    except ValidationError as error:
        raise argparse.ArgumentTypeError(error.fields["date"]) from None


def positive_int(text: str) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be 1 or more")
    return value


class Context:
    """What a command handler needs: output streams, the database and the signed-in user.

    Opened lazily, so ``--help`` and argument errors never touch a database, and closed by
    ``main`` whatever the handler did.
    """

    def __init__(self, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
        self.args = args
        self.out = out
        self.err = err
        self._db: Database | None = None
        self._pending_sign_in: tuple[Actor, str, dt.datetime] | None = None

    @property
    def location(self) -> DatabaseLocation:
        return resolve_database(getattr(self.args, "database", None))

    def username(self) -> str | None:
        return getattr(self.args, "user", None) or os.environ.get(USER_ENV) or None

    def password(self, prompt: str, *, confirm: bool = False) -> str:
        """From ``VERU_DESK_PASSWORD``, else asked without echo; never from an argument."""
        from_env = os.environ.get(PASSWORD_ENV)
        if from_env is not None:
            return from_env
        if not sys.stdin or not sys.stdin.isatty():
            raise CommandError(
                f"A password is needed: set {PASSWORD_ENV} or run the command in a terminal "
                "to be asked for it."
            )
        first = getpass.getpass(prompt)
        if confirm and getpass.getpass("Type it again: ") != first:
            raise CommandError("The two passwords were not the same: nothing was changed.")
        return first

    def adopt(self, db: Database) -> Database:
        """Hands a database opened by a command to the context, which closes it at the end."""
        self._db = db
        return db

    def sign_in(self, *, read_only: bool = False) -> tuple[Database, Actor]:
        """Opens the database as the named user (unlocking an encrypted file first).

        ``read_only`` (commands that only read: ``cases``, ``audit``): the password is checked
        with a read, and the sign-in's audit row is written when the command has read what it
        needs (``record_sign_in``), waiting patiently if another program is saving. Writing it
        first made a read fail whenever another program held the write lock for longer than
        the busy timeout. The row is never dropped: the command does not succeed without it.
        """
        from veru_desk.services.vault import open_for_user

        username = self.username()
        if not username:
            raise CommandError(
                f"This command needs a user: add --user NAME or set {USER_ENV} "
                f"(the password comes from {PASSWORD_ENV} or a prompt)."
            )
        password = self.password(f"Password for {username}: ")
        signed_in_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        db, actor = open_for_user(self.location, username, password, record_later=read_only)
        if read_only:
            self._pending_sign_in = (actor, password, signed_in_at)
        return self.adopt(db), actor

    def services(self, *, read_only: bool = False) -> Services:
        from veru_desk.services import Services

        db, actor = self.sign_in(read_only=read_only)
        return Services(db, actor)

    def record_sign_in(self) -> None:
        """Writes a read-only command's sign-in audit row (see ``sign_in``), patiently."""
        if self._pending_sign_in is None or self._db is None:
            return
        from veru_desk.services.users import record_sign_in

        actor, password, signed_in_at = self._pending_sign_in
        self._pending_sign_in = None
        self.out.flush()  # what was read is shown at once, whatever the wait
        command = getattr(self.args, "command", None)
        db = self._db

        def record() -> None:
            late = dt.datetime.now(dt.UTC).replace(tzinfo=None) - signed_in_at
            summary = f"Signed in (command line: {command})"
            if late > dt.timedelta(seconds=2):
                summary += (
                    f", recorded {late.total_seconds():.0f} s after the sign-in at "
                    f"{signed_in_at:%H:%M:%S} UTC while another program was saving"
                )
            record_sign_in(db, actor, password, signed_in_at, summary)

        try:
            self.patiently("record this sign-in in the audit trail", record)
        except BaseException:
            # Never silently: whoever runs the command (and its log) must know the trail
            # misses this sign-in, whether it timed out or was interrupted.
            self.warn(
                f"{PROG}: the sign-in of {actor.username} at {signed_in_at:%H:%M:%S} UTC was "
                "NOT recorded in the audit trail."
            )
            raise

    def patiently(self, what: str, action: Callable[[], T]) -> T:
        """``action()``, tried again while the database is locked by another program, for up
        to ``PATIENCE_SECONDS``; says once on standard error what it is waiting for."""
        from veru_desk.db.failures import Cause, DatabaseFailure, explain

        deadline = time.monotonic() + PATIENCE_SECONDS
        told = False
        while True:
            try:
                return action()
            except Exception as error:
                failure = explain(error, encrypted=self.encrypted)
                if failure is None or failure.cause is not Cause.LOCKED:
                    raise
                if time.monotonic() >= deadline:
                    raise DatabaseFailure(
                        Cause.LOCKED,
                        f"Another program kept the database locked for {PATIENCE_SECONDS} s, "
                        f"so VERU Desk could not {what}. Run the command again when it has "
                        "finished (an import or a backup may be running).",
                    ) from error
                if not told:
                    self.warn(
                        f"{PROG}: another program is saving to the database: waiting to {what}."
                    )
                    told = True
                time.sleep(0.2)

    @property
    def encrypted(self) -> bool:
        """Whether the open database is an SQLCipher file (False when none is open yet)."""
        return self._db is not None and self._db.key is not None

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None

    def print(self, *parts: object) -> None:
        print(*parts, file=self.out)

    def warn(self, *parts: object) -> None:
        print(*parts, file=self.err)


def build_parser() -> CommandParser:
    parser = CommandParser(
        prog=PROG,
        description="VERU Desk: case management for a Violence and Exploitation Reduction "
        "Unit. With no command, starts the desktop app.",
        top_level=True,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command and returns its exit status (the console script exits with it)."""
    from veru_desk.startup import app_start, start_app, write_utf8

    write_utf8()  # also when called without the entry point (tests, ``python -c``)
    starts_app, database = app_start(sys.argv[1:] if argv is None else argv)
    if starts_app:
        return start_app(database)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version, usage errors
        return stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 2
    if getattr(args, "command", None) is None:
        return start_app(args.database)
    handler: Handler | None = getattr(args, "func", None)
    if handler is None:  # a command group given without its subcommand (``report``)
        print(
            f"{PROG}: {args.command} needs a subcommand: see {PROG} {args.command} --help",
            file=sys.stderr,
        )
        return 2
    ctx = Context(args, sys.stdout, sys.stderr)
    try:
        status = handler(args, ctx)
        ctx.record_sign_in()
        return status
    except VeruError as error:
        ctx.warn(f"{PROG}: {_one_line(str(error))}")
        return 1
    except KeyboardInterrupt:
        ctx.warn(f"{PROG}: cancelled.")
        return 130
    except BrokenPipeError:
        # The reader went away (``veru-desk cases | head``): stop quietly, as Unix tools do.
        _silence_stdout()
        return 0
    except OSError as error:
        where = f" ({error.filename})" if error.filename else ""
        ctx.warn(f"{PROG}: {error.strerror or error}{where}")
        return 1
    except Exception as error:
        return _unexpected(ctx, error)
    finally:
        _record_sign_in_anyway(ctx)
        ctx.close()


def _record_sign_in_anyway(ctx: Context) -> None:
    """A read-only command that failed part-way still had its user signed in: record it."""
    try:
        ctx.record_sign_in()
    except Exception as error:  # the command's own error has been reported already
        ctx.warn(f"{PROG}: the sign-in could not be recorded in the audit trail: {error}")


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _unexpected(ctx: Context, error: Exception) -> int:
    """A bug or an environment failure we did not foresee: a calm line, the details in a log."""
    module = type(error).__module__
    is_database = module.startswith(("sqlalchemy", "sqlite3", "sqlcipher3", "psycopg"))
    if is_database:
        from veru_desk.db.failures import explain

        failure = explain(error, encrypted=ctx.encrypted)
        if failure is not None:
            ctx.warn(f"{PROG}: {_one_line(str(failure))}")
            return 1
    log_file = None
    try:
        log_file = log_dir() / "veru-desk-cli.log"
        logging.basicConfig(filename=log_file, level=logging.ERROR)
        logging.getLogger(PROG).error(
            "unexpected error\n%s", "".join(traceback.format_exception(error))
        )
    except OSError:
        log_file = None
    where = f"; details are in {log_file}" if log_file else ""
    if is_database:
        # Not a cause we recognise: say so, rather than guess at damage and advise a restore.
        detail = _one_line(str(getattr(error, "orig", None) or error))
        ctx.warn(
            f"{PROG}: the database reported an error VERU Desk does not recognise ({detail}). "
            f"Nothing was changed{where}."
        )
        return 1
    ctx.warn(f"{PROG}: unexpected error: {type(error).__name__}: {_one_line(str(error))}{where}")
    return 70
