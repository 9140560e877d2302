"""What every service shares: short sessions, one transaction per write, errors translated
into the typed errors the UI and CLI show, and refusals audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from functools import cache
from typing import Any, Protocol, TypeVar

from sqlalchemy import bindparam, event, inspect, select
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from sqlalchemy.orm import Mapper, ORMExecuteState, Session
from sqlalchemy.orm.exc import StaleDataError

from veru_desk.db.engine import Database
from veru_desk.db.failures import DatabaseFailure
from veru_desk.db.failures import explain as explain  # re-exported: the UI asks here
from veru_desk.db.models import Base, User, UserRole, YoungPerson
from veru_desk.domain.dates import format_uk_datetime
from veru_desk.domain.enums import AuditAction, Role
from veru_desk.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from veru_desk.services import audit
from veru_desk.services.access import require_case_access
from veru_desk.services.actor import Actor
from veru_desk.services.audit import apply_changes
from veru_desk.services.changes import ChangeRecorder, Changes, Kind, publish
from veru_desk.services.refusals import AccountRefused, tell_listeners

T = TypeVar("T", bound=Base)


class CaseRecord(Protocol):
    """A record of one case: it names its young person and carries a version."""

    # As an instance reads them (a Mapped column reads as its value), so models match.
    young_person_id: int
    version: int


C = TypeVar("C", bound=CaseRecord)

#: Which kinds of record a write to each table changes. Every table is named (a test checks):
#: a table left out would be a change no screen hears of. None: bookkeeping no screen shows.
KINDS_OF_TABLE: dict[str, tuple[Kind, ...] | None] = {
    "young_person": (Kind.PERSON,),
    "name_token": (Kind.PERSON,),
    "contact": (Kind.PERSON,),
    "referral": (Kind.REFERRAL, Kind.CASE),
    "referral_reason": (Kind.REFERRAL,),
    "referral_transition": (Kind.REFERRAL, Kind.CASE),
    "risk_assessment": (Kind.RISK,),
    "intervention_plan": (Kind.PLAN,),
    "plan_goal": (Kind.PLAN,),
    "plan_action": (Kind.PLAN,),
    "session_series": (Kind.SESSION,),
    "series_exception": (Kind.SESSION,),
    "mentoring_session": (Kind.SESSION,),
    "outcome": (Kind.OUTCOME,),
    "outcome_measure": (Kind.OUTCOME,),
    "outcome_value": (Kind.OUTCOME,),
    "case_note": (Kind.NOTE,),
    "document_export": (Kind.EXPORT,),
    "sharing_decision": (Kind.EXPORT,),
    "case_analysis": (Kind.ANALYSIS,),
    "safeguarding_flag": (Kind.FLAG,),
    "attachment": (Kind.ATTACHMENT,),
    "task": (Kind.TASK,),
    "person_merge": (Kind.PERSON, Kind.MERGE),
    "person_merge_row": (Kind.MERGE,),
    "group_series": (Kind.GROUP,),
    "group_session": (Kind.GROUP,),
    "panel_meeting": (Kind.PANEL,),
    "panel_attendee": (Kind.PANEL,),
    "panel_item": (Kind.PANEL,),
    "panel_action": (Kind.PANEL,),
    "person_of_concern": (Kind.NETWORK,),
    "place": (Kind.NETWORK,),
    "person_link": (Kind.NETWORK,),
    "concern_link": (Kind.NETWORK,),
    "place_link": (Kind.NETWORK,),
    "incident": (Kind.INCIDENT,),
    "incident_party": (Kind.INCIDENT,),
    "agency": (Kind.AGENCY,),
    "professional": (Kind.AGENCY,),  # the directory of professionals, beside the agencies
    "user": (Kind.USER,),
    "user_role": (Kind.USER,),
    "setting": (Kind.SETTINGS,),
    "audit_event": None,  # every write audits: shown by the audit page, which reads on show
    "audit_chain_head": None,
    "case_ref_counter": None,
}

_RECORDER = "veru_changes"
#: ``session.info``: the roles each account still held when this transaction checked it.
_CHECKED = "veru_account_checked"
#: The account check every service action starts with: built once, and run as a plain
#: statement on the session's connection (no ORM entities to load), since it is on the path
#: of every read (a tenth of the caseload's first page when it was an ORM select).
_ACCOUNT = (
    select(User.active, UserRole.role)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(User.id == bindparam("user_id"))
)


#: Rows that do not carry the young person's id: the column naming the row they hang from.
_PARENT_OF_TABLE: dict[str, str] = {
    "plan_goal": "plan_id",
    "plan_action": "goal_id",
    "series_exception": "series_id",
    "referral_reason": "referral_id",
    "referral_transition": "referral_id",
    "outcome_value": "outcome_id",
}

#: Every kind a case's workspace shows: what a change to the whole case (erased,
#: anonymised) touches.
CASE_KINDS: tuple[Kind, ...] = (
    Kind.PERSON,
    Kind.REFERRAL,
    Kind.CASE,
    Kind.PLAN,
    Kind.SESSION,
    Kind.NOTE,
    Kind.RISK,
    Kind.OUTCOME,
    Kind.EXPORT,
    Kind.ANALYSIS,
    Kind.FLAG,
    Kind.NETWORK,
    Kind.INCIDENT,
    Kind.PANEL,
    Kind.ATTACHMENT,
    Kind.TASK,
)


def _person_of(session: Session, row: object, depth: int = 0) -> int | None:
    """The young person a flushed row belongs to: its own column, or its parent's when the
    parent is in the session already (no query inside a flush). Otherwise None, which
    touches every person: a wider refresh, never a missed one."""
    table = getattr(row, "__tablename__", None)
    if table == "young_person":
        return getattr(row, "id", None)
    person = getattr(row, "young_person_id", None)
    if isinstance(person, int):
        return person
    column = _PARENT_OF_TABLE.get(table or "")
    if column is None or depth > 2:
        return None
    parent_id = getattr(row, column, None)
    parent_mapper = _parent_mapper(type(row), column)  # type: ignore[arg-type]  # classes hash
    if parent_id is None or parent_mapper is None:
        return None
    parent = session.identity_map.get(parent_mapper.identity_key_from_primary_key((parent_id,)))
    return None if parent is None else _person_of(session, parent, depth + 1)


@cache
def _parent_mapper(model: type, column: str) -> Mapper[Any] | None:
    of_model: Mapper[Any] = inspect(model)
    [key] = of_model.columns[column].foreign_keys
    for mapper in Base.registry.mappers:
        if mapper.local_table is key.column.table:
            return mapper
    return None


def _record_rows(session: Session, rows: Iterable[object]) -> None:
    recorder = session.info.get(_RECORDER)
    if not isinstance(recorder, ChangeRecorder):
        return
    for row in rows:
        table = getattr(row, "__tablename__", None)
        kinds = KINDS_OF_TABLE.get(table, ()) if isinstance(table, str) else ()
        for kind in kinds or ():
            recorder.record(kind, _person_of(session, row))


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: object) -> None:
    """Every row a write transaction inserts, updates or deletes names its kind: the
    change set is built from what was written, not from what the code remembered to say."""
    _record_rows(session, [*session.new, *session.dirty, *session.deleted])


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state: ORMExecuteState) -> None:
    """An INSERT, UPDATE or DELETE statement (not one row object) changes its table for
    every person."""
    recorder = state.session.info.get(_RECORDER)
    if not isinstance(recorder, ChangeRecorder) or state.is_select:
        return
    table = getattr(state.statement, "table", None)
    kinds = KINDS_OF_TABLE.get(getattr(table, "name", ""), ())
    for kind in kinds or ():
        recorder.record(kind)


class Service:
    def __init__(self, db: Database, actor: Actor) -> None:
        self.db = db
        self.actor = actor
        self._signed_in = actor  # the roles held at sign-in: never widened later
        self.last_changes = Changes()  # what this service's latest write changed

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One transaction: validation, permission, change and audit commit together; once
        committed, what it changed is published (``services.changes``) to the open screens.
        """
        recorder = ChangeRecorder()
        with self._translated_errors():
            with self.db.write() as session:
                session.info[_RECORDER] = recorder
                self._check_account(session)
                yield session
            session.info.pop(_RECORDER, None)
        self.last_changes = recorder.changes()
        publish(self.last_changes)

    def _changed(self, session: Session, kind: Kind, person_id: int | None = None) -> None:
        """Records a change no flushed row shows (a restore; rows a statement or the
        database's cascade changed) into the transaction's change set."""
        recorder = session.info.get(_RECORDER)
        if isinstance(recorder, ChangeRecorder):
            recorder.record(kind, person_id)

    def _whole_case_changed(self, session: Session, person_id: int) -> None:
        """Erasing or anonymising changes every record of one case, most by statement or
        cascade: every screen showing that case reads it again."""
        for kind in CASE_KINDS:
            self._changed(session, kind, person_id)

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self._translated_errors(), self.db.read() as session:
            self._check_account(session)
            yield session

    def _check_account(self, session: Session) -> None:
        """Refuses an account disabled since it signed in, and narrows its roles to those it
        still holds: an administrator's change takes effect at the next action, in the same
        transaction as that action (one primary-key lookup), not at the next sign-in.

        Roles granted since the sign-in wait for the next sign-in: a session never gains
        rights its user did not prove a password for.
        """
        signed_in = getattr(self, "_signed_in", self.actor)
        if signed_in.user_id is None:
            return  # the installer, the demo generator, the recovery key: no account
        checked: dict[int, frozenset[Role]] = session.info.setdefault(_CHECKED, {})
        if signed_in.user_id in checked:
            # Already checked in this transaction (several services reading together,
            # ``Database.reading_together``): the same answer, without asking again.
            held = signed_in.roles & checked[signed_in.user_id]
            if held != self.actor.roles:
                self.actor = replace(signed_in, roles=held)
            return
        rows = session.connection().execute(_ACCOUNT, {"user_id": signed_in.user_id}).all()
        if not rows or not rows[0].active:
            refusal = AccountRefused(
                f"{signed_in.display_name}'s account has been disabled by an administrator, "
                "so this session has ended and nothing was changed. Ask your administrator "
                "if this is a mistake.",
                db=self.db,
                user_id=signed_in.user_id,
            )
            tell_listeners(refusal)
            raise refusal
        held = signed_in.roles & frozenset(role for _active, role in rows if role is not None)
        checked[signed_in.user_id] = held
        if held != self.actor.roles:
            self.actor = replace(signed_in, roles=held)

    @contextmanager
    def _translated_errors(self) -> Iterator[None]:
        try:
            yield
        except PermissionDenied as denied:
            self._audit_denial(denied)
            raise
        except StaleDataError as error:
            # Saved between our version check and our write: the same clash as a stale
            # version, so the form offers the same merge (the writer is not known here).
            raise ConflictError(
                "Someone else changed this record while you were editing it. "
                "Your changes have been kept: review the latest version and save again.",
                changed_by="someone else",
            ) from error
        except IntegrityError as error:
            raise ConflictError(
                f"The change clashes with a record already saved: {error.orig}"
            ) from error
        except (DBAPIError, StatementError) as error:
            # Locked, unreachable, a value the server cannot store, damaged: one classifier
            # (db.failures) for every layer, so no message blames the wrong cause.
            failure = explain(error, encrypted=self.db.key is not None)
            if failure is not None:
                raise failure from error
            raise

    def _audit_denial(self, denied: PermissionDenied) -> None:
        try:
            with self.db.write() as session:
                audit.record(
                    session,
                    self.actor,
                    AuditAction.DENIED,
                    person_id=denied.person_id,
                    summary=denied.attempted,
                )
        except (DBAPIError, StatementError) as error:
            # The refusal stands either way; the person is told why it could not be recorded
            # (locked, unreachable...) rather than shown a raw driver error.
            failure = explain(error, encrypted=self.db.key is not None)
            if failure is None:
                raise
            raise DatabaseFailure(
                failure.cause, f"{denied} The refusal could not be recorded: {failure}"
            ) from error

    def _audit(self, session: Session, action: AuditAction, **kwargs: Any) -> None:
        audit.record(session, self.actor, action, **kwargs)

    # --- the one write recipe: check the case, validate, build, stamp, add, audit ------------

    def _case_person(self, session: Session, person_id: int, doing: str) -> YoungPerson:
        """The case's person, checked: the actor may work on this case (``doing`` names the
        attempt in the refusal and its audit row) and the person exists."""
        require_case_access(session, self.actor, person_id, doing=doing)
        return get_or_404(session, YoungPerson, person_id, "young person")

    def _case_record(
        self,
        session: Session,
        model: type[C],
        ident: int,
        what: str,
        doing: str,
        expected_version: int | None,
    ) -> tuple[C, YoungPerson]:
        """A record of a case to change, checked: it exists, the actor may work on its case,
        and nobody saved it since it was read. Returns it with its person."""
        row = get_or_404(session, model, ident, what)  # type: ignore[type-var]  # a mapped class
        person_id = row.young_person_id
        require_case_access(session, self.actor, person_id, doing=doing)
        check_version(session, row, expected_version)
        return row, session.get_one(YoungPerson, person_id)

    def _create(self, session: Session, row: T, *, person_id: int | None, summary: str) -> T:
        """Created, stamped and audited, with the write's change set naming its kind and its
        person (see ``KINDS_OF_TABLE``: the flush records it)."""
        self._stamp(row)
        session.add(row)
        self._audit(session, AuditAction.CREATE, entity=row, person_id=person_id, summary=summary)
        return row

    def _updated(
        self,
        session: Session,
        row: Any,
        values: Mapping[str, Any],
        *,
        person_id: int | None,
        summary: str | Callable[[], str],
    ) -> dict[str, tuple[Any, Any]]:
        """The row's values changed, stamped and audited with the fields that changed; an
        unchanged save writes nothing and returns no changes. A callable ``summary`` is
        worded after the change, from the values as stored."""
        changes = apply_changes(row, values)
        if changes:
            said = summary() if callable(summary) else summary
            self._record_update(session, row, changes, person_id=person_id, summary=said)
        return changes

    def _record_update(
        self,
        session: Session,
        row: Any,
        changes: dict[str, tuple[Any, Any]],
        *,
        person_id: int | None,
        summary: str,
    ) -> None:
        """Stamps and audits changes already made to ``row`` (scores, goals' child rows)."""
        self._stamp(row)
        self._audit(
            session,
            AuditAction.UPDATE,
            entity=row,
            person_id=person_id,
            summary=summary,
            changes=changes,
        )

    def _stamp(self, obj: Any) -> None:
        """Marks who changed a tracked record (who and when is what a conflict reports)."""
        if obj.created_by_id is None and obj.id is None:
            obj.created_by_id = self.actor.user_id
        obj.updated_by_id = self.actor.user_id


@contextmanager
def explained_database_errors(db: Database) -> Iterator[None]:
    """For the few use cases outside a ``Service`` (signing in and out): a database error
    becomes the typed ``DatabaseFailure`` that says its cause, as in ``_translated_errors``."""
    try:
        yield
    except (DBAPIError, StatementError) as error:
        if isinstance(error, IntegrityError):
            raise
        failure = explain(error, encrypted=db.key is not None)
        if failure is None:
            raise
        raise failure from error


def refuse_problems(problems: Mapping[str, str]) -> None:
    """A form's problems, one message per field, refuse the save before anything is written."""
    if problems:
        raise ValidationError(dict(problems))


def get_or_404(session: Session, model: type[T], ident: int, what: str | None = None) -> T:
    obj = session.get(model, ident)
    if obj is None:
        raise NotFound(f"No {what or model.__tablename__.replace('_', ' ')} with id {ident}.")
    return obj


def user_name(session: Session, user_id: int | None) -> str | None:
    """The name shown beside a user's work, or None: one column, where ``session.get(User)``
    would read the whole account and then its roles, a second statement (a round trip each
    on a server, for every record a screen names someone on)."""
    if user_id is None:
        return None
    return session.scalar(select(User.display_name).where(User.id == user_id))


def user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """``user_name`` for many users at once, by id: one statement of two columns."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return {user_id: name for user_id, name in rows}


def check_version(session: Session, obj: Any, expected: int | None) -> None:
    """Refuses a save based on an out-of-date read, naming who changed it and when."""
    if expected is None or obj.version == expected:
        return
    name = user_name(session, obj.updated_by_id) or "another user"
    when = format_uk_datetime(utc_to_local(obj.updated_at))
    raise ConflictError(
        f"This record was changed by {name} at {when} after you opened it. "
        "Your changes have been kept: review the latest version and save again.",
        changed_by=name,
        changed_at=when,
    )


def utc_to_local(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)
