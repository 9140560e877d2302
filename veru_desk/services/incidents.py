"""Incidents: something that happened (a knife incident, a missing episode, an arrest), when,
where, to and by whom, and on whose information.

An incident is recorded once and belongs to every case it touches: each young person involved
has it in their incidents tab and their chronology with their own role. Who may do what:

- a caseworker records an incident only with at least one young person of their own cases
  involved, and may name any other young person on record (found as the people search finds
  them) and the persons of concern and places they may see (``services.network``);
- an incident is readable by whoever may open one of the cases it touches, and by managers.
  Other young people in it whose case the reader may not open read only as
  "VERU-2026-00123, allocated to NAME", never by name;
- every change is audited once for each young person involved (so each case's trail, its
  subject access and its erasure find it), and every view of a case's incidents is audited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from veru_desk.db.models import Incident, IncidentParty, PersonOfConcern, Place
from veru_desk.domain.dates import format_uk_datetime
from veru_desk.domain.enums import AuditAction, Role
from veru_desk.domain.errors import PermissionDenied
from veru_desk.domain.incidents import IncidentInput, PartyInput, incident_problems
from veru_desk.domain.network import (
    IncidentKind,
    IncidentRole,
    InfoSource,
    concern_label,
)
from veru_desk.domain.text import stored_text
from veru_desk.services.access import require_case_access, require_role
from veru_desk.services.base import Service, check_version, get_or_404, refuse_problems, user_names
from veru_desk.services.changes import Kind
from veru_desk.services.network import NetworkService


@dataclass(frozen=True)
class PartyView:
    """A person involved, as the reader may see them."""

    role: IncidentRole
    label: str  # a name and case reference, "VERU-…, allocated to NAME", or a person of concern
    young_person_id: int | None = None
    person_of_concern_id: int | None = None
    can_open: bool = False

    def as_input(self) -> PartyInput:
        return PartyInput(self.role, self.young_person_id, self.person_of_concern_id)


@dataclass(frozen=True)
class IncidentView:
    id: int
    version: int
    occurred_at: dt.datetime
    kind: IncidentKind
    place_id: int | None
    place_label: str | None  # the known place's name (and postcode)
    location: str | None  # where, typed, when not a known place
    source: InfoSource
    reference: str | None
    summary: str
    parties: tuple[PartyView, ...]
    recorded_by: str | None
    #: the young person's own role, read from one case (``for_case``, which puts their own
    #: party first); None from ``get``
    role: IncidentRole | None = None

    @property
    def where(self) -> str:
        return self.place_label or self.location or ""

    @property
    def others(self) -> tuple[PartyView, ...]:
        """Everyone involved but the young person whose case it is read from."""
        return self.parties if self.role is None else self.parties[1:]

    def as_input(self) -> IncidentInput:
        return IncidentInput(
            occurred_at=self.occurred_at,
            kind=self.kind,
            source=self.source,
            summary=self.summary,
            parties=tuple(p.as_input() for p in self.parties),
            place_id=self.place_id,
            location=self.location,
            reference=self.reference,
        )


def incident_title(kind: IncidentKind, where: str, at: dt.datetime) -> str:
    """``Knife incident at Wardown Park, 03/12/2026 21:40``: what the audit trail says (no
    names: an incident's trail row is read in several cases)."""
    return f"{kind.label} at {where}, {format_uk_datetime(at)}"


class IncidentService(Service):
    # --- writing ---------------------------------------------------------------------------

    def add(self, data: IncidentInput) -> int:
        """Records an incident with its people; at least one young person is the actor's."""
        with self._write() as session:
            require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing="record an incident")
            values = self._checked(session, data, existing=None)
            row = Incident(**values)
            row.parties = [_party_row(p) for p in data.parties]
            self._stamp(row)
            session.add(row)
            session.flush()
            title = incident_title(row.kind, self._where(session, row), row.occurred_at)
            for person_id in _young_people(data.parties):
                self._changed(session, Kind.INCIDENT, person_id)  # each case's tab hears it
                self._audit(
                    session,
                    AuditAction.CREATE,
                    entity=row,
                    person_id=person_id,
                    summary=f"Incident recorded: {title}",
                )
            return row.id

    def change(self, incident_id: int, data: IncidentInput, expected_version: int) -> None:
        """Corrects an incident and who was involved (the whole list, as the form shows it).
        Audited in every case it touched before or touches now."""
        with self._write() as session:
            require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing="change an incident")
            row = get_or_404(session, Incident, incident_id, "incident")
            before = [(p.young_person_id, p.person_of_concern_id, p.role) for p in row.parties]
            self._require_touches_own(session, row, "change an incident")
            check_version(session, row, expected_version)
            values = self._checked(session, data, existing=row)
            after = [(p.young_person_id, p.person_of_concern_id, p.role) for p in data.parties]
            changes: dict[str, tuple[object, object]] = {}
            for key, value in values.items():
                if getattr(row, key) != value:
                    changes[key] = (getattr(row, key), value)
                    setattr(row, key, value)
            if sorted(before, key=repr) != sorted(after, key=repr):
                changes["parties"] = (_party_words(before), _party_words(after))
                kept = {(p.young_person_id, p.person_of_concern_id): p for p in row.parties}
                wanted = []
                for p in data.parties:
                    party = kept.get((p.young_person_id, p.person_of_concern_id))
                    if party is None:
                        party = _party_row(p)
                    party.role = p.role
                    wanted.append(party)
                row.parties = wanted
            if not changes:
                return
            self._stamp(row)
            session.flush()
            title = incident_title(row.kind, self._where(session, row), row.occurred_at)
            people = {p for p, _c, _r in before if p is not None} | _young_people(data.parties)
            for person_id in sorted(people):
                self._changed(session, Kind.INCIDENT, person_id)
                self._audit(
                    session,
                    AuditAction.UPDATE,
                    entity=row,
                    person_id=person_id,
                    summary=f"Incident changed: {title}",
                    changes=changes,
                )

    def _checked(
        self, session: Session, data: IncidentInput, existing: Incident | None
    ) -> dict[str, object]:
        """The incident's values, refused with field messages, or for lack of permission: one
        young person involved must be the actor's, each person of concern and the place
        must be ones the actor may see (or already on the incident)."""
        refuse_problems(incident_problems(data, dt.datetime.now()))
        network = NetworkService(self.db, self.actor)
        own = network.own_case_ids(session)  # the network's rule of whose cases are whose
        people = _young_people(data.parties)
        if own is not None and not people & own:
            raise PermissionDenied(
                "At least one young person involved must be on one of your cases: "
                "add the young person whose case you are recording it in.",
                attempted="record an incident without any of their own cases involved",
            )
        for person_id in people:
            network.require_person_on_record(session, person_id)
        had_concerns = {p.person_of_concern_id for p in existing.parties} if existing else set()
        for party in data.parties:
            concern = party.person_of_concern_id
            if concern is not None and concern not in had_concerns:
                network.require_concern(session, concern, "name a person of concern in an incident")
        if data.place_id is not None and (existing is None or existing.place_id != data.place_id):
            network.require_place(session, data.place_id, "choose a place for an incident")
        location = " ".join((data.location or "").split()) or None
        return {
            "occurred_at": data.occurred_at.replace(second=0, microsecond=0)
            if data.occurred_at
            else None,
            "kind": data.kind,
            "place_id": data.place_id,
            "location": location,
            "summary": stored_text(data.summary) or "",
            "source": data.source,
            "reference": " ".join((data.reference or "").split()) or None,
        }

    def _require_touches_own(self, session: Session, row: Incident, doing: str) -> None:
        if self.actor.is_manager:
            return
        people = [p.young_person_id for p in row.parties if p.young_person_id is not None]
        own = NetworkService(self.db, self.actor).own_case_ids(session) or set()
        if not set(people) & own:
            require_case_access(session, self.actor, people[0] if people else 0, doing=doing)

    @staticmethod
    def _where(session: Session, row: Incident) -> str:
        if row.place_id is not None:
            place = session.get(Place, row.place_id)
            return place.name if place else "a place"
        return row.location or "an unrecorded place"

    # --- reading ---------------------------------------------------------------------------

    def for_case(self, person_id: int) -> list[IncidentView]:
        """The incidents a young person was involved in, newest first, each with their own
        role; audited as viewed."""
        with self._write() as session:
            person = self._case_person(session, person_id, doing="read a case's incidents")
            views = self.for_case_in(session, person_id)
            self._audit(
                session,
                AuditAction.VIEW,
                entity_type="incident",
                person_id=person_id,
                summary=f"Incidents of {person.case_ref} viewed ({len(views)} incidents)",
            )
            return views

    def for_case_in(self, session: Session, person_id: int) -> list[IncidentView]:
        """``for_case`` in a transaction the caller holds and audits (a document, a subject
        access): the case access is checked here."""
        require_case_access(session, self.actor, person_id, doing="read a case's incidents")
        roles = dict(
            session.execute(
                select(IncidentParty.incident_id, IncidentParty.role).where(
                    IncidentParty.young_person_id == person_id
                )
            ).all()
        )
        rows = list(
            session.scalars(
                select(Incident)
                .where(Incident.id.in_(roles))
                .order_by(Incident.occurred_at.desc(), Incident.id.desc())
            )
        )
        views = self._views(session, rows)
        return [_with_role(view, roles[view.id], person_id) for view in views]

    def get(self, incident_id: int) -> IncidentView:
        """One incident, for a reader who may open one of the cases it touches; audited."""
        with self._write() as session:
            row = get_or_404(session, Incident, incident_id, "incident")
            self._require_touches_own(session, row, "open an incident")
            [view] = self._views(session, [row])
            title = incident_title(row.kind, view.where, row.occurred_at)
            for person_id in sorted(_young_people(p.as_input() for p in view.parties)):
                self._audit(
                    session,
                    AuditAction.VIEW,
                    entity=row,
                    person_id=person_id,
                    summary=f"Incident viewed: {title}",
                )
            return view

    def _views(self, session: Session, rows: Sequence[Incident]) -> list[IncidentView]:
        if not rows:
            return []
        ids = [r.id for r in rows]
        parties = list(
            session.scalars(
                select(IncidentParty)
                .where(IncidentParty.incident_id.in_(ids))
                .order_by(IncidentParty.id)
            )
        )
        cases = NetworkService(self.db, self.actor)._cases(
            session, {p.young_person_id for p in parties if p.young_person_id is not None}
        )
        concerns = {
            c.id: concern_label(c.name, c.street_name)
            for c in session.scalars(
                select(PersonOfConcern).where(
                    PersonOfConcern.id.in_(
                        {p.person_of_concern_id for p in parties if p.person_of_concern_id}
                    )
                )
            )
        }
        places = {
            p.id: f"{p.name} ({p.postcode})" if p.postcode else p.name
            for p in session.scalars(
                select(Place).where(Place.id.in_({r.place_id for r in rows if r.place_id}))
            )
        }
        names = user_names(session, {r.created_by_id for r in rows})
        by_incident: dict[int, list[PartyView]] = {}
        for p in parties:
            if p.young_person_id is not None:
                case = cases.get(p.young_person_id)
                if case is None:
                    view = PartyView(p.role, "Young person on record", p.young_person_id)
                elif case.can_open:
                    view = PartyView(p.role, case.label, p.young_person_id, can_open=True)
                else:
                    view = PartyView(p.role, f"Young person: {case.label}", p.young_person_id)
            else:
                view = PartyView(
                    p.role,
                    concerns.get(p.person_of_concern_id or 0, "Person of concern"),
                    person_of_concern_id=p.person_of_concern_id,
                    can_open=True,
                )
            by_incident.setdefault(p.incident_id, []).append(view)
        return [
            IncidentView(
                id=r.id,
                version=r.version,
                occurred_at=r.occurred_at,
                kind=r.kind,
                place_id=r.place_id,
                place_label=places.get(r.place_id) if r.place_id else None,
                location=r.location,
                source=r.source,
                reference=r.reference,
                summary=r.summary,
                parties=tuple(by_incident.get(r.id, [])),
                recorded_by=names.get(r.created_by_id) if r.created_by_id else None,
            )
            for r in rows
        ]


def _party_row(party: PartyInput) -> IncidentParty:
    return IncidentParty(
        young_person_id=party.young_person_id,
        person_of_concern_id=party.person_of_concern_id,
        role=party.role,
    )


def _young_people(parties: Iterable[PartyInput]) -> set[int]:
    return {p.young_person_id for p in parties if p.young_person_id is not None}


def _party_words(parties: list[tuple[int | None, int | None, IncidentRole]]) -> str:
    """The people involved as the audit trail keeps them: by record number and role, never
    by name (the trail of one case must not name the young people of another)."""
    words = []
    for person, concern, role in sorted(parties, key=repr):
        who = f"young person {person}" if person is not None else f"person of concern {concern}"
        words.append(f"{who}: {role.label.lower()}")
    return "; ".join(words)


def _with_role(view: IncidentView, role: IncidentRole, person_id: int) -> IncidentView:
    """The view as read from one case: its role, and its own young person first."""
    mine = [p for p in view.parties if p.young_person_id == person_id]
    rest = [p for p in view.parties if p.young_person_id != person_id]
    return dataclasses.replace(view, role=role, parties=tuple(mine + rest))


__all__ = [
    "IncidentInput",
    "IncidentKind",
    "IncidentRole",
    "IncidentService",
    "IncidentView",
    "InfoSource",
    "PartyInput",
    "PartyView",
]
