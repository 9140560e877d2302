"""The network service: links between young people, to persons of concern and to places,
recorded by whoever may work on the case, read from both ends, drawn as a network, shared
across caseloads without naming others' cases, ranked for the manager; every view and change
audited. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Team
from veru_desk.domain.enums import AuditAction
from veru_desk.domain.errors import ConflictError, PermissionDenied, ValidationError
from veru_desk.domain.network import (
    Certainty,
    ConcernInput,
    ConcernLinkType,
    InfoSource,
    LinkInput,
    LinkKind,
    NodeKind,
    PersonLinkType,
    PlaceInput,
    PlaceKind,
    PlaceLinkType,
)
from veru_desk.services import Services

Trail = Callable[..., list[Any]]


def days_ago(days: int) -> dt.date:
    return dt.date.today() - dt.timedelta(days=days)


def link(
    link_type: PersonLinkType | ConcernLinkType | PlaceLinkType,
    since: int | None = 30,
    certainty: Certainty = Certainty.LIKELY,
) -> LinkInput:
    return LinkInput(
        link_type,
        InfoSource.POLICE,
        certainty,
        since_on=days_ago(since) if since is not None else None,
    )


DEAN = ConcernInput("Dean Walsh", "D-Money", 24, "Drives a grey Audi; recruits outside schools")


@pytest.fixture
def cases(case_factory: Callable[..., int], team: Team) -> dict[str, int]:
    """Three young people on Dariusz's caseload and two on Aisha's."""
    dariusz, aisha = team.dariusz.user_id, team.aisha.user_id
    return {
        "kai": case_factory("Kai", "Ó Súilleabháin", worker_id=dariusz),
        "zoe": case_factory("Zoë", "Brontë", worker_id=dariusz),
        "chiamaka": case_factory("Chiamaka", "Okonkwo", worker_id=dariusz),
        "lukasz": case_factory("Łukasz", "Wójcik", worker_id=aisha),
        "hoa": case_factory("Nguyễn Thị", "Hoa", worker_id=aisha),
    }


def test_a_caseworker_records_a_person_of_concern_and_links_their_case_audited(
    as_dariusz: Services, cases: dict[str, int], audit_trail: Trail
) -> None:
    network = as_dariusz.network
    dean = network.add_concern(DEAN)
    link_id = network.link_concern(cases["kai"], dean, link(ConcernLinkType.EXPLOITED_BY))
    view = network.get_concern(dean)
    assert view.label == "Dean Walsh ('D-Money')"
    assert (view.approximate_age, view.linked_young_people) == (24, 1)
    [shown] = network.links_of(cases["kai"])
    assert (shown.kind, shown.link_id, shown.other_id) == (LinkKind.CONCERN, link_id, dean)
    assert (shown.other_label, shown.link_label) == ("Dean Walsh ('D-Money')", "Exploited by")
    assert shown.can_open and not shown.ended

    created = audit_trail("person_of_concern")
    assert [e.action for e in created] == [AuditAction.CREATE, AuditAction.VIEW]
    assert created[0].summary == "Person of concern added: Dean Walsh ('D-Money')"
    [linked] = audit_trail("concern_link")
    assert (linked.action, linked.person_id, linked.username) == (
        AuditAction.CREATE,
        cases["kai"],
        "dariusz",
    )
    assert linked.summary == "Link added: Exploited by Dean Walsh ('D-Money')"
    viewed = [e for e in audit_trail("person_link") if e.action is AuditAction.VIEW]
    assert [e.person_id for e in viewed] == [cases["kai"]]


def test_a_person_of_concern_needs_a_name_or_a_street_name_and_a_place_a_real_postcode(
    as_dariusz: Services,
) -> None:
    with pytest.raises(ValidationError) as refused:
        as_dariusz.network.add_concern(ConcernInput(name="  ", street_name=None))
    assert "name" in refused.value.fields
    skeng = as_dariusz.network.add_concern(ConcernInput(street_name="Skeng"))
    assert as_dariusz.network.get_concern(skeng).label == "'Skeng'"
    with pytest.raises(ValidationError) as refused:
        as_dariusz.network.add_place(PlaceInput("Wardown Park", PlaceKind.PARK, "LU99 ZZZZ"))
    assert "postcode" in refused.value.fields
    park = as_dariusz.network.add_place(PlaceInput("Wardown Park", PlaceKind.PARK, "lu27ha"))
    assert as_dariusz.network.get_place(park).label == "Wardown Park (LU2 7HA)"


def test_links_between_young_people_read_from_both_ends_and_others_cases_by_reference_only(
    as_dariusz: Services, as_aisha: Services, cases: dict[str, int]
) -> None:
    harmed = as_dariusz.network.link_person(
        cases["kai"], cases["lukasz"], link(PersonLinkType.HARMED_BY)
    )
    [from_kai] = as_dariusz.network.links_of(cases["kai"])
    assert from_kai.link_label == "Victim of / harmed by" and not from_kai.reversed
    assert not from_kai.can_open
    assert from_kai.other_label.startswith("Linked young person: VERU-")
    assert from_kai.other_label.endswith(", allocated to Aisha Mohamed")
    assert "Wójcik" not in from_kai.other_label

    [from_lukasz] = as_aisha.network.links_of(cases["lukasz"])
    assert (from_lukasz.link_id, from_lukasz.link_label) == (harmed, "Has harmed")
    assert from_lukasz.reversed
    assert from_lukasz.other_label.endswith(", allocated to Dariusz Wójcik")
    assert "Súilleabháin" not in from_lukasz.other_label


def test_no_link_to_oneself_no_future_since_and_until_not_before_since(
    as_dariusz: Services, cases: dict[str, int]
) -> None:
    with pytest.raises(ValidationError) as refused:
        as_dariusz.network.link_person(cases["kai"], cases["kai"], link(PersonLinkType.SIBLING))
    assert "other_person_id" in refused.value.fields
    future = LinkInput(
        PersonLinkType.FRIEND,
        InfoSource.SCHOOL,
        Certainty.CONFIRMED,
        since_on=dt.date.today() + dt.timedelta(days=3),
    )
    with pytest.raises(ValidationError) as refused:
        as_dariusz.network.link_person(cases["kai"], cases["zoe"], future)
    assert "since_on" in refused.value.fields
    backwards = LinkInput(
        PersonLinkType.FRIEND,
        InfoSource.SCHOOL,
        Certainty.CONFIRMED,
        since_on=days_ago(5),
        until_on=days_ago(10),
    )
    with pytest.raises(ValidationError) as refused:
        as_dariusz.network.link_person(cases["kai"], cases["zoe"], backwards)
    assert "until_on" in refused.value.fields
    with pytest.raises(ValidationError) as refused:
        as_dariusz.network.link_person(cases["kai"], cases["zoe"], link(ConcernLinkType.FAMILY))
    assert "link_type" in refused.value.fields


def test_a_link_is_changed_and_ended_with_its_version_and_both_are_audited(
    as_dariusz: Services, cases: dict[str, int], audit_trail: Trail
) -> None:
    network = as_dariusz.network
    park = network.add_place(PlaceInput("Wardown Park", PlaceKind.PARK))
    link_id = network.link_place(cases["zoe"], park, link(PlaceLinkType.FREQUENTS, since=60))
    [view] = network.links_of(cases["zoe"])
    network.change_link(
        LinkKind.PLACE,
        link_id,
        LinkInput(PlaceLinkType.EXPLOITED_AT, InfoSource.SELF_REPORT, Certainty.CONFIRMED,
                  since_on=days_ago(60), note="Told us she was made to hold a bag there"),
        view.version,
    )  # fmt: skip
    with pytest.raises(ConflictError):
        network.end_link(LinkKind.PLACE, link_id, days_ago(1), view.version)
    [changed] = network.links_of(cases["zoe"])
    assert changed.link_label == "Exploited at" and changed.certainty is Certainty.CONFIRMED
    with pytest.raises(ValidationError):
        network.end_link(LinkKind.PLACE, link_id, days_ago(61), changed.version)
    network.end_link(LinkKind.PLACE, link_id, days_ago(1), changed.version)
    [ended] = network.links_of(cases["zoe"])
    assert ended.ended and ended.until_on == days_ago(1)
    updates = [e for e in audit_trail("place_link") if e.action is AuditAction.UPDATE]
    assert [e.summary for e in updates] == [
        "Link changed: Exploited at",
        "Link ended: Exploited at",
    ]
    assert all(e.person_id == cases["zoe"] for e in updates)
    assert '"certainty": ["likely", "confirmed"]' in (updates[0].changes or "")


def test_a_caseworker_cannot_link_or_read_another_caseworkers_case_and_is_audited(
    as_aisha: Services, as_dariusz: Services, cases: dict[str, int], audit_trail: Trail
) -> None:
    dean = as_dariusz.network.add_concern(DEAN)
    link_id = as_dariusz.network.link_concern(
        cases["kai"], dean, link(ConcernLinkType.EXPLOITED_BY)
    )
    with pytest.raises(PermissionDenied):
        as_aisha.network.links_of(cases["kai"])
    with pytest.raises(PermissionDenied):
        as_aisha.network.network_of(cases["kai"])
    with pytest.raises(PermissionDenied):
        as_aisha.network.link_person(cases["kai"], cases["lukasz"], link(PersonLinkType.FRIEND))
    with pytest.raises(PermissionDenied):
        as_aisha.network.end_link(LinkKind.CONCERN, link_id, days_ago(1), 1)
    # Dean touches none of Aisha's cases and she did not record him.
    with pytest.raises(PermissionDenied):
        as_aisha.network.get_concern(dean)
    with pytest.raises(PermissionDenied):
        as_aisha.network.link_concern(cases["lukasz"], dean, link(ConcernLinkType.ASSOCIATE))
    assert as_aisha.network.concerns() == []
    denied = [e for e in audit_trail() if e.action is AuditAction.DENIED]
    assert len(denied) == 6 and {e.username for e in denied} == {"aisha"}


def test_an_administrator_sees_no_network(
    db: Any, team: Team, as_dariusz: Services, cases: dict[str, int]
) -> None:
    admin = Services(db, team.admin)
    with pytest.raises(PermissionDenied):
        admin.network.concerns()
    with pytest.raises(PermissionDenied):
        admin.network.links_of(cases["kai"])
    with pytest.raises(PermissionDenied):
        admin.network.add_place(PlaceInput("Luton station", PlaceKind.STATION))


def test_the_network_shows_others_cases_without_names_status_or_risk(
    as_dariusz: Services, as_aisha: Services, cases: dict[str, int], audit_trail: Trail
) -> None:
    network = as_dariusz.network
    dean = network.add_concern(DEAN)
    shop = network.add_place(PlaceInput("Chicken Cottage", PlaceKind.TAKEAWAY, "LU1 2AA"))
    station = network.add_place(PlaceInput("Luton station", PlaceKind.STATION, "LU1 2PR"))
    network.link_concern(cases["kai"], dean, link(ConcernLinkType.EXPLOITED_BY))
    network.link_concern(cases["zoe"], dean, link(ConcernLinkType.OWES_DEBT_TO))
    network.link_concern_to_place(dean, station, link(PlaceLinkType.OPERATES_FROM))
    network.link_place(cases["kai"], shop, link(PlaceLinkType.FREQUENTS))
    network.link_person(cases["kai"], cases["zoe"], link(PersonLinkType.SIBLING))
    as_aisha.network.link_person(cases["lukasz"], cases["kai"], link(PersonLinkType.CO_OFFENDER))

    picture = network.network_of(cases["kai"])
    assert picture.centre.label == "Kai Ó Súilleabháin" and picture.centre.can_open
    by_label = {n.label: n for n in picture.nodes}
    assert by_label["Dean Walsh ('D-Money')"].shared_with == 1  # Zoë too
    assert by_label["Chicken Cottage"].shared_with == 0
    assert by_label["Luton station"].kind is NodeKind.PLACE  # Dean's place, drawn from him
    zoe = next(n for n in picture.nodes if n.record_id == cases["zoe"])
    assert zoe.can_open and zoe.label.startswith("Zoë Brontë (VERU-") and zoe.status
    lukasz = next(n for n in picture.nodes if n.record_id == cases["lukasz"])
    assert not lukasz.can_open and lukasz.status is None and lukasz.risk is None
    assert lukasz.label.endswith("allocated to Aisha Mohamed") and "Łukasz" not in lukasz.label
    station_edges = [e for e in picture.edges if picture.nodes[e.target].label == "Luton station"]
    assert [picture.nodes[e.source].label for e in station_edges] == ["Dean Walsh ('D-Money')"]
    assert {e.label for e in picture.edges if e.source == 0} == {
        "Exploited by",
        "Spends time at",
        "Sibling",
        "Co-offender",
    }
    viewed = [e for e in audit_trail("person_link") if e.action is AuditAction.VIEW]
    assert viewed[-1].summary.startswith("Network diagram of VERU-")

    [shared] = network.shared_with_others(cases["kai"])
    assert shared.text == (
        "Linked to Dean Walsh ('D-Money') (person of concern), as is 1 other young person"
    )

    # The tab's one look: the three parts at one moment, one view in the trail.
    before = len(audit_trail("person_link"))
    whole = network.picture(cases["kai"])
    assert whole.network == network.network_of(cases["kai"])
    assert whole.links == network.links_of(cases["kai"])
    assert whole.shared == [shared]
    looks = audit_trail("person_link")[before:]
    assert looks[0].summary.startswith("Network of VERU-")
    assert "(4 links, 5 people and places)" in looks[0].summary
    assert len(looks) == 3  # the picture's one, then the two single reads above


def test_a_caseworker_sees_the_persons_of_concern_and_places_their_cases_touch(
    as_dariusz: Services, as_aisha: Services, as_manager: Services, cases: dict[str, int]
) -> None:
    dean = as_manager.network.add_concern(DEAN)
    skeng = as_manager.network.add_concern(ConcernInput("Jordan Reilly", "Skeng", 19))
    park = as_manager.network.add_place(PlaceInput("Marsh Farm estate", PlaceKind.ESTATE))
    as_manager.network.link_concern(cases["kai"], dean, link(ConcernLinkType.EXPLOITED_BY))
    as_manager.network.link_concern(cases["lukasz"], skeng, link(ConcernLinkType.ASSOCIATE))
    as_manager.network.link_concern_to_place(dean, park, link(PlaceLinkType.OPERATES_FROM))
    own = as_aisha.network.add_concern(ConcernInput(street_name="Little T"))

    assert [c.label for c in as_dariusz.network.concerns()] == ["Dean Walsh ('D-Money')"]
    assert [p.name for p in as_dariusz.network.places()] == ["Marsh Farm estate"]
    assert {c.id for c in as_aisha.network.concerns()} == {skeng, own}
    assert as_aisha.network.places() == []
    assert {c.id for c in as_manager.network.concerns()} == {dean, skeng, own}
    # Accent- and case-insensitive on the name and the street name.
    assert [c.id for c in as_dariusz.network.concerns("d-money")] == [dean]
    assert [c.id for c in as_manager.network.concerns("SKENG")] == [skeng]
    assert [p.id for p in as_manager.network.places("marsh")] == [park]


def test_the_manager_ranks_persons_of_concern_and_places_with_the_change_over_90_days(
    as_manager: Services, as_dariusz: Services, cases: dict[str, int]
) -> None:
    network = as_manager.network
    dean = network.add_concern(DEAN)
    skeng = network.add_concern(ConcernInput("Jordan Reilly", "Skeng", 19))
    station = network.add_place(PlaceInput("Luton station", PlaceKind.STATION))
    for name in ("kai", "zoe", "lukasz"):
        network.link_concern(cases[name], dean, link(ConcernLinkType.EXPLOITED_BY, since=20))
    old = network.link_concern(cases["hoa"], dean, link(ConcernLinkType.ASSOCIATE, since=200))
    network.end_link(LinkKind.CONCERN, old, days_ago(10), 1)
    network.link_concern(cases["hoa"], skeng, link(ConcernLinkType.SEEN_WITH, since=300))
    network.link_place(cases["kai"], station, link(PlaceLinkType.SEEN_AT, since=5))
    network.link_place(cases["hoa"], station, link(PlaceLinkType.SEEN_AT, since=None))

    ranked = network.ranked(90)
    assert [(e.label, e.linked_now, e.change) for e in ranked] == [
        ("Dean Walsh ('D-Money')", 3, 2),  # three new, one ended
        ("Luton station", 2, 2),  # one dated, one recorded today without a date
        ("Jordan Reilly ('Skeng')", 1, 0),
    ]
    people = network.linked_young_people(NodeKind.CONCERN, dean)
    assert len(people) == 4 and all(p.can_open for p in people)
    assert people[-1].until_on == days_ago(10)  # the ended link last

    # Dariusz: only what his cases touch, and Aisha's young people by reference only.
    assert {e.record_id for e in as_dariusz.network.ranked()} == {dean, station}
    seen = as_dariusz.network.linked_young_people(NodeKind.CONCERN, dean)
    hidden = [p for p in seen if not p.can_open]
    assert len(hidden) == 2
    assert all("allocated to Aisha Mohamed" in p.label for p in hidden)
    assert not any("Wójcik" in p.label or "Hoa" in p.label for p in hidden)


def test_candidates_to_link_follow_the_search_rules(
    as_dariusz: Services, cases: dict[str, int], audit_trail: Trail
) -> None:
    found = as_dariusz.network.candidates("Zoë")
    assert [(c.person_id, c.can_open) for c in found] == [(cases["zoe"], True)]
    assert as_dariusz.network.candidates("Wójcik") == []  # Aisha's case: not by part of a name
    ref = _case_ref(as_dariusz, cases["lukasz"])
    [exact] = as_dariusz.network.candidates(ref)
    assert (exact.person_id, exact.can_open) == (cases["lukasz"], False)
    assert exact.label == f"{ref}, allocated to Aisha Mohamed"
    assert any(e.action is AuditAction.LOOKUP for e in audit_trail("young_person"))


def _case_ref(services: Services, person_id: int) -> str:
    from veru_desk.db.models import YoungPerson

    with services.db.read() as session:
        return session.get_one(YoungPerson, person_id).case_ref
