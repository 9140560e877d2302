"""Group sessions (#19): a group with a register, each young person's place their own session,
so attendance, disengagement, first contact and the chronology count it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from sqlalchemy import select

from veru_desk.db.engine import Database
from veru_desk.db.models import MentoringSession, Referral, YoungPerson
from veru_desk.domain.enums import Attendance, AuditAction, ReferralStatus, SessionType
from veru_desk.domain.errors import PermissionDenied, ValidationError
from veru_desk.services import Services
from veru_desk.services.groups import GroupInput, Mark

THURSDAY = 3


def last_thursday() -> dt.date:
    """The last Thursday strictly before today: a group that has certainly happened."""
    today = dt.date.today()
    return today - dt.timedelta(days=(today.weekday() - THURSDAY - 1) % 7 + 1)


def at(day: dt.date, hour: int = 17, minute: int = 30) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


@pytest.fixture
def people(case_factory: Callable[..., int], as_dariusz: Services, as_aisha: Services) -> dict:
    """Two of Dariusz's young people and one of Aisha's."""
    dariusz, aisha = as_dariusz.actor.user_id, as_aisha.actor.user_id
    return {
        "chiamaka": case_factory("Chiamaka", "Okonkwo", worker_id=dariusz),
        "lukasz": case_factory("Łukasz", "Wiśniewski", worker_id=dariusz),
        "hoa": case_factory("Hoa", "Nguyễn Thị", worker_id=aisha),
    }


def football(as_dariusz: Services, weeks_back: int = 3, count: int = 6) -> list[int]:
    """Thursday football, weekly from ``weeks_back`` weeks before last Thursday: the first
    ``weeks_back + 1`` sessions have happened, the rest are to come."""
    first = last_thursday() - dt.timedelta(weeks=weeks_back)
    created = as_dariusz.groups.create(
        GroupInput(
            title="Thursday football",
            first_start=at(first),
            count=count,
            location="Lewsey sports park",
            session_type=SessionType.DIVERSIONARY,
        )
    )
    assert created.series_id is not None
    return list(created.session_ids)


def person_sessions(db: Database, person_id: int) -> list[MentoringSession]:
    with db.read() as session:
        return list(
            session.scalars(
                select(MentoringSession)
                .where(MentoringSession.young_person_id == person_id)
                .order_by(MentoringSession.planned_start)
            )
        )


def test_a_single_group_session_is_listed_with_its_facilitator_and_audited(
    as_dariusz: Services, audit_trail: Callable[..., list]
) -> None:
    when = at(dt.date.today() + dt.timedelta(days=9), 10, 0)
    created = as_dariusz.groups.create(
        GroupInput(title="  Knife-crime   awareness workshop ", first_start=when, count=1)
    )
    assert created.series_id is None and len(created.session_ids) == 1
    [listed] = as_dariusz.groups.upcoming(days=14)
    assert listed.title == "Knife-crime awareness workshop"
    assert listed.facilitator == "Dariusz Wójcik"
    assert listed.planned_start == when and listed.registered == 0
    [event] = audit_trail("group_session")
    assert event.action is AuditAction.CREATE and "Knife-crime awareness workshop" in event.summary


def test_a_weekly_group_books_every_week_but_the_skipped_one(
    as_dariusz: Services, audit_trail: Callable[..., list]
) -> None:
    first = dt.date.today() + dt.timedelta(days=14)
    created = as_dariusz.groups.create(
        GroupInput(
            title="Thursday football",
            first_start=at(first),
            count=6,
            skip_dates=(first + dt.timedelta(weeks=2),),
        )
    )
    assert created.series_id is not None
    sessions = as_dariusz.groups.series_sessions(created.series_id)
    assert [s.planned_start.date() for s in sessions] == [
        first + dt.timedelta(weeks=w) for w in (0, 1, 3, 4, 5)
    ]
    [event] = audit_trail("group_series")
    assert "5 sessions" in event.summary


def test_a_group_needs_a_name_a_group_kind_and_a_sensible_length(as_dariusz: Services) -> None:
    with pytest.raises(ValidationError) as refused:
        as_dariusz.groups.create(
            GroupInput(
                title=" ",
                first_start=at(dt.date.today() + dt.timedelta(days=3)),
                session_type=SessionType.HOME_VISIT,
                duration_minutes=2,
                count=0,
            )
        )
    assert {"title", "session_type", "duration_minutes", "count"} <= set(refused.value.fields)


def test_an_administrator_cannot_set_up_a_group(
    db: Database, team: object, audit_trail: Callable[..., list]
) -> None:
    admin = Services(db, team.admin)  # type: ignore[attr-defined]
    with pytest.raises(PermissionDenied):
        admin.groups.create(
            GroupInput(title="Boxing", first_start=at(dt.date.today() + dt.timedelta(days=3)))
        )
    assert audit_trail()[-1].action is AuditAction.DENIED


def test_a_caseworker_registers_only_their_own_young_people(
    as_dariusz: Services, as_manager: Services, people: dict, db: Database
) -> None:
    ids = football(as_dariusz)
    with pytest.raises(PermissionDenied):
        as_dariusz.groups.add_people(ids[0], [people["chiamaka"], people["hoa"]])
    assert person_sessions(db, people["chiamaka"]) == []  # all or nothing
    assert as_dariusz.groups.add_people(ids[0], [people["chiamaka"], people["lukasz"]]) == 12
    assert as_manager.groups.add_people(ids[0], [people["hoa"]]) == 6
    rows = person_sessions(db, people["hoa"])
    assert [r.group_session_id for r in rows] == ids
    assert {r.session_type for r in rows} == {SessionType.DIVERSIONARY}
    assert {r.location for r in rows} == {"Lewsey sports park"}
    with pytest.raises(ValidationError, match="already on this register"):
        as_manager.groups.add_people(ids[0], [people["hoa"]])


def test_the_register_names_only_the_young_people_the_reader_may_see(
    as_dariusz: Services, as_manager: Services, as_aisha: Services, people: dict
) -> None:
    ids = football(as_dariusz)
    as_manager.groups.add_people(ids[0], list(people.values()))
    hoa_row = next(
        r for r in as_manager.groups.register(ids[0]).rows if r.person_id == people["hoa"]
    )
    as_aisha.groups.record_register(
        ids[0], [Mark(hoa_row.session_id, Attendance.ATTENDED, notes="Scored twice; talked")]
    )
    register = as_dariusz.groups.register(ids[0])
    labels = [r.label for r in register.rows]
    assert labels[:2] == ["Chiamaka Okonkwo", "Łukasz Wiśniewski"]
    other = register.rows[2]
    assert not other.visible and other.notes == ""
    assert other.label.endswith(", allocated to Aisha Mohamed")
    assert other.label.startswith("VERU-") and "Hoa" not in other.label
    assert len(register.recordable) == 2
    # The manager sees everyone by name, and Aisha's note on her own young person.
    managed = {r.label: r for r in as_manager.groups.register(ids[0]).rows}
    assert managed["Hoa Nguyễn Thị"].notes == "Scored twice; talked"


def test_the_register_recorded_in_one_go_counts_in_each_attendance_rate(
    as_dariusz: Services, people: dict, db: Database, audit_trail: Callable[..., list]
) -> None:
    ids = football(as_dariusz)
    as_dariusz.groups.add_people(ids[0], [people["chiamaka"], people["lukasz"]])
    rows = {r.label: r for r in as_dariusz.groups.register(ids[0]).rows}
    as_dariusz.groups.record_register(
        ids[0],
        [
            Mark(rows["Chiamaka Okonkwo"].session_id, Attendance.ATTENDED, notes="Captain today"),
            Mark(rows["Łukasz Wiśniewski"].session_id, Attendance.DID_NOT_ATTEND),
        ],
        notes="Five-a-side, two teams of six",
    )
    chiamaka = as_dariusz.sessions.attendance_summary(people["chiamaka"])
    lukasz = as_dariusz.sessions.attendance_summary(people["lukasz"])
    assert (chiamaka.attended, chiamaka.offered) == (1, 1)
    assert (lukasz.attended, lukasz.missed) == (0, 1)
    [summary] = [g for g in as_dariusz.groups.recent(days=60) if g.id == ids[0]]
    assert (summary.registered, summary.attended, summary.recorded) == (2, 1, 2)
    assert summary.taken and summary.notes == "Five-a-side, two teams of six"
    # The first attended session is the first contact: the allocated case becomes active.
    with db.read() as session:
        person = session.get_one(YoungPerson, people["chiamaka"])
        referral = session.get_one(Referral, person.current_referral_id)
        assert referral.status is ReferralStatus.ACTIVE
        assert referral.first_contact_on == last_thursday() - dt.timedelta(weeks=3)
    updates = [e for e in audit_trail("mentoring_session") if e.action is AuditAction.UPDATE]
    assert len(updates) == 2
    assert all("Group: Thursday football" in e.summary for e in updates)
    assert not any("Captain" in (e.changes or "") for e in audit_trail())


def test_three_missed_group_sessions_raise_the_disengagement_alert(
    as_dariusz: Services, people: dict, db: Database
) -> None:
    ids = football(as_dariusz)
    as_dariusz.groups.add_people(ids[0], [people["lukasz"]])
    for group_id in ids[1:4]:
        [row] = as_dariusz.groups.register(group_id).rows
        as_dariusz.groups.record_register(
            group_id, [Mark(row.session_id, Attendance.DID_NOT_ATTEND)]
        )
    with db.read() as session:
        assert session.get_one(YoungPerson, people["lukasz"]).disengaged


def test_a_register_with_someone_elses_young_person_or_a_future_mark_saves_nothing(
    as_dariusz: Services, as_manager: Services, people: dict, db: Database
) -> None:
    ids = football(as_dariusz)
    as_manager.groups.add_people(ids[0], [people["chiamaka"], people["hoa"]])
    rows = as_manager.groups.register(ids[0]).rows
    with pytest.raises(PermissionDenied):
        as_dariusz.groups.record_register(
            ids[0], [Mark(r.session_id, Attendance.ATTENDED) for r in rows]
        )
    future = ids[-1]
    [mine] = [r for r in as_dariusz.groups.register(future).rows if r.visible]
    with pytest.raises(ValidationError, match="has not happened yet"):
        as_dariusz.groups.record_register(future, [Mark(mine.session_id, Attendance.ATTENDED)])
    # A cancellation is known in advance, so it can be recorded now.
    as_dariusz.groups.record_register(
        future, [Mark(mine.session_id, Attendance.CANCELLED_BY_SERVICE)]
    )
    recorded = {r.attendance for r in person_sessions(db, people["chiamaka"])}
    assert recorded == {Attendance.PLANNED, Attendance.CANCELLED_BY_SERVICE}
    assert {r.attendance for r in person_sessions(db, people["hoa"])} == {Attendance.PLANNED}


def test_joining_later_books_the_weeks_to_come_and_leaving_keeps_what_happened(
    as_dariusz: Services, people: dict, db: Database, audit_trail: Callable[..., list]
) -> None:
    ids = football(as_dariusz)
    as_dariusz.groups.add_people(ids[2], [people["lukasz"]])
    assert [r.group_session_id for r in person_sessions(db, people["lukasz"])] == ids[2:]
    [row] = as_dariusz.groups.register(ids[2]).rows
    as_dariusz.groups.record_register(ids[2], [Mark(row.session_id, Attendance.ATTENDED)])
    assert as_dariusz.groups.remove_person(ids[2], people["lukasz"]) == 3
    kept = person_sessions(db, people["lukasz"])
    assert [(r.group_session_id, r.attendance) for r in kept] == [(ids[2], Attendance.ATTENDED)]
    deleted = [e for e in audit_trail("mentoring_session") if e.action is AuditAction.DELETE]
    assert len(deleted) == 1 and "3 planned sessions" in deleted[0].summary
    with pytest.raises(ValidationError, match="no planned place"):
        as_dariusz.groups.remove_person(ids[2], people["lukasz"])


def test_only_the_facilitator_or_a_manager_changes_the_groups_notes(
    as_dariusz: Services, as_aisha: Services, as_manager: Services
) -> None:
    ids = football(as_dariusz)
    [group] = [g for g in as_dariusz.groups.recent(days=60) if g.id == ids[0]]
    with pytest.raises(PermissionDenied):
        as_aisha.groups.update_notes(group.id, "Moved indoors", group.version)
    as_manager.groups.update_notes(group.id, "Moved indoors: rain", group.version)
    assert as_dariusz.groups.series_sessions(group.series_id or 0)[0].notes == (
        "Moved indoors: rain"
    )


def test_a_case_sees_its_group_sessions_by_the_groups_name(
    as_dariusz: Services, as_aisha: Services, people: dict
) -> None:
    ids = football(as_dariusz)
    as_dariusz.groups.add_people(ids[0], [people["chiamaka"]])
    labels = as_dariusz.groups.labels_for_person(people["chiamaka"])
    assert set(labels.values()) == {"Group: Thursday football"} and len(labels) == 6
    assert as_aisha.groups.labels_for_person(people["chiamaka"]) == {}
    # The session lists and the calendar say which group, as the case's Sessions tab does.
    assert {v.group for v in as_dariusz.sessions.for_person(people["chiamaka"])} == {
        "Group: Thursday football"
    }
    week = as_dariusz.sessions.week(last_thursday())
    assert [v.group for v in week if v.person_id == people["chiamaka"]] == [
        "Group: Thursday football"
    ]
    entries = as_dariusz.chronology.for_person(people["chiamaka"])
    group_entries = [e for e in entries if "Group: Thursday football" in e.title]
    assert len(group_entries) == 4  # the ones due so far: a booking to come is not history


def test_a_subject_access_export_names_the_group_and_nobody_else_on_its_register(
    as_dariusz: Services, as_manager: Services, people: dict
) -> None:
    ids = football(as_dariusz)
    as_manager.groups.add_people(ids[0], list(people.values()))
    hoa_ref = next(
        r.case_ref for r in as_manager.groups.register(ids[0]).rows if r.person_id == people["hoa"]
    )
    document = as_manager.subject_access.gather(people["chiamaka"]).document
    sessions = document["sessions"]
    assert len(sessions) == 6
    assert {s["group"] for s in sessions} == {"Thursday football"}
    text = json.dumps(document, ensure_ascii=False, default=str)
    assert "Nguyễn" not in text and "Wiśniewski" not in text and hoa_ref not in text
