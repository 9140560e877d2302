"""The outcome report as CSV and Excel, for managers' and funders' own analysis.

Text that a spreadsheet would run as a formula (a cell starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is neutralised with a leading apostrophe: a referrer's
name or an agency typed as ``=HYPERLINK(...)`` must never run on a funder's computer. Numbers
stay numbers, so a negative count is still a number, not text.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from veru_desk.db.csv_files import open_csv
from veru_desk.domain.cells import FORMULA_STARTS, neutralise
from veru_desk.domain.suppression import NOTE as SUPPRESSION_NOTE
from veru_desk.services.outcome_figures import FigureTable, OutcomeFigures

__all__ = ["FORMULA_STARTS", "neutralise", "report_heading", "write_csv", "write_xlsx"]

MAX_SHEET_TITLE = 31  # Excel's limit
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def report_heading(
    figures: OutcomeFigures, org_name: str, commentary: str = ""
) -> list[list[object]]:
    """The lines above every sheet (and the CSV): who, which period, which filters, how small
    numbers are shown, and the manager's commentary if there is one."""
    rows: list[list[object]] = [
        [f"{org_name}: outcome report"],
        [f"Period: {figures.period.text}"],
    ]
    if figures.filters:
        rows.append(["Filters: " + "; ".join(figures.filters)])
    rows.append([f"Small numbers: {SUPPRESSION_NOTE} n/a: cannot be computed (see the note)."])
    if commentary:
        rows.append(["Manager's commentary: " + " ".join(commentary.split())])
    return rows


def write_csv(
    tables: Sequence[FigureTable], path: Path, heading: Sequence[Sequence[object]] = ()
) -> None:
    """One section per table: its title, its header row, its rows, then a blank line.

    UTF-8 with a byte-order mark so Excel on Windows reads accented names correctly.
    """
    with open_csv(path) as handle:
        writer = csv.writer(handle)
        for row in heading:
            writer.writerow([neutralise(v) for v in row])
        if heading:
            writer.writerow([])
        for table in tables:
            writer.writerow([neutralise(table.title)])
            writer.writerow([neutralise(c) for c in table.columns])
            for row in table.rows:
                writer.writerow([neutralise(v) for v in row])
            if table.note:
                writer.writerow([neutralise(f"Note: {table.note}")])
            writer.writerow([])


def write_xlsx(
    tables: Sequence[FigureTable], path: Path, heading: Sequence[Sequence[object]] = ()
) -> None:
    """One sheet per table, named by its short sheet name (distinct, at most 31 characters),
    the report's heading above each, column widths to fit. Counts and rates are numbers;
    a suppressed cell is the text "<5" or "*", explained in the heading and the note."""
    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.sheet or table.title, used))
        for row in heading:
            sheet.append([neutralise(v) for v in row])
        sheet.append([])
        sheet.append([neutralise(table.title)])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)
        sheet.append([neutralise(c) for c in table.columns])
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = bold
        for row in table.rows:
            sheet.append([neutralise(v) for v in row])
        if table.total and table.rows:
            for cell in sheet[sheet.max_row]:
                cell.font = bold
        if table.note:
            sheet.append([])
            sheet.append([neutralise(f"Note: {table.note}")])
        sheet.freeze_panes = sheet.cell(header_row + 1, 1)
        for index, column in enumerate(table.columns, start=1):
            values = [column, *(row[index - 1] for row in table.rows)]
            width = max(len(str(v)) for v in values) + 2
            sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 10), 70)
    book.properties.title = "Outcome report"
    book.properties.creator = "VERU Desk"
    book.save(path)


def _sheet_title(title: str, used: set[str]) -> str:
    base = " ".join(title.translate(_SHEET_FORBIDDEN).strip("' ").split())
    if len(base) > MAX_SHEET_TITLE:  # cut at a word, not mid-word
        base = base[: MAX_SHEET_TITLE + 1].rsplit(" ", 1)[0].rstrip(":;, ")
    candidate = base
    number = 2
    while candidate.lower() in used:
        suffix = f" ({number})"
        candidate = base[: MAX_SHEET_TITLE - len(suffix)] + suffix
        number += 1
    used.add(candidate.lower())
    return candidate
