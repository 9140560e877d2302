"""The outcome report's commissioner figures: the referral funnel and outcome change.

Definitions (printed under the tables, so the reader and the counter agree):

- *Referred*: referrals received in the period (the cohort). Every later stage counts those
  same referrals, as recorded when the report is run, so a referral from the period's last
  weeks has had less time to reach them.
- *Accepted*: the referral was accepted (accepted, allocated, active or closed).
- *First contact*: accepted, and a first contact is recorded.
- *Engaged*: first contact made and at least ``ENGAGED_SESSIONS`` (3) sessions attended in the
  episode (from the day the referral was received to its closure, or to date if open).
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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, select
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
STAGES = ("Referred", "Accepted", "First contact", "Engaged", "Closed positively")


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
        rows = list(facts)
        return cls(
            len(rows),
            sum(f.accepted for f in rows),
            sum(f.contacted for f in rows),
            sum(f.engaged for f in rows),
            sum(f.closed_positively for f in rows),
        )


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
    stages each reached. Only the attended sessions that can count towards *engaged* are
    read: from ``since`` on, of young people with an accepted, contacted referral."""
    rows = session.execute(
        select(
            Referral.id,
            Referral.young_person_id,
            Referral.received_on,
            Agency.name,
            Agency.agency_type,
            YoungPerson.date_of_birth,
            YoungPerson.gender,
            YoungPerson.ethnicity,
            Referral.status,
            Referral.decided_on,
            Referral.first_contact_on,
            Referral.closed_on,
            Referral.closure_reason,
        )
        .join(Agency, Agency.id == Referral.referring_agency_id)
        .join(YoungPerson, YoungPerson.id == Referral.young_person_id)
        .where(*received)
        .order_by(Referral.id)
    ).all()
    contacted_people = select(Referral.young_person_id).where(
        *received, Referral.status.in_(ACCEPTED), Referral.first_contact_on.is_not(None)
    )
    attended: dict[int, list[dt.date]] = {}
    for person, start in session.execute(
        select(MentoringSession.young_person_id, MentoringSession.planned_start).where(
            MentoringSession.attendance == Attendance.ATTENDED,
            MentoringSession.planned_start >= dt.datetime.combine(since, dt.time.min),
            MentoringSession.young_person_id.in_(contacted_people),
        )
    ):
        attended.setdefault(person, []).append(start.date())
    facts = []
    for (
        ident,
        person,
        received_on,
        agency,
        agency_type,
        born,
        gender,
        ethnicity,
        status,
        decided_on,
        first_contact_on,
        closed_on,
        closure_reason,
    ) in rows:
        accepted = status in ACCEPTED
        contacted = accepted and first_contact_on is not None
        sessions = sum(
            1
            for day in attended.get(person, ())
            if day >= received_on and (closed_on is None or day <= closed_on)
        )
        engaged = contacted and sessions >= ENGAGED_SESSIONS
        positive = (
            engaged and status == ReferralStatus.CLOSED and closure_reason in POSITIVE_CLOSURES
        )
        facts.append(
            ReferralFacts(
                referral_id=ident,
                received_on=received_on,
                agency=agency,
                agency_type=agency_type,
                age=age_on(born, received_on),
                gender=gender,
                ethnicity=ethnicity,
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


def offending_and_wellbeing(
    session: Session, supported_episodes: Select[int, dt.date, dt.date | None], end: dt.date
) -> tuple[OffendingFigures, WellbeingFigures]:
    """``supported_episodes`` selects (young person, episode start, closed on) of the episodes
    supported in the period; outcome records up to ``end`` are read for their young people."""
    episodes: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    for person, start, closed in session.execute(supported_episodes):
        episodes.setdefault(person, []).append((start, closed))
    people = select(supported_episodes.subquery().c[0])
    records = session.execute(
        select(
            Outcome.young_person_id,
            Outcome.recorded_on,
            Outcome.arrests,
            Outcome.charges,
            Outcome.wellbeing,
        )
        .where(Outcome.young_person_id.in_(people), Outcome.recorded_on <= end)
        .order_by(Outcome.young_person_id, Outcome.recorded_on, Outcome.id)
    ).all()
    during: dict[int, tuple[int, int]] = {}
    after: dict[int, tuple[int, int]] = {}
    scores: dict[int, list[int]] = {}
    for person, on, arrests, charges, score in records:
        if score is not None:
            scores.setdefault(person, []).append(score)
        if arrests is None and charges is None:
            continue
        spans = episodes.get(person, [])
        inside = any(start <= on <= (closed or end) for start, closed in spans)
        later = not inside and any(closed is not None and on > closed for _, closed in spans)
        bucket = during if inside else after if later else None
        if bucket is None:
            continue
        a, c = bucket.get(person, (0, 0))
        bucket[person] = (a + (arrests or 0), c + (charges or 0))
    offending = OffendingFigures(
        people_during=len(during),
        arrested_during=sum(1 for a, _ in during.values() if a),
        arrests_during=sum(a for a, _ in during.values()),
        charged_during=sum(1 for _, c in during.values() if c),
        charges_during=sum(c for _, c in during.values()),
        people_after=len(after),
        arrested_after=sum(1 for a, _ in after.values() if a),
        arrests_after=sum(a for a, _ in after.values()),
        charged_after=sum(1 for _, c in after.values() if c),
        charges_after=sum(c for _, c in after.values()),
    )
    pairs = [(s[0], s[-1]) for s in scores.values() if len(s) >= 2]
    wellbeing = WellbeingFigures(
        first=Spread.of([float(a) for a, _ in pairs]),
        latest=Spread.of([float(b) for _, b in pairs]),
        change=Spread.of([float(b - a) for a, b in pairs]),
        improved=sum(1 for a, b in pairs if b > a),
    )
    return offending, wellbeing
