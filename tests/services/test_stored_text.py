"""Text typed or pasted into the app is stored faithfully on every engine: control and bidi
characters refused in names (naming the field), removed from free text (issue #13, finding 7).

PostgreSQL refuses a NUL byte outright, so before this a NUL pasted into a note saved on SQLite
and broke ``migrate-to`` later, and on a server failed with an error blaming the database.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from veru_desk.db.engine import Database
from veru_desk.db.models import CaseNote, MentoringSession, Referral
from veru_desk.domain.enums import Attendance, ReferralReason, Role
from veru_desk.domain.errors import ValidationError
from veru_desk.services import Services
from veru_desk.services.mentoring import SessionInput
from veru_desk.services.notes import NoteInput
from veru_desk.services.people import PersonDetails
from veru_desk.services.referrals import ReferralDetails


def zoe(**changes: str) -> PersonDetails:
    values: dict = {
        "first_name": "Zoë",
        "last_name": "Ó Briain",
        "date_of_birth": dt.date.today().replace(year=dt.date.today().year - 15),
    }
    values.update(changes)
    return PersonDetails(**values)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", "Zoë\u202e"),
        ("last_name", "Ó\x00Briain"),
        ("preferred_name", "Zo\nZo"),
        ("nhs_number", "943\x00 476 5919"),
        ("postcode", "LU1\u2067 5AB"),
        ("phone", "07700\x00900123"),
    ],
)
def test_a_control_character_in_a_name_or_identifier_is_refused_naming_the_field(
    as_manager: Services, field: str, value: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        as_manager.people.create(zoe(**{field: value}))
    assert list(raised.value.fields) == [field]
    assert "contains" in raised.value.fields[field]


def test_referral_names_are_refused_and_its_narrative_cleaned(
    as_manager: Services, db: Database
) -> None:
    details = ReferralDetails(
        received_on=dt.date.today() - dt.timedelta(days=3),
        referring_agency="Bedfordshire\x00 Police",
        reasons=frozenset({ReferralReason.KNIFE_CARRYING}),
        narrative="Seen with\x00 older males.\r\nKnife in bag.",
    )
    with pytest.raises(ValidationError) as raised:
        as_manager.referrals.create(details, person=zoe())
    assert list(raised.value.fields) == ["referring_agency"]
    fixed = ReferralDetails(**{**vars(details), "referring_agency": "Bedfordshire Police"})
    as_manager.referrals.create(fixed, person=zoe())
    with db.read() as session:
        assert session.scalar(select(Referral.narrative)) == "Seen with older males.\nKnife in bag."


def test_a_nul_pasted_into_a_note_or_session_is_removed_on_every_engine(
    as_dariusz: Services, allocated_case: int, db: Database
) -> None:
    now = dt.datetime.now().replace(microsecond=0)
    as_dariusz.notes.add(
        allocated_case,
        NoteInput(
            occurred_at=now - dt.timedelta(hours=1),
            subject="Call with\x00 mother",
            body="Mrs Wiśniewska\x00 called.\n\tŁukasz\u202e home late.",
        ),
    )
    as_dariusz.sessions.book(
        allocated_case,
        SessionInput(
            planned_start=now - dt.timedelta(days=1),
            attendance=Attendance.ATTENDED,
            location="Youth\x00 club",
            notes="Talked about\x00 school.",
            topics="school\x07",
        ),
    )
    with db.read() as session:
        note = session.scalars(select(CaseNote)).one()
        booked = session.scalars(select(MentoringSession)).one()
    assert (note.subject, note.body) == (
        "Call with mother",
        "Mrs Wiśniewska called.\n\tŁukasz home late.",
    )
    assert (booked.location, booked.notes, booked.topics) == (
        "Youth club",
        "Talked about school.",
        "school",
    )


def test_a_display_name_with_a_bidi_override_is_refused(db: Database, team: object) -> None:
    admin = Services(db, team.admin)  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as raised:
        admin.users.create(
            "tomasz", "Tomasz\u202e Łukasiewicz", {Role.CASEWORKER}, "a long and unusual phrase"
        )
    assert list(raised.value.fields) == ["display_name"]


def test_a_note_of_nothing_but_invisible_characters_is_refused_as_empty(
    as_dariusz: Services, allocated_case: int
) -> None:
    with pytest.raises(ValidationError) as raised:
        as_dariusz.notes.add(
            allocated_case,
            NoteInput(
                occurred_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=1),
                subject="\x00\u202e",
                body="\x00 \x07",
            ),
        )
    assert set(raised.value.fields) == {"subject", "body"}


def test_organisation_settings_refuse_control_characters_naming_the_field(
    db: Database, team: object
) -> None:
    admin = Services(db, team.admin)  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as raised:
        admin.settings.update(
            name="Luton VERU\u202e", marking="OFFICIAL\x00-SENSITIVE", logo_path="logo\x00.png"
        )
    assert set(raised.value.fields) == {"name", "marking", "logo_path"}
    assert "contains" in raised.value.fields["logo_path"]
