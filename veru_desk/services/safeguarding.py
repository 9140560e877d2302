"""Safeguarding flags with dates: add, correct and end a case's flags; read them for the case,
for many cases at once (the caseload's column and filter) and the unit's latest (the dashboard).

The rules of dates are the domain's (``domain.safeguarding``); who may do what is the case's
(``services.access``): a caseworker their own cases, a manager every case. Every change is
audited with what changed; reading a case's flags needs the same access as opening the case
(which is itself audited), and the dashboard shows only flags of cases the reader may open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, aliased

from veru_desk.db.models import SafeguardingFlagRecord, User, YoungPerson
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.names import display_name
from veru_desk.domain.safeguarding import (
    FlagInput,
    FlagKind,
    GroundsDecision,
    end_label,
    end_problems,
    is_active,
)
from veru_desk.domain.text import stored_text
from veru_desk.services.access import own_cases, require_case_access
from veru_desk.services.base import Service, refuse_problems

#: The caseload asks for at most a page of rows at a time; a longer list is split.
_CHUNK = 500


@dataclass(frozen=True)
class FlagView:
    id: int
    version: int
    kind: FlagKind
    started_on: dt.date
    ended_on: dt.date | None
    note: str
    reasonable_grounds: GroundsDecision | None
    reasonable_grounds_on: dt.date | None
    conclusive_grounds: GroundsDecision | None
    conclusive_grounds_on: dt.date | None
    return_interview_done: bool | None
    recorded_by: str | None
    recorded_at: dt.datetime
    ended_by: str | None
    active: bool

    def as_input(self) -> FlagInput:
        return FlagInput(
            kind=self.kind,
            started_on=self.started_on,
            ended_on=self.ended_on,
            note=self.note,
            reasonable_grounds=self.reasonable_grounds,
            reasonable_grounds_on=self.reasonable_grounds_on,
            conclusive_grounds=self.conclusive_grounds,
            conclusive_grounds_on=self.conclusive_grounds_on,
            return_interview_done=self.return_interview_done,
        )

    @property
    def details(self) -> str:
        """The kind's own facts in words: NRM decisions, the return home interview."""
        parts: list[str] = []
        if self.kind is FlagKind.NRM:
            for words, decision, on in (
                ("Reasonable grounds", self.reasonable_grounds, self.reasonable_grounds_on),
                ("Conclusive grounds", self.conclusive_grounds, self.conclusive_grounds_on),
            ):
                if decision is not None and on is not None:
                    parts.append(f"{words}: {decision.label.lower()} ({format_uk_date(on)})")
                else:
                    parts.append(f"{words}: awaited")
        if self.kind is FlagKind.MISSING:
            done = self.return_interview_done
            parts.append(
                "Return home interview: "
                + ("done" if done else "not done" if done is False else "not recorded")
            )
        return "; ".join(parts)


@dataclass(frozen=True)
class RecentFlag:
    """A flag added lately, for the dashboard."""

    flag_id: int
    person_id: int
    case_ref: str
    name: str
    kind: FlagKind
    started_on: dt.date
    recorded_by: str | None
    recorded_on: dt.date


def _values(data: FlagInput) -> dict[str, object]:
    nrm = data.kind is FlagKind.NRM
    missing = data.kind is FlagKind.MISSING
    return {
        "kind": data.kind,
        "started_on": data.started_on,
        "ended_on": data.ended_on,
        "note": stored_text(data.note),
        "reasonable_grounds": data.reasonable_grounds if nrm else None,
        "reasonable_grounds_on": data.reasonable_grounds_on if nrm else None,
        "conclusive_grounds": data.conclusive_grounds if nrm else None,
        "conclusive_grounds_on": data.conclusive_grounds_on if nrm else None,
        "return_interview_done": data.return_interview_done if missing else None,
    }


def _since(data: FlagInput) -> str:
    return f"{data.kind.label} from {format_uk_date(data.started_on)}"


class SafeguardingService(Service):
    def add(self, person_id: int, data: FlagInput) -> int:
        """Records a flag on a case, as recorded by the signed-in user."""
        with self._write() as session:
            person = self._case_person(session, person_id, doing="add a safeguarding flag")
            refuse_problems(data.problems(person.date_of_birth, dt.date.today()))
            flag = SafeguardingFlagRecord(young_person_id=person_id, **_values(data))
            if data.ended_on is not None:
                flag.ended_by_id = self.actor.user_id
            self._create(
                session,
                flag,
                person_id=person_id,
                summary=f"Safeguarding flag added: {_since(data)}",
            )
            session.flush()
            return flag.id

    def change(self, flag_id: int, data: FlagInput, expected_version: int) -> None:
        """Corrects a flag's kind, dates, decisions or note; who recorded it stays."""
        with self._write() as session:
            flag, person = self._case_record(
                session,
                SafeguardingFlagRecord,
                flag_id,
                "safeguarding flag",
                "change a safeguarding flag",
                expected_version,
            )
            refuse_problems(data.problems(person.date_of_birth, dt.date.today()))
            was_open = flag.ended_on is None
            values = _values(data)
            if was_open and data.ended_on is not None:
                values["ended_by_id"] = self.actor.user_id
            elif data.ended_on is None:
                values["ended_by_id"] = None
            self._updated(
                session,
                flag,
                values,
                person_id=person.id,
                summary=lambda: f"Safeguarding flag corrected: {_since(data)}",
            )

    def end(self, flag_id: int, ended_on: dt.date, expected_version: int) -> None:
        """Ends an active flag on ``ended_on`` (a missing episode: the day they were found)."""
        with self._write() as session:
            flag, person = self._case_record(
                session,
                SafeguardingFlagRecord,
                flag_id,
                "safeguarding flag",
                "end a safeguarding flag",
                expected_version,
            )
            if flag.ended_on is not None:
                raise ValidationError(
                    {
                        "ended_on": f"This flag ended on {format_uk_date(flag.ended_on)} "
                        "already: change it to correct the date."
                    }
                )
            refuse_problems(end_problems(flag.started_on, ended_on, dt.date.today()))
            kind = flag.kind
            self._updated(
                session,
                flag,
                {"ended_on": ended_on, "ended_by_id": self.actor.user_id},
                person_id=person.id,
                summary=(
                    f"Safeguarding flag ended: {kind.label} "
                    f"({end_label(kind).lower()} {format_uk_date(ended_on)})"
                ),
            )

    def for_case(self, person_id: int) -> list[FlagView]:
        """Every flag of a case: active ones first, then by start, newest first."""
        with self._read() as session:
            return self.for_case_in(session, person_id)

    def for_case_in(self, session: Session, person_id: int) -> list[FlagView]:
        """``for_case`` in a transaction the caller holds (a document, a subject access)."""
        require_case_access(session, self.actor, person_id, doing="read safeguarding flags")
        return flags_of(session, person_id)

    def active_kinds(
        self, person_ids: Iterable[int], on: dt.date | None = None
    ) -> dict[int, list[FlagKind]]:
        """The kinds of flag active on ``on`` (today) for each of many cases the reader may
        open, in one query per page: the caseload's column. Cases the reader may not open,
        and cases without active flags, are left out."""
        with self._read() as session:
            return active_kinds_in(session, own_cases(self.actor), list(person_ids), on)

    def recently_added(self, days: int = 7, limit: int = 20) -> list[RecentFlag]:
        """Flags added in the last ``days`` days to cases the reader may open, newest first."""
        with self._read() as session:
            return recently_added_in(session, own_cases(self.actor), days, limit)


def flags_of(session: Session, person_id: int) -> list[FlagView]:
    """A case's flags (no access check: callers have made it)."""
    recorder = aliased(User)
    ender = aliased(User)
    rows = session.execute(
        select(SafeguardingFlagRecord, recorder.display_name, ender.display_name)
        .outerjoin(recorder, recorder.id == SafeguardingFlagRecord.created_by_id)
        .outerjoin(ender, ender.id == SafeguardingFlagRecord.ended_by_id)
        .where(SafeguardingFlagRecord.young_person_id == person_id)
        .order_by(SafeguardingFlagRecord.started_on.desc(), SafeguardingFlagRecord.id.desc())
    ).all()
    today = dt.date.today()
    views = [
        FlagView(
            id=row.id,
            version=row.version,
            kind=row.kind,
            started_on=row.started_on,
            ended_on=row.ended_on,
            note=row.note or "",
            reasonable_grounds=row.reasonable_grounds,
            reasonable_grounds_on=row.reasonable_grounds_on,
            conclusive_grounds=row.conclusive_grounds,
            conclusive_grounds_on=row.conclusive_grounds_on,
            return_interview_done=row.return_interview_done,
            recorded_by=recorded_by,
            recorded_at=row.created_at,
            ended_by=ended_by,
            active=is_active(row.started_on, row.ended_on, today),
        )
        for row, recorded_by, ended_by in rows
    ]
    return sorted(views, key=lambda view: not view.active)  # stable: keeps the date order


def active_kinds_column(day: dt.date) -> ColumnElement[str | None]:
    """On a query of ``YoungPerson``: the kinds of its flags active on ``day``, as their
    stored values joined by commas (``kinds_from``), none when it has none."""
    return (
        select(func.aggregate_strings(SafeguardingFlagRecord.kind, ","))
        .where(
            SafeguardingFlagRecord.young_person_id == YoungPerson.id,
            SafeguardingFlagRecord.started_on <= day,
            or_(SafeguardingFlagRecord.ended_on.is_(None), SafeguardingFlagRecord.ended_on > day),
        )
        .scalar_subquery()
    )


_KIND_ORDER = {kind: index for index, kind in enumerate(FlagKind)}


def kinds_from(joined: str | None) -> tuple[FlagKind, ...]:
    """``active_kinds_column``'s value as flag kinds, once each, in the order they are shown."""
    if not joined:
        return ()
    return tuple(sorted({FlagKind(v) for v in joined.split(",")}, key=_KIND_ORDER.__getitem__))


def active_kinds_in(
    session: Session,
    visible: ColumnElement[bool],
    person_ids: list[int],
    on: dt.date | None = None,
) -> dict[int, list[FlagKind]]:
    """``SafeguardingService.active_kinds`` in the caller's transaction; ``visible`` is a
    condition on ``YoungPerson`` (``access.own_cases``)."""
    day = on or dt.date.today()
    order = {kind: index for index, kind in enumerate(FlagKind)}
    found: dict[int, set[FlagKind]] = {}
    for start in range(0, len(person_ids), _CHUNK):
        chunk = person_ids[start : start + _CHUNK]
        rows = session.execute(
            select(SafeguardingFlagRecord.young_person_id, SafeguardingFlagRecord.kind)
            .join(YoungPerson, YoungPerson.id == SafeguardingFlagRecord.young_person_id)
            .where(
                SafeguardingFlagRecord.young_person_id.in_(chunk),
                SafeguardingFlagRecord.started_on <= day,
                or_(
                    SafeguardingFlagRecord.ended_on.is_(None),
                    SafeguardingFlagRecord.ended_on > day,
                ),
                visible,
            )
        ).all()
        for person_id, kind in rows:
            found.setdefault(person_id, set()).add(kind)
    return {person: sorted(kinds, key=order.__getitem__) for person, kinds in found.items()}


def recently_added_in(
    session: Session, visible: ColumnElement[bool], days: int, limit: int
) -> list[RecentFlag]:
    since = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=days)
    rows = session.execute(
        select(
            SafeguardingFlagRecord.id,
            SafeguardingFlagRecord.young_person_id,
            SafeguardingFlagRecord.kind,
            SafeguardingFlagRecord.started_on,
            SafeguardingFlagRecord.created_at,
            YoungPerson.case_ref,
            YoungPerson.first_name,
            YoungPerson.last_name,
            YoungPerson.preferred_name,
            User.display_name,
        )
        .join(YoungPerson, YoungPerson.id == SafeguardingFlagRecord.young_person_id)
        .outerjoin(User, User.id == SafeguardingFlagRecord.created_by_id)
        .where(SafeguardingFlagRecord.created_at >= since, visible)
        .order_by(SafeguardingFlagRecord.created_at.desc(), SafeguardingFlagRecord.id.desc())
        .limit(limit)
    ).all()
    return [
        RecentFlag(
            flag_id=row.id,
            person_id=row.young_person_id,
            case_ref=row.case_ref,
            name=display_name(row.first_name, row.last_name, row.preferred_name),
            kind=row.kind,
            started_on=row.started_on,
            recorded_by=row.display_name,
            recorded_on=row.created_at.date(),
        )
        for row in rows
    ]


def add_flags_at_intake(
    session: Session, wanted: Sequence[tuple[int, FlagKind, dt.date]], user_id: int | None
) -> list[SafeguardingFlagRecord]:
    """Flags a referral arrived with (an imported row's ``safeguarding_flags``), each from its
    referral date, recorded by ``user_id``; a kind already active for that young person is not
    added twice. The caller checks permission and audits the rows returned (flushed: ids set).
    """
    people = sorted({person for person, _kind, _on in wanted})
    active: set[tuple[int, FlagKind]] = set()
    for start in range(0, len(people), _CHUNK):
        chunk = people[start : start + _CHUNK]
        rows = session.execute(
            select(SafeguardingFlagRecord.young_person_id, SafeguardingFlagRecord.kind).where(
                SafeguardingFlagRecord.young_person_id.in_(chunk),
                SafeguardingFlagRecord.ended_on.is_(None),
            )
        ).all()
        active.update((person, kind) for person, kind in rows)
    added: list[SafeguardingFlagRecord] = []
    for person, kind, on in wanted:
        if (person, kind) in active:
            continue
        active.add((person, kind))
        added.append(
            SafeguardingFlagRecord(
                young_person_id=person,
                kind=kind,
                started_on=on,
                created_by_id=user_id,
                updated_by_id=user_id,
            )
        )
    session.add_all(added)
    session.flush()
    return added
