"""Who and where around a young person: links between young people, to persons of concern
and to places, and the pictures made of them (a case's network, what a young person shares
with others on record, the manager's ranked list).

Who may see what (the same rule the shared server's policies enforce, ``db.server_roles``):

- a young person's links are their case's: a caseworker reads and changes those of their own
  cases, a manager every case. A link to someone else's case shows only "VERU-2026-00123,
  allocated to NAME", never the name, status or risk;
- a person of concern or a place is visible to the caseworkers whose cases touch it (a link,
  an incident), to its creator (a caseworker may add one before linking it) and to managers;
- every view of a case's network, of a person of concern and of who is linked to them is
  audited, as is every change (with what changed).

Counts of young people linked (shared with 3 others; the ranked list) are of all young people
on record: they tell the unit how far a person of concern reaches, not who the others are.
On the shared server a caseworker's login reads only their own cases' links, so the counts and
the "on record" references come from two SECURITY DEFINER functions that tell nothing more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import ARRAY, Integer, String, bindparam, func, or_, select, text
from sqlalchemy.orm import Session

from veru_desk.db.models import (
    ConcernLink,
    IncidentParty,
    PersonLink,
    PersonOfConcern,
    Place,
    PlaceLink,
    User,
    YoungPerson,
)
from veru_desk.domain.enums import AuditAction, Role
from veru_desk.domain.errors import NotFound, PermissionDenied, ValidationError
from veru_desk.domain.names import display_name, fold
from veru_desk.domain.network import (
    ConcernInput,
    ConcernLinkType,
    LinkInput,
    LinkKind,
    LinkView,
    Network,
    NetworkEdge,
    NetworkNode,
    NodeKind,
    PersonLinkType,
    PlaceInput,
    PlaceKind,
    PlaceLinkType,
    concern_label,
    concern_problems,
    end_problems,
    link_problems,
    place_link_ends_problem,
    place_problems,
    self_link_problem,
)
from veru_desk.domain.postcode import normalise_postcode
from veru_desk.domain.text import check_names, stored_text
from veru_desk.services.access import own_case_ids, require_case_access, require_role
from veru_desk.services.base import Service, check_version, get_or_404, refuse_problems
from veru_desk.services.changes import Kind
from veru_desk.services.people import hidden_by_server

_LINK_MODELS: dict[LinkKind, type[PersonLink] | type[ConcernLink] | type[PlaceLink]] = {
    LinkKind.PERSON: PersonLink,
    LinkKind.CONCERN: ConcernLink,
    LinkKind.PLACE: PlaceLink,
}

_ON_RECORD_HERE = text("SELECT to_regprocedure('veru_server.linked_cases(integer[])') IS NOT NULL")
_LINKED_CASES = text(
    "SELECT person_id, case_ref, worker FROM veru_server.linked_cases(:ids)"
).bindparams(bindparam("ids", type_=ARRAY(Integer())))
_LINKS_TO = text(
    "SELECT person_id, link_type, since_on, until_on FROM veru_server.links_to(:kind, :record)"
).bindparams(bindparam("kind", type_=String()), bindparam("record", type_=Integer()))
_LINKED_COUNTS = text(
    "SELECT record_id, young_people FROM veru_server.linked_counts(:kind, :ids)"
).bindparams(bindparam("kind", type_=String()), bindparam("ids", type_=ARRAY(Integer())))


@dataclass(frozen=True)
class ConcernView:
    id: int
    name: str | None
    street_name: str | None
    label: str
    approximate_age: int | None
    description: str | None
    version: int
    linked_young_people: int  # young people on record linked now (all caseloads)

    def as_input(self) -> ConcernInput:
        return ConcernInput(self.name, self.street_name, self.approximate_age, self.description)


@dataclass(frozen=True)
class PlaceView:
    id: int
    name: str
    kind: PlaceKind
    postcode: str | None
    description: str | None
    version: int
    linked_young_people: int

    @property
    def label(self) -> str:
        """``Wardown Park (LU2 7HA)``: the name, with the postcode when known."""
        return f"{self.name} ({self.postcode})" if self.postcode else self.name

    def as_input(self) -> PlaceInput:
        return PlaceInput(self.name, self.kind, self.postcode, self.description)


@dataclass(frozen=True)
class SharedLink:
    """A person of concern or a place this young person shares with others on record."""

    kind: NodeKind  # CONCERN or PLACE
    record_id: int
    label: str
    others: int  # other young people linked now

    @property
    def text(self) -> str:
        """``Linked to Dean Walsh ('D-Money') (person of concern), as are 3 other young
        people``."""
        what = "person of concern" if self.kind is NodeKind.CONCERN else "place"
        people = (
            "is 1 other young person"
            if self.others == 1
            else f"are {self.others} other young people"
        )
        return f"Linked to {self.label} ({what}), as {people}"


@dataclass(frozen=True)
class RankedEntry:
    """A person of concern or a place in the ranked list, with how its reach changed."""

    kind: NodeKind
    record_id: int
    label: str
    detail: str
    linked_now: int  # young people linked now
    new_links: int  # links begun in the window
    ended_links: int  # links ended in the window
    version: int

    @property
    def change(self) -> int:
        return self.new_links - self.ended_links


@dataclass(frozen=True)
class NetworkPicture:
    """Everything a case's Network tab shows, read at one moment (``NetworkService.picture``)."""

    links: list[LinkView]
    network: Network
    shared: list[SharedLink]


@dataclass(frozen=True)
class LinkedYoungPerson:
    """A young person linked to a person of concern or a place, as the reader may see them."""

    person_id: int
    label: str  # the name and reference, or "VERU-…, allocated to NAME"
    can_open: bool
    link_label: str
    since_on: dt.date | None
    until_on: dt.date | None


@dataclass(frozen=True)
class LinkCandidate:
    """A young person a caseworker may link to: their own cases by name, others only found
    by an exact match (case reference, NHS number, full name with date of birth), on record."""

    person_id: int
    label: str
    can_open: bool


@dataclass(frozen=True)
class _Case:
    label: str
    can_open: bool
    case_ref: str
    status: str | None = None
    risk: str | None = None


def _active(model: type[PersonLink] | type[ConcernLink] | type[PlaceLink], today: dt.date):  # type: ignore[no-untyped-def]  # a SQL condition
    return or_(model.until_on.is_(None), model.until_on > today)


def _on_record_label(case_ref: str, worker: str | None) -> str:
    if worker:
        return f"{case_ref}, allocated to {worker}"
    return f"{case_ref}, not allocated to a caseworker"


def _age_words(age: int | None) -> str:
    return f"about {age}" if age is not None else "age not known"


class NetworkService(Service):
    # --- who may see what ------------------------------------------------------------------

    def _require_case_role(self, doing: str) -> None:
        require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing=doing)

    # --- who may see what: the rules incidents share (public for them, one place) ---------

    def own_case_ids(self, session: Session) -> set[int] | None:
        """The cases the actor may open (None: every case, a manager's)."""
        if self.actor.is_manager:
            return None
        return set(session.scalars(own_case_ids(self.actor)))

    def _visible_concern_ids(self, session: Session) -> set[int] | None:
        own = self.own_case_ids(session)
        if own is None:
            return None
        ids = set(
            session.scalars(
                select(ConcernLink.person_of_concern_id).where(ConcernLink.young_person_id.in_(own))
            )
        )
        ids |= set(
            session.scalars(
                select(PersonOfConcern.id).where(
                    PersonOfConcern.created_by_id == self.actor.user_id
                )
            )
        )
        mine = select(IncidentParty.incident_id).where(IncidentParty.young_person_id.in_(own))
        ids |= set(
            session.scalars(
                select(IncidentParty.person_of_concern_id).where(
                    IncidentParty.incident_id.in_(mine),
                    IncidentParty.person_of_concern_id.is_not(None),
                )
            )
        )
        return ids

    def _visible_place_ids(self, session: Session) -> set[int] | None:
        from veru_desk.db.models import Incident

        own = self.own_case_ids(session)
        if own is None:
            return None
        concerns = self._visible_concern_ids(session) or set()
        ids = set(
            session.scalars(
                select(PlaceLink.place_id).where(
                    or_(
                        PlaceLink.young_person_id.in_(own),
                        PlaceLink.person_of_concern_id.in_(concerns),
                    )
                )
            )
        )
        ids |= set(
            session.scalars(select(Place.id).where(Place.created_by_id == self.actor.user_id))
        )
        mine = select(IncidentParty.incident_id).where(IncidentParty.young_person_id.in_(own))
        ids |= {
            pid
            for pid in session.scalars(
                select(Incident.place_id).where(
                    Incident.id.in_(mine), Incident.place_id.is_not(None)
                )
            )
            if pid is not None
        }
        return ids

    def require_concern(self, session: Session, concern_id: int, doing: str) -> PersonOfConcern:
        row = get_or_404(session, PersonOfConcern, concern_id, "person of concern")
        visible = self._visible_concern_ids(session)
        if visible is not None and concern_id not in visible:
            raise PermissionDenied(
                "This person of concern is not linked to any of your cases. "
                "Ask a manager if you need to see them.",
                attempted=f"{doing}: person of concern {concern_id}",
            )
        return row

    def require_place(self, session: Session, place_id: int, doing: str) -> Place:
        row = get_or_404(session, Place, place_id, "place")
        visible = self._visible_place_ids(session)
        if visible is not None and place_id not in visible:
            raise PermissionDenied(
                "This place is not linked to any of your cases. "
                "Ask a manager if you need to see it.",
                attempted=f"{doing}: place {place_id}",
            )
        return row

    def _cases(self, session: Session, ids: Iterable[int]) -> dict[int, _Case]:
        """How each young person may be shown: by name (with status and risk) where the
        reader may open the case, else by reference and worker only."""
        ids = set(ids)
        if not ids:
            return {}
        own = self.own_case_ids(session)
        mine = ids if own is None else ids & own
        shown: dict[int, _Case] = {}
        for p in session.scalars(select(YoungPerson).where(YoungPerson.id.in_(mine))):
            name = display_name(p.first_name, p.last_name, p.preferred_name)
            shown[p.id] = _Case(
                label=f"{name} ({p.case_ref})",
                can_open=True,
                case_ref=p.case_ref,
                status=p.current_status.label if p.current_status else None,
                risk=p.current_risk_level.label if p.current_risk_level else None,
            )
        others = sorted(ids - set(shown))
        if others:
            if self._server_hides(session):
                rows = session.execute(_LINKED_CASES, {"ids": others}).all()
            else:
                rows = session.execute(
                    select(YoungPerson.id, YoungPerson.case_ref, User.display_name)
                    .outerjoin(User, User.id == YoungPerson.current_worker_id)
                    .where(YoungPerson.id.in_(others))
                ).all()
            for pid, ref, worker in rows:
                shown[pid] = _Case(_on_record_label(ref, worker), False, ref)
        return shown

    def _server_hides(self, session: Session) -> bool:
        return (
            not self.actor.is_manager
            and hidden_by_server(session)
            and bool(session.scalar(_ON_RECORD_HERE))
        )

    def _linked_counts(
        self, session: Session, kind: NodeKind, ids: Iterable[int]
    ) -> dict[int, int]:
        """Young people linked now to each person of concern or place (all caseloads)."""
        ids = sorted(set(ids))
        if not ids:
            return {}
        if self._server_hides(session):
            rows = session.execute(_LINKED_COUNTS, {"kind": kind.value, "ids": ids}).all()
            return {rid: int(n) for rid, n in rows}
        today = dt.date.today()
        if kind is NodeKind.CONCERN:
            column = ConcernLink.person_of_concern_id
            query = select(column, func.count(func.distinct(ConcernLink.young_person_id))).where(
                column.in_(ids), _active(ConcernLink, today)
            )
        else:
            column = PlaceLink.place_id
            query = select(column, func.count(func.distinct(PlaceLink.young_person_id))).where(
                column.in_(ids),
                PlaceLink.young_person_id.is_not(None),
                _active(PlaceLink, today),
            )
        return {rid: int(n) for rid, n in session.execute(query.group_by(column))}

    # --- persons of concern ----------------------------------------------------------------

    def add_concern(self, data: ConcernInput) -> int:
        """Records a person of concern (visible to its creator until linked to a case)."""
        self._require_case_role("add a person of concern")
        with self._write() as session:
            row = PersonOfConcern(**_concern_values(data))
            self._create(
                session,
                row,
                person_id=None,
                summary=f"Person of concern added: {concern_label(row.name, row.street_name)}",
            )
            session.flush()
            return row.id

    def change_concern(self, concern_id: int, data: ConcernInput, expected_version: int) -> None:
        self._require_case_role("change a person of concern")
        with self._write() as session:
            row = self.require_concern(session, concern_id, "change a person of concern")
            check_version(session, row, expected_version)
            self._updated(
                session,
                row,
                _concern_values(data),
                person_id=None,
                summary=lambda: (
                    "Person of concern changed: " + concern_label(row.name, row.street_name)
                ),
            )

    def get_concern(self, concern_id: int) -> ConcernView:
        """One person of concern (audited as viewed: police intelligence about a person)."""
        self._require_case_role("open a person of concern")
        with self._write() as session:
            row = self.require_concern(session, concern_id, "open a person of concern")
            view = self._concern_views(session, [row])[0]
            self._audit(
                session,
                AuditAction.VIEW,
                entity=row,
                summary=f"Person of concern viewed: {view.label}",
            )
            return view

    def concerns(self, text: str = "") -> list[ConcernView]:
        """The persons of concern the reader may see, matching ``text`` in the name or the
        street name (accent- and case-insensitively), most linked first."""
        self._require_case_role("list persons of concern")
        with self._read() as session:
            query = select(PersonOfConcern).where(PersonOfConcern.active.is_(True))
            visible = self._visible_concern_ids(session)
            if visible is not None:
                query = query.where(PersonOfConcern.id.in_(visible))
            rows = list(session.scalars(query))
            wanted = fold(text.strip())
            if wanted:
                rows = [
                    r
                    for r in rows
                    if wanted in fold(r.name or "") or wanted in fold(r.street_name or "")
                ]
            views = self._concern_views(session, rows)
            return sorted(views, key=lambda v: (-v.linked_young_people, fold(v.label)))

    def _concern_views(
        self, session: Session, rows: Sequence[PersonOfConcern]
    ) -> list[ConcernView]:
        counts = self._linked_counts(session, NodeKind.CONCERN, (r.id for r in rows))
        return [
            ConcernView(
                id=r.id,
                name=r.name,
                street_name=r.street_name,
                label=concern_label(r.name, r.street_name),
                approximate_age=r.approximate_age,
                description=r.description,
                version=r.version,
                linked_young_people=counts.get(r.id, 0),
            )
            for r in rows
        ]

    # --- places ----------------------------------------------------------------------------

    def add_place(self, data: PlaceInput) -> int:
        self._require_case_role("add a place")
        with self._write() as session:
            row = Place(**_place_values(data))
            self._create(session, row, person_id=None, summary=f"Place added: {row.name}")
            session.flush()
            return row.id

    def change_place(self, place_id: int, data: PlaceInput, expected_version: int) -> None:
        self._require_case_role("change a place")
        with self._write() as session:
            row = self.require_place(session, place_id, "change a place")
            check_version(session, row, expected_version)
            self._updated(
                session,
                row,
                _place_values(data),
                person_id=None,
                summary=lambda: f"Place changed: {row.name}",
            )

    def get_place(self, place_id: int) -> PlaceView:
        self._require_case_role("open a place")
        with self._read() as session:
            row = self.require_place(session, place_id, "open a place")
            return self._place_views(session, [row])[0]

    def places(self, text: str = "") -> list[PlaceView]:
        """The places the reader may see, matching ``text`` in the name or the postcode."""
        self._require_case_role("list places")
        with self._read() as session:
            query = select(Place).where(Place.active.is_(True))
            visible = self._visible_place_ids(session)
            if visible is not None:
                query = query.where(Place.id.in_(visible))
            rows = list(session.scalars(query))
            wanted = fold(text.strip())
            if wanted:
                compact = wanted.replace(" ", "")
                rows = [
                    r
                    for r in rows
                    if wanted in fold(r.name)
                    or (r.postcode and compact in r.postcode.replace(" ", "").lower())
                ]
            views = self._place_views(session, rows)
            return sorted(views, key=lambda v: (-v.linked_young_people, fold(v.name)))

    def _place_views(self, session: Session, rows: Sequence[Place]) -> list[PlaceView]:
        counts = self._linked_counts(session, NodeKind.PLACE, (r.id for r in rows))
        return [
            PlaceView(
                id=r.id,
                name=r.name,
                kind=r.kind,
                postcode=r.postcode,
                description=r.description,
                version=r.version,
                linked_young_people=counts.get(r.id, 0),
            )
            for r in rows
        ]

    # --- links -----------------------------------------------------------------------------

    def link_person(self, person_id: int, other_person_id: int, data: LinkInput) -> int:
        """Links a young person of the actor's case to another on record (whose case they
        may not be able to open: found by ``candidates``)."""
        with self._write() as session:
            self._case_person(session, person_id, doing="link young people")
            refuse_problems(
                self_link_problem(person_id, other_person_id)
                | link_problems(LinkKind.PERSON, data, dt.date.today())
            )
            self.require_person_on_record(session, other_person_id)
            row = PersonLink(
                young_person_id=person_id, other_person_id=other_person_id, **_link_values(data)
            )
            self._stamp(row)
            session.add(row)
            session.flush()  # the shared server tells another's reference once they are linked
            self._changed(session, Kind.NETWORK, other_person_id)  # their network tab too
            other = self._cases(session, [other_person_id]).get(other_person_id)
            self._audit(
                session,
                AuditAction.CREATE,
                entity=row,
                person_id=person_id,
                summary=f"Link added: {data.link_type.label} "
                + (other.case_ref if other else f"young person {other_person_id}"),
            )
            return row.id

    def link_concern(self, person_id: int, concern_id: int, data: LinkInput) -> int:
        with self._write() as session:
            self._case_person(session, person_id, doing="link a person of concern")
            refuse_problems(link_problems(LinkKind.CONCERN, data, dt.date.today()))
            concern = self.require_concern(session, concern_id, "link a person of concern")
            row = ConcernLink(
                young_person_id=person_id, person_of_concern_id=concern_id, **_link_values(data)
            )
            self._create(
                session,
                row,
                person_id=person_id,
                summary=f"Link added: {data.link_type.label} "
                f"{concern_label(concern.name, concern.street_name)}",
            )
            session.flush()
            return row.id

    def link_place(self, person_id: int, place_id: int, data: LinkInput) -> int:
        with self._write() as session:
            self._case_person(session, person_id, doing="link a place")
            refuse_problems(link_problems(LinkKind.PLACE, data, dt.date.today()))
            place = self.require_place(session, place_id, "link a place")
            row = PlaceLink(place_id=place_id, young_person_id=person_id, **_link_values(data))
            self._create(
                session,
                row,
                person_id=person_id,
                summary=f"Link added: {data.link_type.label} {place.name}",
            )
            session.flush()
            return row.id

    def link_concern_to_place(self, concern_id: int, place_id: int, data: LinkInput) -> int:
        """Where a person of concern is known to be (operates from, seen at)."""
        self._require_case_role("link a person of concern to a place")
        with self._write() as session:
            refuse_problems(
                place_link_ends_problem(None, concern_id)
                | link_problems(LinkKind.PLACE, data, dt.date.today())
            )
            concern = self.require_concern(
                session, concern_id, "link a person of concern to a place"
            )
            place = self.require_place(session, place_id, "link a person of concern to a place")
            row = PlaceLink(
                place_id=place_id, person_of_concern_id=concern_id, **_link_values(data)
            )
            self._create(
                session,
                row,
                person_id=None,
                summary=f"Link added: {concern_label(concern.name, concern.street_name)} "
                f"{data.link_type.label.lower()} {place.name}",
            )
            session.flush()
            return row.id

    def change_link(
        self, kind: LinkKind, link_id: int, data: LinkInput, expected_version: int
    ) -> None:
        with self._write() as session:
            row, person_id = self._link(session, kind, link_id, "change a link")
            check_version(session, row, expected_version)
            refuse_problems(link_problems(kind, data, dt.date.today()))
            self._updated(
                session,
                row,
                _link_values(data),
                person_id=person_id,
                summary=lambda: f"Link changed: {row.link_type.label}",
            )

    def end_link(
        self, kind: LinkKind, link_id: int, until_on: dt.date, expected_version: int
    ) -> None:
        """The link held until ``until_on``: kept, as ended, so the case's history says who
        was around when."""
        with self._write() as session:
            row, person_id = self._link(session, kind, link_id, "end a link")
            check_version(session, row, expected_version)
            refuse_problems(end_problems(row.since_on, row.until_on, until_on, dt.date.today()))
            self._updated(
                session,
                row,
                {"until_on": until_on},
                person_id=person_id,
                summary=f"Link ended: {row.link_type.label}",
            )

    def _link(
        self, session: Session, kind: LinkKind, link_id: int, doing: str
    ) -> tuple[PersonLink | ConcernLink | PlaceLink, int | None]:
        """The link, checked: the actor may work on a case at one of its ends (a place link
        of a person of concern: may see that person). Returns it with the case to audit."""
        self._require_case_role(doing)
        row = get_or_404(session, _LINK_MODELS[kind], link_id, "link")
        if isinstance(row, PersonLink):
            for end in (row.young_person_id, row.other_person_id):
                self._changed(session, Kind.NETWORK, end)  # read from both ends
            own = self.own_case_ids(session)
            ends = (row.young_person_id, row.other_person_id)
            person = next((p for p in ends if own is None or p in own), None)
            if person is None:
                require_case_access(session, self.actor, row.young_person_id, doing=doing)
            return row, person
        if row.young_person_id is not None:
            require_case_access(session, self.actor, row.young_person_id, doing=doing)
            return row, row.young_person_id
        assert isinstance(row, PlaceLink) and row.person_of_concern_id is not None
        self.require_concern(session, row.person_of_concern_id, doing)
        return row, None

    def require_person_on_record(self, session: Session, person_id: int) -> None:
        if self._server_hides(session):
            return  # the login reads only its own cases: the foreign key checks the others
        if session.get(YoungPerson, person_id) is None:
            raise NotFound(f"No young person with id {person_id}.")

    # --- reading a case's network ----------------------------------------------------------

    def links_of(self, person_id: int) -> list[LinkView]:
        """The case's links, read from its side (a link recorded from the other young
        person's side reads reversed: "Has harmed"), current first; audited as viewed."""
        with self._write() as session:
            person = self._case_person(session, person_id, doing="read a case's network")
            views = self._links_of(session, person_id)
            self._audit(
                session,
                AuditAction.VIEW,
                entity_type="person_link",
                person_id=person_id,
                summary=f"Network links of {person.case_ref} viewed ({len(views)} links)",
            )
            return views

    def _links_of(self, session: Session, person_id: int) -> list[LinkView]:
        person_links = list(
            session.scalars(
                select(PersonLink).where(
                    or_(
                        PersonLink.young_person_id == person_id,
                        PersonLink.other_person_id == person_id,
                    )
                )
            )
        )
        concern_links = list(
            session.scalars(select(ConcernLink).where(ConcernLink.young_person_id == person_id))
        )
        place_links = list(
            session.scalars(select(PlaceLink).where(PlaceLink.young_person_id == person_id))
        )
        others = {
            (lk.other_person_id if lk.young_person_id == person_id else lk.young_person_id)
            for lk in person_links
        }
        cases = self._cases(session, others)
        concerns = {
            c.id: c
            for c in session.scalars(
                select(PersonOfConcern).where(
                    PersonOfConcern.id.in_({lk.person_of_concern_id for lk in concern_links})
                )
            )
        }
        places = {
            p.id: p
            for p in session.scalars(
                select(Place).where(Place.id.in_({lk.place_id for lk in place_links}))
            )
        }
        views: list[LinkView] = []
        for lk in person_links:
            reversed_ = lk.young_person_id != person_id
            other_id = lk.young_person_id if reversed_ else lk.other_person_id
            case = cases.get(other_id) or _Case("Young person on record", False, "")
            views.append(
                _view(
                    LinkKind.PERSON,
                    lk,
                    other_id,
                    case.label if case.can_open else f"Linked young person: {case.label}",
                    lk.link_type.reverse_label if reversed_ else lk.link_type.label,
                    can_open=case.can_open,
                    reversed_=reversed_,
                )
            )
        for cl in concern_links:
            c = concerns[cl.person_of_concern_id]
            views.append(
                _view(
                    LinkKind.CONCERN,
                    cl,
                    c.id,
                    concern_label(c.name, c.street_name),
                    cl.link_type.label,
                    can_open=True,
                )
            )
        for pl in place_links:
            p = places[pl.place_id]
            label = f"{p.name} ({p.postcode})" if p.postcode else p.name
            views.append(_view(LinkKind.PLACE, pl, p.id, label, pl.link_type.label, can_open=True))
        return sorted(
            views,
            key=lambda v: (v.ended, list(LinkKind).index(v.kind), fold(v.other_label)),
        )

    def network_of(self, person_id: int) -> Network:
        """The young person in the centre and the young people, persons of concern and places
        linked to them, with the places of those persons of concern; audited as viewed."""
        with self._write() as session:
            person = self._case_person(session, person_id, doing="view a case's network")
            network = self._network(
                session, person, self._links_of(session, person_id), dt.date.today()
            )
            self._audit(
                session,
                AuditAction.VIEW,
                entity_type="person_link",
                person_id=person_id,
                summary=f"Network diagram of {person.case_ref} viewed "
                f"({len(network.nodes) - 1} people and places)",
            )
            return network

    def _network(
        self, session: Session, person: YoungPerson, links: list[LinkView], today: dt.date
    ) -> Network:
        person_id = person.id
        centre = self._cases(session, [person_id])[person_id]
        nodes: list[NetworkNode] = [
            NetworkNode(
                NodeKind.CENTRE,
                person_id,
                display_name(person.first_name, person.last_name, person.preferred_name),
                detail=person.case_ref,
                can_open=True,
                status=centre.status,
                risk=centre.risk,
            )
        ]
        index: dict[tuple[NodeKind, int], int] = {}
        edges: list[NetworkEdge] = []
        concern_ids = [lk.other_id for lk in links if lk.kind is LinkKind.CONCERN]
        place_ids = [lk.other_id for lk in links if lk.kind is LinkKind.PLACE]
        concern_places = list(
            session.scalars(
                select(PlaceLink).where(PlaceLink.person_of_concern_id.in_(concern_ids))
            )
        )
        all_places = set(place_ids) | {pl.place_id for pl in concern_places}
        concern_rows = {
            c.id: c
            for c in session.scalars(
                select(PersonOfConcern).where(PersonOfConcern.id.in_(concern_ids))
            )
        }
        place_rows = {
            p.id: p for p in session.scalars(select(Place).where(Place.id.in_(all_places)))
        }
        concern_counts = self._linked_counts(session, NodeKind.CONCERN, concern_ids)
        place_counts = self._linked_counts(session, NodeKind.PLACE, all_places)
        linked_people = self._cases(
            session, [lk.other_id for lk in links if lk.kind is LinkKind.PERSON]
        )
        active_concerns = {
            lk.other_id for lk in links if lk.kind is LinkKind.CONCERN and not lk.ended
        }
        active_places = {lk.other_id for lk in links if lk.kind is LinkKind.PLACE and not lk.ended}

        def node_of(kind: NodeKind, record_id: int) -> int:
            key = (kind, record_id)
            if key in index:
                return index[key]
            if kind is NodeKind.YOUNG_PERSON:
                case = linked_people.get(record_id) or _Case("Young person", False, "")
                node = NetworkNode(
                    kind,
                    record_id,
                    case.label if case.can_open else f"Linked young person: {case.label}",
                    detail=case.case_ref,
                    can_open=case.can_open,
                    status=case.status,
                    risk=case.risk,
                )
            elif kind is NodeKind.CONCERN:
                c = concern_rows[record_id]
                shared = concern_counts.get(record_id, 0) - (record_id in active_concerns)
                node = NetworkNode(
                    kind,
                    record_id,
                    concern_label(c.name, c.street_name),
                    detail=f"Person of concern, {_age_words(c.approximate_age)}",
                    can_open=True,
                    shared_with=max(shared, 0),
                )
            else:
                p = place_rows[record_id]
                shared = place_counts.get(record_id, 0) - (record_id in active_places)
                node = NetworkNode(
                    kind,
                    record_id,
                    p.name,
                    detail=", ".join(filter(None, [p.kind.label, p.postcode])),
                    can_open=True,
                    shared_with=max(shared, 0),
                )
            index[key] = len(nodes)
            nodes.append(node)
            return index[key]

        node_kinds = {
            LinkKind.PERSON: NodeKind.YOUNG_PERSON,
            LinkKind.CONCERN: NodeKind.CONCERN,
            LinkKind.PLACE: NodeKind.PLACE,
        }
        for lk in links:
            target = node_of(node_kinds[lk.kind], lk.other_id)
            edges.append(NetworkEdge(0, target, lk.link_label, lk.certainty, lk.ended))
        for pl in concern_places:
            source = node_of(NodeKind.CONCERN, pl.person_of_concern_id or 0)
            target = node_of(NodeKind.PLACE, pl.place_id)
            ended = pl.until_on is not None and pl.until_on <= today
            edges.append(NetworkEdge(source, target, pl.link_type.label, pl.certainty, ended))
        return Network(tuple(nodes), tuple(edges), as_of=today)

    def shared_with_others(self, person_id: int) -> list[SharedLink]:
        """The persons of concern and places this young person is linked to now that other
        young people on record are linked to as well, the most shared first."""
        with self._read() as session:
            self._case_person(session, person_id, doing="read a case's network")
            return self._shared(session, person_id, dt.date.today())

    def picture(self, person_id: int) -> NetworkPicture:
        """What the case's Network tab shows, its links, diagram and what they share with
        other cases, read at one moment and audited as one view (three reads wrote two
        view events for each look, and on a server could mix two moments)."""
        with self._write() as session:
            person = self._case_person(session, person_id, doing="view a case's network")
            today = dt.date.today()
            links = self._links_of(session, person_id)
            picture = NetworkPicture(
                links,
                self._network(session, person, links, today),
                self._shared(session, person_id, today),
            )
            self._audit(
                session,
                AuditAction.VIEW,
                entity_type="person_link",
                person_id=person_id,
                summary=f"Network of {person.case_ref} viewed ({len(links)} links, "
                f"{len(picture.network.nodes) - 1} people and places)",
            )
            return picture

    def _shared(self, session: Session, person_id: int, today: dt.date) -> list[SharedLink]:
        concerns = {
            c.id: concern_label(c.name, c.street_name)
            for c in session.scalars(
                select(PersonOfConcern)
                .join(ConcernLink, ConcernLink.person_of_concern_id == PersonOfConcern.id)
                .where(ConcernLink.young_person_id == person_id, _active(ConcernLink, today))
            )
        }
        places = {
            p.id: p.name
            for p in session.scalars(
                select(Place)
                .join(PlaceLink, PlaceLink.place_id == Place.id)
                .where(PlaceLink.young_person_id == person_id, _active(PlaceLink, today))
            )
        }
        shared: list[SharedLink] = []
        for kind, labels in ((NodeKind.CONCERN, concerns), (NodeKind.PLACE, places)):
            for rid, n in self._linked_counts(session, kind, labels).items():
                if n > 1:
                    shared.append(SharedLink(kind, rid, labels[rid], n - 1))
        return sorted(shared, key=lambda s: (-s.others, s.kind.value, fold(s.label)))

    # --- across cases ----------------------------------------------------------------------

    def ranked(self, days: int = 90) -> list[RankedEntry]:
        """Persons of concern and places ranked by how many young people are linked to them
        now, with the links begun and ended in the last ``days`` days. A manager sees the
        unit's whole list; a caseworker the entries their cases touch (with the same counts).
        """
        self._require_case_role("read the people and places of concern")
        today = dt.date.today()
        start = today - dt.timedelta(days=days)
        with self._read() as session:
            concerns = self._visible_concern_ids(session)
            places = self._visible_place_ids(session)
            entries: list[RankedEntry] = []
            concern_query = select(PersonOfConcern).where(PersonOfConcern.active.is_(True))
            if concerns is not None:
                concern_query = concern_query.where(PersonOfConcern.id.in_(concerns))
            concern_rows = list(session.scalars(concern_query))
            place_query = select(Place).where(Place.active.is_(True))
            if places is not None:
                place_query = place_query.where(Place.id.in_(places))
            place_rows = list(session.scalars(place_query))
            now_c = self._linked_counts(session, NodeKind.CONCERN, (r.id for r in concern_rows))
            now_p = self._linked_counts(session, NodeKind.PLACE, (r.id for r in place_rows))
            new_c, ended_c = self._window(session, ConcernLink, start, today)
            new_p, ended_p = self._window(session, PlaceLink, start, today)
            for c in concern_rows:
                entries.append(
                    RankedEntry(
                        NodeKind.CONCERN,
                        c.id,
                        concern_label(c.name, c.street_name),
                        _age_words(c.approximate_age).capitalize(),
                        now_c.get(c.id, 0),
                        new_c.get(c.id, 0),
                        ended_c.get(c.id, 0),
                        c.version,
                    )
                )
            for p in place_rows:
                entries.append(
                    RankedEntry(
                        NodeKind.PLACE,
                        p.id,
                        f"{p.name} ({p.postcode})" if p.postcode else p.name,
                        p.kind.label,
                        now_p.get(p.id, 0),
                        new_p.get(p.id, 0),
                        ended_p.get(p.id, 0),
                        p.version,
                    )
                )
            return sorted(entries, key=lambda e: (-e.linked_now, -e.change, fold(e.label)))

    def _window(
        self,
        session: Session,
        model: type[ConcernLink] | type[PlaceLink],
        start: dt.date,
        today: dt.date,
    ) -> tuple[dict[int, int], dict[int, int]]:
        """Young people's links begun (since, or recorded when no since) and ended in the
        window, per person of concern or place."""
        if self._server_hides(session):
            return {}, {}  # a caseworker's login reads only their cases' links: no change shown
        if model is ConcernLink:
            column = ConcernLink.person_of_concern_id
            base = select(column, func.count())
        else:
            column = PlaceLink.place_id
            base = select(column, func.count()).where(PlaceLink.young_person_id.is_not(None))
        new = {
            rid: int(n)
            for rid, n in session.execute(
                base.where(model.since_on.is_not(None), model.since_on > start).group_by(column)
            )
        }
        undated = base.where(model.since_on.is_(None), model.created_at >= start).group_by(column)
        for rid, n in session.execute(undated):
            new[rid] = new.get(rid, 0) + int(n)
        ended = {
            rid: int(n)
            for rid, n in session.execute(
                base.where(model.until_on > start, model.until_on <= today).group_by(column)
            )
        }
        return new, ended

    def linked_young_people(self, kind: NodeKind, record_id: int) -> list[LinkedYoungPerson]:
        """Who is linked to a person of concern or a place: the reader's own cases by name,
        others by case reference and worker only; audited as viewed."""
        self._require_case_role("read who is linked")
        with self._write() as session:
            if kind is NodeKind.CONCERN:
                concern = self.require_concern(session, record_id, "read who is linked")
                label = concern_label(concern.name, concern.street_name)
                entity = "person_of_concern"
            else:
                label = self.require_place(session, record_id, "read who is linked").name
                entity = "place"
            rows = self._links_to(session, kind, record_id)
            cases = self._cases(session, {pid for pid, *_facts in rows})
            result = [
                LinkedYoungPerson(pid, cases[pid].label, cases[pid].can_open, words, since, until)
                for pid, words, since, until in rows
                if pid in cases
            ]
            self._audit(
                session,
                AuditAction.VIEW,
                entity_type=entity,
                entity_id=record_id,
                summary=f"Young people linked to {label} viewed ({len(result)} links)",
            )
            today = dt.date.today()
            return sorted(
                result,
                key=lambda r: (
                    r.until_on is not None and r.until_on <= today,
                    not r.can_open,
                    fold(r.label),
                ),
            )

    def _links_to(
        self, session: Session, kind: NodeKind, record_id: int
    ) -> list[tuple[int, str, dt.date | None, dt.date | None]]:
        """(young person, how linked, since, until) of each young person's link to a person
        of concern or a place; on the shared server a caseworker's login reads only their own
        cases' links, so the server's ``links_to`` tells the rest."""
        types = ConcernLinkType if kind is NodeKind.CONCERN else PlaceLinkType
        if self._server_hides(session):
            found = session.execute(_LINKS_TO, {"kind": kind.value, "record": record_id})
            return [(pid, types(t).label, since, until) for pid, t, since, until in found]
        if kind is NodeKind.CONCERN:
            concern_rows = session.scalars(
                select(ConcernLink).where(ConcernLink.person_of_concern_id == record_id)
            )
            return [
                (r.young_person_id, r.link_type.label, r.since_on, r.until_on) for r in concern_rows
            ]
        place_rows = session.scalars(
            select(PlaceLink).where(
                PlaceLink.place_id == record_id, PlaceLink.young_person_id.is_not(None)
            )
        )
        return [
            (r.young_person_id, r.link_type.label, r.since_on, r.until_on)
            for r in place_rows
            if r.young_person_id is not None
        ]

    def candidates(self, text: str, limit: int = 20) -> list[LinkCandidate]:
        """Young people to link to, found as the people search finds them (its access rules
        and its audit of others' cases shown on record)."""
        from veru_desk.services.people import PeopleService

        self._require_case_role("find a young person to link")
        hits = PeopleService(self.db, self.actor).search(text, limit=limit)
        return [
            LinkCandidate(
                h.person_id,
                _on_record_label(h.case_ref, h.worker)
                if h.on_record_only
                else f"{display_name(h.first_name, h.last_name, h.preferred_name)} ({h.case_ref})",
                not h.on_record_only,
            )
            for h in hits
        ]


def _view(
    kind: LinkKind,
    link: PersonLink | ConcernLink | PlaceLink,
    other_id: int,
    other_label: str,
    link_label: str,
    *,
    can_open: bool,
    reversed_: bool = False,
) -> LinkView:
    return LinkView(
        kind=kind,
        link_id=link.id,
        other_id=other_id,
        other_label=other_label,
        link_label=link_label,
        link_type=link.link_type,
        source=link.source,
        certainty=link.certainty,
        since_on=link.since_on,
        until_on=link.until_on,
        note=link.note,
        version=link.version,
        can_open=can_open,
        reversed=reversed_,
    )


def _link_values(data: LinkInput) -> dict[str, object]:
    return {
        "link_type": data.link_type,
        "source": data.source,
        "certainty": data.certainty,
        "since_on": data.since_on,
        "until_on": data.until_on,
        "note": stored_text(data.note),
    }


def _concern_values(data: ConcernInput) -> dict[str, object]:
    name = " ".join((data.name or "").split()) or None
    street = " ".join((data.street_name or "").split()) or None
    problems = concern_problems(data) or check_names(
        {"name": name, "street_name": street},
        {"name": "Name", "street_name": "Street name"},
        {"name": 200, "street_name": 100},
    )
    refuse_problems(problems)
    return {
        "name": name,
        "street_name": street,
        "approximate_age": data.approximate_age,
        "description": stored_text(data.description),
    }


def _place_values(data: PlaceInput) -> dict[str, object]:
    problems = place_problems(data)
    postcode = None
    try:
        postcode = normalise_postcode(data.postcode)
    except ValidationError as error:  # names the postcode field and the form to use
        problems = {**error.fields, **problems}
    refuse_problems(problems)
    return {
        "name": " ".join(data.name.split()),
        "kind": data.kind,
        "postcode": postcode,
        "description": stored_text(data.description),
    }


# Re-exported for the screens, which import the service's types from here.
__all__ = [
    "ConcernInput",
    "ConcernLinkType",
    "ConcernView",
    "LinkCandidate",
    "LinkInput",
    "LinkKind",
    "LinkView",
    "LinkedYoungPerson",
    "NetworkService",
    "PersonLinkType",
    "PlaceInput",
    "PlaceLinkType",
    "PlaceView",
    "RankedEntry",
    "SharedLink",
]
