"""The panel meetings page as a caseworker uses it before and after a panel (SCENARIOS.md 4
and 9): a meeting set up with who came, their case put on the agenda, the panel's decision and
an action typed and saved to the database; a refused save keeps every word typed; and the
pack made from the meeting."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidgetItem
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from ui_drivers import DialogDriver, shown, type_into

from tests.sharing_helpers import decide
from veru_desk.db.engine import Database
from veru_desk.db.models import DocumentExport, PanelAction, PanelAttendee, PanelItem, PanelMeeting
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.panels import MeetingInput, PanelType
from veru_desk.services import Services
from veru_desk.ui.dialogs.case_chooser import CaseChooser
from veru_desk.ui.dialogs.panel_meeting import PanelMeetingDialog
from veru_desk.ui.dialogs.panel_pack import PanelPackDialog
from veru_desk.ui.pages.panels import PanelsPage
from veru_desk.ui.widgets import feedback


def click(qtbot: QtBot, button: Any) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def set_cell(table: Any, row: int, column: int, text: str) -> None:
    table.item(row, column).setText(text)


def test_a_caseworker_records_a_panel_decision_that_reaches_the_database(
    qtbot: QtBot,
    as_dariusz: Services,
    lukasz_case: int,
    dialogs: DialogDriver,
    db: Database,
) -> None:
    page = shown(qtbot, PanelsPage(as_dariusz))
    assert page.upcoming.stack.currentIndex() == 0  # the empty state says what to do
    next_week = dt.date.today() + dt.timedelta(days=7)
    due = dt.date.today() + dt.timedelta(days=21)

    def choose_lukasz(chooser: CaseChooser) -> None:
        chooser.choose(lukasz_case)
        click(qtbot, chooser.next_button)

    def meeting(dialog: PanelMeetingDialog) -> None:
        dialog.held_on.clear()
        type_into(qtbot, dialog.held_on, format_uk_date(next_week))
        type_into(qtbot, dialog.title_edit, "Luton complex case panel")
        dialog.chair.insert("Siobhán Ní Mhurchú")
        for name, agency, role in (
            ("DS Funmilayo Adebayo", "Bedfordshire Police", "Exploitation lead"),
            ("Mr Tomasz Zieliński", "Challney High School", "Designated safeguarding lead"),
        ):
            row = dialog.attendees.rowCount()
            dialog.attendees.insertRow(row)
            for column, text in enumerate((name, agency, role)):
                dialog.attendees.setItem(row, column, QTableWidgetItem(text))
        assert not dialog.add_case_button.isEnabled()  # the meeting is saved first
        dialog.save()
        assert dialog.meeting_id is not None and dialog.saved_label.isVisible()

        dialogs.then(choose_lukasz)
        click(qtbot, dialog.add_case_button)
        assert dialog.agenda.count() == 1 and "Łukasz" in dialog.agenda.item(0).text()
        dialog.summary.insertPlainText("Seen with older males at Bury Park; two missing episodes.")
        dialog.decision.insertPlainText("Refer to the National Referral Mechanism.")
        dialog.add_action()
        set_cell(dialog.action_table, 0, 0, "Share intelligence on the grey Audi")
        set_cell(dialog.action_table, 0, 2, "DS Funmilayo Adebayo")
        set_cell(dialog.action_table, 0, 3, "Bedfordshire Police")

        # No due date: refused, with the message beside the actions and every word kept.
        dialog.save()
        assert "no due date" in dialog.actions_error.text()
        assert dialog.actions_error.isVisible() and dialog.message.isVisible()
        assert dialog.decision.toPlainText() == "Refer to the National Referral Mechanism."
        assert dialog.action_table.item(0, 0).text() == "Share intelligence on the grey Audi"

        # A due date that is not a date: refused before anything is sent, the text kept.
        set_cell(dialog.action_table, 0, 4, "31/02/2027")
        dialog.save()
        assert "not a date" in dialog.actions_error.text()
        assert dialog.action_table.item(0, 4).text() == "31/02/2027"

        set_cell(dialog.action_table, 0, 4, format_uk_date(due))
        dialog.save()
        assert not dialog.message.isVisible(), dialog.message.text()
        assert dialog.saved_label.text().startswith("Saved.")
        dialog.accept()

    dialogs.then(meeting)
    click(qtbot, page.new_button)

    with db.read() as session:
        stored = session.scalars(select(PanelMeeting)).one()
        assert stored.title == "Luton complex case panel"
        assert stored.chair == "Siobhán Ní Mhurchú"
        assert stored.held_at == dt.datetime.combine(next_week, dt.time(10, 0))
        names = session.scalars(select(PanelAttendee.name).order_by(PanelAttendee.position))
        assert list(names) == ["DS Funmilayo Adebayo", "Mr Tomasz Zieliński"]
        item = session.scalars(select(PanelItem)).one()
        assert item.young_person_id == lukasz_case
        assert item.decision == "Refer to the National Referral Mechanism."
        action = session.scalars(select(PanelAction)).one()
        assert (action.owner_name, action.agency, action.due_on) == (
            "DS Funmilayo Adebayo",
            "Bedfordshire Police",
            due,
        )
    page.refresh()
    assert page.upcoming.model.rowCount() == 1
    assert page.upcoming.table.model().index(0, 4).data() == "1"  # Dariusz's cases on it


def test_the_pack_is_made_from_the_meeting_under_each_cases_decision(
    qtbot: QtBot,
    as_dariusz: Services,
    lukasz_case: int,
    dialogs: DialogDriver,
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    meeting_id = as_dariusz.panels.create(
        MeetingInput(
            held_at=dt.datetime.combine(dt.date.today() + dt.timedelta(days=3), dt.time(14)),
            panel_type=PanelType.MACE,
            title="Luton exploitation panel",
        )
    )
    as_dariusz.panels.add_case(meeting_id, lukasz_case)
    opened: list[Path] = []
    monkeypatch.setattr(feedback, "open_file", lambda path: opened.append(path) or True)
    dialog = shown(qtbot, PanelPackDialog(as_dariusz, meeting_id))
    assert dialog.model.index(0, 2).data() == "None recorded"
    dialog.folder.setText(str(tmp_path))
    dialog.make()
    assert "Record a sharing decision first" in dialog.message.text()
    decide(as_dariusz, lukasz_case)
    dialog.refresh()
    assert dialog.model.index(0, 2).data() == "Ready"
    dialog.make()
    assert dialog.made is not None and dialog.made.paths[0].exists()
    with db.read() as session:
        export = session.scalars(select(DocumentExport)).one()
    assert export.young_person_id == lukasz_case
