"""Young people: their details, duplicates, and the search the whole app leans on.

Minimal disclosure: a caseworker's search, duplicate check and import preview show their own
cases (``access.own_cases``) in full. Anyone else's record appears only on an exact match (the
full case reference, the NHS number, or the full name with the date of birth) and then only as
"on record: VERU-2026-00042, allocated to Grace Mensah", enough to avoid a duplicate or call a
colleague and no more; each such look-up is audited. Typing "a" or "VERU-" lists nobody else.
Managers see everyone in full, as they supervise every caseload.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    TextClause,
    and_,
    any_,
    bindparam,
    delete,
    func,
    insert,
    intersect,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import Date, String

from veru_desk.db.models import Base, NameToken, User, YoungPerson, utcnow
from veru_desk.db.sequences import reserve_case_numbers
from veru_desk.domain.case_reference import (
    format_case_reference,
    looks_like_case_reference,
    parse_case_reference,
    reference_sort_key,
)
from veru_desk.domain.dates import parse_uk_date
from veru_desk.domain.enums import (
    AuditAction,
    EducationStatus,
    Ethnicity,
    Gender,
    ReferralStatus,
    RiskLevel,
    Role,
    SafeguardingFlag,
)
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.names import fold, name_tokens, query_tokens
from veru_desk.domain.nhs import normalise_nhs_number
from veru_desk.domain.phone import normalise_phone
from veru_desk.domain.postcode import normalise_postcode
from veru_desk.domain.text import check_names, clean_free_text
from veru_desk.services import audit
from veru_desk.services.access import (
    own_case_ids,
    own_cases,
    require_case_access,
    require_role,
)
from veru_desk.services.actor import Actor
from veru_desk.services.audit import apply_changes
from veru_desk.services.base import Service, check_version, get_or_404, user_name

MAX_NAME = 100

# The safeguarding flags as PersonDetails fields, with the words caseworkers use for them.
SAFEGUARDING_FLAGS: tuple[tuple[str, str], ...] = (
    ("looked_after", SafeguardingFlag.LOOKED_AFTER.label),
    ("child_protection_plan", SafeguardingFlag.CHILD_PROTECTION.label),
    ("child_in_need", SafeguardingFlag.CHILD_IN_NEED.label),
    ("send", SafeguardingFlag.SEND.label),
    ("known_to_youth_justice", SafeguardingFlag.YOUTH_JUSTICE.label),
)


def flag_labels(record: object) -> list[str]:
    """The flags set on a person (a model row or PersonDetails), in the usual order."""
    return [label for field, label in SAFEGUARDING_FLAGS if getattr(record, field)]


# Fields that name or identify: a control character in one is refused (domain.text).
_NAME_FIELDS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "preferred_name": "Preferred name",
    "gender_detail": "Gender (in their words)",
    "postcode": "Postcode",
    "phone": "Phone",
    "email": "Email",
    "nhs_number": "NHS number",
    "education_setting": "School or college",
}


@dataclass(frozen=True)
class PersonDetails:
    """What a form or an import row says about a young person, already typed."""

    first_name: str
    last_name: str
    date_of_birth: dt.date
    preferred_name: str | None = None
    gender: Gender = Gender.NOT_KNOWN
    gender_detail: str | None = None
    ethnicity: Ethnicity = Ethnicity.NOT_STATED
    address: str | None = None
    postcode: str | None = None
    phone: str | None = None
    email: str | None = None
    nhs_number: str | None = None
    education_setting: str | None = None
    education_status: EducationStatus = EducationStatus.NOT_KNOWN
    looked_after: bool = False
    child_protection_plan: bool = False
    child_in_need: bool = False
    send: bool = False
    known_to_youth_justice: bool = False

    def validated(self, today: dt.date | None = None) -> PersonDetails:
        """Checks every field and returns a normalised copy; all problems in one error."""
        today = today or dt.date.today()
        errors: dict[str, str] = {}
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        errors.update(check_names(values, _NAME_FIELDS, {"email": 254, "education_setting": 200}))
        values["address"] = clean_free_text(values["address"])
        for name in ("first_name", "last_name", "preferred_name", "gender_detail"):
            text = (values[name] or "").strip()
            values[name] = text or None
            if len(text) > MAX_NAME:
                errors.setdefault(name, f"Keep this under {MAX_NAME} characters.")
        for name, label in (("first_name", "First name"), ("last_name", "Last name")):
            if not values[name]:
                errors[name] = f"{label} is required."
        dob = values["date_of_birth"]
        if dob is None:
            errors["date_of_birth"] = "Date of birth is required (dd/mm/yyyy)."
        elif dob > today:
            errors["date_of_birth"] = "Date of birth is in the future: check the year."
        elif dob.year < today.year - 100:
            errors["date_of_birth"] = "Date of birth is more than 100 years ago: check the year."
        for name, normalise in (
            ("nhs_number", normalise_nhs_number),
            ("postcode", normalise_postcode),
            ("phone", normalise_phone),
        ):
            if name in errors:
                continue  # a control character: that message says what to fix
            try:
                values[name] = normalise(values[name] or "", name)
            except ValidationError as error:
                errors.update(error.fields)
        for name in ("address", "email", "education_setting"):
            values[name] = (values[name] or "").strip() or None
        if values["email"] and "@" not in values["email"]:
            errors["email"] = "Email address needs an @, e.g. name@example.org."
        if errors:
            raise ValidationError(errors)
        return replace(self, **values)


@dataclass(frozen=True)
class SearchHit:
    """A person found. ``on_record_only``: someone else's case found by an exact match, of
    which only the case reference and the allocated worker are told (names, date of birth
    and status are blank); it may not be opened."""

    person_id: int
    case_ref: str
    first_name: str
    last_name: str
    preferred_name: str | None
    date_of_birth: dt.date | None
    status: ReferralStatus | None
    worker: str | None
    on_record_only: bool = False

    @property
    def on_record_text(self) -> str:
        """``On record: VERU-2026-00042, allocated to Grace Mensah — ask them or your
        manager``: what a restricted hit says, everywhere it is shown."""
        if self.worker:
            return (
                f"On record: {self.case_ref}, allocated to {self.worker} — ask them or your manager"
            )
        return f"On record: {self.case_ref}, not allocated to a caseworker — ask your manager"


# {person id: (case reference, allocated worker)}, as the enforced server's on_record tells.
ServerRecords = dict[int, tuple[str, str | None]]

_ON_RECORD_HERE = text(
    "SELECT to_regprocedure('veru_server.on_record(text, text, date, text[])') IS NOT NULL "
    "AND row_security_active('public.young_person')"
)


@functools.cache
def _on_record() -> TextClause:
    """Built on first use: its ``text[]`` parameter needs SQLAlchemy's PostgreSQL dialect,
    which a start on a file never loads otherwise (30-50 ms and 2 MiB)."""
    from sqlalchemy.dialects.postgresql import ARRAY

    return text(
        "SELECT person_id, case_ref, worker FROM veru_server.on_record(:ref, :nhs, :born, :names)"
    ).bindparams(
        bindparam("ref", type_=String()),
        bindparam("nhs", type_=String()),
        bindparam("born", type_=Date()),
        bindparam("names", type_=ARRAY(String())),
    )


def hidden_by_server(session: Session) -> bool:
    """Whether this connection is a user's own login on a server set up with ``server setup``,
    whose policies hide others' cases: their exact matches must then be asked of the server's
    ``veru_server.on_record``, as reading the rows finds nothing (``db.server_roles``)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    return bool(session.scalar(_ON_RECORD_HERE))


def server_records(
    session: Session,
    *,
    case_ref: str | None = None,
    nhs_number: str | None = None,
    date_of_birth: dt.date | None = None,
    sort_names: Sequence[str] = (),
) -> ServerRecords:
    """The people the server's ``on_record`` finds for these exact keys (``sort_names``: the
    folded ``"last first"`` a name would be stored as, with ``date_of_birth``)."""
    rows = session.execute(
        _on_record(),
        {"ref": case_ref, "nhs": nhs_number, "born": date_of_birth, "names": list(sort_names)},
    )
    return {pid: (ref, worker) for pid, ref, worker in rows}


def _on_record_hits(
    session: Session, ids: Iterable[int], known: ServerRecords | None = None
) -> list[SearchHit]:
    """Restricted hits for ``ids``: the case reference and current worker, nothing else
    (``known``: what the enforced server's ``on_record`` told, as its policies hide the rows)."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    if known is not None:
        rows = sorted(
            ((pid, *known[pid]) for pid in ids), key=lambda row: reference_sort_key(row[1])
        )
    else:
        rows = [
            (pid, ref, worker)
            for pid, ref, worker in session.execute(
                select(YoungPerson.id, YoungPerson.case_ref, User.display_name)
                .outerjoin(User, User.id == YoungPerson.current_worker_id)
                .where(YoungPerson.id.in_(ids))
                .order_by(YoungPerson.case_ref_sort)
            )
        ]
    return [
        SearchHit(
            person_id=pid,
            case_ref=ref,
            first_name="",
            last_name="",
            preferred_name=None,
            date_of_birth=None,
            status=None,
            worker=worker,
            on_record_only=True,
        )
        for pid, ref, worker in rows
    ]


@dataclass(frozen=True)
class PersonView:
    """A young person as the case workspace shows them (a plain snapshot, no ORM)."""

    id: int
    version: int
    case_ref: str
    details: PersonDetails
    status: ReferralStatus | None
    worker_id: int | None
    worker: str | None
    risk_level: RiskLevel | None
    next_review_on: dt.date | None
    last_contact_on: dt.date | None
    disengaged: bool
    current_referral_id: int | None
    anonymised: bool
    flags: list[str] = field(default_factory=list)


def details_of(person: YoungPerson) -> PersonDetails:
    return PersonDetails(**{f.name: getattr(person, f.name) for f in fields(PersonDetails)})


def index_names(session: Session, person: YoungPerson) -> None:
    """Rebuilds the person's search tokens; called whenever a name changes."""
    session.flush()
    session.execute(delete(NameToken).where(NameToken.young_person_id == person.id))
    tokens = name_tokens(person.first_name, person.last_name, person.preferred_name)
    session.add_all(NameToken(token=t[:100], young_person_id=person.id) for t in tokens)


def sort_name_of(last_name: str, first_name: str) -> str:
    return f"{fold(last_name)} {fold(first_name)}"[:210]


def _prefix_filter(column: SQLColumnExpression[str], prefix: str) -> ColumnElement[bool]:
    """``column LIKE 'prefix%'`` as a range, so an ordinary index answers it on any engine."""
    return and_(column >= prefix, column < prefix + "\U0010ffff")


def record_lookup(
    session: Session, actor: Actor, person_id: int, case_ref: str, worker: str | None, how: str
) -> None:
    """Audits that someone else's case was shown "on record" only (search, duplicate check,
    import preview): one wording, so the trail reads the same whichever screen found it."""
    allocated = f"allocated to {worker}" if worker else "not allocated"
    audit.record(
        session,
        actor,
        AuditAction.LOOKUP,
        entity_type="young_person",
        entity_id=person_id,
        person_id=person_id,
        summary=f"{case_ref} found by {how} (exact match); shown on record only, {allocated}",
    )


class PeopleService(Service):
    def create(self, details: PersonDetails) -> int:
        details = details.validated()
        with self._write() as session:
            require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing="add a young person")
            person_id = add_person(session, details, self.actor.user_id)
            self._audit(
                session,
                AuditAction.CREATE,
                entity_type="young_person",
                entity_id=person_id,
                person_id=person_id,
                summary="Young person added",
            )
            return person_id

    def update(self, person_id: int, details: PersonDetails, expected_version: int) -> None:
        details = details.validated()
        with self._write() as session:
            person = self._case_person(session, person_id, doing="edit a young person")
            check_version(session, person, expected_version)
            changes = apply_changes(
                person, {f.name: getattr(details, f.name) for f in fields(details)}
            )
            if not changes:
                return
            if {"first_name", "last_name", "preferred_name"} & changes.keys():
                person.sort_name = sort_name_of(person.last_name, person.first_name)
                index_names(session, person)
            self._record_update(
                session, person, changes, person_id=person_id, summary="Details updated"
            )

    def open_case(self, person_id: int) -> PersonView:
        """Reads a case for display and leaves the trace every look at a case must leave."""
        with self._write() as session:
            person = self._case_person(session, person_id, doing="open a case")
            self._audit(
                session,
                AuditAction.VIEW,
                entity=person,
                person_id=person_id,
                summary=f"Opened case {person.case_ref}",
            )
            return self._view(session, person)

    def get(self, person_id: int) -> PersonView:
        """Re-reads a case already opened (after a save) without a second 'opened' event."""
        with self._read() as session:
            require_case_access(session, self.actor, person_id, doing="read a case")
            return self._view(session, get_or_404(session, YoungPerson, person_id))

    def _view(self, session: Session, person: YoungPerson) -> PersonView:
        worker = user_name(session, person.current_worker_id)
        details = details_of(person)
        flags = flag_labels(person)
        return PersonView(
            id=person.id,
            version=person.version,
            case_ref=person.case_ref,
            details=details,
            status=person.current_status,
            worker_id=person.current_worker_id,
            worker=worker,
            risk_level=person.current_risk_level,
            next_review_on=person.next_review_on,
            last_contact_on=person.last_contact_on,
            disengaged=person.disengaged,
            current_referral_id=person.current_referral_id,
            anonymised=person.anonymised_at is not None,
            flags=flags,
        )

    def find_duplicates(
        self,
        first_name: str,
        last_name: str,
        date_of_birth: dt.date | None,
        nhs_number: str | None = None,
    ) -> list[SearchHit]:
        """People who may be the same young person: same NHS number, or names and birth date.

        Intake needs this even for cases the user cannot open: those come back on record only
        (the case reference and its worker), and the look-up is audited.
        """
        with self._read() as session:
            require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing="check for duplicates")
            known = None
            if not self.actor.is_manager and hidden_by_server(session):
                named = date_of_birth and first_name.strip() and last_name.strip()
                known = server_records(
                    session,
                    nhs_number=nhs_number or None,
                    date_of_birth=date_of_birth,
                    sort_names=[sort_name_of(last_name, first_name)] if named else [],
                )
                ids = list(known)
            else:
                ids = match_person_ids(session, first_name, last_name, date_of_birth, nhs_number)
            own, others = self._split_own(session, ids)
            hits = self._hits(session, own) + _on_record_hits(session, others, known)
        self._audit_lookups([h for h in hits if h.on_record_only], "a duplicate check")
        return hits

    def search(self, text: str, limit: int = 50) -> list[SearchHit]:
        """As-you-type search by name (accent- and case-insensitive), case reference, date of
        birth or NHS number; the full name with the date of birth ("Zoë Ó Súilleabháin
        03/04/2011") is an exact match. A caseworker's partial matches are their own cases;
        others' come only from an exact match, on record only, audited."""
        text = text.strip()
        if not text:
            return []
        with self._read() as session:
            require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing="search for people")
            walk = self.actor.is_manager and common_name_prefixes(session, text)
            query = search_query(text, in_name_order=walk, postgresql=not self.db.is_sqlite).where(
                YoungPerson.merged_into_id.is_(None)
            )
            if not self.actor.is_manager:
                query = query.where(YoungPerson.id.in_(own_case_ids(self.actor)))
            ids = list(session.scalars(query.limit(limit)))
            known = self._server_exact(session, text)
            exact_ids = list(known) if known is not None else exact_match_ids(session, text)
            exact = [i for i in exact_ids if i not in ids]
            own, others = self._split_own(session, exact)
            hits = self._hits(session, ids + own)
            hits += _on_record_hits(session, others, known)
        self._audit_lookups([h for h in hits if h.on_record_only], "a search")
        return hits

    def count_matches(self, text: str) -> int:
        """How many people ``search`` would find without its limit: a list that stops at 200
        must not pass for the number found."""
        text = text.strip()
        if not text:
            return 0
        with self._read() as session:
            require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing="search for people")
            query = (
                search_query(text, postgresql=not self.db.is_sqlite)
                .order_by(None)
                .where(YoungPerson.merged_into_id.is_(None))
            )
            if not self.actor.is_manager:
                query = query.where(YoungPerson.id.in_(own_case_ids(self.actor)))
            matches = query.subquery()
            found = session.scalar(select(func.count()).select_from(matches)) or 0
            known = self._server_exact(session, text)
            exact = set(known) if known is not None else set(exact_match_ids(session, text))
            if exact:
                listed = select(matches.c[0]).where(matches.c[0].in_(exact))
                exact -= set(session.scalars(listed))
            return found + len(exact)

    def _server_exact(self, session: Session, text: str) -> ServerRecords | None:
        """What ``text`` names exactly, asked of the enforced server (``hidden_by_server``);
        None elsewhere, where ``exact_match_ids`` reads the rows."""
        if self.actor.is_manager or not hidden_by_server(session):
            return None
        keys = exact_keys(text)
        if keys is None:
            return {}
        return server_records(
            session,
            case_ref=keys.case_ref,
            nhs_number=keys.nhs_number,
            date_of_birth=keys.date_of_birth,
            sort_names=_sort_name_candidates(keys.name),
        )

    def _split_own(self, session: Session, ids: Sequence[int]) -> tuple[list[int], list[int]]:
        """``ids`` as (the actor's own cases, everyone else's), in the order given."""
        if not ids:
            return [], []
        if self.actor.is_manager:
            return list(ids), []
        mine = set(
            session.scalars(
                select(YoungPerson.id).where(YoungPerson.id.in_(ids), own_cases(self.actor))
            )
        )
        return [i for i in ids if i in mine], [i for i in ids if i not in mine]

    def _audit_lookups(self, hits: Sequence[SearchHit], how: str) -> None:
        """One LOOKUP event per record of someone else's case that was shown on record."""
        if not hits:
            return
        with self._write() as session:
            for hit in hits:
                record_lookup(session, self.actor, hit.person_id, hit.case_ref, hit.worker, how)

    def _hits(self, session: Session, ids: list[int]) -> list[SearchHit]:
        if not ids:
            return []
        rows = session.execute(
            select(YoungPerson, User.display_name)
            .outerjoin(User, User.id == YoungPerson.current_worker_id)
            .where(YoungPerson.id.in_(ids))
            .order_by(YoungPerson.sort_name, YoungPerson.id)
        ).all()
        return [
            SearchHit(
                person_id=p.id,
                case_ref=p.case_ref,
                first_name=p.first_name,
                last_name=p.last_name,
                preferred_name=p.preferred_name,
                date_of_birth=p.date_of_birth,
                status=p.current_status,
                worker=worker,
            )
            for p, worker in rows
        ]


def add_person(session: Session, details: PersonDetails, user_id: int | None) -> int:
    """Inserts a validated person with a new case reference; shared by intake and import."""
    return add_people(session, [details], user_id)[0]


def add_people(session: Session, people: Sequence[PersonDetails], user_id: int | None) -> list[int]:
    """Inserts validated people with new case references in a few statements, not a few per
    person: a partner's 10,000-row file must import in seconds. ``add_person`` is this with
    one person, so intake and import write exactly the same rows.

    A new person has no referral, assessment or session, so their case summary columns are
    empty by construction and need no ``case_state.refresh``.
    """
    if not people:
        return []
    year = dt.date.today().year
    first = reserve_case_numbers(session, year, len(people))
    stamp = utcnow()
    refs = [format_case_reference(year, first + offset) for offset in range(len(people))]
    rows = [
        {
            "case_ref": case_ref,
            "sort_name": sort_name_of(details.last_name, details.first_name),
            "created_by_id": user_id,
            "updated_by_id": user_id,
            "created_at": stamp,
            "updated_at": stamp,
            "version": 1,
            **{
                f.name: or_column_default(YoungPerson, f.name, getattr(details, f.name))
                for f in fields(details)
            },
        }
        for case_ref, details in zip(refs, people, strict=True)
    ]
    # An ORM bulk INSERT of rows that all name the same columns, each new id told with its
    # (unique) case reference: asked for the ids in the order given, or given rows that leave
    # out different columns (the ORM leaves out a None), SQLAlchemy sends one INSERT a person.
    id_of = {
        case_ref: person_id
        for case_ref, person_id in session.execute(
            insert(YoungPerson).returning(YoungPerson.case_ref, YoungPerson.id),
            rows,
            execution_options={"render_nulls": True},
        )
    }
    ids = [id_of[case_ref] for case_ref in refs]
    tokens = [
        {"token": token[:100], "young_person_id": person_id}
        for person_id, details in zip(ids, people, strict=True)
        for token in sorted(
            name_tokens(details.first_name, details.last_name, details.preferred_name)
        )
    ]
    if tokens:
        session.execute(insert(NameToken), tokens)
    return ids


def or_column_default(model: type[Base], name: str, value: object) -> object:
    """``value``, or for None the column's own default, as the ORM gives it when it leaves a
    None out of a bulk INSERT (``render_nulls`` sends every row with the same columns, so
    SQLAlchemy can send a batch in one statement instead of one per differing row)."""
    if value is None:
        column = model.__table__.c[name]
        if column.default is not None and column.default.is_scalar:
            return column.default.arg
    return value


def match_person_ids(
    session: Session,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date | None,
    nhs_number: str | None,
) -> list[int]:
    conditions = []
    if nhs_number:
        conditions.append(YoungPerson.nhs_number == nhs_number)
    if date_of_birth and first_name.strip() and last_name.strip():
        first, last = fold(first_name), fold(last_name)
        conditions.append(
            and_(
                YoungPerson.date_of_birth == date_of_birth,
                YoungPerson.sort_name == f"{last} {first}"[:210],
            )
        )
    if not conditions:
        return []
    # A record merged into another (services.merging) is never offered as a duplicate.
    live = YoungPerson.merged_into_id.is_(None)
    return list(session.scalars(select(YoungPerson.id).where(or_(*conditions), live).limit(20)))


# A date written in full (day, month and a four-digit year): "03/04/2011", "3.4.2011",
# "2011-04-03". A two-digit year part-way through typing ("03/04/20") is not an exact date.
_FULL_DATE = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{1,2}-\d{1,2}")
# The full reference as issued, number zero-padded to five digits or longer after a year's
# 99,999th: "VERU-2026-0004" part-way through typing "VERU-2026-00042" is not case 4.
_FULL_REFERENCE = re.compile(r"veru[\s-]+[0-9]{4}[\s-]+(?:[0-9]{5}|[1-9][0-9]{5,8})")


@dataclass(frozen=True)
class ExactKeys:
    """What a typed search names exactly: one of a case reference, an NHS number, or a date
    of birth with a name (folded, single-spaced, in the order typed)."""

    case_ref: str | None = None
    nhs_number: str | None = None
    date_of_birth: dt.date | None = None
    name: str = ""


def exact_keys(text: str) -> ExactKeys | None:
    """The exact keys in ``text``, None when it names no one exactly (see ``exact_match_ids``)."""
    text = " ".join(text.split())
    if _FULL_REFERENCE.fullmatch(text.casefold()):
        parsed = parse_case_reference(text)
        if parsed is None:
            return None
        return ExactKeys(case_ref=format_case_reference(*parsed))
    compact = text.replace(" ", "").replace("-", "")
    if compact.isdigit():
        if len(compact) != 10:
            return None
        return ExactKeys(nhs_number=compact)
    words = text.split()
    dates = [w for w in words if _FULL_DATE.fullmatch(w)]
    if len(dates) != 1:
        return None
    try:
        dob = parse_uk_date(dates[0])
    except ValidationError:
        return None
    name = " ".join(fold(" ".join(w for w in words if w != dates[0])).split())
    if len(name.split()) < 2:
        return None
    return ExactKeys(date_of_birth=dob, name=name)


def _sort_name_candidates(name: str) -> list[str]:
    """The stored ``sort_name`` (``"last first"``, folded) of every way to read a typed full
    name as a first name and a surname, in either order: "Zoë Ó Briain" may be Zoë Ó Briain
    or Briain Zoë Ó. The server compares them whole, so nothing partial matches."""
    words = name.split()
    if len(words) < 2:
        return []
    rotations = {" ".join(words[k:] + words[:k])[:210] for k in range(len(words))}
    return sorted(rotations)


def exact_match_ids(session: Session, text: str) -> list[int]:
    """The people ``text`` names exactly: their full case reference, their NHS number, or
    their full name (legal or preferred first name, either order) with their date of birth.
    These, and only these, may show a caseworker someone else's record (on record only)."""
    keys = exact_keys(text)
    if keys is None:
        return []
    if keys.case_ref is not None:
        query = select(YoungPerson.id).where(
            YoungPerson.case_ref == keys.case_ref, YoungPerson.merged_into_id.is_(None)
        )
        return list(session.scalars(query))
    if keys.nhs_number is not None:
        query = (
            select(YoungPerson.id)
            .where(YoungPerson.nhs_number == keys.nhs_number, YoungPerson.merged_into_id.is_(None))
            .limit(20)
        )
        return list(session.scalars(query))
    found = []
    for pid, first, last, preferred in session.execute(
        select(
            YoungPerson.id,
            YoungPerson.first_name,
            YoungPerson.last_name,
            YoungPerson.preferred_name,
        )
        .where(
            YoungPerson.date_of_birth == keys.date_of_birth, YoungPerson.merged_into_id.is_(None)
        )
        .order_by(YoungPerson.id)
    ):
        for given in filter(None, (first, preferred)):
            whole = (
                " ".join(fold(f"{given} {last}").split()),
                " ".join(fold(f"{last} {given}").split()),
            )
            if keys.name in whole:
                found.append(pid)
                break
    return found


#: A single name prefix with more name tokens than this ("M", "Ma": 62,331 and 28,304 of
#: them at 300,000 people) is matched by walking everyone in name order until the page is
#: full. Reading each match by id and sorting them all took 41-65 ms on the plain file and
#: 165 ms encrypted; the walk 11-23 ms. A rarer prefix ("wojc", 3,341) is faster read by id.
COMMON_PREFIX_TOKENS = 5000


def common_name_prefixes(session: Session, text: str) -> bool:
    """Whether the text is one name prefix matching more than ``COMMON_PREFIX_TOKENS``
    tokens, counted only that far (one index range). Two prefixes ("Ma K") are not walked:
    their people are fewer than either's, and the walk measured no faster (SQLite) or
    slower (PostgreSQL: 236 ms against 95 ms)."""
    tokens = [t for t in query_tokens(text) if t]
    if len(tokens) != 1 or looks_like_case_reference(text) or any(ch.isdigit() for ch in text):
        return False
    beyond = _token_matches(tokens[0]).offset(COMMON_PREFIX_TOKENS).limit(1)
    return session.scalar(beyond) is not None


def search_query(
    text: str, *, in_name_order: bool = False, postgresql: bool = False
) -> Select[int]:
    """The ids matching a typed search, best first. Shared by the search box and the caseload
    filter so both find the same people. ``in_name_order`` (for prefixes common enough,
    ``common_name_prefixes``) has the database walk the names in order rather than look
    the matches up by id: the same people, in the same order. ``postgresql`` words a name
    search for that planner (``_name_matches``): the same people again."""
    text = text.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if looks_like_case_reference(text):
        return (
            select(YoungPerson.id)
            .where(_prefix_filter(YoungPerson.case_ref, text.upper().replace(" ", "")))
            .order_by(YoungPerson.case_ref_sort)
        )
    try:
        dob = parse_uk_date(text) if any(sep in text for sep in "/-.") or len(digits) == 8 else None
    except ValidationError:
        dob = None
    if dob is not None:
        return (
            select(YoungPerson.id)
            .where(YoungPerson.date_of_birth == dob)
            .order_by(YoungPerson.sort_name)
        )
    if len(digits) == 10 and len(digits) >= len(text.replace(" ", "")) - 0:
        return select(YoungPerson.id).where(YoungPerson.nhs_number == digits)
    tokens = [t for t in query_tokens(text) if t]
    if not tokens:
        return select(YoungPerson.id).where(YoungPerson.id.is_(None))
    if postgresql:
        return _name_matches(tokens, in_name_order=in_name_order)
    query = select(YoungPerson.id)
    # ``id + 0`` is not the id column to the planner, so it cannot drive the query by id;
    # ``sort_name || ''`` is not the indexed name, so it cannot walk everyone in name order
    # looking for a rarer prefix's few (PostgreSQL did: 388 ms for "pop", whose matches
    # sort late, at 100,000 people). Either sorts as the name does.
    person = YoungPerson.id + 0 if in_name_order else YoungPerson.id
    for token in tokens:
        query = query.where(person.in_(_token_matches(token)))
    name = YoungPerson.sort_name if in_name_order else YoungPerson.sort_name + ""
    return query.order_by(name, YoungPerson.id)


def _token_matches(token: str) -> Select[int]:
    """The people with a name beginning ``token`` (with repeats: one row a name)."""
    return select(NameToken.young_person_id).where(_prefix_filter(NameToken.token, token))


def _name_matches(tokens: list[str], *, in_name_order: bool) -> Select[int]:
    """``search_query``'s name search as PostgreSQL answers it in time at any size.

    Its planner makes ``id IN (matches)`` a join, and joined that way the time grows with the
    table, not with the matches:
    - looked up by id, it read the whole table to hash-join the matches: 20 ms for "Q" (720
      people) at 100,000 people, and more with every person added. The matches made an
      array first, each is one look-up by id: 1.6-3.4 ms; several names ("Ma K", 24 ms)
      intersect their matches before the look-ups: 8 ms.
    - walked in name order, it probed each person walked for their names: 51 ms for "W",
      whose first matches sort after 22,881 others. Kept a condition (``IS true`` is never
      made a join), the matches are hashed once and each person walked is looked up in
      memory: 12-19 ms. (SQLite does that with its IN list either way.)
    """
    matches = [_token_matches(token) for token in tokens]
    if in_name_order:
        query = select(YoungPerson.id)
        for found in matches:
            query = query.where(YoungPerson.id.in_(found).is_(true()))
        return query.order_by(YoungPerson.sort_name, YoungPerson.id)
    every = matches[0] if len(matches) == 1 else intersect(*matches)
    return (
        select(YoungPerson.id)
        .where(YoungPerson.id == any_(func.array(every.scalar_subquery())))
        .order_by(YoungPerson.sort_name + "", YoungPerson.id)
    )


def count_people(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(YoungPerson)) or 0
