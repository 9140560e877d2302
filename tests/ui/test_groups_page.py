"""The Groups page and a group's register, as a caseworker uses them (#19): Thursday football
set up from the page, a young person added on the register, last week's register taken in
one screen and saved to each young person's own session; another worker's young person shows
only as a case reference and their worker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from ui_drivers import DialogDriver, open_case_for, shown, type_into

from veru_desk.db.engine import Database
from veru_desk.db.models import GroupSession, MentoringSession
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import Attendance
from veru_desk.services import Services
from veru_desk.services.groups import GroupInput
from veru_desk.ui.dialogs.case_chooser import CaseChooser
from veru_desk.ui.dialogs.group_register import GroupRegisterDialog
from veru_desk.ui.dialogs.group_session import GroupSessionDialog
from veru_desk.ui.pages.groups import GroupsPage


def click(qtbot: QtBot, button: Any) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def last_thursday() -> dt.date:
    today = dt.date.today()
    return today - dt.timedelta(days=(today.weekday() - 3 - 1) % 7 + 1)


def test_a_group_set_up_on_the_page_opens_its_register_to_add_young_people(
    qtbot: QtBot,
    as_dariusz: Services,
    lukasz_case: int,
    dialogs: DialogDriver,
    db: Database,
) -> None:
    page = shown(qtbot, GroupsPage(as_dariusz))
    assert page.upcoming.stack.currentIndex() == 0  # the empty state offers New group…
    first = dt.date.today() + dt.timedelta(days=10)

    def new_group(dialog: GroupSessionDialog) -> None:
        type_into(qtbot, dialog.title_field, "Thursday football")
        type_into(qtbot, dialog.first_date, format_uk_date(first))
        type_into(qtbot, dialog.time_field, "17:30")
        dialog.count.setValue(8)
        type_into(qtbot, dialog.location, "Lewsey sports park")
        click(qtbot, dialog.save_button)

    def choose_lukasz(chooser: CaseChooser) -> None:
        chooser.choose(lukasz_case)
        click(qtbot, chooser.next_button)

    def register(dialog: GroupRegisterDialog) -> None:
        assert dialog.empty.isVisible() and not dialog.table.isVisible()
        dialogs.then(choose_lukasz)
        click(qtbot, dialog.add_button)
        assert [r.label for r in dialog.rows] == ["Łukasz Wiśniewski (Łuki)"]
        assert "Thursday football" in dialog.heading.text()
        dialog.reject()

    dialogs.then(new_group).then(register)
    click(qtbot, page.new_button)
    with db.read() as session:
        starts = list(session.scalars(select(GroupSession.planned_start)))
        places = session.scalars(
            select(MentoringSession).where(MentoringSession.young_person_id == lukasz_case)
        ).all()
    assert len(starts) == 8 and min(starts) == dt.datetime.combine(first, dt.time(17, 30))
    assert len(places) == 8 and {p.location for p in places} == {"Lewsey sports park"}
    qtbot.waitUntil(lambda: page.upcoming.model.rowCount() > 0)
    assert page.upcoming.model.row_at(0).registered == 1


def test_last_weeks_register_taken_in_one_screen_reaches_each_young_persons_session(
    qtbot: QtBot,
    as_dariusz: Services,
    as_manager: Services,
    team: Any,
    db: Database,
) -> None:
    lukasz = open_case_for(as_manager, team.dariusz.user_id)
    zoe = open_case_for(as_manager, team.dariusz.user_id, first_name="Zoë", last_name="Brontë")
    hoa = open_case_for(as_manager, team.aisha.user_id, first_name="Hoa", last_name="Nguyễn Thị")
    created = as_dariusz.groups.create(
        GroupInput(
            title="Thursday football",
            first_start=dt.datetime.combine(last_thursday(), dt.time(17, 30)),
        )
    )
    [group_id] = created.session_ids
    as_manager.groups.add_people(group_id, [lukasz, zoe, hoa])

    page = shown(qtbot, GroupsPage(as_dariusz))
    qtbot.waitUntil(lambda: page.recent.model.rowCount() == 1)
    assert page.recent.model.row_at(0).registered == 3
    dialog = shown(qtbot, GroupRegisterDialog(as_dariusz, group_id, page))
    labels = [r.label for r in dialog.rows]
    assert labels[:2] == ["Łukasz Wiśniewski (Łuki)", "Zoë Brontë"]
    assert labels[2].endswith(", allocated to Aisha Mohamed") and "Hoa" not in labels[2]
    assert dialog.choices[2] is None  # Aisha's young person: her worker records them
    click(qtbot, dialog.all_attended)
    dialog.choose("Zoë Brontë", Attendance.DID_NOT_ATTEND, "Texted: at her nan's")
    type_into(qtbot, dialog.group_notes, "Five-a-side on the astro; new bibs")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: not dialog.isVisible())

    with db.read() as session:
        found = dict(
            session.execute(
                select(MentoringSession.young_person_id, MentoringSession.attendance)
            ).all()
        )
        note = session.scalar(
            select(MentoringSession.notes).where(MentoringSession.young_person_id == zoe)
        )
        group_notes = session.get_one(GroupSession, group_id).notes
    assert found == {
        lukasz: Attendance.ATTENDED,
        zoe: Attendance.DID_NOT_ATTEND,
        hoa: Attendance.PLANNED,
    }
    assert note == "Texted: at her nan's"
    assert group_notes == "Five-a-side on the astro; new bibs"
    assert as_dariusz.sessions.attendance_summary(lukasz).attended == 1
    qtbot.waitUntil(lambda: page.recent.model.row_at(0).attended == 1)


def test_a_cases_sessions_tab_names_the_group_of_a_group_session(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    from veru_desk.ui.case.mentoring import SessionsTab

    start = dt.datetime.combine(dt.date.today() + dt.timedelta(days=8), dt.time(17, 30))
    [group_id] = as_dariusz.groups.create(GroupInput("Thursday football", start)).session_ids
    as_dariusz.groups.add_people(group_id, [lukasz_case])
    tab = shown(qtbot, SessionsTab(as_dariusz, lukasz_case))
    tab.refresh()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    type_column = next(
        i
        for i in range(tab.model.columnCount())
        if tab.model.headerData(i, Qt.Orientation.Horizontal) == "Type"
    )
    assert tab.model.index(0, type_column).data() == "Group: Thursday football"
