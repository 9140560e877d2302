"""Two people, two processes, one database file: writes to different records both land
(the busy timeout queues them), and two saves of the same record never silently overwrite:
the second is refused naming who changed it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.db.child_processes import allocated_case, finished_lines, go, start_child
from veru_desk.db.engine import Database
from veru_desk.db.models import CaseNote, MentoringSession
from veru_desk.services import Services
from veru_desk.services.notes import NoteInput


def _two_writers(db: Database, as_manager: Services, team: object, saves: int) -> None:
    dariusz, aisha = team.dariusz, team.aisha  # type: ignore[attr-defined]
    mine = allocated_case(as_manager, dariusz.user_id, "Ştefan", "Popescu")
    theirs = allocated_case(as_manager, aisha.user_id, "Ayşe", "Yılmaz")
    path = db.location.path
    children = [
        start_child(path, "dariusz", "count", mine, saves),
        start_child(path, "aisha", "count", theirs, saves),
    ]
    for child in children:
        go(child)
    outputs = [child.communicate(timeout=120) for child in children]
    for child, (_out, errors) in zip(children, outputs, strict=True):
        assert child.returncode == 0, errors
    for person_id, (output, _errors) in zip((mine, theirs), outputs, strict=True):
        lines = finished_lines(output)
        assert len(lines) == saves
        notes = {int(x.split(":")[1]) for x in lines if x.startswith("note:")}
        sessions = {int(x.split(":")[1]) for x in lines if x.startswith("session:")}
        with db.read() as session:
            assert (
                set(
                    session.scalars(
                        select(CaseNote.id).where(CaseNote.young_person_id == person_id)
                    )
                )
                == notes
            )
            assert session.scalar(
                select(func.count())
                .select_from(MentoringSession)
                .where(MentoringSession.id.in_(sessions))
            ) == len(sessions)


def test_two_processes_writing_different_records_both_succeed(
    db: Database, as_manager: Services, team: object
) -> None:
    _two_writers(db, as_manager, team, saves=30)


@pytest.mark.slow
def test_two_processes_keep_writing_for_hundreds_of_saves_without_a_lost_one(
    db: Database, as_manager: Services, team: object
) -> None:
    _two_writers(db, as_manager, team, saves=300)


def test_two_processes_saving_the_same_note_one_is_refused_naming_the_other(
    db: Database, as_manager: Services, as_dariusz: Services, team: object
) -> None:
    dariusz = team.dariusz  # type: ignore[attr-defined]
    person_id = allocated_case(as_manager, dariusz.user_id, "Siobhán", "Nic Giolla Phádraig")
    note_id = as_dariusz.notes.add(
        person_id,
        NoteInput(
            occurred_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=1),
            subject="Call with school",
            body="Attendance up this week.",
        ),
    )
    version = as_dariusz.notes.get(note_id).version
    path = db.location.path
    names = {"dariusz": "Dariusz Wójcik", "priya": "Priya Raghunathan"}
    # The author and the manager opened the note at the same version and both press Save.
    children = {user: start_child(path, user, "edit", note_id, version) for user in names}
    for child in children.values():
        go(child)
    results = {
        user: finished_lines(child.communicate(timeout=60)[0])[0]
        for user, child in children.items()
    }
    [winner] = [user for user, line in results.items() if line == "saved"]
    [loser] = [user for user in names if user != winner]
    _conflict, changed_by, message = results[loser].split("|", 2)
    assert changed_by == names[winner]
    assert f"changed by {names[winner]}" in message
    assert "Your changes have been kept" in message
    note = as_manager.notes.get(note_id)
    assert note.version == version + 1 and note.body == f"Edited by {winner}"
