"""The unit's directory: partner agencies and the named professionals who work in them (a
social worker, a youth justice officer, a school's designated safeguarding lead), entered once
and linked to many cases as their contacts (``services.contacts``).

The directory is shared unit data, not a case's: caseworkers and managers read and edit it
(administrators see no case data, and the directory is part of it); every change is audited
with what changed. A professional who leaves is deactivated, never deleted: the cases that
knew them still say who they were.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from veru_desk.db.models import Agency, Contact, Professional
from veru_desk.domain.enums import AgencyType, AuditAction, Role
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.phone import normalise_phone
from veru_desk.domain.text import check_names, stored_text
from veru_desk.services.access import require_role
from veru_desk.services.audit import apply_changes
from veru_desk.services.base import Service, check_version, get_or_404, refuse_problems

CASE_ROLES = (Role.CASEWORKER, Role.MANAGER)

#: A search returns at most this many rows: the directory is searched, not scrolled.
LIMIT = 500


@dataclass(frozen=True)
class AgencyInput:
    name: str
    agency_type: AgencyType
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class AgencyView:
    id: int
    name: str
    agency_type: AgencyType
    phone: str | None
    email: str | None
    active: bool
    professionals: int  # active professionals of this agency in the directory


@dataclass(frozen=True)
class ProfessionalInput:
    name: str
    job_title: str | None = None
    agency_id: int | None = None
    phone: str | None = None
    secure_email: str | None = None


@dataclass(frozen=True)
class ProfessionalView:
    id: int
    version: int
    name: str
    job_title: str | None
    agency_id: int | None
    agency: str | None
    agency_type: AgencyType | None
    phone: str | None
    secure_email: str | None
    active: bool
    cases: int  # cases where they are a current contact

    def as_input(self) -> ProfessionalInput:
        return ProfessionalInput(
            name=self.name,
            job_title=self.job_title,
            agency_id=self.agency_id,
            phone=self.phone,
            secure_email=self.secure_email,
        )

    @property
    def label(self) -> str:
        """``Aoife Ní Bhriain, social worker (Luton Children's Services)``."""
        text = self.name
        if self.job_title:
            text += f", {self.job_title}"
        if self.agency:
            text += f" ({self.agency})"
        return text


def email_problem(value: str | None, label: str = "Email") -> str | None:
    if value and ("@" not in value or any(ch.isspace() for ch in value.strip())):
        return f"{label} '{value.strip()}' is not an email address: it needs an @."
    return None


def phone_into(value: str | None, field: str, problems: dict[str, str]) -> str | None:
    try:
        return normalise_phone(value, field)
    except ValidationError as error:
        problems.update(error.fields)
        return None


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _professional_values(session: Session, data: ProfessionalInput) -> dict[str, object]:
    values = {
        "name": " ".join((data.name or "").split()),
        "job_title": stored_text(data.job_title),
        "secure_email": stored_text(data.secure_email),
    }
    problems = check_names(
        values,
        {"name": "Name", "job_title": "Role", "secure_email": "Secure email"},
        {"name": 200, "job_title": 200, "secure_email": 254},
    )
    if not values["name"]:
        problems["name"] = "Enter the professional's name."
    problem = email_problem(data.secure_email, "Secure email")
    if problem and "secure_email" not in problems:
        problems["secure_email"] = problem
    phone = phone_into(data.phone, "phone", problems)
    if data.agency_id is not None and session.get(Agency, data.agency_id) is None:
        problems["agency_id"] = "That agency is no longer in the directory: choose another."
    refuse_problems(problems)
    return {**values, "phone": phone, "agency_id": data.agency_id}


def _agency_values(session: Session, data: AgencyInput, agency_id: int | None) -> dict[str, object]:
    name = " ".join((data.name or "").split())
    values: dict[str, object] = {"name": name, "agency_type": data.agency_type}
    problems = check_names({"name": name}, {"name": "Name"}, {"name": 200})
    if not name:
        problems["name"] = "Enter the agency's name."
    elif "name" not in problems:
        clash = session.scalar(select(Agency.id).where(func.lower(Agency.name) == name.lower()))
        if clash is not None and clash != agency_id:
            problems["name"] = f"{name} is in the directory already."
    problem = email_problem(data.email)
    if problem:
        problems["email"] = problem
    values["phone"] = phone_into(data.phone, "phone", problems)
    values["email"] = stored_text(data.email)
    refuse_problems(problems)
    return values


class DirectoryService(Service):
    # --- agencies ---------------------------------------------------------------------------

    def agencies(self, search: str = "", include_inactive: bool = False) -> list[AgencyView]:
        """Agencies by name; ``search`` matches part of the name."""
        with self._read() as session:
            require_role(self.actor, *CASE_ROLES, doing="read the directory")
            counted = (
                select(Professional.agency_id, func.count().label("n"))
                .where(Professional.active.is_(True))
                .group_by(Professional.agency_id)
                .subquery()
            )
            query = select(Agency, func.coalesce(counted.c.n, 0)).outerjoin(
                counted, counted.c.agency_id == Agency.id
            )
            if search.strip():
                query = query.where(func.lower(Agency.name).like(_like(search.strip()), "\\"))
            if not include_inactive:
                query = query.where(Agency.active.is_(True))
            rows = session.execute(query.order_by(func.lower(Agency.name)).limit(LIMIT)).all()
            return [
                AgencyView(
                    id=a.id,
                    name=a.name,
                    agency_type=a.agency_type,
                    phone=a.phone,
                    email=a.email,
                    active=a.active,
                    professionals=int(n),
                )
                for a, n in rows
            ]

    def add_agency(self, data: AgencyInput) -> int:
        with self._write() as session:
            require_role(self.actor, *CASE_ROLES, doing="add an agency to the directory")
            agency = Agency(**_agency_values(session, data, None), active=True)
            session.add(agency)
            session.flush()
            self._audit(
                session,
                AuditAction.CREATE,
                entity=agency,
                summary=f"Agency added to the directory: {agency.name}",
            )
            return agency.id

    def change_agency(self, agency_id: int, data: AgencyInput) -> None:
        with self._write() as session:
            require_role(self.actor, *CASE_ROLES, doing="change an agency in the directory")
            agency = get_or_404(session, Agency, agency_id, "agency")
            changes = apply_changes(agency, _agency_values(session, data, agency_id))
            if changes:
                self._audit(
                    session,
                    AuditAction.UPDATE,
                    entity=agency,
                    summary=f"Agency changed in the directory: {agency.name}",
                    changes=changes,
                )

    def deactivate_agency(self, agency_id: int) -> None:
        """No longer offered for new referrals and professionals; records keep it."""
        with self._write() as session:
            require_role(self.actor, *CASE_ROLES, doing="deactivate an agency")
            agency = get_or_404(session, Agency, agency_id, "agency")
            changes = apply_changes(agency, {"active": False})
            if changes:
                self._audit(
                    session,
                    AuditAction.UPDATE,
                    entity=agency,
                    summary=f"Agency deactivated in the directory: {agency.name}",
                    changes=changes,
                )

    # --- professionals ----------------------------------------------------------------------

    def professionals(
        self,
        search: str = "",
        agency_id: int | None = None,
        include_inactive: bool = False,
    ) -> list[ProfessionalView]:
        """Professionals by name; ``search`` matches part of the name, role or agency."""
        with self._read() as session:
            require_role(self.actor, *CASE_ROLES, doing="read the directory")
            return professionals_in(session, search, agency_id, include_inactive)

    def professional(self, professional_id: int) -> ProfessionalView:
        with self._read() as session:
            require_role(self.actor, *CASE_ROLES, doing="read the directory")
            get_or_404(session, Professional, professional_id, "professional")
            [view] = professionals_in(session, "", None, True, only=professional_id)
            return view

    def add_professional(self, data: ProfessionalInput) -> int:
        with self._write() as session:
            require_role(self.actor, *CASE_ROLES, doing="add a professional to the directory")
            row = Professional(**_professional_values(session, data), active=True)
            self._create(
                session,
                row,
                person_id=None,
                summary=f"Professional added to the directory: {row.name}",
            )
            session.flush()
            return row.id

    def change_professional(
        self, professional_id: int, data: ProfessionalInput, expected_version: int
    ) -> None:
        """Corrects a professional's details: every case linked to them shows the new ones."""
        with self._write() as session:
            require_role(self.actor, *CASE_ROLES, doing="change a professional in the directory")
            row = get_or_404(session, Professional, professional_id, "professional")
            check_version(session, row, expected_version)
            self._updated(
                session,
                row,
                _professional_values(session, data),
                person_id=None,
                summary=lambda: f"Professional changed in the directory: {row.name}",
            )

    def deactivate_professional(self, professional_id: int, expected_version: int) -> None:
        """Left the agency or the area: no longer offered when adding a contact. Cases that
        have them as a contact keep them until their involvement is ended there."""
        with self._write() as session:
            require_role(self.actor, *CASE_ROLES, doing="deactivate a professional")
            row = get_or_404(session, Professional, professional_id, "professional")
            check_version(session, row, expected_version)
            self._updated(
                session,
                row,
                {"active": False},
                person_id=None,
                summary=f"Professional deactivated in the directory: {row.name}",
            )


def professionals_in(
    session: Session,
    search: str,
    agency_id: int | None,
    include_inactive: bool,
    only: int | None = None,
) -> list[ProfessionalView]:
    """The directory's professionals (no role check: callers have made it)."""
    cases = (
        select(Contact.professional_id, func.count(func.distinct(Contact.young_person_id)))
        .where(Contact.professional_id.is_not(None), Contact.ended_on.is_(None))
        .group_by(Contact.professional_id)
        .subquery()
    )
    query = (
        select(Professional, Agency.name, Agency.agency_type, func.coalesce(cases.c[1], 0))
        .outerjoin(Agency, Agency.id == Professional.agency_id)
        .outerjoin(cases, cases.c.professional_id == Professional.id)
    )
    if only is not None:
        query = query.where(Professional.id == only)
    if search.strip():
        pattern = _like(search.strip())
        query = query.where(
            or_(
                func.lower(Professional.name).like(pattern, "\\"),
                func.lower(func.coalesce(Professional.job_title, "")).like(pattern, "\\"),
                func.lower(func.coalesce(Agency.name, "")).like(pattern, "\\"),
            )
        )
    if agency_id is not None:
        query = query.where(Professional.agency_id == agency_id)
    if not include_inactive:
        query = query.where(Professional.active.is_(True))
    rows = session.execute(
        query.order_by(func.lower(Professional.name), Professional.id).limit(LIMIT)
    ).all()
    return [
        ProfessionalView(
            id=p.id,
            version=p.version,
            name=p.name,
            job_title=p.job_title,
            agency_id=p.agency_id,
            agency=agency,
            agency_type=agency_type,
            phone=p.phone,
            secure_email=p.secure_email,
            active=p.active,
            cases=int(n),
        )
        for p, agency, agency_type, n in rows
    ]
