"""Case references: ``VERU-2026-00042``, the number partners quote on the phone and in email.

One per young person, unique, never reused. The year is the year the record was made and the
number counts up within the year (the database hands out the numbers). Searching by reference
must work however it is typed: ``veru-2026-42`` is the same case.

The number is padded to five digits and simply grows a sixth (and more) after 99,999 in a year,
so the scheme never runs out: ``VERU-2026-99999`` is followed by ``VERU-2026-100000``. Compared
as text that would sort between ``10000`` and ``10001``, so anything that orders references
orders by its sort key (``reference_sort_key``: ``VERU-2026-5`` + ``00042``, the digit count
before the number), stored beside the reference as ``young_person.case_ref_sort``, never by the
bare text.
"""

from __future__ import annotations

import re

PREFIX = "VERU"
NUMBER_DIGITS = 5  # the padding: more digits follow when a year passes 99,999 references
MAX_DIGITS = 9  # what a typed reference may hold (a billion cases a year is not a unit)
#: The characters before the number: ``VERU-2026-``.
YEAR_PART_LENGTH = len(PREFIX) + 6

# Hyphens or spaces between the parts, any case, leading zeros optional.
_REFERENCE = re.compile(r"veru[\s-]+(?P<year>[0-9]{4})[\s-]+(?P<number>[0-9]{1,5}|[1-9][0-9]{5,8})")
# What someone part-way through typing a reference has typed: "VERU", "veru-20", "VERU-2026-0".
_PARTIAL = re.compile(r"veru(?:[\s-]+(?:[0-9]{1,4}(?:(?<=[0-9]{4})[\s-]+[0-9]{0,9})?)?)?")


def format_case_reference(year: int, number: int) -> str:
    """``VERU-2026-00042``; zero-padded so references sort in the order they were given.

    Raises:
        ValueError: for a year that is not four digits or a number below 1 (a programming
            error: the database sequence never produces one).
    """
    if not 1000 <= year <= 9999:
        raise ValueError(f"case reference year must have four digits, got {year}")
    if number < 1 or len(str(number)) > MAX_DIGITS:
        raise ValueError(f"case reference number must be 1 or more, got {number}")
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



def reference_sort_key(reference: str) -> str:
    """``VERU-2026-500042`` for ``VERU-2026-00042`` and ``VERU-2026-6100000`` for
    ``VERU-2026-100000``: the number's digit count goes before it, so the key sorts as text in
    the order references were given (by year, then number). ``SORT_KEY_SQL`` is the same rule
    in SQL (the migration and the demo loader); a test keeps the two equal."""
    number = reference[YEAR_PART_LENGTH:]
    return f"{reference[:YEAR_PART_LENGTH]}{len(number)}{number}"


#: ``reference_sort_key`` of the ``case_ref`` column, in SQL both SQLite and PostgreSQL run.
SORT_KEY_SQL = (
    f"substr(case_ref, 1, {YEAR_PART_LENGTH}) || (length(case_ref) - {YEAR_PART_LENGTH}) "
    f"|| substr(case_ref, {YEAR_PART_LENGTH + 1})"
)
