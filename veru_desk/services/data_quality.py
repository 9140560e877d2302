"""Data quality: what a manager looks at to keep the records trustworthy.

Two lists. Likely duplicates (``domain.duplicates``), which a manager compares and merges
(``services.merging``). And the essentials missing from open cases, by worker: no ethnicity
(the board's equality figures depend on it), consent never asked, no information-sharing
basis, and no risk assessment 20 working days after allocation (the unit's standard). A
caseworker sees their own gaps on their cases; a manager sees the team's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from veru_desk.db.models import Referral, RiskAssessment, User, YoungPerson
from veru_desk.domain.dates import age_on
from veru_desk.domain.duplicates import PersonKey, likely_duplicates
from veru_desk.domain.enums import AuditAction, ConsentStatus, Ethnicity, Role
from veru_desk.domain.names import display_name
from veru_desk.services.access import require_role
from veru_desk.services.base import Service
from veru_desk.services.overdue import open_case

#: Working days from allocation by which an open case should have a risk assessment.
RISK_ASSESSMENT_WORKING_DAYS = 20

#: The gaps, as the screen names them.
NO_ETHNICITY = "No ethnicity"
CONSENT_NOT_ASKED = "Consent not asked"
NO_SHARING_BASIS = "No sharing basis"
NO_RISK_ASSESSMENT = "No risk assessment after 20 working days"
GAPS = (NO_ETHNICITY, CONSENT_NOT_ASKED, NO_SHARING_BASIS, NO_RISK_ASSESSMENT)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days (Monday to Friday) after ``start``.

    Whole weeks are taken at once (from a weekday, five working days on is the same weekday
    a week later): the data quality page asks this for every open case, and a day at a time
    was half of its missing-essentials list at 20,000 people.
    """
    day = start
    left = days
    while left > 0:
        if left >= 5 and day.weekday() < 5:
            day += dt.timedelta(weeks=left // 5)
            left %= 5
            continue
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


@dataclass(frozen=True)
class PersonBrief:
    person_id: int
    case_ref: str
    name: str
    date_of_birth: dt.date
    worker: str | None


@dataclass(frozen=True)
class DuplicatePair:
    """Two records that may be one young person, as the screen lists them."""

    a: PersonBrief
    b: PersonBrief
    score: int
    reasons: str


@dataclass(frozen=True)
class CaseGap:
    person_id: int
    case_ref: str
    name: str
    missing: tuple[str, ...]


@dataclass(frozen=True)
class WorkerGaps:
    """A worker's open cases missing an essential, and how many miss each."""

    worker_id: int | None
    worker: str
    cases: tuple[CaseGap, ...]

    def count(self, gap: str) -> int:
        return sum(1 for case in self.cases if gap in case.missing)


class DataQualityService(Service):
    def likely_duplicates(self, limit: int = 500) -> list[DuplicatePair]:
        """Likely duplicate pairs among every record not merged away nor anonymised, most
        likely first. Managers only: it reads every case. The look is audited.

        Read and compared in a read transaction, the audit written after it in a short write:
        comparing 100,000 people takes seconds, and SQLite's write lock held for all of them
        would keep every other save waiting.
        """
        with self._read() as session:
            require_role(self.actor, Role.MANAGER, doing="look for duplicate records")
            rows = session.execute(
                select(
                    YoungPerson.id,
                    YoungPerson.first_name,
                    YoungPerson.last_name,
                    YoungPerson.date_of_birth,
                    YoungPerson.preferred_name,
                    YoungPerson.nhs_number,
                    YoungPerson.postcode,
                ).where(YoungPerson.merged_into_id.is_(None), YoungPerson.anonymised_at.is_(None))
            )
            pairs = likely_duplicates(PersonKey(*row) for row in rows)[:limit]
            wanted = {pid for pair in pairs for pid in (pair.first, pair.second)}
            briefs = self._briefs(session, wanted)
        with self._write() as session:
            self._audit(
                session,
                AuditAction.VIEW,
                entity_type="young_person",
                summary=f"Looked for likely duplicate records: {len(pairs)} found",
            )
        return [DuplicatePair(briefs[p.first], briefs[p.second], p.score, p.because) for p in pairs]

    def missing_essentials(self, today: dt.date | None = None) -> list[WorkerGaps]:
        """Open cases missing an essential, grouped by worker (a caseworker: their own)."""
        today = today or dt.date.today()
        with self._read() as session:
            require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing="see missing essentials")
            worker = aliased(User)
            assessed = exists().where(
                RiskAssessment.young_person_id == YoungPerson.id,
                RiskAssessment.assessed_on >= Referral.received_on,
            )
            query = (
                select(
                    YoungPerson.id,
                    YoungPerson.case_ref,
                    YoungPerson.first_name,
                    YoungPerson.last_name,
                    YoungPerson.date_of_birth,
                    YoungPerson.ethnicity,
                    YoungPerson.current_worker_id,
                    worker.display_name,
                    Referral.consent_young_person,
                    Referral.consent_parent,
                    Referral.sharing_basis,
                    Referral.allocated_on,
                    assessed.label("assessed"),
                )
                .join(Referral, Referral.id == YoungPerson.current_referral_id)
                .outerjoin(worker, worker.id == YoungPerson.current_worker_id)
                .where(
                    open_case(),
                    YoungPerson.merged_into_id.is_(None),
                )
                .order_by(worker.display_name, YoungPerson.sort_name)
            )
            if not self.actor.is_manager:
                query = query.where(YoungPerson.current_worker_id == self.actor.user_id)
            by_worker: dict[int | None, tuple[str, list[CaseGap]]] = {}
            # Unpacked, not read by name: thousands of open cases, a dozen columns each.
            for (
                person_id,
                case_ref,
                first_name,
                last_name,
                born,
                ethnicity,
                worker_id,
                worker_name,
                consent_young_person,
                consent_parent,
                sharing_basis,
                allocated_on,
                assessed_since,
            ) in session.execute(query):
                missing = []
                if ethnicity is Ethnicity.NOT_STATED:
                    missing.append(NO_ETHNICITY)
                parent_needed = age_on(born, today) < 16
                if consent_young_person is ConsentStatus.NOT_ASKED or (
                    parent_needed and consent_parent is ConsentStatus.NOT_ASKED
                ):
                    missing.append(CONSENT_NOT_ASKED)
                if sharing_basis is None:
                    missing.append(NO_SHARING_BASIS)
                due = (
                    add_working_days(allocated_on, RISK_ASSESSMENT_WORKING_DAYS)
                    if allocated_on
                    else None
                )
                if due is not None and due < today and not assessed_since:
                    missing.append(NO_RISK_ASSESSMENT)
                if not missing:
                    continue
                name = worker_name or "Not allocated"
                entry = by_worker.setdefault(worker_id, (name, []))
                entry[1].append(
                    CaseGap(
                        person_id, case_ref, display_name(first_name, last_name), tuple(missing)
                    )
                )
            return [
                WorkerGaps(worker_id, name, tuple(cases))
                for worker_id, (name, cases) in by_worker.items()
            ]

    def _briefs(self, session: Session, ids: set[int]) -> dict[int, PersonBrief]:
        briefs: dict[int, PersonBrief] = {}
        ordered = sorted(ids)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            for pid, ref, first, last, born, name in session.execute(
                select(
                    YoungPerson.id,
                    YoungPerson.case_ref,
                    YoungPerson.first_name,
                    YoungPerson.last_name,
                    YoungPerson.date_of_birth,
                    User.display_name,
                )
                .outerjoin(User, User.id == YoungPerson.current_worker_id)
                .where(YoungPerson.id.in_(chunk))
            ):
                briefs[pid] = PersonBrief(pid, ref, display_name(first, last), born, name)
        return briefs
