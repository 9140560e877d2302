"""How every export ends (widgets/feedback.py): "Saved to <path>  [Open] [Show in folder]", and
a plain sentence when the system has no program for the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from veru_desk.ui.widgets.feedback import SavedLine, file_kind


@pytest.fixture
def system(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """The desktop's opener: records what was asked and answers ``system["can"]``."""
    state: dict[str, object] = {"asked": [], "can": True}

    def fake_open(url: QUrl) -> bool:
        state["asked"].append(url.toLocalFile())  # type: ignore[attr-defined]
        return bool(state["can"])

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(fake_open))
    return state


PAGES: list[QWidget] = []  # kept alive while a test uses their lines


def make_line(qtbot: QtBot) -> SavedLine:
    """A line on a shown page, as pages use it."""
    page = QWidget()
    qtbot.addWidget(page)
    line = SavedLine(page)
    QVBoxLayout(page).addWidget(line)
    page.show()
    PAGES[:] = [page]
    return line


def test_hidden_until_a_file_is_saved_then_says_where_with_open_and_folder(
    qtbot: QtBot, tmp_path: Path, system: dict[str, object]
) -> None:
    line = make_line(qtbot)
    assert not line.isVisible()
    target = tmp_path / "Oluwaseun Adeyemi" / "summary.pdf"
    assert line.show_saved(target)
    assert line.isVisible() and line.text.text() == f"Saved to {target}"
    assert system["asked"] == []  # shown, not opened, unless asked
    line.open_button.click()
    line.folder_button.click()
    assert system["asked"] == [str(target), str(target.parent)]
    assert line.text.text() == f"Saved to {target}"
    assert line.open_button.accessibleName() == "Open the saved file"
    assert line.folder_button.accessibleName() == "Show the saved file in its folder"
    line.clear()
    assert not line.isVisible()


def test_with_no_program_for_the_file_the_line_says_so_and_where_it_is(
    qtbot: QtBot, tmp_path: Path, system: dict[str, object]
) -> None:
    system["can"] = False
    line = make_line(qtbot)
    target = tmp_path / "audit.csv"
    assert not line.show_saved(target, open_now=True)
    assert line.text.text() == (
        f"No program to open CSV files was found; the file is saved at {target}."
    )
    assert not line.show_folder()
    assert line.text.text() == f"The folder could not be opened; the file is saved at {target}."
    system["can"] = True
    assert line.open()
    assert line.text.text() == f"Saved to {target}"


def test_file_kinds_are_named_as_people_know_them() -> None:
    assert file_kind(Path("a.PDF")) == "PDF files"
    assert file_kind(Path("a.xlsx")) == "Excel workbooks"
    assert file_kind(Path("a.odt")) == "ODT files"
    assert file_kind(Path("README")) == "this file"
