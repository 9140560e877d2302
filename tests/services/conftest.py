"""Service-test fixtures: cases in the states most tests start from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from veru_desk.db.engine import Database
from veru_desk.db.models import AuditEvent
from veru_desk.domain.enums import (
    AgencyType,
    AuditAction,
    ConsentStatus,
    Priority,
    ReferralReason,
    ReferralStatus,
)
from veru_desk.services import Services
from veru_desk.services.people import PersonDetails
from veru_desk.services.referrals import ReferralDetails


@pytest.fixture
def as_aisha(db: Database, team: object) -> Services:
    """A caseworker with no case allocated: the one every refusal test signs in as."""
    return Services(db, team.aisha)  # type: ignore[attr-defined]


@pytest.fixture
def allocated_case(as_manager: Services, as_dariusz: Services) -> int:
    """Łukasz Wiśniewski, 14, referred by the police a week ago, accepted and allocated to
    Dariusz by the manager (so Dariusz's access comes from the allocation alone). Returns the
    person id."""
    today = dt.date.today()
    intake = as_manager.referrals.create(
        ReferralDetails(
            received_on=today - dt.timedelta(days=7),
            referring_agency="Bedfordshire Police",
            referring_agency_type=AgencyType.POLICE,
            reasons=frozenset({ReferralReason.KNIFE_CARRYING, ReferralReason.GANG_ASSOCIATION}),
            referrer_name="PC Joanna Kowalska",
            consent_young_person=ConsentStatus.GIVEN,
            consent_parent=ConsentStatus.GIVEN,
        ),
        person=PersonDetails(
            first_name="Łukasz",
            last_name="Wiśniewski",
            date_of_birth=today.replace(year=today.year - 14) - dt.timedelta(days=40),
            postcode="LU1 5AB",
        ),
    )
    as_manager.referrals.decide(
        intake.referral_id,
        ReferralStatus.ACCEPTED,
        "Knife found near park",
        priority=Priority.HIGH,
    )
    assert as_dariusz.actor.user_id is not None
    as_manager.referrals.allocate(intake.referral_id, as_dariusz.actor.user_id)
    return intake.person_id


@dataclass(frozen=True)
class AuditRow:
    action: AuditAction
    entity_type: str | None
    entity_id: int | None
    person_id: int | None
    username: str | None
    summary: str | None
    changes: str | None


@pytest.fixture
def audit_trail(db: Database) -> Callable[..., list[AuditRow]]:
    """Reads the audit events written so far, oldest first, optionally of one entity type."""

    def read(entity_type: str | None = None) -> list[AuditRow]:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if entity_type is not None:
            query = query.where(AuditEvent.entity_type == entity_type)
        with db.read() as session:
            return [
                AuditRow(
                    e.action,
                    e.entity_type,
                    e.entity_id,
                    e.young_person_id,
                    e.username,
                    e.summary,
                    e.changes,
                )
                for e in session.scalars(query)
            ]

    return read


@pytest.fixture
def case_factory(as_manager: Services) -> Callable[..., int]:
    """Makes a school referral for a new young person, taken as far as ``status`` (received,
    accepted or allocated to ``worker_id``) by the manager. Returns the person id."""

    def make(
        first_name: str,
        last_name: str,
        *,
        age: int = 15,
        worker_id: int | None = None,
        status: ReferralStatus = ReferralStatus.ALLOCATED,
        preferred_name: str | None = None,
        received_days_ago: int = 10,
    ) -> int:
        today = dt.date.today()
        intake = as_manager.referrals.create(
            ReferralDetails(
                received_on=today - dt.timedelta(days=received_days_ago),
                referring_agency="Challney High School",
                referring_agency_type=AgencyType.SCHOOL,
                reasons=frozenset({ReferralReason.EXCLUSION_ABSENCE}),
                consent_young_person=ConsentStatus.GIVEN,
                consent_parent=ConsentStatus.GIVEN,
            ),
            person=PersonDetails(
                first_name=first_name,
                last_name=last_name,
                preferred_name=preferred_name,
                date_of_birth=today - relativedelta(years=age, days=30),
            ),
        )
        if status is not ReferralStatus.RECEIVED:
            as_manager.referrals.decide(
                intake.referral_id, ReferralStatus.ACCEPTED, "Meets the unit's threshold"
            )
        if status is ReferralStatus.ALLOCATED:
            assert worker_id is not None, "an allocated case needs a worker_id"
            as_manager.referrals.allocate(intake.referral_id, worker_id)
        return intake.person_id

    return make
