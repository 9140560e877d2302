"""The intervention plan: the current version's goals and actions, and the versions before.

Older versions are shown read-only: they are the record of what was agreed at each review.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import GoalStatus
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.plans import ActionView, GoalView, PlanView
from veru_desk.ui.case.tab import CaseTab
from veru_desk.ui.dialogs.goal import ActionDialog, GoalDialog
from veru_desk.ui.dialogs.plan import PlanDialog
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel

_FINISHED = frozenset(
    {GoalStatus.ACHIEVED, GoalStatus.NOT_ACHIEVED, GoalStatus.WITHDRAWN, GoalStatus.PARTLY_ACHIEVED}
)


def _actions_done(goal: GoalView) -> str:
    if not goal.actions:
        return "none"
    done = sum(1 for a in goal.actions if a.done_on is not None)
    return f"{done} of {len(goal.actions)} done"


GOAL_COLUMNS = [
    Column("Area", lambda g: g.domain.label),
    Column("Goal", lambda g: " ".join(g.description.split()), tooltip=lambda g: g.description),
    Column("Target", lambda g: format_uk_date(g.target_on)),
    Column("Status", lambda g: g.status.label, quiet=lambda g: g.status in _FINISHED),
    Column("Actions", _actions_done, warning=lambda g: any(a.overdue for a in g.actions)),
    Column("Progress", lambda g: " ".join(g.progress.split()), tooltip=lambda g: g.progress),
]

ACTION_COLUMNS = [
    Column("Action", lambda a: a.description),
    Column("Owner", lambda a: a.owner),
    Column(
        "Due",
        lambda a: format_uk_date(a.due_on) + (" (overdue)" if a.overdue else ""),
        warning=lambda a: a.overdue,
    ),
    Column("Done", lambda a: format_uk_date(a.done_on)),
]


def version_label(number: int, started_on: dt.date, current: bool) -> str:
    """How a plan version is named in the chooser: "Version 3 — 12/03/2026 (current)"."""
    return f"Version {number} \u2014 {format_uk_date(started_on)}" + (
        " (current)" if current else ""
    )


class PlanTab(CaseTab):
    kinds = frozenset({Kind.PLAN})

    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(services, person_id, parent)
        self.versions: list[PlanView] = []

        self.version_choice = QComboBox()
        self.version_choice.setAccessibleName("Plan version")
        # Wide enough for "Version 12 — 31/12/2026 (current)" before any version is loaded.
        self.version_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.version_choice.setMinimumContentsLength(len(version_label(12, dt.date.today(), True)))
        self.version_choice.currentIndexChanged.connect(self._show_version)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setAccessibleName("Plan details")
        self.start_button = QPushButton("Start plan…")
        self.start_button.clicked.connect(self.start_plan)

        self.add_goal_button = QPushButton("Add goal…")
        self.add_goal_button.clicked.connect(self.add_goal)
        self.edit_goal_button = QPushButton("Update goal…")
        self.edit_goal_button.clicked.connect(self.edit_goal)
        self.goals_model = RecordTableModel(GOAL_COLUMNS, self)
        self.goals = RecordTable(self.goals_model, "Plan goals", stretch_column=1)
        self.goals.doubleClicked.connect(self.edit_goal)

        self.add_action_button = QPushButton("Add action…")
        self.add_action_button.clicked.connect(self.add_action)
        self.done_button = QPushButton("Mark done today")
        self.done_button.clicked.connect(self.toggle_done)
        self.actions_model = RecordTableModel(ACTION_COLUMNS, self)
        self.action_table = RecordTable(
            self.actions_model, "Actions for the selected goal", stretch_column=0
        )
        self.action_table.doubleClicked.connect(self.edit_action)

        top = QHBoxLayout()
        version_label_widget = QLabel("&Version:")
        version_label_widget.setBuddy(self.version_choice)
        top.addWidget(version_label_widget)
        top.addWidget(self.version_choice)
        top.addStretch(1)
        top.addWidget(self.start_button)

        # Each table's buttons stand beside it, not above it: on a small screen with large
        # text a row of buttons above each table left no room for the rows themselves.
        goals_box = QGroupBox("Goals")
        goals_layout = QHBoxLayout(goals_box)
        goal_buttons = QVBoxLayout()
        goal_buttons.addWidget(self.add_goal_button)
        goal_buttons.addWidget(self.edit_goal_button)
        goal_buttons.addStretch(1)
        goals_layout.addWidget(self.goals, 1)
        goals_layout.addLayout(goal_buttons)

        actions_box = QGroupBox("Actions")
        actions_layout = QHBoxLayout(actions_box)
        action_buttons = QVBoxLayout()
        action_buttons.addWidget(self.add_action_button)
        action_buttons.addWidget(self.done_button)
        action_buttons.addStretch(1)
        actions_layout.addWidget(self.action_table, 1)
        actions_layout.addLayout(action_buttons)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(goals_box)
        splitter.addWidget(actions_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.heading)  # its own line: beside the chooser it wrapped tall
        layout.addWidget(splitter, 1)

        self.goals.selectionModel().selectionChanged.connect(self._show_actions)
        self.action_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    # --- reading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        services, person_id = self.services, self.person_id
        self.load(
            "Loading the plan", lambda: services.plans.versions(person_id), self.show_versions
        )

    def show_versions(self, versions: list[PlanView]) -> None:
        selected_goal = self.goals.selected()
        self.versions = versions
        self.version_choice.blockSignals(True)
        self.version_choice.clear()
        for plan in versions:
            label = version_label(plan.plan_version, plan.started_on, plan.is_current)
            self.version_choice.addItem(label, plan.id)
            self.version_choice.setItemData(
                self.version_choice.count() - 1,
                f"Plan version {plan.plan_version}, started {format_uk_date(plan.started_on)}"
                + (", the current plan" if plan.is_current else ", replaced by a newer version"),
                Qt.ItemDataRole.ToolTipRole,
            )
        self.version_choice.blockSignals(False)
        self.version_choice.setEnabled(len(versions) > 1)
        self.start_button.setText("New version…" if versions else "Start plan…")
        self._show_version(0, keep_goal=selected_goal.id if selected_goal else None)

    def current_plan(self) -> PlanView | None:
        index = self.version_choice.currentIndex()
        return self.versions[index] if 0 <= index < len(self.versions) else None

    def _show_version(self, _index: int = 0, *, keep_goal: int | None = None) -> None:
        plan = self.current_plan()
        if plan is None:
            self.heading.setText("No plan yet. Start one to agree goals with the young person.")
            self.goals_model.set_rows([])
        else:
            review = format_uk_date(plan.review_on) if plan.review_on else "not set"
            text = f"Started {format_uk_date(plan.started_on)}; review {review}"
            if plan.review_overdue:
                text += " (overdue)"
            if not plan.is_current:
                text += ". Replaced by a newer version: read-only."
            if plan.summary:
                text += f"\n{plan.summary}"
            self.heading.setText(text)
            self.goals_model.set_rows(plan.goals)
        row = 0
        if keep_goal is not None:
            row = next((i for i, g in enumerate(self.goals_model.rows()) if g.id == keep_goal), 0)
        if self.goals_model.rowCount():
            self.goals.selectRow(row)
        self._show_actions()

    def _show_actions(self) -> None:
        goal: GoalView | None = self.goals.selected()
        self.actions_model.set_rows(goal.actions if goal else [])
        self._update_buttons()

    def _update_buttons(self) -> None:
        plan = self.current_plan()
        editable = plan is not None and plan.is_current
        goal = self.goals.selected()
        action: ActionView | None = self.action_table.selected()
        self.add_goal_button.setEnabled(editable)
        self.edit_goal_button.setEnabled(editable and goal is not None)
        self.add_action_button.setEnabled(editable and goal is not None)
        self.done_button.setEnabled(editable and action is not None)
        self.done_button.setText(
            "Mark not done" if action is not None and action.done_on else "Mark done today"
        )

    # --- changing --------------------------------------------------------------------------

    def start_plan(self) -> None:
        latest = self.versions[0] if self.versions else None
        PlanDialog(self.services, self.person_id, latest, parent=self).exec()

    def add_goal(self) -> None:
        plan = self.current_plan()
        if plan is not None and plan.is_current:
            GoalDialog(self.services, self.person_id, plan_id=plan.id, parent=self).exec()

    def edit_goal(self) -> None:
        plan = self.current_plan()
        goal = self.goals.selected()
        if plan is not None and plan.is_current and goal is not None:
            GoalDialog(self.services, self.person_id, goal=goal, parent=self).exec()

    def add_action(self) -> None:
        goal = self.goals.selected()
        if goal is not None and self.add_action_button.isEnabled():
            ActionDialog(self.services, self.person_id, goal_id=goal.id, parent=self).exec()

    def edit_action(self) -> None:
        plan = self.current_plan()
        action = self.action_table.selected()
        if plan is not None and plan.is_current and action is not None:
            ActionDialog(self.services, self.person_id, action=action, parent=self).exec()

    def toggle_done(self) -> None:
        action: ActionView | None = self.action_table.selected()
        if action is None:
            return
        done_on = None if action.done_on else dt.date.today()
        plans = self.services.plans
        self.run_write(
            "Saving the action",
            lambda: plans.set_action_done(action.id, done_on),
            Kind.PLAN,
        )
