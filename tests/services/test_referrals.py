from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.dates import today
from veru_desk.db.models import AuditEvent, ReferralTransition
from veru_desk.domain.enums import (
    AgencyType,
    ClosureReason,
    ConsentStatus,
    Priority,
    ReferralReason,
    ReferralStatus,
)
from veru_desk.domain.errors import PermissionDenied, ValidationError, WorkflowError
from veru_desk.services import Services
from veru_desk.services.people import PersonDetails
from veru_desk.services.referrals import ReferralDetails


def knife_referral(**overrides: object) -> ReferralDetails:
    values: dict[str, object] = {
        "received_on": today() - dt.timedelta(days=3),
        "referring_agency": "Bedfordshire Police",
        "referring_agency_type": AgencyType.POLICE,
        "reasons": frozenset({ReferralReason.KNIFE_CARRYING}),
        "referrer_name": "PC Joanna Kowalska",
        "consent_young_person": ConsentStatus.GIVEN,
        "consent_parent": ConsentStatus.GIVEN,
    }
    values.update(overrides)
    return ReferralDetails(**values)  # type: ignore[arg-type]


def lukasz(**overrides: object) -> PersonDetails:
    values: dict[str, object] = {
        "first_name": "Łukasz",
        "last_name": "Wiśniewski",
        "date_of_birth": today().replace(year=today().year - 14) - dt.timedelta(days=40),
        "postcode": "lu1 5ab",
    }
    values.update(overrides)
    return PersonDetails(**values)  # type: ignore[arg-type]


def test_intake_creates_person_with_case_reference_and_received_referral(
    as_dariusz: Services,
) -> None:
    result = as_dariusz.referrals.create(knife_referral(), person=lukasz())
    assert result.case_ref == f"VERU-{today().year}-00001"
    view = as_dariusz.referrals.get(result.referral_id)
    assert view.status is ReferralStatus.RECEIVED
    assert view.person_name == "Łukasz Wiśniewski"
    assert [t.to_status for t in view.transitions] == [ReferralStatus.RECEIVED]


def test_case_references_are_never_reused(as_dariusz: Services) -> None:
    first = as_dariusz.referrals.create(knife_referral(), person=lukasz())
    second = as_dariusz.referrals.create(knife_referral(), person=lukasz(first_name="Zoë"))
    assert first.case_ref != second.case_ref
    assert second.case_ref.endswith("00002")


def test_accent_free_search_finds_the_accented_name(as_dariusz: Services) -> None:
    as_dariusz.referrals.create(knife_referral(), person=lukasz())
    hits = as_dariusz.people.search("lukasz wisn")
    assert [h.first_name for h in hits] == ["Łukasz"]
    assert as_dariusz.people.search("zoe") == []


def test_invalid_person_reports_every_field(as_dariusz: Services) -> None:
    bad = lukasz(first_name=" ", date_of_birth=today() + dt.timedelta(days=1), nhs_number="123")
    with pytest.raises(ValidationError) as caught:
        as_dariusz.referrals.create(knife_referral(), person=bad)
    assert {"first_name", "date_of_birth", "nhs_number"} <= caught.value.fields.keys()


def test_monday_triage_accept_allocate_then_close_and_reopen(
    as_dariusz: Services, as_manager: Services, team: object
) -> None:
    intake = as_dariusz.referrals.create(knife_referral(), person=lukasz())
    as_manager.referrals.decide(
        intake.referral_id, ReferralStatus.ACCEPTED, "Knife found near park", priority=Priority.HIGH
    )
    loads = {w.display_name: w.open_cases for w in as_manager.referrals.workers()}
    assert loads["Dariusz Wójcik"] == 0
    dariusz_id = as_dariusz.actor.user_id
    assert dariusz_id is not None
    as_manager.referrals.allocate(intake.referral_id, dariusz_id)
    person = as_dariusz.people.open_case(intake.person_id)
    assert person.status is ReferralStatus.ALLOCATED
    assert person.worker == "Dariusz Wójcik"
    as_dariusz.referrals.close(intake.referral_id, ClosureReason.MOVED_AWAY, "Family moved.")
    with pytest.raises(PermissionDenied):
        as_dariusz.referrals.reopen(intake.referral_id, "Back in Luton")
    as_manager.referrals.reopen(intake.referral_id, "Back in Luton")
    assert as_manager.people.get(intake.person_id).status is ReferralStatus.ACTIVE
    with as_manager.db.read() as session:
        moves = session.scalars(select(ReferralTransition.to_status)).all()
        denied = session.scalars(
            select(AuditEvent.summary).where(AuditEvent.action == "denied")
        ).all()
    assert moves[-1] is ReferralStatus.ACTIVE
    assert len(denied) == 1


def test_declined_referral_cannot_be_allocated(as_dariusz: Services, as_manager: Services) -> None:
    intake = as_dariusz.referrals.create(knife_referral(), person=lukasz())
    as_manager.referrals.decide(intake.referral_id, ReferralStatus.DECLINED, "Not our area")
    with pytest.raises(WorkflowError):
        as_manager.referrals.allocate(intake.referral_id, as_dariusz.actor.user_id or 0)


def test_caseworker_cannot_triage(as_dariusz: Services) -> None:
    intake = as_dariusz.referrals.create(knife_referral(), person=lukasz())
    with pytest.raises(PermissionDenied):
        as_dariusz.referrals.decide(intake.referral_id, ReferralStatus.ACCEPTED, "ok")


def test_out_of_range_age_warns_but_saves(as_dariusz: Services) -> None:
    older = lukasz(date_of_birth=today().replace(year=today().year - 27))
    result = as_dariusz.referrals.create(knife_referral(), person=older)
    assert len(result.warnings) == 1
    assert "outside the unit's age range" in result.warnings[0]
