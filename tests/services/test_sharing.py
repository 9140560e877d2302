"""The sharing decision a multi-agency summary needs: checked against the referral's consent,
approved by a manager where consent was refused, refusals audited, stored with its export."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.sharing_helpers import AGENCIES, MEETING, decide, draft, meeting_day
from veru_desk.db.engine import Database
from veru_desk.db.models import AuditEvent, DocumentExport, Referral, SharingDecision
from veru_desk.domain.enums import AuditAction, ConsentStatus
from veru_desk.domain.errors import ConflictError, PermissionDenied, ValidationError
from veru_desk.domain.sharing import (
    WITHHELD_BY_DEFAULT,
    LawfulBasis,
    ShareSection,
    sections_in,
    withheld_marker,
)
from veru_desk.services import Services
from veru_desk.services.summary import SharingProfile


def set_consent(
    db: Database, person_id: int, young_person: ConsentStatus, parent: ConsentStatus
) -> None:
    with db.write() as session:
        referral = session.scalars(
            select(Referral).where(Referral.young_person_id == person_id)
        ).one()
        referral.consent_young_person = young_person
        referral.consent_parent = parent


def export(services: Services, person_id: int, decision_id: int | None = None) -> int:
    return services.summary.record_export(
        person_id, SharingProfile.MULTI_AGENCY, None, "panel.pdf", 5, decision_id=decision_id
    ).id


def audit(db: Database, action: AuditAction) -> list[AuditEvent]:
    with db.read() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )


def test_special_category_sections_are_all_withheld_unless_chosen() -> None:
    assert ShareSection.HEALTH in WITHHELD_BY_DEFAULT
    assert {
        ShareSection.SEXUAL_HEALTH,
        ShareSection.MENTAL_HEALTH,
        ShareSection.SUBSTANCE_USE,
        ShareSection.OFFENDING,
    } <= WITHHELD_BY_DEFAULT
    assert sections_in("Attended A&E with a stab wound to the leg") == {ShareSection.HEALTH}
    assert sections_in("On the CAMHS waiting list after self-harm") == {ShareSection.MENTAL_HEALTH}
    assert ShareSection.SUBSTANCE_USE in sections_in("Regular cannabis use")
    assert ShareSection.SEXUAL_HEALTH in sections_in("sexual health")
    assert ShareSection.OFFENDING in sections_in("Arrested after an assault")
    assert ShareSection.CHILD_PROTECTION in sections_in("Subject to a child protection plan")
    assert sections_in("Weekly football with a mentor") == frozenset()
    assert (
        withheld_marker({ShareSection.HEALTH}, dt.date(2026, 12, 5))
        == "Health details withheld under the sharing decision of 05/12/2026"
    )


def test_consent_given_on_the_referral_is_a_basis_and_the_decision_reads_back(
    db: Database, as_dariusz: Services, allocated_case: int
) -> None:
    view = as_dariusz.sharing.record(
        allocated_case, draft(shared=frozenset({ShareSection.OFFENDING}))
    )
    assert view.basis is LawfulBasis.CONSENT and view.ready and not view.needs_approval
    assert view.agencies == AGENCIES and view.meeting == MEETING
    assert view.meeting_on == view.destroy_after == meeting_day()
    assert view.shared == {ShareSection.OFFENDING}
    assert ShareSection.HEALTH in view.withheld and ShareSection.OFFENDING not in view.withheld
    assert view.decided_by == "Dariusz Wójcik"
    assert "Ayşe Yılmaz" in (view.consent_given_by or "")
    [event] = [e for e in audit(db, AuditAction.CREATE) if e.entity_type == "sharing_decision"]
    assert "Consent" in (event.summary or "") and "Bedfordshire Police" in (event.summary or "")


@pytest.mark.parametrize("status", [ConsentStatus.REFUSED, ConsentStatus.NOT_ASKED])
def test_consent_cannot_be_the_basis_when_the_referral_does_not_record_it(
    db: Database, as_dariusz: Services, allocated_case: int, status: ConsentStatus
) -> None:
    set_consent(db, allocated_case, status, ConsentStatus.GIVEN)
    with pytest.raises(ValidationError) as refused:
        as_dariusz.sharing.record(allocated_case, draft())
    assert "exemption" in refused.value.fields["basis"]
    with pytest.raises(ValidationError) as no_reason:
        as_dariusz.sharing.record(allocated_case, draft(LawfulBasis.CHILDREN_ACT_1989, reason=""))
    assert "reason" in no_reason.value.fields
    with db.read() as session:
        assert session.scalars(select(SharingDecision)).all() == []


def test_an_exemption_with_a_reason_is_recorded_without_approval_where_consent_was_not_asked(
    db: Database, as_dariusz: Services, allocated_case: int
) -> None:
    set_consent(db, allocated_case, ConsentStatus.NOT_ASKED, ConsentStatus.NOT_ASKED)
    view = as_dariusz.sharing.record(allocated_case, draft(LawfulBasis.CRIME_AND_DISORDER_S115))
    assert view.ready and not view.needs_approval
    assert view.basis_text.startswith("Crime and Disorder Act 1998, s115: Knife carrying")


def test_where_consent_was_refused_a_caseworkers_export_waits_for_a_manager(
    db: Database, as_dariusz: Services, as_manager: Services, allocated_case: int
) -> None:
    set_consent(db, allocated_case, ConsentStatus.GIVEN, ConsentStatus.REFUSED)
    view = as_dariusz.sharing.record(allocated_case, draft(LawfulBasis.CHILDREN_ACT_1989))
    assert view.needs_approval and not view.ready
    assert view.approval_text.startswith("Awaiting a manager's approval")

    with pytest.raises(PermissionDenied, match="A manager must approve"):
        export(as_dariusz, allocated_case)
    with db.read() as session:
        assert session.scalars(select(DocumentExport)).all() == []
    [denied] = audit(db, AuditAction.DENIED)
    assert denied.young_person_id == allocated_case and denied.username == "dariusz"
    assert "without a manager's approval" in (denied.summary or "")

    with pytest.raises(PermissionDenied):
        as_dariusz.sharing.approve(view.id)  # a caseworker cannot approve their own
    assert len(audit(db, AuditAction.DENIED)) == 2

    approved = as_manager.sharing.approve(view.id)
    assert approved.ready and approved.approved_by == "Priya Raghunathan"
    assert approved.approved_on == dt.date.today()
    export_id = export(as_dariusz, allocated_case)
    stored = as_dariusz.sharing.for_export(export_id)
    assert stored is not None and stored.id == view.id
    assert stored.approval_text == (f"Approved by Priya Raghunathan on {dt.date.today():%d/%m/%Y}")
    event = audit(db, AuditAction.EXPORT)[-1]
    assert "Safeguarding under the Children Act 1989" in (event.summary or "")
    assert "Do not forward. Destroy after the meeting of" in (event.summary or "")
    assert "withheld: health" in (event.summary or "")


def test_a_managers_own_decision_against_refused_consent_is_approved_by_them(
    db: Database, as_manager: Services, allocated_case: int
) -> None:
    set_consent(db, allocated_case, ConsentStatus.REFUSED, ConsentStatus.REFUSED)
    view = as_manager.sharing.record(allocated_case, draft(LawfulBasis.CRIME_AND_DISORDER_S115))
    assert view.ready and view.approved_by == "Priya Raghunathan"
    assert export(as_manager, allocated_case) > 0


def test_no_multi_agency_export_without_a_decision_and_none_used_twice(
    db: Database, as_dariusz: Services, allocated_case: int
) -> None:
    with pytest.raises(ValidationError, match="Record a sharing decision first"):
        export(as_dariusz, allocated_case)
    decision = decide(as_dariusz, allocated_case)
    export(as_dariusz, allocated_case, decision)
    with pytest.raises(ConflictError, match="earlier export"):
        export(as_dariusz, allocated_case, decision)
    with pytest.raises(ValidationError, match="Record a sharing decision first"):
        export(as_dariusz, allocated_case)
    assert as_dariusz.sharing.pending(allocated_case) == []
    with db.read() as session:
        assert len(session.scalars(select(DocumentExport)).all()) == 1


def test_the_full_internal_summary_needs_no_decision(
    as_dariusz: Services, allocated_case: int
) -> None:
    record = as_dariusz.summary.record_export(
        allocated_case, SharingProfile.FULL, None, "internal.pdf", 3
    )
    assert as_dariusz.sharing.for_export(record.id) is None


def test_a_meeting_and_its_agencies_are_required(as_dariusz: Services, allocated_case: int) -> None:
    bad = draft()
    with pytest.raises(ValidationError) as error:
        as_dariusz.sharing.record(
            allocated_case,
            type(bad)(
                basis=bad.basis,
                meeting=" ",
                meeting_on=None,
                agencies=(),
                consent_given_by=bad.consent_given_by,
            ),
        )
    assert set(error.value.fields) >= {"meeting", "meeting_on", "agencies"}


def test_a_caseworker_without_the_case_cannot_record_a_decision(
    db: Database, as_aisha: Services, allocated_case: int
) -> None:
    with pytest.raises(PermissionDenied):
        as_aisha.sharing.record(allocated_case, draft())
    assert audit(db, AuditAction.DENIED)[-1].young_person_id == allocated_case
