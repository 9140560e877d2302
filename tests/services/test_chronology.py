from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from tests.dates import today
from tests.statements import statements
from veru_desk.db.models import CaseNote, DocumentExport, MentoringSession
from veru_desk.domain.enums import (
    Attendance,
    ChronologyKind,
    ClosureReason,
    OutcomePoint,
    RiskLevel,
    SessionType,
)
from veru_desk.domain.errors import NotFound, PermissionDenied
from veru_desk.services import Services
from veru_desk.services.chronology import ChronologyEntry
from veru_desk.services.notes import NoteInput
from veru_desk.services.outcomes import OutcomeInput
from veru_desk.services.risk import RiskInput

NOW = dt.datetime.now().replace(microsecond=0)
K = ChronologyKind


def at_four(days_ago: int) -> dt.datetime:
    return dt.datetime.combine(today() - dt.timedelta(days=days_ago), dt.time(16, 0))


def add_session(
    services: Services,
    person_id: int,
    start: dt.datetime,
    attendance: Attendance,
    session_type: SessionType = SessionType.ONE_TO_ONE,
    minutes: int = 60,
    **extra: object,
) -> int:
    """Sessions belong to another service; the chronology only reads the table."""
    with services.db.write() as session:
        row = MentoringSession(
            young_person_id=person_id,
            planned_start=start,
            duration_minutes=minutes,
            session_type=session_type,
            attendance=attendance,
            mentor_id=services.actor.user_id,
            **extra,
        )
        session.add(row)
        session.flush()
        return row.id


def titles(entries: list[ChronologyEntry]) -> list[str]:
    return [e.title for e in entries]


@pytest.fixture
def busy_case(as_dariusz: Services, allocated_case: int) -> int:
    """A fortnight of work on Łukasz's case after the referral a week ago."""
    add_session(
        as_dariusz,
        allocated_case,
        at_four(3),
        Attendance.ATTENDED,
        SessionType.HOME_VISIT,
        location="Family home",
        notes="Met Łukasz and his sister.",
    )
    add_session(as_dariusz, allocated_case, at_four(2), Attendance.DID_NOT_ATTEND)
    add_session(as_dariusz, allocated_case, at_four(1), Attendance.PLANNED)
    add_session(as_dariusz, allocated_case, at_four(-2), Attendance.PLANNED)
    as_dariusz.notes.add(
        allocated_case,
        NoteInput(
            at_four(1) + dt.timedelta(hours=2),
            "Disclosure",
            "Łukasz said older boys asked him to carry a package.",
            confidential=True,
        ),
    )
    as_dariusz.risk.record(
        allocated_case,
        RiskInput(
            today(), RiskLevel.HIGH, risk_factors="Gang association", protective_factors="Football"
        ),
    )
    as_dariusz.plans.start_plan(allocated_case, today(), summary="Three goals agreed")
    as_dariusz.outcomes.record(
        allocated_case, OutcomeInput(today(), OutcomePoint.START, wellbeing=4)
    )
    with as_dariusz.db.write() as session:
        session.add(
            DocumentExport(
                young_person_id=allocated_case,
                by_user_id=as_dariusz.actor.user_id,
                kind="case_summary",
                profile="multi_agency",
                prepared_for="Luton complex-case panel, 12 March",
                pages=7,
            )
        )
    return allocated_case


def test_chronology_tells_the_case_newest_first(as_dariusz: Services, busy_case: int) -> None:
    entries = as_dariusz.chronology.for_person(busy_case)
    assert titles(entries) == [
        "Case summary exported",
        "Outcome recorded (start)",
        "Plan version 1 started",
        "Risk assessed: high",
        "Allocated to Dariusz Wójcik",
        "Accepted: Knife found near park",
        "Disclosure",
        "Session not yet recorded (one-to-one, 60 min)",
        "Session not attended (one-to-one, 60 min)",
        "Session attended (home visit, 60 min)",
        "Referral received from Bedfordshire Police",
    ]
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)


def test_day_only_records_keep_their_day(as_dariusz: Services, busy_case: int) -> None:
    entries = as_dariusz.chronology.for_person(busy_case)
    received = entries[-1]
    assert received.kind is K.REFERRAL
    assert received.date_only is True
    assert received.at == dt.datetime.combine(today() - dt.timedelta(days=7), dt.time.min)
    assert "Reasons: Knife / weapon carrying, Gang association" in received.detail
    assert "Referrer: PC Joanna Kowalska" in received.detail
    risk = next(e for e in entries if e.kind is K.ASSESSMENT)
    assert risk.date_only is False and risk.at.date() == today()


def test_backdated_assessment_sits_at_the_start_of_its_day(
    as_dariusz: Services, allocated_case: int
) -> None:
    as_dariusz.risk.record(allocated_case, RiskInput(today() - dt.timedelta(days=2), RiskLevel.LOW))
    [risk] = as_dariusz.chronology.for_person(allocated_case, kinds=frozenset({K.ASSESSMENT}))
    assert risk.title == "Risk assessed: low"
    assert (risk.at, risk.date_only) == (
        dt.datetime.combine(today() - dt.timedelta(days=2), dt.time.min),
        True,
    )


def test_every_source_appears_once_with_its_title_and_author(
    as_dariusz: Services, busy_case: int
) -> None:
    entries = as_dariusz.chronology.for_person(busy_case)
    by_title = {e.title: e for e in entries}
    assert len(by_title) == len(entries)
    expected = {
        "Referral received from Bedfordshire Police": (K.REFERRAL, "Priya Raghunathan"),
        "Accepted: Knife found near park": (K.DECISION, "Priya Raghunathan"),
        "Allocated to Dariusz Wójcik": (K.DECISION, "Priya Raghunathan"),
        "Risk assessed: high": (K.ASSESSMENT, "Dariusz Wójcik"),
        "Plan version 1 started": (K.PLAN, "Dariusz Wójcik"),
        "Session attended (home visit, 60 min)": (K.SESSION, "Dariusz Wójcik"),
        "Session not attended (one-to-one, 60 min)": (K.SESSION, "Dariusz Wójcik"),
        "Session not yet recorded (one-to-one, 60 min)": (K.SESSION, "Dariusz Wójcik"),
        "Disclosure": (K.NOTE, "Dariusz Wójcik"),
        "Outcome recorded (start)": (K.OUTCOME, "Dariusz Wójcik"),
        "Case summary exported": (K.EXPORT, "Dariusz Wójcik"),
    }
    assert {t: (e.kind, e.by) for t, e in by_title.items()} == expected
    assert by_title["Disclosure"].confidential is True
    assert [e.title for e in entries if e.confidential] == ["Disclosure"]
    assert "Risk factors: Gang association" in by_title["Risk assessed: high"].detail
    assert "Location: Family home" in by_title["Session attended (home visit, 60 min)"].detail
    assert "Wellbeing: 4/10" in by_title["Outcome recorded (start)"].detail
    assert "Luton complex-case panel" in by_title["Case summary exported"].detail


def test_sessions_booked_for_the_future_are_not_history(
    as_dariusz: Services, busy_case: int
) -> None:
    sessions = as_dariusz.chronology.for_person(busy_case, kinds=frozenset({K.SESSION}))
    assert [e.at for e in sessions] == [at_four(1), at_four(2), at_four(3)]


def test_timeline_order_interleaves_sources(as_dariusz: Services, busy_case: int) -> None:
    entries = as_dariusz.chronology.for_person(
        busy_case, kinds=frozenset({K.SESSION, K.NOTE, K.REFERRAL})
    )
    assert titles(entries) == [
        "Disclosure",
        "Session not yet recorded (one-to-one, 60 min)",
        "Session not attended (one-to-one, 60 min)",
        "Session attended (home visit, 60 min)",
        "Referral received from Bedfordshire Police",
    ]


def test_kinds_filter_and_limit(as_dariusz: Services, busy_case: int) -> None:
    decisions = as_dariusz.chronology.for_person(busy_case, kinds=frozenset({K.DECISION}))
    assert titles(decisions) == ["Allocated to Dariusz Wójcik", "Accepted: Knife found near park"]
    everything = as_dariusz.chronology.for_person(busy_case)
    assert as_dariusz.chronology.for_person(busy_case, limit=4) == everything[:4]
    assert as_dariusz.chronology.for_person(busy_case, kinds=frozenset()) == []


def test_limit_keeps_the_newest_across_sources(as_dariusz: Services, allocated_case: int) -> None:
    for days_ago in range(10, 0, -1):
        add_session(as_dariusz, allocated_case, at_four(days_ago), Attendance.ATTENDED)
        as_dariusz.notes.add(
            allocated_case,
            NoteInput(at_four(days_ago) + dt.timedelta(hours=1), f"Note {days_ago}", "Follow-up"),
        )
    latest = as_dariusz.chronology.for_person(
        allocated_case, kinds=frozenset({K.SESSION, K.NOTE}), limit=3
    )
    assert [e.at for e in latest] == [
        at_four(1) + dt.timedelta(hours=1),
        at_four(1),
        at_four(2) + dt.timedelta(hours=1),
    ]


def test_closing_and_reopening_appear_with_reasons(
    as_dariusz: Services, as_manager: Services, allocated_case: int
) -> None:
    [referral] = as_manager.referrals.for_person(allocated_case)
    as_dariusz.referrals.close(referral.id, ClosureReason.GOALS_ACHIEVED, "Back in school.")
    as_manager.referrals.reopen(referral.id, "New concerns from school")
    entries = as_dariusz.chronology.for_person(
        allocated_case, kinds=frozenset({K.CLOSURE, K.DECISION})
    )
    assert titles(entries)[:2] == ["Reopened: New concerns from school", "Closed: Goals achieved"]
    closed = entries[1]
    assert (closed.kind, closed.detail, closed.by) == (
        K.CLOSURE,
        "Back in school.",
        "Dariusz Wójcik",
    )


def test_unallocated_caseworker_cannot_read_the_chronology(
    as_aisha: Services, allocated_case: int
) -> None:
    with pytest.raises(PermissionDenied):
        as_aisha.chronology.for_person(allocated_case)


def test_unknown_person_is_not_found(as_manager: Services) -> None:
    with pytest.raises(NotFound):
        as_manager.chronology.for_person(4242)


def test_a_long_case_comes_back_in_a_handful_of_reads(
    as_dariusz: Services, allocated_case: int
) -> None:
    start = dt.datetime.combine(today() - dt.timedelta(days=1500), dt.time(16, 0))
    with as_dariusz.db.write() as session:
        session.execute(
            insert(MentoringSession),
            [
                {
                    "young_person_id": allocated_case,
                    "planned_start": start + dt.timedelta(days=3 * i),
                    "duration_minutes": 60,
                    "session_type": SessionType.ONE_TO_ONE,
                    "attendance": Attendance.ATTENDED if i % 4 else Attendance.DID_NOT_ATTEND,
                    "mentor_id": as_dariusz.actor.user_id,
                    "notes": "Talked about school and football.",
                    "version": 1,
                }
                for i in range(500)
            ],
        )
        session.execute(
            insert(CaseNote),
            [
                {
                    "young_person_id": allocated_case,
                    "occurred_at": start + dt.timedelta(days=1.5 * i, hours=2),
                    "author_id": as_dariusz.actor.user_id,
                    "subject": f"Contact {i}",
                    "body": "Phone call with Łukasz's mother about attendance at school.",
                    "confidential": i % 10 == 0,
                    "version": 1,
                }
                for i in range(1000)
            ],
        )
    # How fast is the bench's to prove (``open_case``); here, that 1,503 entries come back
    # in a handful of reads, not one per entry, which is what would slow a long case anywhere.
    with statements(as_dariusz.db.engine) as sent:
        entries = as_dariusz.chronology.for_person(allocated_case)
    assert len(entries) == 500 + 1000 + 3
    assert len(sent) < 40, f"{len(sent)} statements for one chronology"
