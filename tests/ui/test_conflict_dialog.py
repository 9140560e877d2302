"""Two people editing the same record: the second save is refused naming the first person
and the time, both versions are shown, and the second person's typing is never lost."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from dataclasses import fields, replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from ui_drivers import DialogDriver, shown

from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import Attendance, GoalDomain, OutcomePoint, RiskLevel, SessionType
from veru_desk.domain.errors import ConflictError
from veru_desk.services import Services
from veru_desk.services.mentoring import SessionInput, SessionView
from veru_desk.services.notes import NoteInput
from veru_desk.services.outcomes import OutcomeInput
from veru_desk.services.plans import ActionInput, GoalInput
from veru_desk.services.risk import RiskInput
from veru_desk.ui.dialogs.case_dialog import CaseDialog
from veru_desk.ui.dialogs.conflict import ConflictDialog
from veru_desk.ui.dialogs.goal import ActionDialog, GoalDialog
from veru_desk.ui.dialogs.mentoring_session import MoveSessionDialog, SessionDialog
from veru_desk.ui.dialogs.note import NoteDialog
from veru_desk.ui.dialogs.outcome import OutcomeDialog
from veru_desk.ui.dialogs.person import PersonDialog
from veru_desk.ui.dialogs.risk import RiskDialog

WRITTEN_AT = dt.datetime.now().replace(second=0, microsecond=0) - dt.timedelta(hours=3)
MANAGERS_TEXT = "Mother called: Łukasz was home by nine all week. Priya added the school's view."
DARIUSZ_TEXT = "Met Łukasz after school; he named the older boys who wait at the bus station."


@pytest.fixture
def priya_elsewhere(db_path: Path, team: object) -> Iterator[Services]:
    """Priya in her own app window on another computer: her own connection to the file."""
    other = Database.open(resolve_database(str(db_path)))
    yield Services(other, team.manager)  # type: ignore[attr-defined]
    other.dispose()


def _note(services: Services, person_id: int) -> int:
    return services.notes.add(
        person_id,
        NoteInput(
            occurred_at=WRITTEN_AT,
            subject="After-school meeting",
            body="First draft.",
            confidential=False,
        ),
    )


def _stored(db_path: Path, note_id: int) -> tuple[str, int]:
    with sqlite3.connect(db_path) as connection:
        body, version = connection.execute(
            "SELECT body, version FROM case_note WHERE id = ?", (note_id,)
        ).fetchone()
    return str(body), int(version)


def _priya_rewrites_the_note(priya: Services, note_id: int, body: str) -> None:
    first = priya.notes.get(note_id)
    priya.notes.update(
        note_id,
        NoteInput(first.occurred_at, first.subject, body, first.confidential),
        first.version,
    )


def _session_input(**changes: object) -> SessionInput:
    start = dt.datetime.combine(dt.date.today() - dt.timedelta(days=2), dt.time(16, 0))
    data = SessionInput(
        planned_start=start,
        duration_minutes=60,
        session_type=SessionType.ONE_TO_ONE,
        location="Marsh Farm youth centre",
        mentor_id=None,
        attendance=Attendance.PLANNED,
        notes="",
        topics="",
        confidential=False,
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def _as_input(view: SessionView) -> SessionInput:
    return SessionInput(**{f.name: getattr(view, f.name) for f in fields(SessionInput)})


def test_colleagues_added_notes_and_my_attendance_are_both_saved(
    qtbot: QtBot,
    as_dariusz: Services,
    priya_elsewhere: Services,
    lukasz_case: int,
    dialogs: DialogDriver,
) -> None:
    """Finding 2 as reported: 'Keep editing' overwrote the colleague's added notes."""
    session_id = as_dariusz.sessions.book(lukasz_case, _session_input())
    dialog = shown(
        qtbot, SessionDialog(as_dariusz, lukasz_case, as_dariusz.sessions.get(session_id))
    )
    dialog.attendance.setCurrentIndex(dialog.attendance.findData(Attendance.ATTENDED.value))
    theirs = priya_elsewhere.sessions.get(session_id)
    priya_elsewhere.sessions.update(
        session_id, replace(_as_input(theirs), notes=MANAGERS_TEXT), theirs.version
    )
    seen: dict[str, object] = {}

    def look_then_save(conflict: ConflictDialog) -> None:
        seen["outcomes"] = conflict.outcome_texts()
        seen["clashes"] = list(conflict.clash_boxes)
        qtbot.mouseClick(conflict.save_button, Qt.MouseButton.LeftButton)

    dialogs.then(look_then_save)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    outcomes = seen["outcomes"]
    assert outcomes["Notes"] == "Priya Raghunathan's"  # type: ignore[index]
    assert outcomes["Attendance"] == "Yours"  # type: ignore[index]
    assert outcomes["Location"] == "Unchanged"  # type: ignore[index]
    assert seen["clashes"] == []
    assert dialog.result() == SessionDialog.DialogCode.Accepted
    saved = as_dariusz.sessions.get(session_id)
    assert saved.notes == MANAGERS_TEXT
    assert saved.attendance is Attendance.ATTENDED


def test_both_adding_session_notes_shows_both_and_saves_only_what_i_confirmed(
    qtbot: QtBot,
    as_dariusz: Services,
    priya_elsewhere: Services,
    lukasz_case: int,
    dialogs: DialogDriver,
) -> None:
    session_id = as_dariusz.sessions.book(lukasz_case, _session_input())
    dialog = shown(
        qtbot, SessionDialog(as_dariusz, lukasz_case, as_dariusz.sessions.get(session_id))
    )
    dialog.notes.setPlainText(DARIUSZ_TEXT)
    theirs = priya_elsewhere.sessions.get(session_id)
    priya_elsewhere.sessions.update(
        session_id, replace(_as_input(theirs), notes=MANAGERS_TEXT), theirs.version
    )
    confirmed = f"{MANAGERS_TEXT}\n{DARIUSZ_TEXT} (added by Dariusz)"
    seen: dict[str, object] = {}

    def confirm_my_wording(conflict: ConflictDialog) -> None:
        clash = conflict.text_clash("Notes")
        seen["both"] = (clash.text(), clash.mine_view.toPlainText())
        seen["saved before I chose"] = as_dariusz.sessions.get(session_id).notes
        clash.editor.setPlainText(confirmed)  # type: ignore[union-attr]
        qtbot.mouseClick(conflict.save_button, Qt.MouseButton.LeftButton)

    dialogs.then(confirm_my_wording)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert seen["both"] == (MANAGERS_TEXT, DARIUSZ_TEXT)
    assert seen["saved before I chose"] == MANAGERS_TEXT
    assert as_dariusz.sessions.get(session_id).notes == confirmed


def test_both_changing_the_notes_shows_both_and_saves_what_i_confirmed(
    qtbot: QtBot,
    as_dariusz: Services,
    priya_elsewhere: Services,
    lukasz_case: int,
    db_path: Path,
    dialogs: DialogDriver,
) -> None:
    note_id = _note(as_dariusz, lukasz_case)
    dialog = shown(qtbot, NoteDialog(as_dariusz, lukasz_case, as_dariusz.notes.get(note_id)))
    dialog.body.setPlainText(DARIUSZ_TEXT)
    dialog.confidential.setChecked(True)
    _priya_rewrites_the_note(priya_elsewhere, note_id, MANAGERS_TEXT)
    _body, version_after_priya = _stored(db_path, note_id)
    confirmed = f"{MANAGERS_TEXT}\nDariusz: {DARIUSZ_TEXT}"
    seen: dict[str, object] = {}

    def compare_then_confirm(conflict: ConflictDialog) -> None:
        seen["heading"] = conflict.heading.text()
        seen["rows"] = conflict.row_texts()
        clash = conflict.text_clash("Note")
        seen["editor starts with"] = clash.text()
        seen["mine beside it"] = clash.mine_view.toPlainText()
        seen["saved while deciding"] = _stored(db_path, note_id)
        seen["form_still_has_my_text"] = dialog.body.toPlainText()
        seen["enter saves"] = conflict.save_button.isDefault()
        clash.editor.setPlainText(confirmed)  # type: ignore[union-attr]
        qtbot.mouseClick(conflict.save_button, Qt.MouseButton.LeftButton)

    dialogs.then(compare_then_confirm)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    heading = str(seen["heading"])
    assert heading.startswith("Changed by Priya Raghunathan at ")
    assert format_uk_date(dt.date.today()) in heading
    rows = {label: (mine, saved) for label, mine, saved in seen["rows"]}  # type: ignore[attr-defined]
    assert rows["Note"] == (DARIUSZ_TEXT, MANAGERS_TEXT)
    assert rows["Subject"] == ("After-school meeting", "After-school meeting")
    assert rows["Time"][0] == rows["Time"][1] == WRITTEN_AT.strftime("%H:%M")
    assert seen["editor starts with"] == MANAGERS_TEXT
    assert seen["mine beside it"] == DARIUSZ_TEXT
    assert seen["form_still_has_my_text"] == DARIUSZ_TEXT
    assert seen["saved while deciding"] == (MANAGERS_TEXT, version_after_priya)
    assert seen["enter saves"] is False  # a clash is decided by a click, not by Enter
    assert dialog.result() == NoteDialog.DialogCode.Accepted
    assert _stored(db_path, note_id) == (confirmed, version_after_priya + 1)
    assert as_dariusz.notes.get(note_id).confidential  # my one-sided change kept too


def test_keep_both_puts_the_colleagues_words_then_mine(
    qtbot: QtBot,
    as_dariusz: Services,
    priya_elsewhere: Services,
    lukasz_case: int,
    db_path: Path,
    dialogs: DialogDriver,
) -> None:
    note_id = _note(as_dariusz, lukasz_case)
    dialog = shown(qtbot, NoteDialog(as_dariusz, lukasz_case, as_dariusz.notes.get(note_id)))
    dialog.body.setPlainText(DARIUSZ_TEXT)
    _priya_rewrites_the_note(priya_elsewhere, note_id, MANAGERS_TEXT)

    def keep_both_and_check_in_the_form(conflict: ConflictDialog) -> None:
        qtbot.mouseClick(conflict.text_clash("Note").use_both, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(conflict.edit_button, Qt.MouseButton.LeftButton)

    dialogs.then(keep_both_and_check_in_the_form)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    both = f"{MANAGERS_TEXT}\n\n{DARIUSZ_TEXT}"
    assert dialog.isVisible() and dialog.body.toPlainText() == both
    assert "combined in the form" in dialog.general_error.text()
    assert _stored(db_path, note_id)[0] == MANAGERS_TEXT  # nothing saved until I save
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == NoteDialog.DialogCode.Accepted
    assert _stored(db_path, note_id)[0] == both


def test_discarding_my_changes_closes_the_form_and_keeps_the_other_persons_version(
    qtbot: QtBot,
    as_dariusz: Services,
    priya_elsewhere: Services,
    lukasz_case: int,
    db_path: Path,
    dialogs: DialogDriver,
) -> None:
    note_id = _note(as_dariusz, lukasz_case)
    dialog = shown(qtbot, NoteDialog(as_dariusz, lukasz_case, as_dariusz.notes.get(note_id)))
    dialog.body.setPlainText(DARIUSZ_TEXT)
    _priya_rewrites_the_note(priya_elsewhere, note_id, MANAGERS_TEXT)
    dialogs.then(lambda c: qtbot.mouseClick(c.discard_button, Qt.MouseButton.LeftButton))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.result() == NoteDialog.DialogCode.Rejected
    assert _stored(db_path, note_id)[0] == MANAGERS_TEXT


def test_closing_the_conflict_dialog_without_choosing_keeps_refusing_rather_than_overwriting(
    qtbot: QtBot,
    as_dariusz: Services,
    priya_elsewhere: Services,
    lukasz_case: int,
    db_path: Path,
    dialogs: DialogDriver,
) -> None:
    note_id = _note(as_dariusz, lukasz_case)
    dialog = shown(qtbot, NoteDialog(as_dariusz, lukasz_case, as_dariusz.notes.get(note_id)))
    dialog.body.setPlainText(DARIUSZ_TEXT)
    _priya_rewrites_the_note(priya_elsewhere, note_id, MANAGERS_TEXT)
    dialogs.then(lambda conflict: conflict.reject()).then(lambda conflict: conflict.reject())
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert [type(d) for d in dialogs.opened] == [ConflictDialog, ConflictDialog]
    assert dialog.isVisible() and dialog.body.toPlainText() == DARIUSZ_TEXT
    assert _stored(db_path, note_id)[0] == MANAGERS_TEXT


def test_both_changing_attendance_offers_both_and_my_choice_is_saved_with_their_duration(
    qtbot: QtBot,
    as_dariusz: Services,
    priya_elsewhere: Services,
    lukasz_case: int,
    dialogs: DialogDriver,
) -> None:
    session_id = as_dariusz.sessions.book(lukasz_case, _session_input())
    dialog = shown(
        qtbot, SessionDialog(as_dariusz, lukasz_case, as_dariusz.sessions.get(session_id))
    )
    dialog.attendance.setCurrentIndex(dialog.attendance.findData(Attendance.ATTENDED.value))
    theirs = priya_elsewhere.sessions.get(session_id)
    priya_elsewhere.sessions.update(
        session_id,
        replace(_as_input(theirs), attendance=Attendance.DID_NOT_ATTEND, duration_minutes=90),
        theirs.version,
    )
    seen: list[list[tuple[str, str, str]]] = []

    def choose_mine(conflict: ConflictDialog) -> None:
        seen.append(conflict.row_texts())
        clash = conflict.choice_clash("Attendance")
        assert clash.keep_theirs.isChecked()  # the colleague's saved value unless I say
        clash.use_mine.setChecked(True)
        qtbot.mouseClick(conflict.save_button, Qt.MouseButton.LeftButton)

    dialogs.then(choose_mine)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    rows = {label: (mine, saved) for label, mine, saved in seen[0]}
    assert rows["Attendance"] == (Attendance.ATTENDED.label, Attendance.DID_NOT_ATTEND.label)
    assert rows["Duration"] == ("60 min", "90 min")
    assert rows["Time"] == ("16:00", "16:00")
    saved = as_dariusz.sessions.get(session_id)
    assert saved.attendance is Attendance.ATTENDED
    assert saved.duration_minutes == 90


def test_a_flag_the_colleague_ticked_survives_my_new_address(
    qtbot: QtBot,
    as_dariusz: Services,
    priya_elsewhere: Services,
    lukasz_case: int,
    dialogs: DialogDriver,
) -> None:
    """The safeguarding flags were left out of the comparison: re-applying unticked them."""
    dialog = shown(qtbot, PersonDialog(as_dariusz, as_dariusz.people.get(lukasz_case)))
    dialog.address.setPlainText("Flat 3, 12 Hitchin Road, Luton")
    dialog.postcode.setText("LU2 0ER")
    dialog.flags["send"].setChecked(True)
    theirs = priya_elsewhere.people.get(lukasz_case)
    priya_elsewhere.people.update(
        lukasz_case, replace(theirs.details, child_protection_plan=True), theirs.version
    )
    dialogs.then(lambda c: qtbot.mouseClick(c.save_button, Qt.MouseButton.LeftButton))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    details = as_dariusz.people.get(lukasz_case).details
    assert details.child_protection_plan and details.send
    assert details.address == "Flat 3, 12 Hitchin Road, Luton"


def test_a_risk_assessment_corrected_by_two_people_keeps_both_corrections(
    qtbot: QtBot,
    as_dariusz: Services,
    priya_elsewhere: Services,
    lukasz_case: int,
    dialogs: DialogDriver,
) -> None:
    """The risk, outcome, goal, action and move forms had no merge at all: a stale save could
    only be refused, again and again, until the person gave up their typing."""
    as_dariusz.risk.record(
        lukasz_case, RiskInput(dt.date.today(), RiskLevel.HIGH, risk_factors="Gang association")
    )
    [opened] = as_dariusz.risk.history(lukasz_case)
    dialog = shown(qtbot, RiskDialog(as_dariusz, lukasz_case, opened))
    dialog.protective_factors.setPlainText("Older sister Zoë; boxing club on Tuesdays")
    priya_elsewhere.risk.update(
        opened.id,
        RiskInput(
            opened.assessed_on,
            opened.level,
            risk_factors=opened.risk_factors,
            notes="Discussed at the panel: keep high until the trial.",
            next_review_on=opened.next_review_on,
        ),
        opened.version,
    )
    dialogs.then(lambda c: qtbot.mouseClick(c.save_button, Qt.MouseButton.LeftButton))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    [saved] = as_dariusz.risk.history(lukasz_case)
    assert saved.protective_factors == "Older sister Zoë; boxing club on Tuesdays"
    assert saved.notes == "Discussed at the panel: keep high until the trial."


def test_every_form_that_edits_a_saved_record_keeps_what_it_was_loaded_with(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    """The class fix: a form can only merge if it remembers its base and can re-read."""
    note_id = _note(as_dariusz, lukasz_case)
    session_id = as_dariusz.sessions.book(lukasz_case, _session_input())
    as_dariusz.risk.record(lukasz_case, RiskInput(dt.date.today(), RiskLevel.MEDIUM))
    as_dariusz.outcomes.record(
        lukasz_case, OutcomeInput(dt.date.today(), OutcomePoint.START, wellbeing=4)
    )
    plan_id = as_dariusz.plans.start_plan(lukasz_case, dt.date.today())
    goal_id = as_dariusz.plans.add_goal(
        plan_id, GoalInput(GoalDomain.SAFETY, "A safe route to school")
    )
    as_dariusz.plans.add_action(goal_id, ActionInput("Walk the route with Łukasz"))
    plan = as_dariusz.plans.current(lukasz_case)
    assert plan is not None
    [goal] = plan.goals
    [action] = goal.actions
    session = as_dariusz.sessions.get(session_id)
    forms: list[CaseDialog] = [
        NoteDialog(as_dariusz, lukasz_case, as_dariusz.notes.get(note_id)),
        SessionDialog(as_dariusz, lukasz_case, session),
        MoveSessionDialog(as_dariusz, session),
        PersonDialog(as_dariusz, as_dariusz.people.get(lukasz_case)),
        RiskDialog(as_dariusz, lukasz_case, as_dariusz.risk.history(lukasz_case)[0]),
        OutcomeDialog(as_dariusz, lukasz_case, as_dariusz.outcomes.for_person(lukasz_case)[0]),
        GoalDialog(as_dariusz, lukasz_case, goal=goal),
        ActionDialog(as_dariusz, lukasz_case, action=action),
    ]
    for form in forms:
        shown(qtbot, form)
        assert form._base == form.form_state(), type(form).__name__
        saved = form.reread()
        assert saved is not None, type(form).__name__
        form.fill(saved)  # unchanged record: filling again changes nothing
        assert form.form_state() == form._base, type(form).__name__


def test_a_clash_without_a_named_person_keeps_the_standard_message(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, dialogs: DialogDriver
) -> None:
    dialog = shown(qtbot, NoteDialog(as_dariusz, lukasz_case))
    dialog._failed(ConflictError("The change clashes with a record already saved."))
    assert dialogs.messages == ["The change clashes with a record already saved."]
    assert dialog.isVisible()


def test_a_time_both_people_changed_is_a_choice_between_the_two_times(
    qtbot: QtBot,
    as_dariusz: Services,
    priya_elsewhere: Services,
    lukasz_case: int,
    dialogs: DialogDriver,
) -> None:
    note_id = _note(as_dariusz, lukasz_case)
    dialog = shown(qtbot, NoteDialog(as_dariusz, lukasz_case, as_dariusz.notes.get(note_id)))
    mine = (WRITTEN_AT - dt.timedelta(minutes=30)).strftime("%H:%M")
    dialog.time_field.setText(mine)
    first = priya_elsewhere.notes.get(note_id)
    theirs = first.occurred_at - dt.timedelta(minutes=15)
    priya_elsewhere.notes.update(
        note_id, replace(NoteInput(first.occurred_at, first.subject, first.body, False),
                         occurred_at=theirs), first.version,
    )  # fmt: skip

    def keep_theirs(conflict: ConflictDialog) -> None:
        clash = conflict.choice_clash("Time")
        assert clash.use_mine.text() == f"Use yours: {mine}"
        qtbot.mouseClick(conflict.save_button, Qt.MouseButton.LeftButton)

    dialogs.then(keep_theirs)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert as_dariusz.notes.get(note_id).occurred_at == theirs
