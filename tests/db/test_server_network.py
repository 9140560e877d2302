"""Who and where on a shared office's server, each person signed in as their own login: a
caseworker's login reads the links, persons of concern and places their own cases touch and
nothing of another caseworker's, through the app or plain SQL; a link to another's case tells
its reference and worker only, through the server's own function."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from tests.db.child_processes import allocated_case
from tests.db.test_server_roles import Office, office, scram_server  # noqa: F401  # fixtures
from veru_desk.domain.errors import NotFound
from veru_desk.domain.network import (
    Certainty,
    ConcernInput,
    ConcernLinkType,
    InfoSource,
    LinkInput,
    NodeKind,
    PersonLinkType,
    PlaceInput,
    PlaceKind,
    PlaceLinkType,
)


def _link(link_type: PersonLinkType | ConcernLinkType | PlaceLinkType) -> LinkInput:
    since = dt.date.today() - dt.timedelta(days=40)
    return LinkInput(link_type, InfoSource.POLICE, Certainty.LIKELY, since_on=since)


def test_a_caseworkers_login_reads_no_network_of_anothers_case(
    office: Office,  # noqa: F811  # the fixture imported above
) -> None:
    priya = office.as_user("priya")
    try:
        unlinked = allocated_case(priya, office.ids["aisha"], "Chiamaka", "Okonkwo")
    finally:
        priya.db.dispose()
    aisha = office.as_user("aisha")
    try:
        skeng = aisha.network.add_concern(ConcernInput("Jordan Reilly", "Skeng", 19))
        aisha.network.link_concern(office.aisha_case, skeng, _link(ConcernLinkType.EXPLOITED_BY))
        garage = aisha.network.add_place(PlaceInput("Lock-up garages", PlaceKind.ADDRESS))
        aisha.network.link_place(office.aisha_case, garage, _link(PlaceLinkType.EXPLOITED_AT))
        aisha.network.link_concern_to_place(skeng, garage, _link(PlaceLinkType.OPERATES_FROM))
    finally:
        aisha.db.dispose()

    dariusz = office.as_user("dariusz")
    try:
        dean = dariusz.network.add_concern(ConcernInput("Dean Walsh", "D-Money", 24))
        dariusz.network.link_concern(office.dariusz_case, dean, _link(ConcernLinkType.OWES_DEBT_TO))
        dariusz.network.link_person(
            office.dariusz_case, office.aisha_case, _link(PersonLinkType.CO_OFFENDER)
        )
        assert [c.id for c in dariusz.network.concerns()] == [dean]
        assert dariusz.network.places() == []
        with pytest.raises(NotFound):  # the server does not even show it is there
            dariusz.network.get_concern(skeng)
        picture = dariusz.network.network_of(office.dariusz_case)
        tomasz = next(n for n in picture.nodes if n.record_id == office.aisha_case)
        assert tomasz.kind is NodeKind.YOUNG_PERSON and not tomasz.can_open
        assert tomasz.label.endswith("allocated to Aisha Mohamed")  # from linked_cases()
        assert "Łukasiewicz" not in tomasz.label and tomasz.status is None
    finally:
        dariusz.db.dispose()

    aisha = office.as_user("aisha")
    try:
        # The link Dariusz made is seen from Aisha's side too, reversed in words only.
        [co] = [v for v in aisha.network.links_of(office.aisha_case) if v.kind.value == "person"]
        assert co.link_label == "Co-offender" and co.reversed
        assert co.other_label.endswith("allocated to Dariusz Wójcik")
        # Dean touches none of her cases yet.
        assert dean not in {c.id for c in aisha.network.concerns()}
    finally:
        aisha.db.dispose()

    priya = office.as_user("priya")
    try:
        priya.network.link_concern(office.aisha_case, dean, _link(ConcernLinkType.SEEN_WITH))
    finally:
        priya.db.dispose()
    aisha = office.as_user("aisha")
    try:
        # Now he does: the server counts Dariusz's young person too, and tells only the
        # case reference and worker of them (veru_server.linked_counts and linked_cases).
        [seen] = [c for c in aisha.network.concerns() if c.id == dean]
        assert seen.linked_young_people == 2
        linked = aisha.network.linked_young_people(NodeKind.CONCERN, dean)
        others = [p for p in linked if not p.can_open]
        assert [p.person_id for p in others] == [office.dariusz_case]
        assert others[0].label.endswith("allocated to Dariusz Wójcik")
        [shared] = aisha.network.shared_with_others(office.aisha_case)
        assert shared.others == 1
    finally:
        aisha.db.dispose()

    with office.sql("dariusz") as sql:
        concerns = {name for (name,) in sql.execute("SELECT street_name FROM person_of_concern")}
        assert concerns == {"D-Money"}
        assert sql.execute("SELECT count(*) FROM place").fetchone() == (0,)
        assert sql.execute("SELECT count(*) FROM place_link").fetchone() == (0,)
        people = set(sql.execute("SELECT young_person_id FROM concern_link").fetchall())
        assert people == {(office.dariusz_case,)}
        # The link between the two cases is his (one end is his case); Aisha's name is not.
        assert sql.execute("SELECT count(*) FROM person_link").fetchone() == (1,)
        assert sql.execute(
            "SELECT count(*) FROM young_person WHERE id = %s", (office.aisha_case,)
        ).fetchone() == (0,)
        changed = sql.execute(
            "UPDATE person_of_concern SET description = 'Stolen' WHERE street_name = 'Skeng'"
        )
        assert changed.rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            sql.execute("INSERT INTO concern_link (young_person_id, person_of_concern_id, "
                        "link_type, source, certainty, created_at, updated_at, version) "
                        f"VALUES ({office.aisha_case}, {dean}, 'associate', 'police', "
                        "'likely', now(), now(), 1)")  # fmt: skip
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            sql.execute("DELETE FROM person_of_concern")  # the unit's intelligence: managers'
        # Asking the server's function by hand tells nothing of a case not linked to his.
        told = sql.execute(
            "SELECT person_id, worker FROM veru_server.linked_cases(ARRAY[%s, %s])",
            (office.aisha_case, unlinked),
        ).fetchall()
        assert told == [(office.aisha_case, "Aisha Mohamed")]

    with office.sql("priya") as sql:
        assert sql.execute("SELECT count(*) FROM person_of_concern").fetchone() == (2,)
        assert sql.execute("SELECT count(*) FROM place_link").fetchone() == (2,)
