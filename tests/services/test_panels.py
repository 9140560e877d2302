"""Multi-agency panel meetings: set up with who came, cases put on the agenda by whoever may
work on them, the decision and actions recorded, actions' status worked out, the last
meeting's actions read by the next, every change and view audited, the case's chronology,
subject access and erasure covering its discussions (and no other case's)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import Team
from tests.services.test_retention import closed_case
from veru_desk.db.engine import Database
from veru_desk.db.models import PanelAction, PanelItem
from veru_desk.domain.enums import AuditAction, ChronologyKind
from veru_desk.domain.errors import ConflictError, PermissionDenied, ValidationError
from veru_desk.domain.panels import (
    ActionInput,
    ActionStatus,
    AttendeeInput,
    DiscussionInput,
    MeetingInput,
    PanelType,
)
from veru_desk.services import Services
from veru_desk.services.changes import Kind

Trail = Callable[..., list[Any]]

ATTENDEES = (
    AttendeeInput("DS Funmilayo Adebayo", "Bedfordshire Police", "Exploitation lead"),
    AttendeeInput("Siobhán Ní Mhurchú", "Luton Children's Social Care", "Team manager"),
    AttendeeInput("Mr Tomasz Zieliński", "Challney High School", "Designated safeguarding lead"),
)


def days_from_today(days: int, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.today() + dt.timedelta(days=days), dt.time(hour))


def meeting(days: int = -14, **changes: Any) -> MeetingInput:
    values: dict[str, Any] = {
        "held_at": days_from_today(days),
        "panel_type": PanelType.COMPLEX_CASE,
        "title": "Luton complex case panel",
        "chair": "Priya Raghunathan",
        "attendees": ATTENDEES,
        "next_meeting_on": (dt.date.today() + dt.timedelta(days=days + 28)),
    }
    values.update(changes)
    return MeetingInput(**values)


def police_action(due_in: int = 7, **changes: Any) -> ActionInput:
    values: dict[str, Any] = {
        "description": "Share the intelligence on the grey Audi with the unit",
        "owner_name": "DS Funmilayo Adebayo",
        "agency": "Bedfordshire Police",
        "due_on": dt.date.today() + dt.timedelta(days=due_in),
    }
    values.update(changes)
    return ActionInput(**values)


def test_a_meeting_is_set_up_with_its_attendees_and_audited(
    as_manager: Services, audit_trail: Trail
) -> None:
    meeting_id = as_manager.panels.create(meeting())
    view = as_manager.panels.details(meeting_id)
    assert view.title == "Luton complex case panel"
    assert view.attendees == ATTENDEES
    assert view.panel_type is PanelType.COMPLEX_CASE
    [event] = audit_trail("panel_meeting")
    assert event.action is AuditAction.CREATE and event.username == "priya"
    assert "Luton complex case panel" in event.summary and "3 attendees" in event.summary
    [row] = as_manager.panels.meetings(upcoming=False)
    assert (row.id, row.attendees, row.cases) == (meeting_id, 3, 0)
    assert as_manager.panels.meetings(upcoming=True) == []


def test_a_meeting_keeps_its_rules_and_an_administrator_has_no_panels(
    as_manager: Services, team: Team, db: Database
) -> None:
    with pytest.raises(ValidationError) as refused:
        as_manager.panels.create(
            meeting(
                title=" ",
                next_meeting_on=dt.date.today() - dt.timedelta(days=30),
                attendees=(AttendeeInput(" ", "Bedfordshire Police"),),
            )
        )
    assert set(refused.value.fields) == {"title", "next_meeting_on", "attendees"}
    assert "Attendee 1 has no name" in refused.value.fields["attendees"]
    with pytest.raises(PermissionDenied):
        Services(db, team.admin).panels.create(meeting())


def test_changing_who_came_is_audited_and_a_stale_form_is_refused(
    as_manager: Services, as_dariusz: Services, audit_trail: Trail
) -> None:
    meeting_id = as_manager.panels.create(meeting())
    first = as_manager.panels.details(meeting_id)
    fewer = meeting(attendees=ATTENDEES[:2])
    as_dariusz.panels.change(meeting_id, fewer, first.version)
    assert as_manager.panels.details(meeting_id).attendees == ATTENDEES[:2]
    with pytest.raises(ConflictError):
        as_manager.panels.change(meeting_id, meeting(), first.version)
    changed = [e for e in audit_trail("panel_meeting") if e.action is AuditAction.UPDATE]
    before, after = json.loads(changed[-1].changes)["attendees"]
    assert "Tomasz Zieliński" in before and "Tomasz Zieliński" not in after


def test_a_caseworker_puts_only_their_own_cases_on_the_agenda(
    as_manager: Services,
    as_dariusz: Services,
    as_aisha: Services,
    allocated_case: int,
    audit_trail: Trail,
) -> None:
    meeting_id = as_manager.panels.create(meeting(days=7))
    with pytest.raises(PermissionDenied):
        as_aisha.panels.add_case(meeting_id, allocated_case)
    denied = [e for e in audit_trail() if e.action is AuditAction.DENIED]
    assert denied and denied[-1].person_id == allocated_case
    item_id = as_dariusz.panels.add_case(meeting_id, allocated_case)
    with pytest.raises(ValidationError, match="on this meeting's agenda already"):
        as_manager.panels.add_case(meeting_id, allocated_case)
    # Aisha sees the meeting but nothing of Dariusz's case; Dariusz and Priya see it.
    assert as_aisha.panels.get(meeting_id).items == ()
    [aisha_row] = as_aisha.panels.meetings(upcoming=True)
    assert aisha_row.cases == 0
    [item] = as_dariusz.panels.get(meeting_id).items
    assert (item.id, item.person_id, item.name) == (item_id, allocated_case, "Łukasz Wiśniewski")
    assert [i.id for i in as_manager.panels.get(meeting_id).items] == [item_id]
    viewed = [e for e in audit_trail("panel_item") if e.action is AuditAction.VIEW]
    assert [e.username for e in viewed] == ["dariusz", "priya"]
    assert all(e.person_id == allocated_case for e in viewed)


def test_the_decision_and_actions_are_recorded_and_statuses_worked_out(
    as_manager: Services,
    as_dariusz: Services,
    as_aisha: Services,
    allocated_case: int,
    audit_trail: Trail,
    db: Database,
) -> None:
    meeting_id = as_manager.panels.create(meeting(days=-20))
    item_id = as_dariusz.panels.add_case(meeting_id, allocated_case)
    [item] = as_dariusz.panels.get(meeting_id).items
    overdue = police_action(due_in=-3)
    done = police_action(
        description="School to offer a part-time timetable",
        owner_name="Mr Tomasz Zieliński",
        agency="Challney High School",
        due_in=-10,
        done_on=dt.date.today() - dt.timedelta(days=12),
    )
    open_one = police_action(description="Return home interview after each missing episode")
    discussion = DiscussionInput(
        summary="Three missing episodes since the last panel; seen with older males in Bury Park.",
        decision="Refer to the National Referral Mechanism; keep on the exploitation panel.",
        actions=(overdue, done, open_one),
    )
    with pytest.raises(PermissionDenied):
        as_aisha.panels.record_discussion(item_id, discussion, item.version)
    as_dariusz.panels.record_discussion(item_id, discussion, item.version)
    assert as_dariusz.panels.last_changes.touches(Kind.PANEL, allocated_case)
    [saved] = as_dariusz.panels.get(meeting_id).items
    assert saved.decision.startswith("Refer to the National Referral Mechanism")
    assert [a.status() for a in saved.actions] == [
        ActionStatus.OVERDUE,
        ActionStatus.DONE,
        ActionStatus.OPEN,
    ]
    assert saved.actions[0].owner_text == "DS Funmilayo Adebayo, Bedfordshire Police"
    created = [e for e in audit_trail("panel_action") if e.action is AuditAction.CREATE]
    assert len(created) == 3 and all(e.person_id == allocated_case for e in created)
    recorded = [e for e in audit_trail("panel_item") if e.action is AuditAction.UPDATE]
    assert recorded and recorded[-1].username == "dariusz"

    # The same form saved again (stale) is refused; a row removed is deleted and audited.
    with pytest.raises(ConflictError):
        as_dariusz.panels.record_discussion(item_id, discussion, item.version)
    kept = DiscussionInput(
        summary=saved.summary, decision=saved.decision, actions=(saved.actions[1].as_input(),)
    )
    as_dariusz.panels.record_discussion(item_id, kept, saved.version)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(PanelAction)) == 1
    removed = [e for e in audit_trail("panel_action") if e.action is AuditAction.DELETE]
    assert len(removed) == 2

    # A case with a recorded discussion stays on the agenda as the record of what was said.
    latest = as_dariusz.panels.get(meeting_id).items[0]
    with pytest.raises(ValidationError, match="stays on the agenda"):
        as_dariusz.panels.remove_case(item_id, latest.version)


def test_an_action_must_have_an_owner_an_agency_and_a_due_date(
    as_manager: Services, allocated_case: int
) -> None:
    meeting_id = as_manager.panels.create(meeting(days=-1))
    item_id = as_manager.panels.add_case(meeting_id, allocated_case)
    [item] = as_manager.panels.get(meeting_id).items
    cases = [
        (police_action(owner_name=""), "has no owner"),
        (police_action(agency=""), "has no agency"),
        (police_action(due_in=-30), "is due before the meeting"),
        (ActionInput("Visit", owner_name="PC Joanna Kowalska", agency="Police"), "no due date"),
    ]
    for action, words in cases:
        with pytest.raises(ValidationError) as refused:
            as_manager.panels.record_discussion(
                item_id, DiscussionInput(decision="Keep open", actions=(action,)), item.version
            )
        assert words in refused.value.fields["actions"]
    with pytest.raises(ValidationError) as refused:
        as_manager.panels.record_discussion(
            item_id, DiscussionInput(actions=(police_action(),)), item.version
        )
    assert "decision" in refused.value.fields


def test_the_next_meeting_reads_the_last_meetings_actions_for_the_case(
    as_manager: Services, as_dariusz: Services, allocated_case: int
) -> None:
    earlier = as_manager.panels.create(meeting(days=-60, title="Luton complex case panel"))
    last = as_manager.panels.create(meeting(days=-30))
    coming = as_manager.panels.create(meeting(days=7))
    for meeting_id, words in ((earlier, "An older action"), (last, "Ask the school")):
        item_id = as_dariusz.panels.add_case(meeting_id, allocated_case)
        version = as_dariusz.panels.get(meeting_id).items[0].version
        as_dariusz.panels.record_discussion(
            item_id,
            DiscussionInput(
                decision="Continue",
                actions=(police_action(description=words, due_in=-20),),
            ),
            version,
        )
    as_dariusz.panels.add_case(coming, allocated_case)
    label, actions = as_dariusz.panels.previous_actions(allocated_case, days_from_today(7))
    assert label == f"Luton complex case panel, {days_from_today(-30):%d/%m/%Y}"
    assert [(a.description, a.status) for a in actions] == [
        ("Ask the school", ActionStatus.OVERDUE)
    ]
    [case] = as_dariusz.panels.pack_cases(coming)
    assert case.previous_meeting == label
    assert case.previous_actions == tuple(actions)
    assert case.sharing_text == "No sharing decision recorded"


def test_the_chronology_shows_the_panel_and_its_decision(
    as_manager: Services, as_dariusz: Services, allocated_case: int
) -> None:
    meeting_id = as_manager.panels.create(meeting(days=-3))
    item_id = as_dariusz.panels.add_case(meeting_id, allocated_case)
    version = as_dariusz.panels.get(meeting_id).items[0].version
    as_dariusz.panels.record_discussion(
        item_id, DiscussionInput(decision="Refer to the NRM", actions=(police_action(),)), version
    )
    [entry] = as_dariusz.chronology.for_person(allocated_case, frozenset({ChronologyKind.PANEL}))
    assert entry.title == f"Discussed at Luton complex case panel, {days_from_today(-3):%d/%m/%Y}"
    assert "Decision: Refer to the NRM" in entry.detail
    assert "Share the intelligence on the grey Audi" in entry.detail


def test_subject_access_has_the_cases_own_discussion_and_no_other_case(
    as_manager: Services,
    as_dariusz: Services,
    allocated_case: int,
    case_factory: Callable[..., int],
    team: Team,
) -> None:
    other = case_factory("Chiamaka", "Okonkwo", worker_id=team.dariusz.user_id)
    meeting_id = as_manager.panels.create(meeting(days=-3))
    for person, words in ((allocated_case, "Refer to the NRM"), (other, "Close to the panel")):
        item_id = as_dariusz.panels.add_case(meeting_id, person)
        [item] = [i for i in as_dariusz.panels.get(meeting_id).items if i.id == item_id]
        as_dariusz.panels.record_discussion(
            item_id,
            DiscussionInput(summary=f"About {person}", decision=words),
            item.version,
        )
    data = as_manager.subject_access.gather(allocated_case)
    [discussion] = data.document["panel_discussions"]
    assert discussion["decision"] == "Refer to the NRM"
    text = json.dumps(data.document, default=str, ensure_ascii=False)
    assert "Close to the panel" not in text and "Chiamaka" not in text
    assert "Funmilayo" not in text  # who attended is not the young person's data


def test_anonymising_a_case_removes_the_panels_words_and_erasing_it_its_rows(
    as_manager: Services,
    allocated_case: int,
    team: Team,
    db: Database,
) -> None:
    meeting_id = as_manager.panels.create(meeting(days=-3))
    assert team.dariusz.user_id is not None
    second = closed_case(as_manager, team.dariusz.user_id)
    for person in (allocated_case, second):
        item_id = as_manager.panels.add_case(meeting_id, person)
        [item] = [i for i in as_manager.panels.get(meeting_id).items if i.id == item_id]
        as_manager.panels.record_discussion(
            item_id,
            DiscussionInput(
                summary="Seen with older males", decision="Refer", actions=(police_action(),)
            ),
            item.version,
        )
    as_manager.retention.anonymise(second, "Retention period over")
    with db.read() as session:
        item = session.scalars(select(PanelItem).where(PanelItem.young_person_id == second)).one()
        assert item.summary is None and "Refer" not in (item.decision or "")
        action = session.scalars(
            select(PanelAction).where(PanelAction.young_person_id == second)
        ).one()
        assert "grey Audi" not in action.description
    as_manager.retention.erase(second, "Retention period over")
    with db.read() as session:
        assert session.scalars(select(PanelItem.young_person_id)).all() == [allocated_case]
        assert session.scalar(select(func.count()).select_from(PanelAction)) == 1
    assert as_manager.panels.details(meeting_id).title == "Luton complex case panel"


def test_a_unit_owned_action_becomes_a_task_that_follows_it(
    as_manager: Services,
    as_dariusz: Services,
    allocated_case: int,
    team: Team,
    audit_trail: Trail,
    db: Database,
) -> None:
    from veru_desk.db.models import Task
    from veru_desk.domain.tasks import TaskSource, TaskStatus

    meeting_id = as_manager.panels.create(meeting(days=-2))
    item_id = as_dariusz.panels.add_case(meeting_id, allocated_case)
    [item] = as_dariusz.panels.get(meeting_id).items
    due = dt.date.today() + dt.timedelta(days=10)
    visit = ActionInput(
        "Home visit with social care", owner_user_id=team.dariusz.user_id, due_on=due
    )
    made = as_dariusz.panels.record_discussion(
        item_id,
        DiscussionInput(decision="Joint visit", actions=(visit, police_action())),
        item.version,
    )
    assert len(made) == 1
    [task] = as_dariusz.tasks.mine()
    assert task.id == made[0] and task.due_on == due
    assert "Home visit with social care" in task.title
    [saved] = as_dariusz.panels.get(meeting_id).items
    action = saved.actions[0]
    assert (action.owner_text, action.task_id) == ("Dariusz Wójcik (the unit)", task.id)
    assert [e.summary for e in audit_trail("task") if e.action.value == "create"]

    # Handed to Aisha: the same task moves to her; done: the task closes with it.
    moved = DiscussionInput(
        decision="Joint visit",
        actions=(
            ActionInput(
                "Home visit with social care",
                owner_user_id=team.aisha.user_id,
                due_on=due,
                id=action.id,
            ),
            saved.actions[1].as_input(),
        ),
    )
    assert as_dariusz.panels.record_discussion(item_id, moved, saved.version) == []
    with db.read() as session:
        stored = session.scalars(select(Task)).one()
        assert stored.assignee_id == team.aisha.user_id
        assert (stored.source_kind, stored.source_id) == (TaskSource.PANEL_ACTION, action.id)
    latest = as_dariusz.panels.get(meeting_id).items[0]
    as_dariusz.panels.set_action_done(
        action.id, dt.date.today() - dt.timedelta(days=1), latest.actions[0].version
    )
    with db.read() as session:
        assert session.scalars(select(Task.status)).one() is TaskStatus.DONE

    # An action a caseworker records for a case that is not theirs is refused with its task.
    with pytest.raises(PermissionDenied):
        Services(db, team.aisha).panels.record_discussion(item_id, moved, latest.version)
