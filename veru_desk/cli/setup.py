"""``veru-desk init`` and ``veru-desk check``: creating, upgrading and checking a database.

``init`` needs no user while there is none: it makes the schema and, with ``--admin``, the
first administrator (refused once any user exists; from then on administrators add users).
A new database file is encrypted unless ``--no-encryption`` is given, so ``init`` on a new file
needs ``--admin``: the key is wrapped with the administrator's password. The new file and its
key file are built aside and moved into place when finished (``services.new_database``). On an
existing file, ``init`` also rebuilds any index that ``check`` reports missing.
"""

from __future__ import annotations

import argparse
from typing import Any

from veru_desk.cli import CommandError, Context
from veru_desk.domain.enums import Role
from veru_desk.domain.errors import ConflictError
from veru_desk.services.actor import SYSTEM


def register(subparsers: Any) -> None:
    init = subparsers.add_parser(
        "init",
        help="create or upgrade the database",
        description="Creates the database (with its first administrator) or upgrades it to "
        "this release's schema. Upgrading an encrypted database needs --user.",
    )
    init.add_argument(
        "--admin", metavar="USERNAME", help="create the first administrator (new databases)"
    )
    init.add_argument(
        "--display-name", metavar="TEXT", help="the administrator's full name (default: username)"
    )
    init.add_argument(
        "--no-encryption",
        action="store_true",
        help="make a plain SQLite file instead of an encrypted one (tests, a server folder "
        "protected by other means)",
    )
    init.set_defaults(func=run_init)

    check = subparsers.add_parser(
        "check",
        help="check the database's integrity, foreign keys and migrations",
        description="Exits non-zero, naming the problem, when anything is wrong. Needs an "
        "administrator or manager.",
    )
    check.set_defaults(func=run_check)


def run_init(args: argparse.Namespace, ctx: Context) -> int:
    from veru_desk.db.opening import open_database
    from veru_desk.services.users import UserService, count_users
    from veru_desk.services.vault import DatabaseKind, create_database, kind_of

    location = ctx.location
    kind = kind_of(location)
    if kind is DatabaseKind.NEW and (args.admin or not args.no_encryption):
        if not args.admin:
            raise CommandError(
                "A new database is encrypted with its first administrator's password: "
                "run `veru-desk init --admin USERNAME` (or add --no-encryption)."
            )
        _create_with_admin(args, ctx, create_database, encrypted=not args.no_encryption)
        return 0
    if kind is DatabaseKind.ENCRYPTED:
        if args.admin:
            raise ConflictError(
                "This database already has users: an administrator adds new ones in the app."
            )
        db, _actor = ctx.sign_in()
    else:
        db = ctx.adopt(open_database(location))
    if args.admin:
        if count_users(db) > 0:
            raise ConflictError(
                "This database already has users: an administrator adds new ones in the app."
            )
        password = ctx.password(f"Password for {args.admin}: ", confirm=True)
        UserService(db, SYSTEM).create(
            args.admin, args.display_name or args.admin, {Role.ADMIN}, password
        )
        ctx.print(f"Administrator {args.admin.strip().lower()} created.")
    from veru_desk.db.migrate import rebuild_missing_indexes

    # (On a server the owner role, which no PC holds, looks after the indexes.)
    rebuilt = rebuild_missing_indexes(db.engine) if db.is_sqlite else []
    if rebuilt:
        ctx.print(f"Rebuilt {len(rebuilt)} missing index(es): {', '.join(rebuilt)}.")
    ctx.print(f"Database ready at {location.display} (schema up to date).")
    return 0


def _create_with_admin(
    args: argparse.Namespace, ctx: Context, create_database: Any, *, encrypted: bool
) -> None:
    from veru_desk.services.new_database import build_complete

    password = ctx.password(f"Password for {args.admin}: ", confirm=True)
    # Built aside and moved into place when finished: a kill leaves no database at all.
    created = build_complete(
        ctx.location,
        lambda staged: create_database(
            staged, args.admin, args.display_name or args.admin, password, encrypted=encrypted
        ),
    )
    ctx.adopt(created.db)
    ctx.print(f"Database created at {ctx.location.display}.")
    ctx.print(f"Administrator {created.actor.username} created.")
    if created.recovery_key:
        ctx.print("")
        ctx.print(f"Recovery key: {created.recovery_key}")
        ctx.print(
            "Write this down and keep it somewhere safe and separate (a sealed envelope in the "
            "office safe). It opens the database if every password is lost; it is shown only "
            "this once."
        )


def run_check(args: argparse.Namespace, ctx: Context) -> int:
    report = ctx.services().health.check()
    for line in report.passed:
        ctx.print(line)
    for problem in report.problems:
        ctx.warn(f"Problem: {problem}")
    if report.ok:
        ctx.print(f"{ctx.location.display}: no problems found.")
        return 0
    ctx.warn(f"veru-desk: {len(report.problems)} problem(s) found in {ctx.location.display}.")
    return 1
