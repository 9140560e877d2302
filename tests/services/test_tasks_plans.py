"""Plan actions owned by the unit become tasks (#19): the task follows its action (edits, a
new plan version, an outside owner) and completing either closes the other."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from veru_desk.domain.enums import GoalDomain
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.tasks import TaskSource, TaskStatus
from veru_desk.services import Services
from veru_desk.services.plans import ActionInput, GoalInput

TODAY = dt.date.today()
YESTERDAY = TODAY - dt.timedelta(days=1)
SCHOOL = GoalInput(GoalDomain.EET, "Back in school full time")


def uid(services: Services) -> int:
    assert services.actor.user_id is not None
    return services.actor.user_id


@pytest.fixture
def goal(as_dariusz: Services, allocated_case: int) -> int:
    plan = as_dariusz.plans.start_plan(allocated_case, TODAY - dt.timedelta(days=7))
    return as_dariusz.plans.add_goal(plan, SCHOOL)


def test_an_action_owned_by_a_worker_becomes_their_task_and_an_outside_one_does_not(
    as_dariusz: Services, allocated_case: int, goal: int, audit_trail: Callable
) -> None:
    ours = as_dariusz.plans.add_action(
        goal,
        ActionInput(
            "Meet the SENCo about a reduced timetable",
            due_on=TODAY + dt.timedelta(days=4),
            owner_user_id=uid(as_dariusz),
        ),
    )
    as_dariusz.plans.add_action(
        goal, ActionInput("Offer a college taster day", owner="Barnfield College")
    )
    [task] = as_dariusz.tasks.mine()
    assert task.title == "Plan action: Meet the SENCo about a reduced timetable"
    assert (task.source_kind, task.source_id) == (TaskSource.PLAN_ACTION, ours)
    assert task.person_id == allocated_case
    plan = as_dariusz.plans.current(allocated_case)
    assert plan is not None
    actions = {a.id: a for a in plan.goals[0].actions}
    assert actions[ours].owner == "Dariusz Wójcik"
    assert actions[ours].task_id == task.id and actions[ours].task_status is TaskStatus.OPEN
    assert [a.task_id for a in actions.values() if a.id != ours] == [None]
    assert len(audit_trail("task")) == 1


def test_a_unit_owned_action_needs_a_due_date(as_dariusz: Services, goal: int) -> None:
    with pytest.raises(ValidationError) as refused:
        as_dariusz.plans.add_action(goal, ActionInput("Home visit", owner_user_id=uid(as_dariusz)))
    assert "due_on" in refused.value.fields
    assert as_dariusz.tasks.mine() == []


def test_completing_the_task_completes_the_action_and_the_other_way_round(
    as_dariusz: Services, allocated_case: int, goal: int
) -> None:
    first = as_dariusz.plans.add_action(
        goal, ActionInput("Book the dentist", due_on=TODAY, owner_user_id=uid(as_dariusz))
    )
    second = as_dariusz.plans.add_action(
        goal, ActionInput("Bus pass form", due_on=TODAY, owner_user_id=uid(as_dariusz))
    )
    tasks = {t.source_id: t for t in as_dariusz.tasks.mine()}
    as_dariusz.tasks.complete(tasks[first].id, tasks[first].version, on=YESTERDAY)
    as_dariusz.plans.set_action_done(second, YESTERDAY)
    plan = as_dariusz.plans.current(allocated_case)
    assert plan is not None
    done = {a.id: a.done_on for a in plan.goals[0].actions}
    assert done == {first: YESTERDAY, second: YESTERDAY}
    assert as_dariusz.tasks.mine() == []
    closed = {t.source_id: t for t in as_dariusz.tasks.mine(include_closed=True)}
    assert closed[second].status is TaskStatus.DONE
    assert closed[second].completed_on == YESTERDAY
    # Not done after all: the task opens again with it.
    as_dariusz.plans.set_action_done(second, None)
    assert [t.source_id for t in as_dariusz.tasks.mine()] == [second]


def test_the_task_follows_its_action_through_edits_and_a_new_plan_version(
    as_dariusz: Services, as_manager: Services, allocated_case: int, goal: int
) -> None:
    action = as_dariusz.plans.add_action(
        goal, ActionInput("Call mum", due_on=TODAY + dt.timedelta(1), owner_user_id=uid(as_dariusz))
    )
    as_dariusz.plans.update_action(
        action,
        ActionInput(
            "Call mum about the EHCP", due_on=TODAY + dt.timedelta(3), owner_user_id=uid(as_manager)
        ),
        expected_version=1,
    )
    [task] = as_manager.tasks.mine()
    assert task.title == "Plan action: Call mum about the EHCP"
    assert task.due_on == TODAY + dt.timedelta(3)
    as_dariusz.plans.start_plan(allocated_case, TODAY)
    plan = as_dariusz.plans.current(allocated_case)
    assert plan is not None and plan.plan_version == 2
    [copy] = plan.goals[0].actions
    assert copy.task_id == task.id  # the copy in the current version carries the task
    as_manager.tasks.complete(task.id, as_manager.tasks.get(task.id).version)
    plan = as_dariusz.plans.current(allocated_case)
    assert plan is not None and plan.goals[0].actions[0].done_on == TODAY


def test_an_action_handed_outside_the_unit_cancels_its_task(
    as_dariusz: Services, goal: int
) -> None:
    action = as_dariusz.plans.add_action(
        goal, ActionInput("Referral to CAMHS", due_on=TODAY, owner_user_id=uid(as_dariusz))
    )
    as_dariusz.plans.update_action(
        action, ActionInput("Referral to CAMHS", owner="GP surgery", due_on=TODAY), 1
    )
    assert as_dariusz.tasks.mine() == []
    [task] = as_dariusz.tasks.mine(include_closed=True)
    assert task.status is TaskStatus.CANCELLED
    assert task.cancel_reason == "The action is now owned outside the unit"
