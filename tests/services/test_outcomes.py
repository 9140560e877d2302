from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from tests.dates import FromToday, resolved, today
from veru_desk.domain.enums import AuditAction, EducationStatus, OutcomePoint, RiskLevel
from veru_desk.domain.errors import ConflictError, PermissionDenied, ValidationError
from veru_desk.services import Services
from veru_desk.services.outcomes import OutcomeInput

Trail = Callable[..., list[Any]]

START = OutcomeInput(
    recorded_on=today() - dt.timedelta(days=5),
    point=OutcomePoint.START,
    risk_level=RiskLevel.HIGH,
    education_status=EducationStatus.EXCLUDED,
    arrests=1,
    charges=0,
    wellbeing=3,
    goals_achieved=0,
)


def test_outcomes_come_back_oldest_first_with_named_measures(
    as_dariusz: Services, as_manager: Services, allocated_case: int
) -> None:
    club = as_manager.outcomes.add_measure("Attending youth club", "Weekly attendance")
    trust = as_manager.outcomes.add_measure("Trusted adult in his life")
    as_dariusz.outcomes.record(
        allocated_case,
        replace(
            START,
            recorded_on=today(),
            point=OutcomePoint.REVIEW,
            wellbeing=6,
            measures={club: 7, trust: 10},
        ),
    )
    as_dariusz.outcomes.record(allocated_case, replace(START, measures={club: 2}))
    start, review = as_dariusz.outcomes.for_person(allocated_case)
    assert (start.point, start.wellbeing, start.arrests) == (OutcomePoint.START, 3, 1)
    assert start.education_status is EducationStatus.EXCLUDED
    assert start.measures == {"Attending youth club": 2}
    assert review.point is OutcomePoint.REVIEW
    assert review.measures == {"Attending youth club": 7, "Trusted adult in his life": 10}


def test_blank_measures_are_stored_as_unknown(as_dariusz: Services, allocated_case: int) -> None:
    as_dariusz.outcomes.record(allocated_case, OutcomeInput(today(), OutcomePoint.REVIEW))
    [view] = as_dariusz.outcomes.for_person(allocated_case)
    assert (view.wellbeing, view.arrests, view.risk_level, view.measures) == (None, None, None, {})


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"wellbeing": 11}, ["wellbeing"]),
        ({"wellbeing": -1}, ["wellbeing"]),
        ({"arrests": -1, "charges": -2}, ["arrests", "charges"]),
        ({"goals_achieved": -1}, ["goals_achieved"]),
        ({"recorded_on": FromToday(days=1)}, ["recorded_on"]),
        ({"recorded_on": dt.date(1999, 5, 1)}, ["recorded_on"]),
        ({"point": "midway"}, ["point"]),
        ({"wellbeing": True}, ["wellbeing"]),
    ],
)
def test_invalid_outcome_names_each_field(
    as_dariusz: Services,
    allocated_case: int,
    audit_trail: Trail,
    overrides: dict[str, Any],
    fields: list[str],
) -> None:
    with pytest.raises(ValidationError) as caught:
        as_dariusz.outcomes.record(allocated_case, replace(START, **resolved(overrides)))
    assert sorted(caught.value.fields) == fields
    assert audit_trail("outcome") == []


def test_wellbeing_bounds_are_accepted(as_dariusz: Services, allocated_case: int) -> None:
    as_dariusz.outcomes.record(allocated_case, replace(START, wellbeing=0))
    as_dariusz.outcomes.record(allocated_case, replace(START, wellbeing=10))
    assert [o.wellbeing for o in as_dariusz.outcomes.for_person(allocated_case)] == [0, 10]


def test_unknown_or_out_of_range_measure_is_refused(
    as_dariusz: Services, as_manager: Services, allocated_case: int
) -> None:
    club = as_manager.outcomes.add_measure("Attending youth club")
    with pytest.raises(ValidationError) as caught:
        as_dariusz.outcomes.record(allocated_case, replace(START, measures={club: 11, 999: 3}))
    message = caught.value.fields["measures"]
    assert "Attending youth club must be a whole number from 0 to 10" in message
    assert "measure 999 is not one of the unit's measures" in message


def test_outcome_is_audited_and_linked_to_the_current_episode(
    as_dariusz: Services, allocated_case: int, audit_trail: Trail
) -> None:
    outcome_id = as_dariusz.outcomes.record(
        allocated_case, replace(START, point=OutcomePoint.REVIEW)
    )
    [event] = audit_trail("outcome")
    assert (event.action, event.entity_id, event.person_id) == (
        AuditAction.CREATE,
        outcome_id,
        allocated_case,
    )
    assert event.summary.startswith("Outcome recorded (review)")


def test_update_corrects_values_and_measures_and_audits_the_difference(
    as_dariusz: Services, as_manager: Services, allocated_case: int, audit_trail: Trail
) -> None:
    club = as_manager.outcomes.add_measure("Attending youth club")
    trust = as_manager.outcomes.add_measure("Trusted adult")
    outcome_id = as_dariusz.outcomes.record(allocated_case, replace(START, measures={club: 2}))
    [view] = as_dariusz.outcomes.for_person(allocated_case)
    as_dariusz.outcomes.update(
        outcome_id, replace(START, wellbeing=4, measures={trust: 5}), view.version
    )
    [updated] = as_dariusz.outcomes.for_person(allocated_case)
    assert updated.wellbeing == 4
    assert updated.measures == {"Trusted adult": 5}
    assert updated.version == view.version + 1
    changes = json.loads(audit_trail("outcome")[-1].changes)
    assert changes == {
        "wellbeing": [3, 4],
        "measures": [{"Attending youth club": 2}, {"Trusted adult": 5}],
    }


def test_changing_only_a_measure_still_bumps_the_version(
    as_dariusz: Services, as_manager: Services, allocated_case: int
) -> None:
    club = as_manager.outcomes.add_measure("Attending youth club")
    outcome_id = as_dariusz.outcomes.record(allocated_case, replace(START, measures={club: 2}))
    as_dariusz.outcomes.update(outcome_id, replace(START, measures={club: 6}), 1)
    with pytest.raises(ConflictError):
        as_manager.outcomes.update(outcome_id, replace(START, measures={club: 9}), 1)
    assert as_dariusz.outcomes.for_person(allocated_case)[0].measures == {"Attending youth club": 6}


def test_stale_outcome_update_is_refused_with_conflict(
    as_dariusz: Services, as_manager: Services, allocated_case: int
) -> None:
    outcome_id = as_dariusz.outcomes.record(allocated_case, START)
    as_manager.outcomes.update(outcome_id, replace(START, notes="Checked with school"), 1)
    with pytest.raises(ConflictError):
        as_dariusz.outcomes.update(outcome_id, replace(START, wellbeing=8), 1)
    assert as_dariusz.outcomes.for_person(allocated_case)[0].wellbeing == 3


def test_unallocated_caseworker_cannot_record_or_read_outcomes(
    as_dariusz: Services, as_aisha: Services, allocated_case: int
) -> None:
    outcome_id = as_dariusz.outcomes.record(allocated_case, START)
    with pytest.raises(PermissionDenied):
        as_aisha.outcomes.record(allocated_case, START)
    with pytest.raises(PermissionDenied):
        as_aisha.outcomes.for_person(allocated_case)
    with pytest.raises(PermissionDenied):
        as_aisha.outcomes.update(outcome_id, START, 1)


def test_only_a_manager_adds_measures_and_names_are_unique(
    as_dariusz: Services, as_manager: Services, audit_trail: Trail
) -> None:
    with pytest.raises(PermissionDenied):
        as_dariusz.outcomes.add_measure("Attending youth club")
    measure_id = as_manager.outcomes.add_measure("  Attending   youth club ")
    with pytest.raises(ValidationError) as caught:
        as_manager.outcomes.add_measure("attending youth club")
    assert "already" in caught.value.fields["name"]
    with pytest.raises(ValidationError) as caught:
        as_manager.outcomes.add_measure("  ")
    assert list(caught.value.fields) == ["name"]
    assert as_dariusz.outcomes.measures() == [(measure_id, "Attending youth club")]
    [event] = audit_trail("outcome_measure")
    assert event.summary == "Outcome measure added: Attending youth club"


def test_measures_are_listed_by_name(as_manager: Services) -> None:
    as_manager.outcomes.add_measure("School attendance")
    as_manager.outcomes.add_measure("Anger management")
    assert [name for _, name in as_manager.outcomes.measures()] == [
        "Anger management",
        "School attendance",
    ]
