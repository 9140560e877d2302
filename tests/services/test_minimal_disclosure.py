"""Who sees whom in search, duplicate checks, import previews and referrals awaiting triage.

Tried as a curious colleague would: Aisha, a caseworker with no cases, types "a" or "VERU-"
and must see nobody else; with an exact reference, NHS number, or full name and date of
birth she learns only that the person is on record and with whom, and the look-up is audited.
Dariusz sees his own case in full; Priya (manager) sees everyone; Sam (administrator) no one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from tests.services.conftest import AuditRow
from tests.services.test_imports import csv_bytes, row
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import (
    AgencyType,
    AuditAction,
    ConsentStatus,
    ReferralReason,
    ReferralStatus,
)
from veru_desk.domain.errors import PermissionDenied
from veru_desk.services import Services
from veru_desk.services.people import PersonDetails
from veru_desk.services.referrals import ReferralDetails

NHS = "9434765919"


def _referral() -> ReferralDetails:
    return ReferralDetails(
        received_on=dt.date.today() - dt.timedelta(days=2),
        referring_agency="Luton Sixth Form College",
        referring_agency_type=AgencyType.SCHOOL,
        reasons=frozenset({ReferralReason.EXCLUSION_ABSENCE}),
        narrative="Seen with older boys outside the college; mum worried about a new phone.",
        consent_young_person=ConsentStatus.GIVEN,
        consent_parent=ConsentStatus.GIVEN,
    )


@pytest.fixture
def lukasz(as_manager: Services, allocated_case: int) -> Services:
    """Łukasz's case (allocated to Dariusz) with an NHS number; returns the manager."""
    view = as_manager.people.get(allocated_case)
    from dataclasses import replace

    as_manager.people.update(allocated_case, replace(view.details, nhs_number=NHS), view.version)
    return as_manager


def _lookups(audit_trail: Callable[..., list[AuditRow]]) -> list[AuditRow]:
    return [e for e in audit_trail() if e.action is AuditAction.LOOKUP]


def test_a_caseworker_with_no_cases_cannot_list_every_child(
    lukasz: Services, as_aisha: Services, audit_trail: Callable[..., list[AuditRow]]
) -> None:
    for typed in ["a", "l", "w", "wis", "lukasz", "Łukasz Wiśniewski", "VERU-", "VERU-20"]:
        assert as_aisha.people.search(typed) == [], typed
        assert as_aisha.people.count_matches(typed) == 0, typed
    person = lukasz.people.get(lukasz.people.search("wisniewski")[0].person_id)
    assert as_aisha.people.search(format_uk_date(person.details.date_of_birth)) == []
    assert _lookups(audit_trail) == []


def test_an_exact_match_shows_only_on_record_and_is_audited(
    lukasz: Services, as_aisha: Services, audit_trail: Callable[..., list[AuditRow]]
) -> None:
    person = lukasz.people.get(lukasz.people.search("wisniewski")[0].person_id)
    born = format_uk_date(person.details.date_of_birth)
    for typed in [person.case_ref, person.case_ref.lower(), NHS, "943 476 5919",
                  f"Lukasz Wisniewski {born}", f"wiśniewski łukasz {born}"]:  # fmt: skip
        [hit] = as_aisha.people.search(typed)
        assert hit.on_record_only, typed
        assert (hit.case_ref, hit.worker) == (person.case_ref, "Dariusz Wójcik")
        assert (hit.first_name, hit.last_name, hit.preferred_name) == ("", "", None)
        assert hit.date_of_birth is None and hit.status is None
        assert hit.on_record_text == (
            f"On record: {person.case_ref}, allocated to Dariusz Wójcik — ask them or your manager"
        )
    lookups = _lookups(audit_trail)
    assert len(lookups) == 6
    assert {(e.username, e.person_id) for e in lookups} == {("aisha", person.id)}
    assert "shown on record only, allocated to Dariusz Wójcik" in (lookups[0].summary or "")
    # On record is not a way in: the case itself is still refused.
    with pytest.raises(PermissionDenied):
        as_aisha.people.open_case(person.id)
    # Part-way through typing a reference is not an exact match of another case.
    assert as_aisha.people.search(person.case_ref[:-1]) == []


def test_own_cases_in_full_and_managers_see_everyone_without_a_lookup(
    lukasz: Services,
    as_dariusz: Services,
    as_aisha: Services,
    team: object,
    audit_trail: Callable[..., list[AuditRow]],
) -> None:
    [mine] = as_dariusz.people.search("wis")
    assert (mine.first_name, mine.on_record_only) == ("Łukasz", False)
    assert as_dariusz.people.search("VERU-") == [mine]
    as_aisha.referrals.create(
        _referral(),
        person=PersonDetails(
            first_name="Zoë", last_name="Ó Súilleabháin", date_of_birth=dt.date(2011, 4, 3)
        ),
    )
    assert {h.first_name for h in lukasz.people.search("VERU-")} == {"Łukasz", "Zoë"}
    assert not any(h.on_record_only for h in lukasz.people.search("a"))
    assert _lookups(audit_trail) == []
    # Sam administers the system and sees no case data at all.
    admin = Services(as_aisha.db, team.admin)  # type: ignore[attr-defined]
    for call in (
        lambda: admin.people.search("VERU-"),
        lambda: admin.people.find_duplicates("Zoë", "Ó Súilleabháin", dt.date(2011, 4, 3)),
        lambda: admin.imports.preview(csv_bytes([row()])),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_a_referral_entered_is_own_until_triage_then_belongs_to_its_worker(
    as_manager: Services, as_aisha: Services, as_dariusz: Services
) -> None:
    intake = as_aisha.referrals.create(
        _referral(),
        person=PersonDetails(
            first_name="Zoë", last_name="Ó Súilleabháin", date_of_birth=dt.date(2011, 4, 3)
        ),
    )
    [hit] = as_aisha.people.search("zoe")
    assert (hit.first_name, hit.on_record_only) == ("Zoë", False)
    assert as_aisha.referrals.get(intake.referral_id).narrative is not None
    as_aisha.people.open_case(intake.person_id)
    as_manager.referrals.decide(intake.referral_id, ReferralStatus.ACCEPTED, "Meets threshold")
    assert as_dariusz.actor.user_id is not None
    as_manager.referrals.allocate(intake.referral_id, as_dariusz.actor.user_id)
    assert as_aisha.people.search("zoe") == []
    with pytest.raises(PermissionDenied):
        as_aisha.people.open_case(intake.person_id)
    with pytest.raises(PermissionDenied):
        as_aisha.referrals.get(intake.referral_id)
    [hit] = as_dariusz.people.search("zoe")
    assert not hit.on_record_only


def test_a_further_referral_for_someone_elses_case_does_not_open_it(
    lukasz: Services, as_aisha: Services
) -> None:
    person_id = lukasz.people.search("wisniewski")[0].person_id
    further = as_aisha.referrals.create(_referral(), person_id=person_id)
    # She may read back what she entered while it awaits triage, but not the case itself.
    assert as_aisha.referrals.get(further.referral_id).agency == "Luton Sixth Form College"
    with pytest.raises(PermissionDenied):
        as_aisha.people.open_case(person_id)
    assert as_aisha.people.search("wis") == []


def test_duplicate_checks_and_import_previews_show_others_on_record_only(
    lukasz: Services,
    as_aisha: Services,
    as_dariusz: Services,
    audit_trail: Callable[..., list[AuditRow]],
) -> None:
    person = lukasz.people.get(lukasz.people.search("wisniewski")[0].person_id)
    dob = person.details.date_of_birth
    [hit] = as_aisha.people.find_duplicates("Łukasz", "Wiśniewski", dob)
    assert hit.on_record_only and hit.worker == "Dariusz Wójcik" and hit.first_name == ""
    [hit] = as_aisha.people.find_duplicates("Somebody", "Else", None, NHS)
    assert hit.on_record_only
    [own] = as_dariusz.people.find_duplicates("Łukasz", "Wiśniewski", dob)
    assert (own.first_name, own.on_record_only) == ("Łukasz", False)
    data = csv_bytes(
        [
            row(first_name="Łukasz", last_name="Wiśniewski", date_of_birth=format_uk_date(dob)),
            row(first_name="Ngozi", last_name="Okonkwo-Adeyemi", date_of_birth="12/09/2010"),
        ]
    )
    preview = as_aisha.imports.preview(data)
    known, new = preview.rows
    assert (known.existing_case_ref, known.existing_worker) == (person.case_ref, "Dariusz Wójcik")
    assert new.existing_case_ref is None
    lookups = _lookups(audit_trail)
    assert [e.username for e in lookups] == ["aisha"] * 3
    assert "an import preview" in (lookups[-1].summary or "")
    # Dariusz's own case in his own preview is no look-up of another's.
    as_dariusz.imports.preview(data)
    assert len(_lookups(audit_trail)) == 3


def test_a_referral_awaiting_triage_is_for_managers_and_its_author_and_each_read_is_audited(
    as_manager: Services,
    as_aisha: Services,
    as_dariusz: Services,
    team: object,
    audit_trail: Callable[..., list[AuditRow]],
) -> None:
    intake = as_manager.referrals.create(
        _referral(),
        person=PersonDetails(
            first_name="Tomasz", last_name="Łukasiewicz", date_of_birth=dt.date(2010, 1, 9)
        ),
    )
    admin = Services(as_manager.db, team.admin)  # type: ignore[attr-defined]
    for outsider in (admin, as_aisha, as_dariusz):
        with pytest.raises(PermissionDenied):
            outsider.referrals.get(intake.referral_id)
    assert as_manager.referrals.get(intake.referral_id).narrative
    views = [e for e in audit_trail("referral") if e.action is AuditAction.VIEW]
    assert [(e.username, e.entity_id) for e in views] == [("priya", intake.referral_id)]
    denied = [e for e in audit_trail() if e.action is AuditAction.DENIED]
    assert [e.username for e in denied] == ["admin", "aisha", "dariusz"]
