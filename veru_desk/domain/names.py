"""Matching people's names the way a caseworker would, whatever the spelling of the accents.

A referral from the police may say "Lukasz Wisniewski" and the school "Łukasz Wiśniewski"; a
duplicate record of a child at risk is a safeguarding failure, so search and duplicate checks
compare *folded* names: accents dropped, letters that do not decompose mapped to their usual
English-keyboard spelling, case folded. Names in other scripts (Arabic, Cyrillic, Chinese) are
kept as themselves, only case folded: they must stay findable, never disappear.

Apostrophes are removed, not turned into spaces, so "O'Neill", "O’Neill" and "ONeill" all fold
to ``oneill``; a search for ``oneill`` or ``o'neill`` finds O'Neill. Name tokens also carry the
parts ("o", "neill") so that "D'Souza" is found by ``souza``. Hyphens and other punctuation
separate words: "Campbell-Brown" folds to ``campbell brown``.
"""

from __future__ import annotations

import functools
import unicodedata

# Letters NFKD leaves alone but an English keyboard spells differently. Keys are lower case:
# they are applied after case folding. (ß folds to "ss" by itself.)
_LETTERS: dict[str, str] = {
    "ł": "l",
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "æ": "ae",
    "œ": "oe",
    "ı": "i",
    "ħ": "h",
    "ŋ": "n",
    "ŧ": "t",
    "ə": "e",
    "ƒ": "f",
    "ɨ": "i",
    "ŀ": "l",
}
_LETTER_TABLE = str.maketrans(_LETTERS)

# Characters inside a word that join rather than separate: apostrophes in all their typed
# forms, and the Catalan middle dot (Gal·la).
_JOINERS = frozenset("'’‘ʼ`´ʻ′·")

# Combining marks we drop: the general-purpose accent blocks and the optional vowel points of
# Arabic and Hebrew. Marks that are part of the spelling in other scripts (Devanagari vowel
# signs, the Japanese voicing mark) are kept, or those names would be mangled.
_DROPPED_MARKS: tuple[tuple[int, int], ...] = (
    (0x0300, 0x036F),  # Combining Diacritical Marks
    (0x1AB0, 0x1AFF),  # ... Extended
    (0x1DC0, 0x1DFF),  # ... Supplement
    (0x20D0, 0x20FF),  # ... for Symbols
    (0xFE20, 0xFE2F),  # Combining Half Marks
    (0x0591, 0x05C7),  # Hebrew points and accents
    (0x064B, 0x065F),  # Arabic harakat
    (0x0670, 0x0670),  # Arabic superscript alef
)


# Remembered: a name is folded for its sort key and again, word by word, for its search
# tokens, and a partner's file repeats first names and surnames (a third of a 10,000-row
# import's writing was folding the same words again).
@functools.lru_cache(maxsize=16_384)
def fold(text: str) -> str:
    """The search and comparison key for a name: ``"Ó Súilleabháin"`` -> ``"o suilleabhain"``.

    Idempotent: folding a folded key changes nothing, so keys can be stored and re-folded.
    """
    # Casefold between two decompositions: casefolding can produce a decomposable character
    # ("İ" -> "i̇") and decomposition can produce a character casefolding changes (U+0345).
    # Joiners go first: "´" decomposes to a space and an accent, and would split the word.
    text = "".join(ch for ch in text if ch not in _JOINERS)
    text = unicodedata.normalize("NFKD", text)
    text = unicodedata.normalize("NFKD", text.casefold())
    kept: list[str] = []
    for ch in text:
        if _is_dropped_mark(ch):
            continue
        if ch in _JOINERS:
            continue
        category = unicodedata.category(ch)
        if category in ("Cf", "Cc", "Cs"):
            # Formatting (zero-width, bidi marks, soft hyphen) and control characters are
            # invisible in a name, so they must not stop a match; whitespace controls (tab,
            # newline) separate words. Lone surrogates could not even be stored.
            kept.append(" " if ch.isspace() else "")
        elif category.startswith("P") or category == "Zs" or ch.isspace():
            kept.append(" ")
        else:
            kept.append(ch)
    folded = "".join(kept).translate(_LETTER_TABLE)
    # Recompose what is left so that scripts whose marks we keep (Hangul, kana) read as typed.
    return unicodedata.normalize("NFC", " ".join(folded.split()))


def name_tokens(*names: str | None) -> set[str]:
    """The distinct folded words of the given names, for the name-prefix search index.

    Each name contributes its words, the parts of words split at apostrophes and hyphens, each
    word joined back without them, and the whole name joined up; so "O'Neill" gives
    ``{"oneill", "o", "neill"}``, "Campbell-Brown" ``{"campbell", "brown", "campbellbrown"}``
    and "Van der Berg" also ``"vanderberg"``. A query token matches when it is a prefix of one.
    """
    tokens: set[str] = set()
    for name in names:
        if not name:
            continue
        words = name.split()
        for word in words:
            parts = fold(_apostrophes_to_spaces(word)).split()
            tokens.update(parts)
            tokens.update(fold(word).split())
            if len(parts) > 1:
                tokens.add("".join(parts))
        if len(words) > 1:
            tokens.add(fold(name).replace(" ", ""))
    tokens.discard("")
    return tokens


def query_tokens(text: str | None) -> list[str]:
    """The folded words of a typed search, in order, without repeats.

    "o'neill" gives ``["oneill"]`` and "smith-jones" ``["smith", "jones"]``; each must be the
    prefix of some name token for a person to match.
    """
    if not text:
        return []
    return list(dict.fromkeys(fold(text).split()))


def display_name(first: str | None, last: str | None, preferred: str | None = None) -> str:
    """``"Zoë Kowalczyk (Zo)"``: the legal name, with the name they like to be called by.

    The preferred name is left out when it is the first name anyway (however accented), so
    lists do not read "Zoë Kowalczyk (Zoe)".
    """
    first_clean = _tidy(first)
    last_clean = _tidy(last)
    preferred_clean = _tidy(preferred)
    name = " ".join(part for part in (first_clean, last_clean) if part)
    if preferred_clean and fold(preferred_clean) != fold(first_clean):
        return f"{name} ({preferred_clean})" if name else preferred_clean
    return name


def sort_key(last: str | None, first: str | None) -> tuple[str, str]:
    """Surname then first name, folded, so that Ó Súilleabháin files with the O's."""
    return (fold(last or ""), fold(first or ""))


def _tidy(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def _apostrophes_to_spaces(text: str) -> str:
    return "".join(" " if ch in _JOINERS else ch for ch in text)


def _is_dropped_mark(ch: str) -> bool:
    code = ord(ch)
    if code < 0x0300:  # Latin letters, digits, punctuation: most of every name, and no marks
        return False
    return any(low <= code <= high for low, high in _DROPPED_MARKS)
