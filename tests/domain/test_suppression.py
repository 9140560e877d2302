"""Small-number suppression: no count from 1 to 4 is printed, and none can be worked out from
the totals printed beside it (by linear algebra, nor by knowing "<5" means 1 to 4)."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from veru_desk.domain.suppression import (
    SMALL,
    WITHHELD,
    Relation,
    is_small,
    pinned_in_relation,
    recoverable,
    suppress,
    table_relations,
)

counts = st.integers(min_value=0, max_value=40)
small_heavy = st.one_of(st.integers(0, 6), counts)


def line(parts: list[int]) -> tuple[list[int], list[Relation]]:
    values = [*parts, sum(parts)]
    return values, [Relation(tuple(range(len(parts))), len(parts))]


def grid(body: list[list[int]]) -> tuple[list[int], list[Relation]]:
    """The body with a total column, a total row and the grand total, row by row."""
    rows = [[*row, sum(row)] for row in body]
    rows.append([sum(column) for column in zip(*rows, strict=True)])
    values = [v for row in rows for v in row]
    return values, table_relations(len(rows), len(rows[0]), column_totals=True, row_totals=True)


def test_a_count_from_1_to_4_is_shown_as_under_5_and_0_and_5_as_they_are() -> None:
    values, relations = line([0, 3, 5, 12])
    result = suppress(values, relations)
    shown = [result.shown(i, v) for i, v in enumerate(values)]
    assert shown[0] == 0 and shown[1] == SMALL and shown[-1] == 20
    assert shown[2] == WITHHELD, "with only the 3 hidden, 20 - 0 - 5 - 12 would give it away"
    assert shown[3] == 12


def test_a_total_is_withheld_when_the_only_other_part_would_reveal_the_small_one() -> None:
    # 1 and 5 make 6: "*" for the 5 alone would still be found (a withheld number is 0 or
    # 5 and over, so 6 = 1 + 5 is the only way), so the total goes too.
    values, relations = line([1, 5])
    result = suppress(values, relations)
    assert result.hidden == {0, 1, 2}
    assert [result.shown(i, v) for i, v in enumerate(values)] == [SMALL, WITHHELD, WITHHELD]


def test_two_small_counts_that_could_be_several_pairs_need_nothing_more() -> None:
    values, relations = line([2, 3, 40])  # 45 - 40 = 5: 1+4, 2+3, 3+2 or 4+1
    result = suppress(values, relations)
    assert result.small == {0, 1} and not result.withheld


def test_parts_that_do_not_add_up_are_refused() -> None:
    try:
        suppress([1, 2, 4], [Relation((0, 1), 2)])
    except ValueError:
        return
    raise AssertionError("a wrong total was accepted")


@settings(max_examples=300, deadline=None)
@given(st.lists(small_heavy, min_size=1, max_size=8))
def test_no_hidden_number_in_a_line_can_be_recomputed(parts: list[int]) -> None:
    values, relations = line(parts)
    result = suppress(values, relations)
    assert all(p in result.small for p, v in enumerate(values) if is_small(v))
    assert recoverable(values, relations, result.hidden) == set()
    for relation in relations:
        assert not pinned_in_relation(values, relation, result.small, result.hidden)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda rows: st.integers(1, 4).flatmap(
            lambda cols: st.lists(
                st.lists(small_heavy, min_size=cols, max_size=cols), min_size=rows, max_size=rows
            )
        )
    )
)
def test_no_hidden_number_in_a_table_with_row_and_column_totals_can_be_recomputed(
    body: list[list[int]],
) -> None:
    values, relations = grid(body)
    result = suppress(values, relations)
    assert all(p in result.small for p, v in enumerate(values) if is_small(v))
    assert recoverable(values, relations, result.hidden) == set()
    for relation in relations:
        assert not pinned_in_relation(values, relation, result.small, result.hidden)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 9), min_size=1, max_size=3))
def test_every_hidden_number_of_a_short_line_has_another_possible_value(parts: list[int]) -> None:
    """By brute force, as a reader would: try every value a "<5" (1 to 4) or a "*" (0, or 5
    and over) could take that keeps the shown total; each hidden number must have two."""
    values, relations = line(parts)
    result = suppress(values, relations)
    total = len(parts)
    if total in result.hidden:
        return  # an unknown total leaves every part free: nothing to solve
    hidden = [p for p in range(len(parts)) if p in result.hidden]
    if not hidden:
        return
    residue = values[total] - sum(values[p] for p in range(len(parts)) if p not in result.hidden)

    def options(p: int) -> list[int]:
        return list(range(1, 5)) if p in result.small else [0, *range(5, residue + 1)]

    seen: dict[int, set[int]] = {p: set() for p in hidden}
    for guess in itertools.product(*(options(p) for p in hidden)):
        if sum(guess) == residue:
            for p, v in zip(hidden, guess, strict=True):
                seen[p].add(v)
    for p in hidden:
        assert values[p] in seen[p]
        assert len(seen[p]) >= 2, f"{values}: position {p} can only be {seen[p]}"


def test_a_table_of_counts_keeps_a_withheld_total_the_same_wherever_it_is_printed() -> None:
    # Passing ``withheld`` (a total another table had to hide) hides it here too.
    values, relations = line([10, 12, 30])
    result = suppress(values, relations, withheld=[3])
    assert 3 in result.withheld
    assert len(result.hidden) >= 2  # the total alone would be 10 + 12 + 30


def test_a_sub_total_printed_elsewhere_is_withheld_rather_than_the_grand_total() -> None:
    # 30 accepted + 10 declined + 3 awaiting = 43 received; 30 + 10 = 40 decided is printed
    # in another table. With 40 and 43 both shown, 43 - 40 gives the 3 away: the 40 goes.
    values = [30, 10, 3, 43, 40]
    relations = [Relation((0, 1, 2), 3), Relation((0, 1), 4)]
    result = suppress(values, relations)
    assert result.small == {2}
    assert 4 in result.withheld and 3 not in result.hidden
    assert recoverable(values, relations, result.hidden) == set()


@settings(max_examples=150, deadline=None)
@given(st.lists(small_heavy, min_size=2, max_size=6), st.data())
def test_nested_sub_totals_never_give_a_hidden_number_away(
    parts: list[int], data: st.DataObject
) -> None:
    """A line with a sub-total of some of its parts printed too (decided of received)."""
    chosen = data.draw(st.sets(st.integers(0, len(parts) - 1), min_size=1))
    values = [*parts, sum(parts), sum(parts[i] for i in chosen)]
    relations = [
        Relation(tuple(range(len(parts))), len(parts)),
        Relation(tuple(sorted(chosen)), len(parts) + 1),
    ]
    result = suppress(values, relations)
    assert all(p in result.small for p, v in enumerate(values) if is_small(v))
    assert recoverable(values, relations, result.hidden) == set()
