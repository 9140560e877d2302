"""Who and where around a young person: the words for links between young people, persons of
concern (adults who are not clients), places and incidents, and the picture a network diagram
draws.

A link is recorded once and read from both ends: "Kai was harmed by Dean" is, from Dean's
side, "harmed Kai". Each link type therefore has a label read from the subject's side and one
read from the other side (the same for symmetric links such as siblings).

Every link carries where the information came from and how sure the unit is, because a
multi-agency meeting weighs "police intelligence, unconfirmed" differently from "the young
person told us".

Pure rules and data: no Qt, no SQL.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from enum import nonmember

from veru_desk.domain.enums import LabelledEnum


class PersonLinkType(LabelledEnum):
    """How one young person on record is linked to another."""

    SIBLING = "sibling"
    COUSIN = "cousin"
    FRIEND = "friend"
    ASSOCIATE = "associate"
    CO_OFFENDER = "co_offender"
    HARMED_BY = "harmed_by"
    EXPLOITED_BY = "exploited_by"

    _LABELS = nonmember(
        {
            "sibling": "Sibling",
            "cousin": "Cousin",
            "friend": "Friend",
            "associate": "Associate",
            "co_offender": "Co-offender",
            "harmed_by": "Victim of / harmed by",
            "exploited_by": "Exploited by",
        }
    )

    @property
    def reverse_label(self) -> str:
        """The link as read from the other young person's side."""
        return _PERSON_REVERSE.get(self.value, self.label)


_PERSON_REVERSE = {"harmed_by": "Has harmed", "exploited_by": "Exploits"}


class ConcernLinkType(LabelledEnum):
    """How a young person is linked to a person of concern."""

    EXPLOITED_BY = "exploited_by"
    HARMED_BY = "harmed_by"
    ASSOCIATE = "associate"
    OWES_DEBT_TO = "owes_debt_to"
    FAMILY = "family"
    SEEN_WITH = "seen_with"

    _LABELS = nonmember(
        {
            "exploited_by": "Exploited by",
            "harmed_by": "Harmed by",
            "associate": "Associate",
            "owes_debt_to": "Owes a debt to",
            "family": "Family member",
            "seen_with": "Seen with",
        }
    )

    @property
    def reverse_label(self) -> str:
        """The link as read from the person of concern's side."""
        return _CONCERN_REVERSE.get(self.value, self.label)


_CONCERN_REVERSE = {
    "exploited_by": "Exploits",
    "harmed_by": "Has harmed",
    "owes_debt_to": "Is owed a debt by",
    "seen_with": "Seen with",
}


class PlaceKind(LabelledEnum):
    PARK = "park"
    STATION = "station"
    ADDRESS = "address"
    TAKEAWAY = "takeaway"
    ESTATE = "estate"
    SCHOOL = "school"
    SHOP = "shop"
    OTHER = "other"

    _LABELS = nonmember(
        {
            "park": "Park or open space",
            "station": "Station or transport hub",
            "address": "Address",
            "takeaway": "Takeaway or shop front",
            "estate": "Estate",
            "school": "School or college",
            "shop": "Shop or shopping centre",
            "other": "Other place",
        }
    )


class PlaceLinkType(LabelledEnum):
    """How a young person or a person of concern is linked to a place."""

    LIVES_AT = "lives_at"
    FREQUENTS = "frequents"
    EXPLOITED_AT = "exploited_at"
    HARMED_AT = "harmed_at"
    OPERATES_FROM = "operates_from"
    SEEN_AT = "seen_at"

    _LABELS = nonmember(
        {
            "lives_at": "Lives at",
            "frequents": "Spends time at",
            "exploited_at": "Exploited at",
            "harmed_at": "Harmed at",
            "operates_from": "Operates from",
            "seen_at": "Seen at",
        }
    )


class InfoSource(LabelledEnum):
    """Where a piece of information came from."""

    POLICE = "police"
    SCHOOL = "school"
    SELF_REPORT = "self_report"
    FAMILY = "family"
    SOCIAL_CARE = "social_care"
    HEALTH = "health"
    YOUTH_JUSTICE = "youth_justice"
    COMMUNITY = "community"
    UNIT = "unit"
    OTHER = "other"

    _LABELS = nonmember(
        {
            "police": "Police",
            "school": "School",
            "self_report": "The young person (self-report)",
            "family": "Family",
            "social_care": "Children's social care",
            "health": "Health",
            "youth_justice": "Youth justice",
            "community": "Community",
            "unit": "Seen by the unit",
            "other": "Other",
        }
    )


class Certainty(LabelledEnum):
    """How sure the unit is of a link."""

    CONFIRMED = "confirmed"
    LIKELY = "likely"
    POSSIBLE = "possible"

    _LABELS = nonmember(
        {
            "confirmed": "Confirmed",
            "likely": "Likely (credible, not confirmed)",
            "possible": "Possible (unverified)",
        }
    )


class IncidentKind(LabelledEnum):
    KNIFE = "knife"
    ASSAULT = "assault"
    ROBBERY = "robbery"
    EXPLOITATION = "exploitation"
    MISSING = "missing"
    ARREST = "arrest"
    OTHER = "other"

    _LABELS = nonmember(
        {
            "knife": "Knife incident",
            "assault": "Assault",
            "robbery": "Robbery",
            "exploitation": "Exploitation concern",
            "missing": "Missing episode",
            "arrest": "Arrest",
            "other": "Other incident",
        }
    )


class IncidentRole(LabelledEnum):
    """A person's part in an incident."""

    HARMED = "harmed"
    SUSPECTED = "suspected"
    WITNESS = "witness"
    PRESENT = "present"

    _LABELS = nonmember(
        {
            "harmed": "Harmed",
            "suspected": "Suspected",
            "witness": "Witness",
            "present": "Present",
        }
    )


# --- the picture a network diagram draws ------------------------------------------------------


class NodeKind(enum.Enum):
    CENTRE = "centre"  # the young person whose case is open
    YOUNG_PERSON = "young_person"  # another young person on record
    CONCERN = "concern"  # a person of concern
    PLACE = "place"


@dataclass(frozen=True)
class NetworkNode:
    """One thing drawn in the diagram.

    ``record_id`` is the young person's, person of concern's or place's id. ``label`` is what
    the viewer may read: for a young person whose case the viewer may not open, only the case
    reference and "allocated to NAME", never the name. ``can_open`` says whether a click may
    open it (a young person's case the viewer may see, a person of concern or a place).
    ``status`` and ``risk`` are the case's status and current risk level labels (young people
    only, and only where the viewer may see them); ``shared_with`` is how many other young
    people on record are linked to the same person of concern or place.
    """

    kind: NodeKind
    record_id: int
    label: str
    detail: str = ""
    can_open: bool = False
    status: str | None = None
    risk: str | None = None
    shared_with: int = 0


@dataclass(frozen=True)
class NetworkEdge:
    """A link drawn between two nodes (by their index in ``Network.nodes``), labelled from the
    centre's side."""

    source: int
    target: int
    label: str
    certainty: Certainty
    ended: bool = False


@dataclass(frozen=True)
class Network:
    """The young person at ``nodes[0]`` and the people and places linked to them."""

    nodes: tuple[NetworkNode, ...]
    edges: tuple[NetworkEdge, ...] = field(default=())
    as_of: dt.date | None = None

    @property
    def centre(self) -> NetworkNode:
        return self.nodes[0]


# --- what the forms send and the lists show (the services' contract) -------------------------


class LinkKind(enum.Enum):
    """Which of the three link tables a link lives in."""

    PERSON = "person"  # young person to young person (person_link)
    CONCERN = "concern"  # young person to person of concern (concern_link)
    PLACE = "place"  # young person or person of concern to a place (place_link)


@dataclass(frozen=True)
class LinkInput:
    """A link's facts as typed. ``link_type`` is a ``PersonLinkType``, ``ConcernLinkType`` or
    ``PlaceLinkType`` as the link's kind requires."""

    link_type: PersonLinkType | ConcernLinkType | PlaceLinkType
    source: InfoSource
    certainty: Certainty
    since_on: dt.date | None = None
    until_on: dt.date | None = None
    note: str | None = None


@dataclass(frozen=True)
class ConcernInput:
    """A person of concern as typed: a name or a street name (at least one)."""

    name: str | None = None
    street_name: str | None = None
    approximate_age: int | None = None
    description: str | None = None


@dataclass(frozen=True)
class PlaceInput:
    name: str
    kind: PlaceKind
    postcode: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class LinkView:
    """One link as a case's network list shows it, read from the case's side.

    ``other_label`` is what the viewer may read of the other end: for a young person whose
    case they may not open, "VERU-2026-00123, allocated to Dariusz Kowalczyk" and never the
    name. ``can_open`` says whether the other end may be opened from here.
    """

    kind: LinkKind
    link_id: int
    other_id: int
    other_label: str
    link_label: str
    link_type: PersonLinkType | ConcernLinkType | PlaceLinkType
    source: InfoSource
    certainty: Certainty
    since_on: dt.date | None
    until_on: dt.date | None
    note: str | None
    version: int
    can_open: bool
    reversed: bool = False  # the link was recorded from the other young person's side

    @property
    def ended(self) -> bool:
        return self.until_on is not None and self.until_on <= dt.date.today()


# --- the rules a link, a person of concern and a place keep ----------------------------------

#: Which link types each kind of link takes.
LINK_TYPES: dict[LinkKind, type[LabelledEnum]] = {
    LinkKind.PERSON: PersonLinkType,
    LinkKind.CONCERN: ConcernLinkType,
    LinkKind.PLACE: PlaceLinkType,
}

_NOTE_LIMIT = 2000
_DESCRIPTION_LIMIT = 2000


def concern_label(name: str | None, street_name: str | None) -> str:
    """How a person of concern is named everywhere: ``Dean Walsh ('D-Money')``, or whichever
    of the two is known. Names are shown exactly as typed."""
    if name and street_name:
        return f"{name} ('{street_name}')"
    if street_name:
        return f"'{street_name}'"
    return name or "Person of concern (no name recorded)"


def link_problems(kind: LinkKind, data: LinkInput, today: dt.date) -> dict[str, str]:
    """``{field: message}`` for a link that may not be saved: a type of another kind of link,
    a start in the future (a link records what is known, not what is expected), an end
    before its start or in the future, an over-long note."""
    problems: dict[str, str] = {}
    if not isinstance(data.link_type, LINK_TYPES[kind]):
        problems["link_type"] = "Choose how they are linked from the list."
    if data.since_on is not None and data.since_on > today:
        problems["since_on"] = "'Since' cannot be in the future: leave it blank if not known."
    if data.until_on is not None:
        if data.until_on > today:
            problems["until_on"] = "'Until' cannot be in the future: end the link when it ends."
        elif data.since_on is not None and data.until_on < data.since_on:
            problems["until_on"] = "'Until' cannot be before 'since'."
    if data.note is not None and len(data.note.strip()) > _NOTE_LIMIT:
        problems["note"] = f"Keep the note to {_NOTE_LIMIT} characters."
    return problems


def end_problems(
    since_on: dt.date | None, until_on: dt.date | None, ending_on: dt.date, today: dt.date
) -> dict[str, str]:
    """Why a link may not be ended on ``ending_on``: it has ended already, the date is in
    the future, or before the link began."""
    if until_on is not None:
        return {"until_on": "This link has ended already: change its 'until' date instead."}
    if ending_on > today:
        return {"until_on": "A link cannot be ended in the future."}
    if since_on is not None and ending_on < since_on:
        return {"until_on": "A link cannot end before it began."}
    return {}


def self_link_problem(person_id: int, other_person_id: int) -> dict[str, str]:
    """A young person cannot be linked to themselves (the duplicates' merge is for one
    person recorded twice)."""
    if person_id == other_person_id:
        return {"other_person_id": "Choose another young person: this is the same record."}
    return {}


def place_link_ends_problem(
    young_person_id: int | None, person_of_concern_id: int | None
) -> dict[str, str]:
    """A place link joins a place to exactly one of a young person or a person of concern."""
    if (young_person_id is None) == (person_of_concern_id is None):
        return {"place_id": "Link the place to one young person or one person of concern."}
    return {}


def concern_problems(data: ConcernInput) -> dict[str, str]:
    """A person of concern needs a name or a street name (police intelligence often has only
    one); an age an adult or an older young person could be."""
    problems: dict[str, str] = {}
    name = " ".join((data.name or "").split())
    street = " ".join((data.street_name or "").split())
    if not name and not street:
        problems["name"] = "Enter a name or a street name (at least one)."
    if len(name) > 200:
        problems["name"] = "Keep the name to 200 characters."
    if len(street) > 100:
        problems["street_name"] = "Keep the street name to 100 characters."
    age = data.approximate_age
    if age is not None and not 10 <= age <= 90:
        problems["approximate_age"] = "Enter an age between 10 and 90, or leave it blank."
    if data.description is not None and len(data.description.strip()) > _DESCRIPTION_LIMIT:
        problems["description"] = f"Keep the description to {_DESCRIPTION_LIMIT} characters."
    return problems


def place_problems(data: PlaceInput) -> dict[str, str]:
    """A place needs a name; its postcode is checked by the service (``domain.postcode``)."""
    problems: dict[str, str] = {}
    name = " ".join((data.name or "").split())
    if not name:
        problems["name"] = "Enter the place's name, e.g. 'Wardown Park' or 'Chicken Cottage'."
    elif len(name) > 200:
        problems["name"] = "Keep the name to 200 characters."
    if not isinstance(data.kind, PlaceKind):
        problems["kind"] = "Choose what kind of place it is."
    if data.description is not None and len(data.description.strip()) > _DESCRIPTION_LIMIT:
        problems["description"] = f"Keep the description to {_DESCRIPTION_LIMIT} characters."
    return problems
