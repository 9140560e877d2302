"""``veru-desk audit``: the audit trail for managers and administrators, as a table or CSV.

Scenario 8 from a terminal: which cases did a user open last month?
``veru-desk audit --by dariusz --action view --from 25/10/2026 --user admin``.
``--user`` is, as for every command, who signs in; ``--by`` picks whose events to show.
Reading the trail is itself audited, as in the app; an administrator without a case role sees
which case each event concerned but not its details (see ``services.audit_log``).
"""

from __future__ import annotations

import argparse
from typing import Any

from veru_desk.cli import Context, positive_int, uk_date
from veru_desk.db.csv_files import start_csv_stream
from veru_desk.domain.enums import AuditAction
from veru_desk.services.audit_log import AuditFilter, AuditRow

TABLE_LIMIT = 200
PAGE = 1000


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="show or export the audit trail (managers and administrators)",
        description="Newest first. Filters combine; dates are dd/mm/yyyy, both ends included.",
    )
    parser.add_argument("--case", metavar="REF", help="one case, e.g. VERU-2026-00012")
    parser.add_argument("--by", metavar="USERNAME", help="only events by this user")
    parser.add_argument(
        "--action",
        action="append",
        type=_actions,
        metavar="ACTION",
        help="only these actions (repeat or separate with commas): "
        + ", ".join(a.value for a in AuditAction),
    )
    parser.add_argument("--from", dest="date_from", type=uk_date, metavar="DATE")
    parser.add_argument("--to", dest="date_to", type=uk_date, metavar="DATE")
    parser.add_argument("--format", choices=("table", "csv"), default="table")
    parser.add_argument(
        "--limit",
        type=positive_int,
        metavar="N",
        help=f"at most N events (default: {TABLE_LIMIT} for a table, all for CSV)",
    )
    parser.set_defaults(func=run)


def _actions(text: str) -> frozenset[AuditAction]:
    found: set[AuditAction] = set()
    for part in text.split(","):
        if not part.strip():
            continue
        try:
            found.add(AuditAction(AuditAction.from_text(part.strip())))
        except ValueError:
            names = ", ".join(a.value for a in AuditAction)
            raise argparse.ArgumentTypeError(f"{part!r} is not an action: use {names}") from None
    return frozenset(found)


def run(args: argparse.Namespace, ctx: Context) -> int:
    # Reading the trail writes its own "viewed" row, so the sign-in is recorded first, but
    # patiently: waiting for another program's save rather than failing after 15 s.
    log = ctx.services(read_only=True).audit_log
    ctx.record_sign_in()
    where = AuditFilter(
        username=args.by,
        case_ref=args.case,
        actions=frozenset().union(*(args.action or [])),
        date_from=args.date_from,
        date_to=args.date_to,
    )
    if args.format == "csv":
        start_csv_stream(ctx.out)
        log.write_csv(where, ctx.out, limit=args.limit)
        return 0
    limit = args.limit or TABLE_LIMIT
    rows = ctx.patiently(
        "record that you viewed the audit trail", lambda: _newest(log, where, limit)
    )
    total = log.count(where)
    _write_table(ctx, rows)
    shown = len(rows)
    more = f" (the newest {shown} of {total}: use --limit or --format csv)" if total > shown else ""
    ctx.print(f"{shown} event{'s' if shown != 1 else ''}{more}")
    return 0


def _newest(log: Any, where: AuditFilter, limit: int) -> list[AuditRow]:
    rows: list[AuditRow] = log.query(where, min(limit, PAGE))
    while len(rows) < limit and rows:
        page = log.query(where, min(limit - len(rows), PAGE), before_id=rows[-1].id)
        if not page:
            break
        rows += page
    return rows


def _write_table(ctx: Context, rows: list[AuditRow]) -> None:
    headings = ["When", "User", "Action", "Case", "Record", "Summary"]
    cells = [
        [
            row.when_text,
            row.username,
            row.action.label,
            row.case_ref or "",
            f"{row.entity_type} {row.entity_id}" if row.entity_id is not None else "",
            " ".join(filter(None, [row.summary, row.changes_text])),
        ]
        for row in rows
    ]
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(headings)]
    widths[-1] = len(headings[-1])  # the summary runs on; no padding after it
    for values in [headings, ["-" * w for w in widths], *cells]:
        ctx.print("  ".join(v.ljust(widths[i]) for i, v in enumerate(values)).rstrip())
