"""What "overdue" means, once, for the caseload's filter and column and the dashboard's lists.

An open case is overdue when its risk review, its current plan's review or one of that plan's
actions not yet done was due before today (``domain.reviews.is_overdue``: a review due today
is due, not yet overdue). The conditions below are that rule in SQL; ``overdue_details``
reads, for a page of cases (three small queries), what exactly is overdue, so the caseload
can say it in words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, or_, select, true
from sqlalchemy.orm import Session

from veru_desk.db.models import InterventionPlan, PlanAction, PlanGoal, YoungPerson
from veru_desk.domain.reviews import overdue_text


def open_case() -> ColumnElement[bool]:
    """``ReferralStatus.is_open_case``, as the database works it out (``case_open``): one
    value, so an index on it with the name reads open cases in name order."""
    return YoungPerson.case_open == true()


def risk_review_overdue(today: dt.date) -> ColumnElement[bool]:
    """The risk review's date has passed (kept on open cases only by ``case_state``)."""
    return YoungPerson.next_review_on < today


def plan_review_overdue(today: dt.date) -> ColumnElement[bool]:
    """On a query joined to ``InterventionPlan``: the current plan's review date has passed."""
    return InterventionPlan.is_current.is_(True) & (InterventionPlan.review_on < today)


def action_overdue(today: dt.date) -> ColumnElement[bool]:
    """On a query joined to ``PlanAction`` through its goal and plan: an action of the current
    plan, not done, whose due date has passed."""
    return (
        InterventionPlan.is_current.is_(True)
        & PlanAction.done_on.is_(None)
        & (PlanAction.due_on < today)
    )


def _plan_reviews_overdue(today: dt.date) -> Select[int]:
    return select(InterventionPlan.young_person_id).where(plan_review_overdue(today))


def _actions_overdue(today: dt.date) -> Select[int]:
    return (
        select(InterventionPlan.young_person_id)
        .join(PlanGoal, PlanGoal.plan_id == InterventionPlan.id)
        .join(PlanAction, PlanAction.goal_id == PlanGoal.id)
        .where(action_overdue(today))
    )


def anything_overdue(today: dt.date) -> ColumnElement[bool]:
    """Open cases with anything overdue; each part is one indexed, uncorrelated subquery."""
    return open_case() & or_(
        risk_review_overdue(today),
        YoungPerson.id.in_(_plan_reviews_overdue(today)),
        YoungPerson.id.in_(_actions_overdue(today)),
    )


@dataclass(frozen=True)
class OverdueDetail:
    """What is overdue on one case (the caseload's "Overdue" column)."""

    risk_review_on: dt.date | None = None
    plan_review_on: dt.date | None = None
    actions_overdue: int = 0

    def text(self, today: dt.date) -> str:
        return overdue_text(
            today,
            self.risk_review_on,
            self.plan_review_on,
            self.actions_overdue,
        )


def overdue_details(
    session: Session, person_ids: Sequence[int], today: dt.date
) -> dict[int, OverdueDetail]:
    """For ``person_ids`` (a page of the caseload), the overdue parts of each open case that
    has any: three small indexed queries, whatever the page holds."""
    if not person_ids:
        return {}
    ids = list(person_ids)
    risk: dict[int, dt.date | None] = {
        pid: due
        for pid, due in session.execute(
            select(YoungPerson.id, YoungPerson.next_review_on).where(
                YoungPerson.id.in_(ids), open_case(), risk_review_overdue(today)
            )
        )
    }
    plans: dict[int, dt.date | None] = {
        pid: due
        for pid, due in session.execute(
            select(InterventionPlan.young_person_id, InterventionPlan.review_on)
            .join(YoungPerson, YoungPerson.id == InterventionPlan.young_person_id)
            .where(
                InterventionPlan.young_person_id.in_(ids),
                open_case(),
                plan_review_overdue(today),
            )
        )
    }
    actions: dict[int, int] = {
        pid: count
        for pid, count in session.execute(
            select(InterventionPlan.young_person_id, func.count(PlanAction.id))
            .join(PlanGoal, PlanGoal.plan_id == InterventionPlan.id)
            .join(PlanAction, PlanAction.goal_id == PlanGoal.id)
            .join(YoungPerson, YoungPerson.id == InterventionPlan.young_person_id)
            .where(InterventionPlan.young_person_id.in_(ids), open_case(), action_overdue(today))
            .group_by(InterventionPlan.young_person_id)
        )
    }
    found: dict[int, OverdueDetail] = {}
    for pid in set(risk) | set(plans) | set(actions):
        found[pid] = OverdueDetail(risk.get(pid), plans.get(pid), actions.get(pid, 0))
    return found
