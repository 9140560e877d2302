"""UK postcodes: one spelling per postcode, shape checked, district and area for reports."""

from __future__ import annotations

import pytest

from veru_desk.domain.errors import ValidationError
from veru_desk.domain.postcode import normalise_postcode, postcode_area, postcode_district


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("lu15ab", "LU1 5AB"),
        ("LU1  5AB", "LU1 5AB"),
        ("Lu1 5ab", "LU1 5AB"),
        ("  LU1 5AB  ", "LU1 5AB"),
        ("L U 1 5 A B", "LU1 5AB"),
        ("lu1\u00a05ab", "LU1 5AB"),
        ("M1 1AE", "M1 1AE"),  # A9 9AA
        ("B33 8TH", "B33 8TH"),  # A99 9AA
        ("CR2 6XH", "CR2 6XH"),  # AA9 9AA
        ("DN55 1PT", "DN55 1PT"),  # AA99 9AA
        ("W1A 0AX", "W1A 0AX"),  # A9A 9AA
        ("EC1A 1BB", "EC1A 1BB"),  # AA9A 9AA
        ("ec1a1bb", "EC1A 1BB"),
        ("GIR 0AA", "GIR 0AA"),
        ("gir0aa", "GIR 0AA"),
    ],
)
def test_postcodes_are_stored_in_royal_mail_form(typed: str, stored: str) -> None:
    assert normalise_postcode(typed) == stored


@pytest.mark.parametrize("text", [None, "", "   "])
def test_an_empty_field_means_not_recorded(text: str | None) -> None:
    assert normalise_postcode(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "LU1 5A",
        "LU1",
        "5AB",
        "LU1 55B",
        "LU1 5A1",
        "LUX1 5AB",
        "L 5AB",
        "1U1 5AB",
        "LU123 5AB",
        "LU1-5AB",
        "12345",
        "Luton",
        "LU1 5ÅB",
        "lu1 5aß",
        "ＬＵ１ ５ＡＢ",
    ],
)
def test_text_without_a_postcode_shape_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        normalise_postcode(text, "home_postcode")
    message = caught.value.fields["home_postcode"]
    assert "is not a UK postcode" in message
    assert "LU1 5AB" in message


def test_the_refusal_quotes_what_was_typed() -> None:
    with pytest.raises(ValidationError, match="'LU1 5A'"):
        normalise_postcode("LU1  5A")


@pytest.mark.parametrize(
    ("postcode", "district", "area"),
    [
        ("LU1 5AB", "LU1", "LU"),
        ("lu15ab", "LU1", "LU"),
        ("M1 1AE", "M1", "M"),
        ("EC1A 1BB", "EC1A", "EC"),
        ("W1A 0AX", "W1A", "W"),
        ("DN55 1PT", "DN55", "DN"),
        ("GIR 0AA", "GIR", "GIR"),
    ],
)
def test_district_and_area_come_from_the_outward_code(
    postcode: str, district: str, area: str
) -> None:
    assert postcode_district(postcode) == district
    assert postcode_area(postcode) == area


def test_no_postcode_has_no_district_or_area() -> None:
    assert postcode_district(None) is None
    assert postcode_district("") is None
    assert postcode_area(None) is None


def test_district_of_an_invalid_postcode_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        postcode_district("Luton")
