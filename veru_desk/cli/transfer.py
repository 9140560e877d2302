"""``veru-desk migrate-to URL``: moves an office's SQLite database onto a PostgreSQL server.

Run it once, as an administrator of the SQLite file (``--database`` names the file, default
the usual one), against a new, empty database on the server. It prints a line per table as
it goes, then each table's verified row count. The SQLite file is only read: keep it until
every PC has been pointed at the server and checked.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from veru_desk.cli import Context
from veru_desk.config import resolve_database


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "migrate-to",
        help="copy this SQLite database into an empty PostgreSQL database",
        description="Copies every record and the whole audit trail of the SQLite database "
        "(--database) into the empty PostgreSQL database at URL, then checks each table's "
        "row count and checksum against the original. Needs an administrator (--user). "
        "Refuses a database that already holds data; leaves the SQLite file as it was.",
    )
    parser.add_argument(
        "url",
        metavar="URL",
        help="the server database, e.g. postgresql+psycopg://veru@dbserver/veru "
        "(the password from ~/.pgpass or PGPASSWORD, not the URL)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from veru_desk.services.transfer import TransferService

    target = resolve_database(args.url)
    db, actor = ctx.sign_in()
    shown: dict[str, int] = {}

    def progress(table: str, copied: int) -> None:
        if shown.get(table) != copied:
            shown[table] = copied
            print(f"  {table}: {copied:,} rows copied", file=sys.stderr, flush=True)

    ctx.warn(f"Copying {ctx.location.display} to {target.display} ...")
    report = TransferService(db, actor).migrate_to(target, progress)
    width = max(len(t.table) for t in report.tables)
    ctx.print(f"{'Table':<{width}}  {'Rows':>10}  Checksum (SHA-256, first 12)")
    for table in report.tables:
        ctx.print(f"{table.table:<{width}}  {table.rows:>10,}  {table.checksum[:12]}")
    ctx.print(
        f"Copied {report.rows:,} rows in {len(report.tables)} tables to {report.target} in "
        f"{report.seconds:.1f} s; every table's row count and checksum match the original. "
        f"{report.source} was not changed. Point each PC at the server with --database or "
        "VERU_DESK_DATABASE."
    )
    return 0
