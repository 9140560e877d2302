"""Likely duplicates beyond exact matches: the mess of real referrals, and the people who
only look alike (twins, two boys with a common name)."""

from __future__ import annotations

import datetime as dt
import random
import time

import pytest

from veru_desk.domain.duplicates import (
    PersonKey,
    compare,
    edit_distance,
    likely_duplicates,
    sound_key,
    swapped,
)

D = dt.date


def person(
    pid: int,
    first: str,
    last: str,
    born: dt.date,
    preferred: str | None = None,
    nhs: str | None = None,
    postcode: str | None = None,
) -> PersonKey:
    return PersonKey(pid, first, last, born, preferred, nhs, postcode)


def test_swapped_day_and_month_is_a_likely_duplicate() -> None:
    found = compare(
        person(1, "Chiamaka", "Okonkwo", D(2011, 4, 3)),
        person(2, "Chiamaka", "Okonkwo", D(2011, 3, 4)),
    )
    assert found is not None
    assert "dates of birth with the day and month swapped" in found.reasons
    assert found.score >= 80


def test_zoe_and_zoey_are_the_same_name() -> None:
    found = compare(
        person(7, "Zoë", "Brontë", D(2010, 9, 14)), person(3, "Zoey", "Bronte", D(2010, 9, 14))
    )
    assert found is not None
    assert (found.first, found.second) == (3, 7)
    assert (
        found.because
        == "same date of birth; first names Zoey / Zoë are the same name; same surname"
    )


def test_mohammed_and_muhammad_are_the_same_name() -> None:
    found = compare(
        person(1, "Mohammed", "Al-Sayed", D(2009, 1, 20)),
        person(2, "Muhammad", "Al Sayed", D(2009, 1, 20)),
    )
    assert found is not None
    assert "first names Mohammed / Muhammad are the same name" in found.reasons


def test_surname_particles_joined_or_spaced_are_one_surname() -> None:
    found = compare(
        person(1, "Mohammed", "Al-Sayed", D(2009, 1, 20)),
        person(2, "Mohammed", "Alsayed", D(2009, 1, 20)),
    )
    assert found is not None
    assert "surnames Al-Sayed / Alsayed are written differently" in found.reasons


def test_near_spelling_of_a_name_is_a_likely_duplicate() -> None:
    found = compare(
        person(1, "Łukasz", "Wójcik", D(2012, 6, 30)), person(2, "Lucasz", "Wojcik", D(2012, 6, 30))
    )
    assert found is not None
    assert "first names Łukasz / Lucasz are spelt alike" in found.reasons


def test_preferred_name_given_as_the_first_name() -> None:
    found = compare(
        person(1, "Oluwaseun", "Adeyemi", D(2010, 2, 11)),
        person(2, "Seun", "Adeyemi", D(2010, 2, 11)),
    )
    assert found is not None and found.score >= 80
    by_preference = compare(
        person(1, "Temiloluwa", "Adeyemi", D(2010, 2, 11), preferred="Lolu"),
        person(2, "Lolu", "Adeyemi", D(2010, 2, 11)),
    )
    assert by_preference is not None
    assert "Lolu is Temiloluwa's preferred name" in by_preference.reasons


def test_a_digit_mistyped_in_the_date_of_birth() -> None:
    found = compare(
        person(1, "Aoife", "Ní Bhriain", D(2011, 7, 15)),
        person(2, "Aoife", "Ní Bhriain", D(2011, 7, 16)),
    )
    assert found is not None
    assert "dates of birth one typed digit apart" in found.reasons


def test_names_the_other_way_round() -> None:
    found = compare(
        person(1, "Hoa", "Nguyễn", D(2011, 5, 1)), person(2, "Nguyen", "Hoa", D(2011, 5, 1))
    )
    assert found is not None
    assert "first name and surname the other way round" in found.reasons


def test_same_common_name_with_a_different_date_of_birth_is_not_a_match() -> None:
    assert (
        compare(
            person(1, "Mohammed", "Ahmed", D(2009, 3, 12)),
            person(2, "Mohammed", "Ahmed", D(2011, 8, 27)),
        )
        is None
    )


def test_twins_are_not_one_person() -> None:
    assert (
        compare(
            person(1, "Amara", "Mensah", D(2012, 1, 9)), person(2, "Kofi", "Mensah", D(2012, 1, 9))
        )
        is None
    )


def test_different_nhs_numbers_are_different_people() -> None:
    assert (
        compare(
            person(1, "Zoë", "Brontë", D(2010, 9, 14), nhs="9434765919"),
            person(2, "Zoë", "Brontë", D(2010, 9, 14), nhs="4010232137"),
        )
        is None
    )


def test_the_same_nhs_number_is_a_match_whatever_the_names() -> None:
    found = compare(
        person(1, "Kai", "Thompson", D(2010, 9, 14), nhs="9434765919"),
        person(2, "Kyle", "Thomson", D(2004, 1, 1), nhs="9434765919"),
    )
    assert found is not None and "same NHS number" in found.reasons


def test_short_names_need_to_be_exact() -> None:
    assert (
        compare(person(1, "Jo", "Lee", D(2011, 4, 3)), person(2, "Al", "Lee", D(2011, 4, 3)))
        is None
    )
    found = compare(
        person(1, "Jo", "Kowalczyk", D(2011, 4, 3)), person(2, "Joanne", "Kowalczyk", D(2011, 4, 3))
    )
    assert found is not None


def test_helpers() -> None:
    assert edit_distance("okonkwo", "okonkow") == 1  # neighbours swapped count once
    assert edit_distance("abc", "xyzabcdef", limit=2) == 3
    assert sound_key("Okonkwo") == sound_key("Okonkow") == "oknk"
    assert swapped(D(2011, 4, 3)) == D(2011, 3, 4)
    assert swapped(D(2011, 4, 4)) is None
    assert swapped(D(2011, 4, 30)) is None


def test_likely_duplicates_finds_every_kind_and_ranks_them() -> None:
    people = [
        person(1, "Zoë", "Brontë", D(2010, 9, 14)),
        person(2, "Zoey", "Bronte", D(2010, 9, 14)),
        person(3, "Chiamaka", "Okonkwo", D(2011, 4, 3)),
        person(4, "Chiamaka", "Okonkwo", D(2011, 3, 4)),
        person(5, "Mohammed", "Ahmed", D(2009, 3, 12)),
        person(6, "Mohammed", "Ahmed", D(2011, 8, 27)),
        person(7, "Amara", "Mensah", D(2012, 1, 9)),
        person(8, "Kofi", "Mensah", D(2012, 1, 9)),
        person(9, "Chiamaka", "Okonkwo", D(2011, 4, 3)),
    ]
    pairs = {(like.first, like.second): like for like in likely_duplicates(people)}
    assert set(pairs) == {(1, 2), (3, 4), (3, 9), (4, 9)}
    ranked = likely_duplicates(people)
    assert ranked[0].score == 100 and (ranked[0].first, ranked[0].second) == (3, 9)


_FIRST = ["Aoife", "Łukasz", "Chiamaka", "Zoë", "Mohammed", "Hoa", "Kai", "Grace", "Tomasz"]
_LAST = ["Ní Bhriain", "Wójcik", "Okonkwo", "Brontë", "Al-Sayed", "Nguyễn", "Mensah", "Ó Briain"]


def _crowd(count: int, seed: int) -> list[PersonKey]:
    rng = random.Random(seed)
    start = D(2002, 1, 1)
    return [
        person(
            i,
            rng.choice(_FIRST) + rng.choice("abcdefghijklmnopqrstuvwxyz") * rng.randint(0, 3),
            rng.choice(_LAST) + str(rng.randint(0, 999)),
            start + dt.timedelta(days=rng.randrange(15 * 365)),
        )
        for i in range(count)
    ]


def test_blocking_finds_what_comparing_every_pair_finds() -> None:
    people = _crowd(700, seed=19)
    # Plant duplicates of each kind among them.
    people += [
        person(10_001, "Zoey", people[10].last_name, people[10].date_of_birth),
        person(
            10_002,
            people[20].first_name,
            people[20].last_name,
            swapped(people[20].date_of_birth) or D(2011, 1, 1),
        ),
    ]
    everyone = {
        (a.id, b.id)
        for i, a in enumerate(people)
        for b in people[i + 1 :]
        if compare(a, b) is not None
    }
    found = {(like.first, like.second) for like in likely_duplicates(people)}
    assert found == {tuple(sorted(pair)) for pair in everyone}


@pytest.mark.slow
def test_a_hundred_thousand_people_take_seconds_not_hours() -> None:
    people = _crowd(100_000, seed=7)
    started = time.process_time()
    likely_duplicates(people)
    spent = time.process_time() - started
    assert spent < 10, f"{spent:.1f} s of CPU for 100,000 people"


def test_a_typo_in_a_name_with_a_short_form_is_still_found() -> None:
    # Chiamaka blocks with Amaka (its short form) and with Chiamka (a typo) alike.
    people = [
        person(1, "Chiamaka", "Okonkwo", D(2011, 4, 3)),
        person(2, "Chiamka", "Okonkwo", D(2011, 3, 4)),
        person(3, "Amaka", "Okonkwo", D(2011, 4, 3)),
    ]
    assert {(like.first, like.second) for like in likely_duplicates(people)} == {(1, 2), (1, 3)}


_GIVEN = [
    "Aoife", "Łukasz", "Chiamaka", "Zoë", "Mohammed", "Hoa", "Siobhán", "Oluwaseun", "Kacper",
    "Amara", "Dmitri", "Fatima", "Tomasz", "Niamh", "Kwame", "Priya", "Yusuf", "Małgorzata",
]  # fmt: skip
_FAMILY = [
    "Ní Bhriain", "Wójcik", "Okonkwo", "Brontë", "Al-Sayed", "Nguyễn", "Ó Briain", "Mensah",
    "Kowalczyk", "Begum", "Adeyemi", "Ivanova", "McAllister", "Ó Súilleabháin", "Chowdhury",
]  # fmt: skip


def test_blocking_finds_every_pair_of_a_crowd_of_real_names() -> None:
    """A few hundred people with real names (few names, so many share one) and a planted
    pair of each kind: the blocked search finds exactly what comparing everyone with
    everyone finds, the planted pairs among them, and not the twins."""
    rng = random.Random(2026)
    start = D(2004, 1, 1)
    people = [
        person(
            i,
            rng.choice(_GIVEN),
            rng.choice(_FAMILY),
            start + dt.timedelta(days=rng.randrange(14 * 365)),
            nhs=None,
            postcode=rng.choice([None, "LU1 1AA", "LU4 9QT"]),
        )
        for i in range(1, 301)
    ]
    born, flipped = D(2011, 4, 3), D(2011, 3, 4)
    planted = [
        (person(1001, "Zoë", "Brontë", born), person(1002, "Zoey", "Bronte", born)),
        (person(1003, "Chiamaka", "Okonkwo", born), person(1004, "Chiamaka", "Okonkwo", flipped)),
        (person(1005, "Siobhán", "Ó Briain", born), person(1006, "Siobhan", "O Briain", flipped)),
        (person(1007, "Mohammed", "Al-Sayed", born), person(1008, "Muhammad", "Alsayed", born)),
        (person(1009, "Hoa", "Nguyễn", born), person(1010, "Nguyen", "Hoa", born)),
        (person(1011, "Łukasz", "Wójcik", born), person(1012, "Lukasz", "Wojcik", D(2011, 4, 13))),
        (
            person(1013, "Oluwaseun", "Adeyemi", born, preferred="Seun"),
            person(1014, "Seun", "Adeyemi", born),
        ),
        (
            person(1015, "Kwame", "Mensah", born, nhs="9434765919"),
            person(1016, "Kojo", "Mensah-Boateng", D(2010, 1, 1), nhs="9434765919"),
        ),
    ]  # fmt: skip
    twins = (person(1017, "Amara", "Okafor", born), person(1018, "Chidi", "Okafor", born))
    # Another spelling, two letters apart in a short name: a different surname to the matcher.
    not_alike = (person(1019, "Aoife", "Ó Briain", born), person(1020, "Aoife", "O'Brien", born))
    for pair in (*planted, twins, not_alike):
        people += list(pair)
    rng.shuffle(people)

    everyone = {
        (min(a.id, b.id), max(a.id, b.id))
        for i, a in enumerate(people)
        for b in people[i + 1 :]
        if compare(a, b) is not None
    }
    found = [(like.first, like.second) for like in likely_duplicates(people)]
    assert len(found) == len(set(found))  # each pair once
    assert set(found) == everyone
    assert {(a.id, b.id) for a, b in planted} <= everyone
    assert (1017, 1018) not in everyone and (1019, 1020) not in everyone
    assert len(everyone) > len(planted)  # the crowd's own look-alikes are compared too
