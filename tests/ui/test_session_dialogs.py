"""The case dialogs driven field by field: what they save, and what they do with mistakes."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from ui_drivers import shown, type_into

from tests.dates import today
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import (
    Attendance,
    GoalDomain,
    ReferralStatus,
    RiskLevel,
    SessionType,
)
from veru_desk.services import Services
from veru_desk.services.mentoring import SessionInput
from veru_desk.ui.dialogs.conflict import ConflictDialog
from veru_desk.ui.dialogs.goal import GoalDialog
from veru_desk.ui.dialogs.mentoring_session import MoveSessionDialog, SessionDialog
from veru_desk.ui.dialogs.note import NoteDialog
from veru_desk.ui.dialogs.risk import RiskDialog
from veru_desk.ui.dialogs.series import SeriesDialog


def next_wednesday() -> dt.date:
    return today() + dt.timedelta(days=(2 - today().weekday()) % 7 + 7)


def choose(combo: object, label: str) -> None:
    index = combo.findText(label)  # type: ignore[attr-defined]
    assert index >= 0, label
    combo.setCurrentIndex(index)  # type: ignore[attr-defined]


def test_first_home_visit_recorded_afterwards_is_saved_attended_and_makes_the_case_active(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    dialog = SessionDialog(as_dariusz, lukasz_case)
    shown(qtbot, dialog)
    yesterday = today() - dt.timedelta(days=1)
    dialog.date_field.setText(format_uk_date(yesterday))
    dialog.time_field.setText("17:00")
    choose(dialog.session_type, "Home visit")
    choose(dialog.attendance, "Attended")
    dialog.location.setText("Home")
    type_into(qtbot, dialog.notes, "Met Łukasz and his mother at home; agreed weekly sessions.")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.result() == SessionDialog.DialogCode.Accepted
    [saved] = as_dariusz.sessions.for_person(lukasz_case)
    assert saved.planned_start == dt.datetime.combine(yesterday, dt.time(17, 0))
    assert saved.duration_minutes == 60
    assert saved.session_type is SessionType.HOME_VISIT
    assert saved.attendance is Attendance.ATTENDED
    assert saved.notes.startswith("Met Łukasz")
    assert as_dariusz.referrals.for_person(lukasz_case)[0].status is ReferralStatus.ACTIVE


def test_an_unreadable_time_is_shown_beside_the_time_field_and_nothing_is_saved(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    dialog = SessionDialog(as_dariusz, lukasz_case)
    shown(qtbot, dialog)
    dialog.time_field.setText("25:70")
    type_into(qtbot, dialog.notes, "Kept after the error")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.result() != SessionDialog.DialogCode.Accepted
    assert "not a real time" in dialog.errors.message("start_time")
    assert dialog.notes.toPlainText() == "Kept after the error"
    assert as_dariusz.sessions.for_person(lukasz_case) == []


def test_attended_for_a_future_session_is_refused_beside_the_attendance_field(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    dialog = SessionDialog(as_dariusz, lukasz_case)
    shown(qtbot, dialog)
    dialog.date_field.setText(format_uk_date(next_wednesday()))
    dialog.time_field.setText("16:00")
    choose(dialog.attendance, "Attended")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert "has not happened yet" in dialog.errors.message("attendance")
    assert as_dariusz.sessions.for_person(lukasz_case) == []


def test_series_preview_lists_the_rule_dates_and_unticking_one_skips_it(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    first = next_wednesday()
    half_term = first + dt.timedelta(weeks=3)
    dialog = SeriesDialog(as_dariusz, lukasz_case)
    shown(qtbot, dialog)
    type_into(qtbot, dialog.first_date, format_uk_date(first))
    type_into(qtbot, dialog.time_field, "16:00")
    dialog.refresh_preview()

    assert dialog.day_boxes[2].isChecked()  # the first date's weekday, Wednesday
    assert dialog.preview.count() == 12
    assert dialog.preview.item(0).text() == f"Wednesday {format_uk_date(first)}"
    dialog.preview.item(3).setCheckState(Qt.CheckState.Unchecked)

    assert dialog.skip_dates.text() == format_uk_date(half_term)
    assert dialog.preview_summary.text().startswith("11 sessions")
    assert "1 skipped" in dialog.preview_summary.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    booked = sorted(s.planned_start for s in as_dariusz.sessions.for_person(lukasz_case))
    assert len(booked) == 11
    assert booked[0] == dt.datetime.combine(first, dt.time(16, 0))
    assert all(start.weekday() == 2 and start.hour == 16 for start in booked)
    assert half_term not in {start.date() for start in booked}


def test_series_ending_on_a_date_before_the_first_session_is_refused_on_the_ends_row(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    first = next_wednesday()
    dialog = SeriesDialog(as_dariusz, lukasz_case)
    shown(qtbot, dialog)
    dialog.first_date.setText(format_uk_date(first))
    dialog.time_field.setText("16:00")
    dialog.by_until.setChecked(True)
    dialog.until.setText(format_uk_date(first - dt.timedelta(days=7)))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert "before the first session" in dialog.errors.message("count")
    assert as_dariusz.sessions.for_person(lukasz_case) == []


def test_moving_a_session_to_thursday_keeps_when_it_was_first_planned(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    wednesday = dt.datetime.combine(next_wednesday(), dt.time(16, 0))
    session_id = as_dariusz.sessions.book(lukasz_case, SessionInput(planned_start=wednesday))
    dialog = MoveSessionDialog(as_dariusz, as_dariusz.sessions.get(session_id))
    shown(qtbot, dialog)
    dialog.date_field.setText(format_uk_date(wednesday.date() + dt.timedelta(days=1)))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    moved = as_dariusz.sessions.get(session_id)
    assert moved.planned_start == wednesday + dt.timedelta(days=1)
    assert moved.moved and moved.original_start == wednesday


def test_risk_dialog_sets_the_next_review_four_weeks_out_for_high_risk(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    dialog = RiskDialog(as_dariusz, lukasz_case)
    shown(qtbot, dialog)
    choose(dialog.level, "High")
    assert dialog.next_review.text() == format_uk_date(today() + dt.timedelta(weeks=4))
    type_into(qtbot, dialog.risk_factors, "Gang association; missing episodes")
    type_into(qtbot, dialog.protective_factors, "Engaged older sister; football")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    [saved] = as_dariusz.risk.history(lukasz_case)
    assert saved.level is RiskLevel.HIGH
    assert saved.next_review_on == today() + dt.timedelta(weeks=4)
    assert saved.protective_factors == "Engaged older sister; football"


def test_risk_dialog_without_a_level_says_so_beside_the_level_and_keeps_the_factors(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    dialog = RiskDialog(as_dariusz, lukasz_case)
    shown(qtbot, dialog)
    type_into(qtbot, dialog.risk_factors, "County lines contact")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert "Choose a risk level" in dialog.errors.message("level")
    assert dialog.risk_factors.toPlainText() == "County lines contact"
    assert as_dariusz.risk.history(lukasz_case) == []


def test_a_stale_session_form_shows_the_conflict_dialog_and_keeps_what_was_typed(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, dialogs: object
) -> None:
    start = dt.datetime.combine(today() - dt.timedelta(days=1), dt.time(16, 0))
    session_id = as_dariusz.sessions.book(lukasz_case, SessionInput(planned_start=start))
    dialog = SessionDialog(as_dariusz, lukasz_case, as_dariusz.sessions.get(session_id))
    shown(qtbot, dialog)
    as_dariusz.sessions.record_attendance(session_id, Attendance.DID_NOT_ATTEND)  # elsewhere
    choose(dialog.attendance, "Attended")
    type_into(qtbot, dialog.notes, "Talked about football trials")
    dialogs.then(lambda conflict: conflict.reject())  # type: ignore[attr-defined]
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.result() != SessionDialog.DialogCode.Accepted
    [conflict] = dialogs.opened  # type: ignore[attr-defined]
    assert isinstance(conflict, ConflictDialog)
    assert conflict.heading.text().startswith("Changed by Dariusz Wójcik at ")
    assert dialog.notes.toPlainText() == "Talked about football trials"
    assert as_dariusz.sessions.get(session_id).attendance is Attendance.DID_NOT_ATTEND


def test_goal_dialog_needs_an_area_and_a_description(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    plan_id = as_dariusz.plans.start_plan(lukasz_case, today())
    dialog = GoalDialog(as_dariusz, lukasz_case, plan_id=plan_id)
    shown(qtbot, dialog)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.errors.message("domain")
    assert dialog.errors.message("description")

    choose(dialog.domain, GoalDomain.SAFETY.label)
    type_into(qtbot, dialog.description, "A safety plan for the walk to school")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    plan = as_dariusz.plans.current(lukasz_case)
    assert plan is not None
    assert [g.description for g in plan.goals] == ["A safety plan for the walk to school"]


def test_note_dialog_saves_a_confidential_note_about_a_call(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    dialog = NoteDialog(as_dariusz, lukasz_case)
    shown(qtbot, dialog)
    dialog.time_field.setText("09:30")
    dialog.date_field.setText(format_uk_date(today() - dt.timedelta(days=1)))
    type_into(qtbot, dialog.subject, "Call with mother")
    type_into(qtbot, dialog.body, "She is worried about older boys waiting outside school.")
    dialog.confidential.setChecked(True)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    [note] = as_dariusz.notes.for_person(lukasz_case)
    assert note.subject == "Call with mother"
    assert note.confidential
    assert note.occurred_at == dt.datetime.combine(today() - dt.timedelta(days=1), dt.time(9, 30))


def test_escape_closes_a_dialog_without_saving(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    dialog = NoteDialog(as_dariusz, lukasz_case)
    shown(qtbot, dialog)
    type_into(qtbot, dialog.subject, "Half-written")
    qtbot.keyClick(dialog.subject, Qt.Key.Key_Escape)
    assert dialog.result() == NoteDialog.DialogCode.Rejected
    assert not dialog.isVisible()
    assert as_dariusz.notes.for_person(lukasz_case) == []


def test_ctrl_s_saves_a_dialog(qtbot: QtBot, as_dariusz: Services, lukasz_case: int) -> None:
    dialog = NoteDialog(as_dariusz, lukasz_case)
    shown(qtbot, dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    type_into(qtbot, dialog.subject, "Text from Łukasz")
    type_into(qtbot, dialog.body, "Says he will come on Thursday.")
    qtbot.keyClick(dialog.body, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == NoteDialog.DialogCode.Accepted
    assert [n.subject for n in as_dariusz.notes.for_person(lukasz_case)] == ["Text from Łukasz"]


def test_every_input_of_the_case_dialogs_has_an_accessible_name(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractSpinBox,
        QComboBox,
        QLineEdit,
        QPlainTextEdit,
    )

    plan_id = as_dariusz.plans.start_plan(lukasz_case, today())
    for dialog in (
        SessionDialog(as_dariusz, lukasz_case),
        SeriesDialog(as_dariusz, lukasz_case),
        RiskDialog(as_dariusz, lukasz_case),
        GoalDialog(as_dariusz, lukasz_case, plan_id=plan_id),
        NoteDialog(as_dariusz, lukasz_case),
    ):
        shown(qtbot, dialog)
        inputs = dialog.findChildren(QLineEdit) + dialog.findChildren(QPlainTextEdit)
        inputs += dialog.findChildren(QComboBox) + dialog.findChildren(QAbstractSpinBox)
        inputs += [b for b in dialog.findChildren(QAbstractButton) if b.isCheckable()]
        unnamed = [
            type(w).__name__
            for w in inputs
            if not (w.accessibleName() or getattr(w, "text", lambda: "")())
            and not isinstance(w.parent(), QAbstractSpinBox | QComboBox)
        ]
        assert unnamed == [], dialog.windowTitle()
