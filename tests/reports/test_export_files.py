"""An export is recorded only when its file exists (issue #13, finding 6).

Every export path (case summary, subject access, outcome report as PDF, CSV and Excel, audit
trail) writes through ``services.exports.write_then_record``. These tests go through the
calls the app and the command line make and check the three promises: a file that cannot be
replaced (a PDF open in a viewer on Windows, simulated by ``os.replace`` raising
PermissionError) is reported as such with nothing recorded; a failed export leaves no file,
no stray JSON and no temporary file; and if recording fails the new file is taken away.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.sharing_helpers import decide
from veru_desk.db.engine import Database
from veru_desk.db.models import AuditEvent, DocumentExport
from veru_desk.domain.enums import AuditAction
from veru_desk.domain.errors import FileError, StorageError
from veru_desk.reports.case_summary import export_case_summary
from veru_desk.reports.outcome_report import export_outcome_report
from veru_desk.reports.subject_access import export_subject_access
from veru_desk.services import Services
from veru_desk.services import exports as export_files
from veru_desk.services.audit_log import AuditFilter
from veru_desk.services.outcome_figures import ReportPeriod
from veru_desk.services.summary import PreparedFor, SharingProfile

PANEL = PreparedFor("Luton complex-case panel", dt.date(2026, 3, 12))
CLOSE_IT = "(it may be open in another program) and try again"
EARLIER = b"%PDF-1.4 the copy Ngozi Okonkwo-Adeyemi took to last month's panel"


def recorded(db: Database) -> tuple[int, int]:
    """(Exports tab rows, export audit events) so far."""
    with db.read() as session:
        rows = session.scalar(select(func.count(DocumentExport.id))) or 0
        events = (
            session.scalar(
                select(func.count(AuditEvent.id)).where(AuditEvent.action == AuditAction.EXPORT)
            )
            or 0
        )
    return rows, events


def files_in(folder: Path) -> list[str]:
    """Everything in the folder, hidden temporary files included."""
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder for the exports (the test's database lives in ``tmp_path``)."""
    folder = tmp_path / "Exports for Luton panel"
    folder.mkdir()
    return folder


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """The retries for a briefly held file are real waits; these tests hold files for good."""
    monkeypatch.setattr(export_files, "REPLACE_RETRY_SECONDS", (0.0, 0.0))


@pytest.fixture
def held_open(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], list[str]]:
    """Makes ``os.replace`` refuse (PermissionError, as Windows does for a file a viewer
    holds) whenever the source or the target ends with ``suffix``; returns the attempts."""

    def hold(suffix: str) -> list[str]:
        attempts: list[str] = []
        real = os.replace

        def refusing(source: str | Path, target: str | Path) -> None:
            if str(target).endswith(suffix) or str(source).endswith(suffix):
                attempts.append(str(target))
                raise PermissionError(13, "The process cannot access the file", str(target))
            real(source, target)

        monkeypatch.setattr(os, "replace", refusing)
        return attempts

    return hold


# --- case summary ------------------------------------------------------------------------------


def test_a_summary_that_cannot_replace_an_open_pdf_says_close_it_and_records_nothing(
    db: Database,
    as_dariusz: Services,
    small_case: int,
    tmp_path: Path,
    held_open: Callable[[str], list[str]],
) -> None:
    folder = tmp_path / "panel"
    folder.mkdir()
    target = folder / "Zoë summary.pdf"
    target.write_bytes(EARLIER)
    before = recorded(db)
    decide(as_dariusz, small_case)
    attempts = held_open(".pdf")
    with pytest.raises(FileError) as refused:
        export_case_summary(as_dariusz, small_case, target, SharingProfile.MULTI_AGENCY, PANEL)
    assert len(attempts) > 1, "a briefly held file is tried again before giving up"
    assert f"Close the PDF {CLOSE_IT}" in str(refused.value)
    assert "Zoë summary.pdf" in str(refused.value)
    assert recorded(db) == before
    assert files_in(folder) == ["Zoë summary.pdf"]
    assert target.read_bytes() == EARLIER


def test_a_summary_to_a_new_file_that_cannot_be_put_in_place_leaves_nothing(
    db: Database,
    as_dariusz: Services,
    small_case: int,
    out: Path,
    held_open: Callable[[str], list[str]],
) -> None:
    held_open(".pdf")
    with pytest.raises(FileError, match="Close the PDF"):
        export_case_summary(as_dariusz, small_case, out / "s.pdf", SharingProfile.FULL)
    assert files_in(out) == []
    assert recorded(db) == (0, 0)
    assert as_dariusz.exports.for_person(small_case) == []


def test_a_summary_whose_recording_fails_is_taken_away_and_the_earlier_copy_kept(
    db: Database,
    as_dariusz: Services,
    small_case: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "out" / "summary.pdf"
    target.parent.mkdir()
    target.write_bytes(EARLIER)

    def locked(*args: object, **kwargs: object) -> object:
        raise StorageError("The database is locked by another program.")

    monkeypatch.setattr(type(as_dariusz.summary), "record_export", locked)
    with pytest.raises(StorageError, match="locked"):
        export_case_summary(as_dariusz, small_case, target, SharingProfile.FULL)
    assert files_in(target.parent) == ["summary.pdf"]
    assert target.read_bytes() == EARLIER
    assert recorded(db) == (0, 0)


def test_a_summary_replaces_an_earlier_copy_and_leaves_no_temporary_file(
    db: Database, as_dariusz: Services, small_case: int, out: Path
) -> None:
    target = out / "summary.pdf"
    target.write_bytes(EARLIER)
    result = export_case_summary(as_dariusz, small_case, target, SharingProfile.FULL)
    assert target.read_bytes().startswith(b"%PDF") and target.read_bytes() != EARLIER
    assert files_in(out) == ["summary.pdf"]
    assert recorded(db) == (1, 1)
    [shown] = as_dariusz.exports.for_person(small_case)
    assert shown.id == result.export_id and shown.filename == str(target)


def test_a_summary_to_a_folder_name_is_refused_naming_it(
    db: Database, as_dariusz: Services, small_case: int, tmp_path: Path
) -> None:
    folder = tmp_path / "Panel papers.pdf"
    folder.mkdir()
    with pytest.raises(FileError, match="is a folder"):
        export_case_summary(as_dariusz, small_case, folder, SharingProfile.FULL)
    assert folder.is_dir() and files_in(folder) == []
    assert recorded(db) == (0, 0)


def test_a_full_disk_while_writing_says_so_and_leaves_nothing(
    db: Database,
    as_dariusz: Services,
    small_case: int,
    out: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from veru_desk.reports import case_summary

    def full(data: object, target: Path) -> int:
        Path(target).write_bytes(b"%PDF-1.4 half a docu")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(case_summary, "render_case_summary", full)
    with pytest.raises(FileError) as refused:
        export_case_summary(as_dariusz, small_case, out / "summary.pdf", SharingProfile.FULL)
    assert "No space left on device" in str(refused.value)
    assert "Choose another folder" in str(refused.value)
    assert files_in(out) == []
    assert recorded(db) == (0, 0)


def test_a_file_name_as_long_as_the_disk_allows_still_exports(
    db: Database, as_manager: Services, as_dariusz: Services, small_case: int, out: Path
) -> None:
    """The temporary name beside it must not be longer than the name chosen (255 bytes)."""
    stem = "Łukasz " + "x" * 240
    assert len(f"{stem}.json".encode()) <= 255
    export_case_summary(as_dariusz, small_case, out / f"{stem}.pdf", SharingProfile.FULL)
    export_subject_access(as_manager, small_case, out / f"{stem}.json", out / f"{stem}s.pdf")
    assert files_in(out) == [f"{stem}.json", f"{stem}.pdf", f"{stem}s.pdf"]
    assert recorded(db) == (2, 2)


# --- subject access ----------------------------------------------------------------------------


def test_subject_access_whose_pdf_fails_leaves_no_json_and_records_nothing(
    db: Database, as_manager: Services, small_case: int, out: Path
) -> None:
    def broken(data: object, target: Path) -> int:
        raise RuntimeError("the layout failed")

    with pytest.raises(RuntimeError):
        as_manager.subject_access.export(
            small_case, out / "sar.json", out / "sar.pdf", render_pdf=broken
        )
    assert files_in(out) == []
    assert recorded(db) == (0, 0)


def test_subject_access_with_its_pdf_held_open_keeps_both_earlier_files_and_records_nothing(
    db: Database,
    as_manager: Services,
    small_case: int,
    tmp_path: Path,
    held_open: Callable[[str], list[str]],
) -> None:
    folder = tmp_path / "sar"
    folder.mkdir()
    (folder / "sar.json").write_text('{"earlier": true}', encoding="utf-8")
    (folder / "sar.pdf").write_bytes(EARLIER)
    held_open(".pdf")
    with pytest.raises(FileError) as refused:
        export_subject_access(as_manager, small_case, folder / "sar.json", folder / "sar.pdf")
    assert f"Close the PDF {CLOSE_IT}" in str(refused.value)
    assert files_in(folder) == ["sar.json", "sar.pdf"]
    assert (folder / "sar.json").read_text(encoding="utf-8") == '{"earlier": true}'
    assert (folder / "sar.pdf").read_bytes() == EARLIER
    assert recorded(db) == (0, 0)


def test_subject_access_whose_recording_fails_leaves_neither_file(
    db: Database,
    as_manager: Services,
    small_case: int,
    out: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from veru_desk.services.subject_access import SubjectAccessService

    real_write = SubjectAccessService._write

    def failing_write(self: SubjectAccessService) -> object:
        raise StorageError("The database is locked by another program.")

    monkeypatch.setattr(SubjectAccessService, "_write", failing_write)
    with pytest.raises(StorageError, match="locked"):
        export_subject_access(as_manager, small_case, out / "s.json", out / "s.pdf")
    monkeypatch.setattr(SubjectAccessService, "_write", real_write)
    assert files_in(out) == []
    assert recorded(db) == (0, 0)


# --- outcome report ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "what"), [(".pdf", "PDF"), (".csv", "CSV file"), (".xlsx", "spreadsheet")]
)
def test_an_outcome_report_held_open_says_close_it_and_is_not_audited(
    db: Database,
    as_manager: Services,
    small_case: int,
    tmp_path: Path,
    held_open: Callable[[str], list[str]],
    suffix: str,
    what: str,
) -> None:
    target = tmp_path / "board" / f"Outcome report Q1{suffix}"
    target.parent.mkdir()
    target.write_bytes(b"last quarter's figures")
    held_open(suffix)
    period = ReportPeriod(dt.date.today() - dt.timedelta(days=90), dt.date.today())
    with pytest.raises(FileError) as refused:
        export_outcome_report(as_manager, target, period)
    assert f"Close the {what} {CLOSE_IT}" in str(refused.value)
    assert files_in(target.parent) == [target.name]
    assert target.read_bytes() == b"last quarter's figures"
    assert recorded(db) == (0, 0)


def test_an_outcome_report_is_audited_after_it_is_in_place(
    db: Database, as_manager: Services, small_case: int, out: Path
) -> None:
    target = out / "report.csv"
    period = ReportPeriod(dt.date.today() - dt.timedelta(days=90), dt.date.today())
    export_outcome_report(as_manager, target, period)
    assert target.is_file() and recorded(db) == (0, 1)
    assert files_in(out) == ["report.csv"]


# --- audit trail -------------------------------------------------------------------------------


def test_an_audit_export_held_open_records_no_export_and_leaves_no_partial_file(
    db: Database,
    as_manager: Services,
    small_case: int,
    tmp_path: Path,
    held_open: Callable[[str], list[str]],
) -> None:
    target = tmp_path / "audit" / "audit.csv"
    target.parent.mkdir()
    target.write_text("earlier export", encoding="utf-8")
    held_open(".csv")
    with pytest.raises(FileError) as refused:
        as_manager.audit_log.export_csv(AuditFilter(), target)
    assert f"Close the CSV file {CLOSE_IT}" in str(refused.value)
    assert files_in(target.parent) == ["audit.csv"]
    assert target.read_text(encoding="utf-8") == "earlier export"
    assert recorded(db) == (0, 0)


def test_a_cancelled_audit_export_leaves_no_file_and_records_nothing(
    db: Database, as_manager: Services, small_case: int, out: Path
) -> None:
    target = out / "audit.csv"
    as_manager.audit_log.export_csv(AuditFilter(), target, progress=lambda done, total: False)
    assert files_in(out) == []
    assert recorded(db) == (0, 0)
