"""``veru-desk cases``: the caseload as a table, CSV or JSON, for scripts and quick checks;
``veru-desk cases reallocate``: a manager moves cases to another caseworker with a reason.

The rows come from the caseload service the desktop app's Caseload page uses, so the command
line sees exactly the cases (and only the cases) the user would see in the app. CSV and JSON
are exports (a file of young people's details leaving the app): each is recorded in the audit
trail with its row count before a row is written, and CSV cells are formula-neutralised as in
every other export, so a name typed as ``=HYPERLINK(...)`` never runs in a spreadsheet.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
from collections.abc import Iterator, Sequence
from typing import Any

from veru_desk.cli import Context
from veru_desk.db.csv_files import start_csv_stream
from veru_desk.domain.cells import neutralise
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import ReferralStatus
from veru_desk.services.caseload import CaseloadFilter, CaseloadRow, CaseloadSort

PAGE = 1000
FIELDS: tuple[str, ...] = (
    "case_ref",
    "first_name",
    "last_name",
    "date_of_birth",
    "age",
    "status",
    "worker",
    "risk_level",
    "next_review_on",
    "last_contact_on",
    "disengaged",
)
_HEADINGS = {
    "case_ref": "Case ref",
    "first_name": "First name",
    "last_name": "Last name",
    "date_of_birth": "Date of birth",
    "age": "Age",
    "status": "Status",
    "worker": "Worker",
    "risk_level": "Risk",
    "next_review_on": "Next review",
    "last_contact_on": "Last contact",
    "disengaged": "Disengaged",
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "cases",
        help="list cases (one row per young person)",
        description="One row per case the user may see, sorted by name.",
    )
    parser.add_argument(
        "--status",
        action="append",
        type=_statuses,
        metavar="STATUS",
        help="only cases in these statuses (repeat or separate with commas), e.g. active,"
        "allocated; 'open' means accepted, allocated or active",
    )
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.set_defaults(func=run)
    actions = parser.add_subparsers(
        title="actions",
        dest="action",
        metavar="ACTION",
        description="with no action, the cases are listed",
    )
    reallocate = actions.add_parser(
        "reallocate",
        help="move cases to another caseworker (managers)",
        description="Moves the named cases to another caseworker, all or none, with a reason "
        "recorded in each case's chronology and the audit trail (leave cover, a worker "
        "leaving). Managers only.",
    )
    reallocate.add_argument(
        "--to", required=True, metavar="USER", help="the caseworker's username, e.g. ciaran"
    )
    reallocate.add_argument("--reason", required=True, help="why, e.g. 'leave cover to 21/03/2027'")
    reallocate.add_argument(
        "--keep-sessions",
        action="store_true",
        help="leave the cases' planned sessions with the worker who runs them (by default "
        "the previous worker's planned sessions move with the case)",
    )
    reallocate.add_argument(
        "case_refs", nargs="+", metavar="CASE_REF", help="case references, e.g. VERU-2026-00012"
    )
    reallocate.set_defaults(func=run_reallocate)


def _statuses(text: str) -> frozenset[ReferralStatus]:
    found: set[ReferralStatus] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if part.casefold() == "open":
            found.update(s for s in ReferralStatus if s.is_open_case)
            continue
        try:
            found.add(ReferralStatus(ReferralStatus.from_text(part)))
        except ValueError:
            names = ", ".join(s.value for s in ReferralStatus)
            raise argparse.ArgumentTypeError(
                f"{part!r} is not a status: use {names} or open"
            ) from None
    return frozenset(found)


def run(args: argparse.Namespace, ctx: Context) -> int:
    services = ctx.services(read_only=True)  # the sign-in is recorded after the read
    statuses = frozenset().union(*(args.status or []))
    caseload = services.caseload
    ids = caseload.ids(CaseloadFilter(statuses=statuses), CaseloadSort.NAME)
    rows = _pages(caseload.rows, ids)
    if args.format in ("csv", "json"):
        # No file without its trace: the sign-in, then the export, both before any row.
        ctx.record_sign_in()
        narrowed = ", ".join(sorted(s.value for s in statuses))
        what = f"{args.format.upper()}, command line" + (f", status {narrowed}" if narrowed else "")
        ctx.patiently(
            "record this export in the audit trail",
            lambda: caseload.record_export(len(ids), what),
        )
    if args.format == "csv":
        _write_csv(ctx, rows)
    elif args.format == "json":
        _write_json(ctx, rows)
    else:
        _write_table(ctx, list(rows))
    return 0


def run_reallocate(args: argparse.Namespace, ctx: Context) -> int:
    from veru_desk.services.workload import WorkloadService

    services = ctx.services()
    workload = WorkloadService(services.db, services.actor)
    done = ctx.patiently(
        "reallocate the cases",
        lambda: workload.reallocate_by_reference(
            args.case_refs, args.to, args.reason, hand_over_sessions=not args.keep_sessions
        ),
    )
    for case in done.moved:
        was = f" (was {case.from_worker})" if case.from_worker else ""
        ctx.print(f"{case.case_ref}  {case.name}  to {done.to_worker}{was}")
    for case in done.unchanged:
        ctx.print(f"{case.case_ref}  {case.name}  already with {done.to_worker}")
    ctx.print(done.text)
    return 0


def _pages(fetch: Any, ids: Sequence[int]) -> Iterator[CaseloadRow]:
    """Rows a page at a time: 100,000 cases never sit in memory as objects all at once."""
    for start in range(0, len(ids), PAGE):
        yield from fetch(ids[start : start + PAGE])


def _plain(row: CaseloadRow, name: str) -> Any:
    """The machine-readable value: codes for enums, ISO dates, JSON-friendly types."""
    value = getattr(row, name)
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def _shown(row: CaseloadRow, name: str) -> str:
    """The value as a person reads it: labels and dd/mm/yyyy."""
    value = getattr(row, name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, dt.date):
        return format_uk_date(value)
    label = getattr(value, "label", None)
    return str(label if label is not None else value)


def _write_csv(ctx: Context, rows: Iterator[CaseloadRow]) -> None:
    start_csv_stream(ctx.out)
    writer = csv.writer(ctx.out, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow([_csv_cell(_plain(row, f)) for f in FIELDS])


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return neutralise(value)


def _write_json(ctx: Context, rows: Iterator[CaseloadRow]) -> None:
    ctx.out.write("[")
    for index, row in enumerate(rows):
        ctx.out.write(",\n " if index else "\n ")
        ctx.out.write(json.dumps({f: _plain(row, f) for f in FIELDS}, ensure_ascii=False))
    ctx.out.write("\n]\n")


def _write_table(ctx: Context, rows: list[CaseloadRow]) -> None:
    cells = [[_shown(row, f) for f in FIELDS] for row in rows]
    headings = [_HEADINGS[f] for f in FIELDS]
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(headings)]
    right = {FIELDS.index("age")}

    def line(values: list[str]) -> str:
        padded = (
            v.rjust(widths[i]) if i in right else v.ljust(widths[i]) for i, v in enumerate(values)
        )
        return "  ".join(padded).rstrip()

    ctx.print(line(headings))
    ctx.print(line(["-" * w for w in widths]))
    for row_cells in cells:
        ctx.print(line(row_cells))
    count = len(rows)
    ctx.print(f"{count} case{'s' if count != 1 else ''}")
