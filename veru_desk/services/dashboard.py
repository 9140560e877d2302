"""The dashboard: what is due and overdue, the first thing a worker sees each morning.

Every list reads the summary columns on ``young_person`` (kept by ``case_state.refresh``) or
an indexed date, is capped, and is sorted most urgent first, so opening the app stays instant
however large the unit's history grows. A manager sees the whole unit and the triage queue; a
caseworker sees the cases allocated to them.

A capped list is not a count: each list's true total is in ``Dashboard.totals``, counted by
the database whenever the list reached the cap, so "200 actions past due" is never shown for
a backlog of 1,234.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, case, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from veru_desk.db.models import (
    Agency,
    InterventionPlan,
    MentoringSession,
    PlanAction,
    PlanGoal,
    Referral,
    SafeguardingFlagRecord,
    User,
    YoungPerson,
)
from veru_desk.domain.dates import format_time, format_uk_date
from veru_desk.domain.enums import Attendance, Priority, ReferralStatus, Role
from veru_desk.domain.names import display_name
from veru_desk.domain.reviews import DUE_SOON_DAYS
from veru_desk.domain.tasks import week_end
from veru_desk.domain.workflow import DISENGAGEMENT_THRESHOLD
from veru_desk.services.actor import Actor
from veru_desk.services.base import Service
from veru_desk.services.overdue import action_overdue, open_case, risk_review_overdue
from veru_desk.services.tasks import TaskService, TaskView, WorkerOverdue

LIST_CAP = 200
#: How long a re-referral of a case stays on its worker's dashboard once decided.
RE_REFERRAL_DAYS = 14
#: How long a newly added safeguarding flag stays on the dashboard.
FLAGS_ADDED_DAYS = 7
_OPEN = [s for s in ReferralStatus if s.is_open_case]
_TRIAGE = [s for s in ReferralStatus if s.awaiting_triage]
_CANCELLED = (Attendance.CANCELLED_BY_SERVICE, Attendance.CANCELLED_BY_YOUNG_PERSON)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_PERSON = (
    YoungPerson.id,
    YoungPerson.case_ref,
    YoungPerson.first_name,
    YoungPerson.last_name,
    YoungPerson.preferred_name,
)


@dataclass(frozen=True)
class DashboardItem:
    person_id: int
    case_ref: str
    name: str
    detail: str
    due: dt.date | dt.datetime | None
    referral_id: int | None = None


@dataclass(frozen=True)
class Dashboard:
    new_referrals: list[DashboardItem]
    reviews_overdue: list[DashboardItem]
    reviews_due_this_week: list[DashboardItem]
    plan_reviews_due: list[DashboardItem]
    sessions_today: list[DashboardItem]
    sessions_this_week: list[DashboardItem]
    disengagement_alerts: list[DashboardItem]
    actions_overdue: list[DashboardItem]
    re_referrals: list[DashboardItem] = field(default_factory=list)
    #: safeguarding flags added to a case in the last FLAGS_ADDED_DAYS days, newest first
    flags_added: list[DashboardItem] = field(default_factory=list)
    #: my open tasks overdue, due today and due this week, most overdue first (#19)
    my_tasks: list[TaskView] = field(default_factory=list)
    #: managers: each worker's overdue tasks, the worker with most first
    team_overdue_tasks: list[WorkerOverdue] = field(default_factory=list)
    #: each list's true number of items (a list stops at LIST_CAP; its total does not)
    totals: dict[str, int] = field(default_factory=dict)

    def total(self, name: str) -> int:
        """How many items the list ``name`` has in all, of which at most LIST_CAP are listed."""
        items: list[DashboardItem] = getattr(self, name)
        return self.totals.get(name, len(items))

    @property
    def is_empty(self) -> bool:
        return not any(
            getattr(self, name) for name in self.__dataclass_fields__ if name != "totals"
        )


def _scope(actor: Actor) -> ColumnElement[bool]:
    """A manager's dashboard covers the unit; a caseworker's, the cases allocated to them."""
    if actor.is_manager:
        return true()
    return YoungPerson.current_worker_id == actor.user_id


def _due_words(due: dt.date, today: dt.date) -> str:
    if due < today:
        days = (today - due).days
        return f"overdue by {days} day{'s' if days != 1 else ''} (due {format_uk_date(due)})"
    if due == today:
        return "due today"
    return f"due {format_uk_date(due)}"


def _item(
    row: Row[Any], detail: str, due: dt.date | dt.datetime | None, referral_id: int | None = None
) -> DashboardItem:
    return DashboardItem(
        person_id=row.id,
        case_ref=row.case_ref,
        name=display_name(row.first_name, row.last_name, row.preferred_name),
        detail=detail,
        due=due,
        referral_id=referral_id,
    )


def _re_referral_words(row: Row[Any]) -> str:
    if row.open_case_referral_id is None:
        return ""
    status: ReferralStatus | None = row.case_status
    if status is None or status.awaiting_triage:
        return "Re-referral of a case awaiting triage. "
    worker = f", allocated to {row.case_worker}" if row.case_worker else ""
    return f"Re-referral of an open case{worker}. "


def _what(row: Row[Any]) -> str:
    return row.session_type.label + (f" at {row.location}" if row.location else "")


def _rows(
    session: Session, query: Select[*tuple[Any, ...]], totals: dict[str, int], name: str
) -> list[Row[Any]]:
    """The first LIST_CAP rows of ``query``, and its true total in ``totals[name]``."""
    rows = list(session.execute(query.limit(LIST_CAP)).all())
    totals[name] = _total(session, query, len(rows))
    return rows


def _total(session: Session, query: Select[Any], listed: int) -> int:
    """The number of rows ``query`` matches: the list's length when it stopped short of the
    cap (then it is every row), otherwise counted by the database."""
    if listed < LIST_CAP:
        return listed
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


class DashboardService(Service):
    def load(self, today: dt.date | None = None) -> Dashboard:
        """Reads every list in one short read session.

        A user without a case role (an administrator) gets an empty dashboard rather than a
        refusal: the app opens on the dashboard for everyone, and an administrator sees no
        case data by design.
        """
        today = today or dt.date.today()
        if not self.actor.has_case_role:
            return Dashboard([], [], [], [], [], [], [], [])
        scope = _scope(self.actor)
        t: dict[str, int] = {}
        with self._read() as session:
            soon = today + dt.timedelta(days=DUE_SOON_DAYS)
            return Dashboard(
                new_referrals=self._new_referrals(session, t, today),
                reviews_overdue=self._reviews(session, t, scope, today, None, today),
                reviews_due_this_week=self._reviews(session, t, scope, today, today, soon),
                plan_reviews_due=self._plan_reviews(session, t, scope, today),
                sessions_today=self._sessions_today(session, t, scope, today),
                sessions_this_week=self._sessions_this_week(session, t, scope, today),
                disengagement_alerts=self._disengaged(session, t, scope),
                actions_overdue=self._actions(session, t, scope, today),
                re_referrals=self._re_referrals(session, t, scope, today),
                flags_added=self._flags_added(session, t, scope, today),
                **self._tasks(session, t, today),
                totals=t,
            )

    def _tasks(
        self, session: Session, totals: dict[str, int], today: dt.date
    ) -> dict[str, Any]:
        tasks = TaskService(self.db, self.actor)
        mine = tasks.mine_due_in(session, week_end(today), LIST_CAP)
        totals["my_tasks"] = len(mine)
        team = tasks.team_overdue_in(session, today)
        totals["team_overdue_tasks"] = sum(worker.count for worker in team)
        return {"my_tasks": mine, "team_overdue_tasks": team}

    def _new_referrals(
        self, session: Session, totals: dict[str, int], today: dt.date
    ) -> list[DashboardItem]:
        """The triage queue, urgent first then oldest (a manager's decision; caseworkers see
        none)."""
        if Role.MANAGER not in self.actor.roles:
            return []
        episode = aliased(Referral)
        worker = aliased(User)
        rows = _rows(
            session,
            select(*_PERSON, Referral.id.label("referral_id"), Referral.received_on)
            .add_columns(Referral.priority, Referral.status, Agency.name.label("agency"))
            .add_columns(
                Referral.open_case_referral_id,
                episode.status.label("case_status"),
                worker.display_name.label("case_worker"),
            )
            .join(Referral, Referral.young_person_id == YoungPerson.id)
            .join(Agency, Agency.id == Referral.referring_agency_id)
            .outerjoin(episode, episode.id == Referral.open_case_referral_id)
            .outerjoin(worker, worker.id == episode.allocated_worker_id)
            .where(Referral.status.in_(_TRIAGE))
            # the triage queue's order (domain.workflow.triage_order): urgent, then oldest
            .order_by(
                case((Referral.priority == Priority.URGENT, 0), else_=1),
                Referral.received_on,
                Referral.id,
            ),
            totals,
            "new_referrals",
        )
        items = []
        for r in rows:
            waited = (today - r.received_on).days
            detail = (
                _re_referral_words(r)
                + f"Received {format_uk_date(r.received_on)} from {r.agency}, "
                f"{r.priority.label.lower()} priority"
                + (" (in screening)" if r.status is ReferralStatus.SCREENING else "")
                + (f", waiting {waited} days" if waited > 1 else "")
            )
            items.append(_item(r, detail, r.received_on, referral_id=r.referral_id))
        return items

    def _re_referrals(
        self, session: Session, totals: dict[str, int], scope: ColumnElement[bool], today: dt.date
    ) -> list[DashboardItem]:
        """Further referrals of the open cases in scope: awaiting the manager's decision, or
        received in the last fortnight. A worker hears that their case was referred again
        (a new arrest, an exclusion) without the case leaving their caseload."""
        rows = _rows(
            session,
            select(*_PERSON, Referral.id.label("referral_id"), Referral.received_on)
            .add_columns(Referral.status, Agency.name.label("agency"))
            .join(Referral, Referral.young_person_id == YoungPerson.id)
            .join(Agency, Agency.id == Referral.referring_agency_id)
            .where(
                scope,
                Referral.open_case_referral_id.is_not(None),
                YoungPerson.current_status.in_(_OPEN + _TRIAGE),
                or_(
                    Referral.status.in_(_TRIAGE),
                    Referral.received_on >= today - dt.timedelta(days=RE_REFERRAL_DAYS),
                ),
            )
            .order_by(Referral.received_on.desc(), Referral.id.desc()),
            totals,
            "re_referrals",
        )
        items = []
        for r in rows:
            status: ReferralStatus = r.status
            if status.awaiting_triage:
                state = "awaiting the manager's decision"
            elif status is ReferralStatus.ACCEPTED:
                state = "noted and added to the case"
            else:
                state = status.label.lower()
            detail = f"Referred again {format_uk_date(r.received_on)} by {r.agency}: {state}"
            items.append(_item(r, detail, r.received_on, referral_id=r.referral_id))
        return items

    def _reviews(
        self,
        session: Session,
        totals: dict[str, int],
        scope: ColumnElement[bool],
        today: dt.date,
        from_day: dt.date | None,
        before_or_on: dt.date,
    ) -> list[DashboardItem]:
        """Risk reviews due in a window (``from_day`` None: before today), most overdue first.

        Overdue and due-soon are two capped queries so a long overdue list can never hide
        what falls due this week.
        """
        window = (
            risk_review_overdue(before_or_on)
            if from_day is None
            else YoungPerson.next_review_on.between(from_day, before_or_on)
        )
        rows = _rows(
            session,
            select(*_PERSON, YoungPerson.next_review_on, YoungPerson.current_risk_level)
            # No status test: case_state.refresh keeps next_review_on only on open cases, and
            # leaving it out lets the date index answer the query.
            .where(scope, window)
            .order_by(YoungPerson.next_review_on, YoungPerson.sort_name),
            totals,
            "reviews_overdue" if from_day is None else "reviews_due_this_week",
        )
        items = []
        for r in rows:
            level = r.current_risk_level
            risk = f" ({level.label.lower()} risk)" if level else ""
            detail = f"Risk review {_due_words(r.next_review_on, today)}{risk}"
            items.append(_item(r, detail, r.next_review_on))
        return items

    def _plan_reviews(
        self, session: Session, totals: dict[str, int], scope: ColumnElement[bool], today: dt.date
    ) -> list[DashboardItem]:
        rows = _rows(
            session,
            select(*_PERSON, InterventionPlan.review_on, InterventionPlan.plan_version)
            .join(InterventionPlan, InterventionPlan.young_person_id == YoungPerson.id)
            .where(
                scope,
                InterventionPlan.is_current.is_(True),
                InterventionPlan.review_on <= today + dt.timedelta(days=DUE_SOON_DAYS),
                YoungPerson.current_status.in_(_OPEN),
            )
            .order_by(InterventionPlan.review_on, YoungPerson.sort_name),
            totals,
            "plan_reviews_due",
        )
        return [
            _item(
                r,
                f"Plan (version {r.plan_version}) review {_due_words(r.review_on, today)}",
                r.review_on,
            )
            for r in rows
        ]

    def _session_rows(
        self,
        session: Session,
        totals: dict[str, int],
        name: str,
        scope: ColumnElement[bool],
        *conditions: ColumnElement[bool],
    ) -> list[Row[Any]]:
        return _rows(
            session,
            select(
                *_PERSON,
                MentoringSession.planned_start,
                MentoringSession.session_type,
                MentoringSession.location,
                MentoringSession.attendance,
            )
            .join(MentoringSession, MentoringSession.young_person_id == YoungPerson.id)
            .where(scope, *conditions)
            .order_by(MentoringSession.planned_start, YoungPerson.sort_name),
            totals,
            name,
        )

    def _sessions_today(
        self, session: Session, totals: dict[str, int], scope: ColumnElement[bool], today: dt.date
    ) -> list[DashboardItem]:
        """Today's sessions whatever their state, so the day's record can be checked off."""
        day_start = dt.datetime.combine(today, dt.time())
        now = dt.datetime.now()  # the real clock: only a session that has happened is late
        rows = self._session_rows(
            session,
            totals,
            "sessions_today",
            scope,
            MentoringSession.planned_start >= day_start,
            MentoringSession.planned_start < day_start + dt.timedelta(days=1),
            MentoringSession.attendance.not_in(_CANCELLED),
        )
        items = []
        for r in rows:
            attendance: Attendance = r.attendance
            state = attendance.label.lower()
            if attendance is Attendance.PLANNED and r.planned_start < now:
                state = "attendance not recorded"
            detail = f"{format_time(r.planned_start.time())} {_what(r)} ({state})"
            items.append(_item(r, detail, r.planned_start))
        return items

    def _sessions_this_week(
        self, session: Session, totals: dict[str, int], scope: ColumnElement[bool], today: dt.date
    ) -> list[DashboardItem]:
        """The rest of this week (Monday to Sunday) still to be held or recorded: a past one
        still 'planned' is attendance nobody has recorded, so it comes first."""
        monday = dt.datetime.combine(today - dt.timedelta(days=today.weekday()), dt.time())
        day_start = dt.datetime.combine(today, dt.time())
        rows = self._session_rows(
            session,
            totals,
            "sessions_this_week",
            scope,
            MentoringSession.planned_start >= monday,
            MentoringSession.planned_start < monday + dt.timedelta(days=7),
            or_(
                MentoringSession.planned_start < day_start,
                MentoringSession.planned_start >= day_start + dt.timedelta(days=1),
            ),
            MentoringSession.attendance == Attendance.PLANNED,
        )
        items = []
        for r in rows:
            start: dt.datetime = r.planned_start
            day = f"{_DAYS[start.weekday()]} {format_uk_date(start.date())}"
            late = " (attendance not recorded)" if start < day_start else ""
            detail = f"{day} {format_time(start.time())} {_what(r)}{late}"
            items.append(_item(r, detail, start))
        return items

    def _disengaged(
        self, session: Session, totals: dict[str, int], scope: ColumnElement[bool]
    ) -> list[DashboardItem]:
        """Longest without contact first: the case drifting furthest away is the most urgent."""
        rows = _rows(
            session,
            select(*_PERSON, YoungPerson.last_contact_on)
            .where(scope, YoungPerson.disengaged.is_(True))
            .order_by(
                YoungPerson.last_contact_on.is_not(None),
                YoungPerson.last_contact_on,
                YoungPerson.sort_name,
            ),
            totals,
            "disengagement_alerts",
        )
        items = []
        for r in rows:
            last = r.last_contact_on
            contact = f"last contact {format_uk_date(last)}" if last else "no contact yet"
            detail = f"Missed the last {DISENGAGEMENT_THRESHOLD} sessions offered; {contact}"
            items.append(_item(r, detail, last))
        return items

    def _flags_added(
        self, session: Session, totals: dict[str, int], scope: ColumnElement[bool], today: dt.date
    ) -> list[DashboardItem]:
        """Flags recorded in the last week, newest first: a new CCE concern or a missing
        episode is news the team should see the morning after, whoever recorded it."""
        since = dt.datetime.combine(today - dt.timedelta(days=FLAGS_ADDED_DAYS), dt.time())
        since_utc = since.astimezone(dt.UTC).replace(tzinfo=None)  # *_at columns are UTC
        recorder = aliased(User)
        rows = _rows(
            session,
            select(
                *_PERSON,
                SafeguardingFlagRecord.kind,
                SafeguardingFlagRecord.started_on,
                SafeguardingFlagRecord.ended_on,
                SafeguardingFlagRecord.created_at,
                recorder.display_name.label("recorded_by"),
            )
            .join(SafeguardingFlagRecord, SafeguardingFlagRecord.young_person_id == YoungPerson.id)
            .outerjoin(recorder, recorder.id == SafeguardingFlagRecord.created_by_id)
            .where(scope, SafeguardingFlagRecord.created_at >= since_utc)
            .order_by(SafeguardingFlagRecord.created_at.desc(), SafeguardingFlagRecord.id.desc()),
            totals,
            "flags_added",
        )
        items = []
        for r in rows:
            detail = f"{r.kind.label} from {format_uk_date(r.started_on)}"
            if r.ended_on is not None:
                detail += f" to {format_uk_date(r.ended_on)}"
            if r.recorded_by:
                detail += f"; added by {r.recorded_by}"
            items.append(_item(r, detail, r.started_on))
        return items

    def _actions(
        self, session: Session, totals: dict[str, int], scope: ColumnElement[bool], today: dt.date
    ) -> list[DashboardItem]:
        rows = _rows(
            session,
            select(*_PERSON, PlanAction.due_on, PlanAction.description, PlanAction.owner)
            .join(InterventionPlan, InterventionPlan.young_person_id == YoungPerson.id)
            .join(PlanGoal, PlanGoal.plan_id == InterventionPlan.id)
            .join(PlanAction, PlanAction.goal_id == PlanGoal.id)
            .where(
                scope,
                action_overdue(today),
                open_case(),
            )
            .order_by(PlanAction.due_on, YoungPerson.sort_name),
            totals,
            "actions_overdue",
        )
        items = []
        for r in rows:
            text = " ".join(r.description.split())
            if len(text) > 80:
                text = text[:79] + "…"
            owner = f" ({r.owner})" if r.owner else ""
            detail = f"{text}{owner}: {_due_words(r.due_on, today)}"
            items.append(_item(r, detail, r.due_on))
        return items
