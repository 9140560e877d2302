"""Every input, list and table of the import wizard, the subject access dialog, the calendar
and its case chooser has a name a screen reader reads (issue #15, accessibility)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot
from shell_helpers import born_years_ago
from ui_drivers import open_case_for, shown

from veru_desk.domain.dates import format_uk_date
from veru_desk.services import Services
from veru_desk.ui.dialogs.case_chooser import CaseChooser
from veru_desk.ui.dialogs.import_wizard import ImportWizard
from veru_desk.ui.dialogs.subject_access import SubjectAccessDialog
from veru_desk.ui.pages.calendar import SessionsCalendarPage


def unnamed(window: QWidget) -> list[str]:
    widgets: list[Any] = []
    for kind in (QLineEdit, QPlainTextEdit, QComboBox, QAbstractSpinBox, QAbstractItemView):
        widgets += [w for w in window.findChildren(kind) if w.isVisibleTo(window)]
    # A button whose words are only an icon or an ellipsis needs a name; others read as text.
    widgets += [b for b in window.findChildren(QPushButton) if not b.text().strip(" .…")]
    return [
        f"{type(w).__name__} in {type(w.parent()).__name__}"
        for w in widgets
        if not w.accessibleName()
        and not isinstance(w, QHeaderView)
        and not isinstance(w.parent(), QComboBox | QAbstractSpinBox)
        and not isinstance(w.parent().parent(), QComboBox)
    ]


def test_the_import_wizard_names_its_inputs_and_tables(
    qtbot: QtBot, tmp_path: Path, as_dariusz: Services
) -> None:
    received = format_uk_date(born_years_ago(0, 5))
    path = tmp_path / "partner.csv"
    path.write_text(
        "first_name,last_name,date_of_birth,referral_date,referring_agency\n"
        f"Zoë,Çelik,31/02/2011,{received},Luton YJS\n",
        encoding="utf-8",
    )
    wizard = shown(qtbot, ImportWizard(as_dariusz))
    assert unnamed(wizard) == []
    wizard.choose_page.path.setText(str(path))
    wizard.next()
    page = wizard.preview_page
    assert page.error_table.accessibleName() == "Problems found"
    assert page.save_rejected_button.accessibleName() == "Save the rows with problems to a file"
    assert unnamed(wizard) == []


def test_subject_access_calendar_and_chooser_name_their_inputs(
    qtbot: QtBot, as_manager: Services, as_dariusz: Services, team: Any
) -> None:
    person = open_case_for(as_manager, team.dariusz.user_id)
    dialog = shown(qtbot, SubjectAccessDialog(as_manager, person))
    assert unnamed(dialog) == []
    assert dialog.preview.accessibleName() == "Selected item"

    page = shown(qtbot, SessionsCalendarPage(as_dariusz))
    assert unnamed(page) == []
    assert page.book_button.accessibleName() == "Book a session"

    chooser = shown(qtbot, CaseChooser(page.bookable_cases(), "For which young person?"))
    assert unnamed(chooser) == []
    assert chooser.list.count() == 1
    assert chooser.list.accessibleName() == "Open cases you can book a session for"
