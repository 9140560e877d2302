"""What an incident must say before it is saved, and what of it may leave the unit.

An incident (a knife incident, a missing episode, an arrest) is recorded once and belongs to
every case it touches: each young person involved sees it in their own chronology, with their
own role. So the rules here are about the incident as a whole: when (never in the future: an
incident records what happened), where (a known place or a typed location, not both), who
(at least one young person on record, each person once) and on whose information.

Pure rules: no Qt, no SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from veru_desk.domain.network import IncidentKind, IncidentRole, InfoSource
from veru_desk.domain.sharing import ShareSection

SUMMARY_LIMIT = 4000
LOCATION_LIMIT = 200
REFERENCE_LIMIT = 60
#: Older than this is almost certainly a mistyped year (a case runs for months, not decades).
OLDEST_YEARS = 30


@dataclass(frozen=True)
class PartyInput:
    """One person involved: a young person on record or a person of concern (exactly one)."""

    role: IncidentRole
    young_person_id: int | None = None
    person_of_concern_id: int | None = None


@dataclass(frozen=True)
class IncidentInput:
    """An incident as typed in the incident form."""

    occurred_at: dt.datetime | None
    kind: IncidentKind
    source: InfoSource
    summary: str
    parties: tuple[PartyInput, ...]
    place_id: int | None = None
    location: str | None = None
    reference: str | None = None


#: Incident kinds that are special category or criminal offence data in themselves: the
#: multi-agency profile withholds them unless the sharing decision shares their section.
KIND_SECTIONS: dict[IncidentKind, ShareSection] = {IncidentKind.ARREST: ShareSection.OFFENDING}
#: A young person suspected of an offence: an allegation is criminal offence data (UK GDPR
#: Art. 10) whatever the kind of incident.
ROLE_SECTIONS: dict[IncidentRole, ShareSection] = {IncidentRole.SUSPECTED: ShareSection.OFFENDING}


def incident_sections(kind: IncidentKind, role: IncidentRole | None) -> frozenset[ShareSection]:
    """The special-category sections an incident touches, read from one young person's
    side: the multi-agency profile withholds it unless its sharing decision shares them."""
    found = {KIND_SECTIONS[kind]} if kind in KIND_SECTIONS else set()
    if role in ROLE_SECTIONS:
        found.add(ROLE_SECTIONS[role])
    return frozenset(found)


def incident_problems(data: IncidentInput, now: dt.datetime) -> dict[str, str]:
    """``{field: message}`` for an incident that may not be saved (empty: it may be)."""
    problems: dict[str, str] = {}
    if data.occurred_at is None:
        problems["occurred_at"] = "Enter the date (dd/mm/yyyy) and time it happened."
    elif data.occurred_at > now:
        problems["occurred_at"] = (
            "An incident cannot be in the future: enter when it happened "
            "(record a planned event as a session or a task)."
        )
    elif data.occurred_at.year < now.year - OLDEST_YEARS:
        problems["occurred_at"] = "That is more than 30 years ago: check the year."
    location = " ".join((data.location or "").split())
    if data.place_id is not None and location:
        problems["location"] = "Choose a known place or type where it happened, not both."
    elif data.place_id is None and not location:
        problems["place"] = (
            "Choose a known place, add a new one, or type where it happened "
            "(e.g. 'outside Luton station')."
        )
    elif len(location) > LOCATION_LIMIT:
        problems["location"] = f"Keep where it happened to {LOCATION_LIMIT} characters."
    summary = data.summary.strip()
    if not summary:
        problems["summary"] = "Say briefly what happened, as the source told it."
    elif len(summary) > SUMMARY_LIMIT:
        problems["summary"] = f"Keep the summary to {SUMMARY_LIMIT} characters."
    if len((data.reference or "").strip()) > REFERENCE_LIMIT:
        problems["reference"] = f"Keep the reference to {REFERENCE_LIMIT} characters."
    party = party_problem(data.parties)
    if party:
        problems["parties"] = party
    return problems


def party_problem(parties: tuple[PartyInput, ...]) -> str | None:
    """Why the people involved may not be saved: none on record, one named twice, or a row
    that is neither (or both) a young person and a person of concern."""
    seen: set[tuple[str, int]] = set()
    for party in parties:
        if (party.young_person_id is None) == (party.person_of_concern_id is None):
            return "Each person involved is a young person or a person of concern."
        key = (
            ("young_person", party.young_person_id)
            if party.young_person_id is not None
            else ("concern", party.person_of_concern_id or 0)
        )
        if key in seen:
            return "A person is listed twice: give each person one role."
        seen.add(key)
    if not any(p.young_person_id is not None for p in parties):
        return "Add at least one young person on record."
    return None
