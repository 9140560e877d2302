"""The chronology: one dated timeline of everything that happened in a case.

Safeguarding reviews read a case as a chronology, so it is built from the records themselves
(referral decisions, assessments, plans, sessions, outcomes, exports) plus the notes written by
hand, and never kept as a second copy that could drift from them. It is built with one narrow
query per source table and merged in Python, which stays fast for a case years long.

Times are local wall-clock. Records that carry only a day (an assessment, a decision) take the
time they were saved when saved that same day, and otherwise the start of the day with
``date_only`` set, so a screen can show the day without a made-up time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from veru_desk.db.models import (
    Agency,
    Attachment,
    CaseNote,
    DocumentExport,
    GroupSession,
    Incident,
    IncidentParty,
    InterventionPlan,
    MentoringSession,
    Outcome,
    PanelItem,
    PanelMeeting,
    PersonMerge,
    Place,
    Referral,
    ReferralReasonRow,
    ReferralTransition,
    RiskAssessment,
    SafeguardingFlagRecord,
    Task,
    User,
    YoungPerson,
)
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import (
    Attendance,
    ChronologyKind,
    ReferralReason,
    ReferralStatus,
)
from veru_desk.domain.errors import NotFound
from veru_desk.domain.groups import group_label
from veru_desk.domain.panels import meeting_label
from veru_desk.domain.safeguarding import FlagKind
from veru_desk.domain.tasks import TaskStatus
from veru_desk.domain.workflow import further_decision_word
from veru_desk.services.access import require_case_access
from veru_desk.services.base import Service, utc_to_local
from veru_desk.services.referrals import FURTHER_REFERRAL_NOTE

_K = ChronologyKind

# Among entries at the same moment, the order in which they happen in a case's life.
_KIND_ORDER: dict[ChronologyKind, int] = {
    kind: index
    for index, kind in enumerate(
        (
            _K.REFERRAL,
            _K.DECISION,
            _K.FLAG,
            _K.INCIDENT,
            _K.ASSESSMENT,
            _K.PLAN,
            _K.SESSION,
            _K.NOTE,
            _K.TASK,
            _K.OUTCOME,
            _K.CLOSURE,
            _K.EXPORT,
            _K.PANEL,
            _K.DOCUMENT,
        )
    )
}

_SESSION_WORDS: dict[Attendance, str] = {
    Attendance.PLANNED: "Session not yet recorded",
    Attendance.ATTENDED: "Session attended",
    Attendance.DID_NOT_ATTEND: "Session not attended",
    Attendance.CANCELLED_BY_YOUNG_PERSON: "Session cancelled by the young person",
    Attendance.CANCELLED_BY_SERVICE: "Session cancelled by the service",
}

_DECISION_WORDS: dict[ReferralStatus, str] = {
    ReferralStatus.ACCEPTED: "Accepted",
    ReferralStatus.DECLINED: "Declined",
    ReferralStatus.SIGNPOSTED: "Signposted",
}


@dataclass(frozen=True)
class ChronologyEntry:
    at: dt.datetime
    kind: ChronologyKind
    title: str
    detail: str
    by: str | None
    source_id: int
    confidential: bool = False
    date_only: bool = False  # the source records a day only: ``at`` is that day's start

    def sort_key(self) -> tuple[dt.datetime, int, int]:
        return (self.at, _KIND_ORDER[self.kind], self.source_id)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _moment(day: dt.date, saved_utc: dt.datetime | None) -> tuple[dt.datetime, bool]:
    """When a day-only record happened: its save time if saved that day, else the day."""
    if saved_utc is not None:
        saved = utc_to_local(saved_utc)
        if saved.date() == day:
            return saved, False
    return dt.datetime.combine(day, dt.time.min), True


def _lines(*parts: str | None) -> str:
    return "\n".join(part for part in parts if part)


def session_title(attendance: Attendance, type_label: str, minutes: int) -> str:
    """``Session attended (one-to-one, 60 min)``."""
    return f"{_SESSION_WORDS[attendance]} ({_lower_first(type_label)}, {minutes} min)"


def transition_title(
    from_status: ReferralStatus | None,
    to_status: ReferralStatus,
    reason: str | None,
    agency: str,
    worker: str | None,
    further: bool = False,
) -> tuple[ChronologyKind, str]:
    """The kind and headline of one referral move, in the words a review panel reads.

    ``further``: the referral joined a case that was open (a re-referral), so its decision
    is about the referral only and the case carried on.
    """
    reason = (reason or "").strip()
    if from_status is None:
        if further:
            return _K.REFERRAL, f"Further referral received from {agency} while the case was open"
        return _K.REFERRAL, f"Referral received from {agency}"
    if further and to_status in _DECISION_WORDS:
        word = further_decision_word(to_status)
        return _K.DECISION, f"{word}: {reason}" if reason else word
    if to_status is ReferralStatus.CLOSED:
        return _K.CLOSURE, f"Closed: {reason}" if reason else "Closed"
    if from_status == to_status:
        return _K.DECISION, f"Re-allocated to {worker}" if worker else "Re-allocated"
    if to_status is ReferralStatus.SCREENING:
        return _K.DECISION, "Screening started"
    if to_status in _DECISION_WORDS:
        word = _DECISION_WORDS[to_status]
        if reason and reason.startswith(word):  # "Signposted to CAMHS Luton: …" says it all
            return _K.DECISION, reason
        return _K.DECISION, f"{word}: {reason}" if reason else word
    if to_status is ReferralStatus.ALLOCATED:
        return _K.DECISION, f"Allocated to {worker}" if worker else "Allocated"
    if from_status is ReferralStatus.CLOSED:
        return _K.DECISION, f"Reopened: {reason}" if reason else "Reopened"
    return _K.DECISION, f"Case {to_status.label.lower()}"


class ChronologyService(Service):
    def for_person(
        self,
        person_id: int,
        kinds: frozenset[ChronologyKind] | None = None,
        limit: int | None = None,
    ) -> list[ChronologyEntry]:
        """The case's timeline, newest first, optionally only some kinds and the latest few."""
        with self._read() as session:
            return self.for_person_in(session, person_id, kinds, limit)

    def for_person_in(
        self,
        session: Session,
        person_id: int,
        kinds: frozenset[ChronologyKind] | None = None,
        limit: int | None = None,
    ) -> list[ChronologyEntry]:
        """``for_person`` in a transaction the caller holds (one snapshot for a document)."""
        wanted = frozenset(ChronologyKind) if kinds is None else kinds
        require_case_access(session, self.actor, person_id, doing="read the chronology")
        if session.scalar(select(YoungPerson.id).where(YoungPerson.id == person_id)) is None:
            raise NotFound(f"No young person with id {person_id}.")
        if not wanted or (limit is not None and limit <= 0):
            return []
        names = {
            user_id: name for user_id, name in session.execute(select(User.id, User.display_name))
        }
        builder = _Builder(session, person_id, names, limit)
        sources: list[tuple[frozenset[ChronologyKind], Callable[[], list[ChronologyEntry]]]] = [
            (frozenset({_K.REFERRAL, _K.DECISION, _K.CLOSURE}), builder.referrals),
            (frozenset({_K.ASSESSMENT}), builder.assessments),
            (frozenset({_K.PLAN}), builder.plans),
            (frozenset({_K.SESSION}), builder.sessions),
            (frozenset({_K.OUTCOME}), builder.outcomes),
            (frozenset({_K.NOTE}), builder.notes),
            (frozenset({_K.EXPORT}), builder.exports),
            (frozenset({_K.FLAG}), builder.flags),
            (frozenset({_K.DECISION}), builder.merges),
            (frozenset({_K.PANEL}), builder.panels),
            (frozenset({_K.INCIDENT}), builder.incidents),
            (frozenset({_K.DOCUMENT}), builder.attachments),
            (frozenset({_K.TASK}), builder.tasks),
        ]
        entries = [
            entry
            for produces, build in sources
            if produces & wanted
            for entry in build()
            if entry.kind in wanted
        ]
        entries.sort(key=ChronologyEntry.sort_key, reverse=True)
        return entries if limit is None else entries[:limit]


class _Builder:
    """One method per source table, each a single query of the columns the entry needs."""

    def __init__(
        self, session: Session, person_id: int, names: dict[int, str], limit: int | None
    ) -> None:
        self.session = session
        self.person_id = person_id
        self.names = names
        self.limit = limit

    def _by(self, user_id: int | None) -> str | None:
        return self.names.get(user_id) if user_id is not None else None

    def referrals(self) -> list[ChronologyEntry]:
        rows = self.session.execute(
            select(
                ReferralTransition.id,
                ReferralTransition.referral_id,
                ReferralTransition.from_status,
                ReferralTransition.to_status,
                ReferralTransition.on_date,
                ReferralTransition.at,
                ReferralTransition.by_user_id,
                ReferralTransition.reason,
                ReferralTransition.worker_id,
                Agency.name,
                Referral.referrer_name,
                Referral.outcome_summary,
                Referral.open_case_referral_id,
            )
            .join(Referral, Referral.id == ReferralTransition.referral_id)
            .join(Agency, Agency.id == Referral.referring_agency_id)
            .where(Referral.young_person_id == self.person_id)
        ).all()
        reasons = self._referral_reasons()
        last_closure: dict[int, int] = {}
        for row in rows:
            if row.to_status is ReferralStatus.CLOSED:
                last_closure[row.referral_id] = max(row.id, last_closure.get(row.referral_id, 0))
        entries = []
        for row in rows:
            worker = self._by(row.worker_id)
            further = row.open_case_referral_id is not None or (
                row.from_status is None and (row.reason or "").endswith(FURTHER_REFERRAL_NOTE)
            )
            kind, title = transition_title(
                row.from_status, row.to_status, row.reason, row.name, worker, further
            )
            if kind is _K.REFERRAL:
                detail = _lines(
                    f"Reasons: {reasons[row.referral_id]}" if reasons.get(row.referral_id) else "",
                    f"Referrer: {row.referrer_name}" if row.referrer_name else "",
                )
            elif kind is _K.CLOSURE:
                last = last_closure.get(row.referral_id) == row.id
                detail = (row.outcome_summary or "") if last else ""
            elif row.reason and row.reason not in title and row.reason != "Re-allocated":
                detail = row.reason
            else:
                detail = ""
            at, date_only = _moment(row.on_date, row.at)
            entries.append(
                ChronologyEntry(
                    at=at,
                    kind=kind,
                    title=title,
                    detail=detail,
                    by=self._by(row.by_user_id),
                    source_id=row.id,
                    date_only=date_only,
                )
            )
        return entries

    def _referral_reasons(self) -> dict[int, str]:
        rows = self.session.execute(
            select(ReferralReasonRow.referral_id, ReferralReasonRow.reason)
            .join(Referral, Referral.id == ReferralReasonRow.referral_id)
            .where(Referral.young_person_id == self.person_id)
        ).all()
        grouped: dict[int, list[ReferralReason]] = {}
        for referral_id, reason in rows:
            grouped.setdefault(referral_id, []).append(reason)
        order = list(ReferralReason)
        return {
            referral_id: ", ".join(r.label for r in sorted(found, key=order.index))
            for referral_id, found in grouped.items()
        }

    def assessments(self) -> list[ChronologyEntry]:
        rows = self.session.execute(
            select(
                RiskAssessment.id,
                RiskAssessment.assessed_on,
                RiskAssessment.level,
                RiskAssessment.risk_factors,
                RiskAssessment.protective_factors,
                RiskAssessment.next_review_on,
                RiskAssessment.assessor_id,
                RiskAssessment.created_at,
            ).where(RiskAssessment.young_person_id == self.person_id)
        ).all()
        return [
            self._dated(
                row.assessed_on,
                row.created_at,
                kind=_K.ASSESSMENT,
                title=f"Risk assessed: {row.level.label.lower()}",
                detail=_lines(
                    f"Risk factors: {row.risk_factors}" if row.risk_factors else "",
                    f"Protective factors: {row.protective_factors}"
                    if row.protective_factors
                    else "",
                    f"Next review due {format_uk_date(row.next_review_on)}",
                ),
                by=self._by(row.assessor_id),
                source_id=row.id,
            )
            for row in rows
        ]

    def plans(self) -> list[ChronologyEntry]:
        rows = self.session.execute(
            select(
                InterventionPlan.id,
                InterventionPlan.plan_version,
                InterventionPlan.started_on,
                InterventionPlan.review_on,
                InterventionPlan.summary,
                InterventionPlan.created_by_id,
                InterventionPlan.created_at,
            ).where(InterventionPlan.young_person_id == self.person_id)
        ).all()
        return [
            self._dated(
                row.started_on,
                row.created_at,
                kind=_K.PLAN,
                title=f"Plan version {row.plan_version} started",
                detail=_lines(
                    row.summary,
                    f"Review due {format_uk_date(row.review_on)}" if row.review_on else "",
                ),
                by=self._by(row.created_by_id),
                source_id=row.id,
            )
            for row in rows
        ]

    def sessions(self) -> list[ChronologyEntry]:
        """Sessions that happened or were due: a booking still in the future is not history."""
        now = dt.datetime.now()
        query = (
            select(
                MentoringSession.id,
                MentoringSession.planned_start,
                MentoringSession.duration_minutes,
                MentoringSession.session_type,
                MentoringSession.attendance,
                MentoringSession.location,
                MentoringSession.topics,
                MentoringSession.notes,
                MentoringSession.mentor_id,
                MentoringSession.confidential,
                GroupSession.title.label("group_title"),
            )
            .outerjoin(GroupSession, GroupSession.id == MentoringSession.group_session_id)
            .where(
                MentoringSession.young_person_id == self.person_id,
                or_(
                    MentoringSession.attendance != Attendance.PLANNED,
                    MentoringSession.planned_start <= now,
                ),
            )
            .order_by(MentoringSession.planned_start.desc(), MentoringSession.id.desc())
        )
        if self.limit is not None:
            query = query.limit(self.limit)
        return [
            ChronologyEntry(
                at=row.planned_start,
                kind=_K.SESSION,
                title=(f"{group_label(row.group_title)}: " if row.group_title else "")
                + session_title(row.attendance, row.session_type.label, row.duration_minutes),
                detail=_lines(
                    f"Location: {row.location}" if row.location else "",
                    f"Topics: {row.topics}" if row.topics else "",
                    row.notes,
                ),
                by=self._by(row.mentor_id),
                source_id=row.id,
                confidential=bool(row.confidential),
            )
            for row in self.session.execute(query)
        ]

    def outcomes(self) -> list[ChronologyEntry]:
        rows = self.session.execute(
            select(
                Outcome.id,
                Outcome.recorded_on,
                Outcome.point,
                Outcome.risk_level,
                Outcome.education_status,
                Outcome.arrests,
                Outcome.charges,
                Outcome.wellbeing,
                Outcome.goals_achieved,
                Outcome.created_by_id,
                Outcome.created_at,
            ).where(Outcome.young_person_id == self.person_id)
        ).all()
        entries = []
        for row in rows:
            parts: Iterable[str | None] = (
                f"Risk level: {row.risk_level.label.lower()}" if row.risk_level else None,
                f"Education: {row.education_status.label}" if row.education_status else None,
                f"Wellbeing: {row.wellbeing}/10" if row.wellbeing is not None else None,
                f"Arrests: {row.arrests}" if row.arrests is not None else None,
                f"Charges: {row.charges}" if row.charges is not None else None,
                f"Goals achieved: {row.goals_achieved}" if row.goals_achieved is not None else None,
            )
            entries.append(
                self._dated(
                    row.recorded_on,
                    row.created_at,
                    kind=_K.OUTCOME,
                    title=f"Outcome recorded ({row.point.label.lower()})",
                    detail="; ".join(p for p in parts if p),
                    by=self._by(row.created_by_id),
                    source_id=row.id,
                )
            )
        return entries

    def notes(self) -> list[ChronologyEntry]:
        query = (
            select(
                CaseNote.id,
                CaseNote.occurred_at,
                CaseNote.subject,
                CaseNote.body,
                CaseNote.author_id,
                CaseNote.confidential,
            )
            .where(CaseNote.young_person_id == self.person_id)
            .order_by(CaseNote.occurred_at.desc(), CaseNote.id.desc())
        )
        if self.limit is not None:
            query = query.limit(self.limit)
        return [
            ChronologyEntry(
                at=utc_to_local(row.occurred_at),
                kind=_K.NOTE,
                title=row.subject,
                detail=row.body,
                by=self._by(row.author_id),
                source_id=row.id,
                confidential=bool(row.confidential),
            )
            for row in self.session.execute(query)
        ]

    def exports(self) -> list[ChronologyEntry]:
        rows = self.session.execute(
            select(
                DocumentExport.id,
                DocumentExport.at,
                DocumentExport.by_user_id,
                DocumentExport.kind,
                DocumentExport.profile,
                DocumentExport.prepared_for,
                DocumentExport.pages,
            ).where(DocumentExport.young_person_id == self.person_id)
        ).all()
        return [
            ChronologyEntry(
                at=utc_to_local(row.at),
                kind=_K.EXPORT,
                title=f"{row.kind.replace('_', ' ').capitalize()} exported",
                detail=_lines(
                    f"Prepared for {row.prepared_for}" if row.prepared_for else "",
                    f"Profile: {row.profile.replace('_', ' ')}" if row.profile else "",
                    f"{row.pages} pages" if row.pages else "",
                ),
                by=self._by(row.by_user_id),
                source_id=row.id,
            )
            for row in rows
        ]

    def attachments(self) -> list[ChronologyEntry]:
        """A file kept on the case (a removed one is gone from here; the audit keeps it)."""
        rows = self.session.execute(
            select(
                Attachment.id,
                Attachment.created_at,
                Attachment.created_by_id,
                Attachment.file_name,
                Attachment.description,
            ).where(Attachment.young_person_id == self.person_id)
        ).all()
        return [
            ChronologyEntry(
                at=utc_to_local(row.created_at),
                kind=_K.DOCUMENT,
                title=f"Document added: {row.file_name}",
                detail=row.description or "",
                by=self._by(row.created_by_id),
                source_id=row.id,
            )
            for row in rows
        ]

    def tasks(self) -> list[ChronologyEntry]:
        """A task on the case that was done: what, by whom, for whom (open and cancelled
        tasks are plans, not events; the Tasks list keeps them)."""
        rows = self.session.execute(
            select(
                Task.id,
                Task.title,
                Task.completed_on,
                Task.completed_by_id,
                Task.assignee_id,
                Task.updated_at,
                Task.notes,
            ).where(Task.young_person_id == self.person_id, Task.status == TaskStatus.DONE)
        ).all()
        entries: list[ChronologyEntry] = []
        for row in rows:
            if row.completed_on is None:
                continue
            by = self._by(row.completed_by_id)
            assignee = self._by(row.assignee_id)
            entries.append(
                self._dated(
                    row.completed_on,
                    row.updated_at,
                    kind=_K.TASK,
                    title=f"Task done: {row.title}",
                    detail=_lines(
                        f"Task of {assignee}" if assignee and assignee != by else None,
                        row.notes,
                    ),
                    by=by,
                    source_id=row.id,
                )
            )
        return entries

    def merges(self) -> list[ChronologyEntry]:
        """A duplicate record merged into this one, or this one merged into another
        (``services.merging``), and an undo: both records' timelines say what happened."""
        rows = self.session.scalars(
            select(PersonMerge).where(
                or_(PersonMerge.kept_id == self.person_id, PersonMerge.merged_id == self.person_id)
            )
        ).all()
        entries = []
        for merge in rows:
            kept = merge.kept_id == self.person_id
            other = merge.merged_case_ref if kept else merge.kept_case_ref
            title = (
                f"Duplicate record {other} merged into this record"
                if kept
                else f"Merged into {other}: this record was a duplicate"
            )
            detail = _lines(
                "Its referrals, sessions, notes and other records moved here."
                if kept
                else f"Its referrals, sessions, notes and other records moved to {other}.",
                f"Reason: {merge.reason}" if merge.reason else "",
            )
            entries.append(
                ChronologyEntry(
                    at=utc_to_local(merge.merged_at),
                    kind=_K.DECISION,
                    title=title,
                    detail=detail,
                    by=self._by(merge.merged_by_id),
                    source_id=merge.id,
                )
            )
            if merge.undone_at is not None:
                entries.append(
                    ChronologyEntry(
                        at=utc_to_local(merge.undone_at),
                        kind=_K.DECISION,
                        title=f"Merge with {other} undone",
                        detail="The records moved by the merge went back to where they were.",
                        by=self._by(merge.undone_by_id),
                        source_id=merge.id,
                    )
                )
        return entries

    def panels(self) -> list[ChronologyEntry]:
        """A multi-agency panel that discussed the case (or will): its decision and actions.
        Only this case's item: the other cases on the agenda are not this case's history."""
        rows = self.session.execute(
            select(PanelItem, PanelMeeting.held_at, PanelMeeting.panel_type, PanelMeeting.title)
            .join(PanelMeeting, PanelMeeting.id == PanelItem.meeting_id)
            .where(PanelItem.young_person_id == self.person_id)
        ).all()
        now = dt.datetime.now()
        entries: list[ChronologyEntry] = []
        for item, held_at, panel_type, title in rows:
            label = meeting_label(panel_type, title, held_at.date())
            actions = [
                f"Action: {a.description} ({a.owner_name or 'the unit'}"
                f"{', ' + a.agency if a.agency else ''}; due {format_uk_date(a.due_on)})"
                for a in item.actions
            ]
            entries.append(
                ChronologyEntry(
                    at=held_at,
                    kind=_K.PANEL,
                    title=(
                        f"Discussed at {label}" if held_at <= now else f"On the agenda of {label}"
                    ),
                    detail=_lines(
                        f"Decision: {item.decision}" if item.decision else None, *actions
                    ),
                    by=self._by(item.created_by_id),
                    source_id=item.id,
                )
            )
        return entries

    def incidents(self) -> list[ChronologyEntry]:
        """An incident the young person was involved in, with their role. The detail's first
        line is its source and reference, the rest its summary (the multi-agency summary
        keeps only the first line: the account names others, ``services.summary``)."""
        rows = self.session.execute(
            select(Incident, IncidentParty.role, Place.name)
            .join(IncidentParty, IncidentParty.incident_id == Incident.id)
            .outerjoin(Place, Place.id == Incident.place_id)
            .where(IncidentParty.young_person_id == self.person_id)
        ).all()
        entries: list[ChronologyEntry] = []
        for incident, role, place in rows:
            where = place or incident.location
            source = f"Source: {incident.source.label}"
            if incident.reference:
                source += f"; reference {incident.reference}"
            entries.append(
                ChronologyEntry(
                    at=incident.occurred_at,
                    kind=_K.INCIDENT,
                    title=f"{incident.kind.label}"
                    + (f" at {where}" if where else "")
                    + f" ({role.label.lower()})",
                    detail=_lines(source, incident.summary),
                    by=self._by(incident.created_by_id),
                    source_id=incident.id,
                )
            )
        return entries

    def flags(self) -> list[ChronologyEntry]:
        """A flag's start, its NRM decisions and its end, each on its own day."""
        rows = self.session.execute(
            select(SafeguardingFlagRecord).where(
                SafeguardingFlagRecord.young_person_id == self.person_id
            )
        ).scalars()
        entries: list[ChronologyEntry] = []
        for flag in rows:
            label = flag.kind.label
            started = "Missing" if flag.kind is FlagKind.MISSING else f"Flag added: {label}"
            if flag.kind is FlagKind.NRM:
                started = "National Referral Mechanism referral made"
            entries.append(
                self._dated(
                    flag.started_on,
                    flag.created_at,
                    kind=_K.FLAG,
                    title=started,
                    detail=flag.note or "",
                    by=self._by(flag.created_by_id),
                    source_id=flag.id,
                )
            )
            for words, decision, on in (
                ("reasonable grounds", flag.reasonable_grounds, flag.reasonable_grounds_on),
                ("conclusive grounds", flag.conclusive_grounds, flag.conclusive_grounds_on),
            ):
                if decision is not None and on is not None:
                    entries.append(
                        self._dated(
                            on,
                            None,
                            kind=_K.FLAG,
                            title=f"NRM {words} decision: {decision.label.lower()}",
                            detail="",
                            by=None,
                            source_id=flag.id,
                        )
                    )
            if flag.ended_on is not None:
                if flag.kind is FlagKind.MISSING:
                    done = flag.return_interview_done
                    interview = (
                        ""
                        if done is None
                        else f"Return home interview {'done' if done else 'not done'}."
                    )
                    title, detail = "Found after a missing episode", interview
                else:
                    title, detail = f"Flag ended: {label}", ""
                entries.append(
                    self._dated(
                        flag.ended_on,
                        None,
                        kind=_K.FLAG,
                        title=title,
                        detail=detail,
                        by=self._by(flag.ended_by_id),
                        source_id=flag.id,
                    )
                )
        return entries

    def _dated(
        self,
        day: dt.date,
        saved_utc: dt.datetime | None,
        *,
        kind: ChronologyKind,
        title: str,
        detail: str,
        by: str | None,
        source_id: int,
    ) -> ChronologyEntry:
        at, date_only = _moment(day, saved_utc)
        return ChronologyEntry(
            at=at,
            kind=kind,
            title=title,
            detail=detail,
            by=by,
            source_id=source_id,
            date_only=date_only,
        )
