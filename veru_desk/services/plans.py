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

from veru_desk.db.models import InterventionPlan, PlanAction, PlanGoal, Task
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import AuditAction, GoalDomain, GoalStatus
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.reviews import is_overdue, next_plan_review
from veru_desk.domain.tasks import TaskSource, TaskStatus
from veru_desk.domain.text import stored_text
from veru_desk.services.access import require_case_access
from veru_desk.services.base import Service, check_version, get_or_404, refuse_problems, user_name

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
    """``owner_user_id`` set: the unit owns the action and that worker gets it as a task
    (``services.tasks``), and ``owner`` is their name; otherwise ``owner`` is whoever outside
    the unit does it, as typed."""

    description: str
    owner: str = ""
    due_on: dt.date | None = None
    owner_user_id: int | None = None

    def problems(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not stored_text(self.description):
            errors["description"] = "Describe the action: what will be done."
        if len((self.owner or "").strip()) > MAX_OWNER_CHARS:
            errors["owner"] = f"Shorten the owner to {MAX_OWNER_CHARS} characters or fewer."
        if self.owner_user_id is not None and self.due_on is None:
            errors["due_on"] = (
                "An action for a worker of the unit becomes their task: give it a due date."
            )
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
    #: the task it became, when the unit owns it: whose it is and whether it is done
    task_id: int | None = None
    task_assignee_id: int | None = None
    task_status: TaskStatus | None = None


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
                    copied, carried = self._copy_open_goals(previous, plan)
                    session.flush()
                    _follow_carried_actions(session, carried)
            summary_text = f"Plan version {plan.plan_version} started"
            if copied:
                summary_text += f" ({copied} open goal{'s' if copied != 1 else ''} carried over)"
            self._audit(
                session, AuditAction.CREATE, entity=plan, person_id=person_id, summary=summary_text
            )
            return plan.id

    def _copy_open_goals(
        self, previous: InterventionPlan, plan: InterventionPlan
    ) -> tuple[int, list[tuple[int, PlanAction]]]:
        """The open goals copied, and each unfinished action's old id with its copy (whose
        task follows it, see ``_follow_carried_actions``)."""
        copied = 0
        carried: list[tuple[int, PlanAction]] = []
        for goal in previous.goals:
            if goal.status not in OPEN_GOAL_STATUSES:
                continue
            pairs = [
                (
                    action.id,
                    self._stamped(
                        PlanAction(
                            description=action.description,
                            owner=action.owner,
                            owner_agency_id=action.owner_agency_id,
                            due_on=action.due_on,
                        )
                    ),
                )
                for action in goal.actions
                if action.done_on is None
            ]
            carried.extend(pairs)
            new_goal = PlanGoal(
                position=goal.position,
                domain=goal.domain,
                description=goal.description,
                target_on=goal.target_on,
                status=goal.status,
                progress=goal.progress,
                actions=[copy for _old, copy in pairs],
            )
            plan.goals.append(self._stamped(new_goal))
            copied += 1
        return copied, carried

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
            if data.owner_user_id is not None:
                action.owner = _worker_name(session, data.owner_user_id)
            self._create(
                session, action, person_id=person_id, summary=f"Action added: {action.description}"
            )
            if data.owner_user_id is not None:
                session.flush()
                self._task_for(session, action, person_id, data.owner_user_id)
            return action.id

    def _task_for(
        self, session: Session, action: PlanAction, person_id: int, worker_id: int
    ) -> None:
        """An action the unit owns becomes a task for its worker, in the action's
        transaction: both saved or neither."""
        from veru_desk.services.tasks import TaskInput, TaskService

        assert action.due_on is not None  # ActionInput.problems asks for it
        TaskService(self.db, self.actor).create_in(
            session,
            TaskInput(
                title=f"Plan action: {action.description}"[:200],
                assignee_id=worker_id,
                due_on=action.due_on,
                person_id=person_id,
            ),
            source=(TaskSource.PLAN_ACTION, action.id),
        )

    def _sync_task(
        self, session: Session, action: PlanAction, person_id: int, worker_id: int | None
    ) -> None:
        """After an action is edited its open task says the same (title, due date, worker);
        an action handed to an outside owner cancels its task; one taken on by the unit
        gets a task."""
        from veru_desk.services.tasks import TaskService

        tasks = TaskService(self.db, self.actor)
        task = session.scalars(
            select(Task).where(
                Task.source_kind == TaskSource.PLAN_ACTION,
                Task.source_id == action.id,
                Task.status == TaskStatus.OPEN,
            )
        ).first()
        if task is None:
            if worker_id is not None and action.done_on is None:
                self._task_for(session, action, person_id, worker_id)
            return
        if worker_id is None:
            tasks.cancel_in(session, task, "The action is now owned outside the unit")
            return
        tasks.follow_in(
            session,
            task,
            title=f"Plan action: {action.description}"[:200],
            due_on=action.due_on or task.due_on,
            assignee_id=worker_id,
        )

    def update_action(self, action_id: int, data: ActionInput, expected_version: int) -> None:
        with self._write() as session:
            action = get_or_404(session, PlanAction, action_id, "plan action")
            person_id = action.goal.plan.young_person_id
            require_case_access(session, self.actor, person_id, doing="edit a plan action")
            _require_current(action.goal.plan)
            check_version(session, action, expected_version)
            refuse_problems(data.problems())
            values = _action_values(data)
            if data.owner_user_id is not None:
                values["owner"] = _worker_name(session, data.owner_user_id)
            self._updated(
                session,
                action,
                values,
                person_id=person_id,
                summary=lambda: f"Action updated: {action.description}",
            )
            self._sync_task(session, action, person_id, data.owner_user_id)

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
            from veru_desk.services.tasks import TaskService

            TaskService(self.db, self.actor).close_for_source_in(
                session, TaskSource.PLAN_ACTION, action.id, done_on
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
    plans = list(session.scalars(query))
    action_ids = [a.id for plan in plans for goal in plan.goals for a in goal.actions]
    tasks: dict[int, tuple[int, int, TaskStatus]] = {}
    if action_ids:
        for task_id, source_id, assignee_id, status in session.execute(
            select(Task.id, Task.source_id, Task.assignee_id, Task.status)
            .where(Task.source_kind == TaskSource.PLAN_ACTION, Task.source_id.in_(action_ids))
            .order_by(Task.id)
        ):
            if source_id is not None:
                tasks[source_id] = (task_id, assignee_id, status)  # the newest task wins
    return [_plan_view(plan, today, tasks) for plan in plans]


def _worker_name(session: Session, user_id: int) -> str:
    name = user_name(session, user_id)
    if name is None:
        raise ValidationError({"owner": "Choose a worker of the unit, or type who owns it."})
    return name


def _follow_carried_actions(session: Session, carried: list[tuple[int, PlanAction]]) -> None:
    """A new plan version's copies of unfinished actions take over their tasks, so completing
    the task closes the action in the plan that is current."""
    for old_id, copy in carried:
        for task in session.scalars(
            select(Task).where(Task.source_kind == TaskSource.PLAN_ACTION, Task.source_id == old_id)
        ):
            task.source_id = copy.id


def _plan_view(
    plan: InterventionPlan,
    today: dt.date,
    tasks: dict[int, tuple[int, int, TaskStatus]] | None = None,
) -> PlanView:
    tasks = tasks or {}
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
                        task_id=tasks[action.id][0] if action.id in tasks else None,
                        task_assignee_id=tasks[action.id][1] if action.id in tasks else None,
                        task_status=tasks[action.id][2] if action.id in tasks else None,
                    )
                    for action in goal.actions
                ],
            )
            for goal in plan.goals
        ],
    )
