"""A plan goal (in the young person's words) and the actions that move it on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QWidget

from veru_desk.domain.enums import GoalDomain, GoalStatus
from veru_desk.domain.errors import NotFound, ValidationError
from veru_desk.domain.tasks import TaskStatus
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.plans import ActionInput, ActionView, GoalInput, GoalView
from veru_desk.ui.dialogs.case_dialog import (
    CaseDialog,
    chosen_enum,
    enum_combo,
    gather,
    select_enum,
)
from veru_desk.ui.widgets.forms import DateField
from veru_desk.ui.widgets.kit import room_for_placeholder


def saved_goal(services: Services, person_id: int, goal_id: int) -> GoalView:
    """A goal as saved now, from any version of the person's plan."""
    for plan in services.plans.versions(person_id):
        for goal in plan.goals:
            if goal.id == goal_id:
                return goal
    raise NotFound("This goal is no longer in the plan.")


class GoalDialog(CaseDialog):
    """Adds a goal to the current plan (``plan_id``) or edits one (``goal``)."""

    def __init__(
        self,
        services: Services,
        person_id: int,
        *,
        plan_id: int | None = None,
        goal: GoalView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        if (plan_id is None) == (goal is None):
            raise ValueError("pass plan_id to add a goal, or goal to edit one")
        super().__init__("Add a goal" if goal is None else "Goal", person_id, Kind.PLAN, parent)
        self.services = services
        self.plan_id = plan_id
        self.goal = goal

        self.domain = enum_combo(GoalDomain)
        self.domain.setPlaceholderText("Choose an area")
        self.domain.setCurrentIndex(-1)
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setPlaceholderText("e.g. Back into full-time education by Easter")
        self.description.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)
        self.target_on = DateField(accessible_name="Target date")
        self.status = enum_combo(GoalStatus, current=GoalStatus.NOT_STARTED)
        self.progress = QPlainTextEdit()
        self.progress.setTabChangesFocus(True)
        self.progress.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)

        self.add_row("Area", self.domain, "domain", accessible="Goal area")
        self.add_row("Goal", self.description, "description", accessible="Goal description")
        self.add_row("Target date", self.target_on, "target_on", accessible="Target date")
        self.add_row("Status", self.status, "status", accessible="Goal status")
        self.add_row("Progress", self.progress, "progress", accessible="Progress")

        if goal is not None:
            self.load(goal)

    def fill(self, goal: GoalView) -> None:
        select_enum(self.domain, goal.domain)
        self.description.setPlainText(goal.description)
        self.target_on.set_date(goal.target_on)
        select_enum(self.status, goal.status)
        self.progress.setPlainText(goal.progress)

    def reread(self) -> GoalView | None:
        if self.goal is None:
            return None
        return saved_goal(self.services, self.person_id, self.goal.id)

    def build_on(self, saved: GoalView) -> None:
        self.goal = saved

    def prepare(self) -> Callable[[], Any]:
        errors: dict[str, str] = {}
        target = gather(errors, lambda: self.target_on.date_or_none("target_on"))
        domain = chosen_enum(self.domain, GoalDomain)
        if domain is None:
            errors["domain"] = "Choose the area of the young person's life this goal is about."
        if not self.description.toPlainText().strip():
            errors["description"] = "Describe the goal in a sentence the young person would use."
        if errors or domain is None:
            raise ValidationError(errors)
        data = GoalInput(
            domain=domain,
            description=self.description.toPlainText(),
            target_on=target,
            status=chosen_enum(self.status, GoalStatus) or GoalStatus.NOT_STARTED,
            progress=self.progress.toPlainText(),
        )
        plans = self.services.plans
        if self.goal is None:
            plan_id = self.plan_id
            assert plan_id is not None
            return lambda: plans.add_goal(plan_id, data)
        goal_id, version = self.goal.id, self.goal.version
        return lambda: plans.update_goal(goal_id, data, version)


OUTSIDE_OWNER = "Someone outside the unit (type who)"


def _unit_workers(services: Services) -> list[tuple[int, str]]:
    """The unit's active caseworkers and managers (one indexed read of a few rows)."""
    try:
        return services.tasks.assignees()
    except Exception:  # no case role, or unreadable now: owners are typed as before
        return []


class ActionDialog(CaseDialog):
    """Adds an action to a goal (``goal_id``) or edits one (``action``)."""

    def __init__(
        self,
        services: Services,
        person_id: int,
        *,
        goal_id: int | None = None,
        action: ActionView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        if (goal_id is None) == (action is None):
            raise ValueError("pass goal_id to add an action, or action to edit one")
        super().__init__(
            "Add an action" if action is None else "Action", person_id, Kind.PLAN, parent
        )
        self.services = services
        self.goal_id = goal_id
        self.action = action

        self.description = QLineEdit()
        self.description.setPlaceholderText("e.g. Meet the head of year about a return date")
        room_for_placeholder(self.description)
        # Owned by a worker of the unit: it becomes their task (services.tasks); otherwise
        # the owner outside the unit is typed, as before.
        self.owned_by = QComboBox()
        self.owned_by.addItem(OUTSIDE_OWNER, None)
        for user_id, name in _unit_workers(services):
            self.owned_by.addItem(f"{name} (a task for them)", user_id)
        self.owner = QLineEdit()
        self.owner.setPlaceholderText("Who will do it: a person or an agency")
        self.due_on = DateField(accessible_name="Due date")
        self.add_row("Action", self.description, "description", accessible="Action")
        self.add_row("Owned by", self.owned_by, "owner_user_id", accessible="Owned by")
        self.add_row("Owner", self.owner, "owner", accessible="Action owner")
        self.owned_by.currentIndexChanged.connect(lambda _i: self._owner_fits())
        self.add_row("Due", self.due_on, "due_on", accessible="Due date")
        if action is not None:
            self.load(action)

    def fill(self, action: ActionView) -> None:
        self.description.setText(action.description)
        self.owner.setText(action.owner)
        self.due_on.set_date(action.due_on)
        worker = action.task_assignee_id if action.task_status is TaskStatus.OPEN else None
        index = self.owned_by.findData(worker) if worker is not None else 0
        self.owned_by.setCurrentIndex(max(index, 0))
        self._owner_fits()

    def _owner_fits(self) -> None:
        """A worker of the unit is the owner: the typed owner is theirs, not to be typed."""
        unit = self.owned_by.currentData() is not None
        self.owner.setEnabled(not unit)
        if unit:
            self.owner.setText(self.owned_by.currentText().removesuffix(" (a task for them)"))

    def reread(self) -> ActionView | None:
        if self.action is None:
            return None
        wanted = self.action.id
        for plan in self.services.plans.versions(self.person_id):
            for goal in plan.goals:
                for action in goal.actions:
                    if action.id == wanted:
                        return action
        raise NotFound("This action is no longer in the plan.")

    def build_on(self, saved: ActionView) -> None:
        self.action = saved

    def prepare(self) -> Callable[[], Any]:
        errors: dict[str, str] = {}
        due = gather(errors, lambda: self.due_on.date_or_none("due_on"))
        if not self.description.text().strip():
            errors["description"] = "Describe the action: what will be done."
        if errors:
            raise ValidationError(errors)
        worker = self.owned_by.currentData()
        if worker is not None and due is None and "due_on" not in errors:
            raise ValidationError(
                {
                    "due_on": "An action for a worker of the unit becomes their task: "
                    "give it a due date."
                }
            )
        data = ActionInput(
            description=self.description.text(),
            owner=self.owner.text(),
            due_on=due,
            owner_user_id=worker,
        )
        plans = self.services.plans
        if self.action is None:
            goal_id = self.goal_id
            assert goal_id is not None
            return lambda: plans.add_action(goal_id, data)
        action_id, version = self.action.id, self.action.version
        return lambda: plans.update_action(action_id, data, version)
