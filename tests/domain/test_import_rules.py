"""The import's pure rules: how partners' spreadsheets spell genders, groups, reasons, consent."""

from __future__ import annotations

import pytest

from veru_desk.domain.enums import (
    AgencyType,
    ConsentStatus,
    Ethnicity,
    Gender,
    ReferralReason,
    squash,
)
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.import_rules import (
    guess_agency_type,
    normalise_header,
    parse_consent,
    parse_ethnicity,
    parse_gender,
    parse_reasons,
)


@pytest.mark.parametrize(
    ("typed", "gender"),
    [("M", Gender.MALE), (" boy ", Gender.MALE), ("F", Gender.FEMALE), ("Female", Gender.FEMALE)],
)
def test_genders_are_read_as_partners_type_them(typed: str, gender: Gender) -> None:
    assert parse_gender(typed) is gender


def test_an_ethnic_group_is_read_from_its_census_code_or_its_words() -> None:
    assert parse_ethnicity("WBRI") is Ethnicity.WHITE_BRITISH
    assert parse_ethnicity("wbri") is Ethnicity.WHITE_BRITISH


def test_an_unknown_group_names_the_field_and_what_to_type_instead() -> None:
    with pytest.raises(ValidationError) as raised:
        parse_ethnicity("Ţară Românească, migrated from a very long free-text answer")
    message = raised.value.fields["ethnicity"]
    assert "census ethnic group" in message and "WBRI" in message
    assert "…" in message  # a long answer is shortened in the message, not pasted whole


def test_reasons_separated_by_semicolons_and_every_unknown_one_named_once() -> None:
    assert parse_reasons("knife; County Lines;") == frozenset(
        {ReferralReason.KNIFE_CARRYING, ReferralReason.COUNTY_LINES}
    )
    with pytest.raises(ValidationError) as raised:
        parse_reasons("knife; skateboarding; graffiti")
    message = raised.value.fields["reasons"]
    assert "'skateboarding', 'graffiti' are not a referral reason" in message


def test_consent_answers_and_the_over_sixteen_shortcut() -> None:
    assert parse_consent("Yes") is ConsentStatus.GIVEN
    assert parse_consent("16+") is ConsentStatus.NOT_REQUIRED


def test_an_agency_type_is_guessed_from_the_partners_name() -> None:
    assert guess_agency_type("Bedfordshire Police") is AgencyType.POLICE
    assert guess_agency_type("Luton Youth Justice Service") is AgencyType.YOUTH_JUSTICE
    assert guess_agency_type("Wardown Park Academy") is AgencyType.SCHOOL
    assert guess_agency_type("Mrs Nic Giolla's allotment") is AgencyType.OTHER


def test_headers_match_whatever_their_case_spacing_or_byte_order_mark() -> None:
    assert normalise_header("\ufeff Date of Birth ") == "date_of_birth"
    assert normalise_header("DATE-OF_BIRTH") == "date_of_birth"


def test_typed_words_compare_without_case_spaces_or_punctuation() -> None:
    """One squash for the enums and the import's word tables alike."""
    assert squash("Not yet asked!") == squash("not-yet-asked") == "notyetasked"
