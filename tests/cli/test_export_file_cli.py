"""``veru-desk summary`` and ``veru-desk report outcomes`` when the file cannot be replaced
(issue #13, finding 6): one line saying to close it, status 1, the earlier copy untouched and
nothing recorded in the case's exports or the audit trail."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.cli.test_report_cli import case_ref  # noqa: F401 (the fixture)
from tests.dates import today
from veru_desk import cli
from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.models import AuditEvent, DocumentExport
from veru_desk.domain.enums import AuditAction
from veru_desk.services import exports

EARLIER = b"%PDF-1.4 last month's copy, still open in the viewer"


def exports_recorded(database_target: str) -> tuple[int, int]:
    db = Database.open(resolve_database(database_target))
    try:
        with db.read() as session:
            rows = session.scalar(select(func.count(DocumentExport.id))) or 0
            events = session.scalar(
                select(func.count(AuditEvent.id)).where(AuditEvent.action == AuditAction.EXPORT)
            )
        return rows, events or 0
    finally:
        db.dispose()


@pytest.fixture
def viewer_holds_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows refuses to replace a file a PDF viewer (or Excel) has open."""

    def refusing(source: str | Path, target: str | Path) -> None:
        raise PermissionError(13, "The process cannot access the file", str(target))

    monkeypatch.setattr(os, "replace", refusing)
    monkeypatch.setattr(exports, "REPLACE_RETRY_SECONDS", (0.0,))


@pytest.mark.usefixtures("viewer_holds_the_file")
def test_summary_over_an_open_pdf_says_close_it_and_records_nothing(
    case_ref: str,  # noqa: F811
    database_target: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "panel papers"
    folder.mkdir()
    target = folder / "Ştefan panel.pdf"
    target.write_bytes(EARLIER)
    status = cli.main(
        # The unit's own full profile: the multi-agency one first needs a sharing decision
        # (tests/cli/test_sharing_cli.py), which is not what this test is about.
        ["summary", case_ref, "-o", str(target), "--profile", "full", "--meeting", "Luton panel",
         "--user", "dariusz"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert status == 1
    assert err.count("\n") == 1, err
    assert "Close the PDF (it may be open in another program) and try again" in err
    assert sorted(p.name for p in folder.iterdir()) == ["Ştefan panel.pdf"]
    assert target.read_bytes() == EARLIER
    assert exports_recorded(database_target) == (0, 0)


@pytest.mark.usefixtures("viewer_holds_the_file")
def test_report_outcomes_over_an_open_spreadsheet_says_close_it_and_audits_nothing(
    case_ref: str,  # noqa: F811
    database_target: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "board" / "Q1.xlsx"
    target.parent.mkdir()
    target.write_bytes(b"last quarter")
    start = (today() - dt.timedelta(days=60)).strftime("%d/%m/%Y")
    status = cli.main(
        ["report", "outcomes", "--from", start, "--to", today().strftime("%d/%m/%Y"),
         "-o", str(target), "--user", "priya"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert status == 1
    assert "Close the spreadsheet (it may be open in another program) and try again" in err
    assert [p.name for p in target.parent.iterdir()] == ["Q1.xlsx"]
    assert target.read_bytes() == b"last quarter"
    assert exports_recorded(database_target) == (0, 0)
