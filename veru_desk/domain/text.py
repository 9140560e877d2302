"""Text we store: what a name or an identifier may contain, and what free text may not.

A NUL byte pasted from a PDF, a line break in a surname or an invisible right-to-left override
(U+202E, which makes "Zoë<RLO>fdp.exe" read as "Zoëexe.pdf") look like nothing on screen but
break what comes later: PostgreSQL refuses NUL outright (so ``migrate-to`` and imports fail
months after the text was typed), duplicate matching misses the person, and a name can be made
to read as something else in a case summary. So every service that stores text passes it
through here, whether it came from a form, an import or the command line:

- names and identifiers (a person's names, case reference, NHS number, postcode, phone,
  agency names, usernames, contact names) are *refused* with a message naming the field,
  because silently changing a name changes who it names;
- free text (notes, narrative, reasons, addresses) keeps its line breaks and tabs and has the
  other control characters *removed*, because a stray control character in a paragraph carries
  no meaning and refusing a long note over an invisible character would lose someone's words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from veru_desk.domain.errors import ValidationError

# Embeddings, overrides and isolates: they reorder what follows them on screen and in print.
BIDI_CONTROLS = frozenset(chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
_FREE_TEXT_KEPT = frozenset("\n\t")
# Any character ``forbidden_in_name`` refuses, found in one pass: the control characters
# (category Cc, fixed by Unicode as U+0000-U+001F and U+007F-U+009F), the bidi controls and
# the surrogates (Cs). Asking character by character took a third of a 10,000-row import's
# checking; the rare text that has one is then looked at character by character as before.
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def forbidden_in_name(ch: str) -> bool:
    """Control characters (C0, DEL, C1, NUL), bidi controls and lone surrogates (which no
    database can store as UTF-8)."""
    return ch in BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs")


def name_problem(value: str | None, label: str) -> str | None:
    """Why ``value`` cannot be stored as the field ``label``, or None when it can."""
    if not value or _FORBIDDEN.search(value) is None:
        return None
    bad = [ch for ch in value if forbidden_in_name(ch)]
    if not bad:
        return None
    if any(ch in "\r\n\v\f\x85" for ch in bad):
        kind = "a line break"
    elif any(ch in BIDI_CONTROLS for ch in bad):
        kind = "an invisible right-to-left or left-to-right control"
    else:
        kind = f"an invisible control character ({_code(bad[0])})"
    return f"{label} contains {kind}: retype it, keeping it on one line."


def check_names(
    values: Mapping[str, str | None],
    labels: Mapping[str, str],
    limits: Mapping[str, int] | None = None,
) -> dict[str, str]:
    """``{field: message}`` for every field of ``labels`` whose value may not be stored:
    a control character, or (for fields in ``limits``) more characters than its column holds,
    which PostgreSQL refuses and SQLite would quietly keep."""
    problems: dict[str, str] = {}
    for name, label in labels.items():
        value = values.get(name)
        problem = name_problem(value, label)
        limit = (limits or {}).get(name)
        if problem is None and limit is not None and value and len(value.strip()) > limit:
            problem = f"{label} is too long: keep it to {limit} characters."
        if problem is not None:
            problems[name] = problem
    return problems


def require_name(value: str | None, field: str, label: str) -> None:
    """Raises ``ValidationError({field: ...})`` when ``value`` may not be stored as a name."""
    problem = name_problem(value, label)
    if problem is not None:
        raise ValidationError({field: problem})


def clean_free_text(value: str | None) -> str | None:
    """Free text with its line breaks (as ``\\n``) and tabs, without other control characters,
    bidi controls or lone surrogates. None stays None; nothing else is changed."""
    if value is None:
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if _FORBIDDEN.search(value) is None:
        return value
    return "".join(ch for ch in value if ch in _FREE_TEXT_KEPT or not forbidden_in_name(ch))


def _code(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def stored_text(value: str | None) -> str | None:
    """Free text as a service stores it: cleaned, trimmed, and None when nothing is left."""
    return (clean_free_text(value) or "").strip() or None
