"""Retention: the review list, anonymisation and erasure, and that erased or anonymised
details are gone from the database file's bytes (scenario 8's auditor, the ICO's question)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select, text

from veru_desk.db.engine import Database
from veru_desk.db.guards import REDACTED_SUMMARY
from veru_desk.db.models import (
    AuditEvent,
    CaseNote,
    Contact,
    MentoringSession,
    NameToken,
    Referral,
    ReferralTransition,
    YoungPerson,
)
from veru_desk.domain.enums import (
    AgencyType,
    Attendance,
    AuditAction,
    ClosureReason,
    ConsentStatus,
    ContactRelationship,
    EducationStatus,
    Ethnicity,
    Gender,
    GoalDomain,
    OutcomePoint,
    ReferralReason,
    ReferralStatus,
    RiskLevel,
)
from veru_desk.domain.errors import ConflictError, PermissionDenied, ValidationError
from veru_desk.services import Services
from veru_desk.services.mentoring import SessionInput
from veru_desk.services.notes import NoteInput
from veru_desk.services.outcomes import OutcomeInput
from veru_desk.services.people import PersonDetails
from veru_desk.services.plans import ActionInput, GoalInput
from veru_desk.services.referrals import ReferralDetails
from veru_desk.services.retention import RetentionPolicy
from veru_desk.services.risk import RiskInput

NOTE_PHRASE = "walked with her aunt past the Marsh Farm underpass"
SECRETS = (
    "Zoë",
    "Súilleabháin",
    "Suilleabhain",
    "9434765919",
    "14 Crawley Green Road",
    "07700 900417",
    "zoe.os@example.org",
    "Máire Ní Bhriain",
    NOTE_PHRASE,
    "Lewsey Farm estate",
    "football at Wardown",
)


def closed_case(manager: Services, worker_id: int, *, years_ago: int = 7, age: int = 27) -> int:
    """Zoë Ó Súilleabháin's case, worked and closed ``years_ago``: every kind of record the
    unit keeps, each holding something identifying. Returns the person id."""
    today = dt.date.today()
    start = today - relativedelta(years=years_ago, months=9)
    intake = manager.referrals.create(
        ReferralDetails(
            received_on=start,
            referring_agency="Luton Sixth Form College",
            referring_agency_type=AgencyType.SCHOOL,
            reasons=frozenset({ReferralReason.CRIMINAL_EXPLOITATION}),
            referrer_name="Ms Ayşe Yılmaz",
            narrative=f"Seen at the Lewsey Farm estate; {NOTE_PHRASE} at night.",
            consent_young_person=ConsentStatus.GIVEN,
            consent_parent=ConsentStatus.GIVEN,
        ),
        person=PersonDetails(
            first_name="Zoë",
            last_name="Ó Súilleabháin",
            date_of_birth=today - relativedelta(years=age, days=100),
            gender=Gender.FEMALE,
            ethnicity=Ethnicity.WHITE_IRISH,
            address="14 Crawley Green Road, Luton",
            postcode="LU2 0RT",
            phone="07700 900417",
            email="zoe.os@example.org",
            nhs_number="9434765919",
            education_setting="Luton Sixth Form College",
            education_status=EducationStatus.IN_EDUCATION,
            looked_after=True,
        ),
    )
    person_id, referral_id = intake.person_id, intake.referral_id
    manager.referrals.decide(
        referral_id, ReferralStatus.ACCEPTED, "Zoë meets the threshold", on=start
    )
    manager.referrals.allocate(referral_id, worker_id, on=start)
    with manager.db.write() as session:
        session.add(
            Contact(
                young_person_id=person_id,
                name="Máire Ní Bhriain",
                relationship_to_person=ContactRelationship.MOTHER,
                phone="07700 900111",
                parental_responsibility=True,
            )
        )
    met = dt.datetime.combine(start + dt.timedelta(days=3), dt.time(16))
    manager.sessions.book(
        person_id,
        SessionInput(
            planned_start=met,
            attendance=Attendance.ATTENDED,
            location="Home visit",
            notes=f"Zoë said she {NOTE_PHRASE}.",
            topics="football at Wardown",
        ),
    )
    manager.risk.record(
        person_id,
        RiskInput(
            assessed_on=start + dt.timedelta(days=3),
            level=RiskLevel.HIGH,
            risk_factors="Older boys from the Lewsey Farm estate",
            protective_factors="Plays football at Wardown",
        ),
    )
    plan_id = manager.plans.start_plan(person_id, start + dt.timedelta(days=4), "Keep Zoë safe")
    goal_id = manager.plans.add_goal(
        plan_id, GoalInput(domain=GoalDomain.SAFETY, description="Safe route avoiding Marsh Farm")
    )
    manager.plans.add_action(goal_id, ActionInput(description="Walk the route", owner="Máire"))
    manager.outcomes.record(
        person_id,
        OutcomeInput(
            recorded_on=start + dt.timedelta(days=5),
            point=OutcomePoint.START,
            risk_level=RiskLevel.HIGH,
            wellbeing=4,
            notes="Zoë was quiet",
        ),
    )
    manager.notes.add(
        person_id,
        NoteInput(
            occurred_at=met + dt.timedelta(hours=2), subject="Call with Máire", body=NOTE_PHRASE
        ),
    )
    manager.people.update(
        person_id,
        PersonDetails(
            first_name="Zoë",
            last_name="Ó Súilleabháin",
            date_of_birth=today - relativedelta(years=age, days=100),
            gender=Gender.FEMALE,
            ethnicity=Ethnicity.WHITE_IRISH,
            address="14 Crawley Green Road, Luton",
            postcode="LU2 0RT",
            phone="07700 900417",
            email="zoe.os@example.org",
            nhs_number="9434765919",
            education_status=EducationStatus.IN_EDUCATION,
            looked_after=True,
        ),
        manager.people.get(person_id).version,
    )
    manager.referrals.close(
        referral_id,
        ClosureReason.GOALS_ACHIEVED,
        "Zoë is settled at college",
        on=today - relativedelta(years=years_ago),
    )
    return person_id


def file_bytes(path: Path) -> bytes:
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def leaked(path: Path) -> list[str]:
    data = file_bytes(path)
    found = []
    for secret in SECRETS:
        for encoding in ("utf-8", "utf-16-le"):
            if secret.encode(encoding) in data:
                found.append(secret)
    return found


def test_default_policy_is_six_years_or_age_25(as_manager: Services) -> None:
    assert as_manager.retention.policy() == RetentionPolicy(years_after_closure=6, until_age=25)


def test_policy_is_stored_and_validated(as_manager: Services, team: object) -> None:
    as_manager.retention.set_policy(RetentionPolicy(years_after_closure=7, until_age=30))
    assert as_manager.retention.policy() == RetentionPolicy(7, 30)
    with pytest.raises(ValidationError) as error:
        as_manager.retention.set_policy(RetentionPolicy(years_after_closure=0, until_age=12))
    assert set(error.value.fields) == {"years_after_closure", "until_age"}


def test_review_is_due_at_the_later_of_closure_plus_years_and_age(
    as_manager: Services, as_dariusz: Services
) -> None:
    worker = as_dariusz.actor.user_id
    assert worker is not None
    old_enough = closed_case(as_manager, worker, years_ago=7, age=27)
    still_young = closed_case(as_manager, worker, years_ago=7, age=20)
    recently_closed = closed_case(as_manager, worker, years_ago=2, age=27)
    items = {i.person_id: i for i in as_manager.retention.due_for_review()}
    assert set(items) == {old_enough}
    item = items[old_enough]
    assert item.closed_on == dt.date.today() - relativedelta(years=7)
    assert item.review_due_on == item.closed_on + relativedelta(years=6)
    assert item.name == "Zoë Ó Súilleabháin"
    assert "6 years since the case ended" in item.reason
    later = dt.date.today() + relativedelta(years=6)
    due_later = {i.person_id: i for i in as_manager.retention.due_for_review(today=later)}
    assert still_young in due_later and recently_closed in due_later
    assert due_later[still_young].reason.startswith("Reached 25 on")


def test_open_cases_are_never_due_for_review(
    as_manager: Services, as_dariusz: Services, case_factory: object
) -> None:
    worker = as_dariusz.actor.user_id
    assert worker is not None
    case_factory("Nguyễn", "Văn An", age=17, worker_id=worker)  # type: ignore[operator]
    far_future = dt.date.today() + relativedelta(years=40)
    assert as_manager.retention.due_for_review(today=far_future) == []


def test_caseworkers_cannot_review_anonymise_or_erase(
    as_manager: Services, as_dariusz: Services
) -> None:
    assert as_dariusz.actor.user_id is not None
    person_id = closed_case(as_manager, as_dariusz.actor.user_id)
    with pytest.raises(PermissionDenied):
        as_dariusz.retention.due_for_review()
    with pytest.raises(PermissionDenied):
        as_dariusz.retention.anonymise(person_id, "Retention review")
    with pytest.raises(PermissionDenied):
        as_dariusz.retention.erase(person_id, "Erasure request")
    assert as_manager.people.get(person_id).details.first_name == "Zoë"


def test_an_open_case_cannot_be_anonymised_and_the_reason_may_not_name_the_person(
    as_manager: Services, as_dariusz: Services, case_factory: object
) -> None:
    worker = as_dariusz.actor.user_id
    open_id = case_factory("Abdirahman", "Warsame", worker_id=worker)  # type: ignore[operator]
    with pytest.raises(ValidationError) as error:
        as_manager.retention.anonymise(open_id, "Retention review")
    assert "close, decline or signpost" in error.value.fields["status"]
    assert worker is not None
    closed_id = closed_case(as_manager, worker)
    with pytest.raises(ValidationError) as named:
        as_manager.retention.erase(closed_id, "Erasure request from Zoë by email")
    assert "name out of the reason" in named.value.fields["reason"]
    with pytest.raises(ValidationError):
        as_manager.retention.erase(closed_id, "   ")


def test_anonymise_keeps_statistics_and_removes_identifying_data(
    as_manager: Services, as_dariusz: Services, db: Database, db_path: Path
) -> None:
    assert as_dariusz.actor.user_id is not None
    person_id = closed_case(as_manager, as_dariusz.actor.user_id)
    before = as_manager.people.get(person_id)
    assert leaked(db_path)  # the check below can see these details when they are there

    as_manager.retention.anonymise(person_id, "Retention review: period ended")

    after = as_manager.people.get(person_id)
    assert after.anonymised and after.case_ref == before.case_ref
    d = after.details
    assert (d.first_name, d.last_name) == ("Anonymised", "Record")
    assert d.date_of_birth == dt.date(before.details.date_of_birth.year, 7, 1)
    assert (d.gender, d.ethnicity, d.education_status) == (
        Gender.FEMALE,
        Ethnicity.WHITE_IRISH,
        EducationStatus.IN_EDUCATION,
    )
    assert d.postcode == "LU2" and d.looked_after
    assert (d.address, d.phone, d.email, d.nhs_number, d.education_setting) == (None,) * 5
    assert after.status is ReferralStatus.CLOSED and after.risk_level is RiskLevel.HIGH
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 0
        assert (
            session.scalar(
                select(func.count())
                .select_from(NameToken)
                .where(NameToken.young_person_id == person_id)
            )
            == 0
        )
        sessions = session.scalars(select(MentoringSession)).all()
        assert [s.attendance for s in sessions] == [Attendance.ATTENDED]
        assert sessions[0].notes is None
        referral = session.scalars(select(Referral)).one()
        assert referral.closure_reason is ClosureReason.GOALS_ACHIEVED
        assert referral.narrative is None and referral.outcome_summary is None
        assert all(t.reason is None for t in session.scalars(select(ReferralTransition)))
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.young_person_id == person_id)
        ).all()
    last = events[-1]
    assert last.action is AuditAction.ANONYMISE
    assert last.summary == f"Case {before.case_ref} anonymised: Retention review: period ended"
    assert {e.summary for e in events[:-1]} == {REDACTED_SUMMARY}
    assert all(e.changes is None for e in events[:-1])
    assert leaked(db_path) == []
    assert [i for i in as_manager.retention.due_for_review() if i.person_id == person_id] == []


def test_a_form_opened_before_anonymising_cannot_save_old_text_back(
    as_manager: Services, as_dariusz: Services
) -> None:
    assert as_dariusz.actor.user_id is not None
    person_id = closed_case(as_manager, as_dariusz.actor.user_id)
    [note] = as_manager.notes.for_person(person_id)
    as_manager.retention.anonymise(person_id, "Retention review")
    with pytest.raises(ConflictError):
        as_manager.notes.update(
            note.id,
            NoteInput(occurred_at=note.occurred_at, subject=note.subject, body=note.body),
            note.version,
        )


def test_erase_deletes_everything_and_leaves_only_a_redacted_trail(
    as_manager: Services, as_dariusz: Services, db: Database, db_path: Path
) -> None:
    assert as_dariusz.actor.user_id is not None
    person_id = closed_case(as_manager, as_dariusz.actor.user_id)
    keep_id = closed_case(as_manager, as_dariusz.actor.user_id, years_ago=1)
    case_ref = as_manager.people.get(person_id).case_ref
    with db.read() as session:
        kept_notes = session.scalar(
            select(func.count()).select_from(CaseNote).where(CaseNote.young_person_id == keep_id)
        )

    as_manager.retention.erase(person_id, "Erasure request (UK GDPR Art. 17)")

    with db.read() as session:
        assert session.get(YoungPerson, person_id) is None
        for model in (Referral, CaseNote, MentoringSession, Contact):
            assert (
                session.scalar(
                    select(func.count())
                    .select_from(model)
                    .where(
                        model.young_person_id == person_id  # type: ignore[attr-defined]
                    )
                )
                == 0
            )
        assert (
            session.scalar(
                select(func.count())
                .select_from(CaseNote)
                .where(CaseNote.young_person_id == keep_id)
            )
            == kept_notes
        )
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.young_person_id == person_id)
            .order_by(AuditEvent.id)
        ).all()
        assert session.scalar(text("PRAGMA integrity_check")) == "ok"
    assert events[-1].action is AuditAction.ERASE
    assert events[-1].summary == f"Case {case_ref} erased: Erasure request (UK GDPR Art. 17)"
    assert len(events) > 5 and {e.summary for e in events[:-1]} == {REDACTED_SUMMARY}
    # The other Zoë (same details, kept) must go too before the file can be searched for hers.
    as_manager.retention.erase(keep_id, "Test data removed")
    assert leaked(db_path) == []


def test_audit_rows_still_refuse_anything_but_redaction(db: Database) -> None:
    with db.write() as session:
        session.execute(
            text("INSERT INTO audit_event (at, action, summary) VALUES ('2026-01-01', 'view', 'x')")
        )
    for statement in (
        "UPDATE audit_event SET summary = 'rewritten'",
        f"UPDATE audit_event SET summary = '{REDACTED_SUMMARY}', action = 'login'",
        "DELETE FROM audit_event",
    ):
        with pytest.raises(Exception, match="append-only"), db.write() as session:
            session.execute(text(statement))
    with db.write() as session:
        session.execute(text(f"UPDATE audit_event SET summary = '{REDACTED_SUMMARY}'"))
        assert session.scalar(text("SELECT action FROM audit_event")) == "view"


def test_referral_history_cannot_be_deleted_while_its_referral_exists(
    as_manager: Services, as_dariusz: Services, db: Database
) -> None:
    assert as_dariusz.actor.user_id is not None
    closed_case(as_manager, as_dariusz.actor.user_id)
    for statement in (
        "DELETE FROM referral_transition",
        "UPDATE referral_transition SET to_status = 'declined'",
        "UPDATE referral_transition SET reason = 'rewritten'",
    ):
        with pytest.raises(Exception, match="append-only"), db.write() as session:
            session.execute(text(statement))


@pytest.mark.postgres
def test_erase_and_anonymise_work_on_postgres(pg_db: Database) -> None:
    from veru_desk.domain.enums import Role
    from veru_desk.services.users import actor_for, add_user

    with pg_db.write() as session:
        manager = actor_for(add_user(session, "priya", "Priya Raghunathan", {Role.MANAGER}, None))
        worker = actor_for(add_user(session, "dariusz", "Dariusz Wójcik", {Role.CASEWORKER}, None))
    services = Services(pg_db, manager)
    assert worker.user_id is not None
    erased, anonymised = (
        closed_case(services, worker.user_id),
        closed_case(services, worker.user_id),
    )
    services.retention.anonymise(anonymised, "Retention review")
    services.retention.erase(erased, "Erasure request")
    with pg_db.read() as session:
        assert session.get(YoungPerson, erased) is None
        assert session.scalar(select(func.count()).select_from(ReferralTransition)) > 0
        assert all(
            e.summary == REDACTED_SUMMARY
            for e in session.scalars(select(AuditEvent).where(AuditEvent.young_person_id == erased))
            if e.action is not AuditAction.ERASE
        )
