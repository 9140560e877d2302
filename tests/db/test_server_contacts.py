"""Contacts and the directory on a shared office's server, each person signed in as their own
login: the directory is the unit's (every case role reads and keeps it), a case's contacts are
the case's (a caseworker's login reads and changes none of another's)."""

from __future__ import annotations

import psycopg
import pytest

from tests.db.test_server_roles import Office, office, scram_server  # noqa: F401  # fixtures
from veru_desk.domain.enums import AgencyType, ContactRelationship
from veru_desk.domain.errors import PermissionDenied
from veru_desk.services.contacts import ContactInput
from veru_desk.services.directory import AgencyInput, ProfessionalInput


def test_one_social_worker_on_two_caseworkers_cases_through_their_own_logins(
    office: Office,  # noqa: F811  # the fixture imported above
) -> None:
    dariusz = office.as_user("dariusz")
    try:
        agency = dariusz.directory.add_agency(
            AgencyInput("Luton Children's Services", AgencyType.SOCIAL_CARE)
        )
        aoife = dariusz.directory.add_professional(
            ProfessionalInput("Aoife Ní Bhriain", "Social worker", agency, "01582 547123")
        )
        dariusz.contacts.add(office.dariusz_case, dariusz.contacts.from_directory(aoife))
        dariusz.contacts.add(
            office.dariusz_case, ContactInput("Siobhán Ó Briain", ContactRelationship.MOTHER)
        )
    finally:
        dariusz.db.dispose()

    aisha = office.as_user("aisha")
    try:
        aisha.contacts.add(office.aisha_case, aisha.contacts.from_directory(aoife))
        [view] = aisha.directory.professionals("Bhriain")
        assert view.cases == 1  # the server counts only the cases her login may read
        aisha.directory.change_professional(
            aoife,
            ProfessionalInput("Aoife Ní Bhriain", "Senior social worker", agency, "01582 547999"),
            view.version,
        )
        with pytest.raises(PermissionDenied):
            aisha.contacts.for_case(office.dariusz_case)
    finally:
        aisha.db.dispose()

    dariusz = office.as_user("dariusz")
    try:
        shown = {c.name: c for c in dariusz.contacts.for_case(office.dariusz_case)}
        assert shown["Aoife Ní Bhriain"].phone == "01582 547999"
        assert shown["Aoife Ní Bhriain"].job_title == "Senior social worker"
    finally:
        dariusz.db.dispose()

    with office.sql("dariusz") as sql:
        people = {p for (p,) in sql.execute("SELECT young_person_id FROM contact").fetchall()}
        assert people == {office.dariusz_case}
        changed = sql.execute(
            "UPDATE contact SET name = 'Stolen' WHERE young_person_id = %s", (office.aisha_case,)
        )
        assert changed.rowcount == 0
        assert sql.execute("SELECT count(*) FROM professional").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            sql.execute("DELETE FROM professional")  # deactivated, never deleted
