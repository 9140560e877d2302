"""Merging two records of one young person, and undoing a merge.

A duplicate that slipped past intake splits a child's history in two: a caseworker reading
one record does not see the missing episodes on the other. A manager merges them: one record
is kept (its case reference stays, the one partners know), the manager chooses per differing
field whose value is right, and every row of every table that belongs to the other record
moves to the kept one. Which tables those are is read from the models' foreign keys to
``young_person``, not listed here, so a table added later is moved too.

The other record is never deleted: it stays as a tombstone (``merged_into_id``), hidden from
lists, search and duplicate checks, and its audit history stays under its own id, because
audit rows are never rewritten. The merge records who, when, the choices, the kept record's
values it replaced and each row it moved (``person_merge_row``), so an undo moves exactly
those rows back and restores the values, and both chronologies explain what happened.

What cannot be merged is refused with what to do instead: two open cases (a person can have
one open episode: close or decline one first), an anonymised record, a record already merged.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Column, Table, func, or_, select, tuple_, update
from sqlalchemy.orm import Session

from veru_desk.db.models import (
    Base,
    PersonMerge,
    PersonMergeRow,
    Referral,
    User,
    YoungPerson,
)
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import AuditAction, ReferralStatus, Role
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.names import display_name
from veru_desk.domain.text import stored_text
from veru_desk.services import case_state
from veru_desk.services.access import require_role
from veru_desk.services.base import Service, check_version, get_or_404, user_name, utc_to_local
from veru_desk.services.people import PersonDetails, details_of, index_names, sort_name_of

#: The fields a manager chooses between, with the words the form uses.
FIELD_LABELS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "preferred_name": "Preferred name",
    "date_of_birth": "Date of birth",
    "gender": "Gender",
    "gender_detail": "Gender (in their words)",
    "ethnicity": "Ethnicity",
    "address": "Address",
    "postcode": "Postcode",
    "phone": "Phone",
    "email": "Email",
    "nhs_number": "NHS number",
    "education_setting": "School or college",
    "education_status": "Education status",
    "looked_after": "Looked-after child",
    "child_protection_plan": "Child protection plan",
    "child_in_need": "Child in need",
    "send": "SEND",
    "known_to_youth_justice": "Known to youth justice",
}
assert set(FIELD_LABELS) == {f.name for f in fields(PersonDetails)}

#: Tables whose rows are not moved: the person's own row, the merges themselves, and the
#: name index (rebuilt from the kept record's names).
_NOT_MOVED = frozenset({"young_person", "person_merge", "person_merge_row", "name_token"})

#: Words for the kinds of row moved, in the merge's summary (others use the table's name).
_ROW_WORDS: dict[str, str] = {
    "referral": "referrals",
    "risk_assessment": "risk assessments",
    "intervention_plan": "plans",
    "session_series": "session series",
    "mentoring_session": "sessions",
    "outcome": "outcomes",
    "case_note": "notes",
    "contact": "contacts",
    "document_export": "exports",
    "sharing_decision": "sharing decisions",
    "safeguarding_flag": "safeguarding flags",
    "case_analysis": "caseworker's analyses",
    "incident_party": "incidents",
    "person_link": "links to young people",
    "concern_link": "links to persons of concern",
    "place_link": "links to places",
}


def record_words(table: str) -> str:
    """A kind of record as the merge's summary names it: ``sessions``, ``panel items``."""
    words = table.replace("_", " ")
    return _ROW_WORDS.get(table, words if words.endswith("s") else f"{words}s")


class Side(enum.StrEnum):
    """Whose value a merged field takes: the record kept, or the one merged into it."""

    KEPT = "kept"
    OTHER = "other"


@dataclass(frozen=True)
class MergeSide:
    """One of the two records, as the merge dialog shows it."""

    person_id: int
    version: int
    case_ref: str
    details: PersonDetails
    status: ReferralStatus | None
    worker: str | None
    records: dict[str, int]  # rows that would move, by table

    @property
    def name(self) -> str:
        return display_name(self.details.first_name, self.details.last_name)

    @property
    def records_text(self) -> str:
        """``referrals 3, sessions 12, notes 2`` (or ``no other records``)."""
        parts = [f"{record_words(t)} {n}" for t, n in self.records.items()]
        return ", ".join(parts) or "no other records"


@dataclass(frozen=True)
class MergePreview:
    a: MergeSide
    b: MergeSide
    differing: tuple[str, ...]  # field names whose values differ
    refusal: str | None  # why these two cannot be merged now, or None


@dataclass(frozen=True)
class MergeView:
    """A merge done, for the data-quality screen's list."""

    id: int
    kept_id: int
    kept_case_ref: str
    merged_id: int
    merged_case_ref: str
    merged_at: dt.datetime  # local
    merged_by: str | None
    fields_taken: tuple[str, ...]  # labels of the fields that took the merged record's value
    rows_moved: int
    reason: str | None
    undone_at: dt.datetime | None  # local
    undone_by: str | None


def field_text(field: str, value: Any) -> str:
    """A field's value as the dialog shows it side by side."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return format_uk_date(value)
    label = getattr(value, "label", None)
    return str(label) if label is not None else str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _typed(field: str, value: Any) -> Any:
    """A value stored as JSON back in its column's type (a date, an enum)."""
    if value is None:
        return None
    python_type = YoungPerson.__table__.c[field].type.python_type
    if python_type is dt.date:
        return dt.date.fromisoformat(value)
    if issubclass(python_type, enum.Enum):
        return python_type(value)
    return value


def person_columns() -> list[tuple[Table, Column[Any]]]:
    """Every column of every table that names a young person (a foreign key to
    ``young_person.id``), but for the rows a merge never moves: read from the models, so a
    table another part of the app adds is covered without anyone remembering to list it."""
    found: list[tuple[Table, Column[Any]]] = []
    for table in Base.metadata.sorted_tables:
        if table.name in _NOT_MOVED:
            continue
        for column in table.columns:
            if any(
                key.column.table.name == "young_person" and key.column.name == "id"
                for key in column.foreign_keys
            ):
                found.append((table, column))
    return found


def _single_owner_tables() -> frozenset[str]:
    """Tables where a young person has at most one row (a unique key on the column alone,
    e.g. the caseworker's analysis): the kept record's row stays, the other's is left."""
    single: set[str] = set()
    for table, column in person_columns():
        for constraint in table.constraints:
            columns = list(getattr(constraint, "columns", []))
            if constraint.__class__.__name__ == "UniqueConstraint" and columns == [column]:
                single.add(table.name)
        if column.unique:
            single.add(table.name)
    return frozenset(single)


def _key_of(table: Table, row: Any) -> str:
    return json.dumps([row._mapping[c.name] for c in table.primary_key.columns])


def _key_filter(table: Table, key: str) -> Any:
    values = json.loads(key)
    columns = list(table.primary_key.columns)
    if len(columns) == 1:
        return columns[0] == values[0]
    return tuple_(*columns) == tuple(values)


class MergingService(Service):
    """Managers only: merging changes two cases at once, whoever they are allocated to."""

    def preview(self, a_id: int, b_id: int) -> MergePreview:
        """Both records side by side, what differs, and whether they can be merged now. Each
        record shown is audited as viewed."""
        with self._write() as session:
            require_role(self.actor, Role.MANAGER, doing="compare records to merge them")
            a = get_or_404(session, YoungPerson, a_id, "young person")
            b = get_or_404(session, YoungPerson, b_id, "young person")
            differing = tuple(name for name in FIELD_LABELS if getattr(a, name) != getattr(b, name))
            refusal = None
            try:
                self._check_mergeable(session, a, b)
            except ValidationError as error:
                refusal = " ".join(error.fields.values())
            for person, other in ((a, b), (b, a)):
                self._audit(
                    session,
                    AuditAction.VIEW,
                    entity=person,
                    person_id=person.id,
                    summary=f"Compared with {other.case_ref} as a possible duplicate",
                )
            return MergePreview(self._side(session, a), self._side(session, b), differing, refusal)

    def merge(
        self,
        keep_id: int,
        other_id: int,
        choices: Mapping[str, Side],
        *,
        kept_version: int,
        other_version: int,
        reason: str | None = None,
    ) -> int:
        """Merges ``other_id`` into ``keep_id``: the fields chosen from the other record, all
        its rows moved, the other kept as a tombstone. Returns the merge's id."""
        unknown = sorted(set(choices) - set(FIELD_LABELS))
        if unknown:
            raise ValidationError({"choices": f"Not a field of a young person: {unknown[0]}."})
        reason = stored_text(reason)
        if reason is not None and len(reason) > 2000:
            raise ValidationError({"reason": "Keep the reason under 2,000 characters."})
        with self._write() as session:
            require_role(self.actor, Role.MANAGER, doing="merge duplicate records")
            keep = get_or_404(session, YoungPerson, keep_id, "young person")
            other = get_or_404(session, YoungPerson, other_id, "young person")
            check_version(session, keep, kept_version)
            check_version(session, other, other_version)
            joins = self._check_mergeable(session, keep, other)
            merge = PersonMerge(
                kept_id=keep.id,
                merged_id=other.id,
                kept_case_ref=keep.case_ref,
                merged_case_ref=other.case_ref,
                merged_by_id=self.actor.user_id,
                reason=reason,
            )
            session.add(merge)
            session.flush()
            taken = [
                name
                for name in FIELD_LABELS
                if choices.get(name) is Side.OTHER and getattr(keep, name) != getattr(other, name)
            ]
            before = {name: _plain(getattr(keep, name)) for name in taken}
            changes = {name: (getattr(keep, name), getattr(other, name)) for name in taken}
            for name in taken:
                setattr(keep, name, getattr(other, name))
            merge.choices = json.dumps(
                {
                    name: str(Side.OTHER if name in taken else Side.KEPT)
                    for name in FIELD_LABELS
                    if name in taken or getattr(keep, name) != getattr(other, name)
                }
            )
            merge.kept_before = json.dumps(before, ensure_ascii=False)
            moved = self._move_rows(session, merge, keep.id, other.id, joins)
            other.merged_into_id = keep.id
            self._refresh(session, keep)
            case_state.refresh(session, other.id)
            case_state.refresh(session, keep.id)
            words = ", ".join(FIELD_LABELS[name] for name in taken) or "none"
            self._stamp(keep)
            self._stamp(other)
            self._audit(
                session,
                AuditAction.UPDATE,
                entity=keep,
                person_id=keep.id,
                summary=(
                    f"Merged {other.case_ref} into this record: {moved}; "
                    f"details taken from {other.case_ref}: {words}"
                ),
                changes=changes or None,
            )
            self._audit(
                session,
                AuditAction.UPDATE,
                entity=other,
                person_id=other.id,
                summary=f"Merged into {keep.case_ref}: this record is kept only as a pointer",
                changes={"merged_into_id": (None, keep.id)},
            )
            self._audit(
                session,
                AuditAction.CREATE,
                entity=merge,
                person_id=keep.id,
                summary=f"Merge of {other.case_ref} into {keep.case_ref}",
            )
            self._whole_case_changed(session, keep.id)
            self._whole_case_changed(session, other.id)
            return merge.id

    def undo(self, merge_id: int) -> None:
        """Moves exactly the rows the merge moved back, restores the kept record's values the
        merge replaced (those not changed since) and makes the other record whole again."""
        with self._write() as session:
            require_role(self.actor, Role.MANAGER, doing="undo a merge")
            merge = get_or_404(session, PersonMerge, merge_id, "merge")
            if merge.undone_at is not None:
                raise ValidationError({"merge": "This merge has already been undone."})
            keep = session.get_one(YoungPerson, merge.kept_id)
            other = session.get_one(YoungPerson, merge.merged_id)
            later = session.scalars(
                select(PersonMerge)
                .where(
                    PersonMerge.id > merge.id,
                    PersonMerge.undone_at.is_(None),
                    (PersonMerge.kept_id == keep.id) | (PersonMerge.merged_id == keep.id),
                )
                .order_by(PersonMerge.id.desc())
                .limit(1)
            ).first()
            if later is not None:
                raise ValidationError(
                    {
                        "merge": (
                            f"{keep.case_ref} was merged again later ({later.merged_case_ref} "
                            f"into {later.kept_case_ref}). Undo that merge first."
                        )
                    }
                )
            if keep.anonymised_at is not None or other.anonymised_at is not None:
                raise ValidationError(
                    {"merge": "A record of this merge has been anonymised: it cannot be undone."}
                )
            tables = {table.name: table for table in Base.metadata.sorted_tables}
            moved_back = 0
            for row in reversed(merge.rows):
                table = tables.get(row.table_name)
                if table is None:
                    continue
                column = table.c[row.column_name]
                result = session.connection().execute(
                    update(table)
                    .where(_key_filter(table, row.row_key), column == row.new_value)
                    .values({column.name: row.old_value})
                )
                moved_back += result.rowcount or 0
            before = json.loads(merge.kept_before)
            restored: dict[str, tuple[Any, Any]] = {}
            for name, value in before.items():
                if getattr(keep, name) != getattr(other, name):
                    continue  # changed since the merge: the later edit stands
                old = _typed(name, value)
                restored[name] = (getattr(keep, name), old)
                setattr(keep, name, old)
            other.merged_into_id = None
            merge.undone_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            merge.undone_by_id = self.actor.user_id
            session.flush()  # before the statements' rows are read again
            session.expire_all()
            keep = session.get_one(YoungPerson, merge.kept_id)
            other = session.get_one(YoungPerson, merge.merged_id)
            self._refresh(session, keep)
            self._refresh(session, other)
            case_state.refresh(session, keep.id)
            case_state.refresh(session, other.id)
            self._stamp(keep)
            self._stamp(other)
            self._audit(
                session,
                AuditAction.UPDATE,
                entity=keep,
                person_id=keep.id,
                summary=(
                    f"Merge of {merge.merged_case_ref} undone: {moved_back} "
                    f"{'row' if moved_back == 1 else 'rows'} moved back to {other.case_ref}"
                ),
                changes=restored or None,
            )
            self._audit(
                session,
                AuditAction.UPDATE,
                entity=other,
                person_id=other.id,
                summary=f"Merge into {keep.case_ref} undone: this record is whole again",
                changes={"merged_into_id": (keep.id, None)},
            )
            self._whole_case_changed(session, keep.id)
            self._whole_case_changed(session, other.id)

    def where_now(self, person_id: int) -> tuple[int, str | None]:
        """The record a young person's history lives in now: ``(person_id, None)``, or, for a
        record merged into another (through any chain of merges), the kept record's id and a
        sentence saying so. A link kept from before a merge (an open-cases list, a task, a
        panel agenda) then opens the history, not the empty tombstone. Only ids and case
        references: opening the kept record checks access as any case does."""
        with self._read() as session:
            seen = {person_id}
            row = session.get(YoungPerson, person_id)
            first = row
            while row is not None and row.merged_into_id is not None:
                if row.merged_into_id in seen:  # never loops, even on a damaged file
                    break
                seen.add(row.merged_into_id)
                row = session.get(YoungPerson, row.merged_into_id)
            if row is None or first is None or row.id == person_id:
                return person_id, None
            return (
                row.id,
                f"{first.case_ref} was merged into {row.case_ref}: showing {row.case_ref}.",
            )

    def merges(self, limit: int = 200) -> list[MergeView]:
        """Merges done, the latest first (undone ones included, marked)."""
        with self._read() as session:
            require_role(self.actor, Role.MANAGER, doing="see merges of duplicate records")
            names = dict(session.execute(select(User.id, User.display_name)).all())
            counts = dict(
                session.execute(
                    select(PersonMergeRow.merge_id, func.count())
                    .where(PersonMergeRow.column_name != "open_case_referral_id")
                    .group_by(PersonMergeRow.merge_id)
                ).all()
            )
            views = []
            for merge in session.scalars(
                select(PersonMerge).order_by(PersonMerge.id.desc()).limit(limit)
            ):
                taken = json.loads(merge.kept_before)
                views.append(
                    MergeView(
                        id=merge.id,
                        kept_id=merge.kept_id,
                        kept_case_ref=merge.kept_case_ref,
                        merged_id=merge.merged_id,
                        merged_case_ref=merge.merged_case_ref,
                        merged_at=utc_to_local(merge.merged_at),
                        merged_by=names.get(merge.merged_by_id) if merge.merged_by_id else None,
                        fields_taken=tuple(FIELD_LABELS[name] for name in taken),
                        rows_moved=counts.get(merge.id, 0),
                        reason=merge.reason,
                        undone_at=utc_to_local(merge.undone_at) if merge.undone_at else None,
                        undone_by=names.get(merge.undone_by_id) if merge.undone_by_id else None,
                    )
                )
            return views

    # --- the parts ------------------------------------------------------------------------

    def _side(self, session: Session, person: YoungPerson) -> MergeSide:
        return MergeSide(
            person_id=person.id,
            version=person.version,
            case_ref=person.case_ref,
            details=details_of(person),
            status=person.current_status,
            worker=user_name(session, person.current_worker_id),
            records=self._records(session, person.id),
        )

    def _records(self, session: Session, person_id: int) -> dict[str, int]:
        counts: dict[str, int] = {}
        for table, column in person_columns():
            count = session.scalar(
                select(func.count()).select_from(table).where(column == person_id)
            )
            if count:
                counts[table.name] = counts.get(table.name, 0) + count
        return counts

    def _check_mergeable(
        self, session: Session, keep: YoungPerson, other: YoungPerson
    ) -> dict[int, int]:
        """Refuses what cannot be merged; returns the referrals that will join the other
        record's open episode as further referrals (``{referral id: episode id}``)."""
        if keep.id == other.id:
            raise ValidationError({"other": "Choose two different records to merge."})
        for person in (keep, other):
            if person.merged_into_id is not None:
                into = session.get(YoungPerson, person.merged_into_id)
                where = into.case_ref if into else "another record"
                raise ValidationError(
                    {"other": f"{person.case_ref} has already been merged into {where}."}
                )
            if person.anonymised_at is not None:
                raise ValidationError(
                    {"other": f"{person.case_ref} has been anonymised: it cannot be merged."}
                )
        episodes = case_state.open_episodes(session, [keep.id, other.id])
        if len(episodes) < 2:
            return {}
        first, second = sorted(episodes.values())  # the later referral joins the earlier
        statuses = dict(
            session.execute(
                select(Referral.id, Referral.status).where(Referral.id.in_([first, second]))
            ).all()
        )
        owner = {referral: person for person, referral in episodes.items()}
        refs = {keep.id: keep.case_ref, other.id: other.case_ref}
        if statuses[first].is_open_case and statuses[second].is_open_case:
            raise ValidationError(
                {
                    "other": (
                        f"Both records have an open case ({refs[owner[first]]} and "
                        f"{refs[owner[second]]}). A young person has one open case at a time: "
                        "close one of them, then merge."
                    )
                }
            )
        if statuses[second].is_open_case:
            raise ValidationError(
                {
                    "other": (
                        f"{refs[owner[first]]} has a referral awaiting triage received before "
                        f"the open case on {refs[owner[second]]}: decide it (decline it as a "
                        "duplicate, or accept it) first, then merge."
                    )
                }
            )
        further = session.scalars(
            select(Referral.id).where(Referral.open_case_referral_id == second)
        )
        joining = [second, *further]
        return {referral: first for referral in joining}

    def _move_rows(
        self,
        session: Session,
        merge: PersonMerge,
        keep_id: int,
        other_id: int,
        joins: Mapping[int, int],
    ) -> str:
        """Moves every row of the other record and records each; returns the summary."""
        session.flush()
        single = _single_owner_tables()
        moved: dict[str, int] = {}
        columns_of: dict[str, list[Column[Any]]] = {}
        for table, column in person_columns():
            columns_of.setdefault(table.name, []).append(column)
        left: list[str] = []
        for table, column in person_columns():
            if table.name in single:
                has_own = session.scalar(
                    select(func.count()).select_from(table).where(column == keep_id)
                )
                if has_own:
                    left.append(record_words(table.name))
                    continue
            # A row linking the two records to each other (person_link) stays where it is:
            # moved, it would link the young person to themselves.
            not_linking = [
                or_(c.is_(None), c != keep_id) for c in columns_of[table.name] if c is not column
            ]
            rows = session.execute(
                select(*table.primary_key.columns).where(column == other_id, *not_linking)
            ).all()
            if not rows:
                continue
            keys = [_key_of(table, row) for row in rows]
            for key in keys:
                session.execute(
                    update(table)
                    .where(_key_filter(table, key), column == other_id)
                    .values({column.name: keep_id})
                )
            session.add_all(
                PersonMergeRow(
                    merge_id=merge.id,
                    table_name=table.name,
                    column_name=column.name,
                    row_key=key,
                    old_value=other_id,
                    new_value=keep_id,
                )
                for key in keys
            )
            moved[table.name] = moved.get(table.name, 0) + len(keys)
        for referral_id, episode_id in joins.items():
            old = session.scalar(
                select(Referral.open_case_referral_id).where(Referral.id == referral_id)
            )
            session.execute(
                update(Referral)
                .where(Referral.id == referral_id)
                .values(open_case_referral_id=episode_id)
                .execution_options(synchronize_session=False)
            )
            session.add(
                PersonMergeRow(
                    merge_id=merge.id,
                    table_name="referral",
                    column_name="open_case_referral_id",
                    row_key=json.dumps([referral_id]),
                    old_value=old,
                    new_value=episode_id,
                )
            )
        session.flush()
        session.expire_all()
        parts = [f"{record_words(table)} {count}" for table, count in moved.items()]
        said = ", ".join(parts) + " moved" if parts else "no records to move"
        if joins:
            said += "; its referral awaiting triage joins the open case as a further referral"
        if left:
            said += f"; kept this record's {', '.join(left)} (the other's stays with it)"
        return said

    def _refresh(self, session: Session, person: YoungPerson) -> None:
        """The sort key and search tokens follow the names."""
        person.sort_name = sort_name_of(person.last_name, person.first_name)
        index_names(session, person)
