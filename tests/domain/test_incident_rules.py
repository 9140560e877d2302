"""The rules an incident keeps before it is saved, and which incidents are special category
for the multi-agency profile."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veru_desk.domain.incidents import (
    IncidentInput,
    PartyInput,
    incident_problems,
    incident_sections,
    party_problem,
)
from veru_desk.domain.network import IncidentKind, IncidentRole, InfoSource
from veru_desk.domain.sharing import ShareSection

NOW = dt.datetime(2026, 12, 5, 14, 30)
HARMED = PartyInput(IncidentRole.HARMED, young_person_id=7)


def incident(**changes: object) -> IncidentInput:
    values: dict[str, object] = {
        "occurred_at": NOW - dt.timedelta(days=1),
        "kind": IncidentKind.KNIFE,
        "source": InfoSource.POLICE,
        "summary": "Chased through Wardown Park by two males, one with a knife.",
        "parties": (HARMED,),
        "place_id": None,
        "location": "Wardown Park, by the boathouse",
        "reference": "CAD 4417/04DEC",
    }
    values.update(changes)
    return IncidentInput(**values)  # type: ignore[arg-type]


def test_a_complete_incident_has_no_problems() -> None:
    assert incident_problems(incident(), NOW) == {}
    assert incident_problems(incident(place_id=3, location=None), NOW) == {}
    assert incident_problems(incident(occurred_at=NOW), NOW) == {}  # this very minute


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"occurred_at": None}, "occurred_at", "Enter the date"),
        ({"occurred_at": NOW + dt.timedelta(minutes=1)}, "occurred_at", "cannot be in the future"),
        ({"occurred_at": dt.datetime(1990, 1, 1)}, "occurred_at", "check the year"),
        ({"place_id": 3}, "location", "not both"),
        ({"location": "   "}, "place", "Choose a known place"),
        ({"location": "x" * 201}, "location", "200 characters"),
        ({"summary": " \n "}, "summary", "what happened"),
        ({"summary": "x" * 4001}, "summary", "4000 characters"),
        ({"reference": "x" * 61}, "reference", "60 characters"),
        ({"parties": ()}, "parties", "at least one young person"),
    ],
)
def test_each_problem_names_its_field_and_the_fix(
    changes: dict[str, object], field: str, words: str
) -> None:
    problems = incident_problems(incident(**changes), NOW)
    assert list(problems) == [field]
    assert words in problems[field]


def test_the_people_involved_are_each_one_person_once_with_a_young_person_among_them() -> None:
    concern = PartyInput(IncidentRole.SUSPECTED, person_of_concern_id=2)
    assert party_problem((HARMED, concern)) is None
    assert party_problem((concern,)) == "Add at least one young person on record."
    assert "listed twice" in (
        party_problem((HARMED, PartyInput(IncidentRole.WITNESS, young_person_id=7))) or ""
    )
    assert "listed twice" in (party_problem((HARMED, concern, concern)) or "")
    neither = PartyInput(IncidentRole.PRESENT)
    both = PartyInput(IncidentRole.PRESENT, young_person_id=8, person_of_concern_id=2)
    for wrong in (neither, both):
        assert "a young person or a person of concern" in (party_problem((HARMED, wrong)) or "")


def test_an_arrest_or_a_young_person_suspected_is_offending_data() -> None:
    offending = frozenset({ShareSection.OFFENDING})
    assert incident_sections(IncidentKind.ARREST, IncidentRole.HARMED) == offending
    assert incident_sections(IncidentKind.KNIFE, IncidentRole.SUSPECTED) == offending
    assert incident_sections(IncidentKind.KNIFE, IncidentRole.HARMED) == frozenset()
    assert incident_sections(IncidentKind.MISSING, None) == frozenset()


@given(minutes=st.integers(min_value=1, max_value=60 * 24 * 365 * 5))
def test_any_time_after_now_is_refused_and_any_time_in_the_last_years_is_not(
    minutes: int,
) -> None:
    later = incident(occurred_at=NOW + dt.timedelta(minutes=minutes))
    earlier = incident(occurred_at=NOW - dt.timedelta(minutes=minutes))
    assert "occurred_at" in incident_problems(later, NOW)
    assert incident_problems(earlier, NOW) == {}
