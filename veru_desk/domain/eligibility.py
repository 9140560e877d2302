"""Who the unit can work with, by age, and when a parent or carer must agree.

The unit's commissioning covers young people aged 10 to 25 inclusive on the day the referral
is received. Age is a warning, not a refusal: a manager may still screen a 26-year-old sibling
or a 9-year-old with an older brother in a gang, but must see that they are outside the range.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from veru_desk.domain.dates import age_on, format_uk_date

MIN_AGE = 10
MAX_AGE = 25

# Under this age, engaging with the unit needs a parent's or carer's consent as well as the
# young person's (see ``ConsentStatus.NOT_REQUIRED``, "16 or over").
PARENT_CONSENT_AGE = 16


def eligibility_warning(date_of_birth: date, referral_date: date) -> str | None:
    """A warning to show on the referral when the young person is outside the age range.

    Raises:
        ValidationError: ``{"date_of_birth": ...}`` when the birth is after the referral date.
    """
    age = age_on(date_of_birth, referral_date)
    if MIN_AGE <= age <= MAX_AGE:
        return None
    return (
        f"Aged {age} on the referral date: outside the unit's age range of {MIN_AGE} to {MAX_AGE}."
    )


def is_in_age_range(date_of_birth: date, on: date) -> bool:
    """True when the young person is 10 to 25 on the day (for filters and reports)."""
    return MIN_AGE <= age_on(date_of_birth, on) <= MAX_AGE


def ages_out_on(date_of_birth: date) -> date:
    """The 26th birthday: the first day the young person is too old for the unit.

    Open cases reaching it surface on the dashboard so that an exit is planned rather than
    discovered. A 29 February birthday falls on 28 February, as ``age_on`` counts it.
    """
    return date_of_birth + relativedelta(years=MAX_AGE + 1)


def ages_out_description(date_of_birth: date) -> str:
    """``Turns 26 on 03/04/2036`` for the case overview."""
    return f"Turns {MAX_AGE + 1} on {format_uk_date(ages_out_on(date_of_birth))}"


def needs_parent_consent(date_of_birth: date, on: date) -> bool:
    """True when a parent's or carer's consent is needed as well: under 16 on the day.

    Raises:
        ValidationError: ``{"date_of_birth": ...}`` when the birth is after ``on``.
    """
    return age_on(date_of_birth, on) < PARENT_CONSENT_AGE
