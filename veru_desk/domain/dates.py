"""Reading and showing dates the way a UK office writes them: always day first.

Caseworkers type dates quickly, copy them from partner emails and import them from spreadsheets,
so we accept the common British forms and refuse everything else with a message that says what
was wrong and what we expected. A date read month first would silently put a child's birthday
or a review in the wrong month, so no guessing: day first, always.

Every parse failure is a ``ValidationError`` naming the field, whatever text came in, so the UI
can show it beside the field and an import can report the row.
"""

from __future__ import annotations

import re
from calendar import isleap
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from veru_desk.domain.errors import ValidationError

EXPECTED_FORM = "use dd/mm/yyyy, e.g. 03/04/2010"
EXPECTED_TIME = "use a 24-hour time such as 16:00, or 4pm or 4:30pm"

# No record the unit keeps is about a date before 1900 or after 2100; a year outside that is a
# typing slip (01/02/0210) that would otherwise be stored and sorted as if it were real.
MIN_YEAR = 1900
MAX_YEAR = 2100

# A two-digit year is read as the year in the hundred-year window that ends this many years
# after today: 03/04/10 is 2010 and 05/06/95 is 1995. Ten years ahead leaves room for plan
# targets and review dates without turning a 1990s date of birth into the 2090s.
TWO_DIGIT_YEAR_FUTURE = 10

MONTHS: dict[str, int] = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
_MONTH_WORDS: dict[str, int] = {
    **MONTHS,
    **{name[:3]: number for name, number in MONTHS.items()},
    "sept": 9,
}
_WEEKDAYS: dict[str, int] = {
    name: index
    for index, full in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
    for name in (full, full[:3])
}
_WEEKDAYS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})

_NUMERIC = re.compile(
    r"(?P<day>[0-9]{1,2})\s*(?P<sep>[/.\-])\s*(?P<month>[0-9]{1,2})\s*(?P=sep)\s*(?P<year>[0-9]+)"
)
_ISO = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})")
_WORDS = re.compile(
    r"(?:(?P<weekday>[a-z]+),?[\s]+)?"
    r"(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?[\s/.\-]+"
    r"(?P<month>[a-z]+)\.?,?[\s/.\-]+"
    r"(?P<year>[0-9]+)",
)
_TIME_24 = re.compile(r"(?P<hour>[0-9]{1,2})[:.](?P<minute>[0-9]{2})")
_TIME_DIGITS = re.compile(r"(?P<hour>[0-9]{1,2})(?P<minute>[0-9]{2})")
_TIME_12 = re.compile(
    r"(?P<hour>[0-9]{1,2})(?:[:.](?P<minute>[0-9]{2}))?\s*(?P<half>am|pm|a\.m\.|p\.m\.)"
)

# Long input is cut short in messages so a pasted paragraph does not fill the form.
_SHOWN_CHARS = 30


def parse_uk_date(text: str, field: str = "date", *, today: date | None = None) -> date:
    """Reads a date typed or imported in a British form, day first.

    Accepted: ``03/04/2010``, ``3/4/2010``, ``3/4/10``, ``03-04-2010``, ``03.04.2010``,
    ``2010-04-03`` (ISO, year first, four-digit year only), ``3 April 2010``, ``3 Apr 2010``,
    ``3rd April 2010``, ``03-Apr-10`` (as spreadsheets export it) and the same with a leading
    weekday (``Saturday 3 April 2010``), which must then be right.

    Args:
        text: what the person typed; surrounding whitespace is ignored.
        field: the form or import field name the error is reported against.
        today: the day two-digit years are pivoted around; the real today when not given.
            Tests pass it so that results do not depend on the calendar.

    Raises:
        ValidationError: ``{field: message}`` for empty, unreadable or impossible dates.
    """
    cleaned = " ".join(text.split()).casefold()
    if not cleaned:
        raise ValidationError({field: f"Enter a date: {EXPECTED_FORM}"})
    shown = _shown(text)

    if match := _ISO.fullmatch(cleaned):
        return _build(match["year"], int(match["month"]), match["day"], shown, field, today)
    if match := _NUMERIC.fullmatch(cleaned):
        return _build(match["year"], int(match["month"]), match["day"], shown, field, today)
    if match := _WORDS.fullmatch(cleaned):
        month = _MONTH_WORDS.get(match["month"])
        if month is None:
            raise ValidationError(
                {
                    field: f"{shown} is not a date we can read: {match['month']!r} is not a month "
                    f"name; {EXPECTED_FORM} or 3 April 2010"
                }
            )
        result = _build(match["year"], month, match["day"], shown, field, today)
        _check_weekday(match["weekday"], result, shown, field)
        return result
    raise ValidationError({field: f"{shown} is not a date we can read: {EXPECTED_FORM}"})


def parse_optional_uk_date(
    text: str | None, field: str = "date", *, today: date | None = None
) -> date | None:
    """Like ``parse_uk_date`` but an empty field means "not recorded" rather than an error.

    Most dates on a record are optional (a plan target, a closure date); this keeps that rule
    in one place instead of an ``if text.strip()`` in every form.
    """
    if text is None or not text.strip():
        return None
    return parse_uk_date(text, field, today=today)


def format_uk_date(d: date | None) -> str:
    """``03/04/2010``; an empty string for no date so it can go straight into a table cell.

    Written out by hand rather than with ``strftime``, whose handling of years before 1000 and
    of the locale differs between Windows and the rest.
    """
    if d is None:
        return ""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def format_uk_datetime(dt: datetime | None) -> str:
    """``03/04/2010 16:00`` in the datetime's own wall-clock time (callers pass local time)."""
    if dt is None:
        return ""
    return f"{format_uk_date(dt.date())} {dt.hour:02d}:{dt.minute:02d}"


def format_time(t: time | None) -> str:
    """``16:00``: the 24-hour clock is what the unit's session calendar uses."""
    if t is None:
        return ""
    return f"{t.hour:02d}:{t.minute:02d}"


def parse_time(text: str, field: str = "time") -> time:
    """Reads a time of day: ``16:00``, ``16.00``, ``1600``, ``4pm``, ``4:30 pm``, ``noon``.

    A bare hour (``4``) is refused: caseworkers mean 4pm as often as 04:00, and a session at
    four in the morning is a mistake no one would spot on a busy calendar.

    Raises:
        ValidationError: ``{field: message}`` for empty or unreadable times.
    """
    cleaned = " ".join(text.split()).casefold()
    shown = _shown(text)
    if not cleaned:
        raise ValidationError({field: f"Enter a time: {EXPECTED_TIME}"})
    if cleaned in ("noon", "midday", "12 noon"):
        return time(12, 0)
    if cleaned == "midnight":
        return time(0, 0)

    if match := _TIME_12.fullmatch(cleaned):
        hour = int(match["hour"])
        minute = int(match["minute"] or 0)
        if not 1 <= hour <= 12:
            raise ValidationError(
                {field: f"{shown} is not a time: with am or pm the hour must be 1 to 12"}
            )
        hour %= 12
        if match["half"].startswith("p"):
            hour += 12
        return _make_time(hour, minute, shown, field)
    match = _TIME_24.fullmatch(cleaned) or _TIME_DIGITS.fullmatch(cleaned)
    if match:
        return _make_time(int(match["hour"]), int(match["minute"]), shown, field)
    raise ValidationError({field: f"{shown} is not a time we can read: {EXPECTED_TIME}"})


def parse_uk_datetime(
    date_text: str,
    time_text: str,
    *,
    date_field: str = "date",
    time_field: str = "time",
    today: date | None = None,
) -> datetime:
    """Combines a date field and a time field, reporting problems with both at once.

    Forms show date and time as two inputs; telling the person about the second mistake only
    after they fix the first wastes their time.
    """
    errors: dict[str, str] = {}
    day: date | None = None
    at: time | None = None
    try:
        day = parse_uk_date(date_text, date_field, today=today)
    except ValidationError as error:
        errors.update(error.fields)
    try:
        at = parse_time(time_text, time_field)
    except ValidationError as error:
        errors.update(error.fields)
    if errors or day is None or at is None:
        raise ValidationError(errors)
    return datetime.combine(day, at)


def age_on(date_of_birth: date, on: date) -> int:
    """Whole years of age on a day, as ``dateutil.relativedelta`` counts them.

    A child born on 29 February turns a year older on 28 February in a common year (and on
    29 February in a leap year): relativedelta clips the birthday to the end of February. UK
    law is usually read as 1 March; the day's difference only matters at the edge of the age
    range, where the eligibility warning asks a person to look anyway.

    Raises:
        ValidationError: ``{"date_of_birth": ...}`` when the birth is after ``on``; that is a
            typing slip in one of the two dates, not a negative age.
    """
    if date_of_birth > on:
        raise ValidationError(
            {
                "date_of_birth": (
                    f"The date of birth {format_uk_date(date_of_birth)} is after "
                    f"{format_uk_date(on)}: check both dates"
                )
            }
        )
    # ``relativedelta(on, date_of_birth).years``, counted without building the whole delta
    # (35 us a call, most of a caseload page's time at 200 rows); a test holds the two equal
    # over every birthday of a leap cycle against every day of another.
    birthday = (date_of_birth.month, date_of_birth.day)
    if birthday == (2, 29) and not isleap(on.year):
        birthday = (2, 28)  # relativedelta's clipping to the end of February
    return on.year - date_of_birth.year - ((on.month, on.day) < birthday)


def age_description(date_of_birth: date, on: date) -> str:
    """``14 years``; under two, ``18 months``, because "1 year" hides a lot for a baby sibling."""
    span = relativedelta(on, date_of_birth)
    age = age_on(date_of_birth, on)
    if age >= 2:
        return f"{age} years"
    months = span.years * 12 + span.months
    return "1 month" if months == 1 else f"{months} months"


def _build(
    year_text: str, month: int, day_text: str, shown: str, field: str, today: date | None
) -> date:
    year = _full_year(year_text, shown, field, today)
    day = int(day_text)
    if not 1 <= month <= 12:
        raise ValidationError(
            {
                field: f"{shown} is not a real date: there is no month {month}. "
                f"Put the day first: {EXPECTED_FORM}"
            }
        )
    last_day = _days_in_month(year, month)
    if not 1 <= day <= last_day:
        month_name = list(MONTHS)[month - 1].capitalize()
        raise ValidationError(
            {
                field: f"{shown} is not a real date: {month_name} {year} has {last_day} days. "
                f"{EXPECTED_FORM.capitalize()}"
            }
        )
    return date(year, month, day)


def _full_year(year_text: str, shown: str, field: str, today: date | None) -> int:
    if len(year_text) == 2:
        reference = today or date.today()
        latest = reference.year + TWO_DIGIT_YEAR_FUTURE
        year = latest - (latest - int(year_text)) % 100
    elif len(year_text) == 4:
        year = int(year_text)
    else:
        raise ValidationError(
            {
                field: f"{shown} is not a date we can read: the year needs four digits "
                f"(or two); {EXPECTED_FORM}"
            }
        )
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            {
                field: f"{shown} has the year {year_text}, which looks like a typing slip: "
                f"years from {MIN_YEAR} to {MAX_YEAR} only; {EXPECTED_FORM}"
            }
        )
    return year


def _days_in_month(year: int, month: int) -> int:
    first_of_next = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (first_of_next - timedelta(days=1)).day


def _check_weekday(word: str | None, result: date, shown: str, field: str) -> None:
    if word is None:
        return
    weekday = _WEEKDAYS.get(word)
    names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    if weekday is None:
        raise ValidationError(
            {
                field: f"{shown} is not a date we can read: {word!r} is not a day of the week; "
                f"{EXPECTED_FORM}"
            }
        )
    if weekday != result.weekday():
        raise ValidationError(
            {
                field: f"{shown} does not add up: {format_uk_date(result)} was a "
                f"{names[result.weekday()]}, not a {names[weekday]}. Check the date"
            }
        )


def _make_time(hour: int, minute: int, shown: str, field: str) -> time:
    if not 0 <= hour <= 23 or not 0 <= minute <= 59:
        raise ValidationError(
            {field: f"{shown} is not a real time: hours run 0 to 23 and minutes 0 to 59"}
        )
    return time(hour, minute)


def _shown(text: str) -> str:
    """The input as it goes into a message: trimmed, quoted when it is not date-like."""
    compact = " ".join(text.split())
    if len(compact) > _SHOWN_CHARS:
        compact = compact[: _SHOWN_CHARS - 1] + "…"
    return compact if re.fullmatch(r"[0-9/.\-]+", compact) else f"'{compact}'"
