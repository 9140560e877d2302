"""What a name may contain and what free text keeps (domain.text): the one rule every service
applies before it stores text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veru_desk.domain.errors import ValidationError
from veru_desk.domain.text import (
    BIDI_CONTROLS,
    clean_free_text,
    name_problem,
    require_name,
    stored_text,
)


@pytest.mark.parametrize(
    "name",
    ["Zoë Ó Briain", "Ngozi Okonkwo-Adeyemi", "Siobhán Nic Giolla", "محمد", "O'Neill", "Łukasz"],
)
def test_real_names_in_any_script_are_accepted(name: str) -> None:
    assert name_problem(name, "First name") is None


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("Zoë\x00", "invisible control character (U+0000)"),
        ("Dariusz\u202eWójcik", "right-to-left"),
        ("Tomasz\u2066", "right-to-left"),
        ("Okonkwo\nAdeyemi", "line break"),
        ("Okonkwo\r", "line break"),
        ("Kacper\x1b[31m", "U+001B"),
        ("Kacper\x85", "line break"),
        ("Zo\ud800ë", "U+D800"),
    ],
)
def test_control_and_bidi_characters_are_refused_in_names_naming_the_field(
    value: str, words: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        require_name(value, "last_name", "Last name")
    message = raised.value.fields["last_name"]
    assert message.startswith("Last name contains")
    assert words in message


def test_every_bidi_control_is_covered() -> None:
    assert {f"U+{ord(c):04X}" for c in BIDI_CONTROLS} == {
        "U+202A", "U+202B", "U+202C", "U+202D", "U+202E",
        "U+2066", "U+2067", "U+2068", "U+2069",
    }  # fmt: skip


def test_free_text_keeps_line_breaks_and_tabs_and_loses_the_rest() -> None:
    note = "Met Zoë at school.\r\nShe said:\t\x00\u202e'I am scared'\x07\rEnd."
    assert clean_free_text(note) == "Met Zoë at school.\nShe said:\t'I am scared'\nEnd."
    assert clean_free_text(None) is None
    assert stored_text("  \x00 \n ") is None


@given(st.text())
def test_cleaned_free_text_is_always_storable_and_cleaning_is_idempotent(text: str) -> None:
    cleaned = clean_free_text(text)
    assert cleaned is not None
    assert "\x00" not in cleaned
    cleaned.encode("utf-8")  # no lone surrogates: PostgreSQL and SQLite both take it
    assert clean_free_text(cleaned) == cleaned
    assert name_problem(cleaned.replace("\n", " ").replace("\t", " "), "Name") is None
