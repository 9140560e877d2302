"""The rules a network link, a person of concern and a place keep, before anything is saved."""

from __future__ import annotations

import datetime as dt

import pytest

from veru_desk.domain.network import (
    Certainty,
    ConcernInput,
    ConcernLinkType,
    InfoSource,
    LinkInput,
    LinkKind,
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

TODAY = dt.date(2026, 3, 14)


def _link(
    link_type: PersonLinkType | ConcernLinkType | PlaceLinkType = PersonLinkType.SIBLING,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> LinkInput:
    return LinkInput(link_type, InfoSource.FAMILY, Certainty.CONFIRMED, since, until)


@pytest.mark.parametrize(
    ("name", "street", "label"),
    [
        ("Dean Walsh", "D-Money", "Dean Walsh ('D-Money')"),
        (None, "Skeng", "'Skeng'"),
        ("Łukasz Nowak", None, "Łukasz Nowak"),
    ],
)
def test_a_person_of_concern_is_named_by_name_and_street_name_as_typed(
    name: str | None, street: str | None, label: str
) -> None:
    assert concern_label(name, street) == label


def test_a_person_of_concern_needs_a_name_or_a_street_name() -> None:
    assert "name" in concern_problems(ConcernInput(name=" ", street_name=""))
    assert concern_problems(ConcernInput(street_name="Little T")) == {}
    assert "approximate_age" in concern_problems(ConcernInput(name="Dean Walsh", approximate_age=4))
    assert "street_name" in concern_problems(ConcernInput(street_name="x" * 101))


def test_a_place_needs_a_name() -> None:
    assert "name" in place_problems(PlaceInput("  ", PlaceKind.PARK))
    assert place_problems(PlaceInput("Wardown Park", PlaceKind.PARK)) == {}


def test_a_link_starts_no_later_than_today_and_ends_after_it_starts() -> None:
    assert link_problems(LinkKind.PERSON, _link(since=TODAY), TODAY) == {}
    future = _link(since=TODAY + dt.timedelta(days=1))
    assert "since_on" in link_problems(LinkKind.PERSON, future, TODAY)
    backwards = _link(since=TODAY - dt.timedelta(days=3), until=TODAY - dt.timedelta(days=9))
    assert "until_on" in link_problems(LinkKind.PERSON, backwards, TODAY)
    ends_later = _link(until=TODAY + dt.timedelta(days=2))
    assert "until_on" in link_problems(LinkKind.PERSON, ends_later, TODAY)


def test_a_link_takes_a_type_of_its_own_kind() -> None:
    assert link_problems(LinkKind.CONCERN, _link(ConcernLinkType.OWES_DEBT_TO), TODAY) == {}
    assert "link_type" in link_problems(LinkKind.CONCERN, _link(PlaceLinkType.SEEN_AT), TODAY)
    assert "link_type" in link_problems(LinkKind.PLACE, _link(PersonLinkType.FRIEND), TODAY)


def test_ending_a_link() -> None:
    started = TODAY - dt.timedelta(days=30)
    assert end_problems(started, None, TODAY, TODAY) == {}
    assert "until_on" in end_problems(started, TODAY, TODAY, TODAY)  # ended already
    assert "until_on" in end_problems(started, None, TODAY + dt.timedelta(days=1), TODAY)
    assert "until_on" in end_problems(started, None, started - dt.timedelta(days=1), TODAY)


def test_no_link_to_oneself_and_a_place_link_has_exactly_one_end() -> None:
    assert self_link_problem(7, 7) and not self_link_problem(7, 8)
    assert place_link_ends_problem(None, None)
    assert place_link_ends_problem(3, 4)
    assert not place_link_ends_problem(3, None) and not place_link_ends_problem(None, 4)


def test_links_read_from_the_other_side() -> None:
    assert PersonLinkType.HARMED_BY.reverse_label == "Has harmed"
    assert PersonLinkType.SIBLING.reverse_label == "Sibling"
    assert ConcernLinkType.EXPLOITED_BY.reverse_label == "Exploits"
