"""Demo networks: a few persons of concern each linked to several young people across
caseloads (the older lad who recruits, the man three boys owe), the places where it happens
(a park, a station, a chicken shop, an estate), and links between young people (siblings,
co-offenders, friends), so the network tab, its diagram and the People and places page show
something on first start.

Young people referred for exploitation, county lines or gang association are the likeliest to
be linked; a few links began in the last 90 days and a few have ended, so the ranked list has
a change to show. A pass of its own after the people are written, with its own random numbers
(``random.Random(f"{seed}-network")``), so the story's other records do not change.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from veru_desk.db.models import (
    ConcernLink,
    PersonLink,
    PersonOfConcern,
    Place,
    PlaceLink,
    Referral,
    ReferralReasonRow,
    YoungPerson,
)
from veru_desk.domain.enums import ReferralReason
from veru_desk.domain.network import (
    Certainty,
    ConcernLinkType,
    InfoSource,
    PersonLinkType,
    PlaceKind,
    PlaceLinkType,
)

#: (name, street name, approximate age, description, how many young people it reaches).
#: Invented people.
CONCERNS = (
    ("Dean Walsh", "D-Money", 24, "Drives a grey Audi A3; seen outside schools at home time.", 8),
    (None, "Skeng", 19, "Carries a blade openly; runs phones for an older group.", 6),
    ("Tyrone Baptiste", "Little T", 17, "Recruits younger boys with trainers and food.", 5),
    ("Kamil Nowakowski", "Polski", 31, "Lets flats used for cuckooing on the estate.", 4),
    ("Shanice Okafor", None, 22, "Older girlfriend of a county-line runner; holds cash.", 3),
)
#: (name, kind, postcode, description).
PLACES = (
    ("Wardown Park", PlaceKind.PARK, "LU2 7HA", "By the skate park and the boathouse."),
    ("Luton station", PlaceKind.STATION, "LU1 2PR", "Trains to Northampton and London."),
    ("Chicken Cottage, Dunstable Road", PlaceKind.TAKEAWAY, "LU4 8JT", None),
    ("Marsh Farm estate", PlaceKind.ESTATE, "LU3 3QD", "Stairwells of the tower blocks."),
    ("The Mall, Luton", PlaceKind.SHOP, "LU1 2TA", None),
    ("Lock-up garages off Leagrave High Street", PlaceKind.ADDRESS, None, "Behind the parade."),
)
#: Which places each person of concern operates from (indexes into PLACES).
_CONCERN_PLACES = ((0, 2), (3,), (0, 4), (3, 5), (1,))

_EXPLOITED = {
    ReferralReason.CRIMINAL_EXPLOITATION,
    ReferralReason.COUNTY_LINES,
    ReferralReason.GANG_ASSOCIATION,
    ReferralReason.SEXUAL_EXPLOITATION,
}
_CONCERN_TYPES = (
    (ConcernLinkType.EXPLOITED_BY, 4),
    (ConcernLinkType.OWES_DEBT_TO, 2),
    (ConcernLinkType.ASSOCIATE, 2),
    (ConcernLinkType.SEEN_WITH, 3),
)
_PLACE_TYPES = (
    (PlaceLinkType.FREQUENTS, 4),
    (PlaceLinkType.SEEN_AT, 3),
    (PlaceLinkType.EXPLOITED_AT, 2),
    (PlaceLinkType.HARMED_AT, 1),
)
_SOURCES = (
    (InfoSource.POLICE, 5),
    (InfoSource.SELF_REPORT, 2),
    (InfoSource.SCHOOL, 2),
    (InfoSource.SOCIAL_CARE, 1),
    (InfoSource.FAMILY, 1),
    (InfoSource.UNIT, 1),
)
_CERTAINTIES = ((Certainty.CONFIRMED, 3), (Certainty.LIKELY, 4), (Certainty.POSSIBLE, 3))
_PERSON_TYPES = (
    (PersonLinkType.SIBLING, 3),
    (PersonLinkType.CO_OFFENDER, 3),
    (PersonLinkType.FRIEND, 2),
    (PersonLinkType.ASSOCIATE, 2),
    (PersonLinkType.HARMED_BY, 1),
)
#: Links between young people: one pair for every this many young people, at most _MAX_PAIRS.
_PEOPLE_PER_PAIR = 12
_MAX_PAIRS = 400


class _Network:
    def __init__(self, seed: int, anchor: dt.date) -> None:
        self.rng = random.Random(f"{seed}-network")
        self.anchor = anchor

    def pick(self, weighted: tuple[tuple[Any, int], ...]) -> Any:
        values = [v for v, _w in weighted]
        return self.rng.choices(values, weights=[w for _v, w in weighted])[0]

    def facts(self, earliest: dt.date, worker: int | None) -> dict[str, Any]:
        """When a link began (between ``earliest`` and yesterday; a quarter in the last 90
        days), whether it has ended, on whose information and how sure."""
        yesterday = self.anchor - dt.timedelta(days=1)
        earliest = min(earliest, yesterday)
        if self.rng.random() < 0.25:
            earliest = max(earliest, self.anchor - dt.timedelta(days=90))
        span = (yesterday - earliest).days
        since = earliest + dt.timedelta(days=self.rng.randint(0, max(span, 0)))
        until = None
        if self.rng.random() < 0.15 and since < yesterday:
            until = since + dt.timedelta(days=self.rng.randint(1, (yesterday - since).days))
        at = dt.datetime.combine(since, dt.time(11, self.rng.randrange(60)))
        return {
            "since_on": since,
            "until_on": until,
            "source": self.pick(_SOURCES),
            "certainty": self.pick(_CERTAINTIES),
            "note": None,
            "created_at": at,
            "created_by_id": worker,
            "updated_at": at,
            "updated_by_id": worker,
            "version": 1,
        }


def add_demo_network(session: Session, seed: int, anchor: dt.date, after_person_id: int) -> int:
    """Persons of concern, places and links for the young people with ids above
    ``after_person_id`` (the ones this run of the generator wrote); returns how many links
    were added."""
    net = _Network(seed, anchor)
    rng = net.rng
    people = session.execute(
        select(YoungPerson.id, YoungPerson.current_worker_id, YoungPerson.last_name)
        .where(YoungPerson.id > after_person_id, YoungPerson.current_worker_id.is_not(None))
        .order_by(YoungPerson.id)
    ).all()
    if len(people) < 2:
        return 0
    received: dict[int, dt.date] = {}
    exploited: set[int] = set()
    for person, on, reason in session.execute(
        select(Referral.young_person_id, Referral.received_on, ReferralReasonRow.reason)
        .join(ReferralReasonRow, ReferralReasonRow.referral_id == Referral.id)
        .where(Referral.young_person_id > after_person_id)
        .order_by(Referral.young_person_id, Referral.received_on, Referral.id)
    ):
        received.setdefault(person, on)
        if reason in _EXPLOITED:
            exploited.add(person)
    worker_of = {p.id: p.current_worker_id for p in people}
    pool = [p.id for p in people if p.id in exploited] or [p.id for p in people]
    # A few thousand at most: the links reach some of a large unit's young people, not all.
    pool = pool[:3000]

    known = dt.datetime.combine(anchor - dt.timedelta(days=400), dt.time(9, 30))
    stamps = {"created_at": known, "updated_at": known}
    place_ids = []
    for name, kind, postcode, description in PLACES:
        place = Place(name=name, kind=kind, postcode=postcode, description=description, **stamps)
        session.add(place)
        place_ids.append(place)
    concern_rows = []
    for known_as, street, age, description, _reach in CONCERNS:
        concern = PersonOfConcern(
            name=known_as,
            street_name=street,
            approximate_age=age,
            description=description,
            **stamps,
        )
        session.add(concern)
        concern_rows.append(concern)
    session.flush()

    def earliest(person: int) -> dt.date:
        return received.get(person, anchor) - dt.timedelta(days=120)

    concern_links: list[dict[str, Any]] = []
    place_links: list[dict[str, Any]] = []
    for concern, (*_facts, reach), places in zip(
        concern_rows, CONCERNS, _CONCERN_PLACES, strict=True
    ):
        for index in places:
            place_links.append(
                {
                    "place_id": place_ids[index].id,
                    "young_person_id": None,
                    "person_of_concern_id": concern.id,
                    "link_type": PlaceLinkType.OPERATES_FROM,
                    **net.facts(anchor - dt.timedelta(days=700), None),
                }
            )
        for person in rng.sample(pool, min(reach, len(pool))):
            worker = worker_of[person]
            concern_links.append(
                {
                    "young_person_id": person,
                    "person_of_concern_id": concern.id,
                    "link_type": net.pick(_CONCERN_TYPES),
                    **net.facts(earliest(person), worker),
                }
            )
            # Where they were seen with them: one of the person of concern's own places.
            if rng.random() < 0.6:
                place_links.append(
                    {
                        "place_id": place_ids[rng.choice(places)].id,
                        "young_person_id": person,
                        "person_of_concern_id": None,
                        "link_type": net.pick(_PLACE_TYPES),
                        **net.facts(earliest(person), worker),
                    }
                )
    for person in rng.sample(pool, min(len(pool), max(3, len(pool) // 4))):
        place_links.append(
            {
                "place_id": rng.choice(place_ids).id,
                "young_person_id": person,
                "person_of_concern_id": None,
                "link_type": net.pick(_PLACE_TYPES),
                **net.facts(earliest(person), worker_of[person]),
            }
        )
    person_links: list[dict[str, Any]] = []
    everyone = [p.id for p in people][:6000]
    pairs = min(_MAX_PAIRS, max(2, len(everyone) // _PEOPLE_PER_PAIR))
    seen: set[tuple[int, int]] = set()
    for _ in range(pairs):
        first, second = rng.sample(everyone, 2)
        key = (min(first, second), max(first, second))
        if key in seen:
            continue
        seen.add(key)
        person_links.append(
            {
                "young_person_id": first,
                "other_person_id": second,
                "link_type": net.pick(_PERSON_TYPES),
                **net.facts(max(earliest(first), earliest(second)), worker_of[first]),
            }
        )
    for model, rows in (
        (ConcernLink, concern_links),
        (PlaceLink, place_links),
        (PersonLink, person_links),
    ):
        if rows:
            session.execute(insert(model), rows)
    return len(concern_links) + len(place_links) + len(person_links)
