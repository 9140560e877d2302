"""Intervention plans: versions over time, each with goals and the actions towards them.

A plan is revised by starting a new version rather than overwriting the old one, so a review
panel can see what was agreed at each point. Goals still open are copied into the new version
(with their unfinished actions); finished ones stay in the version where they were finished.
Only the current version is edited: the old ones are the record of what was agreed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from veru_desk.db.models import InterventionPlan, PlanAction, PlanGoal
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import AuditAction, GoalDomain, GoalStatus
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.reviews import is_overdue, next_plan_review
from veru_desk.domain.text import stored_text
from veru_desk.services.access import require_case_access
from veru_desk.services.base import Service, check_version, get_or_404, refuse_problems

_T = TypeVar("_T")

OPEN_GOAL_STATUSES: frozenset[GoalStatus] = frozenset(
    {GoalStatus.NOT_STARTED, GoalStatus.IN_PROGRESS}
)
MAX_OWNER_CHARS = 200


@dataclass(frozen=True)
class GoalInput:
    domain: GoalDomain
    description: str
    target_on: dt.date | None = None
    status: GoalStatus = GoalStatus.NOT_STARTED
    progress: str = ""

    def problems(self, plan_started_on: dt.date) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not isinstance(self.domain, GoalDomain):
            errors["domain"] = "Choose the area of the young person's life this goal is about."
        if not stored_text(self.description):
            errors["description"] = "Describe the goal in a sentence the young person would use."
        if not isinstance(self.status, GoalStatus):
            errors["status"] = "Choose the goal's status."
        if self.target_on is not None and self.target_on < plan_started_on:
            errors["target_on"] = (
                f"The target date is before the plan started ({format_uk_date(plan_started_on)})"
                ": choose a later date."
            )
        return errors


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner: str = ""
    due_on: dt.date | None = None

    def problems(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not stored_text(self.description):
            errors["description"] = "Describe the action: what will be done."
        if len((self.owner or "").strip()) > MAX_OWNER_CHARS:
            errors["owner"] = f"Shorten the owner to {MAX_OWNER_CHARS} characters or fewer."
        return errors


@dataclass(frozen=True)
class ActionView:
    id: int
    version: int
    description: str
    owner: str
    due_on: dt.date | None
    done_on: dt.date | None
    overdue: bool


@dataclass(frozen=True)
class GoalView:
    id: int
    version: int
    domain: GoalDomain
    description: str
    target_on: dt.date | None
    status: GoalStatus
    progress: str
    actions: list[ActionView]


@dataclass(frozen=True)
class PlanView:
    id: int
    version: int
    plan_version: int
    started_on: dt.date
    review_on: dt.date | None
    summary: str
    is_current: bool
    goals: list[GoalView]

    @property
    def review_overdue(self) -> bool:
        return self.is_current and is_overdue(self.review_on, dt.date.today())


def _goal_values(data: GoalInput) -> dict[str, object]:
    return {
        "domain": data.domain,
        "description": stored_text(data.description) or "",
        "target_on": data.target_on,
        "status": data.status,
        "progress": stored_text(data.progress),
    }


def _action_values(data: ActionInput) -> dict[str, object]:
    return {
        "description": stored_text(data.description) or "",
        "owner": stored_text(data.owner),
        "due_on": data.due_on,
    }


def _require_current(plan: InterventionPlan) -> None:
    if not plan.is_current:
        raise ValidationError(
            {
                "plan": (
                    f"Plan version {plan.plan_version} has been replaced by a newer version: "
                    "make changes in the current plan."
                )
            }
        )


class PlanService(Service):
    # --- versions --------------------------------------------------------------------------

    def start_plan(
        self,
        person_id: int,
        started_on: dt.date,
        summary: str = "",
        review_on: dt.date | None = None,
        copy_goals: bool = True,
    ) -> int:
        """Starts the next plan version; the previous one is kept, no longer current.

        ``review_on`` defaults to the unit's plan review interval from ``started_on``.
        """
        with self._write() as session:
            person = self._case_person(session, person_id, doing="start a plan")
            previous = session.scalars(
                select(InterventionPlan)
                .where(InterventionPlan.young_person_id == person_id)
                .order_by(InterventionPlan.plan_version.desc())
                .limit(1)
            ).first()
            errors: dict[str, str] = {}
            if started_on is None:
                errors["started_on"] = "Enter the date the plan starts (dd/mm/yyyy)."
            elif started_on < person.date_of_birth:
                errors["started_on"] = "The start date is before the date of birth."
            elif previous is not None and started_on < previous.started_on:
                errors["started_on"] = (
                    f"Plan version {previous.plan_version} started on "
                    f"{format_uk_date(previous.started_on)}: a new version cannot start earlier."
                )
            elif review_on is not None and review_on <= started_on:
                errors["review_on"] = "The review date must be after the start date."
            if errors:
                raise ValidationError(errors)
            plan = InterventionPlan(
                young_person_id=person_id,
                referral_id=person.current_referral_id,
                plan_version=previous.plan_version + 1 if previous else 1,
                started_on=started_on,
                review_on=review_on or next_plan_review(started_on),
                summary=stored_text(summary),
                is_current=True,
            )
            self._stamp(plan)
            session.add(plan)
            copied = 0
            if previous is not None:
                if previous.is_current:
                    previous.is_current = False
                    self._stamp(previous)
                if copy_goals:
                    copied = self._copy_open_goals(previous, plan)
            summary_text = f"Plan version {plan.plan_version} started"
            if copied:
                summary_text += f" ({copied} open goal{'s' if copied != 1 else ''} carried over)"
            self._audit(
                session, AuditAction.CREATE, entity=plan, person_id=person_id, summary=summary_text
            )
            return plan.id

    def _copy_open_goals(self, previous: InterventionPlan, plan: InterventionPlan) -> int:
        copied = 0
        for goal in previous.goals:
            if goal.status not in OPEN_GOAL_STATUSES:
                continue
            new_goal = PlanGoal(
                position=goal.position,
                domain=goal.domain,
                description=goal.description,
                target_on=goal.target_on,
                status=goal.status,
                progress=goal.progress,
                actions=[
                    self._stamped(
                        PlanAction(
                            description=action.description,
                            owner=action.owner,
                            owner_agency_id=action.owner_agency_id,
                            due_on=action.due_on,
                        )
                    )
                    for action in goal.actions
                    if action.done_on is None
                ],
            )
            plan.goals.append(self._stamped(new_goal))
            copied += 1
        return copied

    def _stamped(self, obj: _T) -> _T:
        self._stamp(obj)
        return obj

    # --- queries ---------------------------------------------------------------------------

    def current(self, person_id: int) -> PlanView | None:
        with self._read() as session:
            return self.current_in(session, person_id)

    def current_in(self, session: Session, person_id: int) -> PlanView | None:
        """``current`` in a transaction the caller holds (one snapshot for a document)."""
        require_case_access(session, self.actor, person_id, doing="read a plan")
        plans = _plans(session, person_id, current_only=True)
        return plans[0] if plans else None

    def versions(self, person_id: int) -> list[PlanView]:
        """Every version, newest first."""
        with self._read() as session:
            require_case_access(session, self.actor, person_id, doing="read plans")
            return _plans(session, person_id, current_only=False)

    # --- goals and actions -----------------------------------------------------------------

    def add_goal(self, plan_id: int, data: GoalInput) -> int:
        with self._write() as session:
            plan = get_or_404(session, InterventionPlan, plan_id, "plan")
            person_id = plan.young_person_id
            require_case_access(session, self.actor, person_id, doing="add a plan goal")
            _require_current(plan)
            refuse_problems(data.problems(plan.started_on))
            last = session.scalar(
                select(func.max(PlanGoal.position)).where(PlanGoal.plan_id == plan_id)
            )
            position = 0 if last is None else last + 1
            goal = PlanGoal(plan_id=plan_id, position=position, **_goal_values(data))
            self._create(
                session,
                goal,
                person_id=person_id,
                summary=f"Goal added ({data.domain.label}): {goal.description}",
            )
            return goal.id

    def update_goal(self, goal_id: int, data: GoalInput, expected_version: int) -> None:
        with self._write() as session:
            goal = get_or_404(session, PlanGoal, goal_id, "plan goal")
            person_id = goal.plan.young_person_id
            require_case_access(session, self.actor, person_id, doing="edit a plan goal")
            _require_current(goal.plan)
            check_version(session, goal, expected_version)
            refuse_problems(data.problems(goal.plan.started_on))
            status = goal.status
            self._updated(
                session,
                goal,
                _goal_values(data),
                person_id=person_id,
                summary=lambda: (
                    f"Goal updated: {goal.description}"
                    if goal.status is status
                    else f"Goal {goal.status.label.lower()}: {goal.description}"
                ),
            )

    def add_action(self, goal_id: int, data: ActionInput) -> int:
        with self._write() as session:
            goal = get_or_404(session, PlanGoal, goal_id, "plan goal")
            person_id = goal.plan.young_person_id
            require_case_access(session, self.actor, person_id, doing="add a plan action")
            _require_current(goal.plan)
            refuse_problems(data.problems())
            action = PlanAction(goal_id=goal_id, **_action_values(data))
            self._create(
                session, action, person_id=person_id, summary=f"Action added: {action.description}"
            )
            return action.id

    def update_action(self, action_id: int, data: ActionInput, expected_version: int) -> None:
        with self._write() as session:
            action = get_or_404(session, PlanAction, action_id, "plan action")
            person_id = action.goal.plan.young_person_id
            require_case_access(session, self.actor, person_id, doing="edit a plan action")
            _require_current(action.goal.plan)
            check_version(session, action, expected_version)
            refuse_problems(data.problems())
            self._updated(
                session,
                action,
                _action_values(data),
                person_id=person_id,
                summary=lambda: f"Action updated: {action.description}",
            )

    def set_action_done(self, action_id: int, done_on: dt.date | None) -> None:
        """Marks an action done on a day, or not done again with ``None``."""
        with self._write() as session:
            action = get_or_404(session, PlanAction, action_id, "plan action")
            person_id = action.goal.plan.young_person_id
            require_case_access(session, self.actor, person_id, doing="update a plan action")
            _require_current(action.goal.plan)
            if done_on is not None and done_on > dt.date.today():
                raise ValidationError(
                    {"done_on": "The date done is in the future: enter the day it was done."}
                )
            self._updated(
                session,
                action,
                {"done_on": done_on},
                person_id=person_id,
                summary=(
                    f"Action done on {format_uk_date(done_on)}: {action.description}"
                    if done_on
                    else f"Action reopened: {action.description}"
                ),
            )


def _plans(session: Session, person_id: int, *, current_only: bool) -> list[PlanView]:
    query = (
        select(InterventionPlan)
        .where(InterventionPlan.young_person_id == person_id)
        .options(selectinload(InterventionPlan.goals).selectinload(PlanGoal.actions))
        .order_by(InterventionPlan.plan_version.desc())
    )
    if current_only:
        query = query.where(InterventionPlan.is_current.is_(True))
    today = dt.date.today()
    return [_plan_view(plan, today) for plan in session.scalars(query)]


def _plan_view(plan: InterventionPlan, today: dt.date) -> PlanView:
    return PlanView(
        id=plan.id,
        version=plan.version,
        plan_version=plan.plan_version,
        started_on=plan.started_on,
        review_on=plan.review_on,
        summary=plan.summary or "",
        is_current=plan.is_current,
        goals=[
            GoalView(
                id=goal.id,
                version=goal.version,
                domain=goal.domain,
                description=goal.description,
                target_on=goal.target_on,
                status=goal.status,
                progress=goal.progress or "",
                actions=[
                    ActionView(
                        id=action.id,
                        version=action.version,
                        description=action.description,
                        owner=action.owner or "",
                        due_on=action.due_on,
                        done_on=action.done_on,
                        overdue=(
                            plan.is_current
                            and action.done_on is None
                            and is_overdue(action.due_on, today)
                        ),
                    )
                    for action in goal.actions
                ],
            )
            for goal in plan.goals
        ],
    )
