"""The Tasks page, the dashboard's task cards and the sign-in reminder, driven as the unit
uses them (#19): Monday triage now starts with what is overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot
from shell_helpers import make_window
from ui_drivers import DialogDriver, shown, type_into

from veru_desk.db.engine import Database
from veru_desk.db.models import Task
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.tasks import TaskStatus
from veru_desk.services import Services
from veru_desk.services.tasks import TaskInput
from veru_desk.ui.pages.dashboard import DashboardPage
from veru_desk.ui.pages.tasks import TasksPage

TODAY = dt.date.today()


def uid(services: Services) -> int:
    assert services.actor.user_id is not None
    return services.actor.user_id


def cells(table: Any, column: int) -> list[str]:
    model = table.model()
    return [model.index(row, column).data() for row in range(model.rowCount())]


def click(qtbot: QtBot, button: Any) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_tasks_page_marks_a_task_done_and_it_reaches_the_database(
    qtbot: QtBot, as_dariusz: Services, db: Database
) -> None:
    two_days_ago = TODAY - dt.timedelta(days=2)
    overdue = as_dariusz.tasks.create(
        TaskInput("Chase Challney High for the attendance report", uid(as_dariusz), two_days_ago)
    )
    as_dariusz.tasks.create(
        TaskInput("Book the boxing taster", uid(as_dariusz), TODAY + dt.timedelta(days=20))
    )
    page = shown(qtbot, TasksPage(as_dariusz))
    page.refresh()
    assert cells(page.table, 1) == [
        "Chase Challney High for the attendance report",
        "Book the boxing taster",
    ]
    assert cells(page.table, 0)[0] == f"Overdue by 2 days ({format_uk_date(two_days_ago)})"
    assert page.result_label.text() == "2 tasks, 1 overdue."
    assert page.selected() is not None and page.selected().id == overdue
    click(qtbot, page.done_button)
    with db.read() as session:
        row = session.get_one(Task, overdue)
        assert row.status is TaskStatus.DONE
        assert row.completed_on == TODAY and row.completed_by_id == uid(as_dariusz)
    # the write published Kind.TASK: the page read its list again
    assert cells(page.table, 1) == ["Book the boxing taster"]
    page.closed.setChecked(True)
    assert "Done " + format_uk_date(TODAY) in cells(page.table, 4)


def test_a_task_set_from_the_page_is_saved_and_a_refusal_keeps_what_was_typed(
    qtbot: QtBot, as_dariusz: Services, dialogs: DialogDriver, db: Database
) -> None:
    page = shown(qtbot, TasksPage(as_dariusz))
    page.refresh()
    assert page.empty.isVisible()

    def without_date(dialog: Any) -> None:
        type_into(qtbot, dialog.title_edit, "Ring Zoë's mum about Saturday")
        click(qtbot, dialog.save_button)
        assert dialog.isVisible()
        assert "due" in dialog.errors.message("due_on").lower()
        assert dialog.title_edit.text() == "Ring Zoë's mum about Saturday"
        type_into(qtbot, dialog.due, format_uk_date(TODAY + dt.timedelta(days=3)))
        click(qtbot, dialog.save_button)

    dialogs.then(without_date)
    click(qtbot, page.add_button)
    with db.read() as session:
        [row] = session.query(Task).all()
        assert row.title == "Ring Zoë's mum about Saturday"
        assert row.assignee_id == uid(as_dariusz)
        assert row.due_on == TODAY + dt.timedelta(days=3)
    assert cells(page.table, 1) == ["Ring Zoë's mum about Saturday"]


def test_monday_triage_starts_with_overdue_tasks_for_the_manager_and_the_team(
    qtbot: QtBot,
    as_manager: Services,
    as_dariusz: Services,
    settings: QSettings,
    fake_workspace: object,
) -> None:
    friday = TODAY - dt.timedelta(days=3)
    as_manager.tasks.create(TaskInput("Sign off Łukasz's closure summary", uid(as_manager), friday))
    as_manager.tasks.create(
        TaskInput("Send the panel minutes to YJS", uid(as_dariusz), friday - dt.timedelta(7))
    )
    as_manager.tasks.create(TaskInput("Supervision notes", uid(as_manager), TODAY))
    window = make_window(qtbot, as_manager, settings)
    reminder = window.overdue_reminder
    assert reminder.count is None  # nothing read before the sign-in is complete
    window.after_sign_in()  # as app.run_app does behind the painted window
    qtbot.waitUntil(lambda: reminder.count is not None)
    assert reminder.isVisible()
    assert reminder.text.text() == "You have 1 overdue task."

    dashboard = window.show_page("dashboard")
    assert isinstance(dashboard, DashboardPage)
    qtbot.waitUntil(lambda: dashboard.dashboard is not None)
    mine = dashboard.cards["my_tasks"]
    texts = [mine.list.item(i).text() for i in range(mine.list.count())]
    assert texts == [
        f"Sign off Łukasz's closure summary\nOverdue by 3 days ({format_uk_date(friday)})",
        f"Supervision notes\nDue today ({format_uk_date(TODAY)})",
    ]
    assert mine.count.text() == "2" and mine.count.property("urgent") is True
    team = dashboard.cards["team_overdue_tasks"]
    assert team.list.item(0).text().startswith("Dariusz Wójcik: 1 overdue task\nOldest: Overdue")
    workers = [team.list.item(i).text().split(":")[0] for i in range(team.list.count())]
    assert workers == ["Dariusz Wójcik", "Priya Raghunathan"]  # the oldest overdue first
    assert "2 tasks of yours due this week" in dashboard.summary.text()

    # The team card opens the Tasks page on that worker's tasks.
    team.list.itemActivated.emit(team.list.item(0))
    page = window.stack.currentWidget()
    assert isinstance(page, TasksPage)
    assert page.scope.currentData() == "team"
    assert cells(page.table, 1) == ["Send the panel minutes to YJS"]
    # The reminder's button opens my tasks.
    click(qtbot, reminder.open_button)
    assert not reminder.isVisible()


def test_a_caseworker_without_overdue_tasks_gets_no_reminder_and_no_team_card(
    qtbot: QtBot, as_dariusz: Services, settings: QSettings, fake_workspace: object
) -> None:
    as_dariusz.tasks.create(TaskInput("Plan half-term trip", uid(as_dariusz), TODAY))
    window = make_window(qtbot, as_dariusz, settings)
    window.after_sign_in()
    qtbot.waitUntil(lambda: window.overdue_reminder.count is not None)
    assert not window.overdue_reminder.isVisible()
    dashboard = window.show_page("dashboard")
    assert isinstance(dashboard, DashboardPage)
    assert "team_overdue_tasks" not in dashboard.cards
    assert not window.show_page("tasks").scope.isVisible()  # type: ignore[union-attr]


def test_a_plan_action_owned_by_a_worker_becomes_their_task_from_the_action_form(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, db: Database
) -> None:
    from veru_desk.domain.enums import GoalDomain
    from veru_desk.services.plans import GoalInput
    from veru_desk.ui.dialogs.goal import ActionDialog

    plan = as_dariusz.plans.start_plan(lukasz_case, TODAY - dt.timedelta(days=3))
    goal = as_dariusz.plans.add_goal(plan, GoalInput(GoalDomain.SAFETY, "A safe route home"))
    dialog = shown(qtbot, ActionDialog(as_dariusz, lukasz_case, goal_id=goal))
    type_into(qtbot, dialog.description, "Walk the route home with Łukasz")
    dialog.owned_by.setCurrentIndex(dialog.owned_by.findText("Dariusz Wójcik (a task for them)"))
    assert not dialog.owner.isEnabled() and dialog.owner.text() == "Dariusz Wójcik"
    click(qtbot, dialog.save_button)
    assert dialog.isVisible()  # a worker's action needs a due date
    assert "due date" in dialog.errors.message("due_on")
    type_into(qtbot, dialog.due_on, format_uk_date(TODAY + dt.timedelta(days=2)))
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with db.read() as session:
        [task] = session.query(Task).all()
        assert task.title == "Plan action: Walk the route home with Łukasz"
        assert task.assignee_id == uid(as_dariusz) and task.young_person_id == lukasz_case
