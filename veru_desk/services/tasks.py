"""Tasks: work handed to one worker of the unit, with a due date, and the reminders of it.

Who may do what, and why:
- Anyone with a case role sets tasks; a task on a case needs the setter to be able to open the
  case (a caseworker their own cases, a manager any).
- A task goes to an active caseworker or manager. A task on a case may go to a colleague who
  cannot open the case (a panel asks Aisha to cover a school visit on Dariusz's case): the
  work is theirs to do and to close, so they see its title, due date and the case reference,
  never the young person's name or the case itself, which still need the case's access. This
  keeps a panel's or a manager's decision about who does the work from being refused, and
  keeps the case's records where they were.
- Caseworkers act on their own tasks (assigned to them or set by them) and on tasks on their
  own cases; managers on every task. Handing a task on to someone else is for whoever set it,
  whoever holds the case and managers: the assignee of a colleague's task asks them or a
  manager (so a task cannot be passed round out of sight of the person who set it; the
  PostgreSQL policy on ``task`` is the same rule).
- A task that came from a plan action closes its action when it is done, and the action
  marked done closes its task (``services.plans``); a panel action is closed the same way.
  Both only when the person closing it may open the case: otherwise the task is done and the
  action waits for the case's worker, who sees the task marked done.

Every change is audited; what notes say is not kept in the trail (it is append-only, and notes
about a young person belong in the case, where retention can reach them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import Session, aliased

from veru_desk.db.models import (
    InterventionPlan,
    PanelAction,
    PlanAction,
    PlanGoal,
    Task,
    User,
    UserRole,
    YoungPerson,
)
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import Role
from veru_desk.domain.errors import PermissionDenied, ValidationError
from veru_desk.domain.names import display_name
from veru_desk.domain.tasks import (
    Due,
    TaskInput,
    TaskSource,
    TaskStatus,
    due_bucket,
    due_words,
    reason_problems,
)
from veru_desk.domain.text import stored_text
from veru_desk.services.access import can_see_case, own_cases, require_case_access, require_role
from veru_desk.services.audit import apply_changes
from veru_desk.services.base import Service, check_version, get_or_404, refuse_problems

__all__ = ["TaskInput", "TaskService", "TaskView", "WorkerOverdue"]

_NOTES_NOT_KEPT = ("(changed)", "(changed)")


@dataclass(frozen=True)
class TaskView:
    """A task as lists show it. ``person_name`` is None when the reader may not open the case
    (a colleague's case: the reference only)."""

    id: int
    version: int
    title: str
    person_id: int | None
    case_ref: str | None
    person_name: str | None
    assignee_id: int
    assignee_name: str
    due_on: dt.date
    status: TaskStatus
    completed_on: dt.date | None
    completed_by: str | None
    cancel_reason: str | None
    notes: str
    source_kind: TaskSource | None
    source_id: int | None
    set_by: str | None
    may_open_case: bool

    def due(self, today: dt.date | None = None) -> Due:
        return due_bucket(self.status, self.due_on, today or dt.date.today())

    def due_text(self, today: dt.date | None = None) -> str:
        return due_words(self.status, self.due_on, today or dt.date.today())

    @property
    def overdue(self) -> bool:
        return self.due() is Due.OVERDUE

    @property
    def case_text(self) -> str:
        """ "VERU-2026-00012 Zoë Brontë", the reference alone, or nothing for unit work."""
        if self.case_ref is None:
            return ""
        return f"{self.case_ref} {self.person_name}" if self.person_name else self.case_ref

    @property
    def status_text(self) -> str:
        if self.status is TaskStatus.DONE and self.completed_on is not None:
            return f"Done {format_uk_date(self.completed_on)}"
        if self.status is TaskStatus.CANCELLED:
            return "Cancelled"
        return "Open"

    def as_input(self) -> TaskInput:
        return TaskInput(
            title=self.title,
            assignee_id=self.assignee_id,
            due_on=self.due_on,
            person_id=self.person_id,
            notes=self.notes,
        )


@dataclass(frozen=True)
class WorkerOverdue:
    """One worker's overdue tasks, for the manager's dashboard."""

    worker_id: int
    worker_name: str
    tasks: tuple[TaskView, ...]

    @property
    def count(self) -> int:
        return len(self.tasks)

    @property
    def oldest_due_on(self) -> dt.date:
        return min(task.due_on for task in self.tasks)


class TaskService(Service):
    # --- changes ---------------------------------------------------------------------------

    def create(self, data: TaskInput, source: tuple[TaskSource, int] | None = None) -> int:
        """Sets a task; ``source`` names the plan or panel action it came from."""
        with self._write() as session:
            task = self.create_in(session, data, source)
            session.flush()
            return task.id

    def create_in(
        self, session: Session, data: TaskInput, source: tuple[TaskSource, int] | None = None
    ) -> Task:
        """``create`` inside a transaction the caller holds (a plan action saved with its
        task, all or nothing)."""
        return self._new_task(session, data, source)

    def _new_task(
        self, session: Session, data: TaskInput, source: tuple[TaskSource, int] | None
    ) -> Task:
        require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing="set a task")
        refuse_problems(data.problems(dt.date.today()))
        assert data.assignee_id is not None and data.due_on is not None  # problems() said so
        if data.person_id is not None:
            require_case_access(session, self.actor, data.person_id, doing="set a task on a case")
            get_or_404(session, YoungPerson, data.person_id, "young person")
        assignee = _assignee(session, data.assignee_id)
        task = Task(
            title=data.title.strip(),
            young_person_id=data.person_id,
            assignee_id=data.assignee_id,
            due_on=data.due_on,
            status=TaskStatus.OPEN,
            notes=stored_text(data.notes) or None,
            source_kind=source[0] if source else None,
            source_id=source[1] if source else None,
        )
        return self._create(
            session,
            task,
            person_id=data.person_id,
            summary=f"Task set for {assignee.display_name}, due {format_uk_date(data.due_on)}: "
            f"{task.title}",
        )

    def change(self, task_id: int, data: TaskInput, expected_version: int) -> None:
        """Corrects a task's title, due date or notes (and who does it: see ``reassign``).
        The case it is on stays: a task on the wrong case is cancelled and set again."""
        with self._write() as session:
            task = self._task_to_change(session, task_id, "change a task", expected_version)
            refuse_problems(data.problems(dt.date.today()))
            if data.person_id != task.young_person_id:
                raise ValidationError(
                    {
                        "person": "A task stays on the case it was set on: cancel it and set "
                        "a new one on the other case."
                    }
                )
            if data.assignee_id != task.assignee_id:
                self._check_may_hand_on(session, task)
                _assignee(session, data.assignee_id or 0)
            changes = apply_changes(
                task,
                {
                    "title": data.title.strip(),
                    "due_on": data.due_on,
                    "notes": stored_text(data.notes) or None,
                    "assignee_id": data.assignee_id,
                },
            )
            if changes:
                if "notes" in changes:
                    changes["notes"] = _NOTES_NOT_KEPT
                self._record_update(
                    session,
                    task,
                    changes,
                    person_id=task.young_person_id,
                    summary=f"Task changed: {task.title}",
                )

    def complete(self, task_id: int, expected_version: int, on: dt.date | None = None) -> None:
        """Marks an open task done on ``on`` (today), closing the action it came from."""
        today = dt.date.today()
        day = on or today
        with self._write() as session:
            task = self._task_to_change(session, task_id, "complete a task", expected_version)
            if task.status is not TaskStatus.OPEN:
                raise ValidationError({"status": _closed_already(task)})
            if day > today:
                raise ValidationError(
                    {"completed_on": "A task is done on a day that has come: today or earlier."}
                )
            if day < task.created_at.date() - dt.timedelta(days=366):
                raise ValidationError({"completed_on": "Check the year of the day it was done."})
            self._close(session, task, TaskStatus.DONE, day, None)
            self._close_source(session, task, day)

    def cancel(self, task_id: int, expected_version: int, reason: str) -> None:
        """Cancels an open task, saying why (the young person moved, the panel withdrew it)."""
        with self._write() as session:
            task = self._task_to_change(session, task_id, "cancel a task", expected_version)
            if task.status is not TaskStatus.OPEN:
                raise ValidationError({"status": _closed_already(task)})
            refuse_problems(reason_problems(reason))
            self._close(session, task, TaskStatus.CANCELLED, dt.date.today(), reason)

    def reopen(self, task_id: int, expected_version: int) -> None:
        """Opens a done or cancelled task again (marked done by mistake, or needed after all).
        An action it closed is not reopened: that is the plan's or the panel's to say."""
        with self._write() as session:
            task = self._task_to_change(session, task_id, "reopen a task", expected_version)
            if task.status is TaskStatus.OPEN:
                raise ValidationError({"status": "This task is open already."})
            changes = apply_changes(
                task,
                {
                    "status": TaskStatus.OPEN,
                    "completed_on": None,
                    "completed_by_id": None,
                    "cancel_reason": None,
                },
            )
            self._record_update(
                session,
                task,
                changes,
                person_id=task.young_person_id,
                summary=f"Task reopened: {task.title}",
            )

    def reassign(self, task_id: int, assignee_id: int, expected_version: int) -> None:
        """Hands a task to another worker (leave cover, a worker leaving)."""
        with self._write() as session:
            task = self._task_to_change(session, task_id, "reassign a task", expected_version)
            if task.status is not TaskStatus.OPEN:
                raise ValidationError({"assignee": _closed_already(task)})
            if assignee_id == task.assignee_id:
                return
            self._check_may_hand_on(session, task)
            before = session.get_one(User, task.assignee_id).display_name
            after = _assignee(session, assignee_id).display_name
            changes = apply_changes(task, {"assignee_id": assignee_id})
            self._record_update(
                session,
                task,
                changes,
                person_id=task.young_person_id,
                summary=f"Task handed from {before} to {after}: {task.title}",
            )

    def move_open_tasks_in(
        self, session: Session, person_id: int, from_worker_id: int, to_worker_id: int, why: str
    ) -> int:
        """A reallocated case's open tasks of its previous worker go with it to the new one,
        in the reallocation's transaction (``services.workload``). Tasks given to a manager
        or to a colleague stay theirs: they were handed to that person on purpose. Returns
        how many moved."""
        rows = session.scalars(
            select(Task).where(
                Task.young_person_id == person_id,
                Task.assignee_id == from_worker_id,
                Task.status == TaskStatus.OPEN,
            )
        ).all()
        for task in rows:
            changes = apply_changes(task, {"assignee_id": to_worker_id})
            self._record_update(
                session,
                task,
                changes,
                person_id=person_id,
                summary=f"Task moved with the case ({why}): {task.title}",
            )
        return len(rows)

    def cancel_in(self, session: Session, task: Task, reason: str) -> None:
        """Cancels an open task inside the caller's transaction (its action left the unit)."""
        self._close(session, task, TaskStatus.CANCELLED, dt.date.today(), reason)

    def follow_in(
        self, session: Session, task: Task, *, title: str, due_on: dt.date, assignee_id: int
    ) -> None:
        """An open task says what its edited action says, inside the action's transaction."""
        if assignee_id != task.assignee_id:
            _assignee(session, assignee_id)
        changes = apply_changes(
            task, {"title": title, "due_on": due_on, "assignee_id": assignee_id}
        )
        if changes:
            self._record_update(
                session,
                task,
                changes,
                person_id=task.young_person_id,
                summary=f"Task changed with its action: {task.title}",
            )

    def close_for_source_in(
        self, session: Session, source: TaskSource, source_id: int, done_on: dt.date | None
    ) -> None:
        """The action a task came from was marked done (or not done again): its open task
        closes on the same day, or its done task opens again."""
        for task in session.scalars(
            select(Task).where(Task.source_kind == source, Task.source_id == source_id)
        ):
            if done_on is not None and task.status is TaskStatus.OPEN:
                self._close(session, task, TaskStatus.DONE, done_on, None)
            elif done_on is None and task.status is TaskStatus.DONE:
                changes = apply_changes(
                    task, {"status": TaskStatus.OPEN, "completed_on": None, "completed_by_id": None}
                )
                self._record_update(
                    session,
                    task,
                    changes,
                    person_id=task.young_person_id,
                    summary=f"Task reopened with its action: {task.title}",
                )

    # --- reading ---------------------------------------------------------------------------

    def get(self, task_id: int) -> TaskView:
        with self._read() as session:
            task = get_or_404(session, Task, task_id, "task")
            self._check_may_act(session, task, "read a task")
            [view] = self._views(session, Task.id == task_id, include_closed=True)
            return view

    def mine(self, include_closed: bool = False) -> list[TaskView]:
        """The signed-in worker's tasks by due date, oldest first (overdue at the top)."""
        if self.actor.user_id is None:
            return []
        with self._read() as session:
            return self._own_views(session, include_closed=include_closed)

    def team(self, include_closed: bool = False) -> list[TaskView]:
        """Every worker's tasks (managers)."""
        require_role(self.actor, Role.MANAGER, doing="see the team's tasks")
        with self._read() as session:
            return self._views(session, true(), include_closed=include_closed)

    def for_case(self, person_id: int, include_closed: bool = True) -> list[TaskView]:
        """A case's tasks, whoever they are for: open ones first by due date."""
        with self._read() as session:
            require_case_access(session, self.actor, person_id, doing="read a case's tasks")
            return self._views(
                session, Task.young_person_id == person_id, include_closed=include_closed
            )

    def team_overdue(self, today: dt.date | None = None) -> list[WorkerOverdue]:
        """Managers: each worker's overdue tasks, the most overdue worker first."""
        require_role(self.actor, Role.MANAGER, doing="see the team's overdue tasks")
        with self._read() as session:
            return self.team_overdue_in(session, today or dt.date.today())

    def mine_due_in(self, session: Session, until: dt.date, limit: int) -> list[TaskView]:
        """My open tasks due by ``until`` (overdue ones first), at most ``limit``: the
        dashboard's card, in the dashboard's read."""
        if self.actor.user_id is None:
            return []
        return self._own_views(session, Task.due_on <= until, limit=limit)

    def _own_views(
        self,
        session: Session,
        *also: ColumnElement[bool],
        include_closed: bool = False,
        limit: int | None = None,
    ) -> list[TaskView]:
        """The reader's own tasks: theirs to see whatever the case (``_visible``'s first
        rule), so the rule is not asked again. Asked, its rule for others' tasks on their
        cases (an OR with a look-up of each task's case) had a server read every young person
        to join the busiest caseworker's 680 tasks: 46 ms at 130,000 people, growing with
        them; 2.3 ms without."""
        return self._views(
            session,
            and_(Task.assignee_id == self.actor.user_id, *also),
            include_closed=include_closed,
            visible_only=False,
            limit=limit,
        )

    def team_overdue_in(self, session: Session, day: dt.date) -> list[WorkerOverdue]:
        """``team_overdue`` in a read the caller holds (the dashboard)."""
        if not self.actor.is_manager:
            return []
        views = self._views(session, Task.due_on < day)
        by_worker: dict[int, list[TaskView]] = {}
        for view in views:
            by_worker.setdefault(view.assignee_id, []).append(view)
        workers = [
            WorkerOverdue(worker_id, items[0].assignee_name, tuple(items))
            for worker_id, items in by_worker.items()
        ]
        return sorted(workers, key=lambda w: (-w.count, w.oldest_due_on, w.worker_name))

    def overdue_count_for(self, user_id: int | None = None, today: dt.date | None = None) -> int:
        """How many open tasks of ``user_id`` (the signed-in user) are past their due day:
        the sign-in reminder. Someone else's count is a manager's to ask."""
        who = user_id if user_id is not None else self.actor.user_id
        if who is None:
            return 0
        if who != self.actor.user_id:
            require_role(self.actor, Role.MANAGER, doing="count a colleague's overdue tasks")
        day = today or dt.date.today()
        with self._read() as session:
            return len(
                session.execute(
                    select(Task.id).where(
                        Task.status == TaskStatus.OPEN,
                        Task.assignee_id == who,
                        Task.due_on < day,
                    )
                ).all()
            )

    def assignees(self) -> list[tuple[int, str]]:
        """Who a task may go to: the unit's active caseworkers and managers, by name."""
        require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing="set a task")
        with self._read() as session:
            return [
                (row.id, row.display_name)
                for row in session.execute(
                    select(User.id, User.display_name)
                    .join(UserRole, UserRole.user_id == User.id)
                    .where(User.active, UserRole.role.in_((Role.CASEWORKER, Role.MANAGER)))
                    .distinct()
                    .order_by(User.display_name)
                )
            ]

    def sources_done(self, source: TaskSource, ids: Sequence[int]) -> dict[int, TaskView]:
        """The tasks made from these actions, by action id (the plan tab shows who has it)."""
        if not ids:
            return {}
        with self._read() as session:
            views = self._views(
                session,
                and_(Task.source_kind == source, Task.source_id.in_(list(ids))),
                include_closed=True,
                visible_only=False,
            )
        return {view.source_id: view for view in views if view.source_id is not None}

    # --- inside ----------------------------------------------------------------------------

    def _visible(self) -> ColumnElement[bool]:
        """The tasks a reader may see (the same rule as the PostgreSQL policy on ``task``)."""
        if self.actor.is_manager:
            return true()
        if Role.CASEWORKER not in self.actor.roles or self.actor.user_id is None:
            return false()
        me = self.actor.user_id
        return or_(
            Task.assignee_id == me,
            Task.created_by_id == me,
            and_(Task.young_person_id.is_not(None), own_cases(self.actor)),
        )

    def _views(
        self,
        session: Session,
        where: ColumnElement[bool],
        *,
        include_closed: bool = False,
        visible_only: bool = True,
        limit: int | None = None,
    ) -> list[TaskView]:
        assignee = aliased(User)
        closer = aliased(User)
        setter = aliased(User)
        # Columns, not ``Task`` objects: the team's list with done tasks shown is thousands
        # of rows, and building an ORM object for each was most of its time.
        query = (
            select(
                Task.id,
                Task.version,
                Task.title,
                Task.young_person_id,
                Task.assignee_id,
                Task.due_on,
                Task.status,
                Task.completed_on,
                Task.cancel_reason,
                Task.notes,
                Task.source_kind,
                Task.source_id,
                assignee.display_name.label("assignee_name"),
                closer.display_name.label("closer_name"),
                setter.display_name.label("setter_name"),
                YoungPerson.case_ref,
                YoungPerson.first_name,
                YoungPerson.last_name,
                YoungPerson.preferred_name,
                (and_(YoungPerson.id.is_not(None), own_cases(self.actor))).label("opens"),
                # A panel action names the task it became (``PanelAction.task_id``).
                exists().where(PanelAction.task_id == Task.id).label("from_panel"),
            )
            .join(assignee, assignee.id == Task.assignee_id)
            .outerjoin(closer, closer.id == Task.completed_by_id)
            .outerjoin(setter, setter.id == Task.created_by_id)
            .outerjoin(YoungPerson, YoungPerson.id == Task.young_person_id)
            .where(where)
            .order_by(Task.due_on, Task.id)
        )
        if visible_only:
            query = query.where(self._visible())
        if not include_closed:
            query = query.where(Task.status == TaskStatus.OPEN)
        if limit is not None:
            query = query.limit(limit)
        views: list[TaskView] = []
        # Unpacked, not read by name: 5,000 rows of 21 columns read by name were a third of
        # the team's list with done tasks shown.
        for (
            task_id,
            version,
            title,
            person_id,
            assignee_id,
            due_on,
            status,
            completed_on,
            cancel_reason,
            notes,
            source_kind,
            source_id,
            assignee_name,
            closer_name,
            setter_name,
            case_ref,
            first_name,
            last_name,
            preferred_name,
            may_open,
            from_panel,
        ) in session.execute(query):
            opens = bool(may_open) and person_id is not None
            views.append(
                TaskView(
                    id=task_id,
                    version=version,
                    title=title,
                    person_id=person_id,
                    case_ref=case_ref,
                    person_name=(
                        display_name(first_name, last_name, preferred_name) if opens else None
                    ),
                    assignee_id=assignee_id,
                    assignee_name=assignee_name,
                    due_on=due_on,
                    status=status,
                    completed_on=completed_on,
                    completed_by=closer_name,
                    cancel_reason=cancel_reason,
                    notes=notes or "",
                    source_kind=(
                        TaskSource.PANEL_ACTION
                        if source_kind is None and from_panel
                        else source_kind
                    ),
                    source_id=source_id,
                    set_by=setter_name,
                    may_open_case=opens,
                )
            )
        if not include_closed:
            return views
        # Open first (by due date), then the closed ones, most recently closed first.
        open_ = [v for v in views if v.status is TaskStatus.OPEN]
        closed = [v for v in views if v.status is not TaskStatus.OPEN]
        closed.sort(key=lambda v: (v.completed_on or dt.date.min, v.id), reverse=True)
        return open_ + closed

    def _may_act(self, session: Session, task: Task) -> bool:
        if self.actor.is_manager:
            return True
        if Role.CASEWORKER not in self.actor.roles or self.actor.user_id is None:
            return False
        if self.actor.user_id in (task.assignee_id, task.created_by_id):
            return True
        return task.young_person_id is not None and can_see_case(
            session, self.actor, task.young_person_id
        )

    def _check_may_act(self, session: Session, task: Task, doing: str) -> None:
        if not self._may_act(session, task):
            raise PermissionDenied(
                "This task is not yours and not on one of your cases. Ask a manager if you "
                "need to work on it.",
                attempted=f"{doing} (task {task.id})",
                person_id=task.young_person_id,
            )

    def _check_may_hand_on(self, session: Session, task: Task) -> None:
        if self.actor.is_manager or task.created_by_id == self.actor.user_id:
            return
        if task.young_person_id is not None and can_see_case(
            session, self.actor, task.young_person_id
        ):
            return
        raise PermissionDenied(
            "Only whoever set this task, the case's worker or a manager can hand it to "
            "someone else: ask them.",
            attempted=f"reassign a task (task {task.id})",
            person_id=task.young_person_id,
        )

    def _task_to_change(
        self, session: Session, task_id: int, doing: str, expected_version: int | None
    ) -> Task:
        task = get_or_404(session, Task, task_id, "task")
        self._check_may_act(session, task, doing)
        check_version(session, task, expected_version)
        return task

    def _close(
        self,
        session: Session,
        task: Task,
        status: TaskStatus,
        day: dt.date,
        reason: str | None,
    ) -> None:
        changes = apply_changes(
            task,
            {
                "status": status,
                "completed_on": day,
                "completed_by_id": self.actor.user_id,
                "cancel_reason": stored_text(reason) or None if reason else None,
            },
        )
        if status is TaskStatus.DONE:
            said = f"Task done on {format_uk_date(day)}: {task.title}"
        else:
            said = f"Task cancelled ({stored_text(reason)}): {task.title}"
        self._record_update(session, task, changes, person_id=task.young_person_id, summary=said)

    def _close_source(self, session: Session, task: Task, day: dt.date) -> None:
        """The plan or panel action behind a done task is done too, if the closer may open
        its case (see the module's note) and it is still open."""
        person_id = task.young_person_id
        if person_id is None or not can_see_case(session, self.actor, person_id):
            return
        if task.source_kind is TaskSource.PLAN_ACTION and task.source_id is not None:
            action = session.get(PlanAction, task.source_id)
            if action is None or action.done_on is not None:
                return
            plan = session.get_one(
                InterventionPlan, session.get_one(PlanGoal, action.goal_id).plan_id
            )
            if not plan.is_current:
                return
            self._updated(
                session,
                action,
                {"done_on": day},
                person_id=person_id,
                summary=f"Action done on {format_uk_date(day)} (its task was completed): "
                f"{action.description}",
            )
        panel_actions = session.scalars(
            select(PanelAction).where(PanelAction.task_id == task.id, PanelAction.done_on.is_(None))
        ).all()
        for panel_action in panel_actions:
            self._updated(
                session,
                panel_action,
                {"done_on": day},
                person_id=person_id,
                summary=f"Panel action done on {format_uk_date(day)} (its task was completed): "
                f"{panel_action.description[:80]}",
            )


def _assignee(session: Session, user_id: int) -> User:
    """An active caseworker or manager: work cannot go to an administrator (who sees no case)
    nor to an account that has been disabled."""
    user = session.get(User, user_id)
    if user is None or not user.active or not (user.role_set & {Role.CASEWORKER, Role.MANAGER}):
        raise ValidationError(
            {"assignee": "Choose an active caseworker or manager to do the task."}
        )
    return user


def _closed_already(task: Task) -> str:
    if task.status is TaskStatus.DONE and task.completed_on is not None:
        return (
            f"This task was done on {format_uk_date(task.completed_on)}: reopen it first if "
            "it needs doing again."
        )
    return "This task was cancelled: reopen it first if it needs doing after all."
