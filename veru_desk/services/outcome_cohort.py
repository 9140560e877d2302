"""The outcome report's commissioner figures: the referral funnel and outcome change.

Definitions (printed under the tables, so the reader and the counter agree):

- *Referred*: referrals received in the period (the cohort). Every later stage counts those
  same referrals, as recorded when the report is run, so a referral from the period's last
  weeks has had less time to reach them.
- *Accepted*: the referral was accepted (accepted, allocated, active or closed).
- *First contact*: accepted, and a first contact is recorded.
- *Engaged*: first contact made and at least ``ENGAGED_SESSIONS`` (3) sessions attended in the
  episode (sessions recorded against the referral).
- *Closed positively*: engaged, and the episode closed with the reason "Goals achieved".
- *Offending*: arrests and charges recorded on outcome records of young people supported in
  the period, *during* an episode (from its decision to its closure, or the period's end) and
  *after* it (records dated after the episode closed, up to the period's end).
- *Wellbeing*: self-rated 0 to 10; for young people supported in the period with two or more
  scores up to the period's end, the latest score minus the first.

Pure counting over a few light rows per referral; the figures are put into tables by
``services.outcome_figures``.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from veru_desk.db.models import Agency, MentoringSession, Outcome, Referral, YoungPerson
from veru_desk.domain.dates import age_on
from veru_desk.domain.enums import (
    AgencyType,
    Attendance,
    ClosureReason,
    Ethnicity,
    Gender,
    ReferralStatus,
)

E = TypeVar("E", bound=Enum)

ENGAGED_SESSIONS = 3
POSITIVE_CLOSURES = frozenset({ClosureReason.GOALS_ACHIEVED})
ACCEPTED = frozenset(
    {
        ReferralStatus.ACCEPTED,
        ReferralStatus.ALLOCATED,
        ReferralStatus.ACTIVE,
        ReferralStatus.CLOSED,
    }
)
_NOT_ACCEPTED = sorted(set(ReferralStatus) - ACCEPTED)
STAGES = ("Referred", "Accepted", "First contact", "Engaged", "Closed positively")
# The stages after "Referred" a referral reached, in that order.
Stages = tuple[bool, bool, bool, bool]


@dataclass(frozen=True)
class ReferralFacts:
    """One referral of the cohort and the stages it reached."""

    referral_id: int
    received_on: dt.date
    agency: str
    agency_type: AgencyType
    age: int
    gender: Gender
    ethnicity: Ethnicity
    accepted: bool
    contacted: bool
    engaged: bool
    closed_positively: bool
    days_to_decision: int | None
    days_to_contact: int | None

    @property
    def stages(self) -> Stages:
        """Accepted, first contact, engaged, closed positively."""
        return (self.accepted, self.contacted, self.engaged, self.closed_positively)


@dataclass(frozen=True)
class Funnel:
    referred: int = 0
    accepted: int = 0
    first_contact: int = 0
    engaged: int = 0
    closed_positively: int = 0

    @property
    def counts(self) -> tuple[int, int, int, int, int]:
        return (
            self.referred,
            self.accepted,
            self.first_contact,
            self.engaged,
            self.closed_positively,
        )

    @classmethod
    def of(cls, facts: Iterable[ReferralFacts]) -> Funnel:
        return cls.counted(Counter(f.stages for f in facts))

    @classmethod
    def counted(cls, reached: Mapping[Stages, int]) -> Funnel:
        """From how many referrals reached each combination of stages (``ReferralFacts.stages``):
        a breakdown counts a few such combinations per group rather than its every referral."""
        counts = [0, 0, 0, 0, 0]
        for stages, n in reached.items():
            counts[0] += n
            for index, stage in enumerate(stages, 1):
                if stage:
                    counts[index] += n
        return cls(*counts)


@dataclass(frozen=True)
class Spread:
    """A median with its interquartile range over ``n`` values (None when there are none)."""

    n: int
    median: float | None
    q1: float | None
    q3: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            return cls(0, None, None, None)
        median = float(statistics.median(values))
        if len(values) == 1:
            return cls(1, median, median, median)
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
        return cls(len(values), median, float(q1), float(q3))


@dataclass(frozen=True)
class OffendingFigures:
    """Arrests and charges on outcome records, during and after an episode."""

    people_during: int = 0  # young people with a record giving arrests during an episode
    arrested_during: int = 0  # of them, arrested at least once
    arrests_during: int = 0
    charged_during: int = 0
    charges_during: int = 0
    people_after: int = 0
    arrested_after: int = 0
    arrests_after: int = 0
    charged_after: int = 0
    charges_after: int = 0


@dataclass(frozen=True)
class WellbeingFigures:
    first: Spread = Spread(0, None, None, None)
    latest: Spread = Spread(0, None, None, None)
    change: Spread = Spread(0, None, None, None)
    improved: int = 0

    @property
    def people(self) -> int:
        return self.change.n


def referral_facts(
    session: Session,
    received: Sequence[ColumnElement[bool]],
    since: dt.date,
) -> list[ReferralFacts]:
    """The cohort (referrals matching ``received``, none received before ``since``) with the
    stages each reached. Attended sessions are counted per referral by the database (one
    small row per accepted, contacted referral), through the sessions' referral index."""
    rows = _driver_rows(
        session,
        select(
            Referral.id,
            Referral.received_on,
            Agency.name,
            Agency.agency_type,
            YoungPerson.date_of_birth,
            YoungPerson.gender,
            YoungPerson.ethnicity,
            Referral.status,
            Referral.decided_on,
            Referral.first_contact_on,
            Referral.closure_reason,
        )
        .join(Agency, Agency.id == Referral.referring_agency_id)
        .join(YoungPerson, YoungPerson.id == Referral.young_person_id)
        .where(*received)
        .order_by(Referral.id),
    )
    attended = _attended(session, received, since)
    day = _Days().on
    agency_types, genders, ethnicities = _members(AgencyType), _members(Gender), _members(Ethnicity)
    facts = []
    for (
        ident,
        received_text,
        agency,
        agency_type,
        born,
        gender,
        ethnicity,
        status,
        decided_text,
        contact_text,
        closure_reason,
    ) in rows:
        received_on = day(received_text)
        decided_on = None if decided_text is None else day(decided_text)
        first_contact_on = None if contact_text is None else day(contact_text)
        accepted, contacted, engaged, positive = _stages(
            status, first_contact_on, closure_reason, attended.get(ident, 0)
        )
        facts.append(
            ReferralFacts(
                referral_id=ident,
                received_on=received_on,
                agency=agency,
                agency_type=agency_types[agency_type],
                age=age_on(day(born), received_on),
                gender=genders[gender],
                ethnicity=ethnicities[ethnicity],
                accepted=accepted,
                contacted=contacted,
                engaged=engaged,
                closed_positively=positive,
                days_to_decision=(decided_on - received_on).days if decided_on else None,
                days_to_contact=(
                    (first_contact_on - received_on).days if first_contact_on else None
                ),
            )
        )
    return facts


def cohort_funnel(
    session: Session,
    received: Sequence[ColumnElement[bool]],
    since: dt.date,
) -> tuple[Funnel, list[int], list[int]]:
    """The funnel of the cohort (as ``Funnel.of(referral_facts(...))``) and the whole days from
    receipt to a decision and to a first contact of those that reached them, from the
    referrals alone: for the previous period's comparison, which prints no breakdown, so the
    young person's and agency's details of every referral are not read and converted."""
    rows = _driver_rows(
        session,
        select(
            Referral.id,
            Referral.received_on,
            Referral.status,
            Referral.decided_on,
            Referral.first_contact_on,
            Referral.closure_reason,
        ).where(*received),
    )
    attended = _attended(session, received, since)
    day = _Days()
    counts = [0, 0, 0, 0, 0]
    to_decision: list[int] = []
    to_contact: list[int] = []
    for ident, received_text, status, decided_text, contact_text, closure_reason in rows:
        received_on = day.on(received_text)
        decided_on, first_contact_on = day(decided_text), day(contact_text)
        counts[0] += 1
        for index, reached in enumerate(
            _stages(status, first_contact_on, closure_reason, attended.get(ident, 0)), 1
        ):
            counts[index] += reached
        if decided_on is not None:
            to_decision.append((decided_on - received_on).days)
        if first_contact_on is not None:
            to_contact.append((first_contact_on - received_on).days)
    return Funnel(*counts), to_decision, to_contact


def _driver_rows(session: Session, query: Select[*tuple[Any, ...]]) -> Sequence[Any]:
    """The rows of ``query`` as the driver gives them: an enum as its stored value, a date as
    a date on PostgreSQL and ISO text on SQLite (read with ``_Days``). SQLAlchemy's per-row
    processing (a date parsed, an enum looked up, for every column of every row) took longer
    than the statements themselves over a year's 38,000 referrals at 100,000 people."""
    result = session.connection().execute(query)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


class _Days:
    """Dates as either driver gives them (SQLite's as ISO text), each distinct text read once:
    a year of referrals has a few hundred days received and a few thousand birthdays."""

    def __init__(self) -> None:
        self._read: dict[str, dt.date] = {}

    def __call__(self, value: dt.date | str | None) -> dt.date | None:
        return None if value is None else self.on(value)

    def on(self, value: dt.date | str) -> dt.date:
        """A date that is never missing."""
        if isinstance(value, dt.date):
            return value
        day = self._read.get(value)
        if day is None:
            day = self._read[value] = dt.date.fromisoformat(value)
        return day


def _members(enum: type[E]) -> dict[str, E]:
    """An enum's members by their stored value (as ``_driver_rows`` gives them)."""
    return {member.value: member for member in enum}


def _attended(
    session: Session, received: Sequence[ColumnElement[bool]], since: dt.date
) -> dict[int | None, int]:
    """Attended sessions (from ``since``) per accepted, contacted referral of the cohort,
    counted by the database through the sessions' referral index.

    The cohort's contacted referrals are read from the period's range of the received-on
    covering index: "not one of the other statuses" (the same referrals: a status is never
    NULL) so that SQLite does not take ``ix_referral_status`` for the IN list and read every
    accepted referral of the database from the table (590 -> 260 ms at 100,000 people)."""
    contacted_referrals = select(Referral.id).where(
        *received, Referral.status.not_in(_NOT_ACCEPTED), Referral.first_contact_on.is_not(None)
    )
    return dict(
        _driver_rows(
            session,
            select(MentoringSession.referral_id, func.count())
            .where(
                MentoringSession.attendance == Attendance.ATTENDED,
                MentoringSession.planned_start >= dt.datetime.combine(since, dt.time.min),
                MentoringSession.referral_id.in_(contacted_referrals),
            )
            .group_by(MentoringSession.referral_id),
        )
    )


def _stages(
    status: str,
    first_contact_on: dt.date | None,
    closure_reason: str | None,
    attended: int,
) -> tuple[bool, bool, bool, bool]:
    """Accepted, first contact, engaged, closed positively: the stages a referral reached
    (``status`` and ``closure_reason`` as stored: the enums are strings)."""
    accepted = status in ACCEPTED
    contacted = accepted and first_contact_on is not None
    engaged = contacted and attended >= ENGAGED_SESSIONS
    positive = engaged and status == ReferralStatus.CLOSED and closure_reason in POSITIVE_CLOSURES
    return accepted, contacted, engaged, positive


def offending(
    session: Session, supported_episodes: Select[int, dt.date, dt.date | None], end: dt.date
) -> OffendingFigures:
    """Arrests and charges summed per young person by the database, on outcome records (up
    to ``end``) dated during one of the ``supported_episodes`` (young person, start, closed
    on), or after one closed; a record inside any episode counts as during.

    One statement, driven by the episodes: each episode's young person's records are read
    through the (person, date) index and classed by their episodes (a record inside any is
    during, else after one that closed before it is after), then summed per young person and
    class, and the ten figures come back as two rows. (Checking each record against the
    episodes with EXISTS read every outcome record of the database, and an index on a
    filter's column could make each check walk a filter's whole list of referrals.)"""
    episodes = supported_episodes.subquery()
    person, start, closed = episodes.c[0], episodes.c[1], episodes.c[2]
    gives = or_(Outcome.arrests.is_not(None), Outcome.charges.is_not(None))
    inside = and_(
        start <= Outcome.recorded_on, or_(closed.is_(None), Outcome.recorded_on <= closed)
    )
    later = and_(closed.is_not(None), Outcome.recorded_on > closed)
    # Per record: 2 inside an episode, 1 after one that closed, 0 neither.
    per_record = (
        select(
            Outcome.young_person_id.label("person"),
            Outcome.arrests.label("arrests"),
            Outcome.charges.label("charges"),
            func.max(case((inside, _DURING), (later, _AFTER), else_=0)).label("kind"),
        )
        .select_from(episodes)
        .join(Outcome, Outcome.young_person_id == person)
        .where(Outcome.recorded_on <= end, gives)
        .group_by(Outcome.id, Outcome.young_person_id, Outcome.arrests, Outcome.charges)
        .subquery()
    )
    per_person = (
        select(
            per_record.c.kind,
            func.coalesce(func.sum(per_record.c.arrests), 0).label("arrests"),
            func.coalesce(func.sum(per_record.c.charges), 0).label("charges"),
        )
        .where(per_record.c.kind > 0)
        .group_by(per_record.c.person, per_record.c.kind)
        .subquery()
    )
    rows = session.execute(
        select(
            per_person.c.kind,
            func.count(),
            func.sum(case((per_person.c.arrests > 0, 1), else_=0)),
            func.sum(per_person.c.arrests),
            func.sum(case((per_person.c.charges > 0, 1), else_=0)),
            func.sum(per_person.c.charges),
        ).group_by(per_person.c.kind)
    ).all()
    counted = {int(kind): [int(n or 0) for n in figures] for kind, *figures in rows}
    during = counted.get(_DURING, [0] * 5)
    after = counted.get(_AFTER, [0] * 5)
    return OffendingFigures(*during, *after)


_DURING = 2
_AFTER = 1


def wellbeing(pairs: dict[tuple[Any, Any], int]) -> WellbeingFigures:
    """From the count of each (first score, latest score) pair of the young people with two
    or more scores."""
    expanded = [(int(a), int(b)) for (a, b), n in pairs.items() for _ in range(n)]
    return WellbeingFigures(
        first=Spread.of([float(a) for a, _ in expanded]),
        latest=Spread.of([float(b) for _, b in expanded]),
        change=Spread.of([float(b - a) for a, b in expanded]),
        improved=sum(1 for a, b in expanded if b > a),
    )
