"""The caseworker's analysis the panel reads first: stored, versioned, audited, signed off by a
manager, and the sign-off undone by any later change."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from veru_desk.db.engine import Database
from veru_desk.db.models import AuditEvent
from veru_desk.domain.enums import AuditAction
from veru_desk.domain.errors import ConflictError, PermissionDenied
from veru_desk.services import Services
from veru_desk.services.case_analysis import AnalysisInput

VIEW = "Łukasz says the boxing club is the best part of his week"


def test_the_analysis_is_stored_versioned_and_audited(
    db: Database, as_dariusz: Services, allocated_case: int
) -> None:
    assert as_dariusz.analysis.get(allocated_case).is_empty
    first = as_dariusz.analysis.save(
        allocated_case, AnalysisInput(young_person_view=VIEW, worries="Late nights"), 0
    )
    assert first.values.young_person_view == VIEW and first.version == 1
    assert first.updated_by == "Dariusz Wójcik"
    second = as_dariusz.analysis.save(
        allocated_case,
        AnalysisInput(young_person_view=VIEW, worries="Late nights in Bury Park"),
        first.version,
    )
    assert second.version == 2
    with pytest.raises(ConflictError):  # saved over a stale read
        as_dariusz.analysis.save(allocated_case, AnalysisInput(worries="Stale"), first.version)
    assert as_dariusz.analysis.get(allocated_case).values.worries == "Late nights in Bury Park"
    with db.read() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "case_analysis")
        ).all()
    assert [e.action for e in events] == [AuditAction.CREATE, AuditAction.UPDATE]
    assert "Late nights in Bury Park" in (events[1].changes or "")


def test_a_manager_signs_off_and_a_later_change_clears_it(
    as_dariusz: Services, as_manager: Services, allocated_case: int
) -> None:
    saved = as_dariusz.analysis.save(allocated_case, AnalysisInput(recommendation="Continue"), 0)
    with pytest.raises(PermissionDenied):
        as_dariusz.analysis.sign_off(allocated_case, saved.version)
    signed = as_manager.analysis.sign_off(allocated_case, saved.version)
    assert signed.signed_off_by == "Priya Raghunathan" and signed.signed_off_on is not None
    assert signed.updated_by == "Dariusz Wójcik"  # still the caseworker's words
    changed = as_dariusz.analysis.save(
        allocated_case, AnalysisInput(recommendation="Close in four weeks"), signed.version
    )
    assert changed.signed_off_by is None and changed.signed_off_on is None


def test_the_sign_off_setting_is_off_until_a_manager_turns_it_on(
    as_dariusz: Services, as_manager: Services
) -> None:
    assert as_manager.settings.summary_sign_off_required() is False
    with pytest.raises(PermissionDenied):
        as_dariusz.settings.set_summary_sign_off_required(True)
    as_manager.settings.set_summary_sign_off_required(True)
    assert as_dariusz.settings.summary_sign_off_required() is True


def test_a_caseworker_without_the_case_cannot_read_or_write_its_analysis(
    as_aisha: Services, allocated_case: int
) -> None:
    with pytest.raises(PermissionDenied):
        as_aisha.analysis.get(allocated_case)
    with pytest.raises(PermissionDenied):
        as_aisha.analysis.save(allocated_case, AnalysisInput(worries="x"), 0)
