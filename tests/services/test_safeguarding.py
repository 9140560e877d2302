"""Safeguarding flags with dates: recorded, corrected and ended by whoever may work on the case,
checked against the domain's rules of dates, audited, read for the caseload and dashboard, and
covered by anonymisation, erasure and subject access."""

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
from veru_desk.db.models import SafeguardingFlagRecord
from veru_desk.domain.enums import AuditAction
from veru_desk.domain.errors import ConflictError, PermissionDenied, ValidationError
from veru_desk.domain.safeguarding import FlagInput, FlagKind, GroundsDecision
from veru_desk.services import Services
from veru_desk.services.safeguarding import SafeguardingService

Trail = Callable[..., list[Any]]


def flags(services: Services) -> SafeguardingService:
    return SafeguardingService(services.db, services.actor)


def days_ago(days: int) -> dt.date:
    return dt.date.today() - dt.timedelta(days=days)


def test_a_caseworker_adds_a_county_lines_flag_to_their_case_and_it_is_audited(
    as_dariusz: Services, allocated_case: int, audit_trail: Trail, db: Database
) -> None:
    flag_id = flags(as_dariusz).add(
        allocated_case,
        FlagInput(FlagKind.COUNTY_LINES, days_ago(3), note="Found with a burner phone in Luton"),
    )
    [view] = flags(as_dariusz).for_case(allocated_case)
    assert (view.id, view.kind, view.started_on, view.ended_on) == (
        flag_id,
        FlagKind.COUNTY_LINES,
        days_ago(3),
        None,
    )
    assert view.active and view.recorded_by == "Dariusz Wójcik"
    assert view.note == "Found with a burner phone in Luton"
    [event] = audit_trail("safeguarding_flag")
    assert event.action is AuditAction.CREATE
    assert (event.entity_id, event.person_id, event.username) == (
        flag_id,
        allocated_case,
        "dariusz",
    )
    assert event.summary == f"Safeguarding flag added: County lines from {days_ago(3):%d/%m/%Y}"
    with db.read() as session:
        stored = session.get_one(SafeguardingFlagRecord, flag_id)
        assert stored.created_by_id == as_dariusz.actor.user_id


def test_a_missing_episode_ends_when_found_and_records_the_return_interview(
    as_dariusz: Services, allocated_case: int, audit_trail: Trail
) -> None:
    service = flags(as_dariusz)
    flag_id = service.add(allocated_case, FlagInput(FlagKind.MISSING, days_ago(2)))
    [view] = service.for_case(allocated_case)
    assert view.active
    assert view.details == "Return home interview: not recorded"
    service.end(flag_id, days_ago(1), view.version)
    [ended] = service.for_case(allocated_case)
    assert ended.ended_on == days_ago(1) and not ended.active
    assert ended.ended_by == "Dariusz Wójcik"
    service.change(
        flag_id,
        FlagInput(FlagKind.MISSING, days_ago(2), days_ago(1), return_interview_done=True),
        ended.version,
    )
    [changed] = service.for_case(allocated_case)
    assert changed.return_interview_done is True
    assert changed.details == "Return home interview: done"
    events = audit_trail("safeguarding_flag")
    assert [e.action for e in events] == [
        AuditAction.CREATE,
        AuditAction.UPDATE,
        AuditAction.UPDATE,
    ]
    assert (
        events[1].summary
        == f"Safeguarding flag ended: Missing episode (found {days_ago(1):%d/%m/%Y})"
    )
    assert json.loads(events[2].changes)["return_interview_done"] == [None, True]


def test_dates_out_of_order_are_refused_with_a_message_per_field(
    as_dariusz: Services, allocated_case: int, db: Database
) -> None:
    service = flags(as_dariusz)
    with pytest.raises(ValidationError) as missing:
        service.add(allocated_case, FlagInput(FlagKind.MISSING, days_ago(1), days_ago(4)))
    assert "before the missing from date" in missing.value.fields["ended_on"]
    with pytest.raises(ValidationError) as nrm:
        service.add(
            allocated_case,
            FlagInput(
                FlagKind.NRM,
                days_ago(10),
                reasonable_grounds=GroundsDecision.POSITIVE,
                reasonable_grounds_on=days_ago(12),
                conclusive_grounds=GroundsDecision.POSITIVE,
                conclusive_grounds_on=days_ago(11),
            ),
        )
    assert "before the referral" in nrm.value.fields["reasonable_grounds_on"]
    assert "before the referral" in nrm.value.fields["conclusive_grounds_on"]
    with pytest.raises(ValidationError) as future:
        service.add(allocated_case, FlagInput(FlagKind.CCE, dt.date.today() + dt.timedelta(days=2)))
    assert "future" in future.value.fields["started_on"]
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(SafeguardingFlagRecord)) == 0


def test_an_nrm_referral_keeps_both_decisions_with_their_dates(
    as_dariusz: Services, allocated_case: int
) -> None:
    service = flags(as_dariusz)
    service.add(
        allocated_case,
        FlagInput(
            FlagKind.NRM,
            days_ago(60),
            reasonable_grounds=GroundsDecision.POSITIVE,
            reasonable_grounds_on=days_ago(50),
            conclusive_grounds=GroundsDecision.POSITIVE,
            conclusive_grounds_on=days_ago(5),
        ),
    )
    [view] = service.for_case(allocated_case)
    assert view.details == (
        f"Reasonable grounds: positive ({days_ago(50):%d/%m/%Y}); "
        f"Conclusive grounds: positive ({days_ago(5):%d/%m/%Y})"
    )


def test_another_caseworker_cannot_read_add_change_or_end_and_the_refusal_is_audited(
    as_dariusz: Services, as_aisha: Services, allocated_case: int, audit_trail: Trail
) -> None:
    flag_id = flags(as_dariusz).add(allocated_case, FlagInput(FlagKind.CCE, days_ago(3)))
    aisha = flags(as_aisha)
    with pytest.raises(PermissionDenied):
        aisha.for_case(allocated_case)
    with pytest.raises(PermissionDenied):
        aisha.add(allocated_case, FlagInput(FlagKind.CSE, days_ago(1)))
    with pytest.raises(PermissionDenied):
        aisha.change(flag_id, FlagInput(FlagKind.CSE, days_ago(1)), 1)
    with pytest.raises(PermissionDenied):
        aisha.end(flag_id, days_ago(1), 1)
    assert aisha.active_kinds([allocated_case]) == {}
    assert aisha.recently_added() == []
    denials = [e for e in audit_trail() if e.action is AuditAction.DENIED]
    assert len(denials) == 4
    assert {e.username for e in denials} == {"aisha"}
    assert [v.kind for v in flags(as_dariusz).for_case(allocated_case)] == [FlagKind.CCE]


def test_a_manager_may_end_a_flag_on_any_case_and_a_stale_save_is_refused(
    as_dariusz: Services, as_manager: Services, allocated_case: int
) -> None:
    flag_id = flags(as_dariusz).add(allocated_case, FlagInput(FlagKind.CHILD_IN_NEED, days_ago(30)))
    flags(as_manager).end(flag_id, days_ago(1), 1)
    with pytest.raises(ConflictError):
        flags(as_dariusz).change(flag_id, FlagInput(FlagKind.CHILD_IN_NEED, days_ago(20)), 1)
    with pytest.raises(ValidationError) as again:
        flags(as_manager).end(flag_id, days_ago(0), 2)
    assert "already" in again.value.fields["ended_on"]
    [view] = flags(as_dariusz).for_case(allocated_case)
    assert view.ended_by == "Priya Raghunathan" and view.recorded_by == "Dariusz Wójcik"


def test_active_kinds_for_the_caseload_leave_out_ended_and_future_flags(
    as_dariusz: Services,
    as_aisha: Services,
    as_manager: Services,
    allocated_case: int,
    case_factory: Callable[..., int],
) -> None:
    other = case_factory("Aoife", "Ní Bhriain", worker_id=as_aisha.actor.user_id)
    service = flags(as_manager)
    service.add(allocated_case, FlagInput(FlagKind.SEND, days_ago(400)))
    service.add(allocated_case, FlagInput(FlagKind.CCE, days_ago(10)))
    service.add(allocated_case, FlagInput(FlagKind.MISSING, days_ago(9), days_ago(8)))
    service.add(other, FlagInput(FlagKind.LOOKED_AFTER, days_ago(100)))
    assert service.active_kinds([allocated_case, other]) == {
        allocated_case: [FlagKind.CCE, FlagKind.SEND],
        other: [FlagKind.LOOKED_AFTER],
    }
    assert service.active_kinds([allocated_case], on=days_ago(9)) == {
        allocated_case: [FlagKind.CCE, FlagKind.MISSING, FlagKind.SEND]
    }
    # Dariusz's caseload: his case only
    assert flags(as_dariusz).active_kinds([allocated_case, other]) == {
        allocated_case: [FlagKind.CCE, FlagKind.SEND]
    }


def test_the_dashboard_lists_flags_added_this_week_of_cases_the_reader_may_open(
    as_dariusz: Services,
    as_aisha: Services,
    as_manager: Services,
    allocated_case: int,
    case_factory: Callable[..., int],
) -> None:
    other = case_factory("Oluwaseun", "Adeyemi", worker_id=as_aisha.actor.user_id)
    flags(as_dariusz).add(allocated_case, FlagInput(FlagKind.COUNTY_LINES, days_ago(2)))
    flags(as_manager).add(other, FlagInput(FlagKind.CSE, days_ago(1)))
    recent = flags(as_manager).recently_added()
    assert [(r.kind, r.person_id) for r in recent] == [
        (FlagKind.CSE, other),
        (FlagKind.COUNTY_LINES, allocated_case),
    ]
    assert recent[1].name == "Łukasz Wiśniewski" and recent[1].recorded_by == "Dariusz Wójcik"
    assert [r.person_id for r in flags(as_dariusz).recently_added()] == [allocated_case]


def test_anonymising_keeps_kinds_and_dates_and_removes_the_note(
    as_manager: Services, team: Team, db: Database
) -> None:
    assert team.dariusz.user_id is not None
    person = closed_case(as_manager, team.dariusz.user_id)
    flags(as_manager).add(
        person, FlagInput(FlagKind.CCE, days_ago(3000), days_ago(2900), note="Ran for Dean 'D'")
    )
    as_manager.retention.anonymise(person, "Retention period over")
    with db.read() as session:
        [row] = session.scalars(
            select(SafeguardingFlagRecord).where(SafeguardingFlagRecord.young_person_id == person)
        )
        assert (row.kind, row.started_on, row.ended_on, row.note) == (
            FlagKind.CCE,
            days_ago(3000),
            days_ago(2900),
            None,
        )


def test_erasing_a_case_deletes_its_flags(as_manager: Services, team: Team, db: Database) -> None:
    assert team.dariusz.user_id is not None
    person = closed_case(as_manager, team.dariusz.user_id)
    flags(as_manager).add(person, FlagInput(FlagKind.SEND, days_ago(3000)))
    as_manager.retention.erase(person, "Request to erase upheld")
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(SafeguardingFlagRecord)) == 0


def test_subject_access_includes_the_flags(as_manager: Services, allocated_case: int) -> None:
    flags(as_manager).add(
        allocated_case,
        FlagInput(FlagKind.MISSING, days_ago(6), days_ago(5), return_interview_done=False),
    )
    data = as_manager.subject_access.gather(allocated_case)
    [items] = [items for title, items in data.sections if title == "Safeguarding flags"]
    [item] = items
    assert item.title == f"Missing episode from {days_ago(6):%d/%m/%Y}"
    shown = dict(item.fields)
    assert shown["Return interview done"] == "No"
    assert [f["kind"] for f in data.document["safeguarding_flags"]] == ["missing"]


def test_the_caseload_filters_by_active_flag_and_sorts_the_most_flagged_first(
    as_manager: Services,
    as_aisha: Services,
    allocated_case: int,
    case_factory: Callable[..., int],
) -> None:
    from veru_desk.services.caseload_view import CaseloadFilter, CaseloadSort

    zoe = case_factory("Zoë", "Çelik", worker_id=as_aisha.actor.user_id)
    oluwaseun = case_factory("Oluwaseun", "Adeyemi", worker_id=as_aisha.actor.user_id)
    service = flags(as_manager)
    service.add(allocated_case, FlagInput(FlagKind.CCE, days_ago(20)))
    service.add(zoe, FlagInput(FlagKind.CCE, days_ago(20)))
    service.add(zoe, FlagInput(FlagKind.COUNTY_LINES, days_ago(10)))
    service.add(oluwaseun, FlagInput(FlagKind.CCE, days_ago(90), days_ago(30)))
    caseload = as_manager.caseload
    cce = caseload.ids(CaseloadFilter(flag_kinds=frozenset({FlagKind.CCE})))
    assert set(cce) == {allocated_case, zoe}
    assert caseload.ids(CaseloadFilter(), CaseloadSort.FLAGS)[:2] == [zoe, allocated_case]
    rows = {row.person_id: row.flags for row in caseload.rows([allocated_case, zoe, oluwaseun])}
    assert rows == {
        allocated_case: (FlagKind.CCE,),
        zoe: (FlagKind.CCE, FlagKind.COUNTY_LINES),
        oluwaseun: (),
    }
    # Aisha's caseload is her own cases: Łukasz's flag is not counted in her filter
    assert set(as_aisha.caseload.ids(CaseloadFilter(flag_kinds=frozenset(FlagKind)))) == {zoe}


def test_the_dashboard_lists_this_weeks_new_flags_for_the_cases_it_covers(
    as_dariusz: Services,
    as_manager: Services,
    as_aisha: Services,
    allocated_case: int,
    case_factory: Callable[..., int],
) -> None:
    zoe = case_factory("Zoë", "Çelik", worker_id=as_aisha.actor.user_id)
    flags(as_dariusz).add(allocated_case, FlagInput(FlagKind.MISSING, days_ago(1), days_ago(0)))
    flags(as_manager).add(zoe, FlagInput(FlagKind.COUNTY_LINES, days_ago(2)))
    manager = as_manager.dashboard.load()
    assert [(i.name, i.detail) for i in manager.flags_added] == [
        ("Zoë Çelik", f"County lines from {days_ago(2):%d/%m/%Y}; added by Priya Raghunathan"),
        (
            "Łukasz Wiśniewski",
            f"Missing episode from {days_ago(1):%d/%m/%Y} to {days_ago(0):%d/%m/%Y}; "
            "added by Dariusz Wójcik",
        ),
    ]
    assert manager.total("flags_added") == 2
    assert [i.person_id for i in as_dariusz.dashboard.load().flags_added] == [allocated_case]
    assert [i.person_id for i in as_aisha.dashboard.load().flags_added] == [zoe]


def test_the_chronology_shows_a_missing_episode_and_an_nrm_decision_on_their_days(
    as_dariusz: Services, allocated_case: int
) -> None:
    from veru_desk.domain.enums import ChronologyKind

    service = flags(as_dariusz)
    service.add(
        allocated_case,
        FlagInput(
            FlagKind.MISSING,
            days_ago(4),
            days_ago(3),
            note="Found in Milton Keynes",
            return_interview_done=True,
        ),
    )
    service.add(
        allocated_case,
        FlagInput(
            FlagKind.NRM,
            days_ago(2),
            reasonable_grounds=GroundsDecision.POSITIVE,
            reasonable_grounds_on=days_ago(1),
        ),
    )
    entries = as_dariusz.chronology.for_person(allocated_case, frozenset({ChronologyKind.FLAG}))
    assert [(e.at.date(), e.title) for e in entries] == [
        (days_ago(1), "NRM reasonable grounds decision: positive"),
        (days_ago(2), "National Referral Mechanism referral made"),
        (days_ago(3), "Found after a missing episode"),
        (days_ago(4), "Missing"),
    ]
    assert entries[2].detail == "Return home interview done."
    assert entries[3].detail == "Found in Milton Keynes"
    assert entries[3].by == "Dariusz Wójcik"
