"""Case notes: what happened, written by hand, for the chronology and the case file.

Times come in and go out as the user's local wall-clock time (what they typed, what they
read); they are stored as UTC like every other ``*_at`` column. A note stays its author's: a
colleague adds their own note rather than rewriting someone else's account, and only a
manager may correct another worker's note (audited with what changed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from veru_desk.db.models import CaseNote, User
from veru_desk.domain.dates import format_uk_datetime
from veru_desk.domain.errors import PermissionDenied
from veru_desk.domain.text import clean_free_text, stored_text
from veru_desk.services.access import require_case_access
from veru_desk.services.base import Service, get_or_404, refuse_problems, user_name, utc_to_local

MAX_SUBJECT_CHARS = 200
# Clocks on laptops drift and people save a note the minute a call ends: a few minutes ahead
# is not a typing slip, a day ahead is.
FUTURE_TOLERANCE = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class NoteInput:
    occurred_at: dt.datetime  # local wall-clock time, as typed
    subject: str
    body: str
    confidential: bool = False

    def problems(self, date_of_birth: dt.date, now_local: dt.datetime) -> dict[str, str]:
        errors: dict[str, str] = {}
        if self.occurred_at is None:
            errors["occurred_at"] = "Enter when this happened (dd/mm/yyyy and a time)."
        else:
            when = _as_local(self.occurred_at)
            if when > now_local + FUTURE_TOLERANCE:
                errors["occurred_at"] = (
                    "This is in the future: a case note records something that has happened."
                )
            elif when.date() < date_of_birth:
                errors["occurred_at"] = "This is before the date of birth: check the date."
        subject = stored_text(self.subject) or ""
        if not subject:
            errors["subject"] = "Give the note a short subject, e.g. Call with mother."
        elif len(subject) > MAX_SUBJECT_CHARS:
            errors["subject"] = (
                f"Shorten the subject to {MAX_SUBJECT_CHARS} characters or fewer; "
                "put the rest in the note."
            )
        if not stored_text(self.body):
            errors["body"] = "Write the note: what happened, and what happens next."
        return errors


@dataclass(frozen=True)
class NoteView:
    id: int
    version: int
    occurred_at: dt.datetime  # local wall-clock time
    subject: str
    body: str
    confidential: bool
    author: str | None
    author_id: int | None


def _as_local(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone().replace(tzinfo=None)


def _to_utc(value: dt.datetime) -> dt.datetime:
    """A naive value is the machine's local time; an aware one says its own zone."""
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def _now_local() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _values(data: NoteInput) -> dict[str, object]:
    return {
        "occurred_at": _to_utc(data.occurred_at),
        "subject": " ".join((clean_free_text(data.subject) or "").split()),
        "body": (clean_free_text(data.body) or "").strip(),
        "confidential": bool(data.confidential),
    }


class NoteService(Service):
    def add(self, person_id: int, data: NoteInput) -> int:
        with self._write() as session:
            person = self._case_person(session, person_id, doing="add a case note")
            refuse_problems(data.problems(person.date_of_birth, _now_local()))
            note = CaseNote(
                young_person_id=person_id,
                referral_id=person.current_referral_id,
                author_id=self.actor.user_id,
                **_values(data),
            )
            confidential = " (confidential)" if note.confidential else ""
            self._create(
                session,
                note,
                person_id=person_id,
                summary=f"Case note added: {note.subject}{confidential}",
            )
            return note.id

    def update(self, note_id: int, data: NoteInput, expected_version: int) -> None:
        with self._write() as session:
            note, person = self._case_record(
                session, CaseNote, note_id, "case note", "edit a case note", expected_version
            )
            if not self.actor.is_manager and note.author_id != self.actor.user_id:
                raise PermissionDenied(
                    "Only the note's author or a manager can change it: add a new note instead.",
                    attempted="edit another worker's case note",
                    person_id=person.id,
                )
            refuse_problems(data.problems(person.date_of_birth, _now_local()))
            self._updated(
                session,
                note,
                _values(data),
                person_id=person.id,
                summary=lambda: (
                    f"Case note of {format_uk_datetime(utc_to_local(note.occurred_at))} "
                    f"changed: {note.subject}"
                ),
            )

    def get(self, note_id: int) -> NoteView:
        with self._read() as session:
            note = get_or_404(session, CaseNote, note_id, "case note")
            require_case_access(session, self.actor, note.young_person_id, doing="read a case note")
            return _view(note, user_name(session, note.author_id))

    def for_person(self, person_id: int) -> list[NoteView]:
        """Every note on the case, newest first."""
        with self._read() as session:
            require_case_access(session, self.actor, person_id, doing="read case notes")
            rows = session.execute(
                select(CaseNote, User.display_name)
                .outerjoin(User, User.id == CaseNote.author_id)
                .where(CaseNote.young_person_id == person_id)
                .order_by(CaseNote.occurred_at.desc(), CaseNote.id.desc())
            ).all()
            return [_view(note, author) for note, author in rows]


def _view(note: CaseNote, author: str | None) -> NoteView:
    return NoteView(
        id=note.id,
        version=note.version,
        occurred_at=utc_to_local(note.occurred_at),
        subject=note.subject,
        body=note.body,
        confidential=note.confidential,
        author=author,
        author_id=note.author_id,
    )
