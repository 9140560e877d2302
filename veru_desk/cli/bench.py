"""``veru-desk bench``: times the app's own code paths on a county-sized database.

Builds (once, then reuses) a demo database of ``--people`` young people in the user data
folder and runs on an encrypted copy of it, as every new database is encrypted (``--plain``
adds a run on a plain copy, to show what encryption costs), or runs on ``--database`` as it
is. Exit status 0 when every operation is within its
budget, 3 when one or more is over (the table says which), 1 when the run could not be made.
This is the one command that imports Qt: it times the Qt models and windows the app uses.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from veru_desk.cli import Context, positive_int

OVER_BUDGET = 3


def register(subparsers: Any) -> None:
    from veru_desk.bench.load import DEFAULT_CLIENTS, DEFAULT_SECONDS, DEFAULT_THINK
    from veru_desk.bench.operations import OPERATIONS
    from veru_desk.bench.runner import DEFAULT_PEOPLE, DEFAULT_REPEAT, LOAD_NAME

    parser = subparsers.add_parser(
        "bench",
        help="measure speed and memory on a large demo database",
        description="Times caseload, search, case, save, PDF, report, import, start-up and "
        "memory on an encrypted demo database of N people (built once and cached in the user "
        "data folder), as every new database is encrypted, each beside a floor doing the same "
        "work the plainest way. With --database it runs on that database instead, and writes "
        "to it (sessions, an export, imported referrals): use a copy, never live records.",
    )
    parser.add_argument(
        "--people",
        type=positive_int,
        default=DEFAULT_PEOPLE,
        metavar="N",
        help=f"young people in the demo database (default {DEFAULT_PEOPLE:,})",
    )
    parser.add_argument("--seed", type=int, default=1, metavar="S")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=[*OPERATIONS, LOAD_NAME],
        metavar="NAME",
        help="time only these operations: " + ", ".join([*OPERATIONS, LOAD_NAME]),
    )
    parser.add_argument(
        "--server",
        metavar="URL",
        help="run on this PostgreSQL server (postgresql://...): it is filled with demo data to "
        f"--people if it holds fewer, then, after the operations, {LOAD_NAME}: PCs doing a "
        "caseworker's mix at once (search, open case, record session, add note). Use a "
        "server set aside for it, never live records",
    )
    parser.add_argument(
        "--clients",
        type=positive_int,
        default=DEFAULT_CLIENTS,
        metavar="N",
        help=f"PCs at once in {LOAD_NAME} (default {DEFAULT_CLIENTS})",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=DEFAULT_SECONDS,
        metavar="SECONDS",
        help=f"how long the PCs work at once (default {DEFAULT_SECONDS:g})",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=DEFAULT_THINK,
        metavar="SECONDS",
        help=f"pause between a PC's actions, as a person reads (default {DEFAULT_THINK:g}; "
        "0 for PCs working flat out)",
    )
    parser.add_argument(
        "--plain",
        action="store_true",
        help="also run on a plain (unencrypted) copy and show what encryption costs; the "
        "budgets are judged on the encrypted file",
    )
    parser.add_argument(  # encrypted is the default now: still accepted from older scripts
        "--encrypted", action="store_true", help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--repeat",
        type=positive_int,
        default=DEFAULT_REPEAT,
        metavar="N",
        help=f"timed runs of each operation (default {DEFAULT_REPEAT})",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from veru_desk.bench.runner import BenchOptions, print_report, run_bench, write_json

    username = ctx.username()
    password = ctx.password(f"Password for {username}: ") if username else ""
    options = BenchOptions(
        people=args.people,
        seed=args.seed,
        only=tuple(args.only or ()),
        database=getattr(args, "database", None),
        plain=args.plain,
        repeat=args.repeat,
        server=args.server,
        clients=args.clients,
        load_seconds=args.duration,
        think=args.think,
        **({"username": username} if username else {}),
        password=password,
    )

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    report = run_bench(options, say)
    print_report(report, ctx.out)
    if args.json:
        write_json(report, args.json)
    return 0 if report.all_within_budget else OVER_BUDGET
