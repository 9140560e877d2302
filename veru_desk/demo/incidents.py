"""Demo incidents, told from the flags and the network already written: the missing episodes
that came before each county-lines flag (a young person who already has missing-episode
flags before it gets those episodes as incidents; one without gets one a few weeks before),
knife incidents at the places several young people are linked to (with the person of concern
who operates from there as the suspect), and arrests of young people referred for carrying
knives or gang association. So the Incidents tab, the chronology and the case summary show
something on first start.

A pass of its own after the flags and the network, with its own random numbers
(``random.Random(f"{seed}-incidents")``), so the story's other records do not change. Capped,
so a bench database of 100,000 young people gets a few hundred incidents, not a flood.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from veru_desk.db.models import (
    Incident,
    IncidentParty,
    Place,
    PlaceLink,
    Referral,
    ReferralReasonRow,
    SafeguardingFlagRecord,
    YoungPerson,
)
from veru_desk.domain.enums import ReferralReason
from veru_desk.domain.network import IncidentKind, IncidentRole, InfoSource, PlaceLinkType
from veru_desk.domain.safeguarding import FlagKind

_MAX_COUNTY_LINES = 300  # young people whose missing episodes are told as incidents
_MAX_KNIFE = 60
_MAX_ARRESTS = 150
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

_MISSING_WHERE = (
    "Last seen at Luton station",
    "Did not come home from school",
    "Left the children's home after tea",
    "Found in Northampton by police",
    "Found at an address in Bedford",
)
_MISSING_SAY = (
    "Reported missing by their carer overnight; found by police the next day. Had a new "
    "phone and cash they could not explain.",
    "Missing for two nights. Returned on their own; would not say where they had been.",
    "Found by British Transport Police on a train to Northampton with another young person.",
)
_KNIFE_SAY = (
    "A group confronted two boys; one drew a large knife. Nobody was hurt; the knife was not "
    "recovered.",
    "Fight after a dispute over money; a knife was seen. Police attended; one arrest.",
    "Chased through the area by older males, one with a machete. Ran into a shop for help.",
)
_ARREST_SAY = (
    "Arrested for possession of a bladed article in a public place; released under investigation.",
    "Arrested with others after a robbery nearby; no further action.",
    "Stopped and searched; arrested on suspicion of possession with intent to supply.",
)
_ARREST_WHERE = ("Bury Park Road", "Outside The Mall, Luton", "Dunstable Road", "Leagrave station")


class _Incidents:
    def __init__(self, seed: int, anchor: dt.date) -> None:
        self.rng = random.Random(f"{seed}-incidents")
        self.anchor = anchor
        self.incidents: list[dict[str, Any]] = []
        self.parties: list[list[tuple[int | None, int | None, IncidentRole]]] = []

    def at(self, day: dt.date, evening: bool = True) -> dt.datetime:
        """A time on ``day``, never today or later (an incident has happened)."""
        day = min(day, self.anchor - dt.timedelta(days=1))
        hour = self.rng.randint(17, 23) if evening else self.rng.randint(9, 16)
        return dt.datetime.combine(day, dt.time(hour, self.rng.randrange(0, 60, 5)))

    def reference(self, when: dt.datetime) -> str:
        return f"CAD {self.rng.randint(1000, 9999)}/{when.day:02d}{_MONTHS[when.month - 1]}"

    def add(
        self,
        when: dt.datetime,
        kind: IncidentKind,
        source: InfoSource,
        summary: str,
        parties: list[tuple[int | None, int | None, IncidentRole]],
        worker: int | None,
        *,
        place_id: int | None = None,
        location: str | None = None,
        reference: str | None = None,
    ) -> None:
        stamp = dt.datetime.combine(when.date(), dt.time(9, 0)) + dt.timedelta(days=1)
        self.incidents.append(
            {
                "occurred_at": when,
                "kind": kind,
                "place_id": place_id,
                "location": None if place_id is not None else location,
                "summary": summary,
                "source": source,
                "reference": reference,
                "created_at": stamp,
                "created_by_id": worker,
                "updated_at": stamp,
                "updated_by_id": worker,
                "version": 1,
            }
        )
        self.parties.append(parties)


def add_demo_incidents(session: Session, seed: int, anchor: dt.date, after_person_id: int) -> int:
    """Incidents for the young people with ids above ``after_person_id`` (the ones this run
    of the generator wrote); returns how many were added."""
    story = _Incidents(seed, anchor)
    rng = story.rng
    worker_of = dict(
        session.execute(
            select(YoungPerson.id, YoungPerson.current_worker_id).where(
                YoungPerson.id > after_person_id
            )
        ).all()
    )
    if not worker_of:
        return 0

    # Missing episodes before each county-lines flag.
    flags: dict[int, list[tuple[FlagKind, dt.date, dt.date | None]]] = {}
    for person, kind, started, ended in session.execute(
        select(
            SafeguardingFlagRecord.young_person_id,
            SafeguardingFlagRecord.kind,
            SafeguardingFlagRecord.started_on,
            SafeguardingFlagRecord.ended_on,
        )
        .where(
            SafeguardingFlagRecord.young_person_id > after_person_id,
            SafeguardingFlagRecord.kind.in_([FlagKind.COUNTY_LINES, FlagKind.MISSING]),
        )
        .order_by(SafeguardingFlagRecord.young_person_id, SafeguardingFlagRecord.started_on)
    ):
        flags.setdefault(person, []).append((kind, started, ended))
    county_lines = [
        (person, min(s for k, s, _e in found if k is FlagKind.COUNTY_LINES))
        for person, found in flags.items()
        if any(k is FlagKind.COUNTY_LINES for k, _s, _e in found)
    ][:_MAX_COUNTY_LINES]
    for person, lines_from in county_lines:
        before = [s for k, s, _e in flags[person] if k is FlagKind.MISSING and s < lines_from] or [
            lines_from - dt.timedelta(days=rng.randint(10, 40))
        ]
        for day in before:
            story.add(
                story.at(day),
                IncidentKind.MISSING,
                rng.choice((InfoSource.FAMILY, InfoSource.POLICE, InfoSource.SOCIAL_CARE)),
                rng.choice(_MISSING_SAY),
                [(person, None, IncidentRole.HARMED)],
                worker_of.get(person),
                location=rng.choice(_MISSING_WHERE),
            )

    # Knife incidents at the places several young people are linked to.
    places = dict(session.execute(select(Place.id, Place.name)).all())
    at_place: dict[int, list[int]] = {}
    operates: dict[int, int] = {}
    for place, linked, concern, link_type in session.execute(
        select(
            PlaceLink.place_id,
            PlaceLink.young_person_id,
            PlaceLink.person_of_concern_id,
            PlaceLink.link_type,
        ).order_by(PlaceLink.id)
    ):
        if linked is not None and linked in worker_of:
            here = at_place.setdefault(place, [])
            if linked not in here:  # linked twice (two periods, two kinds) is one person there
                here.append(linked)
        elif concern is not None and link_type is PlaceLinkType.OPERATES_FROM:
            operates.setdefault(place, concern)
    shared = [(place, people) for place, people in sorted(at_place.items()) if len(people) >= 2]
    for index in range(min(_MAX_KNIFE, len(shared) * 3)):
        place, people = shared[index % len(shared)]
        involved = rng.sample(people, min(len(people), rng.randint(2, 3)))
        roles = [IncidentRole.HARMED, IncidentRole.WITNESS, IncidentRole.PRESENT]
        parties: list[tuple[int | None, int | None, IncidentRole]] = [
            (person, None, role) for person, role in zip(involved, roles, strict=False)
        ]
        if place in operates:
            parties.append((None, operates[place], IncidentRole.SUSPECTED))
        when = story.at(anchor - dt.timedelta(days=rng.randint(2, 300)))
        story.add(
            when,
            IncidentKind.KNIFE,
            InfoSource.POLICE,
            rng.choice(_KNIFE_SAY),
            parties,
            worker_of.get(involved[0]),
            place_id=place if place in places else None,
            location=None if place in places else "Luton town centre",
            reference=story.reference(when),
        )

    # Arrests of young people referred for knives or gangs.
    referred = sorted(
        {
            person
            for person, reason in session.execute(
                select(Referral.young_person_id, ReferralReasonRow.reason)
                .join(ReferralReasonRow, ReferralReasonRow.referral_id == Referral.id)
                .where(
                    Referral.young_person_id > after_person_id,
                    ReferralReasonRow.reason.in_(
                        [ReferralReason.KNIFE_CARRYING, ReferralReason.GANG_ASSOCIATION]
                    ),
                )
            )
        }
    )
    for person in rng.sample(referred, min(_MAX_ARRESTS, len(referred) // 3)):
        when = story.at(anchor - dt.timedelta(days=rng.randint(2, 400)))
        story.add(
            when,
            IncidentKind.ARREST,
            InfoSource.POLICE,
            rng.choice(_ARREST_SAY),
            [(person, None, IncidentRole.SUSPECTED)],
            worker_of.get(person),
            location=rng.choice(_ARREST_WHERE),
            reference=story.reference(when),
        )

    if not story.incidents:
        return 0
    ids = list(
        session.scalars(
            insert(Incident).returning(Incident.id, sort_by_parameter_order=True), story.incidents
        )
    )
    rows = [
        {
            "incident_id": incident_id,
            "young_person_id": person,
            "person_of_concern_id": concern,
            "role": role,
        }
        for incident_id, parties in zip(ids, story.parties, strict=True)
        for person, concern, role in parties
    ]
    session.execute(insert(IncidentParty), rows)
    return len(ids)
