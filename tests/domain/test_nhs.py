"""NHS numbers: Modulus 11 check digit, placeholders, storage and display forms."""

from __future__ import annotations

import pytest

from veru_desk.domain.errors import ValidationError
from veru_desk.domain.nhs import format_nhs_number, nhs_check_digit, normalise_nhs_number


def refusal(text: str, field: str = "nhs_number") -> str:
    with pytest.raises(ValidationError) as caught:
        normalise_nhs_number(text, field)
    assert list(caught.value.fields) == [field]
    return caught.value.fields[field]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("9434765919", "9434765919"),
        ("943 476 5919", "9434765919"),
        ("943-476-5919", "9434765919"),
        ("  943 476 5919  ", "9434765919"),
        ("943\u00a0476\u00a05919", "9434765919"),
        ("4010232137", "4010232137"),
        ("401 023 2137", "4010232137"),
        ("4505577104", "4505577104"),
        ("999 000 1235", "9990001235"),
    ],
)
def test_valid_numbers_are_stored_as_ten_bare_digits(typed: str, stored: str) -> None:
    assert normalise_nhs_number(typed) == stored


@pytest.mark.parametrize("text", [None, "", "   ", "- -"])
def test_an_empty_field_means_not_recorded(text: str | None) -> None:
    assert normalise_nhs_number(text) is None


def test_a_wrong_check_digit_is_refused_with_advice_to_check_the_card() -> None:
    message = refusal("943 476 5918")
    assert message == (
        "NHS number 943 476 5918 has a wrong check digit: check it against the NHS card or letter"
    )


@pytest.mark.parametrize("text", ["9434765910", "9434765911", "4010232138", "4010232130"])
def test_every_other_final_digit_is_refused(text: str) -> None:
    assert "wrong check digit" in refusal(text)


def test_a_swap_of_neighbouring_digits_is_caught() -> None:
    assert "check it against the NHS card or letter" in refusal("9344765919")
    assert "check it against the NHS card or letter" in refusal("4010232173")


@pytest.mark.parametrize("text", ["943476591", "94347659190", "123", "9"])
def test_the_wrong_number_of_digits_is_refused(text: str) -> None:
    message = refusal(text, "nhs")
    assert message.startswith("NHS number must have 10 digits")
    assert f"this has {len(text)}" in message


@pytest.mark.parametrize(
    "text", ["94347659l9", "943.476.5919", "NHS9434765919", "９４３４７６５９１９"]
)
def test_letters_and_other_symbols_are_refused(text: str) -> None:
    assert "only contain digits" in refusal(text)


def test_nine_digits_whose_check_would_be_ten_are_never_valid() -> None:
    assert nhs_check_digit("123456789") is None
    for last in "0123456789":
        assert "is not a valid NHS number" in refusal("123456789" + last)


@pytest.mark.parametrize("digit", "0123456789")
def test_repeated_digit_placeholders_pass_modulus_11_but_are_refused(digit: str) -> None:
    # Every repdigit passes the check (9999999999 included), so the placeholder rule matters.
    assert nhs_check_digit(digit * 9) == int(digit)
    assert "placeholder" in refusal(digit * 10)


def test_check_digit_eleven_becomes_zero() -> None:
    # 1 x 3 + 4 x 2 = 11, a multiple of 11: 11 - 0 = 11, written as 0.
    assert nhs_check_digit("000000014") == 0
    assert normalise_nhs_number("000 000 0140") == "0000000140"


def test_check_digit_is_eleven_minus_the_weighted_sum_mod_11() -> None:
    # 1 x 10 + 1 x 9 = 19; 19 mod 11 = 8; 11 - 8 = 3.
    assert nhs_check_digit("110000000") == 3
    # 1 x 3 + 1 x 2 = 5; 11 - 5 = 6.
    assert nhs_check_digit("000000011") == 6


def test_check_digit_matches_the_published_examples() -> None:
    assert nhs_check_digit("943476591") == 9
    assert nhs_check_digit("401023213") == 7


@pytest.mark.parametrize("bad", ["12345678", "1234567890", "12345678x", "١٢٣٤٥٦٧٨٩"])
def test_check_digit_needs_exactly_nine_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        nhs_check_digit(bad)


def test_format_groups_three_three_four() -> None:
    assert format_nhs_number("9434765919") == "943 476 5919"
    assert format_nhs_number("943 476 5919") == "943 476 5919"


def test_format_shows_unexpected_stored_values_as_they_are() -> None:
    assert format_nhs_number(None) == ""
    assert format_nhs_number("") == ""
    assert format_nhs_number(" 12345 ") == "12345"
    assert format_nhs_number("unknown") == "unknown"
