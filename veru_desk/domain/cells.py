"""Spreadsheet cells that never run as formulas.

Text a spreadsheet would evaluate (a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) is neutralised with a leading apostrophe: a referrer's name or an agency typed
as ``=HYPERLINK(...)`` must never run on a funder's or an auditor's computer. Numbers stay
numbers, so a negative count is still a number, not text. It lives in the domain because both
the documents (reports) and the services' own CSV exports (the audit trail) write cells.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A cell value that no spreadsheet will evaluate; numbers and empty cells unchanged."""
    if value is None or isinstance(value, bool | int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text
