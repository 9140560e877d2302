"""The data-quality screen's service: likely duplicates and missing essentials by worker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import update

from veru_desk.db.engine import Database
from veru_desk.db.models import Referral, YoungPerson
from veru_desk.domain.enums import AuditAction, ConsentStatus, Ethnicity, RiskLevel
from veru_desk.domain.errors import PermissionDenied
from veru_desk.services import Services
from veru_desk.services.data_quality import (
    CONSENT_NOT_ASKED,
    NO_ETHNICITY,
    NO_RISK_ASSESSMENT,
    NO_SHARING_BASIS,
    add_working_days,
)
from veru_desk.services.people import PersonDetails
from veru_desk.services.risk import RiskInput


def test_working_days_skip_weekends() -> None:
    friday = dt.date(2026, 3, 6)
    assert add_working_days(friday, 1) == dt.date(2026, 3, 9)
    assert add_working_days(friday, 20) == dt.date(2026, 4, 3)


def test_working_days_taken_a_week_at_a_time_are_the_days_counted_one_by_one() -> None:
    # From each day of a week, weekends included (a case allocated on a Saturday).
    for offset in range(7):
        start = dt.date(2026, 3, 2) + dt.timedelta(days=offset)
        day, counted = start, 0
        for days in range(31):
            while counted < days:
                day += dt.timedelta(days=1)
                counted += day.weekday() < 5
            assert add_working_days(start, days) == day, (start, days)


def test_likely_duplicates_lists_pairs_with_reasons_and_is_audited(
    as_manager: Services, audit_trail: Callable[..., list[Any]]
) -> None:
    zoe = as_manager.people.create(PersonDetails("Zoë", "Brontë", dt.date(2010, 9, 14)))
    zoey = as_manager.people.create(PersonDetails("Zoey", "Bronte", dt.date(2010, 9, 14)))
    as_manager.people.create(PersonDetails("Mohammed", "Ahmed", dt.date(2009, 3, 12)))
    as_manager.people.create(PersonDetails("Mohammed", "Ahmed", dt.date(2011, 8, 27)))
    [pair] = as_manager.data_quality.likely_duplicates()
    assert (pair.a.person_id, pair.b.person_id) == (zoe, zoey)
    assert (
        pair.reasons == "same date of birth; first names Zoë / Zoey are the same name; same surname"
    )
    assert pair.a.name == "Zoë Brontë" and pair.score >= 80
    assert any(
        r.action is AuditAction.VIEW and "likely duplicate records: 1 found" in (r.summary or "")
        for r in audit_trail()
    )


def test_a_caseworker_cannot_look_for_duplicates_across_the_unit(as_dariusz: Services) -> None:
    with pytest.raises(PermissionDenied):
        as_dariusz.data_quality.likely_duplicates()


def test_missing_essentials_by_worker(
    as_manager: Services,
    as_dariusz: Services,
    db: Database,
    case_factory: Callable[..., int],
    team: Any,
) -> None:
    today = dt.date.today()
    complete = case_factory("Aoife", "Ní Bhriain", worker_id=team.dariusz.user_id)
    gaps = case_factory("Łukasz", "Wójcik", worker_id=team.dariusz.user_id)
    aishas = case_factory("Nguyễn Thị", "Hoa", worker_id=team.aisha.user_id)
    with db.write() as session:
        session.execute(
            update(YoungPerson)
            .where(YoungPerson.id.in_([complete, aishas]))
            .values(ethnicity=Ethnicity.WHITE_IRISH)
        )
        session.execute(
            update(Referral)
            .where(Referral.young_person_id.in_([complete, aishas]))
            .values(sharing_basis="consent")
        )
        # Łukasz's case: allocated six weeks ago, consent never asked of his parent.
        session.execute(
            update(Referral)
            .where(Referral.young_person_id == gaps)
            .values(
                allocated_on=today - dt.timedelta(days=42), consent_parent=ConsentStatus.NOT_ASKED
            )
        )
        session.execute(
            update(Referral)
            .where(Referral.young_person_id == aishas)
            .values(allocated_on=today - dt.timedelta(days=60))
        )
    as_manager.risk.record(
        aishas, RiskInput(assessed_on=today - dt.timedelta(days=1), level=RiskLevel.HIGH)
    )
    team_view = as_manager.data_quality.missing_essentials(today)
    assert [w.worker for w in team_view] == ["Dariusz Wójcik"]
    [dariusz] = team_view
    [case] = dariusz.cases
    assert case.person_id == gaps
    assert case.missing == (NO_ETHNICITY, CONSENT_NOT_ASKED, NO_SHARING_BASIS, NO_RISK_ASSESSMENT)
    assert dariusz.count(NO_RISK_ASSESSMENT) == 1
    # A caseworker sees their own; Aisha's case is complete (assessed after allocation).
    assert [w.worker for w in as_dariusz.data_quality.missing_essentials(today)] == [
        "Dariusz Wójcik"
    ]
    assert Services(db, team.aisha).data_quality.missing_essentials(today) == []
