"""Phone numbers for young people, parents, carers and professionals.

A caseworker calls these numbers, often urgently, so a number must be whole (the right number
of digits) and easy to read aloud. UK numbers are stored in the national form with the usual
spacing (``07700 900123``, ``020 7946 0018``, ``01582 123456``) whether typed with ``+44`` or
not, so that the same number always looks the same and a search or duplicate check finds it.
Numbers from abroad (a family member overseas) are kept in international form as typed.

Deliberately lenient beyond that: the rules check length and prefix, not Ofcom's allocation
lists, because refusing a real number is worse than storing an unusual one.
"""

from __future__ import annotations

import re

from veru_desk.domain.errors import ValidationError

EXAMPLE = "e.g. 07700 900123 or 01582 123456"

# Characters people type between digits; anything else (letters, "ext", "#") is refused.
_SEPARATORS = re.compile(r"[\s\-.()/]+")
_ALLOWED = re.compile(r"\+?[0-9\s\-.()/]+")

# Five-digit area codes are the rule for 01 numbers; these take four (0113 Leeds, 0161
# Manchester...) and the few below take six. Source: Ofcom's National Telephone Numbering Plan.
_SIX_DIGIT_AREA_CODES = frozenset(
    {
        "013873", "015242", "015394", "015395", "015396", "016973", "016974",
        "016977", "017683", "017684", "017687", "019467", "019755", "019756",
    }
)  # fmt: skip
_ELEVEN_DIGIT_PREFIXES = ("02", "03", "05", "07", "09")
_UNUSED_PREFIXES = ("04", "06")
# E.164 allows at most 15 digits including the country code; fewer than 8 is not a number.
_INTERNATIONAL_DIGITS = range(8, 16)


def normalise_phone(text: str | None, field: str = "phone") -> str | None:
    """The number in its usual written form, or ``None`` when the field is empty.

    Accepts ``07700 900123``, ``07700-900-123``, ``(01582) 123456``, ``+44 7700 900123``,
    ``+44 (0)7700 900123``, ``0044 7700 900123`` and other countries' ``+`` numbers. A UK
    number that has lost its leading 0 (spreadsheets drop it: ``7700900123``) gets it back.

    Raises:
        ValidationError: ``{field: message}`` for letters, symbols or a wrong number of digits.
    """
    if text is None:
        return None
    cleaned = " ".join(text.split())
    if not cleaned:
        return None
    shown = cleaned if len(cleaned) <= 30 else cleaned[:29] + "…"
    if not _ALLOWED.fullmatch(cleaned):
        raise ValidationError(
            {
                field: f"'{shown}' is not a phone number: use digits only (spaces are fine), "
                f"{EXAMPLE}. Put an extension or a note in the notes"
            }
        )
    digits = "".join(ch for ch in cleaned if ch.isdigit())
    if cleaned.startswith("+") or digits.startswith("00"):
        after_prefix = cleaned[1:] if cleaned.startswith("+") else _drop_two_digits(cleaned)
        return _international(after_prefix, shown, field)
    if not digits.startswith("0") and len(digits) in (9, 10):
        try:
            return _format_national("0" + digits, shown, field)
        except ValidationError:
            # Counting the 0 we added would confuse: report the digits as typed.
            raise ValidationError(
                {
                    field: f"'{shown}' is not a UK phone number: it has {len(digits)} digits and "
                    f"no leading 0, {EXAMPLE}"
                }
            ) from None
    return _format_national(digits, shown, field)


def phone_digits(text: str | None) -> str:
    """Just the digits, for matching a typed search against stored numbers."""
    return "".join(ch for ch in text if ch.isascii() and ch.isdigit()) if text else ""


def _international(after_prefix: str, shown: str, field: str) -> str:
    # "+44 (0)7700 900123": the bracketed trunk 0 is dropped along with the country code.
    groups = [group for group in _SEPARATORS.split(after_prefix.replace("(0)", " ")) if group]
    digits = "".join(groups)
    if digits.startswith("44"):
        national = digits[2:]
        if national.startswith("0"):
            national = national[1:]
        return _format_national("0" + national, shown, field)
    if digits.startswith("0"):
        raise ValidationError(
            {
                field: f"'{shown}' is not a phone number: after + comes the country code, which "
                "never starts with 0; for a UK number write 07700 900123 or +44 7700 900123"
            }
        )
    if len(digits) not in _INTERNATIONAL_DIGITS:
        raise ValidationError(
            {
                field: f"'{shown}' is not a phone number: an international number has 8 to 15 "
                "digits after the +, e.g. +33 6 12 34 56 78"
            }
        )
    return "+" + " ".join(groups)


def _drop_two_digits(text: str) -> str:
    """``0044 7700 900123`` -> `` 44 7700 900123``: the 00 dialled abroad, as a + would be."""
    dropped = 0
    for index, ch in enumerate(text):
        if ch.isdigit():
            dropped += 1
            if dropped == 2:
                return text[index + 1 :]
    return ""


def _format_national(digits: str, shown: str, field: str) -> str:
    if not digits.startswith("0") or digits.startswith("00"):
        raise ValidationError(
            {field: f"'{shown}' is not a UK phone number: it should start with 0 or +44, {EXAMPLE}"}
        )
    if digits.startswith(_UNUSED_PREFIXES):
        raise ValidationError(
            {
                field: f"'{shown}' is not a UK phone number: UK numbers do not start "
                f"{digits[:2]}, {EXAMPLE}"
            }
        )
    eleven_only = digits.startswith(_ELEVEN_DIGIT_PREFIXES)
    if len(digits) != 11 and (eleven_only or len(digits) != 10):
        kind = "mobile numbers have" if digits.startswith("07") else "UK numbers have"
        expected = "11 digits" if eleven_only else "10 or 11 digits"
        raise ValidationError(
            {
                field: f"'{shown}' has {len(digits)} digits: {kind} {expected} (with the 0), "
                f"{EXAMPLE}"
            }
        )
    return " ".join(_groups(digits))


def _groups(digits: str) -> list[str]:
    if digits.startswith("02"):
        return [digits[:3], digits[3:7], digits[7:]]
    if digits.startswith("07"):
        return [digits[:5], digits[5:]]
    if digits.startswith("01"):
        four_digit_code = digits[2] == "1" or digits[3] == "1"
        if four_digit_code and len(digits) == 11:
            return [digits[:4], digits[4:7], digits[7:]]
        if digits[:6] in _SIX_DIGIT_AREA_CODES:
            return [digits[:6], digits[6:]]
        return [digits[:5], digits[5:]]
    # 03, 05, 08 and 09 numbers: 0300 123 4567; the 10-digit 0800 numbers read 0800 123456.
    if len(digits) == 11:
        return [digits[:4], digits[4:7], digits[7:]]
    return [digits[:4], digits[4:]]
