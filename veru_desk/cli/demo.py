"""``veru-desk demo-data --people N [--seed S]``: a realistic unit to demonstrate and test on.

On a new database it also creates the demo team (Priya the manager, Dariusz and colleagues,
an administrator), all with one published password: for demonstrations only, never for real
records. On a database that already has users it needs an administrator or manager.

A new database is built under a temporary name and moved into place only when every person
is in it (``services.new_database``): interrupted, it leaves no database, so running it again
simply starts again.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from veru_desk.cli import Context, positive_int, uk_date


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo-data",
        help="generate realistic synthetic cases (for demonstrations and testing)",
        description="Adds synthetic young people with referrals, plans, sessions and outcomes. "
        "The same seed gives the same people; dates are placed relative to today (or --as-of).",
    )
    parser.add_argument("--people", type=positive_int, required=True, metavar="N")
    parser.add_argument("--seed", type=int, default=1, metavar="S")
    parser.add_argument(
        "--as-of",
        type=uk_date,
        metavar="DATE",
        help="the day the data is 'today' for (dd/mm/yyyy or yyyy-mm-dd; default: today)",
    )
    parser.add_argument(
        "--no-encryption",
        action="store_true",
        help="when creating the database, make a plain SQLite file",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from veru_desk.demo import (
        DEMO_PASSWORD,
        DEMO_TEAM,
        add_demo_team,
        build_demo_database,
        generate_demo_data,
    )
    from veru_desk.services.actor import SYSTEM
    from veru_desk.services.users import count_users
    from veru_desk.services.vault import DatabaseKind, kind_of

    started = time.perf_counter()
    location = ctx.location
    kind = kind_of(location)
    recovery_key = None
    team_created = False

    def progress(done: int, total: int) -> bool:
        if sys.stderr.isatty():
            print(f"\r{done:,} of {total:,} young people", end="", file=sys.stderr, flush=True)
        return True

    if kind is DatabaseKind.NEW:
        # Built aside and moved into place when finished: a kill leaves no database at all.
        created, summary = build_demo_database(
            location,
            args.people,
            args.seed,
            progress,
            encrypted=not args.no_encryption,
            anchor=args.as_of,
        )
        ctx.adopt(created.db)
        recovery_key = created.recovery_key
        team_created = True
    else:
        if kind is not DatabaseKind.ENCRYPTED and _has_no_users(ctx, count_users):
            db, actor = ctx.adopt(_open(ctx)), SYSTEM
            add_demo_team(db)
            team_created = True
        else:
            db, actor = ctx.sign_in()
        summary = generate_demo_data(
            db, args.people, args.seed, progress, actor=actor, anchor=args.as_of
        )
    if sys.stderr.isatty():
        print(file=sys.stderr)
    seconds = time.perf_counter() - started
    ctx.print(
        f"Demo data: {summary.people:,} young people, {summary.referrals:,} referrals, "
        f"{summary.sessions:,} sessions, {summary.assessments:,} risk assessments, "
        f"{summary.plans:,} plans, {summary.outcomes:,} outcome records, {summary.notes:,} "
        f"case notes (seed {summary.seed}) in {seconds:.1f} s."
    )
    if team_created:
        ctx.print("")
        ctx.print("Demo team (all with the password " + DEMO_PASSWORD + "):")
        for username, name, roles in DEMO_TEAM:
            ctx.print(f"  {username:<8} {name} ({', '.join(r.label for r in sorted(roles))})")
        ctx.print(
            "WARNING: this password is published; it is for demonstration only. Never put real "
            "young people's records in this database."
        )
    if recovery_key:
        ctx.print(f"Recovery key for this demo database: {recovery_key}")
    return 0


def _open(ctx: Context) -> Any:
    from veru_desk.db.opening import open_database

    return open_database(ctx.location)


def _has_no_users(ctx: Context, count_users: Any) -> bool:
    db = _open(ctx)
    try:
        return bool(count_users(db) == 0)
    finally:
        db.dispose()
