"""Case references: VERU-YYYY-NNNNN, read however it is typed, spotted as it is typed."""

from __future__ import annotations

import pytest

from veru_desk.domain.case_reference import (
    SORT_KEY_SQL,
    format_case_reference,
    looks_like_case_reference,
    parse_case_reference,
    reference_sort_key,
)


def test_format_pads_the_number_to_five_digits() -> None:
    assert format_case_reference(2026, 42) == "VERU-2026-00042"
    assert format_case_reference(2026, 1) == "VERU-2026-00001"
    assert format_case_reference(2031, 99999) == "VERU-2031-99999"


def test_formatted_references_sort_in_the_order_they_were_given() -> None:
    refs = [format_case_reference(2026, n) for n in (9, 10, 100, 1000)]
    assert refs == sorted(refs)


def test_a_year_past_99999_references_grows_a_sixth_digit_and_never_runs_out() -> None:
    assert format_case_reference(2026, 100000) == "VERU-2026-100000"
    assert format_case_reference(2026, 123456789) == "VERU-2026-123456789"
    assert parse_case_reference("veru-2026-100000") == (2026, 100000)
    assert parse_case_reference("VERU 2026 123456") == (2026, 123456)
    assert looks_like_case_reference("VERU-2026-10000")
    assert looks_like_case_reference("VERU-2026-100000")


def test_the_sort_key_keeps_the_order_references_were_given_past_99999() -> None:
    given = [(2025, 100001), (2026, 9), (2026, 10000), (2026, 10001), (2026, 99999)]
    given += [(2026, 100000), (2026, 100001), (2026, 1000000), (2027, 1)]
    refs = [format_case_reference(year, number) for year, number in given]
    assert sorted(refs) != refs  # as bare text 100000 would sort between 10000 and 10001
    assert sorted(refs, key=reference_sort_key) == refs
    assert reference_sort_key("VERU-2026-00042") == "VERU-2026-500042"


def test_the_sql_sort_key_is_the_python_one() -> None:
    import sqlite3

    refs = ["VERU-2026-00042", "VERU-2026-99999", "VERU-2026-100000", "VERU-2019-123456789"]
    with sqlite3.connect(":memory:") as connection:
        connection.execute("CREATE TABLE t (case_ref TEXT)")
        connection.executemany("INSERT INTO t VALUES (?)", [(r,) for r in refs])
        keys = [row[0] for row in connection.execute(f"SELECT {SORT_KEY_SQL} FROM t")]
    assert keys == [reference_sort_key(r) for r in refs]


@pytest.mark.parametrize(
    ("year", "number"), [(2026, 0), (2026, -1), (2026, 10**9), (999, 1), (10000, 1)]
)
def test_format_refuses_numbers_the_sequence_should_never_produce(year: int, number: int) -> None:
    with pytest.raises(ValueError):
        format_case_reference(year, number)


@pytest.mark.parametrize(
    "text",
    [
        "VERU-2026-00042",
        "veru-2026-42",
        "Veru-2026-042",
        "  VERU-2026-00042  ",
        "VERU 2026 42",
        "veru - 2026 - 00042",
    ],
)
def test_parse_reads_the_reference_however_it_is_typed(text: str) -> None:
    assert parse_case_reference(text) == (2026, 42)


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "VERU-2026",
        "VERU-2026-",
        "VERU-2026-00000",
        "VERU-2026-000042",
        "VERU-26-42",
        "VERU-0999-1",
        "VRU-2026-42",
        "VERU2026-42",
        "XVERU-2026-42",
        "VERU-2026-42x",
        "Łukasz",
        "VERU-２０２６-42",
    ],
)
def test_parse_returns_none_for_anything_else(text: str | None) -> None:
    assert parse_case_reference(text) is None


@pytest.mark.parametrize(
    "text",
    ["VERU", "veru", "veru-", "VERU-2", "VERU-2026", "VERU-2026-", "VERU-2026-0", "veru 2026 4"],
)
def test_a_partly_typed_reference_counts_as_a_reference_search(text: str) -> None:
    assert looks_like_case_reference(text)


@pytest.mark.parametrize(
    "text",
    [None, "", "v", "ver", "Vera", "Veronica", "VERU-20261", "VERU-2026-1234567890", "2026-42"],
)
def test_names_and_other_text_are_not_reference_searches(text: str | None) -> None:
    assert not looks_like_case_reference(text)


def test_a_complete_reference_also_looks_like_one() -> None:
    assert looks_like_case_reference(format_case_reference(2026, 42))
