"""``veru-desk import-referrals`` reads Excel workbooks too, counts in the singular when there
is one, and says truly what a known person's row does (a further referral on an open case)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.cli.test_cli_commands import run, unit
from tests.dates import today

__all__ = ["unit"]  # the fixture, shared with the other command-line tests

HEADINGS = ["First name", "Last name", "Date of birth", "Referral date", "Referring agency"]


def workbook(path: Path, *rows: list[object]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADINGS)
    for values in rows:
        sheet.append(values)
    book.save(path)
    return path


def test_a_workbook_imports_with_true_words_and_singular_counts(
    unit: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    received = today() - dt.timedelta(days=2)
    path = workbook(
        tmp_path / "partner.xlsx",
        ["Ştefan", "Popescu", dt.date(2011, 4, 3), received, "Luton Sixth Form College"],
        ["Aoife", "Ní Bhriain", "14/03/2011", received.strftime("%d/%m/%Y"), "Luton YJS"],
    )
    code, out, err = run(capsys, "import-referrals", str(path), "--user", "dariusz", "--dry-run")
    assert (code, err) == (0, "")
    assert "joins its open case as a further referral, for a manager to decide in triage" in out
    assert "would import 2 referrals (1 new young person)" in out

    code, out, err = run(capsys, "import-referrals", str(path), "--user", "dariusz")
    assert (code, err) == (0, "")
    assert "Row 2: Ştefan Popescu is already on record as VERU-" in out
    assert "added to its open case as a further referral" in out
    assert "new referral on that record" not in out
    assert "Imported 2 referrals from partner.xlsx: 1 new young person, 1 already on record." in out
    code, out, _err = run(capsys, "cases", "--user", "priya", "--format", "csv")
    assert "Ní Bhriain" in out


def test_a_bad_workbook_row_is_named_by_its_excel_row_and_nothing_is_imported(
    unit: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    received = today() - dt.timedelta(days=2)
    path = workbook(
        tmp_path / "partner.xlsx",
        ["Aoife", "Ní Bhriain", "14/03/2011", received, "Luton YJS"],
        ["Oluwaseun", "Adeyemi", "31/02/2011", received, "Luton YJS"],
    )
    code, out, err = run(capsys, "import-referrals", str(path), "--user", "dariusz")
    assert code == 1
    assert "Row 3 (date_of_birth): 31/02/2011 is not a real date" in err
    assert "nothing was imported: 1 row of partner.xlsx has problems" in err
    code, out, _err = run(capsys, "cases", "--user", "priya", "--format", "csv")
    assert "Ní Bhriain" not in out and "Adeyemi" not in out
