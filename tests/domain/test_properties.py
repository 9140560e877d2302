"""Properties over any input: the value rules answer or refuse, never crash; keys are stable.

A traceback must never reach a user (DESIGN.md), and imports feed these rules whatever a
partner's spreadsheet holds, so "any text" really means any.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from veru_desk.domain.case_reference import (
    format_case_reference,
    looks_like_case_reference,
    parse_case_reference,
)
from veru_desk.domain.dates import (
    MAX_YEAR,
    MIN_YEAR,
    age_on,
    format_uk_date,
    parse_time,
    parse_uk_date,
)
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.names import fold, name_tokens, query_tokens
from veru_desk.domain.nhs import format_nhs_number, nhs_check_digit, normalise_nhs_number
from veru_desk.domain.phone import normalise_phone
from veru_desk.domain.postcode import normalise_postcode

TODAY = date(2026, 1, 15)

# Text that looks like what people type into these fields, mixed with anything at all.
_DATE_LIKE = st.from_regex(
    r"\s?[0-9]{0,4}([/.\- ]{1,2}([0-9]{0,4}|[A-Za-z]{0,9}))?([/.\- ]{1,2}[0-9]{0,5})?\s?",
    fullmatch=True,
)
_DIGITS_AND_SPACES = st.text(alphabet="0123456789 -+()", max_size=20)
_POSTCODE_LIKE = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg0123456789 ", max_size=9)
ANY_TEXT = st.one_of(st.text(), _DATE_LIKE, _DIGITS_AND_SPACES, _POSTCODE_LIKE)

VALUE_RULES: list[tuple[str, Callable[[str], object]]] = [
    ("parse_uk_date", lambda text: parse_uk_date(text, today=TODAY)),
    ("parse_time", parse_time),
    ("normalise_nhs_number", normalise_nhs_number),
    ("normalise_postcode", normalise_postcode),
    ("normalise_phone", normalise_phone),
]


@pytest.mark.parametrize(("name", "rule"), VALUE_RULES, ids=[name for name, _ in VALUE_RULES])
@given(text=ANY_TEXT)
@example(text="\x00")
@example(text="9" * 5000)
@example(text="\ud800")
@example(text="29/02/1900")
@example(text="31/12/2100")
@example(text="1/1/9999999999999999999999")
@settings(max_examples=300)
def test_value_rules_answer_or_refuse_but_never_crash(
    name: str, rule: Callable[[str], object], text: str
) -> None:
    try:
        rule(text)
    except ValidationError as error:
        assert error.fields
        assert all(isinstance(message, str) and message for message in error.fields.values())


@given(st.dates(min_value=date(MIN_YEAR, 1, 1), max_value=date(MAX_YEAR, 12, 31)))
def test_a_formatted_date_reads_back_as_itself(day: date) -> None:
    assert parse_uk_date(format_uk_date(day)) == day
    assert parse_uk_date(day.isoformat()) == day


@given(st.dates(min_value=date(1937, 1, 1), max_value=date(2036, 12, 31)))
def test_two_digit_years_read_back_within_the_pivot_window(day: date) -> None:
    short = f"{day.day}/{day.month}/{day.year % 100:02d}"
    assert parse_uk_date(short, today=TODAY) == day


@given(st.lists(st.dates(), min_size=3, max_size=3).map(sorted))
def test_age_is_never_negative_and_never_goes_down(days: list[date]) -> None:
    born, earlier, later = days
    assert 0 <= age_on(born, earlier) <= age_on(born, later)


@given(st.text())
@example("İ")
@example("ǅ")
@example("\u0345")
@example("ﬃ")
@example("Ꭰ")
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.text())
def test_fold_has_no_spare_whitespace_or_apostrophes(text: str) -> None:
    folded = fold(text)
    assert folded == " ".join(folded.split())
    assert "'" not in folded and "’" not in folded


@given(st.text())
def test_query_tokens_of_a_name_find_that_name(text: str) -> None:
    tokens = name_tokens(text)
    for query in query_tokens(text):
        assert any(token.startswith(query) for token in tokens)


@given(st.integers(1000, 9999), st.integers(1, 99999))
def test_case_references_round_trip(year: int, number: int) -> None:
    reference = format_case_reference(year, number)
    assert parse_case_reference(reference) == (year, number)
    assert parse_case_reference(reference.lower()) == (year, number)
    assert looks_like_case_reference(reference)
    for end in range(4, len(reference)):
        assert looks_like_case_reference(reference[:end])


@given(st.text())
def test_case_reference_parsing_never_crashes(text: str) -> None:
    parsed = parse_case_reference(text)
    assert parsed is None or looks_like_case_reference(text)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_a_made_up_nhs_number_with_its_check_digit_is_accepted(first_nine: str) -> None:
    check = nhs_check_digit(first_nine)
    number = first_nine + str(check)
    if check is None or len(set(number)) == 1:
        return
    assert normalise_nhs_number(format_nhs_number(number)) == number


@given(_POSTCODE_LIKE)
def test_a_normalised_postcode_normalises_to_itself(text: str) -> None:
    try:
        normal = normalise_postcode(text)
    except ValidationError:
        return
    assert normalise_postcode(normal) == normal


@given(_DIGITS_AND_SPACES)
def test_a_normalised_phone_number_normalises_to_itself(text: str) -> None:
    try:
        normal = normalise_phone(text)
    except ValidationError:
        return
    assert normalise_phone(normal) == normal
