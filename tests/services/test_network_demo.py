"""The demo's networks: persons of concern each linked to several young people across
caseloads, shared places, links between young people, every link keeping the rules a
caseworker's would, the same for the same seed; the manager's ranked list has a change to
show and a caseworker sees a linked colleague's case by reference only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from tests.services.test_demo import fresh_database
from veru_desk.db.models import ConcernLink, PersonLink, PlaceLink, User, YoungPerson
from veru_desk.demo.database import generate_demo_data
from veru_desk.domain.network import LinkInput, LinkKind, NodeKind, link_problems
from veru_desk.services import Services
from veru_desk.services.users import actor_for


def test_demo_networks_reach_across_caseloads_and_keep_the_rules(tmp_path: Path) -> None:
    today = dt.date.today()
    db = fresh_database(tmp_path / "demo.db")
    generate_demo_data(db, 120, seed=11)
    with db.read() as session:
        concern_links = list(session.scalars(select(ConcernLink)))
        links: dict[LinkKind, list[ConcernLink] | list[PlaceLink] | list[PersonLink]] = {
            LinkKind.CONCERN: concern_links,
            LinkKind.PLACE: list(session.scalars(select(PlaceLink))),
            LinkKind.PERSON: list(session.scalars(select(PersonLink))),
        }
        workers = {
            p: w for p, w in session.execute(select(YoungPerson.id, YoungPerson.current_worker_id))
        }
        users = {u.username: actor_for(u) for u in session.scalars(select(User))}
    assert all(links.values())
    for kind, rows in links.items():
        for row in rows:
            typed = LinkInput(row.link_type, row.source, row.certainty, row.since_on, row.until_on)
            assert link_problems(kind, typed, today) == {}, (kind, row.id)
    ranked = Services(db, users["priya"]).network.ranked(90)
    top = next(e for e in ranked if e.kind is NodeKind.CONCERN)
    assert top.label == "Dean Walsh ('D-Money')" and top.linked_now >= 5
    dean = {r.young_person_id for r in concern_links if r.person_of_concern_id == top.record_id}
    assert len({workers[p] for p in dean}) >= 2  # across caseloads
    assert any(e.change != 0 for e in ranked)
    shared_places = [e for e in ranked if e.kind is NodeKind.PLACE and e.linked_now >= 2]
    assert shared_places

    # Dariusz sees Dean through his own young people, and the others only by reference.
    dariusz = users["dariusz"]
    mine = [p for p in dean if workers[p] == dariusz.user_id]
    if mine:
        seen = Services(db, dariusz).network.linked_young_people(top.kind, top.record_id)
        others = [s for s in seen if not s.can_open]
        assert others and all("allocated to" in s.label for s in others)


def test_the_same_seed_draws_the_same_network(tmp_path: Path) -> None:
    drawn = []
    for name in ("one.db", "two.db"):
        db = fresh_database(tmp_path / name)
        generate_demo_data(db, 60, seed=5, anchor=dt.date(2026, 3, 2))
        with db.read() as session:
            drawn.append(
                [
                    (r.young_person_id, r.person_of_concern_id, r.link_type, r.since_on)
                    for r in session.scalars(select(ConcernLink).order_by(ConcernLink.id))
                ]
                + [
                    (r.young_person_id, r.other_person_id, r.link_type, r.since_on)
                    for r in session.scalars(select(PersonLink).order_by(PersonLink.id))
                ]
            )
    assert drawn[0] == drawn[1] and drawn[0]
