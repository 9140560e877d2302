"""Case references: ``VERU-2026-00042``, the number partners quote on the phone and in email.

One per young person, unique, never reused. The year is the year the record was made and the
number counts up within the year (the database hands out the numbers). Searching by reference
must work however it is typed: ``veru-2026-42`` is the same case.
"""

from __future__ import annotations

import re

PREFIX = "VERU"
NUMBER_DIGITS = 5
MAX_NUMBER = 10**NUMBER_DIGITS - 1

# Hyphens or spaces between the parts, any case, leading zeros optional.
_REFERENCE = re.compile(r"veru[\s-]+(?P<year>[0-9]{4})[\s-]+(?P<number>[0-9]{1,5})")
# What someone part-way through typing a reference has typed: "VERU", "veru-20", "VERU-2026-0".
_PARTIAL = re.compile(r"veru(?:[\s-]+(?:[0-9]{1,4}(?:(?<=[0-9]{4})[\s-]+[0-9]{0,5})?)?)?")


def format_case_reference(year: int, number: int) -> str:
    """``VERU-2026-00042``; zero-padded so references sort in the order they were given.

    Raises:
        ValueError: for a year that is not four digits or a number outside 1 to 99999
            (a programming error: the database sequence should never produce one).
    """
    if not 1000 <= year <= 9999:
        raise ValueError(f"case reference year must have four digits, got {year}")
    if not 1 <= number <= MAX_NUMBER:
        raise ValueError(f"case reference number must be 1 to {MAX_NUMBER}, got {number}")
    return f"{PREFIX}-{year:04d}-{number:0{NUMBER_DIGITS}d}"


def parse_case_reference(text: str | None) -> tuple[int, int] | None:
    """``(2026, 42)`` from ``VERU-2026-00042``, ``veru-2026-42`` or ``VERU 2026 42``; else None.

    None rather than an error because the search box tries a reference first and falls back
    to a name search.
    """
    if not text:
        return None
    match = _REFERENCE.fullmatch(text.strip().casefold())
    if match is None:
        return None
    number = int(match["number"])
    year = int(match["year"])
    if number == 0 or year < 1000:
        return None
    return year, number


def looks_like_case_reference(text: str | None) -> bool:
    """True when the search box text is (the start of) a case reference, not a name.

    "VERU", "veru-2026" and "VERU-2026-0" count, so the search can switch to reference
    matching as the person types; "Ver" does not, because it could be the start of "Vera".
    """
    if not text:
        return False
    cleaned = text.strip().casefold()
    return _PARTIAL.fullmatch(cleaned) is not None
