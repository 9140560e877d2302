"""The case workspace driven as Dariusz and Priya use it in scenarios 2, 3 and 7."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from ui_drivers import DialogDriver, MenuDriver, open_case_for, shown, type_into

from tests.dates import today
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import (
    Attendance,
    ChronologyKind,
    ClosureReason,
    GoalDomain,
    OutcomePoint,
    ReferralStatus,
    RiskLevel,
)
from veru_desk.domain.errors import NotFound, PermissionDenied
from veru_desk.services import Services
from veru_desk.services.mentoring import SessionInput
from veru_desk.services.notes import NoteInput
from veru_desk.services.outcomes import OutcomeInput
from veru_desk.services.plans import ActionInput, GoalInput
from veru_desk.services.risk import RiskInput
from veru_desk.ui.case.workspace import CaseWorkspace


def workspace(qtbot: QtBot, services: Services, person_id: int) -> CaseWorkspace:
    return shown(qtbot, CaseWorkspace(services, person_id))


def show_tab(ws: CaseWorkspace, tab: Any) -> None:
    ws.tabs.setCurrentWidget(tab)


def choose(combo: Any, label: str) -> None:
    index = combo.findText(label)
    assert index >= 0, label
    combo.setCurrentIndex(index)


def cells(table: Any, column: int) -> list[str]:
    model = table.model()
    return [model.index(row, column).data() for row in range(model.rowCount())]


def click(qtbot: QtBot, button: Any) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def past(days: int, hour: int = 16) -> dt.datetime:
    return dt.datetime.combine(today() - dt.timedelta(days=days), dt.time(hour, 0))


# --- opening and the header -----------------------------------------------------------------


def test_header_names_the_young_person_and_shows_reference_status_worker_and_risk(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    case_ref = as_dariusz.people.get(lukasz_case).case_ref

    assert ws.title == f"{case_ref} · Łukasz Wiśniewski"
    assert ws.name_label.text() == "Łukasz Wiśniewski (prefers Łuki)"
    facts = ws.facts_label.text()
    assert "Age\u00a014" in facts
    # Each fact's words are held together, so a narrow header wraps only between facts.
    assert "Caseworker:\u00a0Dariusz\u00a0Wójcik" in facts
    assert facts.replace("\u00a0", " ").split("  ·  ")[2] == "Caseworker: Dariusz Wójcik"
    assert ws.status_badge.text() == "Allocated"
    assert ws.risk_badge.text() == "Risk not assessed"
    assert not ws.alert.isVisible()
    assert ws.close_button.isVisible()
    assert not ws.reopen_button.isVisible()


def test_opening_a_case_not_allocated_to_you_is_refused(
    as_manager: Services, as_dariusz: Services, team: Any
) -> None:
    other = open_case_for(
        as_manager, team.aisha.user_id, first_name="Zoë", last_name="Ó Súilleabháin"
    )
    with pytest.raises(PermissionDenied):
        CaseWorkspace(as_dariusz, other)


def test_opening_a_missing_case_raises_not_found(as_manager: Services) -> None:
    with pytest.raises(NotFound):
        CaseWorkspace(as_manager, 9999)


# --- scenario 2: first contact ---------------------------------------------------------------


def test_risk_assessment_recorded_from_the_risk_tab_updates_the_badge_and_review(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, dialogs: DialogDriver
) -> None:
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    show_tab(ws, ws.risk_tab)

    def fill(dialog: Any) -> None:
        choose(dialog.level, "High")
        type_into(qtbot, dialog.risk_factors, "Gang association; missing episodes")
        type_into(qtbot, dialog.protective_factors, "Engaged older sister; football")
        click(qtbot, dialog.save_button)

    dialogs.then(fill)
    click(qtbot, ws.risk_tab.record_button)

    review = today() + dt.timedelta(weeks=4)
    assert as_dariusz.risk.history(lukasz_case)[0].next_review_on == review
    assert cells(ws.risk_tab.table, 1) == ["High"]
    assert cells(ws.risk_tab.table, 5) == [format_uk_date(review)]
    assert ws.risk_tab.summary.text().endswith(f"Next review due {format_uk_date(review)}.")
    assert ws.risk_badge.text() == "High risk"


def test_first_plan_with_three_goals_through_the_plan_tab(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, dialogs: DialogDriver
) -> None:
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    show_tab(ws, ws.plan_tab)
    plan_tab = ws.plan_tab
    assert not plan_tab.add_goal_button.isEnabled()

    dialogs.then(
        lambda d: (type_into(qtbot, d.summary, "Agreed with Łukasz"), click(qtbot, d.save_button))
    )
    click(qtbot, plan_tab.start_button)
    goals = [
        (GoalDomain.EET, "Back into full-time education"),
        (GoalDomain.SAFETY, "A safety plan for the walk to school"),
        (GoalDomain.POSITIVE_ACTIVITIES, "Weekly football with a mentor"),
    ]
    for domain, text in goals:

        def fill(dialog: Any, domain: GoalDomain = domain, text: str = text) -> None:
            choose(dialog.domain, domain.label)
            type_into(qtbot, dialog.description, text)
            click(qtbot, dialog.save_button)

        dialogs.then(fill)
        click(qtbot, plan_tab.add_goal_button)

    plan = as_dariusz.plans.current(lukasz_case)
    assert plan is not None and plan.summary == "Agreed with Łukasz"
    assert [(g.domain, g.description) for g in plan.goals] == goals
    assert cells(plan_tab.goals, 1) == [text for _, text in goals]
    assert plan_tab.start_button.text() == "New version…"


def test_adding_an_action_and_marking_it_done_from_the_plan_tab(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, dialogs: DialogDriver
) -> None:
    plan_id = as_dariusz.plans.start_plan(lukasz_case, today() - dt.timedelta(days=7))
    as_dariusz.plans.add_goal(plan_id, GoalInput(GoalDomain.EET, "Back into full-time education"))
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    show_tab(ws, ws.plan_tab)
    plan_tab = ws.plan_tab

    def fill(dialog: Any) -> None:
        type_into(qtbot, dialog.description, "Meet the head of year about a return date")
        type_into(qtbot, dialog.owner, "Dariusz Wójcik")
        click(qtbot, dialog.save_button)

    dialogs.then(fill)
    click(qtbot, plan_tab.add_action_button)
    assert cells(plan_tab.action_table, 0) == ["Meet the head of year about a return date"]
    plan_tab.action_table.selectRow(0)
    click(qtbot, plan_tab.done_button)

    plan = as_dariusz.plans.current(lukasz_case)
    assert plan is not None
    assert plan.goals[0].actions[0].done_on == today()
    assert cells(plan_tab.action_table, 3) == [format_uk_date(today())]
    assert cells(plan_tab.goals, 4) == ["1 of 1 done"]


def test_previous_plan_versions_are_shown_read_only(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    first = as_dariusz.plans.start_plan(lukasz_case, today() - dt.timedelta(days=90))
    as_dariusz.plans.add_goal(first, GoalInput(GoalDomain.SAFETY, "Safety plan"))
    as_dariusz.plans.start_plan(lukasz_case, today())
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    show_tab(ws, ws.plan_tab)
    plan_tab = ws.plan_tab

    assert plan_tab.version_choice.count() == 2
    assert plan_tab.version_choice.itemText(0).endswith("(current)")
    assert plan_tab.add_goal_button.isEnabled()
    plan_tab.version_choice.setCurrentIndex(1)
    assert not plan_tab.add_goal_button.isEnabled()
    assert not plan_tab.edit_goal_button.isEnabled()
    assert "read-only" in plan_tab.heading.text()


def test_weekly_series_from_the_sessions_tab_books_eleven_wednesdays(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, dialogs: DialogDriver
) -> None:
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    show_tab(ws, ws.sessions_tab)
    first = today() + dt.timedelta(days=(2 - today().weekday()) % 7 + 7)

    def fill(dialog: Any) -> None:
        dialog.first_date.setText(format_uk_date(first))
        dialog.time_field.setText("16:00")
        dialog.location.setText("Marsh Farm youth centre")
        dialog.refresh_preview()
        dialog.preview.item(3).setCheckState(Qt.CheckState.Unchecked)  # half-term
        click(qtbot, dialog.save_button)

    dialogs.then(fill)
    click(qtbot, ws.sessions_tab.series_button)

    saved = as_dariusz.sessions.for_person(lukasz_case)
    assert len(saved) == 11
    assert {s.planned_start.weekday() for s in saved} == {2}
    assert cells(ws.sessions_tab.table, 6) == ["Series"] * 11
    assert ws.sessions_tab.summary.text() == "Attendance: No sessions offered yet; 11 planned"


def test_attendance_in_two_clicks_from_the_sessions_tab(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, menus: MenuDriver
) -> None:
    session_id = as_dariusz.sessions.book(lukasz_case, SessionInput(planned_start=past(1)))
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    show_tab(ws, ws.sessions_tab)
    ws.sessions_tab.table.selectRow(0)

    menus.choose("Attended")
    click(qtbot, ws.sessions_tab.attendance_button)

    assert as_dariusz.sessions.get(session_id).attendance is Attendance.ATTENDED
    assert cells(ws.sessions_tab.table, 5) == ["Attended"]
    assert ws.status_badge.text() == "Active"  # the first contact made the case active


# --- scenario 3: a missed week ---------------------------------------------------------------


def test_third_did_not_attend_raises_the_alert_and_an_attended_session_clears_it(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, menus: MenuDriver, dialogs: DialogDriver
) -> None:
    for weeks_ago in (3, 2, 1):
        as_dariusz.sessions.book(lukasz_case, SessionInput(planned_start=past(7 * weeks_ago)))
    thursday = dt.datetime.combine(today() + dt.timedelta(days=8), dt.time(16, 0))
    next_week = as_dariusz.sessions.book(
        lukasz_case, SessionInput(planned_start=thursday - dt.timedelta(days=1))
    )
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    show_tab(ws, ws.sessions_tab)
    tab = ws.sessions_tab
    for row in (3, 2, 1):  # newest first: rows 1 to 3 are the past Wednesdays
        tab.table.selectRow(row)
        menus.choose("Did not attend")
        click(qtbot, tab.attendance_button)
        assert ws.alert.isVisible() == (row == 1)

    assert as_dariusz.people.get(lukasz_case).disengaged
    assert "3 sessions missed in a row" in ws.alert.text()

    # a case note about the call with the mother, from the chronology's quick note
    show_tab(ws, ws.chronology_tab)
    type_into(qtbot, ws.chronology_tab.subject, "Call with mother")
    type_into(qtbot, ws.chronology_tab.body, "Mother will make sure he comes on Thursday.")
    assert ws.has_unsaved_changes()
    click(qtbot, ws.chronology_tab.save_note_button)
    assert not ws.has_unsaved_changes()
    assert [n.subject for n in as_dariusz.notes.for_person(lukasz_case)] == ["Call with mother"]
    assert "Call with mother" in cells(ws.chronology_tab.table, 2)

    # move next week's session to Thursday
    show_tab(ws, ws.sessions_tab)
    tab.table.selectRow(0)
    assert tab.table.selected().id == next_week

    def move(dialog: Any) -> None:
        dialog.date_field.setText(format_uk_date(thursday.date()))
        click(qtbot, dialog.save_button)

    dialogs.then(move)
    click(qtbot, tab.move_button)
    assert as_dariusz.sessions.get(next_week).planned_start == thursday
    assert cells(tab.table, 6)[0].startswith("Series") is False
    assert "moved from" in cells(tab.table, 6)[0]

    # it happens, and is recorded attended: the alert clears (recorded through the service
    # because the Thursday is still in the future when the test runs)
    held = as_dariusz.sessions.book(lukasz_case, SessionInput(planned_start=past(0, hour=0)))
    tab.select_session(held)
    menus.choose("Attended")
    click(qtbot, tab.attendance_button)
    assert not as_dariusz.people.get(lukasz_case).disengaged
    assert not ws.alert.isVisible()


# --- outcomes, chronology and exports --------------------------------------------------------


def test_closing_outcomes_are_recorded_and_charted(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, dialogs: DialogDriver
) -> None:
    as_dariusz.outcomes.record(
        lukasz_case,
        OutcomeInput(
            recorded_on=today() - dt.timedelta(days=200),
            point=OutcomePoint.START,
            risk_level=RiskLevel.HIGH,
            wellbeing=3,
        ),
    )
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    show_tab(ws, ws.outcomes_tab)

    def fill(dialog: Any) -> None:
        assert dialog.point.currentText() == "Closure"
        choose(dialog.risk_level, "Low")
        choose(dialog.education, "In full-time education")
        dialog.wellbeing.setValue(7)
        dialog.arrests.setValue(0)
        dialog.charges.setValue(0)
        click(qtbot, dialog.save_button)

    dialogs.then(fill)
    click(qtbot, ws.outcomes_tab.closing_button)

    latest = as_dariusz.outcomes.for_person(lukasz_case)[-1]
    assert (latest.point, latest.risk_level, latest.wellbeing, latest.arrests) == (
        OutcomePoint.CLOSURE,
        RiskLevel.LOW,
        7,
        0,
    )
    assert latest.goals_achieved is None  # left 'Not recorded', not zero
    assert cells(ws.outcomes_tab.table, 4) == ["7 of 10", "3 of 10"]
    assert [v for _, v in ws.outcomes_tab.chart.wellbeing] == [3, 7]
    assert "7 on" in ws.outcomes_tab.chart.accessibleDescription()
    ws.outcomes_tab.chart.grab()  # paints without error at its size


def test_chronology_filters_by_kind(qtbot: QtBot, as_dariusz: Services, lukasz_case: int) -> None:
    as_dariusz.notes.add(
        lukasz_case,
        NoteInput(occurred_at=past(1, hour=10), subject="Call with mother", body="Worried."),
    )
    as_dariusz.risk.record(lukasz_case, RiskInput(assessed_on=today(), level=RiskLevel.HIGH))
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    show_tab(ws, ws.chronology_tab)
    tab = ws.chronology_tab
    assert {ChronologyKind.NOTE.label, "Assessment", "Referral"} <= set(cells(tab.table, 1))

    tab.all_box.setChecked(False)
    assert cells(tab.table, 1) == []
    tab.kind_boxes[ChronologyKind.NOTE].setChecked(True)
    assert cells(tab.table, 1) == ["Note"]
    assert cells(tab.table, 2) == ["Call with mother"]


def test_chronology_detail_shows_each_field_on_its_own_line_and_the_whole_entry_below(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    as_dariusz.risk.record(
        lukasz_case,
        RiskInput(
            assessed_on=today(),
            level=RiskLevel.HIGH,
            risk_factors="Carrying a knife to school; older peers from Luton",
            protective_factors="Supportive grandmother, Aoife Ní Bhriain",
        ),
    )
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    ws.resize(1280, 720)
    show_tab(ws, ws.chronology_tab)
    tab = ws.chronology_tab
    row = cells(tab.table, 1).index("Assessment")
    detail = tab.model.index(row, 3).data()
    lines = detail.split("\n")
    assert lines[0] == "Risk factors: Carrying a knife to school; older peers from Luton"
    assert lines[1] == "Protective factors: Supportive grandmother, Aoife Ní Bhriain"
    assert lines[2].startswith("Next review due ")
    # The row is tall enough for every line, not clipped to one.
    assert tab.table.rowHeight(row) >= len(lines) * tab.table.fontMetrics().lineSpacing()
    assert all(cells(tab.table, 2))  # "What happened" is never blank

    assert tab.entry_text.isReadOnly()
    assert tab.entry_text.accessibleName() == "Selected chronology entry"
    tab.table.selectRow(row)
    text = tab.entry_text.toPlainText().splitlines()
    assert text[0].startswith(format_uk_date(today()))  # with its time when it has one
    assert text[0].endswith(" · Assessment · Risk assessed: high · by Dariusz Wójcik")
    assert text[1:3] == lines[:2]


def test_the_plan_version_chooser_names_each_version_in_full(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    started = today() - dt.timedelta(days=90)
    as_dariusz.plans.start_plan(lukasz_case, started)
    as_dariusz.plans.start_plan(lukasz_case, today())
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    ws.resize(1280, 720)
    show_tab(ws, ws.plan_tab)
    choice = ws.plan_tab.version_choice
    texts = [choice.itemText(i) for i in range(choice.count())]
    assert texts == [
        f"Version 2 \u2014 {format_uk_date(today())} (current)",
        f"Version 1 \u2014 {format_uk_date(started)}",
    ]
    # The box is wide enough for its text (nothing elided to "Version :").
    needed = choice.fontMetrics().horizontalAdvance(texts[0])
    assert choice.width() > needed


def test_a_narrow_tab_moves_its_buttons_to_a_second_line_instead_of_cutting_their_words(
    qtbot: QtBot,
) -> None:
    from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

    from veru_desk.ui.case.tab import button_row

    labels = ["Book session…", "Book weekly series…", "Open…", "Record attendance ▾", "Move…"]
    buttons = [QPushButton(label) for label in labels]
    tab = QWidget()
    layout = QVBoxLayout(tab)
    layout.addLayout(button_row(*buttons))
    layout.addStretch(1)
    qtbot.addWidget(tab)
    needed = sum(b.sizeHint().width() for b in buttons)
    tab.resize(needed * 2, 300)
    tab.show()
    qtbot.wait(10)
    assert len({b.y() for b in buttons}) == 1  # room enough: one line, in order
    assert [b.x() for b in buttons] == sorted(b.x() for b in buttons)

    tab.resize(needed * 2 // 3, 300)  # narrower than the row: the words must not be cut
    qtbot.wait(10)
    for button in buttons:
        assert button.width() >= button.sizeHint().width(), button.text()
        assert button.geometry().right() <= tab.width(), button.text()
    assert len({b.y() for b in buttons}) > 1
    for one in buttons:  # and none lies on another
        assert not any(one.geometry().intersects(b.geometry()) for b in buttons if b is not one)


def test_ctrl_s_in_the_workspace_saves_the_quick_note(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    show_tab(ws, ws.chronology_tab)
    ws.activateWindow()
    qtbot.waitUntil(ws.isActiveWindow)
    type_into(qtbot, ws.chronology_tab.subject, "Text from school")
    type_into(qtbot, ws.chronology_tab.body, "Attendance 100% this week.")
    qtbot.keyClick(ws.chronology_tab.body, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert [n.subject for n in as_dariusz.notes.for_person(lukasz_case)] == ["Text from school"]


def test_quick_note_without_text_shows_errors_beside_the_fields(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    show_tab(ws, ws.chronology_tab)
    type_into(qtbot, ws.chronology_tab.subject, "Call with mother")
    click(qtbot, ws.chronology_tab.save_note_button)
    assert ws.chronology_tab.note_errors.message("body").startswith("Write the note")
    assert ws.chronology_tab.subject.text() == "Call with mother"
    assert as_dariusz.notes.for_person(lukasz_case) == []


def test_exports_tab_lists_nothing_yet_for_a_new_case(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    show_tab(ws, ws.exports_tab)
    assert ws.exports_tab.model.rowCount() == 0
    assert ws.exports_tab.empty.isVisible()


def test_export_summary_opens_the_export_dialog_and_a_recorded_export_is_listed(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, dialogs: DialogDriver
) -> None:
    from veru_desk.services.summary import PreparedFor, SharingProfile
    from veru_desk.ui.dialogs.export_summary import ExportSummaryDialog

    ws = workspace(qtbot, as_dariusz, lukasz_case)
    show_tab(ws, ws.exports_tab)
    opened: list[str] = []
    dialogs.then(lambda d: opened.append(type(d).__name__))
    dialogs.then(lambda d: opened.append(type(d).__name__))
    click(qtbot, ws.export_button)
    click(qtbot, ws.exports_tab.export_button)
    assert opened == [ExportSummaryDialog.__name__] * 2

    as_dariusz.summary.record_export(  # full: a multi-agency one needs a sharing decision
        lukasz_case,
        SharingProfile.FULL,
        PreparedFor("Luton complex-case panel", today()),
        "VERU-summary.pdf",
        4,
    )
    assert cells(ws.exports_tab.table, 3) == [
        f"Luton complex-case panel, {format_uk_date(today())}"
    ]
    assert cells(ws.exports_tab.table, 5) == ["4"]
    assert not ws.exports_tab.empty.isVisible()


# --- scenario 7: closing well ----------------------------------------------------------------


def test_closing_with_goals_achieved_and_a_manager_reopening(
    qtbot: QtBot,
    as_dariusz: Services,
    as_manager: Services,
    lukasz_case: int,
    dialogs: DialogDriver,
) -> None:
    ws = workspace(qtbot, as_dariusz, lukasz_case)

    def close(dialog: Any) -> None:
        assert dialog.outcome_reminder.isVisible()  # no closing outcomes recorded yet
        choose(dialog.reason, ClosureReason.GOALS_ACHIEVED.label)
        type_into(qtbot, dialog.summary, "Back in school full time; no new offences.")
        click(qtbot, dialog.save_button)

    dialogs.then(close)
    click(qtbot, ws.close_button)

    [referral] = as_dariusz.referrals.for_person(lukasz_case)
    assert referral.status is ReferralStatus.CLOSED
    assert referral.closure_reason is ClosureReason.GOALS_ACHIEVED
    assert referral.outcome_summary == "Back in school full time; no new offences."
    assert ws.status_badge.text() == "Closed"
    assert not ws.close_button.isVisible()
    assert not ws.reopen_button.isVisible()  # caseworkers cannot reopen

    manager_ws = workspace(qtbot, as_manager, lukasz_case)
    assert manager_ws.reopen_button.isVisible()
    dialogs.then(
        lambda d: (
            type_into(qtbot, d.reason, "Referred again by the school"),
            click(qtbot, d.save_button),
        )
    )
    click(qtbot, manager_ws.reopen_button)
    assert as_manager.referrals.for_person(lukasz_case)[0].status is ReferralStatus.ACTIVE
    assert manager_ws.status_badge.text() == "Active"
    assert ws.status_badge.text() == "Active"  # every open workspace hears the change


def test_closing_without_a_reason_keeps_the_dialog_open_with_the_summary(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, dialogs: DialogDriver
) -> None:
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    seen: dict[str, str] = {}

    def close(dialog: Any) -> None:
        type_into(qtbot, dialog.summary, "Moved to Leeds")
        click(qtbot, dialog.save_button)
        seen["reason"] = dialog.errors.message("reason")
        seen["summary"] = dialog.summary.toPlainText()

    dialogs.then(close)
    click(qtbot, ws.close_button)
    assert seen == {"reason": "Choose why the case is closing.", "summary": "Moved to Leeds"}
    assert as_dariusz.referrals.for_person(lukasz_case)[0].status is ReferralStatus.ALLOCATED


# --- the tables ------------------------------------------------------------------------------


@pytest.fixture
def stocked_workspace(qapp: Any, as_dariusz: Services, lukasz_case: int) -> Iterator[CaseWorkspace]:
    """A case with a row in every tab, every tab loaded; kept alive until the model tester
    has finished with it (so not handed to qtbot, which closes its widgets first)."""
    as_dariusz.sessions.book(
        lukasz_case, SessionInput(planned_start=past(2), attendance=Attendance.ATTENDED)
    )
    as_dariusz.risk.record(lukasz_case, RiskInput(assessed_on=today(), level=RiskLevel.HIGH))
    plan_id = as_dariusz.plans.start_plan(lukasz_case, today())
    goal_id = as_dariusz.plans.add_goal(plan_id, GoalInput(GoalDomain.EET, "Back to school"))
    as_dariusz.plans.add_action(goal_id, ActionInput("Call the head of year"))
    as_dariusz.outcomes.record(
        lukasz_case, OutcomeInput(recorded_on=today(), point=OutcomePoint.START, wellbeing=5)
    )
    ws = CaseWorkspace(as_dariusz, lukasz_case)
    for index in range(ws.tabs.count()):
        ws.tabs.setCurrentIndex(index)
    yield ws
    ws.deleteLater()


@pytest.mark.parametrize(
    ("tab", "model", "has_rows"),
    [
        ("referrals_tab", "model", True),
        ("referrals_tab", "transitions_model", True),
        ("risk_tab", "model", True),
        ("plan_tab", "goals_model", True),
        ("plan_tab", "actions_model", True),
        ("sessions_tab", "model", True),
        ("outcomes_tab", "model", True),
        ("chronology_tab", "model", True),
        ("exports_tab", "model", False),
    ],
)
def test_every_table_model_of_the_workspace_passes_the_model_tester(
    stocked_workspace: CaseWorkspace, qtmodeltester: Any, tab: str, model: str, has_rows: bool
) -> None:
    table_model = getattr(getattr(stocked_workspace, tab), model)
    assert (table_model.rowCount() > 0) == has_rows
    qtmodeltester.check(table_model, force_py=True)


def test_every_input_and_table_in_the_workspace_has_an_accessible_name(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    from PySide6.QtWidgets import (
        QAbstractItemView,
        QAbstractSpinBox,
        QCheckBox,
        QComboBox,
        QHeaderView,
        QLineEdit,
        QPlainTextEdit,
    )

    ws = workspace(qtbot, as_dariusz, lukasz_case)
    for index in range(ws.tabs.count()):  # each tab is built when first shown
        ws.tabs.setCurrentIndex(index)
    widgets: list[Any] = []
    for kind in (QLineEdit, QPlainTextEdit, QComboBox, QAbstractSpinBox, QAbstractItemView):
        widgets += ws.findChildren(kind)
    widgets += [box for box in ws.findChildren(QCheckBox) if not box.text()]
    assert len(widgets) > 20  # the tabs' tables, filters, note fields and version chooser
    unnamed = [
        f"{type(w).__name__} in {type(w.parent()).__name__}"
        for w in widgets
        if not w.accessibleName()
        and not isinstance(w, QHeaderView)  # a table's own headings
        and not isinstance(w.parent(), QComboBox | QAbstractSpinBox)
        and not isinstance(w.parent().parent(), QComboBox)  # a combo's own pop-up list
    ]
    assert unnamed == []


def test_the_close_dialog_does_not_nag_once_closing_outcomes_are_recorded(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, dialogs: DialogDriver
) -> None:
    as_dariusz.outcomes.record(
        lukasz_case, OutcomeInput(recorded_on=today(), point=OutcomePoint.CLOSURE, wellbeing=7)
    )
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    reminders: list[bool] = []
    dialogs.then(lambda d: reminders.append(d.outcome_reminder.isVisible()))
    click(qtbot, ws.close_button)
    assert reminders == [False]


def test_a_new_address_is_edited_from_the_overview_with_errors_beside_the_fields(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, dialogs: DialogDriver
) -> None:
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    show_tab(ws, ws.overview_tab)
    seen: dict[str, str] = {}

    def fill(dialog: Any) -> None:
        dialog.address.setPlainText("12 Crawley Green Road, Luton")
        dialog.postcode.setText("LU2 0??")
        click(qtbot, dialog.save_button)
        seen["postcode"] = dialog.errors.message("postcode")
        seen["kept"] = dialog.address.toPlainText()
        dialog.postcode.setText("lu2 0rq")
        dialog.flags["child_in_need"].setChecked(True)
        click(qtbot, dialog.save_button)

    dialogs.then(fill)
    click(qtbot, ws.overview_tab.edit_button)

    assert "postcode" in seen["postcode"].lower()
    assert seen["kept"] == "12 Crawley Green Road, Luton"
    details = as_dariusz.people.get(lukasz_case).details
    assert (details.address, details.postcode, details.child_in_need) == (
        "12 Crawley Green Road, Luton",
        "LU2 0RQ",
        True,
    )
    qtbot.waitUntil(lambda: "LU2 0RQ" in ws.overview_tab.text("address"))
    assert "Child in need" in ws.overview_tab.text("flags")
