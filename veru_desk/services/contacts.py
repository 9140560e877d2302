"""A case's contacts: the family and the professionals around the young person, with when
their involvement began and ended.

A professional can be chosen from the unit's directory (``services.directory``): the contact
is then linked to the directory's entry, and shows its current name, role, agency, phone and
secure email, so a social worker's new number is typed once for every case they are on. The
details are also copied onto the contact when it is saved, so what the case knew survives the
directory entry's later changes in the audit trail and in older documents.

Who may do what is the case's (``services.access``): a caseworker their own cases, a manager
every case. Every change is audited with what changed. A contact whose involvement ends is
kept, as ended, with the date and the reason: the case's history says who was around when.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from veru_desk.db.models import Agency, Contact, Professional
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import AgencyType, ContactRelationship
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.text import check_names, stored_text
from veru_desk.services.access import require_case_access, require_role
from veru_desk.services.base import Service, get_or_404, refuse_problems
from veru_desk.services.directory import CASE_ROLES, email_problem, phone_into

#: Family: everyone else around the young person is a professional.
FAMILY = frozenset(
    {
        ContactRelationship.MOTHER,
        ContactRelationship.FATHER,
        ContactRelationship.CARER,
        ContactRelationship.SIBLING,
        ContactRelationship.GRANDPARENT,
    }
)

#: The relationship a professional from the directory most likely has, from their agency.
_RELATIONSHIP_OF_AGENCY = {
    AgencyType.SOCIAL_CARE: ContactRelationship.SOCIAL_WORKER,
    AgencyType.SCHOOL: ContactRelationship.TEACHER,
    AgencyType.YOUTH_JUSTICE: ContactRelationship.YOT_OFFICER,
}


@dataclass(frozen=True)
class ContactInput:
    name: str
    relationship: ContactRelationship
    agency_id: int | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    parental_responsibility: bool = False
    notes: str | None = None
    involved_from: dt.date | None = None
    professional_id: int | None = None


@dataclass(frozen=True)
class ContactDetail:
    """A contact as the case shows it (linked ones with the directory's current details)."""

    id: int
    version: int
    name: str
    relationship: ContactRelationship
    job_title: str | None
    agency_id: int | None
    agency: str | None
    phone: str | None
    email: str | None
    address: str | None
    parental_responsibility: bool
    notes: str | None
    involved_from: dt.date | None
    ended_on: dt.date | None
    end_reason: str | None
    professional_id: int | None

    @property
    def current(self) -> bool:
        return self.ended_on is None or self.ended_on > dt.date.today()

    @property
    def family(self) -> bool:
        return self.relationship in FAMILY

    @property
    def involvement(self) -> str:
        """``Since 03/02/2026``, ``03/02/2026 to 30/06/2026: moved school``."""
        start = format_uk_date(self.involved_from) if self.involved_from else None
        if self.ended_on is None:
            return f"Since {start}" if start else "Involved now"
        end = format_uk_date(self.ended_on)
        text = f"{start} to {end}" if start else f"Until {end}"
        return f"{text}: {self.end_reason}" if self.end_reason else text

    def as_input(self) -> ContactInput:
        return ContactInput(
            name=self.name,
            relationship=self.relationship,
            agency_id=self.agency_id,
            phone=self.phone,
            email=self.email,
            address=self.address,
            parental_responsibility=self.parental_responsibility,
            notes=self.notes,
            involved_from=self.involved_from,
            professional_id=self.professional_id,
        )


@dataclass(frozen=True)
class NetworkEntry:
    """One person of the young person's network as a document prints it (the fields of
    ``services.summary.ContactLine``, plus the role and since when)."""

    name: str
    relationship: str
    parental_responsibility: bool
    agency: str | None
    phone: str | None
    email: str | None
    address: str | None
    job_title: str | None
    involved_from: dt.date | None
    professional: bool


def _values(session: Session, data: ContactInput) -> dict[str, object]:
    name = " ".join((data.name or "").split())
    problems = check_names(
        {"name": name, "email": data.email}, {"name": "Name", "email": "Email"}, {"name": 200}
    )
    if not name:
        problems["name"] = "Enter the contact's name."
    problem = email_problem(data.email)
    if problem and "email" not in problems:
        problems["email"] = problem
    phone = phone_into(data.phone, "phone", problems)
    if data.involved_from is not None and data.involved_from > dt.date.today():
        problems["involved_from"] = "Involved from cannot be in the future."
    if data.agency_id is not None and session.get(Agency, data.agency_id) is None:
        problems["agency_id"] = "That agency is no longer in the directory: choose another."
    professional = None
    if data.professional_id is not None:
        professional = session.get(Professional, data.professional_id)
        if professional is None:
            problems["professional_id"] = "That professional is no longer in the directory."
    refuse_problems(problems)
    shared: dict[str, object] = {
        "name": name,
        "agency_id": data.agency_id,
        "phone": phone,
        "email": stored_text(data.email),
    }
    if professional is not None:
        # The directory's details are the linked contact's: the case shows them as the
        # directory keeps them, and the copy here says what they were when last saved.
        shared = {
            "name": professional.name,
            "agency_id": professional.agency_id,
            "phone": professional.phone,
            "email": professional.secure_email,
        }
    return {
        **shared,
        "relationship_to_person": data.relationship,
        "address": stored_text(data.address),
        "parental_responsibility": data.parental_responsibility,
        "notes": stored_text(data.notes),
        "involved_from": data.involved_from,
        "professional_id": data.professional_id,
    }


def _about(name: str, relationship: ContactRelationship) -> str:
    return f"{name} ({relationship.label.lower()})"


class ContactService(Service):
    def for_case(self, person_id: int) -> list[ContactDetail]:
        """A case's contacts: those involved now first, then those whose involvement ended
        (latest first)."""
        with self._read() as session:
            require_case_access(session, self.actor, person_id, doing="read contacts")
            return contacts_of(session, person_id)

    def add(self, person_id: int, data: ContactInput) -> int:
        with self._write() as session:
            self._case_person(session, person_id, doing="add a contact")
            row = Contact(young_person_id=person_id, **_values(session, data))
            self._create(
                session,
                row,
                person_id=person_id,
                summary=f"Contact added: {_about(row.name, data.relationship)}",
            )
            session.flush()
            return row.id

    def change(self, contact_id: int, data: ContactInput, expected_version: int) -> None:
        """Corrects a contact's details or the start of their involvement."""
        with self._write() as session:
            row, person = self._case_record(
                session, Contact, contact_id, "contact", "change a contact", expected_version
            )
            self._updated(
                session,
                row,
                _values(session, data),
                person_id=person.id,
                summary=lambda: f"Contact changed: {_about(row.name, data.relationship)}",
            )

    def end(
        self, contact_id: int, ended_on: dt.date, reason: str | None, expected_version: int
    ) -> None:
        """Ends the contact's involvement with the case on ``ended_on``, for ``reason``."""
        with self._write() as session:
            row, person = self._case_record(
                session, Contact, contact_id, "contact", "end a contact's involvement",
                expected_version,
            )  # fmt: skip
            problems: dict[str, str] = {}
            if row.ended_on is not None:
                problems["ended_on"] = (
                    f"{row.name}'s involvement ended on {format_uk_date(row.ended_on)} already."
                )
            elif ended_on > dt.date.today():
                problems["ended_on"] = "The end of involvement cannot be in the future."
            elif row.involved_from is not None and ended_on < row.involved_from:
                problems["ended_on"] = (
                    "The end of involvement cannot be before its start "
                    f"({format_uk_date(row.involved_from)})."
                )
            clean_reason = stored_text(reason)
            if clean_reason is not None and len(clean_reason) > 200:
                problems["end_reason"] = "Keep the reason to 200 characters."
            refuse_problems(problems)
            self._updated(
                session,
                row,
                {"ended_on": ended_on, "end_reason": clean_reason},
                person_id=person.id,
                summary=(
                    f"Contact's involvement ended: {_about(row.name, row.relationship_to_person)}"
                    f" on {format_uk_date(ended_on)}"
                ),
            )

    def from_directory(self, professional_id: int) -> ContactInput:
        """A new contact filled from the directory's entry (name, agency, phone, secure
        email), with the relationship their agency suggests."""
        with self._read() as session:
            require_role(self.actor, *CASE_ROLES, doing="read the directory")
            professional = get_or_404(session, Professional, professional_id, "professional")
            if not professional.active:
                raise ValidationError(
                    {
                        "professional_id": f"{professional.name} is no longer active in the "
                        "directory."
                    }
                )
            agency_type = professional.agency.agency_type if professional.agency else None
            return ContactInput(
                name=professional.name,
                relationship=_RELATIONSHIP_OF_AGENCY.get(
                    agency_type,  # type: ignore[arg-type]  # None finds nothing
                    ContactRelationship.OTHER,
                ),
                agency_id=professional.agency_id,
                phone=professional.phone,
                email=professional.secure_email,
                involved_from=dt.date.today(),
                professional_id=professional.id,
            )


def contacts_of(session: Session, person_id: int) -> list[ContactDetail]:
    """A case's contacts (no access check: callers have made it)."""
    linked_agency = aliased(Agency)
    rows = session.execute(
        select(Contact, Professional, Agency.name, linked_agency.name)
        .outerjoin(Professional, Professional.id == Contact.professional_id)
        .outerjoin(Agency, Agency.id == Contact.agency_id)
        .outerjoin(linked_agency, linked_agency.id == Professional.agency_id)
        .where(Contact.young_person_id == person_id)
        .order_by(Contact.id)
    ).all()
    details = []
    for c, p, agency, linked in rows:
        details.append(
            ContactDetail(
                id=c.id,
                version=c.version,
                name=p.name if p else c.name,
                relationship=c.relationship_to_person,
                job_title=p.job_title if p else None,
                agency_id=p.agency_id if p else c.agency_id,
                agency=linked if p else agency,
                phone=(p.phone or c.phone) if p else c.phone,
                email=(p.secure_email or c.email) if p else c.email,
                address=c.address,
                parental_responsibility=c.parental_responsibility,
                notes=c.notes,
                involved_from=c.involved_from,
                ended_on=c.ended_on,
                end_reason=c.end_reason,
                professional_id=c.professional_id,
            )
        )
    current = [d for d in details if d.current]
    ended = sorted(
        (d for d in details if not d.current),
        key=lambda d: (d.ended_on or dt.date.min, d.id),
        reverse=True,
    )
    return current + ended


def network_in(session: Session, person_id: int) -> list[NetworkEntry]:
    """The young person's network now: family first, then professionals, each involved
    today, with the directory's current details. No access check and no sharing rules: the
    caller (a case summary) has checked access and applies its own profile's cuts."""
    current = [d for d in contacts_of(session, person_id) if d.current]
    current.sort(key=lambda d: not d.family)  # stable: keeps the order they were added
    return [
        NetworkEntry(
            name=d.name,
            relationship=d.relationship.label,
            parental_responsibility=d.parental_responsibility,
            agency=d.agency,
            phone=d.phone,
            email=d.email,
            address=d.address,
            job_title=d.job_title,
            involved_from=d.involved_from,
            professional=not d.family,
        )
        for d in current
    ]
