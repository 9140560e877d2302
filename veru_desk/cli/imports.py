"""``veru-desk import-referrals FILE``: referrals from a partner's spreadsheet (.csv or .xlsx).

All or nothing by default: any bad row and nothing is imported, with every problem listed by
the row number the partner sees in Excel, so they can fix the lot and send it again.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from veru_desk.cli import Context
from veru_desk.services.imports import ImportPreview, ImportRow, RowError, counted, what_happens


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import-referrals",
        help="import referrals from a partner's spreadsheet (.csv or .xlsx)",
        description="Reads a CSV file (UTF-8 or Windows-1252, as Excel saves it) or the first "
        "sheet of an Excel workbook (.xlsx), with the columns of "
        "resources/referrals-template.csv. Nothing is imported if any row has a problem, "
        "unless --skip-invalid is given.",
    )
    parser.add_argument("file", type=Path, metavar="FILE.csv|FILE.xlsx")
    parser.add_argument(
        "--dry-run", action="store_true", help="check the file and say what would happen"
    )
    parser.add_argument(
        "--skip-invalid", action="store_true", help="import the good rows and list the bad ones"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    data = args.file.read_bytes()
    services = ctx.services()
    preview = services.imports.preview(data)
    _report_errors(ctx, preview.errors)
    if preview.errors and (not args.skip_invalid or preview.total_rows == 0):
        lines = len({e.line for e in preview.errors})
        ctx.warn(
            f"veru-desk: nothing was imported: {counted(lines, 'row')} of "
            f"{args.file.name} {'have' if lines != 1 else 'has'} problems. Fix them and import "
            "again, or use --skip-invalid to import the other rows."
        )
        return 1
    if args.dry_run:
        _describe(ctx, preview, args.file.name)
        return 0
    result = services.imports.run(data, skip_invalid=args.skip_invalid, file_name=args.file.name)
    repeated = set(result.already_imported)
    for row in preview.rows:
        if row.line in repeated:
            ctx.print(f"Row {row.line}: {_why_repeat(row)}: not added again.")
        elif row.existing_case_ref:
            name = f"{row.person.first_name} {row.person.last_name}"
            ctx.print(
                f"Row {row.line}: {name} is already on record as {row.existing_case_ref}: "
                f"{what_happens(row, done=True)}."
            )
    ctx.print(
        f"Imported {counted(result.new_referrals, 'referral')} "
        f"from {args.file.name}: "
        f"{counted(result.new_people, 'new young person', 'new young people')}, "
        f"{result.existing_people:,} already on record"
        + (f"; {len(repeated):,} already imported, not added again." if repeated else ".")
    )
    if result.skipped:
        skipped = len({e.line for e in result.skipped})
        ctx.print(f"Skipped {counted(skipped, 'row')} with problems (above).")
    return 0


def _why_repeat(row: ImportRow) -> str:
    if row.same_referral_as_line is not None:
        return f"the same referral as row {row.same_referral_as_line}"
    return f"already imported: line {row.line}"


def _report_errors(ctx: Context, errors: list[RowError]) -> None:
    for error in errors:
        column = f" ({error.field})" if error.field and error.field != "file" else ""
        ctx.warn(f"Row {error.line}{column}: {error.message}")


def _describe(ctx: Context, preview: ImportPreview, name: str) -> None:
    for row in preview.repeats:
        ctx.print(f"Row {row.line}: {_why_repeat(row)}: would not be added again.")
    known = [r for r in preview.rows if r.existing_person_id is not None]
    repeats = [r for r in preview.rows if r.same_person_as_line is not None]
    new_people = len(preview.rows) - len(known) - len(repeats)
    for row in known:
        ctx.print(
            f"Row {row.line}: {row.person.first_name} {row.person.last_name} is already on "
            f"record as {row.existing_case_ref}: {what_happens(row, done=False)}."
        )
    for row in repeats:
        ctx.print(
            f"Row {row.line}: the same young person as row {row.same_person_as_line}: would "
            "be a further referral on the same case."
        )
    skipped = len({e.line for e in preview.errors})
    ctx.print(
        f"Dry run: {name} would import {counted(len(preview.new_rows), 'referral')} "
        f"({counted(max(new_people, 0), 'new young person', 'new young people')})"
        + (f" and skip {counted(skipped, 'row')} with problems" if skipped else "")
        + ". Nothing was written."
    )
