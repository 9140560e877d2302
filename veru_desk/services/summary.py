"""What a case summary shows, gathered and cut to its sharing profile before any PDF code
sees it.

A multi-agency summary goes to police, schools and health. What the profile withholds
(address, phone numbers and email, contacts' details, the NHS number, notes marked
confidential) is never put into ``CaseSummaryData`` at all, so it cannot reach the document
as hidden text, metadata or a forgotten table column. The cover then says what was withheld.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from veru_desk.db.models import Contact, DocumentExport, MentoringSession, User, YoungPerson
from veru_desk.domain.dates import age_on, format_uk_date
from veru_desk.domain.enums import (
    Attendance,
    AuditAction,
    ChronologyKind,
    ClosureReason,
    Gender,
    ReferralStatus,
    RiskLevel,
)
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.text import stored_text
from veru_desk.services.access import require_case_access
from veru_desk.services.base import get_or_404
from veru_desk.services.chronology import ChronologyEntry, ChronologyService
from veru_desk.services.mentoring import AttendanceSummary, SessionService
from veru_desk.services.outcomes import OutcomeService, OutcomeView
from veru_desk.services.people import flag_labels
from veru_desk.services.plans import PlanService, PlanView
from veru_desk.services.referrals import ReferralService, ReferralView
from veru_desk.services.risk import RiskService, RiskView
from veru_desk.services.settings import OrgSettings, read_org
from veru_desk.services.snapshot import SnapshotService

SUMMARY_KIND = "case_summary"
RECENT_SESSIONS = 20
MAX_MEETING_CHARS = 200


class SharingProfile(StrEnum):
    FULL = "full"
    MULTI_AGENCY = "multi-agency"

    @property
    def label(self) -> str:
        return "Full (internal)" if self is SharingProfile.FULL else "Multi-agency"

    @classmethod
    def parse(cls, text: str) -> SharingProfile:
        cleaned = text.strip().lower().replace("_", "-").replace(" ", "-")
        for member in cls:
            if cleaned == member.value or (member is cls.MULTI_AGENCY and cleaned == "multiagency"):
                return member
        raise ValidationError({"profile": "Choose a sharing profile: full or multi-agency."})


@dataclass(frozen=True)
class PreparedFor:
    """The meeting a summary is for, as typed when exporting."""

    meeting: str
    on: dt.date | None = None

    @property
    def text(self) -> str:
        return f"{self.meeting}, {format_uk_date(self.on)}" if self.on else self.meeting


@dataclass(frozen=True)
class PersonSection:
    first_name: str
    last_name: str
    preferred_name: str | None
    date_of_birth: dt.date
    age: int
    gender: str
    ethnicity: str
    education_setting: str | None
    education_status: str
    flags: list[str]
    # None in a multi-agency summary: withheld, not blank.
    address: str | None
    postcode: str | None
    phone: str | None
    email: str | None
    nhs_number: str | None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class ContactLine:
    name: str
    relationship: str
    parental_responsibility: bool
    agency: str | None
    phone: str | None
    email: str | None
    address: str | None


@dataclass(frozen=True)
class ReferralSection:
    received_on: dt.date
    agency: str
    agency_type: str
    referrer: str | None
    referrer_contact: str | None  # None when withheld
    reasons: list[str]
    narrative: str | None
    priority: str
    status: ReferralStatus
    decision: str | None
    worker: str | None
    consent_young_person: str
    consent_parent: str
    sharing_basis: str | None
    closed_on: dt.date | None
    closure_reason: ClosureReason | None
    outcome_summary: str | None


@dataclass(frozen=True)
class RiskLine:
    assessed_on: dt.date
    level: RiskLevel
    assessor: str | None
    risk_factors: str
    protective_factors: str
    next_review_on: dt.date
    overdue: bool


@dataclass(frozen=True)
class SessionLine:
    start: dt.datetime
    session_type: str
    minutes: int
    mentor: str | None
    attendance: Attendance
    location: str | None
    topics: str | None
    notes: str | None  # None when withheld as confidential, or none recorded


@dataclass(frozen=True)
class OutcomeLine:
    recorded_on: dt.date
    point: str
    risk_level: RiskLevel | None
    education_status: str | None
    arrests: int | None
    charges: int | None
    wellbeing: int | None
    goals_achieved: int | None


@dataclass(frozen=True)
class ChronologyLine:
    at: dt.datetime
    date_only: bool
    kind: ChronologyKind
    title: str
    detail: str
    by: str | None


@dataclass(frozen=True)
class CaseSummaryData:
    """Everything one summary prints, already cut to its profile."""

    person_id: int
    case_ref: str
    profile: SharingProfile
    prepared_for: PreparedFor | None
    generated_at: dt.datetime
    generated_by: str
    org: OrgSettings
    status: ReferralStatus | None
    worker: str | None
    person: PersonSection
    contacts: list[ContactLine]
    referrals: list[ReferralSection]  # oldest first
    risk: list[RiskLine]  # newest first
    plan: PlanView | None
    attendance: AttendanceSummary
    recent_sessions: list[SessionLine]  # newest first
    outcomes: list[OutcomeLine]  # oldest first
    chronology: list[ChronologyLine]  # oldest first, as a review panel reads it
    withheld: list[str]

    @property
    def current_risk(self) -> RiskLine | None:
        return self.risk[0] if self.risk else None

    @property
    def closures(self) -> list[ReferralSection]:
        return [r for r in self.referrals if r.status is ReferralStatus.CLOSED]


@dataclass(frozen=True)
class ExportRecord:
    id: int
    at: dt.datetime


def _gender(gender: Gender, detail: str | None) -> str:
    if gender is Gender.OTHER and detail:
        return detail
    return gender.label


class CaseSummaryService(SnapshotService):
    def gather(
        self,
        person_id: int,
        profile: SharingProfile,
        prepared_for: PreparedFor | None = None,
        *,
        today: dt.date | None = None,
    ) -> CaseSummaryData:
        """Reads the case for its summary (case access required) and applies the profile.

        Every section is read in one transaction (``_snapshot``): a save made on another PC
        while the summary is gathered is in every section it touches or in none.
        """
        today = today or dt.date.today()
        full = profile is SharingProfile.FULL
        db, actor = self.db, self.actor
        with self._snapshot() as session:
            require_case_access(session, actor, person_id, doing="export a case summary")
            person = get_or_404(session, YoungPerson, person_id, "young person")
            worker = (
                session.get(User, person.current_worker_id) if person.current_worker_id else None
            )
            chronology, confidential_notes, confidential_sessions = _chronology(
                ChronologyService(db, actor).for_person_in(session, person_id), full
            )
            return CaseSummaryData(
                person_id=person_id,
                case_ref=person.case_ref,
                profile=profile,
                prepared_for=prepared_for,
                generated_at=dt.datetime.now().replace(microsecond=0),
                generated_by=actor.display_name,
                org=read_org(session),
                status=person.current_status,
                worker=worker.display_name if worker else None,
                person=self._person(person, today, full),
                contacts=self._contacts(session, person_id, full),
                referrals=[
                    _referral_section(r, full)
                    for r in reversed(ReferralService(db, actor).for_person_in(session, person_id))
                ],
                risk=[_risk_line(r) for r in RiskService(db, actor).history_in(session, person_id)],
                plan=PlanService(db, actor).current_in(session, person_id),
                attendance=SessionService(db, actor).attendance_summary_in(session, person_id),
                recent_sessions=self._recent_sessions(session, person_id, full),
                outcomes=[
                    _outcome_line(o)
                    for o in OutcomeService(db, actor).for_person_in(session, person_id)
                ],
                chronology=chronology,
                withheld=(
                    [] if full else _withheld_statement(confidential_notes, confidential_sessions)
                ),
            )

    def record_export(
        self,
        person_id: int,
        profile: SharingProfile,
        prepared_for: PreparedFor | None,
        filename: str,
        pages: int,
    ) -> ExportRecord:
        """The Exports tab row and the audit event, in one transaction: either both or none."""
        with self._write() as session:
            person = self._case_person(session, person_id, doing="export a case summary")
            export = DocumentExport(
                young_person_id=person_id,
                by_user_id=self.actor.user_id,
                kind=SUMMARY_KIND,
                profile=profile.value,
                prepared_for=stored_text(prepared_for.text[:300]) if prepared_for else None,
                filename=filename[:500],
                pages=pages,
            )
            session.add(export)
            meeting = f" for {prepared_for.text}" if prepared_for else ""
            self._audit(
                session,
                AuditAction.EXPORT,
                entity=export,
                person_id=person_id,
                summary=(
                    f"Case summary of {person.case_ref} exported ({profile.label.lower()})"
                    f"{meeting}, {pages} pages"
                ),
            )
            session.flush()
            return ExportRecord(export.id, export.at)

    # --- parts -----------------------------------------------------------------------------

    @staticmethod
    def _person(person: YoungPerson, today: dt.date, full: bool) -> PersonSection:
        flags = flag_labels(person)
        return PersonSection(
            first_name=person.first_name,
            last_name=person.last_name,
            preferred_name=person.preferred_name,
            date_of_birth=person.date_of_birth,
            age=age_on(person.date_of_birth, max(today, person.date_of_birth)),
            gender=_gender(person.gender, person.gender_detail),
            ethnicity=person.ethnicity.label,
            education_setting=person.education_setting,
            education_status=person.education_status.label,
            flags=flags,
            address=person.address if full else None,
            postcode=person.postcode if full else None,
            phone=person.phone if full else None,
            email=person.email if full else None,
            nhs_number=person.nhs_number if full else None,
        )

    @staticmethod
    def _contacts(session: Session, person_id: int, full: bool) -> list[ContactLine]:
        rows = session.scalars(
            select(Contact).where(Contact.young_person_id == person_id).order_by(Contact.id)
        ).all()
        return [
            ContactLine(
                name=c.name,
                relationship=c.relationship_to_person.label,
                parental_responsibility=c.parental_responsibility,
                agency=c.agency.name if c.agency else None,
                phone=c.phone if full else None,
                email=c.email if full else None,
                address=c.address if full else None,
            )
            for c in rows
        ]

    @staticmethod
    def _recent_sessions(session: Session, person_id: int, full: bool) -> list[SessionLine]:
        """The latest sessions held or due; future bookings are not history."""
        now = dt.datetime.now()
        rows = session.execute(
            select(MentoringSession, User.display_name)
            .outerjoin(User, User.id == MentoringSession.mentor_id)
            .where(
                MentoringSession.young_person_id == person_id,
                or_(
                    MentoringSession.attendance != Attendance.PLANNED,
                    MentoringSession.planned_start <= now,
                ),
            )
            .order_by(MentoringSession.planned_start.desc(), MentoringSession.id.desc())
            .limit(RECENT_SESSIONS)
        ).all()
        lines = []
        for row, mentor in rows:
            keep_notes = full or not row.confidential
            lines.append(
                SessionLine(
                    start=row.planned_start,
                    session_type=row.session_type.label,
                    minutes=row.duration_minutes,
                    mentor=mentor,
                    attendance=row.attendance,
                    location=row.location,
                    topics=row.topics,
                    notes=(row.notes or None) if keep_notes else None,
                )
            )
        return lines


def _chronology(
    entries: list[ChronologyEntry], full: bool
) -> tuple[list[ChronologyLine], int, int]:
    """Oldest first. Confidential notes are dropped; a confidential session keeps its
    headline but not its notes."""
    lines: list[ChronologyLine] = []
    dropped_notes = 0
    cut_sessions = 0
    for entry in reversed(entries):
        detail = entry.detail
        if entry.confidential and not full:
            if entry.kind is ChronologyKind.NOTE:
                dropped_notes += 1
                continue
            detail = ""
            cut_sessions += 1
        lines.append(
            ChronologyLine(
                at=entry.at,
                date_only=entry.date_only,
                kind=entry.kind,
                title=entry.title,
                detail=detail,
                by=entry.by,
            )
        )
    return lines, dropped_notes, cut_sessions


def _referral_section(r: ReferralView, full: bool) -> ReferralSection:
    return ReferralSection(
        received_on=r.received_on,
        agency=r.agency,
        agency_type=r.agency_type.label,
        referrer=r.referrer_name,
        referrer_contact=r.referrer_contact if full else None,
        reasons=[reason.label for reason in r.reasons],
        narrative=r.narrative,
        priority=r.priority.label,
        status=r.status,
        decision=r.decision_reason,
        worker=r.worker,
        consent_young_person=r.consent_young_person.label,
        consent_parent=r.consent_parent.label,
        sharing_basis=r.sharing_basis.label if r.sharing_basis else None,
        closed_on=r.closed_on,
        closure_reason=r.closure_reason,
        outcome_summary=r.outcome_summary,
    )


def _risk_line(r: RiskView) -> RiskLine:
    return RiskLine(
        assessed_on=r.assessed_on,
        level=r.level,
        assessor=r.assessor,
        risk_factors=r.risk_factors,
        protective_factors=r.protective_factors,
        next_review_on=r.next_review_on,
        overdue=r.overdue,
    )


def _outcome_line(o: OutcomeView) -> OutcomeLine:
    return OutcomeLine(
        recorded_on=o.recorded_on,
        point=o.point.label,
        risk_level=o.risk_level,
        education_status=o.education_status.label if o.education_status else None,
        arrests=o.arrests,
        charges=o.charges,
        wellbeing=o.wellbeing,
        goals_achieved=o.goals_achieved,
    )


def _withheld_statement(confidential_notes: int, confidential_sessions: int) -> list[str]:
    lines = [
        "The young person's address, postcode, phone number and email address",
        "Contacts' phone numbers, email and postal addresses; the referrer's contact details",
        "NHS number",
    ]
    notes = "case note" if confidential_notes == 1 else "case notes"
    sessions = "session" if confidential_sessions == 1 else "sessions"
    lines.append(
        f"Notes marked confidential: {confidential_notes} {notes} left out of the chronology"
        f" and the notes of {confidential_sessions} confidential {sessions}"
    )
    return lines
