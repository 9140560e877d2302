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


def test_sheets_take_their_short_distinct_names_and_suppressed_cells_are_text(
    tmp_path: Path,
) -> None:
    import datetime as dt

    from veru_desk.services.outcome_cohort import Funnel
    from veru_desk.services.outcome_figures import (
        ChangeFigures,
        OutcomeFigures,
        ReportPeriod,
        SessionFigures,
        figure_tables,
    )

    sessions = SessionFigures(10, 8, 2, 0, 0)
    figures = OutcomeFigures(
        period=ReportPeriod(dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        filters=[],
        referrals_received=40,
        referrals_by_source={},
        referrals_by_reason={},
        decisions={"Accepted": 36, "Declined": 4},
        median_days_to_decision=3.0,
        decided=40,
        median_days_to_first_contact=None,
        contacted=0,
        caseload_by_worker=[],
        sessions=sessions,
        sessions_by_type={},
        risk_change=ChangeFigures({}, 0, 0, 0),
        education_change=ChangeFigures({}, 0, 0, 0, 0),
        goals_by_status={},
        closures_by_reason={},
        supported=36,
        age_bands={},
        genders={},
        ethnicities={},
        funnel=Funnel(40, 36, 30, 20, 2),
    )
    path = tmp_path / "report.xlsx"
    tables = figure_tables(figures)
    write_xlsx(tables, path, [["Period: 01/01/2026 to 31/03/2026"]])
    book = load_workbook(path)
    names = book.sheetnames
    assert len(names) == len(tables) == len({n.lower() for n in names})
    assert all(len(n) <= 31 for n in names)
    assert {
        "Funnel",
        "Outcomes with denominators",
        "Supported by ethnicity",
        "Quarterly trend",
        "Referrals by agency type",
        "Open caseload by caseworker",
    } <= set(names)
    funnel = [[c.value for c in row] for row in book["Funnel"].iter_rows()]
    assert ["Engaged", 20, 66.7, 50.0] in funnel  # numbers, not text
    assert ["First contact", 30, "*", 75.0] in funnel  # of a withheld stage: withheld
    assert ["Closed positively", "<5", "*", "*"] in funnel  # suppressed: text with a note
    # The decisions table had to withhold its 36 accepted (40 referred - 4 declined), so the
    # funnel withholds the same number: 40 - 36 would give the 4 away there too.
    assert ["Accepted", "*", "*", "*"] in funnel
    assert any(str(row[0]).startswith("Note:") and "<5: a number from 1 to 4" in str(row[0])
               for row in funnel)  # fmt: skip
    decisions = [[c.value for c in row] for row in book["Decisions"].iter_rows()]
    # 4 declined is "<5", so the 36 accepted (40 - 4) is withheld too.
    assert ["Declined", "<5"] in decisions and ["Accepted", "*"] in decisions
