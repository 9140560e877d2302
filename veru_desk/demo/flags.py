"""Demo safeguarding flags, told from the story already written: a looked-after child has a
looked-after flag, a county-lines referral follows missing episodes (with return home
interviews), some exploitation concerns went to the National Referral Mechanism and got their
decisions, and one young person on an open county-lines case went missing yesterday, so the
banner, the caseload's Flags column and the dashboard's new-flags card show on first start.

A pass of its own after the people are written, with its own random numbers, so adding it
changed nothing of the story's other records (``tests/services/test_demo.py``'s digest).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from veru_desk.db.models import (
    Referral,
    ReferralReasonRow,
    SafeguardingFlagRecord,
    YoungPerson,
)
from veru_desk.domain.enums import ReferralReason, ReferralStatus
from veru_desk.domain.safeguarding import FlagKind, GroundsDecision

_CONCERNS: dict[ReferralReason, FlagKind] = {
    ReferralReason.CRIMINAL_EXPLOITATION: FlagKind.CCE,
    ReferralReason.COUNTY_LINES: FlagKind.COUNTY_LINES,
    ReferralReason.SEXUAL_EXPLOITATION: FlagKind.CSE,
}
_STATUSES: dict[str, FlagKind] = {
    "looked_after": FlagKind.LOOKED_AFTER,
    "child_protection_plan": FlagKind.CHILD_PROTECTION,
    "child_in_need": FlagKind.CHILD_IN_NEED,
    "send": FlagKind.SEND,
    "known_to_youth_justice": FlagKind.YOUTH_JUSTICE,
}
_CHUNK = 2000


class _Flags:
    def __init__(self, seed: int, anchor: dt.date) -> None:
        self.rng = random.Random(f"{seed}-safeguarding-flags")
        self.anchor = anchor
        self.rows: list[dict[str, Any]] = []

    def add(
        self,
        person: int,
        worker: int | None,
        kind: FlagKind,
        born: dt.date,
        start: dt.date,
        end: dt.date | None = None,
        **details: Any,
    ) -> dt.date | None:
        """A flag within the young person's life and before the demo's today; returns its
        start, or None when the dates do not fit (then nothing is added)."""
        start = max(start, born + dt.timedelta(days=365))
        if start > self.anchor:
            return None
        if end is not None and (end < start or end > self.anchor):
            end = None if end > self.anchor else start
        at = dt.datetime.combine(start, dt.time(10, self.rng.randrange(60)))
        self.rows.append(
            {
                "young_person_id": person,
                "kind": kind,
                "started_on": start,
                "ended_on": end,
                "note": None,
                "reasonable_grounds": None,
                "reasonable_grounds_on": None,
                "conclusive_grounds": None,
                "conclusive_grounds_on": None,
                "return_interview_done": None,
                "ended_by_id": worker if end is not None else None,
                "created_at": at,
                "created_by_id": worker,
                "updated_at": at,
                "updated_by_id": worker,
                "version": 1,
                **details,
            }
        )
        return start

    def missing(
        self, person: int, worker: int | None, born: dt.date, before: dt.date, count: int
    ) -> None:
        """``count`` missing episodes in the weeks before ``before``, each found a day or
        three later, most with a return home interview."""
        day = before
        for _ in range(count):
            day -= dt.timedelta(days=self.rng.randint(6, 45))
            found = day + dt.timedelta(days=self.rng.randint(1, 3))
            self.add(
                person,
                worker,
                FlagKind.MISSING,
                born,
                day,
                min(found, before),
                return_interview_done=self.rng.random() < 0.8,
            )

    def nrm(self, person: int, worker: int | None, born: dt.date, concern: dt.date) -> None:
        referred = concern + dt.timedelta(days=self.rng.randint(3, 30))
        reasonable = referred + dt.timedelta(days=self.rng.randint(5, 20))
        conclusive = reasonable + dt.timedelta(days=self.rng.randint(90, 300))
        details: dict[str, Any] = {}
        if reasonable <= self.anchor:
            positive = self.rng.random() < 0.85
            details["reasonable_grounds"] = (
                GroundsDecision.POSITIVE if positive else GroundsDecision.NEGATIVE
            )
            details["reasonable_grounds_on"] = reasonable
            if positive and conclusive <= self.anchor:
                details["conclusive_grounds"] = GroundsDecision.POSITIVE
                details["conclusive_grounds_on"] = conclusive
        self.add(person, worker, FlagKind.NRM, born, referred, **details)


def add_demo_flags(session: Session, seed: int, anchor: dt.date, after_person_id: int) -> int:
    """Flags for the young people with ids above ``after_person_id`` (the ones this run of the
    generator wrote); returns how many were added."""
    flags = _Flags(seed, anchor)
    people = session.execute(
        select(
            YoungPerson.id,
            YoungPerson.date_of_birth,
            YoungPerson.current_worker_id,
            YoungPerson.current_status,
            YoungPerson.looked_after,
            YoungPerson.child_protection_plan,
            YoungPerson.child_in_need,
            YoungPerson.send,
            YoungPerson.known_to_youth_justice,
        )
        .where(YoungPerson.id > after_person_id)
        .order_by(YoungPerson.id)
    ).all()
    first_referral: dict[int, tuple[dt.date, dt.date | None]] = {}
    reasons: dict[int, set[ReferralReason]] = {}
    for person, received, closed, reason in session.execute(
        select(
            Referral.young_person_id,
            Referral.received_on,
            Referral.closed_on,
            ReferralReasonRow.reason,
        )
        .join(ReferralReasonRow, ReferralReasonRow.referral_id == Referral.id)
        .where(Referral.young_person_id > after_person_id)
        .order_by(Referral.young_person_id, Referral.received_on, Referral.id)
    ):
        first_referral.setdefault(person, (received, closed))
        reasons.setdefault(person, set()).add(reason)
    missing_now: int | None = None
    for p in people:
        received, closed = first_referral.get(p.id, (anchor, None))
        worker = p.current_worker_id
        rng = flags.rng
        for column, kind in _STATUSES.items():
            if getattr(p, column):
                start = received - dt.timedelta(days=rng.randint(30, 900))
                end = None
                if kind is FlagKind.CHILD_PROTECTION and rng.random() < 0.3:
                    end = received + dt.timedelta(days=rng.randint(90, 400))
                flags.add(p.id, worker, kind, p.date_of_birth, start, end)
        said = reasons.get(p.id, set())
        for reason, kind in _CONCERNS.items():
            if reason not in said:
                continue
            concern = received - dt.timedelta(days=rng.randint(0, 60))
            if kind is FlagKind.COUNTY_LINES:
                flags.missing(p.id, worker, p.date_of_birth, concern, rng.randint(1, 3))
            end = closed if closed is not None and rng.random() < 0.6 else None
            started = flags.add(p.id, worker, kind, p.date_of_birth, concern, end)
            if started is not None and kind is not FlagKind.COUNTY_LINES and rng.random() < 0.4:
                flags.nrm(p.id, worker, p.date_of_birth, started)
            if (
                kind is FlagKind.COUNTY_LINES
                and missing_now is None
                and p.current_status is ReferralStatus.ACTIVE
            ):
                missing_now = p.id
                flags.add(
                    p.id,
                    worker,
                    FlagKind.MISSING,
                    p.date_of_birth,
                    anchor - dt.timedelta(days=1),
                    note="Reported missing by their carer overnight; police informed.",
                )
        if ReferralReason.MISSING_EPISODES in said:
            flags.missing(p.id, worker, p.date_of_birth, received, rng.randint(1, 2))
    _insert(session, flags.rows)
    return len(flags.rows)


def _insert(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _CHUNK:
            session.execute(insert(SafeguardingFlagRecord), batch)
            batch = []
    if batch:
        session.execute(insert(SafeguardingFlagRecord), batch)
