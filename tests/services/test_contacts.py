"""A case's contacts and the unit's directory of professionals: added, changed and ended by
whoever may work on the case, one directory entry linked to many cases, every change audited,
and the network a document prints."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from tests.services.test_retention import closed_case
from veru_desk.db.engine import Database
from veru_desk.db.models import Contact, Professional
from veru_desk.domain.enums import AgencyType, AuditAction, ContactRelationship, ReferralStatus
from veru_desk.domain.errors import ConflictError, PermissionDenied, ValidationError
from veru_desk.services import Services
from veru_desk.services.contacts import ContactInput, network_in
from veru_desk.services.directory import AgencyInput, ProfessionalInput

Trail = Callable[..., list[Any]]


def days_ago(days: int) -> dt.date:
    return dt.date.today() - dt.timedelta(days=days)


@pytest.fixture
def aoife(as_dariusz: Services) -> int:
    """Aoife Ní Bhriain, a social worker of Luton Children's Services, in the directory."""
    agency = as_dariusz.directory.add_agency(
        AgencyInput("Luton Children's Services", AgencyType.SOCIAL_CARE, phone="01582 546000")
    )
    return as_dariusz.directory.add_professional(
        ProfessionalInput(
            "Aoife Ní Bhriain",
            "Social worker",
            agency_id=agency,
            phone="01582 547123",
            secure_email="aoife.nibhriain@luton.gcsx.gov.uk",
        )
    )


@pytest.fixture
def aishas_case(case_factory: Callable[..., int], as_aisha: Services) -> int:
    return case_factory(  # type: ignore[no-any-return]
        "Oluwaseun", "Adeyemi", status=ReferralStatus.ALLOCATED, worker_id=as_aisha.actor.user_id
    )


def test_a_caseworker_adds_a_parent_to_their_case_and_it_is_audited(
    as_dariusz: Services, allocated_case: int, audit_trail: Trail, db: Database
) -> None:
    contact = as_dariusz.contacts.add(
        allocated_case,
        ContactInput(
            "Grażyna Wiśniewska",
            ContactRelationship.MOTHER,
            phone="07700 900123",
            parental_responsibility=True,
            involved_from=days_ago(7),
        ),
    )
    [shown] = as_dariusz.contacts.for_case(allocated_case)
    assert (shown.id, shown.name, shown.relationship, shown.phone) == (
        contact,
        "Grażyna Wiśniewska",
        ContactRelationship.MOTHER,
        "07700 900123",
    )
    assert shown.current and shown.family and shown.parental_responsibility
    assert shown.involvement == f"Since {days_ago(7):%d/%m/%Y}"
    [event] = audit_trail("contact")
    assert event.action is AuditAction.CREATE
    assert (event.entity_id, event.person_id, event.username) == (
        contact,
        allocated_case,
        "dariusz",
    )
    assert event.summary == "Contact added: Grażyna Wiśniewska (mother)"
    with db.read() as session:
        row = session.get_one(Contact, contact)
        assert (row.young_person_id, row.involved_from, row.ended_on) == (
            allocated_case,
            days_ago(7),
            None,
        )


def test_changing_a_contact_records_what_changed_and_a_stale_save_is_refused(
    as_dariusz: Services, as_manager: Services, allocated_case: int, audit_trail: Trail
) -> None:
    contact = as_dariusz.contacts.add(
        allocated_case, ContactInput("Grażyna Wiśniewska", ContactRelationship.MOTHER)
    )
    as_manager.contacts.change(
        contact,
        ContactInput("Grażyna Wiśniewska", ContactRelationship.CARER, phone="07700900456"),
        1,
    )
    [shown] = as_dariusz.contacts.for_case(allocated_case)
    assert (shown.relationship, shown.phone, shown.version) == (
        ContactRelationship.CARER,
        "07700 900456",
        2,
    )
    event = audit_trail("contact")[-1]
    assert event.action is AuditAction.UPDATE and event.username == "priya"
    assert set(json.loads(event.changes)) == {"relationship_to_person", "phone"}
    with pytest.raises(ConflictError):
        as_dariusz.contacts.change(
            contact, ContactInput("Grażyna Wiśniewska", ContactRelationship.MOTHER), 1
        )


def test_ending_involvement_keeps_the_contact_as_ended_with_date_and_reason(
    as_dariusz: Services, allocated_case: int, audit_trail: Trail, db: Database
) -> None:
    teacher = as_dariusz.contacts.add(
        allocated_case,
        ContactInput("Zoë Çelik", ContactRelationship.TEACHER, involved_from=days_ago(200)),
    )
    as_dariusz.contacts.add(
        allocated_case, ContactInput("Grażyna Wiśniewska", ContactRelationship.MOTHER)
    )
    as_dariusz.contacts.end(teacher, days_ago(2), "Moved to Barnfield College", 1)
    shown = as_dariusz.contacts.for_case(allocated_case)
    assert [c.name for c in shown] == ["Grażyna Wiśniewska", "Zoë Çelik"]  # ended ones last
    ended = shown[1]
    assert not ended.current
    assert ended.involvement == (
        f"{days_ago(200):%d/%m/%Y} to {days_ago(2):%d/%m/%Y}: Moved to Barnfield College"
    )
    event = audit_trail("contact")[-1]
    assert event.summary == (
        f"Contact's involvement ended: Zoë Çelik (teacher) on {days_ago(2):%d/%m/%Y}"
    )
    with db.read() as session:
        row = session.get_one(Contact, teacher)
        assert (row.ended_on, row.end_reason) == (days_ago(2), "Moved to Barnfield College")
    with pytest.raises(ValidationError) as again:
        as_dariusz.contacts.end(teacher, days_ago(1), None, 2)
    assert "ended on" in again.value.fields["ended_on"]
    with db.read() as session:
        assert session.get_one(Contact, teacher).ended_on == days_ago(2)


def test_an_end_before_the_start_or_in_the_future_is_refused_beside_its_field(
    as_dariusz: Services, allocated_case: int
) -> None:
    contact = as_dariusz.contacts.add(
        allocated_case,
        ContactInput("Zoë Çelik", ContactRelationship.TEACHER, involved_from=days_ago(10)),
    )
    with pytest.raises(ValidationError) as early:
        as_dariusz.contacts.end(contact, days_ago(11), None, 1)
    assert "before its start" in early.value.fields["ended_on"]
    with pytest.raises(ValidationError) as late:
        as_dariusz.contacts.end(contact, days_ago(-1), None, 1)
    assert "future" in late.value.fields["ended_on"]
    with pytest.raises(ValidationError) as bad:
        as_dariusz.contacts.add(
            allocated_case,
            ContactInput(" ", ContactRelationship.OTHER, phone="call me", email="nobody"),
        )
    assert set(bad.value.fields) == {"name", "phone", "email"}
    assert [c.name for c in as_dariusz.contacts.for_case(allocated_case)] == ["Zoë Çelik"]


def test_one_directory_professional_is_linked_to_two_cases_and_a_change_reaches_both(
    as_dariusz: Services,
    as_aisha: Services,
    as_manager: Services,
    allocated_case: int,
    aishas_case: int,
    aoife: int,
    db: Database,
) -> None:
    filled = as_dariusz.contacts.from_directory(aoife)
    assert (filled.name, filled.relationship, filled.phone, filled.email) == (
        "Aoife Ní Bhriain",
        ContactRelationship.SOCIAL_WORKER,
        "01582 547123",
        "aoife.nibhriain@luton.gcsx.gov.uk",
    )
    as_dariusz.contacts.add(allocated_case, filled)
    as_aisha.contacts.add(aishas_case, as_aisha.contacts.from_directory(aoife))
    [view] = as_manager.directory.professionals("ní bhriain")
    assert (view.id, view.cases, view.agency) == (aoife, 2, "Luton Children's Services")

    as_manager.directory.change_professional(
        aoife,
        ProfessionalInput(
            "Aoife Ní Bhriain",
            "Senior social worker",
            agency_id=view.agency_id,
            phone="01582 547999",
            secure_email="aoife.nibhriain@luton.gcsx.gov.uk",
        ),
        view.version,
    )
    for services, case in ((as_dariusz, allocated_case), (as_aisha, aishas_case)):
        [shown] = services.contacts.for_case(case)
        assert (shown.name, shown.job_title, shown.phone, shown.agency) == (
            "Aoife Ní Bhriain",
            "Senior social worker",
            "01582 547999",
            "Luton Children's Services",
        )
    with db.read() as session:
        assert session.scalar(select(Professional.job_title).where(Professional.id == aoife)) == (
            "Senior social worker"
        )
        assert len(session.scalars(select(Contact).where(Contact.professional_id == aoife)).all())


def test_a_deactivated_professional_is_not_offered_but_linked_cases_keep_them(
    as_dariusz: Services, allocated_case: int, aoife: int, audit_trail: Trail
) -> None:
    as_dariusz.contacts.add(allocated_case, as_dariusz.contacts.from_directory(aoife))
    as_dariusz.directory.deactivate_professional(aoife, 1)
    assert as_dariusz.directory.professionals() == []
    [inactive] = as_dariusz.directory.professionals(include_inactive=True)
    assert not inactive.active
    with pytest.raises(ValidationError):
        as_dariusz.contacts.from_directory(aoife)
    assert [c.name for c in as_dariusz.contacts.for_case(allocated_case)] == ["Aoife Ní Bhriain"]
    event = audit_trail("professional")[-1]
    assert event.summary == "Professional deactivated in the directory: Aoife Ní Bhriain"
    assert json.loads(event.changes) == {"active": [True, False]}


def test_a_caseworker_cannot_read_or_change_another_workers_case_contacts(
    as_dariusz: Services, as_aisha: Services, allocated_case: int, audit_trail: Trail
) -> None:
    contact = as_dariusz.contacts.add(
        allocated_case, ContactInput("Grażyna Wiśniewska", ContactRelationship.MOTHER)
    )
    with pytest.raises(PermissionDenied):
        as_aisha.contacts.for_case(allocated_case)
    with pytest.raises(PermissionDenied):
        as_aisha.contacts.add(allocated_case, ContactInput("Ktoś", ContactRelationship.OTHER))
    with pytest.raises(PermissionDenied):
        as_aisha.contacts.change(
            contact, ContactInput("Someone else", ContactRelationship.OTHER), 1
        )
    with pytest.raises(PermissionDenied):
        as_aisha.contacts.end(contact, days_ago(0), None, 1)
    denials = [e for e in audit_trail() if e.action is AuditAction.DENIED]
    assert len(denials) == 4 and {e.username for e in denials} == {"aisha"}
    [shown] = as_dariusz.contacts.for_case(allocated_case)
    assert (shown.name, shown.current) == ("Grażyna Wiśniewska", True)


def test_the_directory_is_for_case_roles_an_administrator_is_refused(
    db: Database, team: Any, as_aisha: Services, audit_trail: Trail
) -> None:
    admin = Services(db, team.admin)
    with pytest.raises(PermissionDenied):
        admin.directory.professionals()
    with pytest.raises(PermissionDenied):
        admin.directory.add_professional(ProfessionalInput("Zoë Çelik"))
    with pytest.raises(PermissionDenied):
        admin.directory.add_agency(AgencyInput("Marsh Farm Youth Hub", AgencyType.VOLUNTARY))
    # a caseworker with no cases may still keep the shared directory
    zoe = as_aisha.directory.add_professional(ProfessionalInput("Zoë Çelik", "Designated lead"))
    assert [p.id for p in as_aisha.directory.professionals("designated")] == [zoe]
    assert [e.username for e in audit_trail("professional")] == ["aisha"]


def test_agencies_are_added_changed_searched_and_a_duplicate_name_refused(
    as_dariusz: Services, as_manager: Services, audit_trail: Trail
) -> None:
    hub = as_dariusz.directory.add_agency(AgencyInput("Marsh Farm Youth Hub", AgencyType.VOLUNTARY))
    with pytest.raises(ValidationError) as twice:
        as_manager.directory.add_agency(AgencyInput("marsh farm youth hub", AgencyType.OTHER))
    assert "already" in twice.value.fields["name"]
    as_manager.directory.change_agency(
        hub, AgencyInput("Marsh Farm Youth Hub CIC", AgencyType.VOLUNTARY, email="hub@mf.org.uk")
    )
    [found] = as_dariusz.directory.agencies("youth hub")
    assert (found.name, found.email, found.professionals) == (
        "Marsh Farm Youth Hub CIC",
        "hub@mf.org.uk",
        0,
    )
    as_manager.directory.deactivate_agency(hub)
    assert as_dariusz.directory.agencies("youth hub") == []
    assert [e.action for e in audit_trail("agency")] == [
        AuditAction.CREATE,
        AuditAction.UPDATE,
        AuditAction.UPDATE,
    ]


def test_the_network_lists_who_is_involved_now_family_first(
    as_dariusz: Services, allocated_case: int, aoife: int, db: Database
) -> None:
    as_dariusz.contacts.add(allocated_case, as_dariusz.contacts.from_directory(aoife))
    teacher = as_dariusz.contacts.add(
        allocated_case, ContactInput("Zoë Çelik", ContactRelationship.TEACHER)
    )
    as_dariusz.contacts.add(
        allocated_case,
        ContactInput(
            "Grażyna Wiśniewska", ContactRelationship.MOTHER, parental_responsibility=True
        ),
    )
    as_dariusz.contacts.end(teacher, days_ago(0), "Left the school", 1)
    with db.read() as session:
        network = network_in(session, allocated_case)
    assert [(n.name, n.relationship, n.professional) for n in network] == [
        ("Grażyna Wiśniewska", "Mother", False),
        ("Aoife Ní Bhriain", "Social worker", True),
    ]
    assert network[1].job_title == "Social worker"
    assert network[1].agency == "Luton Children's Services"


@pytest.mark.parametrize("verb", ["anonymise", "erase"])
def test_anonymising_or_erasing_a_case_removes_its_contacts_and_keeps_the_directory(
    as_dariusz: Services, as_manager: Services, aoife: int, db: Database, verb: str
) -> None:
    worker = as_dariusz.actor.user_id
    assert worker is not None
    closed = closed_case(as_manager, worker)
    as_manager.contacts.add(closed, as_manager.contacts.from_directory(aoife))
    getattr(as_manager.retention, verb)(closed, "Retention review: period ended")
    with db.read() as session:
        assert session.scalars(select(Contact).where(Contact.young_person_id == closed)).all() == []
        assert session.get(Professional, aoife) is not None
    assert [p.cases for p in as_manager.directory.professionals()] == [0]


def test_a_linked_contact_keeps_the_directorys_details_whatever_the_form_sent(
    as_dariusz: Services, allocated_case: int, aoife: int, db: Database
) -> None:
    filled = as_dariusz.contacts.from_directory(aoife)
    typed = ContactInput(
        "A. Ní Bhriain",
        ContactRelationship.SOCIAL_WORKER,
        phone="07700 900999",
        professional_id=filled.professional_id,
    )
    contact = as_dariusz.contacts.add(allocated_case, typed)
    with db.read() as session:
        row = session.get_one(Contact, contact)
        assert (row.name, row.phone, row.email, row.agency_id) == (
            "Aoife Ní Bhriain",
            "01582 547123",
            "aoife.nibhriain@luton.gcsx.gov.uk",
            filled.agency_id,
        )
