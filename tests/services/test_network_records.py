"""Network links at the end of a record's life and in a subject access export: anonymising
removes what the links' notes say, erasing removes the links (a person of concern stays, as
the unit's intelligence), and the export holds the young person's links with the other young
person's identity and the person of concern's details withheld by default."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import func, select

from tests.services.test_retention import closed_case
from veru_desk.db.engine import Database
from veru_desk.db.models import ConcernLink, PersonLink, PersonOfConcern, PlaceLink
from veru_desk.domain.network import (
    Certainty,
    ConcernInput,
    ConcernLinkType,
    InfoSource,
    LinkInput,
    PersonLinkType,
    PlaceInput,
    PlaceKind,
    PlaceLinkType,
)
from veru_desk.reports.subject_access import export_subject_access
from veru_desk.services import Services

SECRET = "Met him behind the Chicken Cottage on Dunstable Road"


def _link(kind: PersonLinkType | ConcernLinkType | PlaceLinkType, note: str = SECRET) -> LinkInput:
    since = dt.date.today() - dt.timedelta(days=500)
    return LinkInput(kind, InfoSource.SELF_REPORT, Certainty.CONFIRMED, since_on=since, note=note)


def _network(manager: Services, zoe: int, other: int) -> dict[str, int]:
    network = manager.network
    dean = network.add_concern(ConcernInput("Dean Walsh", "D-Money", 24, "Grey Audi"))
    shop = network.add_place(PlaceInput("Chicken Cottage", PlaceKind.TAKEAWAY, "LU1 1HB"))
    return {
        "dean": dean,
        "shop": shop,
        "concern": network.link_concern(zoe, dean, _link(ConcernLinkType.EXPLOITED_BY)),
        "place": network.link_place(zoe, shop, _link(PlaceLinkType.EXPLOITED_AT)),
        "person": network.link_person(other, zoe, _link(PersonLinkType.HARMED_BY)),
        "other_concern": network.link_concern(other, dean, _link(ConcernLinkType.ASSOCIATE)),
    }


def test_anonymising_removes_the_links_notes_and_keeps_the_links(
    as_manager: Services, as_dariusz: Services, case_factory: object, db: Database
) -> None:
    assert as_dariusz.actor.user_id is not None
    zoe = closed_case(as_manager, as_dariusz.actor.user_id)
    other = case_factory("Mohammed", "Al-Sayed", worker_id=as_dariusz.actor.user_id)  # type: ignore[operator]
    ids = _network(as_manager, zoe, other)
    as_manager.retention.anonymise(zoe, "Retention review")
    with db.read() as session:
        rows: list[ConcernLink | PlaceLink | PersonLink] = [
            session.get_one(ConcernLink, ids["concern"]),
            session.get_one(PlaceLink, ids["place"]),
            session.get_one(PersonLink, ids["person"]),
        ]
        for row in rows:
            assert row.note is None, row
            assert row.link_type is not None and row.since_on is not None
        # The other young person's own link keeps its note: it is about them.
        assert session.get_one(ConcernLink, ids["other_concern"]).note == SECRET


def test_erasing_removes_the_links_and_keeps_the_person_of_concern(
    as_manager: Services, as_dariusz: Services, case_factory: object, db: Database
) -> None:
    assert as_dariusz.actor.user_id is not None
    zoe = closed_case(as_manager, as_dariusz.actor.user_id)
    other = case_factory("Mohammed", "Al-Sayed", worker_id=as_dariusz.actor.user_id)  # type: ignore[operator]
    ids = _network(as_manager, zoe, other)
    as_manager.retention.erase(zoe, "Retention review")
    with db.read() as session:
        assert session.get(ConcernLink, ids["concern"]) is None
        assert session.get(PlaceLink, ids["place"]) is None
        assert session.get(PersonLink, ids["person"]) is None
        assert session.get(PersonOfConcern, ids["dean"]) is not None
        assert session.scalar(select(func.count()).select_from(ConcernLink)) == 1
    [link] = as_manager.network.links_of(other)
    assert link.other_label == "Dean Walsh ('D-Money')"
    assert as_manager.network.get_concern(ids["dean"]).linked_young_people == 1


def test_a_subject_access_export_holds_links_with_third_parties_withheld(
    as_manager: Services, as_dariusz: Services, case_factory: object, tmp_path: Path
) -> None:
    assert as_dariusz.actor.user_id is not None
    zoe = closed_case(as_manager, as_dariusz.actor.user_id, years_ago=1, age=19)
    other = case_factory("Mohammed", "Al-Sayed", worker_id=as_dariusz.actor.user_id)  # type: ignore[operator]
    ids = _network(as_manager, zoe, other)
    result = export_subject_access(as_manager, zoe, tmp_path / "sar.json", tmp_path / "sar.pdf")
    text = result.json_path.read_text(encoding="utf-8")
    document = json.loads(text)
    links = {item["key"]: item for item in document["network_links"]}
    assert set(links) == {f"link:{ids['person']}", f"concern_link:{ids['concern']}",
                          f"place_link:{ids['place']}"}  # fmt: skip
    person = links[f"link:{ids['person']}"]
    assert person["linked_to"] == "A young person on record (identity withheld)"
    assert person["link_type"] == "harmed_by" and person["note"] == SECRET
    assert person["young_person_id"] == zoe and "other_person_id" not in person
    concern = links[f"concern_link:{ids['concern']}"]
    assert concern["linked_to"] == "A person of concern (details withheld)"
    assert "person_of_concern_id" not in concern
    assert (
        links[f"place_link:{ids['place']}"]["linked_to"]
        == "Chicken Cottage (Takeaway or shop front)"
    )
    for secret in ("Dean Walsh", "D-Money", "Al-Sayed", "Mohammed", "Grey Audi"):
        assert secret not in text, secret
