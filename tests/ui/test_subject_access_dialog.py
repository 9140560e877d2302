"""The subject access export from the case workspace: every item listed, withheld items
need a reason, and both files are written with the withheld note marked and absent."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QTreeWidgetItem
from pytestqt.qtbot import QtBot
from ui_drivers import DialogDriver, shown

from veru_desk.domain.dates import format_uk_date
from veru_desk.services import Services
from veru_desk.services import exports as export_files
from veru_desk.services.notes import NoteInput
from veru_desk.ui.case.workspace import CaseWorkspace
from veru_desk.ui.dialogs.subject_access import (
    KEY_ROLE,
    TITLE_COLUMN,
    WHAT_COLUMN,
    SubjectAccessDialog,
)

THIRD_PARTY = "Siobhán Nic Giolla Phádraig said her son sells for the older boys."


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: calls.append(url.toLocalFile()))
    )
    return calls


@pytest.fixture
def note_id(as_manager: Services, lukasz_case: int) -> int:
    return as_manager.notes.add(
        lukasz_case,
        NoteInput(
            occurred_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(days=1),
            subject="Call from a neighbour",
            body=THIRD_PARTY,
            confidential=True,
        ),
    )


def _all_rows(dialog: SubjectAccessDialog) -> list[QTreeWidgetItem]:
    found: list[QTreeWidgetItem] = []

    def walk(item: QTreeWidgetItem) -> None:
        found.append(item)
        for index in range(item.childCount()):
            walk(item.child(index))

    for index in range(dialog.tree.topLevelItemCount()):
        walk(dialog.tree.topLevelItem(index))
    return found


def _keyed(dialog: SubjectAccessDialog) -> dict[str, QTreeWidgetItem]:
    """Each listed record by its key (held behind the row, never shown as its text)."""
    return {
        row.data(TITLE_COLUMN, KEY_ROLE): row
        for row in _all_rows(dialog)
        if row.data(TITLE_COLUMN, KEY_ROLE)
    }


def test_the_button_is_for_managers_and_lists_every_item_held(
    qtbot: QtBot, as_manager: Services, as_dariusz: Services, lukasz_case: int, note_id: int
) -> None:
    assert shown(qtbot, CaseWorkspace(as_dariusz, lukasz_case)).subject_access_button.isHidden()
    workspace = shown(qtbot, CaseWorkspace(as_manager, lukasz_case))
    assert not workspace.subject_access_button.isHidden()
    dialog = workspace.subject_access_export()
    assert isinstance(dialog, SubjectAccessDialog)

    keys = set(_keyed(dialog))
    assert f"note:{note_id}" in keys
    assert f"person:{lukasz_case}" in keys
    assert any(key.startswith("referral:") for key in keys)
    assert any(key.startswith("transition:") for key in keys)  # children are listed too
    assert dialog.data is not None and str(dialog.data.item_count) in dialog.heading.text()


def test_a_withheld_item_needs_a_reason(
    qtbot: QtBot, as_manager: Services, lukasz_case: int, note_id: int, tmp_path: Path
) -> None:
    out = tmp_path / "exports"
    out.mkdir()
    dialog = shown(qtbot, SubjectAccessDialog(as_manager, lukasz_case))
    dialog.folder.setText(str(out))
    dialog.set_withheld(f"note:{note_id}", "  ")
    assert dialog.reasons[f"note:{note_id}"].isEnabled()
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)

    when = format_uk_date(dt.date.today() - dt.timedelta(days=1))
    assert (
        f"Give the reason for withholding Case note {when} by Priya Raghunathan "
        "(Call from a neighbour, "
    ) in dialog.error.text()
    assert "note:" not in dialog.error.text()
    assert list(out.iterdir()) == []


def test_each_item_says_what_it_is_in_words_and_its_fields_show_when_selected(
    qtbot: QtBot, as_manager: Services, lukasz_case: int, note_id: int
) -> None:
    dialog = shown(qtbot, SubjectAccessDialog(as_manager, lukasz_case))
    assert dialog.tree.headerItem().text(WHAT_COLUMN) == "What it is"
    shown_words = [row.text(WHAT_COLUMN) for row in _all_rows(dialog)]
    assert not any(":" in words and words.split(":")[1].isdigit() for words in shown_words)
    rows = _keyed(dialog)
    assert rows[f"person:{lukasz_case}"].text(WHAT_COLUMN) == "Young person record"
    when = format_uk_date(dt.date.today() - dt.timedelta(days=1))
    note = rows[f"note:{note_id}"]
    assert note.text(WHAT_COLUMN) == f"Case note {when} by Priya Raghunathan"
    assert (
        dialog.reasons[f"note:{note_id}"]
        .accessibleName()
        .startswith(f"Reason for withholding: Case note {when} by Priya Raghunathan")
    )

    assert dialog.preview.isReadOnly() and dialog.preview.toPlainText() == ""
    note.parent().setExpanded(True)
    dialog.tree.setCurrentItem(note)
    text = dialog.preview.toPlainText()
    assert text.startswith(f"Case note {when} by Priya Raghunathan: Call from a neighbour")
    assert f"Body: {THIRD_PARTY}" in text.splitlines()
    assert "Subject: Call from a neighbour" in text.splitlines()


def test_a_long_case_gets_room_within_the_screen(
    qtbot: QtBot, as_manager: Services, lukasz_case: int
) -> None:
    dialog = shown(qtbot, SubjectAccessDialog(as_manager, lukasz_case))
    room = dialog.screen().availableGeometry()
    assert dialog.width() <= room.width() and dialog.height() <= room.height()
    assert dialog.tree.height() >= 10 * dialog.fontMetrics().lineSpacing()
    header = dialog.tree.header()
    widest = max(
        dialog.tree.fontMetrics().horizontalAdvance(row.text(WHAT_COLUMN))
        for row in _all_rows(dialog)
    )
    assert header.sectionSize(WHAT_COLUMN) >= min(
        widest, 30 * dialog.fontMetrics().horizontalAdvance("M")
    )


def test_withholding_a_referral_withholds_its_decisions_with_it(
    qtbot: QtBot, as_manager: Services, lukasz_case: int
) -> None:
    dialog = shown(qtbot, SubjectAccessDialog(as_manager, lukasz_case))
    [referral] = [k for k in dialog.reasons if k.startswith("referral:")]
    transitions = [k for k in dialog.reasons if k.startswith("transition:")]
    dialog.set_withheld(referral, "Police intelligence: release would prejudice an inquiry")

    assert dialog.withheld() == {
        referral: "Police intelligence: release would prejudice an inquiry"
    }
    rows = _keyed(dialog)
    assert transitions and all(rows[key].isDisabled() for key in transitions)
    rows[referral].setCheckState(TITLE_COLUMN, Qt.CheckState.Unchecked)
    assert not any(rows[key].isDisabled() for key in transitions)


def test_export_writes_json_and_pdf_with_the_note_withheld_and_opens_the_folder(
    qtbot: QtBot,
    as_manager: Services,
    lukasz_case: int,
    note_id: int,
    tmp_path: Path,
    opened: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(tmp_path))
    )
    dialog = shown(qtbot, SubjectAccessDialog(as_manager, lukasz_case))
    dialog.choose_folder()
    assert dialog.folder.text() == str(tmp_path)
    dialog.set_withheld(f"note:{note_id}", "Names a third party")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)

    assert dialog.result() == SubjectAccessDialog.DialogCode.Accepted
    [json_file] = tmp_path.glob("*-subject-access-*.json")
    [pdf_file] = tmp_path.glob("*-subject-access-*.pdf")
    document = json.loads(json_file.read_text(encoding="utf-8"))
    assert document["person"]["first_name"] == "Łukasz"
    assert {"key": f"note:{note_id}", "reason": "Names a third party"} in document["withheld"]
    assert THIRD_PARTY not in json_file.read_text(encoding="utf-8")
    pdf_text = " ".join(page.extract_text() for page in PdfReader(pdf_file).pages)
    assert "Names a third party" in pdf_text and "Siobhán" not in pdf_text
    assert opened == [QUrl.fromLocalFile(str(tmp_path)).toLocalFile()]
    [export] = [e for e in as_manager.exports.for_person(lukasz_case) if e.filename]
    assert export.filename == pdf_file.name


def test_a_pdf_open_in_a_viewer_is_named_and_neither_file_is_left_or_recorded(
    qtbot: QtBot,
    as_manager: Services,
    lukasz_case: int,
    tmp_path: Path,
    opened: list[str],
    dialogs: DialogDriver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue #13, finding 6: the JSON and the PDF go together or not at all."""

    def refusing(source: str | Path, target: str | Path) -> None:
        if str(target).endswith(".pdf") or str(source).endswith(".pdf"):
            raise PermissionError(13, "The process cannot access the file", str(target))
        real_replace(source, target)

    real_replace = os.replace
    monkeypatch.setattr(os, "replace", refusing)
    monkeypatch.setattr(export_files, "REPLACE_RETRY_SECONDS", (0.0,))
    out = tmp_path / "for Łukasz"
    out.mkdir()
    dialog = shown(qtbot, SubjectAccessDialog(as_manager, lukasz_case))
    dialog.folder.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    [message] = dialogs.messages
    assert "Close the PDF (it may be open in another program) and try again" in message
    assert dialog.isVisible() and dialog.export_button.isEnabled()
    assert list(out.iterdir()) == [] and opened == []
    assert [e for e in as_manager.exports.for_person(lukasz_case) if e.filename] == []
