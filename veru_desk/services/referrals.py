"""Referrals: intake, triage decisions, allocation, closing and reopening an episode.

Every status move goes through ``_move``: it checks the workflow, records a dated and
attributed transition, audits it and refreshes the case summary, in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from veru_desk.db.models import (
    Agency,
    Referral,
    ReferralReasonRow,
    ReferralTransition,
    User,
    UserRole,
    YoungPerson,
    utcnow,
)
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.eligibility import eligibility_warning, needs_parent_consent
from veru_desk.domain.enums import (
    AgencyType,
    AuditAction,
    ClosureReason,
    ConsentStatus,
    Priority,
    ReferralReason,
    ReferralStatus,
    Role,
    SharingBasis,
)
from veru_desk.domain.errors import ValidationError, WorkflowError
from veru_desk.domain.text import check_names, clean_free_text
from veru_desk.domain.workflow import (
    ENDED_STATUSES,
    MANAGER_ONLY,
    check_further_referral_move,
    check_transition,
    decision_requires_reason,
    signpost_problems,
    signpost_reason,
    triage_order,
)
from veru_desk.services import audit, case_state
from veru_desk.services.access import (
    require_case_access,
    require_referral_access,
    require_role,
)
from veru_desk.services.actor import Actor
from veru_desk.services.base import Service, check_version, get_or_404, user_names
from veru_desk.services.people import PersonDetails, add_person, or_column_default

#: Added to the first transition of a further referral, so the chronology and the audit trail
#: say that it joined an open case rather than opening a new episode.
FURTHER_REFERRAL_NOTE = " (a further referral while the case was open)"


# Fields that name or identify: a control character in one is refused (domain.text).
_NAME_FIELDS = {
    "referring_agency": "Referring agency",
    "referrer_name": "Referrer's name",
    "referrer_contact": "Referrer's contact details",
}
_NAME_LIMITS = {"referring_agency": 200, "referrer_name": 200, "referrer_contact": 254}


@dataclass(frozen=True)
class ReferralDetails:
    received_on: dt.date
    referring_agency: str
    reasons: frozenset[ReferralReason]
    referring_agency_type: AgencyType = AgencyType.OTHER
    referrer_name: str | None = None
    referrer_contact: str | None = None
    narrative: str | None = None
    consent_young_person: ConsentStatus = ConsentStatus.NOT_ASKED
    consent_parent: ConsentStatus = ConsentStatus.NOT_ASKED
    sharing_basis: SharingBasis | None = None
    priority: Priority = Priority.MEDIUM

    def problems(self, date_of_birth: dt.date | None, today: dt.date) -> dict[str, str]:
        errors: dict[str, str] = {}
        if self.received_on is None:
            errors["received_on"] = "Date received is required (dd/mm/yyyy)."
        elif self.received_on > today:
            errors["received_on"] = "Date received is in the future: check the date."
        elif date_of_birth and self.received_on < date_of_birth:
            errors["received_on"] = "Date received is before the date of birth."
        if not (self.referring_agency or "").strip():
            errors["referring_agency"] = "Referring agency is required."
        errors.update(check_names(vars(self), _NAME_FIELDS, _NAME_LIMITS))
        if (
            date_of_birth
            and self.received_on
            and date_of_birth <= self.received_on
            and needs_parent_consent(date_of_birth, self.received_on)
            and self.consent_parent is ConsentStatus.NOT_REQUIRED
        ):
            errors["consent_parent"] = (
                "Under 16 on the referral date: record the parent or carer's consent."
            )
        return errors


@dataclass(frozen=True)
class IntakeResult:
    person_id: int
    referral_id: int
    case_ref: str
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TransitionView:
    from_status: ReferralStatus | None
    to_status: ReferralStatus
    on_date: dt.date
    by: str | None
    reason: str | None
    worker: str | None


@dataclass(frozen=True)
class ReferralView:
    id: int
    version: int
    person_id: int
    case_ref: str
    person_name: str
    date_of_birth: dt.date
    received_on: dt.date
    agency: str
    agency_type: AgencyType
    referrer_name: str | None
    referrer_contact: str | None
    reasons: list[ReferralReason]
    narrative: str | None
    consent_young_person: ConsentStatus
    consent_parent: ConsentStatus
    sharing_basis: SharingBasis | None
    priority: Priority
    status: ReferralStatus
    decision_reason: str | None
    worker_id: int | None
    worker: str | None
    closed_on: dt.date | None
    closure_reason: ClosureReason | None
    outcome_summary: str | None
    transitions: list[TransitionView]
    previous_referrals: int = 0
    age_warning: str | None = None
    #: set for a further referral of an open case: the episode it joined, and that case now
    open_case_referral_id: int | None = None
    case_status: ReferralStatus | None = None
    case_worker: str | None = None
    case_allocated_on: dt.date | None = None
    case_priority: Priority | None = None

    @property
    def is_further_referral(self) -> bool:
        return self.open_case_referral_id is not None

    @property
    def open_case_text(self) -> str:
        """``open case, allocated to Dariusz Wójcik since 14/10/2026``: what the triage queue
        says about the case a further referral joined."""
        if self.case_status is None:
            return ""
        status = self.case_status
        if status in (ReferralStatus.ALLOCATED, ReferralStatus.ACTIVE) and self.case_worker:
            since = self.case_allocated_on
            return f"open case, allocated to {self.case_worker}" + (
                f" since {format_uk_date(since)}" if since else ""
            )
        if status is ReferralStatus.ACCEPTED:
            return "open case, accepted and awaiting allocation"
        if status.awaiting_triage:
            return "case awaiting triage (an earlier referral is not decided yet)"
        return f"case {status.label.lower()}"


@dataclass(frozen=True)
class WorkerLoad:
    user_id: int
    display_name: str
    open_cases: int


def agency_id_for(session: Session, name: str, agency_type: AgencyType) -> int:
    """Finds a partner agency by name (case-insensitive) or records a new one."""
    name = " ".join(name.split())
    found = session.scalar(select(Agency.id).where(func.lower(Agency.name) == name.lower()))
    if found is not None:
        return found
    agency = Agency(name=name, agency_type=agency_type)
    session.add(agency)
    session.flush()
    return agency.id


def add_referral(
    session: Session, person_id: int, details: ReferralDetails, user_id: int | None, source: str
) -> Referral:
    """Inserts a received referral with its first transition; shared by intake and import."""
    referral_id = add_referrals(session, [(person_id, details)], user_id, source)[0]
    return session.get_one(Referral, referral_id)


def add_referrals(
    session: Session,
    items: Sequence[tuple[int, ReferralDetails]],
    user_id: int | None,
    source: str,
) -> list[int]:
    """Inserts received referrals ``(person_id, details)`` with their reasons and first
    transitions, refreshes the people's case summaries, and returns the new referral ids:
    a few statements for the whole batch, so a 10,000-row import takes seconds.

    A referral for a young person whose case is open (an episode received, in screening,
    accepted, allocated or active) joins that episode as a further referral: it waits for
    the manager's decision in the triage queue, and the case keeps its status, worker, risk
    and review dates. Otherwise it opens a new episode, and any later referral for the same
    person in the batch joins that one. ``add_referral`` is this with one referral, so the
    referral form, the import wizard and ``veru-desk import-referrals`` all behave alike.
    """
    if not items:
        return []
    agencies = _agency_ids_for(
        session, [(d.referring_agency, d.referring_agency_type) for _pid, d in items]
    )
    open_case = case_state.open_episodes(session, [person_id for person_id, _d in items])
    stamp = utcnow()
    rows = [
        {
            "young_person_id": person_id,
            "received_on": details.received_on,
            "referring_agency_id": agencies[_agency_key(details.referring_agency)],
            "referrer_name": (details.referrer_name or "").strip() or None,
            "referrer_contact": (details.referrer_contact or "").strip() or None,
            "narrative": (clean_free_text(details.narrative) or "").strip() or None,
            "consent_young_person": details.consent_young_person,
            "consent_parent": details.consent_parent,
            "sharing_basis": details.sharing_basis,
            "priority": details.priority,
            "status": ReferralStatus.RECEIVED,
            "source": source,
            "open_case_referral_id": open_case.get(person_id),
            "created_by_id": user_id,
            "updated_by_id": user_id,
            "created_at": stamp,
            "updated_at": stamp,
            "version": 1,
        }
        for person_id, details in items
    ]
    ids = _insert_referrals(session, rows)
    further_of: dict[int, int] = {}
    for referral_id, (person_id, _details) in zip(ids, items, strict=True):
        if person_id in open_case:
            further_of[referral_id] = open_case[person_id]
        else:
            open_case[person_id] = referral_id  # the batch's first opens the episode
    in_batch = [
        {"b_id": referral_id, "b_episode": episode_id}
        for referral_id, episode_id in further_of.items()
        if episode_id in ids
    ]
    if in_batch:
        session.connection().execute(
            update(cast(Table, Referral.__table__))  # a declared model maps one table
            .where(Referral.__table__.c.id == bindparam("b_id"))
            .values(open_case_referral_id=bindparam("b_episode")),
            in_batch,
        )
    reasons = [
        {"referral_id": referral_id, "reason": reason}
        for referral_id, (_pid, details) in zip(ids, items, strict=True)
        for reason in sorted(details.reasons)
    ]
    if reasons:
        session.execute(insert(ReferralReasonRow), reasons)
    session.execute(
        insert(ReferralTransition),
        [
            {
                "referral_id": referral_id,
                "from_status": None,
                "to_status": ReferralStatus.RECEIVED,
                "on_date": details.received_on,
                "at": stamp,
                "by_user_id": user_id,
                "reason": f"Referred by {details.referring_agency}"
                + (FURTHER_REFERRAL_NOTE if referral_id in further_of else ""),
            }
            for referral_id, (_pid, details) in zip(ids, items, strict=True)
        ],
    )
    case_state.refresh_many(session, [person_id for person_id, _d in items])
    return ids


def _insert_referrals(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Inserts the rows and returns their ids in the order given, a batch per statement.

    Each statement tells every new id with its young person, so a batch holds at most one
    referral per person: a run of consecutive rows, so ids are given in the same order as
    before. (Asked for ids in parameter order instead, SQLAlchemy sends SQLite one INSERT per
    referral: its RETURNING has no order.)"""
    ids: list[int] = []
    start = 0
    while start < len(rows):
        people: set[int] = set()
        end = start
        while end < len(rows) and rows[end]["young_person_id"] not in people:
            people.add(rows[end]["young_person_id"])
            end += 1
        batch = [
            {name: or_column_default(Referral, name, value) for name, value in row.items()}
            for row in rows[start:end]
        ]
        id_of = {
            person_id: referral_id
            for person_id, referral_id in session.execute(
                insert(Referral).returning(Referral.young_person_id, Referral.id),
                batch,
                execution_options={"render_nulls": True},
            )
        }
        ids.extend(id_of[row["young_person_id"]] for row in rows[start:end])
        start = end
    return ids


def _agency_key(name: str) -> str:
    return " ".join(name.split()).lower()


def _agency_ids_for(session: Session, wanted: Sequence[tuple[str, AgencyType]]) -> dict[str, int]:
    """``{lower-case name: id}`` for the named agencies, recording new ones (one lookup)."""
    if len(wanted) == 1:
        name, agency_type = wanted[0]
        return {_agency_key(name): agency_id_for(session, name, agency_type)}
    keys = {_agency_key(name) for name, _type in wanted}
    found = {
        name.lower(): agency_id
        for agency_id, name in session.execute(select(Agency.id, Agency.name))
        if name.lower() in keys
    }
    for name, agency_type in wanted:
        key = _agency_key(name)
        if key not in found:
            found[key] = agency_id_for(session, name, agency_type)
    return found


def record_transition(
    session: Session,
    actor: Actor,
    referral: Referral,
    old: ReferralStatus,
    reason: str | None,
    on: dt.date | None,
    worker: User | None = None,
) -> None:
    """Records a move already made on ``referral.status``: the dated, attributed transition,
    its audit event and the refreshed case summary. Shared with services that move a referral
    as a consequence (a first attended session makes an allocated case active)."""
    referral.updated_by_id = actor.user_id
    session.add(
        ReferralTransition(
            referral_id=referral.id,
            from_status=old,
            to_status=referral.status,
            on_date=on or dt.date.today(),
            by_user_id=actor.user_id,
            reason=(clean_free_text(reason) or "").strip() or None,
            worker_id=worker.id if worker else None,
        )
    )
    what = f"{old.label} → {referral.status.label}" if old != referral.status else "Re-allocated"
    if worker is not None:
        what += f" (to {worker.display_name})"
    said = (clean_free_text(reason) or "").strip()
    if old == referral.status and said and said != "Re-allocated":
        what += f": {said}"  # why a case changed hands (leave cover...) is in the audit trail
    audit.record(
        session,
        actor,
        AuditAction.UPDATE,
        entity=referral,
        person_id=referral.young_person_id,
        summary=what,
        changes={"status": (old, referral.status)} if old != referral.status else None,
    )
    case_state.refresh(session, referral.young_person_id)


@dataclass
class _Known:
    """What the views of many referrals share, read once for all of them (on a server each
    look-up is a round trip): the names of everyone who moved, decided or was allocated
    them, and the open episodes that further referrals joined."""

    names: dict[int, str]
    episodes: dict[int, Referral]


def _known(session: Session, referrals: Sequence[Referral]) -> _Known:
    by_id = {r.id: r for r in referrals}
    wanted = {r.open_case_referral_id for r in referrals if r.open_case_referral_id is not None}
    episodes = {i: by_id[i] for i in wanted if i in by_id}
    if missing := wanted - episodes.keys():
        episodes.update(
            (episode.id, episode)
            for episode in session.scalars(select(Referral).where(Referral.id.in_(missing)))
        )
    ids = {r.allocated_worker_id for r in [*referrals, *episodes.values()]} | {
        user_id for r in referrals for t in r.transitions for user_id in (t.by_user_id, t.worker_id)
    }
    return _Known(user_names(session, ids), episodes)


def _earlier_among(referral: Referral, episodes: Sequence[Referral]) -> int:
    """How many of a case's other referrals were received on or before this one's day: the
    count ``_view`` asks the database for, taken from the case's referrals already read."""
    return sum(1 for r in episodes if r.id != referral.id and r.received_on <= referral.received_on)


def _earlier_counts(session: Session, referrals: Sequence[Referral]) -> dict[int, int]:
    """``_earlier_among`` for referrals of many cases (the triage queue), by referral id: the
    cases' referrals read in a statement per 500 cases rather than a count for each."""
    people = sorted({r.young_person_id for r in referrals})
    by_person: dict[int, list[tuple[int, dt.date]]] = {}
    for start in range(0, len(people), 500):
        for person_id, referral_id, received_on in session.execute(
            select(Referral.young_person_id, Referral.id, Referral.received_on).where(
                Referral.young_person_id.in_(people[start : start + 500])
            )
        ):
            by_person.setdefault(person_id, []).append((referral_id, received_on))
    return {
        r.id: sum(
            1
            for other_id, received_on in by_person.get(r.young_person_id, [])
            if other_id != r.id and received_on <= r.received_on
        )
        for r in referrals
    }


def _open_case_fields(referral: Referral, known: _Known) -> dict[str, Any]:
    """A further referral's view says which open case it joined, and who has it."""
    if referral.open_case_referral_id is None:
        return {}
    episode = known.episodes[referral.open_case_referral_id]
    return {
        "open_case_referral_id": episode.id,
        "case_status": episode.status,
        "case_worker": known.names.get(episode.allocated_worker_id or -1),
        "case_allocated_on": episode.allocated_on,
        "case_priority": episode.priority,
    }


class ReferralService(Service):
    # --- intake ----------------------------------------------------------------------------

    def create(
        self,
        referral: ReferralDetails,
        *,
        person: PersonDetails | None = None,
        person_id: int | None = None,
    ) -> IntakeResult:
        """A new referral for a new person (``person``) or a known one (``person_id``)."""
        today = dt.date.today()
        errors: dict[str, str] = {}
        if person is not None:
            try:
                person = person.validated(today)
            except ValidationError as error:
                errors.update(error.fields)
        elif person_id is None:
            errors["person"] = "Choose an existing young person or enter new details."
        with self._write() as session:
            require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing="record a referral")
            dob = person.date_of_birth if person else None
            if person_id is not None:
                dob = get_or_404(session, YoungPerson, person_id, "young person").date_of_birth
            errors.update(referral.problems(dob, today))
            if errors:
                raise ValidationError(errors)
            if person_id is None:
                assert person is not None
                person_id = add_person(session, person, self.actor.user_id)
                self._audit(
                    session,
                    AuditAction.CREATE,
                    entity_type="young_person",
                    entity_id=person_id,
                    person_id=person_id,
                    summary="Young person added at referral",
                )
            row = add_referral(session, person_id, referral, self.actor.user_id, "manual")
            further = " for the open case" if row.open_case_referral_id is not None else ""
            self._audit(
                session,
                AuditAction.CREATE,
                entity=row,
                person_id=person_id,
                summary=f"Referral received from {referral.referring_agency}{further}",
            )
            case_ref = session.get_one(YoungPerson, person_id).case_ref
        warnings = [w for w in [eligibility_warning(dob, referral.received_on)] if w] if dob else []
        return IntakeResult(person_id, row.id, case_ref, warnings)

    # --- workflow --------------------------------------------------------------------------

    def start_screening(self, referral_id: int) -> None:
        with self._write() as session:
            self._move(session, referral_id, ReferralStatus.SCREENING, None, None)

    def decide(
        self,
        referral_id: int,
        decision: ReferralStatus,
        reason: str,
        *,
        priority: Priority | None = None,
        on: dt.date | None = None,
        expected_version: int | None = None,
        signposted_to: str | None = None,
    ) -> None:
        """A manager's triage decision: accepted, declined or signposted, with a reason.

        For a further referral of an open case, accepting it adds it to the case and nothing
        else changes; ``priority`` is then the case's priority (raising it is the manager's
        choice, recorded on the case's episode).

        ``signposted_to`` names the service a signposted young person is passed to (required
        when given, as the triage page gives it); it is recorded at the head of the decision
        reason (``workflow.signpost_reason``), where the history, the chronology and the
        case's referrals show it. Callers that predate it (imports, scripts) pass None and
        name the service in the reason.
        """
        if decision not in (
            ReferralStatus.ACCEPTED,
            ReferralStatus.DECLINED,
            ReferralStatus.SIGNPOSTED,
        ):
            raise ValidationError({"decision": "Choose accept, decline or signpost."})
        if decision is ReferralStatus.SIGNPOSTED and signposted_to is not None:
            problems = signpost_problems(signposted_to)
            if not (reason or "").strip():
                problems["reason"] = "Give a reason for this decision."
            if problems:
                raise ValidationError(problems)
            reason = signpost_reason(signposted_to, reason)
        with self._write() as session:
            referral = self._move(
                session, referral_id, decision, reason, on, expected_version=expected_version
            )
            referral.decision_reason = (clean_free_text(reason) or "").strip() or None
            referral.decided_on = on or dt.date.today()
            referral.decided_by_id = self.actor.user_id
            if referral.open_case_referral_id is None:
                if priority is not None:
                    referral.priority = priority
            elif priority is not None:
                self._set_case_priority(session, referral.open_case_referral_id, priority)

    def _set_case_priority(self, session: Session, episode_id: int, priority: Priority) -> None:
        episode = get_or_404(session, Referral, episode_id, "referral")
        if episode.priority is priority:
            return
        old = episode.priority
        episode.priority = priority
        self._record_update(
            session,
            episode,
            {"priority": (old, priority)},
            person_id=episode.young_person_id,
            summary=f"Case priority changed from {old.label.lower()} to "
            f"{priority.label.lower()} on a further referral",
        )

    def allocate(
        self, referral_id: int, worker_id: int, reason: str | None = None, on: dt.date | None = None
    ) -> None:
        """Allocates (or re-allocates) an accepted case to a caseworker.

        Given a further referral of an open case, re-allocates that case (the manager's
        optional choice when deciding on a re-referral).
        """
        with self._write() as session:
            self.allocate_in(session, referral_id, worker_id, reason, on)

    def allocate_in(
        self,
        session: Session,
        referral_id: int,
        worker_id: int,
        reason: str | None = None,
        on: dt.date | None = None,
    ) -> Referral:
        """``allocate`` in a transaction the caller holds (a reallocation of several cases
        at once, all or none); returns the case's episode as allocated."""
        require_role(self.actor, Role.MANAGER, doing="allocate cases")
        worker = session.get(User, worker_id)
        if worker is None or not worker.active or Role.CASEWORKER not in worker.role_set:
            raise ValidationError({"worker": "Choose an active caseworker."})
        referral = get_or_404(session, Referral, referral_id, "referral")
        if referral.open_case_referral_id is not None:
            referral_id = referral.open_case_referral_id
            referral = get_or_404(session, Referral, referral_id, "referral")
        if referral.status is ReferralStatus.ACCEPTED:
            self._move(session, referral_id, ReferralStatus.ALLOCATED, reason, on, worker)
        elif referral.status in (ReferralStatus.ALLOCATED, ReferralStatus.ACTIVE):
            self._record(session, referral, referral.status, reason or "Re-allocated", on, worker)
        else:
            check_transition(referral.status, ReferralStatus.ALLOCATED)
        referral.allocated_worker_id = worker_id
        referral.allocated_on = on or dt.date.today()
        case_state.refresh(session, referral.young_person_id)
        return referral

    def close(
        self,
        referral_id: int,
        reason: ClosureReason,
        outcome_summary: str,
        on: dt.date | None = None,
    ) -> None:
        if not outcome_summary.strip():
            raise ValidationError({"outcome_summary": "Write a short outcome summary."})
        with self._write() as session:
            referral = self._move(session, referral_id, ReferralStatus.CLOSED, reason.label, on)
            referral.closed_on = on or dt.date.today()
            referral.closure_reason = reason
            referral.outcome_summary = (clean_free_text(outcome_summary) or "").strip()

    def reopen(self, referral_id: int, reason: str, on: dt.date | None = None) -> None:
        """Reopens a closed episode; refused while another episode of the case is open, since
        two open episodes would leave one of them off every caseload."""
        with self._write() as session:
            referral = get_or_404(session, Referral, referral_id, "referral")
            other = session.scalars(
                select(Referral)
                .where(
                    Referral.young_person_id == referral.young_person_id,
                    Referral.id != referral.id,
                    Referral.open_case_referral_id.is_(None),
                    Referral.status.not_in(sorted(ENDED_STATUSES)),
                )
                .limit(1)
            ).first()
            if other is not None and referral.status is ReferralStatus.CLOSED:
                raise WorkflowError(
                    f"This case has a newer referral (received "
                    f"{format_uk_date(other.received_on)}) that is "
                    f"{other.status.label.lower()}: decide on that referral (for example "
                    "decline it as a reopening of this case) before reopening this one."
                )
            referral = self._move(session, referral_id, ReferralStatus.ACTIVE, reason, on)
            referral.closed_on = None

    def _move(
        self,
        session: Session,
        referral_id: int,
        new: ReferralStatus,
        reason: str | None,
        on: dt.date | None,
        worker: User | None = None,
        *,
        expected_version: int | None = None,
    ) -> Referral:
        referral = get_or_404(session, Referral, referral_id, "referral")
        check_version(session, referral, expected_version)
        old = referral.status
        if (old, new) in MANAGER_ONLY:
            require_role(self.actor, Role.MANAGER, doing=f"move a referral to {new.label.lower()}")
        else:
            require_case_access(
                session, self.actor, referral.young_person_id, doing="change a referral"
            )
        if referral.open_case_referral_id is not None:
            check_further_referral_move(old, new)
        else:
            check_transition(old, new)
        if decision_requires_reason(new, old) and not (reason or "").strip():
            raise ValidationError({"reason": "Give a reason for this decision."})
        if on is not None and on < referral.received_on:
            raise ValidationError({"on": "The date is before the referral was received."})
        referral.status = new
        self._record(session, referral, old, reason, on, worker)
        if new in ENDED_STATUSES and referral.open_case_referral_id is None:
            self._release_further_referrals(session, referral)
        return referral

    def _release_further_referrals(self, session: Session, episode: Referral) -> None:
        """A further referral still awaiting a decision when its episode ends (closed,
        declined, signposted) becomes an episode of its own in the triage queue, as a
        referral of a closed case would: it is never left attached to a case that ended."""
        pending = session.scalars(
            select(Referral)
            .where(
                Referral.open_case_referral_id == episode.id,
                Referral.status.in_([ReferralStatus.RECEIVED, ReferralStatus.SCREENING]),
            )
            .order_by(Referral.id)
        ).all()
        # The first becomes the new episode and any others join it, as they would have had
        # they arrived after the case ended: a case never has two episodes open at once.
        new_episode = pending[0].id if pending else None
        for further in pending:
            further.open_case_referral_id = None if further.id == new_episode else new_episode
            self._record_update(
                session,
                further,
                {"open_case_referral_id": (episode.id, further.open_case_referral_id)},
                person_id=further.young_person_id,
                summary=f"Further referral received {format_uk_date(further.received_on)} "
                + (
                    "now awaits triage as a new episode"
                    if further.id == new_episode
                    else "joins the new episode awaiting triage"
                )
                + f": the case was {episode.status.label.lower()}",
            )
        if pending:
            case_state.refresh(session, episode.young_person_id)

    def _record(
        self,
        session: Session,
        referral: Referral,
        old: ReferralStatus,
        reason: str | None,
        on: dt.date | None,
        worker: User | None,
    ) -> None:
        record_transition(session, self.actor, referral, old, reason, on, worker)

    # --- queries ---------------------------------------------------------------------------

    def get(self, referral_id: int) -> ReferralView:
        """One referral with its narrative, for managers, for whoever is on the case, and for
        the person who entered it while it awaits triage; every read leaves a trace, as
        opening a case does."""
        with self._write() as session:
            referral = get_or_404(session, Referral, referral_id, "referral")
            require_referral_access(session, self.actor, referral, doing="read a referral")
            self._audit(
                session,
                AuditAction.VIEW,
                entity=referral,
                person_id=referral.young_person_id,
                summary=f"Read the referral received {format_uk_date(referral.received_on)}",
            )
            return self._view(session, referral)

    def for_person(self, person_id: int) -> list[ReferralView]:
        """Every episode of a case, newest first, with its decisions."""
        with self._read() as session:
            return self.for_person_in(session, person_id)

    def for_person_in(self, session: Session, person_id: int) -> list[ReferralView]:
        """``for_person`` in a transaction the caller holds (one snapshot for a document)."""
        require_case_access(session, self.actor, person_id, doing="read referrals")
        rows = session.scalars(
            select(Referral)
            .where(Referral.young_person_id == person_id)
            .order_by(Referral.received_on.desc(), Referral.id.desc())
            .options(selectinload(Referral.transitions), joinedload(Referral.referring_agency))
        ).all()
        # Every episode of the case at once (on a server each look-up is a round trip): the
        # names of everyone who decided or was allocated, and how many came before each.
        known = _known(session, rows)
        return [self._view(session, r, known=known, earlier=_earlier_among(r, rows)) for r in rows]

    def triage_queue(self) -> list[ReferralView]:
        """Received and screening referrals, urgent ones first and then the oldest
        (``workflow.triage_order``): the manager's Monday queue. Further referrals of open
        cases are in it too, each saying which case it joined."""
        with self._read() as session:
            require_role(self.actor, Role.MANAGER, doing="see the triage queue")
            rows = session.scalars(
                select(Referral)
                .where(Referral.status.in_([ReferralStatus.RECEIVED, ReferralStatus.SCREENING]))
                .options(
                    selectinload(Referral.transitions),
                    joinedload(Referral.referring_agency),
                    joinedload(Referral.young_person),
                )
            ).all()
            rows = sorted(rows, key=lambda r: triage_order(r.priority, r.received_on, r.id))
            known = _known(session, rows)
            earlier = _earlier_counts(session, rows)
            return [self._view(session, r, known=known, earlier=earlier.get(r.id, 0)) for r in rows]

    def workers(self) -> list[WorkerLoad]:
        """Active caseworkers with their open caseload, fewest first, for allocation."""
        with self._read() as session:
            require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing="list caseworkers")
            open_statuses = [s for s in ReferralStatus if s.is_open_case]
            load = (
                select(func.count())
                .select_from(YoungPerson)
                .where(
                    YoungPerson.current_worker_id == User.id,
                    YoungPerson.current_status.in_(open_statuses),
                )
                .scalar_subquery()
            )
            rows = session.execute(
                select(User.id, User.display_name, load)
                .join(UserRole, UserRole.user_id == User.id)
                .where(UserRole.role == Role.CASEWORKER, User.active.is_(True))
                .order_by(load, User.display_name)
            ).all()
            return [WorkerLoad(uid, name, count) for uid, name, count in rows]

    def _view(
        self,
        session: Session,
        referral: Referral,
        *,
        known: _Known | None = None,
        earlier: int | None = None,
    ) -> ReferralView:
        """``known`` and ``earlier`` where the caller read them for many referrals at once."""
        person = referral.young_person
        if known is None:
            known = _known(session, [referral])
        names = known.names
        if earlier is None:
            earlier = session.scalar(
                select(func.count())
                .select_from(Referral)
                .where(
                    Referral.young_person_id == person.id,
                    Referral.id != referral.id,
                    Referral.received_on <= referral.received_on,
                )
            )
        return ReferralView(
            id=referral.id,
            version=referral.version,
            person_id=person.id,
            case_ref=person.case_ref,
            person_name=f"{person.first_name} {person.last_name}",
            date_of_birth=person.date_of_birth,
            received_on=referral.received_on,
            agency=referral.referring_agency.name,
            agency_type=referral.referring_agency.agency_type,
            referrer_name=referral.referrer_name,
            referrer_contact=referral.referrer_contact,
            reasons=sorted(referral.reason_set, key=list(ReferralReason).index),
            narrative=referral.narrative,
            consent_young_person=referral.consent_young_person,
            consent_parent=referral.consent_parent,
            sharing_basis=referral.sharing_basis,
            priority=referral.priority,
            status=referral.status,
            decision_reason=referral.decision_reason,
            worker_id=referral.allocated_worker_id,
            worker=names.get(referral.allocated_worker_id or -1),
            closed_on=referral.closed_on,
            closure_reason=referral.closure_reason,
            outcome_summary=referral.outcome_summary,
            transitions=[
                TransitionView(
                    t.from_status,
                    t.to_status,
                    t.on_date,
                    names.get(t.by_user_id or -1),
                    t.reason,
                    names.get(t.worker_id or -1),
                )
                for t in referral.transitions
            ],
            previous_referrals=earlier or 0,
            age_warning=eligibility_warning(person.date_of_birth, referral.received_on),
            **_open_case_fields(referral, known),
        )
