"""Cases to print: a small, fully recorded one and a huge one (500 sessions, 1,000 notes).

The small case carries a value in every field a multi-agency summary must withhold, each one
distinctive, so a test can search the PDF's text for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import insert

from veru_desk.db.engine import Database
from veru_desk.db.models import CaseNote, Contact, MentoringSession
from veru_desk.domain.enums import (
    AgencyType,
    Attendance,
    ConsentStatus,
    ContactRelationship,
    EducationStatus,
    Ethnicity,
    Gender,
    GoalDomain,
    GoalStatus,
    OutcomePoint,
    Priority,
    ReferralReason,
    ReferralStatus,
    RiskLevel,
    SessionType,
    SharingBasis,
)
from veru_desk.services import Services
from veru_desk.services.mentoring import SessionInput
from veru_desk.services.notes import NoteInput
from veru_desk.services.outcomes import OutcomeInput
from veru_desk.services.people import PersonDetails
from veru_desk.services.plans import ActionInput, GoalInput
from veru_desk.services.referrals import ReferralDetails
from veru_desk.services.risk import RiskInput


@dataclass(frozen=True)
class Secrets:
    """What the full profile prints and the multi-agency profile must not."""

    address: str = "17 Łódź Crescent, Bury Park"
    postcode: str = "LU1 1HS"
    phone: str = "07700 900461"
    email: str = "zoe.osuilleabhain@example.org"
    nhs_number: str = "9434765919"
    contact_phone: str = "07700 900982"
    contact_email: str = "ayse.yilmaz@example.net"
    contact_address: str = "Flat 3, Ştefan House, Dunstable Road"
    referrer_contact: str = "siobhan.nicgiolla@beds.police.example"
    confidential_note: str = "Disclosure about an older cousin recorded in confidence"
    confidential_session_note: str = "Spoke privately about the family's debts"

    def all(self) -> list[str]:
        return [
            self.address,
            self.postcode,
            self.phone,
            self.email,
            self.nhs_number,
            "943 476 5919",
            self.contact_phone,
            self.contact_email,
            self.contact_address,
            self.referrer_contact,
            self.confidential_note,
            self.confidential_session_note,
        ]


@pytest.fixture
def secrets() -> Secrets:
    return Secrets()


def make_case(
    manager: Services, worker: Services, person: PersonDetails, referral: ReferralDetails
) -> tuple[int, int]:
    intake = manager.referrals.create(referral, person=person)
    manager.referrals.decide(
        intake.referral_id, ReferralStatus.ACCEPTED, "Meets the threshold", priority=Priority.HIGH
    )
    assert worker.actor.user_id is not None
    manager.referrals.allocate(intake.referral_id, worker.actor.user_id)
    return intake.person_id, intake.referral_id


@pytest.fixture
def small_case(db: Database, as_manager: Services, as_dariusz: Services, secrets: Secrets) -> int:
    """Zoë Ó Súilleabháin, 15: a police referral with a full record of work. Returns the id."""
    today = dt.date.today()
    started = today - dt.timedelta(days=60)
    person_id, _ = make_case(
        as_manager,
        as_dariusz,
        PersonDetails(
            first_name="Zoë",
            last_name="Ó Súilleabháin",
            preferred_name="Zo",
            date_of_birth=today - relativedelta(years=15, days=20),
            gender=Gender.FEMALE,
            ethnicity=Ethnicity.WHITE_IRISH,
            address=secrets.address,
            postcode=secrets.postcode,
            phone=secrets.phone,
            email=secrets.email,
            nhs_number=secrets.nhs_number,
            education_setting="Challney High School",
            education_status=EducationStatus.EXCLUDED,
            child_in_need=True,
        ),
        ReferralDetails(
            received_on=started,
            referring_agency="Bedfordshire Police",
            referring_agency_type=AgencyType.POLICE,
            reasons=frozenset({ReferralReason.KNIFE_CARRYING, ReferralReason.GANG_ASSOCIATION}),
            referrer_name="PC Siobhán Nic Giolla Phádraig",
            referrer_contact=secrets.referrer_contact,
            narrative="Found with a kitchen knife near Wardown Park; says she carries it for "
            "protection after threats from an older group (Łukasz W. and Ştefan P. named).",
            consent_young_person=ConsentStatus.GIVEN,
            consent_parent=ConsentStatus.GIVEN,
            sharing_basis=SharingBasis.SAFEGUARDING,
        ),
    )
    with db.write() as session:
        session.add(
            Contact(
                young_person_id=person_id,
                name="Ayşe Yılmaz",
                relationship_to_person=ContactRelationship.MOTHER,
                phone=secrets.contact_phone,
                email=secrets.contact_email,
                address=secrets.contact_address,
                parental_responsibility=True,
            )
        )
    w = as_dariusz
    w.risk.record(
        person_id,
        RiskInput(
            assessed_on=started + dt.timedelta(days=3),
            level=RiskLevel.HIGH,
            risk_factors="Gang association; missing episodes",
            protective_factors="Engaged older sister; football",
        ),
    )
    w.risk.record(
        person_id,
        RiskInput(
            assessed_on=today - dt.timedelta(days=5),
            level=RiskLevel.MEDIUM,
            risk_factors="Still in contact with the older group",
            protective_factors="Back at school part-time",
        ),
    )
    plan_id = w.plans.start_plan(person_id, started + dt.timedelta(days=4), "Keep Zo safe")
    goal = w.plans.add_goal(
        plan_id,
        GoalInput(
            GoalDomain.EET,
            "Back into full-time education",
            status=GoalStatus.IN_PROGRESS,
            progress="Attending mornings",
        ),
    )
    w.plans.add_action(goal, ActionInput("Reintegration meeting with school", "Dariusz Wójcik"))
    w.plans.add_goal(
        plan_id,
        GoalInput(
            GoalDomain.SAFETY, "Safety plan for the walk to school", status=GoalStatus.ACHIEVED
        ),
    )
    for week in range(6):
        start = dt.datetime.combine(started + dt.timedelta(days=7 * week + 8), dt.time(16, 0))
        attendance = Attendance.DID_NOT_ATTEND if week == 2 else Attendance.ATTENDED
        w.sessions.book(
            person_id,
            SessionInput(
                planned_start=start,
                session_type=SessionType.ONE_TO_ONE,
                location="Youth centre",
                attendance=attendance,
                topics="Football; staying safe",
                notes=secrets.confidential_session_note if week == 4 else "Good session",
                confidential=week == 4,
            ),
        )
    w.outcomes.record(
        person_id,
        OutcomeInput(
            started + dt.timedelta(days=4),
            OutcomePoint.START,
            risk_level=RiskLevel.HIGH,
            education_status=EducationStatus.EXCLUDED,
            wellbeing=3,
            arrests=1,
            charges=0,
        ),
    )
    w.outcomes.record(
        person_id,
        OutcomeInput(
            today - dt.timedelta(days=5),
            OutcomePoint.REVIEW,
            risk_level=RiskLevel.MEDIUM,
            education_status=EducationStatus.IN_EDUCATION,
            wellbeing=6,
            arrests=0,
            charges=0,
            goals_achieved=1,
        ),
    )
    now = dt.datetime.now().replace(second=0, microsecond=0)
    w.notes.add(
        person_id,
        NoteInput(now - dt.timedelta(days=20), "Call with mum", "Mum worried about late nights."),
    )
    w.notes.add(
        person_id,
        NoteInput(
            now - dt.timedelta(days=10),
            "Disclosure",
            secrets.confidential_note,
            confidential=True,
        ),
    )
    return person_id


HUGE_SESSIONS = 500
HUGE_NOTES = 1000


@pytest.fixture
def huge_case(db: Database, as_manager: Services, as_dariusz: Services) -> int:
    """Nguyễn Văn An: five years of weekly sessions and 1,000 notes, bulk-inserted."""
    today = dt.date.today()
    started = today - dt.timedelta(days=7 * HUGE_SESSIONS + 30)
    person_id, referral_id = make_case(
        as_manager,
        as_dariusz,
        PersonDetails(
            first_name="Văn An",
            last_name="Nguyễn",
            date_of_birth=today - relativedelta(years=17, days=3),
            gender=Gender.MALE,
            ethnicity=Ethnicity.ASIAN_OTHER,
        ),
        ReferralDetails(
            received_on=started,
            referring_agency="Luton Youth Justice Service",
            referring_agency_type=AgencyType.YOUTH_JUSTICE,
            reasons=frozenset({ReferralReason.COUNTY_LINES}),
            consent_young_person=ConsentStatus.GIVEN,
            consent_parent=ConsentStatus.GIVEN,
        ),
    )
    worker_id = as_dariusz.actor.user_id
    attendances = [Attendance.ATTENDED] * 3 + [Attendance.DID_NOT_ATTEND]
    sessions = [
        {
            "young_person_id": person_id,
            "referral_id": referral_id,
            "planned_start": dt.datetime.combine(
                started + dt.timedelta(days=7 * i + 7), dt.time(16, 0)
            ),
            "duration_minutes": 60,
            "mentor_id": worker_id,
            "session_type": SessionType.ONE_TO_ONE,
            "location": "Youth centre",
            "attendance": attendances[i % 4],
            "notes": f"Session {i + 1}: talked about college applications and staying safe "
            "on the way home; agreed next steps with his mentor.",
            "topics": "Education; safety",
            "confidential": False,
            "created_by_id": worker_id,
            "updated_by_id": worker_id,
            "version": 1,
        }
        for i in range(HUGE_SESSIONS)
    ]
    base = dt.datetime.combine(started, dt.time(9, 0))
    notes = [
        {
            "young_person_id": person_id,
            "referral_id": referral_id,
            "occurred_at": base + dt.timedelta(hours=42 * i),
            "author_id": worker_id,
            "subject": f"Contact {i + 1} with Nguyễn Văn An",
            "body": "Phoned the family to confirm arrangements. " * (1 + i % 7),
            "confidential": False,
            "created_by_id": worker_id,
            "updated_by_id": worker_id,
            "version": 1,
        }
        for i in range(HUGE_NOTES)
    ]
    with db.write() as session:
        session.execute(insert(MentoringSession), sessions)
        session.execute(insert(CaseNote), notes)
    return person_id
