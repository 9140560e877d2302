"""What a case summary shows, gathered and cut to its sharing profile before any PDF code
sees it.

A multi-agency summary goes to police, schools and health. What the profile withholds
(address, phone numbers and email, contacts' details, the NHS number, notes marked
confidential) is never put into ``CaseSummaryData`` at all, so it cannot reach the document
as hidden text, metadata or a forgotten table column. The cover then says what was withheld.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from veru_desk.db.models import (
    DocumentExport,
    MentoringSession,
    SharingDecision,
    User,
    YoungPerson,
)
from veru_desk.domain.dates import age_on, format_uk_date
from veru_desk.domain.enums import (
    Attendance,
    AuditAction,
    ChronologyKind,
    ClosureReason,
    ContactRelationship,
    Gender,
    ReferralStatus,
    RiskLevel,
    Role,
)
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.incidents import incident_sections
from veru_desk.domain.network import IncidentKind, IncidentRole
from veru_desk.domain.sharing import (
    FLAG_SECTIONS,
    GOAL_SECTIONS,
    REASON_SECTIONS,
    WITHHELD_BY_DEFAULT,
    ShareSection,
    sections_in,
    withheld_marker,
)
from veru_desk.domain.text import stored_text
from veru_desk.services.access import require_case_access
from veru_desk.services.base import get_or_404, user_name
from veru_desk.services.case_analysis import analysis_in
from veru_desk.services.chronology import ChronologyEntry, ChronologyService
from veru_desk.services.contacts import network_in
from veru_desk.services.incidents import IncidentService, IncidentView
from veru_desk.services.mentoring import AttendanceSummary, SessionService, summarise_attendance
from veru_desk.services.outcomes import OutcomeService, OutcomeView
from veru_desk.services.people import flag_labels
from veru_desk.services.plans import ActionView, GoalView, PlanService, PlanView
from veru_desk.services.referrals import ReferralService, ReferralView
from veru_desk.services.risk import RiskService, RiskView
from veru_desk.services.settings import OrgSettings, read_org, summaries_need_sign_off
from veru_desk.services.sharing import SharingDecisionView, ready_decision_in, view_of
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
    closure_reason_withheld: str | None = None  # the marker, when the reason itself tells


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
class EpisodeLine:
    """One episode of a re-referred young person's work, and what happened within it."""

    number: int
    received_on: dt.date
    ends_on: dt.date | None  # the day before the next episode, or its closure; None: open
    status: ReferralStatus
    attendance: AttendanceSummary
    outcomes: list[OutcomeLine]

    @property
    def period(self) -> str:
        end = format_uk_date(self.ends_on) if self.ends_on else "now"
        return f"{format_uk_date(self.received_on)} to {end}"


@dataclass(frozen=True)
class ActionLine:
    goal: str
    description: str
    owner: str
    due_on: dt.date | None
    done_on: dt.date | None
    overdue: bool

    @property
    def status(self) -> str:
        if self.done_on:
            return f"Done {format_uk_date(self.done_on)}"
        return "OVERDUE" if self.overdue else "Open"


@dataclass(frozen=True)
class PanelPage:
    """What a panel reads first: the position, the analysis, who is involved, what is due."""

    analysis: list[tuple[str, str | None]]  # (label, text): already cut to the profile
    analysis_by: str | None
    analysis_on: dt.date | None
    sign_off_required: bool
    signed_off_by: str | None
    signed_off_on: dt.date | None
    risk_trend: str
    disengaged: bool
    last_contact_on: dt.date | None
    education: str
    education_source: str
    plan_review_on: dt.date | None
    plan_review_overdue: bool
    network: list[ContactLine]
    actions: list[ActionLine]


@dataclass(frozen=True)
class Author:
    name: str
    role: str
    email: str | None


@dataclass(frozen=True)
class ChronologyLine:
    at: dt.datetime
    date_only: bool
    kind: ChronologyKind
    title: str
    detail: str
    by: str | None
    source_id: int = 0  # the record it comes from (an incident's id: see ``Redactor``)


@dataclass(frozen=True)
class IncidentLine:
    """An incident the young person was involved in, read from their side."""

    id: int
    occurred_at: dt.datetime
    kind: IncidentKind
    place: str
    role: IncidentRole | None
    source: str
    reference: str | None
    # The account of what happened names other people: the full internal summary only.
    summary: str | None
    withheld: str | None = None  # the marker, when the sharing decision withholds it


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
    panel: PanelPage | None = None
    author: Author | None = None
    episodes: list[EpisodeLine] = dataclasses.field(default_factory=list)
    # The multi-agency profile's decision (None: none recorded, so everything special
    # category is withheld) and the sections it withholds.
    sharing: SharingDecisionView | None = None
    withheld_sections: frozenset[ShareSection] = frozenset()
    outcome_columns_withheld: str | None = None  # the marker for arrests/charges/wellbeing
    incidents: list[IncidentLine] = dataclasses.field(default_factory=list)  # oldest first

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
        decision_id: int | None = None,
        for_export: bool = False,
    ) -> CaseSummaryData:
        """Reads the case for its summary (case access required) and applies the profile.

        A multi-agency summary is cut to its sharing decision (``decision_id``, or the case's
        latest unused one): what it withholds never enters the data. ``for_export`` insists
        on a decision ready to use (recorded, approved where consent was refused); without
        one the refusal is raised (and audited) before anything is drawn.

        Every section is read in one transaction (``_snapshot``): a save made on another PC
        while the summary is gathered is in every section it touches or in none.
        """
        today = today or dt.date.today()
        full = profile is SharingProfile.FULL
        db, actor = self.db, self.actor
        with self._snapshot() as session:
            require_case_access(session, actor, person_id, doing="export a case summary")
            person = get_or_404(session, YoungPerson, person_id, "young person")
            decision = None if full else self._decision(session, person_id, decision_id, for_export)
            cut = Redactor.of(decision, full)
            if decision is not None:  # the meeting the decision names, whatever was typed
                prepared_for = PreparedFor(decision.meeting, decision.meeting_on)
            worker = user_name(session, person.current_worker_id)
            chronology, confidential_notes, confidential_sessions = _chronology(
                ChronologyService(db, actor).for_person_in(session, person_id), full
            )
            referral_views = list(
                reversed(ReferralService(db, actor).for_person_in(session, person_id))
            )
            risk = [_risk_line(r) for r in RiskService(db, actor).history_in(session, person_id)]
            plan = PlanService(db, actor).current_in(session, person_id)
            outcomes = [
                _outcome_line(o)
                for o in OutcomeService(db, actor).for_person_in(session, person_id)
            ]
            contacts = self._contacts(session, person_id, full)
            person_section = self._person(person, today, full)
            panel = self._panel(
                session, person, person_section, risk, plan, outcomes, contacts, today
            )
            episodes = self._episodes(session, person_id, referral_views, outcomes)
            incidents = [
                _incident_line(view, full)
                for view in reversed(IncidentService(db, actor).for_case_in(session, person_id))
            ]
            withheld = (
                [] if full else _withheld_statement(confidential_notes, confidential_sessions)
            )
            if incidents and not full:
                withheld.append(
                    "The accounts of incidents (they name other people): each incident shows "
                    "its date, kind, place, the young person's role, source and reference"
                )
            if cut.withheld:
                withheld.append(
                    "Special category details the sharing decision withholds (listed above); "
                    "each place they were left out says so"
                    if decision is not None
                    else f"{_section_names(cut.withheld)}: no sharing decision recorded"
                )
            return cut.apply(
                CaseSummaryData(
                    person_id=person_id,
                    case_ref=person.case_ref,
                    profile=profile,
                    prepared_for=prepared_for,
                    generated_at=dt.datetime.now().replace(microsecond=0),
                    generated_by=actor.display_name,
                    org=read_org(session),
                    status=person.current_status,
                    worker=worker,
                    person=person_section,
                    contacts=contacts,
                    referrals=[_referral_section(r, full) for r in referral_views],
                    risk=risk,
                    plan=plan,
                    attendance=SessionService(db, actor).attendance_summary_in(session, person_id),
                    recent_sessions=self._recent_sessions(session, person_id, full),
                    outcomes=outcomes,
                    chronology=chronology,
                    withheld=withheld,
                    panel=panel,
                    author=self._author(session),
                    episodes=episodes,
                    sharing=decision,
                    withheld_sections=cut.withheld,
                    incidents=incidents,
                )
            )

    def record_export(
        self,
        person_id: int,
        profile: SharingProfile,
        prepared_for: PreparedFor | None,
        filename: str,
        pages: int,
        decision_id: int | None = None,
    ) -> ExportRecord:
        """The Exports tab row, the sharing decision's link to it and the audit event, in one
        transaction: all or none. A multi-agency export needs its decision ready to use."""
        with self._write() as session:
            person = self._case_person(session, person_id, doing="export a case summary")
            decision: SharingDecision | None = None
            if profile is SharingProfile.MULTI_AGENCY:
                decision = ready_decision_in(
                    session, self.actor.display_name, person_id, decision_id
                )
                prepared_for = PreparedFor(decision.meeting, decision.meeting_on)
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
            session.flush()
            shared = ""
            if decision is not None:
                decision.document_export_id = export.id
                view = view_of(session, decision)
                shared = (
                    f"; shared under {view.basis.label} with {', '.join(view.agencies)}; "
                    f"withheld: {_section_names(view.withheld).lower() or 'nothing'}; "
                    f"approval: {view.approval_text.lower()}; {view.handling}"
                )
            meeting = f" for {prepared_for.text}" if prepared_for else ""
            self._audit(
                session,
                AuditAction.EXPORT,
                entity=export,
                person_id=person_id,
                summary=(
                    f"Case summary of {person.case_ref} exported ({profile.label.lower()})"
                    f"{meeting}, {pages} pages{shared}"
                ),
            )
            session.flush()
            return ExportRecord(export.id, export.at)

    def _decision(
        self, session: Session, person_id: int, decision_id: int | None, for_export: bool
    ) -> SharingDecisionView | None:
        if for_export:
            return view_of(
                session, ready_decision_in(session, self.actor.display_name, person_id, decision_id)
            )
        if decision_id is not None:
            chosen = get_or_404(session, SharingDecision, decision_id, "sharing decision")
            return view_of(session, chosen) if chosen.young_person_id == person_id else None
        row = session.scalars(
            select(SharingDecision)
            .where(
                SharingDecision.young_person_id == person_id,
                SharingDecision.document_export_id.is_(None),
            )
            .order_by(SharingDecision.id.desc())
            .limit(1)
        ).first()
        return view_of(session, row) if row is not None else None

    def _author(self, session: Session) -> Author:
        user = session.get(User, self.actor.user_id) if self.actor.user_id else None
        roles = [r for r in (Role.MANAGER, Role.CASEWORKER, Role.ADMIN) if r in self.actor.roles]
        role = {Role.MANAGER: "Manager", Role.CASEWORKER: "Caseworker"}.get(
            roles[0] if roles else Role.ADMIN, "Administrator"
        )
        return Author(self.actor.display_name, role, user.email if user else None)

    @staticmethod
    def _panel(
        session: Session,
        person: YoungPerson,
        section: PersonSection,
        risk: list[RiskLine],
        plan: PlanView | None,
        outcomes: list[OutcomeLine],
        contacts: list[ContactLine],
        today: dt.date,
    ) -> PanelPage:
        analysis = analysis_in(session, person.id)
        education, source = section.education_status, "as recorded on the young person's details"
        dated = [o for o in outcomes if o.education_status]
        if dated:
            latest = dated[-1]
            education = latest.education_status or education
            source = f"from the latest outcome record, {format_uk_date(latest.recorded_on)}"
        actions = []
        if plan is not None:
            for goal in plan.goals:
                for action in goal.actions:
                    actions.append(
                        ActionLine(
                            goal=goal.description,
                            description=action.description,
                            owner=action.owner,
                            due_on=action.due_on,
                            done_on=action.done_on,
                            overdue=action.overdue,
                        )
                    )
        # Open actions first (overdue first, soonest due), then the latest done.
        actions.sort(
            key=lambda a: (
                a.done_on is not None,
                not a.overdue,
                a.due_on or dt.date.max,
                -(a.done_on or dt.date.min).toordinal(),
            )
        )
        return PanelPage(
            analysis=analysis.items(),
            analysis_by=analysis.updated_by,
            analysis_on=analysis.updated_on,
            sign_off_required=summaries_need_sign_off(session),
            signed_off_by=analysis.signed_off_by,
            signed_off_on=analysis.signed_off_on,
            risk_trend=_risk_trend(risk),
            disengaged=person.disengaged,
            last_contact_on=person.last_contact_on,
            education=education,
            education_source=source,
            plan_review_on=plan.review_on if plan else None,
            plan_review_overdue=bool(
                plan
                and plan.review_on
                and plan.is_current
                and plan.review_on < today
                and person.current_status is not None
                and person.current_status.is_open_case
            ),
            network=[c for c in contacts if _is_professional(c)],
            actions=actions,
        )

    @staticmethod
    def _episodes(
        session: Session,
        person_id: int,
        referrals: list[ReferralView],
        outcomes: list[OutcomeLine],
    ) -> list[EpisodeLine]:
        """Attendance and outcomes per episode when the young person was referred more than
        once (further referrals of an open episode belong to it)."""
        episodes = [
            r
            for r in referrals
            if r.open_case_referral_id is None and r.status in (*_EPISODE_STATUSES,)
        ]
        if len(episodes) < 2:
            return []
        rows = session.execute(
            select(MentoringSession.planned_start, MentoringSession.attendance).where(
                MentoringSession.young_person_id == person_id
            )
        ).all()
        lines = []
        for number, episode in enumerate(episodes, start=1):
            start = episode.received_on
            following = episodes[number] if number < len(episodes) else None
            end: dt.date | None = episode.closed_on
            last: dt.date | None = None  # the last episode runs on
            if following is not None:
                last = following.received_on - dt.timedelta(days=1)
                if end is None or end > last:
                    end = last

            def within(day: dt.date, start: dt.date = start, last: dt.date | None = last) -> bool:
                return day >= start and (last is None or day <= last)

            counts: dict[Attendance, int] = {}
            for planned_start, attendance in rows:
                if within(planned_start.date()) or (number == 1 and planned_start.date() < start):
                    counts[attendance] = counts.get(attendance, 0) + 1
            lines.append(
                EpisodeLine(
                    number=number,
                    received_on=start,
                    ends_on=end,
                    status=episode.status,
                    attendance=summarise_attendance(counts),
                    outcomes=[o for o in outcomes if within(o.recorded_on)],
                )
            )
        return lines

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
        """The network involved now (ended involvements are history, not the panel's
        network), with the directory's current details for linked professionals."""
        return [
            ContactLine(
                name=n.name,
                relationship=n.relationship + (f" ({n.job_title})" if n.job_title else ""),
                parental_responsibility=n.parental_responsibility,
                agency=n.agency,
                phone=n.phone if full else None,
                email=n.email if full else None,
                address=n.address if full else None,
            )
            for n in network_in(session, person_id)
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
                    # A confidential session's topics are as private as its notes.
                    topics=(row.topics or None) if keep_notes else None,
                    notes=(row.notes or None) if keep_notes else None,
                )
            )
        return lines


_EPISODE_STATUSES = (
    ReferralStatus.ACCEPTED,
    ReferralStatus.ALLOCATED,
    ReferralStatus.ACTIVE,
    ReferralStatus.CLOSED,
)
_PROFESSIONALS = (
    ContactRelationship.SOCIAL_WORKER,
    ContactRelationship.TEACHER,
    ContactRelationship.YOT_OFFICER,
)


def _is_professional(contact: ContactLine) -> bool:
    return bool(contact.agency) or contact.relationship in {r.label for r in _PROFESSIONALS}


def _risk_trend(risk: list[RiskLine]) -> str:
    """Newest first in ``risk``: the current level against the one before it."""
    if not risk:
        return "No risk assessment recorded"
    current = risk[0]
    if len(risk) == 1:
        return f"{current.level.label} (first assessment, {format_uk_date(current.assessed_on)})"
    before = risk[1]
    order = list(RiskLevel)
    change = order.index(current.level) - order.index(before.level)
    word = "Rising" if change > 0 else "Falling" if change < 0 else "Unchanged"
    return (
        f"{word}: {before.level.label} on {format_uk_date(before.assessed_on)}, "
        f"{current.level.label} on {format_uk_date(current.assessed_on)}"
    )


def _section_names(sections: Iterable[ShareSection]) -> str:
    wanted = set(sections)
    return ", ".join(s.label for s in ShareSection if s in wanted)


@dataclass(frozen=True)
class Redactor:
    """Cuts a multi-agency summary to its sharing decision: free text touching a withheld
    section is replaced by the marker saying so; lists lose the withheld items and say so.
    Inactive (``withheld`` empty) for the full internal summary."""

    withheld: frozenset[ShareSection]
    decided_on: dt.date | None

    @classmethod
    def of(cls, decision: SharingDecisionView | None, full: bool) -> Redactor:
        if full:
            return cls(frozenset(), None)
        if decision is None:
            return cls(WITHHELD_BY_DEFAULT, None)
        return cls(decision.withheld, decision.decided_on)

    def marker(self, sections: Iterable[ShareSection]) -> str:
        return withheld_marker(sections, self.decided_on)

    def hits(self, *texts: str | None) -> frozenset[ShareSection]:
        found: set[ShareSection] = set()
        for text in texts:
            found |= sections_in(text)
        return frozenset(found) & self.withheld

    def text(self, value: str | None) -> str | None:
        hit = self.hits(value)
        return self.marker(hit) if hit else value

    def required(self, value: str) -> str:
        return self.text(value) or ""

    def labels(self, labels: list[str], sections: dict[str, ShareSection]) -> list[str]:
        kept, cut = [], set()
        for label in labels:
            section = sections.get(label)
            hit = ({section} & self.withheld) if section else set()
            hit |= self.hits(label)
            if hit:
                cut |= hit
            else:
                kept.append(label)
        return [*kept, self.marker(cut)] if cut else kept

    def apply(self, data: CaseSummaryData) -> CaseSummaryData:
        if not self.withheld:
            return data
        t, r = self.text, self.required
        person = dataclasses.replace(
            data.person, flags=self.labels(data.person.flags, FLAG_SECTIONS)
        )
        contacts: list[ContactLine] = []
        cut_contacts: set[ShareSection] = set()
        for c in data.contacts:
            hit = self.hits(c.relationship, c.agency, c.name)
            if hit:
                cut_contacts |= hit
            else:
                contacts.append(c)
        reason_sections = {reason.label: section for reason, section in REASON_SECTIONS.items()}
        referrals = [
            dataclasses.replace(
                ref,
                agency=self.marker(self.hits(ref.agency, ref.agency_type))
                if self.hits(ref.agency, ref.agency_type)
                else ref.agency,
                agency_type="" if self.hits(ref.agency, ref.agency_type) else ref.agency_type,
                closure_reason_withheld=self.text(ref.closure_reason.label)
                if ref.closure_reason and self.hits(ref.closure_reason.label)
                else None,
                reasons=self.labels(ref.reasons, reason_sections),
                narrative=t(ref.narrative),
                decision=t(ref.decision),
                outcome_summary=t(ref.outcome_summary),
            )
            for ref in data.referrals
        ]
        risk = [
            dataclasses.replace(
                line,
                risk_factors=r(line.risk_factors),
                protective_factors=r(line.protective_factors),
            )
            for line in data.risk
        ]
        sessions = [
            dataclasses.replace(line, topics=t(line.topics), notes=t(line.notes))
            for line in data.recent_sessions
        ]
        offending = ShareSection.OFFENDING in self.withheld
        wellbeing = ShareSection.MENTAL_HEALTH in self.withheld
        outcomes = [self._outcome(o, offending, wellbeing) for o in data.outcomes]
        cut_columns = {
            s
            for s, cut in (
                (ShareSection.OFFENDING, offending),
                (ShareSection.MENTAL_HEALTH, wellbeing),
            )
            if cut
        }
        incidents: list[IncidentLine] = []
        cut_incidents: dict[int, str] = {}
        for incident in data.incidents:
            hit = (incident_sections(incident.kind, incident.role) & self.withheld) | self.hits(
                incident.place, incident.reference
            )
            if hit:
                marker = self.marker(hit)
                cut_incidents[incident.id] = marker
                incident = dataclasses.replace(
                    incident, place="", reference=None, summary=None, withheld=marker
                )
            incidents.append(incident)
        chronology = []
        for line in data.chronology:
            hit = self.hits(line.title)
            if line.kind is ChronologyKind.INCIDENT and line.source_id in cut_incidents:
                chronology.append(
                    dataclasses.replace(line, title=cut_incidents[line.source_id], detail="")
                )
            elif hit:
                chronology.append(dataclasses.replace(line, title=self.marker(hit), detail=""))
            else:
                chronology.append(dataclasses.replace(line, detail=r(line.detail)))
        panel = data.panel
        if panel is not None:
            network = [c for c in panel.network if c in contacts]
            panel = dataclasses.replace(
                panel,
                analysis=[(label, t(text)) for label, text in panel.analysis],
                network=network,
                actions=[
                    dataclasses.replace(
                        a,
                        goal=r(a.goal),
                        description=r(a.description),
                        owner="Withheld" if self.hits(a.owner) else a.owner,
                    )
                    for a in panel.actions
                ],
            )
        episodes = [
            dataclasses.replace(
                e, outcomes=[self._outcome(o, offending, wellbeing) for o in e.outcomes]
            )
            for e in data.episodes
        ]
        withheld = list(data.withheld)
        if cut_contacts:
            withheld.append(
                "Contacts whose role or agency would reveal it: "
                + self.marker(cut_contacts).lower()
            )
        return dataclasses.replace(
            data,
            person=person,
            contacts=contacts,
            referrals=referrals,
            risk=risk,
            plan=self._plan(data.plan),
            recent_sessions=sessions,
            outcomes=outcomes,
            chronology=chronology,
            incidents=incidents,
            panel=panel,
            episodes=episodes,
            withheld=withheld,
            outcome_columns_withheld=self.marker(cut_columns) if cut_columns else None,
        )

    @staticmethod
    def _outcome(line: OutcomeLine, offending: bool, wellbeing: bool) -> OutcomeLine:
        return dataclasses.replace(
            line,
            arrests=None if offending else line.arrests,
            charges=None if offending else line.charges,
            wellbeing=None if wellbeing else line.wellbeing,
        )

    def _plan(self, plan: PlanView | None) -> PlanView | None:
        if plan is None:
            return None
        goals: list[GoalView] = []
        for goal in plan.goals:
            section = GOAL_SECTIONS.get(goal.domain)
            hit = ({section} & self.withheld) if section else set()
            hit |= self.hits(goal.description, goal.progress)
            if hit:
                # The whole goal: its area, progress and actions all speak of it.
                goals.append(
                    dataclasses.replace(goal, description=self.marker(hit), progress="", actions=[])
                )
                continue
            actions: list[ActionView] = [
                dataclasses.replace(
                    a,
                    description=self.required(a.description),
                    owner="Withheld" if self.hits(a.owner) else a.owner,
                )
                for a in goal.actions
            ]
            goals.append(dataclasses.replace(goal, actions=actions))
        return dataclasses.replace(plan, summary=self.required(plan.summary), goals=goals)


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
        if entry.kind is ChronologyKind.INCIDENT and not full:
            # The first line is the source and reference; the account names other people.
            detail = detail.split("\n", 1)[0]
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
                source_id=entry.source_id,
            )
        )
    return lines, dropped_notes, cut_sessions


def _incident_line(view: IncidentView, full: bool) -> IncidentLine:
    return IncidentLine(
        id=view.id,
        occurred_at=view.occurred_at,
        kind=view.kind,
        place=view.where,
        role=view.role,
        source=view.source.label,
        reference=view.reference,
        summary=view.summary if full else None,
    )


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
        f" and the notes and topics of {confidential_sessions} confidential {sessions}"
    )
    return lines
