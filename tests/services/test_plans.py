from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from tests.dates import today
from veru_desk.domain.enums import AuditAction, GoalDomain, GoalStatus
from veru_desk.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from veru_desk.services import Services
from veru_desk.services.plans import ActionInput, GoalInput

Trail = Callable[..., list[Any]]

SCHOOL = GoalInput(
    GoalDomain.EET,
    "Back into full-time education at Denbigh High",
    target_on=today() + dt.timedelta(weeks=12),
)
WALK = GoalInput(GoalDomain.SAFETY, "A safety plan for the walk to school")
FOOTBALL = GoalInput(
    GoalDomain.POSITIVE_ACTIVITIES, "Weekly football with a mentor", status=GoalStatus.IN_PROGRESS
)


def first_plan(services: Services, person_id: int) -> int:
    return services.plans.start_plan(
        person_id, today() - dt.timedelta(days=14), summary="Agreed with Łukasz and his mother"
    )


def test_first_plan_is_version_one_with_default_review_date(
    as_dariusz: Services, allocated_case: int
) -> None:
    first_plan(as_dariusz, allocated_case)
    plan = as_dariusz.plans.current(allocated_case)
    assert plan is not None
    assert plan.plan_version == 1
    assert plan.is_current
    assert plan.summary == "Agreed with Łukasz and his mother"
    assert plan.review_on == today() - dt.timedelta(days=14) + dt.timedelta(weeks=12)
    assert plan.goals == []


def test_case_without_plan_has_no_current_plan(as_dariusz: Services, allocated_case: int) -> None:
    assert as_dariusz.plans.current(allocated_case) is None
    assert as_dariusz.plans.versions(allocated_case) == []


def test_goals_and_actions_are_listed_in_order_entered(
    as_dariusz: Services, allocated_case: int
) -> None:
    plan_id = first_plan(as_dariusz, allocated_case)
    school = as_dariusz.plans.add_goal(plan_id, SCHOOL)
    as_dariusz.plans.add_goal(plan_id, WALK)
    as_dariusz.plans.add_action(
        school, ActionInput("Meeting with head of year", owner="Denbigh High", due_on=today())
    )
    plan = as_dariusz.plans.current(allocated_case)
    assert plan is not None
    assert [g.domain for g in plan.goals] == [GoalDomain.EET, GoalDomain.SAFETY]
    [action] = plan.goals[0].actions
    assert (action.description, action.owner, action.due_on) == (
        "Meeting with head of year",
        "Denbigh High",
        today(),
    )
    assert action.done_on is None and action.overdue is False


def test_action_past_due_and_not_done_is_overdue_until_done(
    as_dariusz: Services, allocated_case: int
) -> None:
    plan_id = first_plan(as_dariusz, allocated_case)
    goal_id = as_dariusz.plans.add_goal(plan_id, SCHOOL)
    action_id = as_dariusz.plans.add_action(
        goal_id, ActionInput("Ask school for timetable", due_on=today() - dt.timedelta(days=2))
    )

    def action() -> Any:
        plan = as_dariusz.plans.current(allocated_case)
        assert plan is not None
        return plan.goals[0].actions[0]

    assert action().overdue is True
    as_dariusz.plans.set_action_done(action_id, today() - dt.timedelta(days=1))
    assert action().done_on == today() - dt.timedelta(days=1)
    assert action().overdue is False
    as_dariusz.plans.set_action_done(action_id, None)
    assert action().done_on is None and action().overdue is True


def test_new_version_keeps_old_and_copies_only_open_goals_and_unfinished_actions(
    as_dariusz: Services, allocated_case: int
) -> None:
    v1 = first_plan(as_dariusz, allocated_case)
    school = as_dariusz.plans.add_goal(v1, SCHOOL)
    walk = as_dariusz.plans.add_goal(v1, WALK)
    as_dariusz.plans.add_goal(v1, FOOTBALL)
    done = as_dariusz.plans.add_action(school, ActionInput("Meeting with head of year"))
    as_dariusz.plans.add_action(school, ActionInput("Visit on first day back", owner="Dariusz"))
    as_dariusz.plans.set_action_done(done, today())
    walk_view = as_dariusz.plans.versions(allocated_case)[0].goals[1]
    as_dariusz.plans.update_goal(
        walk,
        GoalInput(GoalDomain.SAFETY, WALK.description, status=GoalStatus.ACHIEVED),
        walk_view.version,
    )

    v2 = as_dariusz.plans.start_plan(allocated_case, today(), summary="Three-month review")
    versions = as_dariusz.plans.versions(allocated_case)
    assert [(p.id, p.plan_version, p.is_current) for p in versions] == [
        (v2, 2, True),
        (v1, 1, False),
    ]
    new, old = versions
    assert [g.description for g in new.goals] == [SCHOOL.description, FOOTBALL.description]
    assert new.goals[1].status is GoalStatus.IN_PROGRESS
    assert [a.description for a in new.goals[0].actions] == ["Visit on first day back"]
    assert new.goals[0].id != old.goals[0].id
    assert len(old.goals) == 3 and len(old.goals[0].actions) == 2
    assert as_dariusz.plans.current(allocated_case) == new


def test_new_version_can_start_empty(as_dariusz: Services, allocated_case: int) -> None:
    v1 = first_plan(as_dariusz, allocated_case)
    as_dariusz.plans.add_goal(v1, SCHOOL)
    as_dariusz.plans.start_plan(allocated_case, today(), copy_goals=False)
    plan = as_dariusz.plans.current(allocated_case)
    assert plan is not None and plan.plan_version == 2 and plan.goals == []


def test_replaced_version_cannot_be_edited(as_dariusz: Services, allocated_case: int) -> None:
    v1 = first_plan(as_dariusz, allocated_case)
    goal = as_dariusz.plans.add_goal(v1, SCHOOL)
    as_dariusz.plans.start_plan(allocated_case, today())
    with pytest.raises(ValidationError) as caught:
        as_dariusz.plans.add_goal(v1, WALK)
    assert "replaced" in caught.value.fields["plan"]
    with pytest.raises(ValidationError):
        as_dariusz.plans.add_action(goal, ActionInput("Too late"))


def test_new_version_cannot_start_before_the_previous_one(
    as_dariusz: Services, allocated_case: int
) -> None:
    first_plan(as_dariusz, allocated_case)
    with pytest.raises(ValidationError) as caught:
        as_dariusz.plans.start_plan(allocated_case, today() - dt.timedelta(days=30))
    assert list(caught.value.fields) == ["started_on"]


def test_review_date_must_follow_start(as_dariusz: Services, allocated_case: int) -> None:
    with pytest.raises(ValidationError) as caught:
        as_dariusz.plans.start_plan(allocated_case, today(), review_on=today())
    assert list(caught.value.fields) == ["review_on"]


@pytest.mark.parametrize(
    ("goal", "fields"),
    [
        (GoalInput(GoalDomain.EET, "   "), ["description"]),
        (GoalInput(GoalDomain.EET, "School", target_on=dt.date(2000, 1, 1)), ["target_on"]),
        (GoalInput("schooling", "", status="done"), ["domain", "description", "status"]),  # type: ignore[arg-type]
    ],
)
def test_invalid_goal_names_each_field(
    as_dariusz: Services, allocated_case: int, goal: GoalInput, fields: list[str]
) -> None:
    plan_id = first_plan(as_dariusz, allocated_case)
    with pytest.raises(ValidationError) as caught:
        as_dariusz.plans.add_goal(plan_id, goal)
    assert sorted(caught.value.fields) == sorted(fields)


def test_action_needs_a_description_and_cannot_be_done_in_the_future(
    as_dariusz: Services, allocated_case: int
) -> None:
    goal = as_dariusz.plans.add_goal(first_plan(as_dariusz, allocated_case), SCHOOL)
    with pytest.raises(ValidationError) as caught:
        as_dariusz.plans.add_action(goal, ActionInput(""))
    assert list(caught.value.fields) == ["description"]
    action = as_dariusz.plans.add_action(goal, ActionInput("Call the school"))
    with pytest.raises(ValidationError) as caught:
        as_dariusz.plans.set_action_done(action, today() + dt.timedelta(days=1))
    assert list(caught.value.fields) == ["done_on"]


def test_stale_goal_update_is_refused_with_conflict(
    as_dariusz: Services, as_manager: Services, allocated_case: int
) -> None:
    goal_id = as_dariusz.plans.add_goal(first_plan(as_dariusz, allocated_case), SCHOOL)
    plan = as_dariusz.plans.current(allocated_case)
    assert plan is not None
    stale = plan.goals[0].version
    progress = GoalInput(GoalDomain.EET, SCHOOL.description, progress="Attending mornings")
    as_manager.plans.update_goal(goal_id, progress, stale)
    with pytest.raises(ConflictError):
        as_dariusz.plans.update_goal(
            goal_id,
            GoalInput(GoalDomain.EET, SCHOOL.description, status=GoalStatus.WITHDRAWN),
            stale,
        )
    current = as_dariusz.plans.current(allocated_case)
    assert current is not None and current.goals[0].progress == "Attending mornings"


def test_stale_action_update_is_refused_with_conflict(
    as_dariusz: Services, as_manager: Services, allocated_case: int
) -> None:
    goal_id = as_dariusz.plans.add_goal(first_plan(as_dariusz, allocated_case), SCHOOL)
    action_id = as_dariusz.plans.add_action(goal_id, ActionInput("Call the school"))
    as_manager.plans.update_action(action_id, ActionInput("Call the head of year"), 1)
    with pytest.raises(ConflictError):
        as_dariusz.plans.update_action(action_id, ActionInput("Email the school"), 1)


def test_unallocated_caseworker_is_refused_every_plan_use(
    as_dariusz: Services, as_aisha: Services, allocated_case: int
) -> None:
    plan_id = first_plan(as_dariusz, allocated_case)
    goal_id = as_dariusz.plans.add_goal(plan_id, SCHOOL)
    action_id = as_dariusz.plans.add_action(goal_id, ActionInput("Call the school"))
    attempts: list[Callable[[], object]] = [
        lambda: as_aisha.plans.start_plan(allocated_case, today()),
        lambda: as_aisha.plans.current(allocated_case),
        lambda: as_aisha.plans.versions(allocated_case),
        lambda: as_aisha.plans.add_goal(plan_id, WALK),
        lambda: as_aisha.plans.update_goal(goal_id, WALK, 1),
        lambda: as_aisha.plans.add_action(goal_id, ActionInput("Anything")),
        lambda: as_aisha.plans.set_action_done(action_id, today()),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()


def test_missing_plan_is_not_found(as_manager: Services) -> None:
    with pytest.raises(NotFound):
        as_manager.plans.add_goal(9999, SCHOOL)


def test_plan_writes_are_audited_against_the_person(
    as_dariusz: Services, allocated_case: int, audit_trail: Trail
) -> None:
    v1 = first_plan(as_dariusz, allocated_case)
    goal = as_dariusz.plans.add_goal(v1, SCHOOL)
    as_dariusz.plans.update_goal(goal, replace(SCHOOL, status=GoalStatus.IN_PROGRESS), 1)
    action = as_dariusz.plans.add_action(goal, ActionInput("Call the school"))
    as_dariusz.plans.set_action_done(action, today())
    as_dariusz.plans.start_plan(allocated_case, today())
    plans = audit_trail("intervention_plan")
    assert [e.summary for e in plans] == [
        "Plan version 1 started",
        "Plan version 2 started (1 open goal carried over)",
    ]
    goals = audit_trail("plan_goal")
    assert [e.action for e in goals] == [AuditAction.CREATE, AuditAction.UPDATE]
    assert json.loads(goals[1].changes) == {"status": ["not_started", "in_progress"]}
    actions = audit_trail("plan_action")
    assert [e.action for e in actions] == [AuditAction.CREATE, AuditAction.UPDATE]
    assert {e.person_id for e in plans + goals + actions} == {allocated_case}
