"""Workload and reallocation: the manager's view of who holds what, and moving cases between
caseworkers (leave cover, a worker leaving) with a reason.

The figures are one grouped query each (open cases by risk level, sessions this week, cases
with anything overdue), whatever the number of workers or cases: no loop over cases. Overdue
is ``services.overdue``'s one definition, so the count here is the caseload's Overdue filter.

A reallocation is one transaction: each case goes through the referral service's own
``allocate_in`` (the same rules, transition, audit row and case summary as allocating from the
triage queue), with the reason and the previous worker in its transition, so the chronology
says "Re-allocated to Ciarán Ó Briain" with why, and the audit trail says the same. The previous
worker's sessions on those cases still planned go to the new worker (else they would be on
nobody's calendar). The change set names every case moved, so open screens (the new worker's
caseload, dashboard and calendar) refresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Row, and_, exists, func, or_, select, update
from sqlalchemy.orm import Session

from veru_desk.db.models import (
    MentoringSession,
    Referral,
    SessionSeries,
    Task,
    User,
    UserRole,
    YoungPerson,
    utcnow,
)
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import (
    Attendance,
    AuditAction,
    Priority,
    ReferralStatus,
    RiskLevel,
    Role,
)
from veru_desk.domain.errors import NotFound, ValidationError
from veru_desk.domain.names import display_name
from veru_desk.domain.tasks import TaskStatus
from veru_desk.domain.text import clean_free_text
from veru_desk.services.access import require_role
from veru_desk.services.base import Service
from veru_desk.services.changes import Kind
from veru_desk.services.overdue import anything_overdue, open_case, overdue_details
from veru_desk.services.referrals import ReferralService
from veru_desk.services.tasks import TaskService

#: Sessions that are not happening do not count towards a week's work.
_CANCELLED = (Attendance.CANCELLED_BY_SERVICE, Attendance.CANCELLED_BY_YOUNG_PERSON)
#: Highest risk first, then cases not yet assessed: the order a manager reads a caseload in.
RISK_ORDER: tuple[RiskLevel | None, ...] = (*reversed(RiskLevel), None)
#: Ids read per statement when the overdue details of a long caseload are read.
_CHUNK = 500
REASON_LIMIT = 500


def risk_words(level: RiskLevel | None) -> str:
    """``very high``, ``not assessed``: a risk level as a list says it."""
    return "not assessed" if level is None else level.label.lower()


@dataclass(frozen=True)
class WorkerFigures:
    """One caseworker's figures on the workload screen."""

    user_id: int
    display_name: str
    #: False for an account disabled (or no longer a caseworker) that still holds open cases:
    #: a worker who has left, whose cases are waiting to be moved.
    can_take_cases: bool
    by_risk: Mapping[RiskLevel | None, int] = field(default_factory=dict)
    sessions_this_week: int = 0
    overdue: int = 0
    #: open tasks past their due day assigned to them (``services.tasks``)
    tasks_overdue: int = 0

    @property
    def open_cases(self) -> int:
        return sum(self.by_risk.values())

    @property
    def risk_text(self) -> str:
        """``2 very high, 3 high, 1 not assessed`` (highest first, levels with none left out);
        ``no open cases`` when there are none."""
        parts = [
            f"{self.by_risk[level]} {risk_words(level)}"
            for level in RISK_ORDER
            if self.by_risk.get(level)
        ]
        return ", ".join(parts) if parts else "no open cases"


@dataclass(frozen=True)
class WorkerCase:
    """One open case on a worker's list."""

    person_id: int
    case_ref: str
    name: str
    risk_level: RiskLevel | None
    status: ReferralStatus
    priority: Priority | None
    allocated_on: dt.date | None
    next_review_on: dt.date | None
    overdue: str = ""

    @property
    def risk_text(self) -> str:
        return risk_words(self.risk_level)

    @property
    def allocated_text(self) -> str:
        return format_uk_date(self.allocated_on) if self.allocated_on else ""


@dataclass(frozen=True)
class MovedCase:
    person_id: int
    case_ref: str
    name: str
    from_worker: str | None


@dataclass(frozen=True)
class Reallocation:
    """What a reallocation did: the cases moved, and those already with the new worker."""

    to_worker_id: int
    to_worker: str
    reason: str
    moved: list[MovedCase]
    unchanged: list[MovedCase]
    #: planned sessions from the day of the move on, handed from the previous worker
    sessions_moved: int = 0
    #: the previous worker's open tasks on the cases moved (``services.tasks``)
    tasks_moved: int = 0

    @property
    def text(self) -> str:
        """``Moved 6 cases to Ciarán Ó Briain (leave cover to 21/03/2027).``: the
        confirmation line of the screen and the command."""
        count = len(self.moved)
        if count == 0:
            said = f"Nothing moved: already with {self.to_worker}"
        else:
            cases = "1 case" if count == 1 else f"{count} cases"
            said = f"Moved {cases} to {self.to_worker} ({self.reason})"
            if self.sessions_moved:
                planned = self.sessions_moved
                said += (
                    f"; {planned} planned session{'' if planned == 1 else 's'} "
                    f"{'goes' if planned == 1 else 'go'} with {'it' if count == 1 else 'them'}"
                )
            if self.tasks_moved:
                tasks = self.tasks_moved
                said += f"; {tasks} open task{'' if tasks == 1 else 's'} moved with the case"
                said += "" if count == 1 else "s"
        if self.unchanged and count:
            kept = len(self.unchanged)
            said += f"; {kept} {'was' if kept == 1 else 'were'} already with {self.to_worker}"
        return said + "."


def _by_worker(rows: Iterable[Row[int | None, int]]) -> dict[int, int]:
    """``{worker id: count}`` from rows of (worker id, count)."""
    return {worker_id: count for worker_id, count in rows if worker_id is not None}


def _checked_reason(reason: str, any_cases: bool) -> str:
    """The reason as stored (one line, spaces tidied), or the form's problems."""
    said = " ".join((clean_free_text(reason) or "").split())
    errors: dict[str, str] = {}
    if not any_cases:
        errors["cases"] = "Choose at least one case to reallocate."
    if not said:
        errors["reason"] = "Give a reason for the reallocation, for example leave cover."
    elif len(said) > REASON_LIMIT:
        errors["reason"] = f"Keep the reason under {REASON_LIMIT} characters."
    if errors:
        raise ValidationError(errors)
    return said


class WorkloadService(Service):
    def workers(self, today: dt.date | None = None) -> list[WorkerFigures]:
        """Active caseworkers, and anyone else still holding open cases, with their figures:
        four grouped queries in one read, however many workers and cases."""
        today = today or dt.date.today()
        with self._read() as session:
            require_role(self.actor, Role.MANAGER, doing="see the team's workload")
            by_risk = self._open_by_risk(session)
            sessions = self._sessions_this_week(session, today)
            overdue = self._overdue(session, today)
            tasks_overdue = _by_worker(
                session.execute(
                    select(Task.assignee_id, func.count())
                    .where(Task.status == TaskStatus.OPEN, Task.due_on < today)
                    .group_by(Task.assignee_id)
                )
            )
            is_caseworker = exists().where(
                UserRole.user_id == User.id, UserRole.role == Role.CASEWORKER
            )
            rows = session.execute(
                select(User.id, User.display_name, and_(User.active, is_caseworker))
                .where(
                    or_(
                        and_(User.active.is_(True), is_caseworker),
                        User.id.in_(
                            select(YoungPerson.current_worker_id).where(
                                open_case(), YoungPerson.current_worker_id.is_not(None)
                            )
                        ),
                    )
                )
                .order_by(User.display_name, User.id)
            ).all()
            return [
                WorkerFigures(
                    user_id=user_id,
                    display_name=name,
                    can_take_cases=bool(takes),
                    by_risk=by_risk.get(user_id, {}),
                    sessions_this_week=sessions.get(user_id, 0),
                    overdue=overdue.get(user_id, 0),
                    tasks_overdue=tasks_overdue.get(user_id, 0),
                )
                for user_id, name, takes in rows
            ]

    def _open_by_risk(self, session: Session) -> dict[int, dict[RiskLevel | None, int]]:
        grouped: dict[int, dict[RiskLevel | None, int]] = {}
        for worker_id, level, count in session.execute(
            select(YoungPerson.current_worker_id, YoungPerson.current_risk_level, func.count())
            .where(open_case(), YoungPerson.current_worker_id.is_not(None))
            .group_by(YoungPerson.current_worker_id, YoungPerson.current_risk_level)
        ):
            if worker_id is not None:
                grouped.setdefault(worker_id, {})[level] = count
        return grouped

    def _sessions_this_week(self, session: Session, today: dt.date) -> dict[int, int]:
        """Sessions booked Monday to Sunday of this week on each worker's open cases, held or
        still to come (cancelled ones left out): the cases' sessions, whoever runs them, as the
        worker's dashboard counts them."""
        monday = dt.datetime.combine(today - dt.timedelta(days=today.weekday()), dt.time())
        return _by_worker(
            session.execute(
                select(YoungPerson.current_worker_id, func.count(MentoringSession.id))
                .join(YoungPerson, YoungPerson.id == MentoringSession.young_person_id)
                .where(
                    MentoringSession.planned_start >= monday,
                    MentoringSession.planned_start < monday + dt.timedelta(days=7),
                    MentoringSession.attendance.not_in(_CANCELLED),
                    open_case(),
                    YoungPerson.current_worker_id.is_not(None),
                )
                .group_by(YoungPerson.current_worker_id)
            )
        )

    def _overdue(self, session: Session, today: dt.date) -> dict[int, int]:
        return _by_worker(
            session.execute(
                select(YoungPerson.current_worker_id, func.count())
                .where(anything_overdue(today), YoungPerson.current_worker_id.is_not(None))
                .group_by(YoungPerson.current_worker_id)
            )
        )

    def cases_of(self, worker_id: int, today: dt.date | None = None) -> list[WorkerCase]:
        """A worker's open cases, highest risk first, then by name, each saying what is
        overdue (``overdue.overdue_details``: three queries per 500 cases)."""
        today = today or dt.date.today()
        with self._read() as session:
            require_role(self.actor, Role.MANAGER, doing="see a caseworker's cases")
            rows = session.execute(
                select(
                    YoungPerson.id,
                    YoungPerson.case_ref,
                    YoungPerson.first_name,
                    YoungPerson.last_name,
                    YoungPerson.preferred_name,
                    YoungPerson.current_risk_level,
                    YoungPerson.current_status,
                    YoungPerson.next_review_on,
                    Referral.priority,
                    Referral.allocated_on,
                )
                .outerjoin(Referral, Referral.id == YoungPerson.current_referral_id)
                .where(open_case(), YoungPerson.current_worker_id == worker_id)
                .order_by(YoungPerson.sort_name, YoungPerson.id)
            ).all()
            ids = [row.id for row in rows]
            details = {}
            for start in range(0, len(ids), _CHUNK):
                details.update(overdue_details(session, ids[start : start + _CHUNK], today))
        cases = [
            WorkerCase(
                person_id=row.id,
                case_ref=row.case_ref,
                name=display_name(row.first_name, row.last_name, row.preferred_name),
                risk_level=row.current_risk_level,
                status=row.current_status,
                priority=row.priority,
                allocated_on=row.allocated_on,
                next_review_on=row.next_review_on,
                overdue=details[row.id].text(today) if row.id in details else "",
            )
            for row in rows
        ]
        rank = {level: number for number, level in enumerate(RISK_ORDER)}
        return sorted(cases, key=lambda case: rank[case.risk_level])  # stable: names stay

    def reallocate(
        self,
        person_ids: Sequence[int],
        to_worker_id: int,
        reason: str,
        on: dt.date | None = None,
        *,
        hand_over_sessions: bool = True,
    ) -> Reallocation:
        """Moves the open cases of ``person_ids`` to the caseworker ``to_worker_id``, all or
        none, each through the referral service's allocation (its rules, transition and audit
        row), with ``reason`` and the previous worker in each case's chronology. A case already
        with that worker is left as it is and reported.

        ``hand_over_sessions``: the previous worker's sessions on those cases still planned
        from the day of the move on (and their series) go to the new worker, so they are on
        the new worker's calendar; without it they would be on nobody's, since the previous
        worker no longer sees the case."""
        with self._write() as session:
            require_role(self.actor, Role.MANAGER, doing="reallocate cases")
            said = _checked_reason(reason, bool(person_ids))
            return self._reallocate(
                session, list(person_ids), to_worker_id, said, on, hand_over_sessions
            )

    def reallocate_by_reference(
        self,
        case_refs: Sequence[str],
        to_username: str,
        reason: str,
        on: dt.date | None = None,
        *,
        hand_over_sessions: bool = True,
    ) -> Reallocation:
        """``reallocate`` for the command line: cases by reference (``VERU-2026-00012``, any
        case) and the new worker by username, all looked up in the same transaction."""
        with self._write() as session:
            require_role(self.actor, Role.MANAGER, doing="reallocate cases")
            said = _checked_reason(reason, bool(case_refs))
            refs = list(dict.fromkeys(ref.strip().upper() for ref in case_refs))
            found: dict[str, int] = {
                ref: person_id
                for ref, person_id in session.execute(
                    select(YoungPerson.case_ref, YoungPerson.id).where(
                        YoungPerson.case_ref.in_(refs)
                    )
                )
            }
            unknown = [ref for ref in refs if ref not in found]
            if unknown:
                raise ValidationError(
                    {"cases": f"No case with the reference {', '.join(unknown)}."}
                )
            name = to_username.strip().casefold()
            worker_id = session.scalar(select(User.id).where(func.lower(User.username) == name))
            if worker_id is None:
                raise ValidationError({"worker": f"No user called {to_username.strip()!r}."})
            return self._reallocate(
                session, [found[ref] for ref in refs], worker_id, said, on, hand_over_sessions
            )

    def _reallocate(
        self,
        session: Session,
        person_ids: list[int],
        to_worker_id: int,
        said: str,
        on: dt.date | None,
        hand_over_sessions: bool,
    ) -> Reallocation:
        wanted = list(dict.fromkeys(person_ids))
        worker = session.get(User, to_worker_id)
        if worker is None or not worker.active or Role.CASEWORKER not in worker.role_set:
            raise ValidationError({"worker": "Choose an active caseworker."})
        names = {
            user_id: name
            for user_id, name in session.execute(
                select(User.id, User.display_name).where(
                    User.id.in_(
                        select(YoungPerson.current_worker_id).where(YoungPerson.id.in_(wanted))
                    )
                )
            )
        }
        rows = {
            row.id: row
            for row in session.execute(
                select(
                    YoungPerson.id,
                    YoungPerson.case_ref,
                    YoungPerson.first_name,
                    YoungPerson.last_name,
                    YoungPerson.preferred_name,
                    YoungPerson.current_status,
                    YoungPerson.current_referral_id,
                    YoungPerson.current_worker_id,
                ).where(YoungPerson.id.in_(wanted))
            )
        }
        missing = [pid for pid in wanted if pid not in rows]
        if missing:
            raise NotFound(f"No young person with id {missing[0]}.")
        not_open = [
            rows[pid].case_ref
            for pid in wanted
            if rows[pid].current_status is None
            or not rows[pid].current_status.is_open_case
            or rows[pid].current_referral_id is None
        ]
        if not_open:
            raise ValidationError(
                {
                    "cases": f"Only open cases can be reallocated: {', '.join(not_open)} "
                    f"{'is' if len(not_open) == 1 else 'are'} not open."
                }
            )
        referrals = ReferralService(self.db, self.actor)
        tasks = TaskService(self.db, self.actor)
        tasks_moved = 0
        moved: list[MovedCase] = []
        unchanged: list[MovedCase] = []
        from_worker: dict[int, list[int]] = {}  # previous worker: the people moved from them
        for pid in wanted:
            row = rows[pid]
            before = names.get(row.current_worker_id) if row.current_worker_id else None
            case = MovedCase(
                pid,
                row.case_ref,
                display_name(row.first_name, row.last_name, row.preferred_name),
                before,
            )
            if row.current_worker_id == to_worker_id:
                unchanged.append(case)
                continue
            why = f"{said} (previously with {before})" if before else said
            referrals.allocate_in(session, row.current_referral_id, to_worker_id, why, on)
            moved.append(case)
            if row.current_worker_id is not None:
                from_worker.setdefault(row.current_worker_id, []).append(pid)
                tasks_moved += tasks.move_open_tasks_in(
                    session, pid, row.current_worker_id, to_worker_id, said
                )
        sessions = 0
        if hand_over_sessions:
            day = on or dt.date.today()
            for previous, people in from_worker.items():
                sessions += self._hand_over_sessions(session, people, previous, worker, day)
        return Reallocation(
            to_worker_id, worker.display_name, said, moved, unchanged, sessions, tasks_moved
        )

    def _hand_over_sessions(
        self, session: Session, people: list[int], previous: int, worker: User, day: dt.date
    ) -> int:
        """The previous worker's sessions on ``people`` still planned from ``day`` on, and
        their series, go to ``worker``: a few statements for the whole batch, an audit row
        per case that had any. Returns how many sessions moved."""
        from_day = dt.datetime.combine(day, dt.time())
        planned = (
            MentoringSession.young_person_id.in_(people),
            MentoringSession.mentor_id == previous,
            MentoringSession.attendance == Attendance.PLANNED,
            MentoringSession.planned_start >= from_day,
        )
        counts = {
            pid: count
            for pid, count in session.execute(
                select(MentoringSession.young_person_id, func.count(MentoringSession.id))
                .where(*planned)
                .group_by(MentoringSession.young_person_id)
            )
        }
        stamp = {
            "mentor_id": worker.id,
            "updated_by_id": self.actor.user_id,
            "updated_at": utcnow(),
        }
        if counts:
            session.execute(
                update(MentoringSession)
                .where(*planned)
                .values(**stamp, version=MentoringSession.version + 1)
                .execution_options(synchronize_session=False)
            )
        session.execute(
            update(SessionSeries)
            .where(SessionSeries.young_person_id.in_(people), SessionSeries.mentor_id == previous)
            .values(**stamp, version=SessionSeries.version + 1)
            .execution_options(synchronize_session=False)
        )
        for pid in people:
            self._changed(session, Kind.SESSION, pid)
        for pid, count in sorted(counts.items()):
            self._audit(
                session,
                AuditAction.UPDATE,
                entity_type="mentoring_session",
                person_id=pid,
                summary=f"{count} planned session{'' if count == 1 else 's'} from "
                f"{format_uk_date(day)} handed to {worker.display_name} with the case",
            )
        return sum(counts.values())
