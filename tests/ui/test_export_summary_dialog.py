"""Exporting a case summary from the case workspace: scenario 4's multi-agency meeting."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog
from pytestqt.qtbot import QtBot
from ui_drivers import DialogDriver

from veru_desk.db.engine import Database
from veru_desk.domain.dates import format_uk_date
from veru_desk.services import Services
from veru_desk.services import exports as export_files
from veru_desk.services.changes import Changes, Kind
from veru_desk.services.summary import SharingProfile
from veru_desk.ui.case.exports import ExportsTab
from veru_desk.ui.dialogs.export_summary import ExportSummaryDialog
from veru_desk.ui.shell.events import data_events

MEETING_ON = dt.date.today() + dt.timedelta(days=7)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    urls: list[str] = []

    def fake_open(url: QUrl) -> bool:
        urls.append(url.toLocalFile())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(fake_open))
    return urls


def fill_sharing(dialog: ExportSummaryDialog) -> None:
    """The sharing step as a caseworker fills it where consent was given on the referral."""
    dialog.sharing.consent_given_by.setText("Łukasz and his mother, at the home visit")
    dialog.sharing.agencies.setText("Bedfordshire Police; Luton Youth Justice Service")


def make_dialog(qtbot: QtBot, db: Database, team: object, person_id: int) -> ExportSummaryDialog:
    services = Services(db, team.dariusz)  # type: ignore[attr-defined]
    dialog = ExportSummaryDialog(services, person_id)
    qtbot.addWidget(dialog)
    return dialog


def test_multi_agency_is_the_default_and_the_file_is_named_after_the_case(
    qtbot: QtBot, db: Database, team: object, lukasz_case: int
) -> None:
    dialog = make_dialog(qtbot, db, team, lukasz_case)
    assert dialog.profile is SharingProfile.MULTI_AGENCY
    assert dialog.case_ref in Path(dialog.output.text()).name
    assert "multi-agency" in dialog.output.text()
    dialog.profile_buttons[SharingProfile.FULL].setChecked(True)
    assert "(full)" in dialog.output.text()


def test_a_multi_agency_export_needs_the_meeting_named(
    qtbot: QtBot, db: Database, team: object, lukasz_case: int, tmp_path: Path, opened: list[str]
) -> None:
    dialog = make_dialog(qtbot, db, team, lukasz_case)
    dialog.output.setText(str(tmp_path / "summary.pdf"))
    dialog.save()
    assert dialog.errors._labels["meeting"].isVisibleTo(dialog)
    assert "Name the meeting" in dialog.errors._labels["meeting"].text()
    assert not (tmp_path / "summary.pdf").exists()
    assert opened == []


def test_export_writes_opens_records_and_announces(
    qtbot: QtBot,
    db: Database,
    team: object,
    lukasz_case: int,
    tmp_path: Path,
    opened: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chosen = tmp_path / "panel"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *args, **kw: (str(chosen), ""))
    )
    dialog = make_dialog(qtbot, db, team, lukasz_case)
    dialog.choose_button.click()
    assert dialog.output.text() == str(chosen) + ".pdf"
    dialog.meeting.setText("Luton complex-case panel")
    fill_sharing(dialog)
    dialog.meeting_date.setText(format_uk_date(MEETING_ON))
    announced: list[Changes] = []
    data_events().changed.connect(announced.append)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.save()
    target = tmp_path / "panel.pdf"
    assert opened == [str(target)]
    assert any(c.people(Kind.EXPORT) == {lukasz_case} for c in announced)
    text = " ".join(page.extract_text() for page in PdfReader(target).pages)
    assert f"Luton complex-case panel, {format_uk_date(MEETING_ON)}" in text
    assert "Consent, given by Łukasz and his mother, at the home visit" in text
    assert f"Do not forward. Destroy after the meeting of {format_uk_date(MEETING_ON)}." in text
    [export] = Services(db, team.dariusz).exports.for_person(lukasz_case)  # type: ignore[attr-defined]
    assert export.profile == "multi-agency"
    assert export.filename == str(target)


@pytest.fixture
def viewer_holds_the_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows refuses to replace a PDF a viewer has open (issue #13, finding 6)."""

    def refusing(source: str | Path, target: str | Path) -> None:
        raise PermissionError(13, "The process cannot access the file", str(target))

    monkeypatch.setattr(os, "replace", refusing)
    monkeypatch.setattr(export_files, "REPLACE_RETRY_SECONDS", (0.0,))


@pytest.mark.usefixtures("viewer_holds_the_pdf")
def test_a_pdf_open_in_a_viewer_is_named_nothing_is_recorded_and_the_dialog_stays(
    qtbot: QtBot,
    db: Database,
    team: object,
    lukasz_case: int,
    tmp_path: Path,
    opened: list[str],
    dialogs: DialogDriver,
) -> None:
    target = tmp_path / "panel" / "Łukasz for panel.pdf"
    target.parent.mkdir()
    target.write_bytes(b"%PDF-1.4 last month's copy")
    dialog = make_dialog(qtbot, db, team, lukasz_case)
    dialog.output.setText(str(target))
    dialog.meeting.setText("Luton complex-case panel")
    fill_sharing(dialog)
    dialog.show()
    dialog.save()
    [message] = dialogs.messages
    assert "Close the PDF (it may be open in another program) and try again" in message
    assert dialogs.opened[-1].windowTitle() == "Could not save the file"
    assert dialog.isVisible() and dialog.save_button.isEnabled()
    assert opened == []
    assert target.read_bytes() == b"%PDF-1.4 last month's copy"
    assert [p.name for p in target.parent.iterdir()] == [target.name]
    assert Services(db, team.dariusz).exports.for_person(lukasz_case) == []  # type: ignore[attr-defined]


@pytest.fixture
def no_viewer(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A machine with no PDF viewer: the system opens nothing and says so (returns False)."""
    urls: list[str] = []

    def fake_open(url: QUrl) -> bool:
        urls.append(url.toLocalFile())
        return False

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(fake_open))
    return urls


def test_with_no_pdf_viewer_the_dialog_stays_and_says_where_the_file_is(
    qtbot: QtBot,
    db: Database,
    team: object,
    lukasz_case: int,
    tmp_path: Path,
    no_viewer: list[str],
) -> None:
    target = tmp_path / "Aoife Ní Bhriain's panel" / "summary.pdf"
    target.parent.mkdir()
    dialog = make_dialog(qtbot, db, team, lukasz_case)
    dialog.output.setText(str(target))
    dialog.meeting.setText("Luton complex-case panel")
    fill_sharing(dialog)
    dialog.show()
    dialog.save()
    assert target.is_file() and no_viewer == [str(target)]
    assert dialog.isVisible()
    assert dialog.saved.isVisible()
    assert dialog.saved.text.text() == (
        f"No program to open PDF files was found; the file is saved at {target}."
    )
    assert not dialog.save_button.isVisible()
    assert not dialog.meeting.isEnabled()
    dialog.save()  # Ctrl+S again: no second copy
    [export] = Services(db, team.dariusz).exports.for_person(lukasz_case)  # type: ignore[attr-defined]
    assert export.filename == str(target)
    dialog.saved.folder_button.click()
    assert no_viewer[-1] == str(target.parent)
    close = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert close.text() == "Close" and close.isVisible()
    with qtbot.waitSignal(dialog.accepted, timeout=2_000):
        close.click()


def test_the_exports_tab_ends_with_saved_open_and_show_in_folder(
    qtbot: QtBot,
    db: Database,
    team: object,
    lukasz_case: int,
    tmp_path: Path,
    opened: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "Zoë Çelik panel.pdf"

    def exporting(dialog: ExportSummaryDialog) -> int:
        dialog.output.setText(str(target))
        dialog.meeting.setText("Hackney exploitation panel")
        fill_sharing(dialog)
        dialog.save()
        return 1

    monkeypatch.setattr(ExportSummaryDialog, "exec", exporting)
    tab = ExportsTab(Services(db, team.dariusz), lukasz_case)  # type: ignore[attr-defined]
    qtbot.addWidget(tab)
    tab.show()
    assert not tab.saved.isVisible()
    tab.export_button.click()
    assert opened == [str(target)]  # the dialog opened it
    assert tab.saved.isVisible() and tab.saved.text.text() == f"Saved to {target}"
    tab.saved.open_button.click()
    tab.saved.folder_button.click()
    assert opened == [str(target), str(target), str(tmp_path)]
    assert tab.saved.open_button.accessibleName() == "Open the saved file"
