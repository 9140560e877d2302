"""Signposting names the service the young person is passed to, checked by the service."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.services.test_referrals import knife_referral, lukasz
from veru_desk.db.engine import Database
from veru_desk.db.models import Referral, ReferralTransition
from veru_desk.domain.enums import ReferralStatus
from veru_desk.domain.errors import ValidationError
from veru_desk.services import Services


def test_signposting_needs_the_service_and_a_reason_and_records_both(
    as_dariusz: Services, as_manager: Services, db: Database
) -> None:
    intake = as_dariusz.referrals.create(knife_referral(), person=lukasz())
    with pytest.raises(ValidationError) as refused:
        as_manager.referrals.decide(
            intake.referral_id, ReferralStatus.SIGNPOSTED, "", signposted_to="  "
        )
    assert set(refused.value.fields) == {"signposted_to", "reason"}
    assert as_manager.referrals.get(intake.referral_id).status is ReferralStatus.RECEIVED

    as_manager.referrals.decide(
        intake.referral_id,
        ReferralStatus.SIGNPOSTED,
        "Needs are mental health first; family agreed.",
        signposted_to="CAMHS Luton",
    )
    reason = "Signposted to CAMHS Luton: Needs are mental health first; family agreed."
    with db.read() as session:
        referral = session.get_one(Referral, intake.referral_id)
        assert referral.status is ReferralStatus.SIGNPOSTED
        assert referral.decision_reason == reason
        transition = session.scalars(
            select(ReferralTransition).where(
                ReferralTransition.referral_id == intake.referral_id,
                ReferralTransition.to_status == ReferralStatus.SIGNPOSTED,
            )
        ).one()
        assert transition.reason == reason


def test_the_chronology_says_signposted_once(as_dariusz: Services, as_manager: Services) -> None:
    intake = as_dariusz.referrals.create(knife_referral(), person=lukasz())
    as_manager.referrals.decide(
        intake.referral_id,
        ReferralStatus.SIGNPOSTED,
        "Needs are mental health first; family agreed.",
        signposted_to="CAMHS Luton",
    )
    titles = [entry.title for entry in as_manager.chronology.for_person(intake.person_id)]
    assert "Signposted to CAMHS Luton: Needs are mental health first; family agreed." in titles
    assert not any(title.startswith("Signposted: Signposted") for title in titles)
