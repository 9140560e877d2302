"""Two people editing the same record: the second save is refused naming the first person
and the time, both versions are shown, and the second person's typing is never lost."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from ui_drivers import DialogDriver, shown

from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import Attendance, SessionType
from veru_desk.domain.errors import ConflictError
from veru_desk.services import Services
from veru_desk.services.notes import NoteInput
from veru_desk.services.sessions import SessionInput
from veru_desk.ui.conflict_dialog import ConflictDialog, side_by_side
from veru_desk.ui.note_dialog import NoteDialog
from veru_desk.ui.session_dialog import SessionDialog

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


def test_the_second_save_is_refused_naming_who_and_when_and_re_applying_saves_my_text(
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

    # Meanwhile Priya changes the same note in her window and saves first.
    first = priya_elsewhere.notes.get(note_id)
    priya_elsewhere.notes.update(
        note_id,
        NoteInput(first.occurred_at, first.subject, MANAGERS_TEXT, first.confidential),
        first.version,
    )
    _body, version_after_priya = _stored(db_path, note_id)

    seen: dict[str, object] = {}

    def compare_then_reapply(conflict: ConflictDialog) -> None:
        seen["heading"] = conflict.heading.text()
        seen["rows"] = conflict.row_texts()
        seen["form_still_has_my_text"] = dialog.body.toPlainText()
        qtbot.mouseClick(conflict.reapply_button, Qt.MouseButton.LeftButton)

    dialogs.then(compare_then_reapply)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    heading = str(seen["heading"])
    assert heading.startswith("Changed by Priya Raghunathan at ")
    assert format_uk_date(dt.date.today()) in heading
    rows = {label: (mine, saved) for label, mine, saved in seen["rows"]}  # type: ignore[attr-defined]
    assert rows["Note"] == (DARIUSZ_TEXT, MANAGERS_TEXT)
    assert rows["Subject"] == ("After-school meeting", "After-school meeting")
    assert rows["Time"][0] == rows["Time"][1] == WRITTEN_AT.strftime("%H:%M")
    assert seen["form_still_has_my_text"] == DARIUSZ_TEXT
    # Refused, not overwritten: Priya's text is what the database holds until Dariusz chooses.
    assert dialog.isVisible()
    assert dialog.body.toPlainText() == DARIUSZ_TEXT
    assert "Priya Raghunathan's version" in dialog.general_error.text()
    assert _stored(db_path, note_id) == (MANAGERS_TEXT, version_after_priya)

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.result() == NoteDialog.DialogCode.Accepted
    assert _stored(db_path, note_id) == (DARIUSZ_TEXT, version_after_priya + 1)


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
    first = priya_elsewhere.notes.get(note_id)
    priya_elsewhere.notes.update(
        note_id,
        NoteInput(first.occurred_at, first.subject, MANAGERS_TEXT, first.confidential),
        first.version,
    )
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
    first = priya_elsewhere.notes.get(note_id)
    priya_elsewhere.notes.update(
        note_id,
        NoteInput(first.occurred_at, first.subject, MANAGERS_TEXT, first.confidential),
        first.version,
    )
    dialogs.then(lambda conflict: conflict.reject()).then(lambda conflict: conflict.reject())
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert [type(d) for d in dialogs.opened] == [ConflictDialog, ConflictDialog]
    assert dialog.isVisible() and dialog.body.toPlainText() == DARIUSZ_TEXT
    assert _stored(db_path, note_id)[0] == MANAGERS_TEXT


def test_a_session_edited_by_two_people_shows_both_attendances_and_durations(
    qtbot: QtBot,
    as_dariusz: Services,
    priya_elsewhere: Services,
    lukasz_case: int,
    dialogs: DialogDriver,
) -> None:
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
    session_id = as_dariusz.sessions.book(lukasz_case, data)
    dialog = shown(
        qtbot, SessionDialog(as_dariusz, lukasz_case, as_dariusz.sessions.get(session_id))
    )
    dialog.attendance.setCurrentIndex(dialog.attendance.findData(Attendance.ATTENDED.value))
    dialog.duration.setValue(90)
    theirs = priya_elsewhere.sessions.get(session_id)
    priya_elsewhere.sessions.update(
        session_id,
        SessionInput(**{**data.__dict__, "attendance": Attendance.DID_NOT_ATTEND}),
        theirs.version,
    )
    seen: list[list[tuple[str, str, str]]] = []
    dialogs.then(
        lambda c: (
            seen.append(c.row_texts()),
            qtbot.mouseClick(c.reapply_button, Qt.MouseButton.LeftButton),
        )
    )
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    rows = {label: (mine, saved) for label, mine, saved in seen[0]}
    assert rows["Attendance"] == (Attendance.ATTENDED.label, Attendance.DID_NOT_ATTEND.label)
    assert rows["Duration"] == ("90 min", "60 min")
    assert rows["Time"] == ("16:00", "16:00")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert as_dariusz.sessions.get(session_id).attendance is Attendance.ATTENDED


def test_rows_only_one_side_has_are_still_shown() -> None:
    assert side_by_side([("Note", "mine")], [("Note", "theirs"), ("Mentor", "Aisha")]) == [
        ("Note", "mine", "theirs"),
        ("Mentor", "", "Aisha"),
    ]


def test_a_clash_without_a_named_person_keeps_the_standard_message(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, dialogs: DialogDriver
) -> None:
    dialog = shown(qtbot, NoteDialog(as_dariusz, lukasz_case))
    dialog._failed(ConflictError("The change clashes with a record already saved."))
    assert dialogs.messages == ["The change clashes with a record already saved."]
    assert dialog.isVisible()
