"""The Documents tab driven as Dariusz uses it: files chosen (or dropped) reach the database
with their description, a refused file stays in the dialog with its reason while the others
are added, Open hands a private copy to the viewer or says where it is when there is none,
Save a copy writes where chosen, Remove asks for a reason, and the workspace shows the tab."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from pytestqt.qtbot import QtBot
from ui_drivers import DialogDriver, shown, type_into

from tests.services.test_attachments import docx_bytes, pdf_bytes, png_bytes
from veru_desk.db.opened_files import clear_own_opened_files
from veru_desk.services import Services
from veru_desk.ui.case import attachments as tab_module
from veru_desk.ui.case.attachments import AttachmentsTab
from veru_desk.ui.dialogs import attachment as dialog_module


def cells(table: Any, column: int) -> list[str]:
    model = table.model()
    return [model.index(row, column).data() for row in range(model.rowCount())]


def click(qtbot: QtBot, button: Any) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def tab_for(qtbot: QtBot, services: Services, person_id: int) -> AttachmentsTab:
    tab = shown(qtbot, AttachmentsTab(services, person_id))
    tab.refresh()
    return tab


def files_chosen(monkeypatch: pytest.MonkeyPatch, *paths: Path) -> None:
    monkeypatch.setattr(
        dialog_module.QFileDialog,
        "getOpenFileNames",
        lambda *_args, **_kwargs: ([str(p) for p in paths], "Documents and images"),
    )


def test_files_added_through_the_tab_reach_the_database_with_their_description(
    qtbot: QtBot,
    as_dariusz: Services,
    lukasz_case: int,
    dialogs: DialogDriver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    consent, photo = tmp_path / "Łukasz consent form.pdf", tmp_path / "school report.png"
    consent.write_bytes(pdf_bytes())
    photo.write_bytes(png_bytes())
    tab = tab_for(qtbot, as_dariusz, lukasz_case)
    assert tab.summary.text().startswith("No documents kept on this case yet")
    assert not tab.open_button.isEnabled() and not tab.remove_button.isEnabled()
    files_chosen(monkeypatch, consent, photo)

    def fill(dialog: Any) -> None:
        assert "Łukasz consent form.pdf" in dialog.files_label.text()
        assert "school report.png" in dialog.files_label.text()
        type_into(qtbot, dialog.description, "Signed at the home visit")
        click(qtbot, dialog.save_button)

    dialogs.then(fill)
    click(qtbot, tab.add_button)
    tab.refresh()  # the workspace re-reads its tabs on a change (tested there)

    saved = as_dariusz.attachments.for_case(lukasz_case)
    assert sorted(a.file_name for a in saved) == ["school report.png", "Łukasz consent form.pdf"]
    assert {a.description for a in saved} == {"Signed at the home visit"}
    assert sorted(cells(tab.table, 1)) == ["PDF", "PNG image"]
    assert set(cells(tab.table, 3)) == {"Dariusz Wójcik"}
    assert tab.summary.text().startswith("2 documents (")
    assert tab.remove_button.isEnabled()  # his own, added just now


def test_a_refused_file_stays_in_the_dialog_with_its_reason_and_the_others_are_added(
    qtbot: QtBot,
    as_dariusz: Services,
    lukasz_case: int,
    dialogs: DialogDriver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    letter, program = tmp_path / "letter.docx", tmp_path / "setup.pdf"
    letter.write_bytes(docx_bytes())
    program.write_bytes(b"MZ\x90\x00" + b"\x00" * 100)
    tab = tab_for(qtbot, as_dariusz, lukasz_case)
    files_chosen(monkeypatch, letter, program)
    seen: dict[str, str] = {}

    def fill(dialog: Any) -> None:
        type_into(qtbot, dialog.description, "From the school")
        click(qtbot, dialog.save_button)
        assert dialog.isVisible()
        seen["message"] = dialog.errors.message("file")
        seen["files"] = dialog.files_label.text()
        seen["description"] = dialog.description.toPlainText()

    dialogs.then(fill)
    click(qtbot, tab.add_button)
    assert seen["message"].startswith("1 added. setup.pdf is not a kind of file")
    assert "setup.pdf" in seen["files"] and "letter.docx" not in seen["files"]
    assert seen["description"] == "From the school"
    assert [a.file_name for a in as_dariusz.attachments.for_case(lukasz_case)] == ["letter.docx"]


def test_files_dropped_on_the_tab_open_the_dialog_with_them(
    qtbot: QtBot,
    as_dariusz: Services,
    lukasz_case: int,
    dialogs: DialogDriver,
    tmp_path: Path,
) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(pdf_bytes())
    tab = tab_for(qtbot, as_dariusz, lukasz_case)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(scan))])
    enter = QDragEnterEvent(
        QPoint(20, 20),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    tab.dragEnterEvent(enter)
    assert enter.isAccepted()
    dialogs.then(lambda dialog: click(qtbot, dialog.save_button))
    tab.dropEvent(
        QDropEvent(
            QPointF(20, 20),
            Qt.DropAction.CopyAction,
            data,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
    )
    assert [a.file_name for a in as_dariusz.attachments.for_case(lukasz_case)] == ["scan.pdf"]


def test_open_hands_a_private_copy_to_the_viewer_or_says_where_it_is(
    qtbot: QtBot,
    as_dariusz: Services,
    lukasz_case: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = png_bytes()
    as_dariusz.attachments.add(lukasz_case, data, file_name="photo.png")
    tab = tab_for(qtbot, as_dariusz, lukasz_case)
    handed: list[Path] = []
    monkeypatch.setattr(tab_module, "open_file", lambda path: handed.append(path) or True)
    click(qtbot, tab.open_button)
    [path] = handed
    assert path.name == "photo.png" and path.read_bytes() == data
    assert not tab.notice.isVisible()

    monkeypatch.setattr(tab_module, "open_file", lambda _path: False)
    click(qtbot, tab.open_button)
    assert tab.notice.isVisible()
    assert "No program on this computer opens PNG files" in tab.notice.text()
    assert str(path) in tab.notice.text()
    clear_own_opened_files()
    assert not path.exists()


def test_save_a_copy_writes_the_file_where_chosen(
    qtbot: QtBot,
    as_dariusz: Services,
    lukasz_case: int,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    data = docx_bytes()
    as_dariusz.attachments.add(lukasz_case, data, file_name="letter.docx")
    tab = tab_for(qtbot, as_dariusz, lukasz_case)
    target = tmp_path / "copies" / "letter to YOS.docx"
    monkeypatch.setattr(
        tab_module.QFileDialog,
        "getSaveFileName",
        lambda *_args, **_kwargs: (str(target), ""),
    )
    click(qtbot, tab.save_button)
    assert target.read_bytes() == data
    assert tab.saved.isVisible() and str(target) in tab.saved.text.text()


def test_remove_asks_for_a_reason_and_only_the_adder_or_a_manager_may(
    qtbot: QtBot,
    as_dariusz: Services,
    as_manager: Services,
    lukasz_case: int,
    dialogs: DialogDriver,
) -> None:
    as_manager.attachments.add(lukasz_case, pdf_bytes(), file_name="panel minutes.pdf")
    own = as_dariusz.attachments.add(lukasz_case, pdf_bytes("Wrong"), file_name="wrong.pdf")
    tab = tab_for(qtbot, as_dariusz, lukasz_case)
    assert cells(tab.table, 0) == ["wrong.pdf", "panel minutes.pdf"]
    assert tab.remove_button.isEnabled()
    tab.table.selectRow(1)
    assert not tab.remove_button.isEnabled()
    assert "A manager removes files" in tab.remove_button.toolTip()
    tab.table.selectRow(0)

    def blank_then_reason(dialog: Any) -> None:
        click(qtbot, dialog.save_button)
        assert "Say why" in dialog.errors.message("reason")
        type_into(qtbot, dialog.reason, "Added to the wrong case")
        click(qtbot, dialog.save_button)

    dialogs.then(blank_then_reason)
    click(qtbot, tab.remove_button)
    remaining = as_dariusz.attachments.for_case(lukasz_case)
    assert [a.file_name for a in remaining] == ["panel minutes.pdf"]
    assert own not in {a.id for a in remaining}


def test_the_workspace_has_a_documents_tab(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    from veru_desk.ui.case.workspace import CaseWorkspace

    workspace = shown(qtbot, CaseWorkspace(as_dariusz, lukasz_case))
    labels = [workspace.tabs.tabText(i) for i in range(workspace.tabs.count())]
    assert "&Documents" in labels
    assert workspace.attachments_tab.loaded is False  # read when first shown, not before
    workspace.tabs.setCurrentWidget(workspace.attachments_tab)
    assert workspace.attachments_tab.loaded


def test_a_manager_changes_the_size_limit_on_the_administration_page(
    qtbot: QtBot, as_manager: Services, as_dariusz: Services
) -> None:
    from veru_desk.ui.pages.attachment_limit import AttachmentLimitRow

    row = shown(qtbot, AttachmentLimitRow(as_manager))
    assert row.megabytes.value() == 20
    row.megabytes.setValue(35)
    click(qtbot, row.save_button)
    assert as_dariusz.settings.attachment_max_mb() == 35
    assert row.status.text().startswith("Saved")


def test_the_description_fills_a_wide_tab_and_never_squeezes_below_its_heading(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    from PySide6.QtWidgets import QHeaderView

    as_dariusz.attachments.add(
        lukasz_case, pdf_bytes(), "Signed at the home visit", file_name="consent.pdf"
    )
    tab = tab_for(qtbot, as_dariusz, lukasz_case)
    header = tab.table.horizontalHeader()
    heading = header.sectionSizeFromContents(tab_module.DESCRIPTION_COLUMN).width()
    tab.resize(500, 400)
    qtbot.wait(20)
    assert header.sectionSize(tab_module.DESCRIPTION_COLUMN) >= heading
    tab.resize(1400, 600)
    qtbot.wait(20)
    mode = header.sectionResizeMode(tab_module.DESCRIPTION_COLUMN)
    assert mode is QHeaderView.ResizeMode.Stretch
    used = sum(header.sectionSize(i) for i in range(header.count()))
    assert used >= tab.table.viewport().width() - 2  # no empty band on the right
