"""CSV and Excel output: one section or sheet per table, and no cell a spreadsheet would run."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from veru_desk.reports.tabular import neutralise, write_csv, write_xlsx
from veru_desk.services.outcome_figures import FigureTable

DANGEROUS = [
    '=HYPERLINK("http://evil.invalid","Click")',
    "+44 7700 900123",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_that_would_run_as_a_formula_is_neutralised(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Łukasz Wiśniewski", "Knife / weapon carrying", "", "a=b"])
def test_ordinary_text_is_unchanged(value: str) -> None:
    assert neutralise(value) == value


def test_numbers_stay_numbers_even_when_negative() -> None:
    assert neutralise(-3) == -3
    assert neutralise(66.7) == 66.7
    assert neutralise(None) is None


def tables() -> list[FigureTable]:
    return [
        FigureTable(
            "referrals",
            "Referrals received by source",
            ["Referring agency type", "Number"],
            [["Police", 2], [DANGEROUS[0], 1], ["Total", 3]],
            total=True,
        ),
        FigureTable(
            "caseload",
            "Open caseload at the end of the period",
            ["Caseworker", "Number"],
            [["Ciarán Ó Briain", 4], ["@admin", 1]],
            "Accepted episodes open on the last day.",
        ),
    ]


def test_csv_has_one_section_per_table_and_no_live_formula(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    write_csv(tables(), path, [["=Unit name"], ["Period: 01/01/2026 to 31/03/2026"]])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel on Windows reads the accents right
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    assert rows[0] == ["'=Unit name"]
    assert ["Referrals received by source"] in rows
    assert ["Open caseload at the end of the period"] in rows
    assert ["'" + DANGEROUS[0], "1"] in rows
    assert ["'@admin", "1"] in rows
    assert ["Ciarán Ó Briain", "4"] in rows
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_excel_has_one_sheet_per_table_with_text_not_formulas(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    write_xlsx(tables(), path, [["Period: 01/01/2026 to 31/03/2026"]])
    book = load_workbook(path)
    assert book.sheetnames == [
        "Referrals received by source",
        "Open caseload at the end of the",
    ]
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not any(c.data_type == "f" for c in cells)
    values = [c.value for c in cells]
    assert "'" + DANGEROUS[0] in values
    assert "Ciarán Ó Briain" in values
    assert 3 in values  # numbers stay numbers
