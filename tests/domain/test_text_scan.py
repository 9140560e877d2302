"""The one-pass scan for characters a name may not hold agrees with the rule it stands for.

``domain.text`` looks for a forbidden character with one regular expression and only then
goes character by character (``forbidden_in_name``); the two must never disagree, on any
code point, or a control character would slip into a stored name or a note.
"""

from __future__ import annotations

import sys

from veru_desk.domain import text
from veru_desk.domain.text import clean_free_text, forbidden_in_name, name_problem


def test_the_scan_finds_exactly_the_characters_forbidden_in_a_name() -> None:
    disagree = [
        code
        for code in range(sys.maxunicode + 1)
        if (text._FORBIDDEN.search(chr(code)) is not None) != forbidden_in_name(chr(code))
    ]
    assert disagree == []


def test_names_and_free_text_are_judged_as_before() -> None:
    assert name_problem("Zoë Ó Briain", "First name") is None
    assert name_problem("", "First name") is None
    assert name_problem("Zo\u202eë", "First name") == (
        "First name contains an invisible right-to-left or left-to-right control: retype it, "
        "keeping it on one line."
    )
    assert name_problem("Far\nah", "Last name") is not None
    assert clean_free_text("Line one\r\nline\x00 two\u2066\tend") == "Line one\nline two\tend"
    assert clean_free_text("Stopped near the town centre; «safe»") == (
        "Stopped near the town centre; «safe»"
    )
    assert clean_free_text(None) is None
