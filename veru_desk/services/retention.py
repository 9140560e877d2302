"""Keeping records no longer than needed: the retention policy, the cases due for review, and
the two ways a manager ends a record's life, anonymisation and erasure.

Anonymising keeps what the unit's statistics need (year of birth, gender, ethnicity, postcode
district, education status, safeguarding flags, dates, statuses, reasons, risk levels,
attendance and outcome scores) and removes everything that identifies the young person or
tells their story in words. Erasing deletes the case outright.

The audit trail must still show that these happened without keeping what was removed, so
every earlier audit event about the person is redacted (see ``db.guards``: the database lets
an audit row's summary and changes be replaced by a fixed marker, and nothing else), and the
new event names only the case reference. Both end with VACUUM and a WAL checkpoint so the
removed text is gone from the database file's bytes, not merely unlinked from its pages.

Backups taken before the change still hold the old data until rotation removes them (at most
a year under the default backup policy); the confirmation shown to the manager says so.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import Date, Select, delete, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from veru_desk.db.guards import REDACTED_SUMMARY
from veru_desk.db.models import (
    Attachment,
    AuditEvent,
    CaseAnalysis,
    CaseNote,
    ConcernLink,
    Contact,
    DocumentExport,
    Incident,
    IncidentParty,
    InterventionPlan,
    MentoringSession,
    NameToken,
    Outcome,
    PanelAction,
    PanelItem,
    PersonLink,
    PersonMerge,
    PlaceLink,
    PlanAction,
    PlanGoal,
    Referral,
    ReferralTransition,
    RiskAssessment,
    SafeguardingFlagRecord,
    SeriesException,
    SessionSeries,
    Setting,
    SharingDecision,
    Task,
    YoungPerson,
    utcnow,
)
from veru_desk.domain.case_reference import reference_sort_key
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import AuditAction, ReferralStatus, Role
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.names import fold
from veru_desk.domain.postcode import postcode_district
from veru_desk.services.access import require_role
from veru_desk.services.base import Service, get_or_404
from veru_desk.services.people import sort_name_of

# Statuses after which nothing more happens to an episode: the start of its retention clock.
ENDED_STATUSES = (ReferralStatus.CLOSED, ReferralStatus.DECLINED, ReferralStatus.SIGNPOSTED)
_AWAITING_TRIAGE = (ReferralStatus.RECEIVED, ReferralStatus.SCREENING)

ANONYMISED_FIRST_NAME = "Anonymised"
ANONYMISED_LAST_NAME = "Record"
REMOVED_TEXT = "[removed at anonymisation]"  # for text columns that may not be empty
MAX_REASON_CHARS = 500

_YEARS_KEY = "retention.years_after_closure"
_AGE_KEY = "retention.until_age"
_CHECKPOINT_ATTEMPTS = 20


@dataclass(frozen=True)
class RetentionPolicy:
    """Review a closed case ``years_after_closure`` after it closed, or when the young person
    reaches ``until_age``, whichever is later (the default follows common practice for
    children's records: six years, or until 25)."""

    years_after_closure: int = 6
    until_age: int = 25

    def review_due_on(self, closed_on: dt.date, date_of_birth: dt.date) -> dt.date:
        return max(self.after_closure(closed_on), self.at_age(date_of_birth))

    def after_closure(self, closed_on: dt.date) -> dt.date:
        return closed_on + relativedelta(years=self.years_after_closure)

    def at_age(self, date_of_birth: dt.date) -> dt.date:
        return date_of_birth + relativedelta(years=self.until_age)

    def problems(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not 1 <= self.years_after_closure <= 100:
            errors["years_after_closure"] = "Enter a whole number of years from 1 to 100."
        if not 18 <= self.until_age <= 100:
            errors["until_age"] = "Enter an age from 18 to 100: records of children stay longer."
        return errors


@dataclass(frozen=True)
class RetentionItem:
    """A case whose retention period has run out: the manager's review list."""

    person_id: int
    case_ref: str
    name: str
    closed_on: dt.date  # when the last episode ended (closed, declined or signposted)
    review_due_on: dt.date
    reason: str  # which rule made it due, in words


def read_policy(session: Session) -> RetentionPolicy:
    rows = dict(
        session.execute(
            select(Setting.key, Setting.value).where(Setting.key.in_([_YEARS_KEY, _AGE_KEY]))
        ).all()
    )
    default = RetentionPolicy()
    return RetentionPolicy(
        years_after_closure=int(
            json.loads(rows.get(_YEARS_KEY, "null")) or default.years_after_closure
        ),
        until_age=int(json.loads(rows.get(_AGE_KEY, "null")) or default.until_age),
    )


class RetentionService(Service):
    def policy(self) -> RetentionPolicy:
        with self._read() as session:
            return read_policy(session)

    def set_policy(self, policy: RetentionPolicy) -> RetentionPolicy:
        """Changes the retention periods (a data-protection decision: managers and
        administrators only), audited with the old and new values."""
        with self._write() as session:
            require_role(self.actor, Role.MANAGER, Role.ADMIN, doing="change the retention policy")
            errors = policy.problems()
            if errors:
                raise ValidationError(errors)
            before = read_policy(session)
            changes: dict[str, tuple[object, object]] = {}
            for key, old, new in (
                (_YEARS_KEY, before.years_after_closure, policy.years_after_closure),
                (_AGE_KEY, before.until_age, policy.until_age),
            ):
                row = session.get(Setting, key)
                if row is None:
                    session.add(Setting(key=key, value=json.dumps(new)))
                else:
                    row.value = json.dumps(new)
                if old != new:
                    changes[key] = (old, new)
            if changes:
                self._audit(
                    session,
                    AuditAction.UPDATE,
                    entity_type="setting",
                    summary="Retention policy changed",
                    changes=changes,
                )
            return policy

    def due_for_review(self, today: dt.date | None = None) -> list[RetentionItem]:
        """Cases with every episode ended whose retention period has run out, longest
        overdue first. Anonymised cases are done with and not listed."""
        today = today or dt.date.today()
        with self._read() as session:
            require_role(self.actor, Role.MANAGER, doing="review cases for retention")
            policy = read_policy(session)
            ended = func.max(
                func.coalesce(Referral.closed_on, Referral.decided_on, Referral.received_on),
                type_=Date,
            )
            episode = aliased(Referral)
            still_open = (
                select(episode.id)
                .where(
                    episode.young_person_id == YoungPerson.id,
                    episode.status.not_in(ENDED_STATUSES),
                    # a re-referral noted on a case ends with that case's episode
                    or_(
                        episode.open_case_referral_id.is_(None),
                        episode.status.in_(_AWAITING_TRIAGE),
                    ),
                )
                .correlate(YoungPerson)
                .exists()
            )
            # The SQL narrows by both rules with a day's slack (29 February); the exact dates
            # are then computed below with the same relativedelta the rest of the app uses.
            closure_cutoff = today - relativedelta(years=policy.years_after_closure) + _DAY
            age_cutoff = today - relativedelta(years=policy.until_age) + _DAY
            rows = session.execute(
                select(
                    YoungPerson.id,
                    YoungPerson.case_ref,
                    YoungPerson.first_name,
                    YoungPerson.last_name,
                    YoungPerson.date_of_birth,
                    YoungPerson.created_at,
                    ended,
                )
                .outerjoin(Referral, Referral.young_person_id == YoungPerson.id)
                .where(
                    YoungPerson.anonymised_at.is_(None),
                    YoungPerson.date_of_birth <= age_cutoff,
                    ~still_open,
                )
                .group_by(YoungPerson.id)
                .having(or_(ended.is_(None), ended <= closure_cutoff))
            ).all()
        items = []
        for person_id, case_ref, first, last, dob, created_at, ended_on in rows:
            closed_on = ended_on or created_at.date()
            by_closure, by_age = policy.after_closure(closed_on), policy.at_age(dob)
            due = max(by_closure, by_age)
            if due > today:
                continue
            reason = (
                f"{policy.years_after_closure} years since the case ended on "
                f"{format_uk_date(closed_on)}"
                if by_closure >= by_age
                else f"Reached {policy.until_age} on {format_uk_date(by_age)}"
            )
            items.append(
                RetentionItem(person_id, case_ref, f"{first} {last}", closed_on, due, reason)
            )
        return sorted(
            items, key=lambda item: (item.review_due_on, reference_sort_key(item.case_ref))
        )

    def anonymise(self, person_id: int, reason: str) -> None:
        """Removes what identifies the young person and every free-text account, keeping the
        record's shape for statistics. Cannot be undone (except from a backup)."""
        with self._write() as session:
            require_role(self.actor, Role.MANAGER, doing="anonymise a case")
            person = get_or_404(session, YoungPerson, person_id, "young person")
            reason = _checked_reason(session, person, reason, "anonymise")
            if person.anonymised_at is not None:
                raise ValidationError({"": f"Case {person.case_ref} is already anonymised."})
            case_ref = person.case_ref
            _redact_audit(session, person_id)
            self._anonymise_rows(session, person)
            self._whole_case_changed(session, person_id)
            self._audit(
                session,
                AuditAction.ANONYMISE,
                entity_type="young_person",
                entity_id=person_id,
                person_id=person_id,
                summary=f"Case {case_ref} anonymised: {reason}",
            )
        self._purge_freed_pages()

    def erase(self, person_id: int, reason: str) -> None:
        """Deletes the case and everything recorded in it; the audit trail keeps only that it
        was erased, by whom, when and why, under the case reference."""
        with self._write() as session:
            require_role(self.actor, Role.MANAGER, doing="erase a case")
            person = get_or_404(session, YoungPerson, person_id, "young person")
            reason = _checked_reason(session, person, reason, "erase")
            case_ref = person.case_ref
            _redact_audit(session, person_id)
            session.expunge(person)
            self._whole_case_changed(session, person_id)
            # An incident only they were involved in belongs to no other case: it goes with
            # theirs. A shared one stays for the others, without this person's part (cascade).
            session.execute(
                delete(Incident)
                .where(Incident.id.in_(_incidents_only_of(person_id)))
                .execution_options(synchronize_session=False)
            )
            # Records merged into this one (#19), and into those, are the same young person:
            # they go too, their audit redacted like this record's.
            merged: list[int] = []
            frontier = [person_id]
            while frontier:
                frontier = list(
                    session.scalars(
                        select(YoungPerson.id).where(YoungPerson.merged_into_id.in_(frontier))
                    )
                )
                merged += frontier
            for tombstone in reversed(merged):  # the last merged first: none points at it
                _redact_audit(session, tombstone)
                session.execute(delete(YoungPerson).where(YoungPerson.id == tombstone))
            # The database's ON DELETE CASCADE removes every row that hangs off the person
            # (contacts, referrals and their history, assessments, plans, sessions, outcomes,
            # notes, exports, search tokens) in this one statement.
            session.execute(delete(YoungPerson).where(YoungPerson.id == person_id))
            self._audit(
                session,
                AuditAction.ERASE,
                entity_type="young_person",
                entity_id=person_id,
                person_id=person_id,
                summary=f"Case {case_ref} erased: {reason}",
            )
        self._purge_freed_pages()

    def _anonymise_rows(self, session: Session, person: YoungPerson) -> None:
        person_id = person.id
        try:
            district = postcode_district(person.postcode)
        except ValidationError:
            district = None
        person.first_name = ANONYMISED_FIRST_NAME
        person.last_name = ANONYMISED_LAST_NAME
        person.preferred_name = None
        person.sort_name = sort_name_of(ANONYMISED_LAST_NAME, ANONYMISED_FIRST_NAME)
        # The year (and so the age band at any date) is what reports use; the day identifies.
        person.date_of_birth = dt.date(person.date_of_birth.year, 7, 1)
        person.gender_detail = None
        person.postcode = district
        for column in ("address", "phone", "email", "nhs_number", "education_setting"):
            setattr(person, column, None)
        person.anonymised_at = utcnow()
        self._stamp(person)
        session.flush()
        session.execute(delete(NameToken).where(NameToken.young_person_id == person_id))
        session.execute(delete(Contact).where(Contact.young_person_id == person_id))
        # Attached files (consent forms, letters) are the person's own words and face.
        session.execute(delete(Attachment).where(Attachment.young_person_id == person_id))
        # The caseworker's analysis is all free text about the person: nothing of it stays.
        session.execute(delete(CaseAnalysis).where(CaseAnalysis.young_person_id == person_id))
        session.execute(
            update(SharingDecision)
            .where(SharingDecision.young_person_id == person_id)
            .values(consent_given_by=None, reason=None)
        )
        referral_ids = select(Referral.id).where(Referral.young_person_id == person_id)
        stamp = {"updated_at": utcnow(), "updated_by_id": self.actor.user_id}
        blanks: list[tuple[type, object, dict[str, object]]] = [
            (
                Referral,
                Referral.young_person_id == person_id,
                {
                    "referrer_name": None,
                    "referrer_contact": None,
                    "narrative": None,
                    "decision_reason": None,
                    "outcome_summary": None,
                },
            ),
            (
                RiskAssessment,
                RiskAssessment.young_person_id == person_id,
                {"risk_factors": None, "protective_factors": None, "notes": None},
            ),
            (InterventionPlan, InterventionPlan.young_person_id == person_id, {"summary": None}),
            (
                PlanGoal,
                PlanGoal.plan_id.in_(
                    select(InterventionPlan.id).where(InterventionPlan.young_person_id == person_id)
                ),
                {"description": REMOVED_TEXT, "progress": None},
            ),
            (
                PlanAction,
                PlanAction.goal_id.in_(
                    select(PlanGoal.id)
                    .join(InterventionPlan, InterventionPlan.id == PlanGoal.plan_id)
                    .where(InterventionPlan.young_person_id == person_id)
                ),
                {"description": REMOVED_TEXT, "owner": None},
            ),
            (
                SessionSeries,
                SessionSeries.young_person_id == person_id,
                {"location": None, "title": None},
            ),
            (
                MentoringSession,
                MentoringSession.young_person_id == person_id,
                {"location": None, "notes": None, "topics": None},
            ),
            (Outcome, Outcome.young_person_id == person_id, {"notes": None}),
            # Kinds and dates stay for the statistics; the note tells the story in words.
            (
                SafeguardingFlagRecord,
                SafeguardingFlagRecord.young_person_id == person_id,
                {"note": None},
            ),
            (
                CaseNote,
                CaseNote.young_person_id == person_id,
                {"subject": REMOVED_TEXT, "body": REMOVED_TEXT},
            ),
            # Network links (#18): who they were linked to, how, and since when stay for the
            # unit's picture; a note tells the story in words. A person of concern or place
            # left linked to no one stays too: it is the unit's intelligence, not theirs.
            (
                PersonLink,
                or_(
                    PersonLink.young_person_id == person_id,
                    PersonLink.other_person_id == person_id,
                ),
                {"note": None},
            ),
            (ConcernLink, ConcernLink.young_person_id == person_id, {"note": None}),
            (PlaceLink, PlaceLink.young_person_id == person_id, {"note": None}),
            # A panel's discussion of the case: the meeting, dates and owners stay; the words go.
            (
                PanelItem,
                PanelItem.young_person_id == person_id,
                {"summary": None, "decision": REMOVED_TEXT},
            ),
            (
                PanelAction,
                PanelAction.young_person_id == person_id,
                {"description": REMOVED_TEXT},
            ),
            # Tasks (#19): who did what kind of work and when stays for the workload figures;
            # the words (which name the young person and their family) go.
            (
                Task,
                Task.young_person_id == person_id,
                {"title": REMOVED_TEXT, "notes": None, "cancel_reason": None},
            ),
        ]
        # A merge of their records (#19): which records and when stay; the details it
        # replaced (names, date of birth, address) and the reason in words go.
        session.execute(
            update(PersonMerge)
            .where(or_(PersonMerge.kept_id == person_id, PersonMerge.merged_id == person_id))
            .values(kept_before="{}", reason=None)
            .execution_options(synchronize_session=False)
        )
        for model, condition, values in blanks:
            # Bumping the version makes a form opened before this refuse to save its old text.
            session.execute(
                update(model)
                .where(condition)  # type: ignore[arg-type]  # a column condition on model
                .values(**values, **stamp, version=model.version + 1)  # type: ignore[attr-defined]  # models here are versioned
                .execution_options(synchronize_session=False)
            )
        session.execute(
            update(ReferralTransition)
            .where(ReferralTransition.referral_id.in_(referral_ids))
            .values(reason=None)
        )
        session.execute(
            update(SeriesException)
            .where(
                SeriesException.series_id.in_(
                    select(SessionSeries.id).where(SessionSeries.young_person_id == person_id)
                )
            )
            .values(reason=None)
        )
        session.execute(
            update(DocumentExport)
            .where(DocumentExport.young_person_id == person_id)
            .values(prepared_for=None, filename=None)
        )
        # Incidents (#18): the person's part (kind, when, their role) stays for the statistics.
        # An incident only they were involved in loses its words (the account, a typed
        # location, the reference); one shared with other young people keeps them, as it is
        # those young people's record too, and names this one only as an anonymised party.
        session.execute(
            update(Incident)
            .where(Incident.id.in_(_incidents_only_of(person_id)))
            .values(
                summary=REMOVED_TEXT,
                location=None,
                reference=None,
                **stamp,
                version=Incident.version + 1,
            )
            .execution_options(synchronize_session=False)
        )

    def _purge_freed_pages(self) -> None:
        """Rewrites the file without the freed pages, and empties the write-ahead log, so the
        removed text cannot be read back from the file with a hex editor.

        VACUUM cannot run inside a transaction, so this runs after the change has committed;
        if it is interrupted the change stands and the next anonymise, erase or VACUUM
        finishes the job.
        """
        if not self.db.is_sqlite:
            with self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM")
            return
        raw = self.db.engine.raw_connection()
        try:
            driver: Any = raw.driver_connection  # sqlite3 or sqlcipher3: no shared type
            driver.execute("VACUUM")
            for _attempt in range(_CHECKPOINT_ATTEMPTS):
                busy, _log, _done = driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if not busy:
                    break
                time.sleep(0.1)  # another window is mid-read; the checkpoint waits for it
        finally:
            raw.close()


_DAY = dt.timedelta(days=1)


def _incidents_only_of(person_id: int) -> Select[int]:
    """The incidents in which this young person is the only young person involved."""
    others = select(IncidentParty.incident_id).where(
        IncidentParty.young_person_id.is_not(None), IncidentParty.young_person_id != person_id
    )
    return select(IncidentParty.incident_id).where(
        IncidentParty.young_person_id == person_id, IncidentParty.incident_id.not_in(others)
    )


def _checked_reason(session: Session, person: YoungPerson, reason: str, verb: str) -> str:
    """The manager's reason, which outlives the person's details, so it may not name them;
    and the case must have ended first, so no one is working on it."""
    errors: dict[str, str] = {}
    reason = " ".join((reason or "").split())
    if not reason:
        errors["reason"] = f"Give the reason to {verb} this case, e.g. Retention review."
    elif len(reason) > MAX_REASON_CHARS:
        errors["reason"] = f"Keep the reason under {MAX_REASON_CHARS} characters."
    else:
        folded = f" {fold(reason)} "
        names = {person.first_name, person.last_name, person.preferred_name or ""}
        if any(f" {fold(n)} " in folded for n in names if n and n != ANONYMISED_FIRST_NAME):
            errors["reason"] = (
                "Leave the young person's name out of the reason: the reason is kept in the "
                "audit trail after their details are removed."
            )
    open_episode = session.scalar(
        select(Referral.status).where(
            Referral.young_person_id == person.id,
            Referral.status.not_in(ENDED_STATUSES),
            # a re-referral noted on a case ends with that case's episode
            or_(Referral.open_case_referral_id.is_(None), Referral.status.in_(_AWAITING_TRIAGE)),
        )
    )
    if open_episode is not None:
        errors["status"] = (
            f"Case {person.case_ref} has an episode that is {open_episode.label.lower()}: "
            f"close, decline or signpost it before you {verb} the case."
        )
    if errors:
        raise ValidationError(errors)
    return reason


def _redact_audit(session: Session, person_id: int) -> None:
    """Replaces the summaries and changes of every audit event about the person by the fixed
    marker the database allows; who, when, what kind and which record stay."""
    session.execute(
        update(AuditEvent)
        .where(
            or_(
                AuditEvent.young_person_id == person_id,
                (AuditEvent.entity_type == "young_person") & (AuditEvent.entity_id == person_id),
            )
        )
        .values(summary=REDACTED_SUMMARY, changes=None)
        .execution_options(synchronize_session=False)
    )
