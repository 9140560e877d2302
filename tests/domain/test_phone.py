"""Phone numbers: UK numbers in national form with the usual spacing; others as typed."""

from __future__ import annotations

import pytest

from veru_desk.domain.errors import ValidationError
from veru_desk.domain.phone import normalise_phone, phone_digits


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("07700 900123", "07700 900123"),
        ("07700900123", "07700 900123"),
        ("07700-900-123", "07700 900123"),
        ("07700 900 123", "07700 900123"),
        ("(07700) 900123", "07700 900123"),
        ("+44 7700 900123", "07700 900123"),
        ("+447700900123", "07700 900123"),
        ("+44 (0)7700 900123", "07700 900123"),
        ("+44 07700 900123", "07700 900123"),
        ("0044 7700 900123", "07700 900123"),
        ("7700900123", "07700 900123"),
        ("01582 123456", "01582 123456"),
        ("01582123456", "01582 123456"),
        ("(01582) 123456", "01582 123456"),
        ("01582 12345", "01582 12345"),
        ("0161 496 0000", "0161 496 0000"),
        ("01614960000", "0161 496 0000"),
        ("0113 496 0000", "0113 496 0000"),
        ("020 7946 0018", "020 7946 0018"),
        ("02079460018", "020 7946 0018"),
        ("+44 20 7946 0018", "020 7946 0018"),
        ("029 2018 0123", "029 2018 0123"),
        ("016977 1234", "016977 1234"),
        ("0300 123 4567", "0300 123 4567"),
        ("08001234567", "0800 123 4567"),
        ("0800 123456", "0800 123456"),
        ("1582123456", "01582 123456"),
        ("  07700\u00a0900123 ", "07700 900123"),
    ],
)
def test_uk_numbers_are_stored_nationally_with_the_usual_spacing(typed: str, stored: str) -> None:
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+33 6 12 34 56 78", "+33 6 12 34 56 78"),
        ("+1 (555) 010-4477", "+1 555 010 4477"),
        ("00353 87 123 4567", "+353 87 123 4567"),
        ("+234 803 123 4567", "+234 803 123 4567"),
    ],
)
def test_numbers_abroad_keep_their_international_form(typed: str, stored: str) -> None:
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("text", [None, "", "   "])
def test_an_empty_field_means_not_recorded(text: str | None) -> None:
    assert normalise_phone(text) is None


def refusal(text: str, field: str = "phone") -> str:
    with pytest.raises(ValidationError) as caught:
        normalise_phone(text, field)
    assert list(caught.value.fields) == [field]
    return caught.value.fields[field]


@pytest.mark.parametrize(
    "text", ["call mum", "07700 900123 ext 4", "07700 9OO123", "07700#900123", "＋44 7700 900123"]
)
def test_letters_and_symbols_are_refused(text: str) -> None:
    assert "digits only" in refusal(text, "parent_phone")


def test_a_mobile_number_with_a_digit_missing_is_refused() -> None:
    message = refusal("0770 090012")
    assert "has 10 digits" in message
    assert "mobile numbers have 11 digits" in message


@pytest.mark.parametrize("text", ["07700 9001234", "020 7946 001", "0158212", "01582 1234567"])
def test_the_wrong_number_of_digits_is_refused(text: str) -> None:
    assert "digits" in refusal(text)


@pytest.mark.parametrize("text", ["999", "101", "111", "12345"])
def test_short_numbers_are_refused(text: str) -> None:
    assert "is not a UK phone number" in refusal(text)


def test_a_number_missing_its_zero_and_a_digit_reports_what_was_typed() -> None:
    assert "it has 9 digits and no leading 0" in refusal("770090012")


@pytest.mark.parametrize("text", ["04123 456789", "06123 456789"])
def test_unused_uk_prefixes_are_refused(text: str) -> None:
    assert "do not start" in refusal(text)


@pytest.mark.parametrize("text", ["+0770 0900123", "+44", "+1 234", "+1234567890123456", "+"])
def test_impossible_international_numbers_are_refused(text: str) -> None:
    refusal(text)


def test_phone_digits_is_for_matching_searches() -> None:
    assert phone_digits("07700 900123") == "07700900123"
    assert phone_digits("+44 (0)7700") == "4407700"
    assert phone_digits(None) == ""
