from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.dates import FromToday, resolved, today
from veru_desk.db.models import RiskAssessment
from veru_desk.domain.enums import AuditAction, ClosureReason, RiskLevel
from veru_desk.domain.errors import ConflictError, PermissionDenied, ValidationError
from veru_desk.services import Services
from veru_desk.services.risk import RiskInput

Trail = Callable[..., list[Any]]


def high_risk(**overrides: Any) -> RiskInput:
    values: dict[str, Any] = {
        "assessed_on": today(),
        "level": RiskLevel.HIGH,
        "risk_factors": "Gang association; missing episodes",
        "protective_factors": "Engaged older sister; football",
    }
    values.update(overrides)
    return RiskInput(**values)


def test_assessment_defaults_next_review_from_level_and_updates_case_summary(
    as_dariusz: Services, allocated_case: int
) -> None:
    as_dariusz.risk.record(allocated_case, high_risk())
    [view] = as_dariusz.risk.history(allocated_case)
    assert view.level is RiskLevel.HIGH
    assert view.next_review_on == today() + dt.timedelta(weeks=4)
    assert view.assessor == "Dariusz Wójcik"
    assert view.protective_factors == "Engaged older sister; football"
    assert view.overdue is False
    case = as_dariusz.people.get(allocated_case)
    assert case.risk_level is RiskLevel.HIGH
    assert case.next_review_on == today() + dt.timedelta(weeks=4)


def test_very_high_risk_is_due_for_review_in_two_weeks(
    as_dariusz: Services, allocated_case: int
) -> None:
    as_dariusz.risk.record(allocated_case, high_risk(level=RiskLevel.VERY_HIGH))
    assert as_dariusz.risk.history(allocated_case)[0].next_review_on == today() + dt.timedelta(
        weeks=2
    )


def test_worker_may_bring_the_review_forward(as_dariusz: Services, allocated_case: int) -> None:
    earlier = today() + dt.timedelta(days=10)
    as_dariusz.risk.record(allocated_case, high_risk(next_review_on=earlier))
    assert as_dariusz.risk.history(allocated_case)[0].next_review_on == earlier


def test_history_is_newest_first_and_only_the_latest_can_be_overdue(
    as_dariusz: Services, allocated_case: int
) -> None:
    as_dariusz.risk.record(allocated_case, high_risk(assessed_on=today() - dt.timedelta(weeks=10)))
    as_dariusz.risk.record(
        allocated_case,
        high_risk(assessed_on=today() - dt.timedelta(weeks=5), level=RiskLevel.MEDIUM),
    )
    history = as_dariusz.risk.history(allocated_case)
    assert [v.level for v in history] == [RiskLevel.MEDIUM, RiskLevel.HIGH]
    assert [v.overdue for v in history] == [False, False]  # medium: due in 8 weeks
    as_dariusz.risk.record(allocated_case, high_risk(assessed_on=today() - dt.timedelta(weeks=5)))
    history = as_dariusz.risk.history(allocated_case)
    assert [v.overdue for v in history] == [True, False, False]
    assert history[0].is_latest and not history[1].is_latest


def test_closed_case_review_is_not_overdue(
    as_dariusz: Services, as_manager: Services, allocated_case: int
) -> None:
    as_dariusz.risk.record(allocated_case, high_risk(assessed_on=today() - dt.timedelta(weeks=6)))
    [referral] = as_manager.referrals.for_person(allocated_case)
    as_manager.referrals.close(referral.id, ClosureReason.GOALS_ACHIEVED, "Back in school.")
    assert as_dariusz.risk.history(allocated_case)[0].overdue is False
    assert as_dariusz.people.get(allocated_case).next_review_on is None


def test_assessment_links_to_current_episode_and_is_audited(
    as_dariusz: Services, allocated_case: int, audit_trail: Trail
) -> None:
    assessment_id = as_dariusz.risk.record(allocated_case, high_risk())
    [event] = audit_trail("risk_assessment")
    assert event.action is AuditAction.CREATE
    assert event.entity_id == assessment_id
    assert event.person_id == allocated_case
    assert event.username == "dariusz"
    assert event.summary.startswith("Risk assessed: high")
    [referral] = as_dariusz.referrals.for_person(allocated_case)
    with as_dariusz.db.read() as session:
        assert session.get_one(RiskAssessment, assessment_id).referral_id == referral.id


def test_unallocated_caseworker_cannot_record_or_read_risk(
    as_aisha: Services, allocated_case: int, audit_trail: Trail
) -> None:
    with pytest.raises(PermissionDenied):
        as_aisha.risk.record(allocated_case, high_risk())
    with pytest.raises(PermissionDenied):
        as_aisha.risk.history(allocated_case)
    denied = [e for e in audit_trail() if e.action is AuditAction.DENIED]
    assert [e.person_id for e in denied] == [allocated_case, allocated_case]
    assert audit_trail("risk_assessment") == []


def test_manager_sees_every_case(
    as_dariusz: Services, as_manager: Services, allocated_case: int
) -> None:
    as_dariusz.risk.record(allocated_case, high_risk())
    assert len(as_manager.risk.history(allocated_case)) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"assessed_on": FromToday(days=1)}, "assessed_on", "future"),
        ({"assessed_on": dt.date(1990, 1, 1)}, "assessed_on", "date of birth"),
        ({"next_review_on": FromToday()}, "next_review_on", "after the assessment"),
        ({"next_review_on": FromToday(days=-3)}, "next_review_on", "after"),
        ({"next_review_on": FromToday(weeks=5)}, "next_review_on", "within 4 weeks"),
        ({"level": "severe"}, "level", "Choose a risk level"),
    ],
)
def test_invalid_assessment_names_the_field(
    as_dariusz: Services,
    allocated_case: int,
    audit_trail: Trail,
    overrides: dict[str, Any],
    field: str,
    words: str,
) -> None:
    with pytest.raises(ValidationError) as caught:
        as_dariusz.risk.record(allocated_case, high_risk(**resolved(overrides)))
    assert list(caught.value.fields) == [field]
    assert words in caught.value.fields[field]
    assert audit_trail("risk_assessment") == []


def test_update_corrects_level_refreshes_summary_and_audits_changes(
    as_dariusz: Services, allocated_case: int, audit_trail: Trail
) -> None:
    assessment_id = as_dariusz.risk.record(allocated_case, high_risk())
    view = as_dariusz.risk.history(allocated_case)[0]
    as_dariusz.risk.update(assessment_id, high_risk(level=RiskLevel.MEDIUM), view.version)
    updated = as_dariusz.risk.history(allocated_case)[0]
    assert updated.level is RiskLevel.MEDIUM
    assert updated.next_review_on == today() + dt.timedelta(weeks=8)
    assert updated.version == view.version + 1
    assert as_dariusz.people.get(allocated_case).risk_level is RiskLevel.MEDIUM
    event = audit_trail("risk_assessment")[-1]
    assert event.action is AuditAction.UPDATE
    changes = json.loads(event.changes)
    assert changes["level"] == ["high", "medium"]
    assert set(changes) == {"level", "next_review_on"}


def test_stale_update_is_refused_with_conflict(
    as_dariusz: Services, as_manager: Services, allocated_case: int
) -> None:
    assessment_id = as_dariusz.risk.record(allocated_case, high_risk())
    stale = as_dariusz.risk.history(allocated_case)[0].version
    as_manager.risk.update(assessment_id, high_risk(notes="Checked at supervision"), stale)
    with pytest.raises(ConflictError) as caught:
        as_dariusz.risk.update(assessment_id, high_risk(level=RiskLevel.LOW), stale)
    assert caught.value.changed_by == "Priya Raghunathan"
    assert as_dariusz.risk.history(allocated_case)[0].level is RiskLevel.HIGH


def test_update_without_changes_writes_no_audit_event(
    as_dariusz: Services, allocated_case: int, audit_trail: Trail
) -> None:
    assessment_id = as_dariusz.risk.record(allocated_case, high_risk())
    version = as_dariusz.risk.history(allocated_case)[0].version
    as_dariusz.risk.update(assessment_id, high_risk(), version)
    assert len(audit_trail("risk_assessment")) == 1
