"""The unit's age range, the age-out date and when a parent's consent is needed."""

from __future__ import annotations

from datetime import date

import pytest

from veru_desk.domain.eligibility import (
    MAX_AGE,
    MIN_AGE,
    ages_out_description,
    ages_out_on,
    eligibility_warning,
    is_in_age_range,
    needs_parent_consent,
)
from veru_desk.domain.errors import ValidationError

REFERRAL = date(2026, 3, 10)


def test_the_unit_works_with_ten_to_twenty_five_year_olds() -> None:
    assert (MIN_AGE, MAX_AGE) == (10, 25)


@pytest.mark.parametrize(
    "born",
    [
        date(2016, 3, 10),  # tenth birthday on the referral date
        date(2012, 7, 1),
        date(2000, 3, 11),  # 25, a day short of 26
    ],
)
def test_no_warning_inside_the_age_range(born: date) -> None:
    assert eligibility_warning(born, REFERRAL) is None
    assert is_in_age_range(born, REFERRAL)


def test_a_twenty_six_year_old_gets_a_warning_naming_the_age_and_range() -> None:
    assert eligibility_warning(date(2000, 3, 10), REFERRAL) == (
        "Aged 26 on the referral date: outside the unit's age range of 10 to 25."
    )


def test_a_child_one_day_short_of_ten_gets_a_warning() -> None:
    assert eligibility_warning(date(2016, 3, 11), REFERRAL) == (
        "Aged 9 on the referral date: outside the unit's age range of 10 to 25."
    )
    assert not is_in_age_range(date(2016, 3, 11), REFERRAL)


def test_age_is_taken_on_the_referral_date_not_today() -> None:
    born = date(2000, 6, 1)
    assert eligibility_warning(born, date(2026, 5, 31)) is None
    assert eligibility_warning(born, date(2026, 6, 1)) is not None


def test_a_birth_after_the_referral_is_a_date_of_birth_error() -> None:
    with pytest.raises(ValidationError) as caught:
        eligibility_warning(date(2027, 1, 1), REFERRAL)
    assert "date_of_birth" in caught.value.fields


def test_ages_out_on_the_twenty_sixth_birthday() -> None:
    assert ages_out_on(date(2010, 4, 3)) == date(2036, 4, 3)
    assert ages_out_description(date(2010, 4, 3)) == "Turns 26 on 03/04/2036"


def test_a_leap_day_child_ages_out_on_28_february_consistently_with_age_on() -> None:
    born = date(2008, 2, 29)
    assert ages_out_on(born) == date(2034, 2, 28)
    assert not is_in_age_range(born, date(2034, 2, 28))
    assert is_in_age_range(born, date(2034, 2, 27))


@pytest.mark.parametrize(
    ("born", "needs"),
    [
        (date(2010, 3, 11), True),  # 15, a day short of 16
        (date(2010, 3, 10), False),  # 16 today
        (date(2014, 1, 1), True),
        (date(2005, 1, 1), False),
    ],
)
def test_parent_consent_is_needed_under_sixteen(born: date, needs: bool) -> None:
    assert needs_parent_consent(born, date(2026, 3, 10)) is needs
