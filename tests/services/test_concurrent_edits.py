"""One session edited by two people through their own services: the second save is refused,
the three-way merge keeps what each changed, and where both changed the notes nothing is saved
until a person chooses the words."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields, replace

import pytest

from tests.dates import today
from veru_desk.domain.enums import Attendance
from veru_desk.domain.errors import ConflictError
from veru_desk.domain.merge import UnresolvedClash, merged_record, three_way_records
from veru_desk.services import Services
from veru_desk.services.mentoring import SessionInput, SessionView

PRIYAS_NOTES = "Priya: his mother rang; Łukasz was home by nine every night this week."
DARIUSZ_NOTES = "Dariusz: he named the older boys who wait for him at the bus station."


def as_input(view: SessionView) -> SessionInput:
    """The form a person opens on a saved session, as the service's input."""
    return SessionInput(**{f.name: getattr(view, f.name) for f in fields(SessionInput)})


def _booked(as_dariusz: Services, person_id: int) -> int:
    start = dt.datetime.combine(today() - dt.timedelta(days=1), dt.time(16, 0))
    return as_dariusz.sessions.book(
        person_id, SessionInput(planned_start=start, location="Marsh Farm youth centre")
    )


def test_my_attendance_and_the_colleagues_notes_are_both_kept(
    as_dariusz: Services, as_manager: Services, allocated_case: int
) -> None:
    session_id = _booked(as_dariusz, allocated_case)
    opened = as_dariusz.sessions.get(session_id)  # Dariusz opens the form
    base = as_input(opened)

    priya = as_manager.sessions.get(session_id)  # Priya, elsewhere, adds the notes first
    as_manager.sessions.update(
        session_id, replace(as_input(priya), notes=PRIYAS_NOTES), priya.version
    )

    mine = replace(base, attendance=Attendance.ATTENDED)
    with pytest.raises(ConflictError) as refused:
        as_dariusz.sessions.update(session_id, mine, opened.version)
    assert refused.value.changed_by == "Priya Raghunathan"

    saved = as_dariusz.sessions.get(session_id)
    merge = three_way_records(base, as_input(saved), mine)
    assert merge.clashes == []
    as_dariusz.sessions.update(session_id, merged_record(merge, mine), saved.version)

    final = as_dariusz.sessions.get(session_id)
    assert final.notes == PRIYAS_NOTES
    assert final.attendance is Attendance.ATTENDED


def test_when_both_change_the_notes_neither_text_is_dropped_without_a_choice(
    as_dariusz: Services, as_manager: Services, allocated_case: int
) -> None:
    session_id = _booked(as_dariusz, allocated_case)
    opened = as_dariusz.sessions.get(session_id)
    base = as_input(opened)
    priya = as_manager.sessions.get(session_id)
    as_manager.sessions.update(
        session_id, replace(as_input(priya), notes=PRIYAS_NOTES), priya.version
    )

    mine = replace(base, notes=DARIUSZ_NOTES, topics="bus station")
    with pytest.raises(ConflictError):
        as_dariusz.sessions.update(session_id, mine, opened.version)
    assert as_dariusz.sessions.get(session_id).notes == PRIYAS_NOTES

    saved = as_dariusz.sessions.get(session_id)
    merge = three_way_records(base, as_input(saved), mine)
    [clash] = merge.clashes
    assert (clash.key, clash.theirs, clash.mine) == ("notes", PRIYAS_NOTES, DARIUSZ_NOTES)
    with pytest.raises(UnresolvedClash):
        merged_record(merge, mine)  # no merged record exists until Dariusz chooses

    confirmed = f"{PRIYAS_NOTES}\n{DARIUSZ_NOTES}"
    as_dariusz.sessions.update(
        session_id, merged_record(merge, mine, {"notes": confirmed}), saved.version
    )
    final = as_dariusz.sessions.get(session_id)
    assert final.notes == confirmed
    assert final.topics == "bus station"
