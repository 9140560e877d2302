"""Tasks (#19): set, change, complete, cancel, reopen and hand on; my tasks, a case's, the
team's overdue by worker; permissions per role and the audit trail; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from veru_desk.db.models import YoungPerson
from veru_desk.domain.enums import AuditAction
from veru_desk.domain.errors import ConflictError, PermissionDenied, ValidationError
from veru_desk.domain.tasks import Due, TaskStatus
from veru_desk.services import Services
from veru_desk.services.tasks import TaskInput
from veru_desk.services.workload import WorkloadService

TODAY = dt.date.today()
YESTERDAY = TODAY - dt.timedelta(days=1)


def uid(services: Services) -> int:
    assert services.actor.user_id is not None
    return services.actor.user_id


def test_a_caseworker_sets_a_task_on_their_case_and_sees_it_as_theirs(
    as_dariusz: Services, allocated_case: int, audit_trail: Callable
) -> None:
    task_id = as_dariusz.tasks.create(
        TaskInput(
            title="Call Challney High about Łukasz's return plan",
            assignee_id=uid(as_dariusz),
            due_on=TODAY + dt.timedelta(days=2),
            person_id=allocated_case,
            notes="Ask for Mrs Nowak, head of year.",
        )
    )
    [task] = as_dariusz.tasks.mine()
    assert task.id == task_id
    assert task.title == "Call Challney High about Łukasz's return plan"
    assert task.person_name == "Łukasz Wiśniewski"
    assert task.case_ref is not None and task.case_ref.startswith("VERU-")
    assert task.assignee_name == "Dariusz Wójcik"
    assert task.status is TaskStatus.OPEN
    assert task.set_by == "Dariusz Wójcik"
    assert [t.id for t in as_dariusz.tasks.for_case(allocated_case)] == [task_id]
    [event] = audit_trail("task")
    assert event.action is AuditAction.CREATE
    assert event.person_id == allocated_case
    assert event.username == "dariusz"
    assert "Dariusz Wójcik" in (event.summary or "")


def test_a_task_is_refused_without_a_title_an_assignee_or_a_due_date(
    as_dariusz: Services,
) -> None:
    with pytest.raises(ValidationError) as refused:
        as_dariusz.tasks.create(TaskInput(title="  ", assignee_id=None, due_on=None))
    assert set(refused.value.fields) == {"title", "assignee", "due_on"}
    assert as_dariusz.tasks.mine() == []


def test_a_task_cannot_go_to_an_administrator(as_manager: Services, team: object) -> None:
    admin = team.admin.user_id  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as refused:
        as_manager.tasks.create(TaskInput("Renew the licence", admin, TODAY + dt.timedelta(3)))
    assert "assignee" in refused.value.fields


def test_a_caseworker_cannot_set_a_task_on_anothers_case(
    as_aisha: Services, allocated_case: int, audit_trail: Callable
) -> None:
    with pytest.raises(PermissionDenied):
        as_aisha.tasks.create(
            TaskInput("Home visit", uid(as_aisha), TODAY + dt.timedelta(1), allocated_case)
        )
    assert audit_trail("task") == []
    assert any(e.action is AuditAction.DENIED for e in audit_trail())


def test_the_administrator_sets_no_task(db: object, team: object) -> None:
    admin = Services(db, team.admin)  # type: ignore[arg-type, attr-defined]
    with pytest.raises(PermissionDenied):
        admin.tasks.create(
            TaskInput("Check the backups", team.manager.user_id, TODAY)  # type: ignore[attr-defined]
        )


def test_completing_a_task_records_who_and_when_and_a_second_completion_is_refused(
    as_dariusz: Services, allocated_case: int, audit_trail: Callable
) -> None:
    task_id = as_dariusz.tasks.create(
        TaskInput("Book the CAMHS referral", uid(as_dariusz), YESTERDAY, allocated_case)
    )
    task = as_dariusz.tasks.get(task_id)
    assert task.due() is Due.OVERDUE
    as_dariusz.tasks.complete(task_id, task.version, on=YESTERDAY)
    done = as_dariusz.tasks.get(task_id)
    assert done.status is TaskStatus.DONE
    assert done.completed_on == YESTERDAY
    assert done.completed_by == "Dariusz Wójcik"
    assert as_dariusz.tasks.mine() == []  # open tasks only
    assert [t.id for t in as_dariusz.tasks.mine(include_closed=True)] == [task_id]
    with pytest.raises(ValidationError):
        as_dariusz.tasks.complete(task_id, done.version)
    updates = [e for e in audit_trail("task") if e.action is AuditAction.UPDATE]
    assert len(updates) == 1 and "Task done on" in (updates[0].summary or "")


def test_a_task_cannot_be_done_tomorrow(as_dariusz: Services) -> None:
    task_id = as_dariusz.tasks.create(TaskInput("Write the report", uid(as_dariusz), TODAY))
    with pytest.raises(ValidationError) as refused:
        as_dariusz.tasks.complete(task_id, 1, on=TODAY + dt.timedelta(days=1))
    assert "completed_on" in refused.value.fields


def test_a_stale_save_is_refused_with_who_changed_it(
    as_dariusz: Services, as_manager: Services
) -> None:
    task_id = as_manager.tasks.create(
        TaskInput("Supervision notes", uid(as_dariusz), TODAY + dt.timedelta(days=5))
    )
    as_manager.tasks.change(
        task_id,
        TaskInput("Supervision notes for October", uid(as_dariusz), TODAY + dt.timedelta(6)),
        expected_version=1,
    )
    with pytest.raises(ConflictError) as clash:
        as_dariusz.tasks.complete(task_id, expected_version=1)
    assert "Priya Raghunathan" in str(clash.value)


def test_cancel_needs_a_reason_and_reopen_clears_it(
    as_dariusz: Services, audit_trail: Callable
) -> None:
    task_id = as_dariusz.tasks.create(
        TaskInput("Arrange boxing taster", uid(as_dariusz), TODAY + dt.timedelta(days=9))
    )
    with pytest.raises(ValidationError) as refused:
        as_dariusz.tasks.cancel(task_id, 1, "  ")
    assert "reason" in refused.value.fields
    as_dariusz.tasks.cancel(task_id, 1, "Gym closed for refurbishment")
    cancelled = as_dariusz.tasks.get(task_id)
    assert cancelled.status is TaskStatus.CANCELLED
    assert cancelled.cancel_reason == "Gym closed for refurbishment"
    as_dariusz.tasks.reopen(task_id, cancelled.version)
    reopened = as_dariusz.tasks.get(task_id)
    assert reopened.status is TaskStatus.OPEN
    assert reopened.cancel_reason is None and reopened.completed_on is None
    summaries = [e.summary or "" for e in audit_trail("task")]
    assert any("cancelled (Gym closed" in s for s in summaries)
    assert any(s.startswith("Task reopened") for s in summaries)


def test_notes_are_changed_in_the_trail_without_what_they_say(
    as_dariusz: Services, audit_trail: Callable
) -> None:
    task_id = as_dariusz.tasks.create(
        TaskInput("Phone mum", uid(as_dariusz), TODAY + dt.timedelta(days=1))
    )
    as_dariusz.tasks.change(
        task_id,
        TaskInput(
            "Phone mum", uid(as_dariusz), TODAY + dt.timedelta(days=1), notes="Private detail"
        ),
        expected_version=1,
    )
    assert as_dariusz.tasks.get(task_id).notes == "Private detail"
    assert all("Private detail" not in (e.changes or "") for e in audit_trail("task"))


def test_a_manager_hands_a_case_task_to_a_colleague_who_sees_the_reference_only(
    as_manager: Services,
    as_dariusz: Services,
    as_aisha: Services,
    allocated_case: int,
    audit_trail: Callable,
) -> None:
    task_id = as_manager.tasks.create(
        TaskInput(
            "Home visit with Dariusz", uid(as_dariusz), TODAY + dt.timedelta(2), allocated_case
        )
    )
    as_manager.tasks.reassign(task_id, uid(as_aisha), expected_version=1)
    [theirs] = as_aisha.tasks.mine()
    assert theirs.id == task_id
    assert theirs.person_name is None and theirs.case_ref is not None
    assert not theirs.may_open_case
    assert as_dariusz.tasks.mine() == []
    # Aisha does the work and closes it; she still cannot open the case.
    as_aisha.tasks.complete(task_id, theirs.version, on=YESTERDAY)
    with pytest.raises(PermissionDenied):
        as_aisha.tasks.for_case(allocated_case)
    handed = [e for e in audit_trail("task") if "handed from" in (e.summary or "")]
    assert handed and "Dariusz Wójcik to Aisha Mohamed" in (handed[0].summary or "")


def test_a_caseworker_may_not_touch_a_colleagues_task_nor_hand_on_one_set_by_a_manager(
    as_manager: Services, as_dariusz: Services, as_aisha: Services
) -> None:
    task_id = as_manager.tasks.create(
        TaskInput("Finish the training log", uid(as_dariusz), TODAY + dt.timedelta(days=3))
    )
    with pytest.raises(PermissionDenied):
        as_aisha.tasks.complete(task_id, 1)
    with pytest.raises(PermissionDenied):
        as_aisha.tasks.get(task_id)
    # The assignee works on it but cannot pass it round out of the setter's sight.
    with pytest.raises(PermissionDenied):
        as_dariusz.tasks.reassign(task_id, uid(as_aisha), expected_version=1)
    assert as_aisha.tasks.mine() == []
    assert [t.id for t in as_dariusz.tasks.mine()] == [task_id]


def test_the_team_view_and_overdue_by_worker_are_for_managers(
    as_manager: Services, as_dariusz: Services, as_aisha: Services, allocated_case: int
) -> None:
    d, a = uid(as_dariusz), uid(as_aisha)
    as_manager.tasks.create(TaskInput("Chase the EHCP review", d, TODAY - dt.timedelta(5)))
    as_manager.tasks.create(TaskInput("Case closure letter", d, YESTERDAY, allocated_case))
    as_manager.tasks.create(TaskInput("Update the risk matrix", a, TODAY - dt.timedelta(2)))
    as_manager.tasks.create(TaskInput("Prepare group session", a, TODAY + dt.timedelta(4)))
    overdue = as_manager.tasks.team_overdue()
    assert [(w.worker_name, w.count) for w in overdue] == [
        ("Dariusz Wójcik", 2),
        ("Aisha Mohamed", 1),
    ]
    assert overdue[0].oldest_due_on == TODAY - dt.timedelta(5)
    assert len(as_manager.tasks.team()) == 4
    assert as_manager.tasks.overdue_count_for(d) == 2
    assert as_dariusz.tasks.overdue_count_for() == 2
    assert as_aisha.tasks.overdue_count_for() == 1
    with pytest.raises(PermissionDenied):
        as_dariusz.tasks.team_overdue()
    with pytest.raises(PermissionDenied):
        as_dariusz.tasks.team()
    with pytest.raises(PermissionDenied):
        as_dariusz.tasks.overdue_count_for(a)


def test_the_case_worker_sees_and_closes_a_colleagues_task_on_their_case(
    as_manager: Services, as_dariusz: Services, as_aisha: Services, allocated_case: int
) -> None:
    task_id = as_manager.tasks.create(
        TaskInput("Drop off the bus pass", uid(as_aisha), TODAY + dt.timedelta(1), allocated_case)
    )
    [seen] = as_dariusz.tasks.for_case(allocated_case)
    assert seen.assignee_name == "Aisha Mohamed"
    as_dariusz.tasks.cancel(task_id, seen.version, "Young person collected it himself")
    assert as_aisha.tasks.mine() == []


def test_due_buckets_follow_the_calendar(as_dariusz: Services) -> None:
    me = uid(as_dariusz)
    for title, due in (
        ("overdue", YESTERDAY),
        ("today", TODAY),
        ("later", TODAY + dt.timedelta(days=30)),
    ):
        as_dariusz.tasks.create(TaskInput(title, me, due))
    buckets = {t.title: t.due() for t in as_dariusz.tasks.mine()}
    assert buckets == {"overdue": Due.OVERDUE, "today": Due.TODAY, "later": Due.LATER}
    [overdue] = [t for t in as_dariusz.tasks.mine() if t.title == "overdue"]
    assert overdue.due_text().startswith("Overdue by 1 day (")


def test_reallocating_a_case_moves_the_previous_workers_open_tasks_only(
    as_manager: Services,
    as_dariusz: Services,
    team: object,
    allocated_case: int,
    audit_trail: Callable,
) -> None:
    d = uid(as_dariusz)
    ciaran = team.ciaran.user_id  # type: ignore[attr-defined]
    open_task = as_dariusz.tasks.create(
        TaskInput("Return home interview follow-up", d, TODAY + dt.timedelta(2), allocated_case)
    )
    done_task = as_dariusz.tasks.create(
        TaskInput("Consent form signed", d, YESTERDAY, allocated_case)
    )
    as_dariusz.tasks.complete(done_task, 1, on=YESTERDAY)
    managers = as_manager.tasks.create(
        TaskInput("Sign off the plan", uid(as_manager), TODAY + dt.timedelta(4), allocated_case)
    )
    unit_work = as_dariusz.tasks.create(TaskInput("Team training", d, TODAY + dt.timedelta(9)))
    workload = WorkloadService(as_manager.db, as_manager.actor)
    moved = workload.reallocate([allocated_case], ciaran, "Leave cover")
    assert moved.tasks_moved == 1
    assert "1 open task moved with the case" in moved.text
    by_id = {t.id: t for t in as_manager.tasks.team(include_closed=True)}
    assert by_id[open_task].assignee_name == "Ciarán Ó Briain"
    assert by_id[done_task].assignee_name == "Dariusz Wójcik"  # history stays as it was
    assert by_id[managers].assignee_name == "Priya Raghunathan"
    assert by_id[unit_work].assignee_name == "Dariusz Wójcik"
    assert [t.id for t in as_dariusz.tasks.mine()] == [unit_work]
    assert any(
        "moved with the case (Leave cover)" in (e.summary or "") and e.entity_id == open_task
        for e in audit_trail("task")
    )


def test_a_done_task_on_a_case_is_in_its_chronology_and_an_open_one_is_not(
    as_dariusz: Services, as_manager: Services, allocated_case: int
) -> None:
    done = as_manager.tasks.create(
        TaskInput("Ring Mr Adeyemi at the youth club", uid(as_dariusz), YESTERDAY, allocated_case)
    )
    as_manager.tasks.create(
        TaskInput(
            "Book the review meeting", uid(as_dariusz), TODAY + dt.timedelta(3), allocated_case
        )
    )
    as_manager.tasks.complete(done, 1, on=YESTERDAY)
    entries = [
        e for e in as_dariusz.chronology.for_person(allocated_case) if e.kind.value == "task"
    ]
    assert [(e.title, e.by, e.at.date()) for e in entries] == [
        ("Task done: Ring Mr Adeyemi at the youth club", "Priya Raghunathan", YESTERDAY)
    ]
    assert entries[0].detail == "Task of Dariusz Wójcik"


def test_anonymising_removes_a_tasks_words_and_keeps_its_dates(
    as_manager: Services, as_dariusz: Services, allocated_case: int, db: object
) -> None:
    from sqlalchemy import select

    from veru_desk.db.models import Task

    task_id = as_dariusz.tasks.create(
        TaskInput(
            "Visit Łukasz at his nan's flat",
            uid(as_dariusz),
            YESTERDAY,
            allocated_case,
            notes="Nan is Mrs Wiśniewska",
        )
    )
    as_dariusz.tasks.complete(task_id, 1, on=YESTERDAY)
    with db.write() as session:  # type: ignore[attr-defined]
        as_manager.retention._anonymise_rows(session, session.get_one(YoungPerson, allocated_case))
    with db.read() as session:  # type: ignore[attr-defined]
        task = session.scalars(select(Task).where(Task.id == task_id)).one()
        assert "Łukasz" not in task.title and task.notes is None
        assert task.due_on == YESTERDAY and task.completed_on == YESTERDAY


def test_the_workload_screen_counts_each_workers_overdue_tasks(
    as_manager: Services, as_dariusz: Services, as_aisha: Services
) -> None:
    d = uid(as_dariusz)
    as_manager.tasks.create(TaskInput("Chase the EHCP", d, YESTERDAY))
    as_manager.tasks.create(TaskInput("Letter to the GP", d, TODAY - dt.timedelta(days=4)))
    as_manager.tasks.create(TaskInput("Review the group register", d, TODAY))
    done = as_manager.tasks.create(TaskInput("Old task", uid(as_aisha), YESTERDAY))
    as_manager.tasks.complete(done, 1, on=YESTERDAY)
    figures = {
        w.display_name: w for w in WorkloadService(as_manager.db, as_manager.actor).workers()
    }
    assert figures["Dariusz Wójcik"].tasks_overdue == 2
    assert figures["Aisha Mohamed"].tasks_overdue == 0
