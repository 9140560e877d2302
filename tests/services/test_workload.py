"""Workload and reallocation (#19): the manager's figures per worker, and moving cases with a
reason (leave cover, a worker leaving), all or none, in each chronology and the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import update

from tests.conftest import Team
from tests.dates import today
from tests.services.conftest import AuditRow
from veru_desk.db.engine import Database
from veru_desk.db.models import User
from veru_desk.domain.enums import (
    Attendance,
    AuditAction,
    ClosureReason,
    ReferralStatus,
    RiskLevel,
)
from veru_desk.domain.errors import PermissionDenied, ValidationError
from veru_desk.services import Services
from veru_desk.services.caseload import CaseloadFilter
from veru_desk.services.changes import Kind
from veru_desk.services.mentoring import SessionInput
from veru_desk.services.risk import RiskInput
from veru_desk.services.workload import WorkerFigures, WorkloadService

LEAVE = "Leave cover to 21/03"


def workload(services: Services) -> WorkloadService:
    return WorkloadService(services.db, services.actor)


def by_name(loads: list[WorkerFigures]) -> dict[str, WorkerFigures]:
    return {load.display_name: load for load in loads}


@pytest.fixture
def aishas_cases(
    as_manager: Services, team: Team, case_factory: Callable[..., int], db: Database
) -> dict[str, int]:
    """Aisha's caseload before her leave: Zoë (very high), Kai (high, review 12 days overdue,
    a session this week), Aoife (not assessed yet); Dariusz has Oluwaseun (low)."""
    aisha = Services(db, team.aisha)
    zoe = case_factory("Zoë", "Çelik", age=16, worker_id=team.aisha.user_id)
    kai = case_factory("Kai", "Henderson", age=15, worker_id=team.aisha.user_id)
    aoife = case_factory("Aoife", "Ní Bhriain", age=14, worker_id=team.aisha.user_id)
    seun = case_factory("Oluwaseun", "Adeyemi", age=17, worker_id=team.dariusz.user_id)
    aisha.risk.record(zoe, RiskInput(assessed_on=today(), level=RiskLevel.VERY_HIGH))
    aisha.risk.record(
        kai, RiskInput(assessed_on=today() - dt.timedelta(days=40), level=RiskLevel.HIGH)
    )
    Services(db, team.dariusz).risk.record(
        seun, RiskInput(assessed_on=today(), level=RiskLevel.LOW)
    )
    aisha.sessions.book(
        kai,
        SessionInput(
            planned_start=dt.datetime.combine(today(), dt.time(16, 0)),
            mentor_id=team.aisha.user_id,
        ),
    )
    return {"zoe": zoe, "kai": kai, "aoife": aoife, "seun": seun}


def test_workload_shows_each_caseworker_open_cases_by_risk_sessions_and_overdue(
    as_manager: Services, aishas_cases: dict[str, int]
) -> None:
    loads = by_name(workload(as_manager).workers())
    assert set(loads) == {"Aisha Mohamed", "Ciarán Ó Briain", "Dariusz Wójcik"}
    aisha = loads["Aisha Mohamed"]
    assert aisha.open_cases == 3
    assert aisha.risk_text == "1 very high, 1 high, 1 not assessed"
    assert aisha.sessions_this_week == 1
    assert aisha.overdue == 1  # Kai's review: the caseload's own Overdue filter agrees
    overdue_ids = as_manager.caseload.ids(
        CaseloadFilter(worker_id=aisha.user_id, overdue_only=True)
    )
    assert overdue_ids == [aishas_cases["kai"]]
    assert loads["Dariusz Wójcik"].risk_text == "1 low"
    ciaran = loads["Ciarán Ó Briain"]
    assert (ciaran.open_cases, ciaran.risk_text, ciaran.overdue) == (0, "no open cases", 0)


def test_a_workers_cases_list_highest_risk_first_saying_what_is_overdue(
    as_manager: Services, team: Team, aishas_cases: dict[str, int]
) -> None:
    assert team.aisha.user_id is not None
    cases = workload(as_manager).cases_of(team.aisha.user_id)
    assert [(c.name, c.risk_text) for c in cases] == [
        ("Zoë Çelik", "very high"),
        ("Kai Henderson", "high"),
        ("Aoife Ní Bhriain", "not assessed"),
    ]
    assert cases[1].overdue == "Risk review 12 days overdue"
    assert cases[0].overdue == ""
    assert cases[0].allocated_text == today().strftime("%d/%m/%Y")


def test_leave_cover_moves_the_chosen_cases_with_the_reason_in_each_chronology_and_audit(
    as_manager: Services,
    team: Team,
    db: Database,
    aishas_cases: dict[str, int],
    audit_trail: Callable[..., list[AuditRow]],
) -> None:
    assert team.ciaran.user_id is not None and team.aisha.user_id is not None
    moving = [aishas_cases["zoe"], aishas_cases["kai"]]
    service = workload(as_manager)
    before = len(audit_trail())

    done = service.reallocate(moving, team.ciaran.user_id, LEAVE)

    assert [m.name for m in done.moved] == ["Zoë Çelik", "Kai Henderson"]
    assert {m.from_worker for m in done.moved} == {"Aisha Mohamed"}
    assert done.text == (
        "Moved 2 cases to Ciarán Ó Briain (Leave cover to 21/03); 1 planned session goes with them."
    )
    # Each chronology says who has the case now, why, and who had it.
    for person in moving:
        entry = as_manager.chronology.for_person(person)[0]
        assert entry.title == "Re-allocated to Ciarán Ó Briain"
        assert entry.detail == f"{LEAVE} (previously with Aisha Mohamed)"
        assert entry.by == "Priya Raghunathan"
    # One audit row per case, naming the new worker and the reason, by the manager.
    rows = [r for r in audit_trail()[before:] if r.action is AuditAction.UPDATE]
    moves = [r for r in rows if r.entity_type == "referral"]
    assert sorted(r.person_id for r in moves if r.person_id) == sorted(moving)
    for row in moves:
        assert row.username == "priya"
        assert row.summary is not None
        assert row.summary.startswith("Re-allocated (to Ciarán Ó Briain): Leave cover to 21/03")
    # The new worker sees them at once; Aisha keeps only Aoife.
    ciaran = Services(db, team.ciaran)
    assert sorted(ciaran.caseload.ids(CaseloadFilter(worker_id=team.ciaran.user_id))) == sorted(
        moving
    )
    for person in moving:
        assert ciaran.chronology.for_person(person)  # his case now: no refusal
        with pytest.raises(PermissionDenied):
            Services(db, team.aisha).chronology.for_person(person)
    loads = by_name(service.workers())
    assert loads["Aisha Mohamed"].risk_text == "1 not assessed"
    assert loads["Ciarán Ó Briain"].risk_text == "1 very high, 1 high"
    assert loads["Ciarán Ó Briain"].sessions_this_week == 1  # Kai's session went with him
    assert loads["Ciarán Ó Briain"].overdue == 1
    # Kai's planned session is on Ciarán's calendar now (Aisha no longer sees the case).
    [kais] = ciaran.sessions.week(today())
    assert (kais.person_id, kais.mentor) == (aishas_cases["kai"], "Ciarán Ó Briain")
    assert Services(db, team.aisha).sessions.week(today()) == []
    handed = [r for r in rows if r.entity_type == "mentoring_session"]
    assert [(r.person_id, r.summary) for r in handed] == [
        (
            aishas_cases["kai"],
            f"1 planned session from {today():%d/%m/%Y} handed to Ciarán Ó Briain with the case",
        )
    ]
    # Open screens hear of it: the change set names each case moved, and its sessions.
    for person in moving:
        assert service.last_changes.touches(Kind.CASE, person)
        assert service.last_changes.touches(Kind.SESSION, person)
    assert not service.last_changes.touches(Kind.CASE, aishas_cases["aoife"])


def test_a_case_already_with_the_new_worker_is_left_as_it_is_and_said(
    as_manager: Services, team: Team, aishas_cases: dict[str, int]
) -> None:
    assert team.dariusz.user_id is not None
    done = workload(as_manager).reallocate(
        [aishas_cases["aoife"], aishas_cases["seun"]], team.dariusz.user_id, "Aisha is leaving"
    )
    assert [m.name for m in done.moved] == ["Aoife Ní Bhriain"]
    assert [m.name for m in done.unchanged] == ["Oluwaseun Adeyemi"]
    assert done.text == (
        "Moved 1 case to Dariusz Wójcik (Aisha is leaving); 1 was already with Dariusz Wójcik."
    )
    titles = [e.title for e in as_manager.chronology.for_person(aishas_cases["seun"])]
    assert not any(t.startswith("Re-allocated") for t in titles)


def test_reallocation_is_all_or_none_when_one_case_is_closed(
    as_manager: Services, team: Team, aishas_cases: dict[str, int]
) -> None:
    assert team.ciaran.user_id is not None and team.aisha.user_id is not None
    kai = aishas_cases["kai"]
    referral_id = as_manager.referrals.for_person(kai)[0].id
    as_manager.referrals.close(referral_id, ClosureReason.GOALS_ACHIEVED, "Back in college.")
    with pytest.raises(ValidationError) as refused:
        workload(as_manager).reallocate([aishas_cases["zoe"], kai], team.ciaran.user_id, LEAVE)
    assert "is not open" in refused.value.fields["cases"]
    cases = workload(as_manager).cases_of(team.aisha.user_id)
    assert aishas_cases["zoe"] in [c.person_id for c in cases]  # nothing moved


@pytest.mark.parametrize(
    ("reason", "field"), [("", "reason"), ("   ", "reason"), ("x" * 501, "reason")]
)
def test_a_reason_is_required(
    as_manager: Services, team: Team, aishas_cases: dict[str, int], reason: str, field: str
) -> None:
    assert team.ciaran.user_id is not None
    with pytest.raises(ValidationError) as refused:
        workload(as_manager).reallocate([aishas_cases["zoe"]], team.ciaran.user_id, reason)
    assert field in refused.value.fields


def test_cases_go_only_to_an_active_caseworker(
    as_manager: Services, team: Team, db: Database, aishas_cases: dict[str, int]
) -> None:
    assert team.manager.user_id is not None and team.ciaran.user_id is not None
    with pytest.raises(ValidationError) as refused:
        workload(as_manager).reallocate([aishas_cases["zoe"]], team.manager.user_id, LEAVE)
    assert refused.value.fields == {"worker": "Choose an active caseworker."}
    with db.write() as session:
        session.execute(update(User).where(User.id == team.ciaran.user_id).values(active=False))
    with pytest.raises(ValidationError):
        workload(as_manager).reallocate([aishas_cases["zoe"]], team.ciaran.user_id, LEAVE)


def test_a_worker_who_has_left_is_listed_while_they_hold_open_cases(
    as_manager: Services, team: Team, db: Database, aishas_cases: dict[str, int]
) -> None:
    assert team.aisha.user_id is not None and team.dariusz.user_id is not None
    with db.write() as session:
        session.execute(update(User).where(User.id == team.aisha.user_id).values(active=False))
    aisha = by_name(workload(as_manager).workers())["Aisha Mohamed"]
    assert not aisha.can_take_cases and aisha.open_cases == 3
    people = [c.person_id for c in workload(as_manager).cases_of(team.aisha.user_id)]
    workload(as_manager).reallocate(people, team.dariusz.user_id, "Aisha has left the unit")
    assert "Aisha Mohamed" not in by_name(workload(as_manager).workers())


@pytest.mark.parametrize("who", ["dariusz", "aisha", "admin"])
def test_only_a_manager_sees_the_workload_or_reallocates_and_a_refusal_is_audited(
    team: Team,
    db: Database,
    aishas_cases: dict[str, int],
    audit_trail: Callable[..., list[AuditRow]],
    who: str,
) -> None:
    assert team.dariusz.user_id is not None
    service = WorkloadService(db, getattr(team, who))
    with pytest.raises(PermissionDenied):
        service.workers()
    with pytest.raises(PermissionDenied):
        service.reallocate([aishas_cases["zoe"]], team.dariusz.user_id, LEAVE)
    denied = [r for r in audit_trail() if r.action is AuditAction.DENIED]
    assert [r.summary for r in denied[-2:]] == [
        "see the team's workload: needs manager",
        "reallocate cases: needs manager",
    ]
    assert by_name(WorkloadService(db, team.manager).workers())["Aisha Mohamed"].open_cases == 3


def test_an_accepted_case_awaiting_allocation_can_be_given_a_worker(
    as_manager: Services, team: Team, case_factory: Callable[..., int]
) -> None:
    assert team.ciaran.user_id is not None
    waiting = case_factory("Mohammed", "Al-Rashid", status=ReferralStatus.ACCEPTED)
    done = workload(as_manager).reallocate([waiting], team.ciaran.user_id, "Ciarán has room")
    assert done.moved[0].from_worker is None
    entry = as_manager.chronology.for_person(waiting)[0]
    assert entry.title == "Allocated to Ciarán Ó Briain"


def test_sessions_already_held_or_run_by_someone_else_stay_and_hand_over_can_be_declined(
    as_manager: Services, team: Team, db: Database, aishas_cases: dict[str, int]
) -> None:
    assert team.ciaran.user_id is not None and team.dariusz.user_id is not None
    aisha = Services(db, team.aisha)
    zoe = aishas_cases["zoe"]
    held = aisha.sessions.book(
        zoe,
        SessionInput(
            planned_start=dt.datetime.combine(today() - dt.timedelta(days=2), dt.time(10, 0)),
            mentor_id=team.aisha.user_id,
            attendance=Attendance.ATTENDED,
        ),
    )
    group = aisha.sessions.book(
        zoe,
        SessionInput(
            planned_start=dt.datetime.combine(today() + dt.timedelta(days=3), dt.time(18, 0)),
            mentor_id=team.dariusz.user_id,  # Dariusz runs the Thursday football
        ),
    )
    done = workload(as_manager).reallocate(
        [zoe, aishas_cases["kai"]], team.ciaran.user_id, LEAVE, hand_over_sessions=False
    )
    assert done.sessions_moved == 0
    assert done.text == "Moved 2 cases to Ciarán Ó Briain (Leave cover to 21/03)."
    mentors = {v.id: v.mentor for v in as_manager.sessions.for_person(zoe)}
    assert mentors[held] == "Aisha Mohamed" and mentors[group] == "Dariusz Wójcik"
    [kais] = as_manager.sessions.for_person(aishas_cases["kai"])
    assert kais.mentor == "Aisha Mohamed"  # declined: still hers

    back = workload(as_manager).reallocate([zoe], team.dariusz.user_id, "Ciarán is off sick")
    assert back.sessions_moved == 0  # none of Zoë's planned sessions were Ciarán's
    mentors = {v.id: v.mentor for v in as_manager.sessions.for_person(zoe)}
    assert mentors[held] == "Aisha Mohamed" and mentors[group] == "Dariusz Wójcik"
