"""Screens refresh from what a write published, not from the code that saved remembering to
say so: a session booked in the dialog shows on the dashboard and the caseload, and a
further referral imported while the case is open shows in its workspace."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pytestqt.qtbot import QtBot
from test_case_workspace import cells, click, show_tab, workspace
from ui_drivers import DialogDriver, shown

from tests.dates import today
from tests.services.test_imports import csv_bytes, row
from veru_desk.domain.dates import format_uk_date
from veru_desk.services import Services
from veru_desk.services.caseload_view import CaseloadSort
from veru_desk.services.changes import Changes, Kind
from veru_desk.ui.pages.caseload import CaseloadPage
from veru_desk.ui.pages.caseload_model import COLUMNS
from veru_desk.ui.pages.dashboard import DashboardPage
from veru_desk.ui.shell.events import data_events


def test_a_session_recorded_in_the_dialog_refreshes_the_dashboard_and_the_caseload(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, dialogs: DialogDriver
) -> None:
    dashboard = shown(qtbot, DashboardPage(as_dariusz))
    dashboard.refresh()
    qtbot.waitUntil(lambda: not dashboard._loading)
    assert dashboard.cards["sessions_today"].items() == []
    caseload = shown(qtbot, CaseloadPage(as_dariusz))
    caseload.refresh()
    last_contact = COLUMNS.index(CaseloadSort.LAST_CONTACT)
    assert caseload.model.index(0, last_contact).data() == "None yet"
    heard: list[Changes] = []
    data_events().changed.connect(heard.append)

    ws = workspace(qtbot, as_dariusz, lukasz_case)
    show_tab(ws, ws.sessions_tab)

    def fill(dialog: Any) -> None:
        dialog.date_field.setText(format_uk_date(today()))
        dialog.time_field.setText("00:00")  # earlier today, so it can be recorded attended
        dialog.attendance.setCurrentIndex(dialog.attendance.findText("Attended"))
        dialog.location.setText("Marsh Farm youth centre")
        click(qtbot, dialog.save_button)

    dialogs.then(fill)
    click(qtbot, ws.sessions_tab.book_button)

    assert any(c.touches(Kind.SESSION, lukasz_case) for c in heard)
    qtbot.waitUntil(lambda: len(dashboard.cards["sessions_today"].items()) == 1)
    [entry] = dashboard.cards["sessions_today"].items()
    assert entry.person_id == lukasz_case
    qtbot.waitUntil(lambda: caseload.model.index(0, last_contact).data() == format_uk_date(today()))
    assert cells(ws.sessions_tab.table, 1)  # the workspace's own list shows it too


def test_a_further_referral_imported_while_the_case_is_open_shows_in_its_workspace(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    """The import used to say only 'referrals changed' with no case, which the open
    workspace ignored: Łukasz's new referral stayed out of his own screen."""
    person = as_dariusz.people.get(lukasz_case)
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    show_tab(ws, ws.referrals_tab)
    assert ws.referrals_tab.model.rowCount() == 1

    received = (today() - dt.timedelta(days=2)).strftime("%d/%m/%Y")
    further = row(
        first_name=person.details.first_name,
        last_name=person.details.last_name,
        date_of_birth=person.details.date_of_birth.strftime("%d/%m/%Y"),
        postcode="LU1 5AB",
        referral_date=received,
        referring_agency="Luton and Dunstable Hospital A&E",
    )
    result = as_dariusz.imports.run(csv_bytes([further]), file_name="hospital.csv")
    assert result.new_referrals == 1

    qtbot.waitUntil(lambda: ws.referrals_tab.model.rowCount() == 2)
