"""The dashboard: what is due and overdue, the first thing a worker sees each morning.

Every list reads the summary columns on ``young_person`` (kept by ``case_state.refresh``) or
an indexed date, is capped, and is sorted most urgent first, so opening the app stays instant
however large the unit's history grows. A manager sees the whole unit and the triage queue; a
caseworker sees the cases allocated to them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, or_, select, true
from sqlalchemy.orm import Session

from veru_desk.db.models import (
    Agency,
    InterventionPlan,
    MentoringSession,
    PlanAction,
    PlanGoal,
    Referral,
    YoungPerson,
)
from veru_desk.domain.dates import format_time, format_uk_date
from veru_desk.domain.enums import Attendance, ReferralStatus, Role
from veru_desk.domain.names import display_name
from veru_desk.domain.reviews import DUE_SOON_DAYS
from veru_desk.domain.workflow import DISENGAGEMENT_THRESHOLD
from veru_desk.services.actor import Actor
from veru_desk.services.base import Service

LIST_CAP = 200
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

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__)


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


def _what(row: Row[Any]) -> str:
    return row.session_type.label + (f" at {row.location}" if row.location else "")


def _rows(session: Session, query: Select[Any]) -> list[Row[Any]]:
    return list(session.execute(query.limit(LIST_CAP)).all())


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
        with self._read() as session:
            soon = today + dt.timedelta(days=DUE_SOON_DAYS)
            return Dashboard(
                new_referrals=self._new_referrals(session, today),
                reviews_overdue=self._reviews(session, scope, today, None, today),
                reviews_due_this_week=self._reviews(session, scope, today, today, soon),
                plan_reviews_due=self._plan_reviews(session, scope, today),
                sessions_today=self._sessions_today(session, scope, today),
                sessions_this_week=self._sessions_this_week(session, scope, today),
                disengagement_alerts=self._disengaged(session, scope),
                actions_overdue=self._actions(session, scope, today),
            )

    def _new_referrals(self, session: Session, today: dt.date) -> list[DashboardItem]:
        """The triage queue, oldest first (a manager's decision; caseworkers see none)."""
        if Role.MANAGER not in self.actor.roles:
            return []
        rows = _rows(
            session,
            select(*_PERSON, Referral.id.label("referral_id"), Referral.received_on)
            .add_columns(Referral.priority, Referral.status, Agency.name.label("agency"))
            .join(Referral, Referral.young_person_id == YoungPerson.id)
            .join(Agency, Agency.id == Referral.referring_agency_id)
            .where(Referral.status.in_(_TRIAGE))
            .order_by(Referral.received_on, Referral.id),
        )
        items = []
        for r in rows:
            waited = (today - r.received_on).days
            detail = (
                f"Received {format_uk_date(r.received_on)} from {r.agency}, "
                f"{r.priority.label.lower()} priority"
                + (" (in screening)" if r.status is ReferralStatus.SCREENING else "")
                + (f", waiting {waited} days" if waited > 1 else "")
            )
            items.append(_item(r, detail, r.received_on, referral_id=r.referral_id))
        return items

    def _reviews(
        self,
        session: Session,
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
            YoungPerson.next_review_on < before_or_on
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
        )
        items = []
        for r in rows:
            level = r.current_risk_level
            risk = f" ({level.label.lower()} risk)" if level else ""
            detail = f"Risk review {_due_words(r.next_review_on, today)}{risk}"
            items.append(_item(r, detail, r.next_review_on))
        return items

    def _plan_reviews(
        self, session: Session, scope: ColumnElement[bool], today: dt.date
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
        self, session: Session, scope: ColumnElement[bool], *conditions: ColumnElement[bool]
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
        )

    def _sessions_today(
        self, session: Session, scope: ColumnElement[bool], today: dt.date
    ) -> list[DashboardItem]:
        """Today's sessions whatever their state, so the day's record can be checked off."""
        day_start = dt.datetime.combine(today, dt.time())
        now = dt.datetime.now()  # the real clock: only a session that has happened is late
        rows = self._session_rows(
            session,
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
        self, session: Session, scope: ColumnElement[bool], today: dt.date
    ) -> list[DashboardItem]:
        """The rest of this week (Monday to Sunday) still to be held or recorded: a past one
        still 'planned' is attendance nobody has recorded, so it comes first."""
        monday = dt.datetime.combine(today - dt.timedelta(days=today.weekday()), dt.time())
        day_start = dt.datetime.combine(today, dt.time())
        rows = self._session_rows(
            session,
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

    def _disengaged(self, session: Session, scope: ColumnElement[bool]) -> list[DashboardItem]:
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
        )
        items = []
        for r in rows:
            last = r.last_contact_on
            contact = f"last contact {format_uk_date(last)}" if last else "no contact yet"
            detail = f"Missed the last {DISENGAGEMENT_THRESHOLD} sessions offered; {contact}"
            items.append(_item(r, detail, last))
        return items

    def _actions(
        self, session: Session, scope: ColumnElement[bool], today: dt.date
    ) -> list[DashboardItem]:
        rows = _rows(
            session,
            select(*_PERSON, PlanAction.due_on, PlanAction.description, PlanAction.owner)
            .join(InterventionPlan, InterventionPlan.young_person_id == YoungPerson.id)
            .join(PlanGoal, PlanGoal.plan_id == InterventionPlan.id)
            .join(PlanAction, PlanAction.goal_id == PlanGoal.id)
            .where(
                scope,
                InterventionPlan.is_current.is_(True),
                PlanAction.done_on.is_(None),
                PlanAction.due_on < today,
                YoungPerson.current_status.in_(_OPEN),
            )
            .order_by(PlanAction.due_on, YoungPerson.sort_name),
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
