"""NHS numbers: optional on a record, but never wrong when present.

A mistyped NHS number can attach a child's health information to someone else's record in a
partner system, so we check the Modulus 11 check digit at entry and tell the person to look at
the card or letter rather than guess. Stored as ten bare digits; shown as ``943 476 5919``.
"""

from __future__ import annotations

from veru_desk.domain.errors import ValidationError

NHS_NUMBER_LENGTH = 10
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_ASCII_DIGITS = frozenset("0123456789")


def nhs_check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or ``None`` when no check digit can work.

    Weights 10 down to 2; check = 11 - (sum mod 11); 11 becomes 0 and 10 means the nine digits
    are never issued. Public so that demo data and tests can make valid numbers.

    Raises:
        ValueError: when ``first_nine`` is not exactly nine ASCII digits (a programming error).
    """
    if len(first_nine) != len(_WEIGHTS) or not set(first_nine) <= _ASCII_DIGITS:
        raise ValueError(f"need nine digits, got {first_nine!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, _WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def normalise_nhs_number(text: str | None, field: str = "nhs_number") -> str | None:
    """Ten bare digits from what was typed or imported, or ``None`` when the field is empty.

    Spaces and hyphens are ignored (cards print ``943 476 5919``, some letters ``943-476-5919``).
    Numbers whose ten digits are all the same (``0000000000``, ``9999999999``) pass the
    Modulus 11 check but are never issued: they are placeholders people type for "unknown",
    and are refused so that "unknown" is recorded as an empty field instead.

    Raises:
        ValidationError: ``{field: message}`` for anything else that is not a valid number.
    """
    if text is None:
        return None
    compact = "".join(ch for ch in text if not ch.isspace() and ch != "-")
    if not compact:
        return None
    if not set(compact) <= _ASCII_DIGITS:
        raise ValidationError(
            {field: "NHS number can only contain digits (spaces are fine), e.g. 943 476 5919"}
        )
    if len(compact) != NHS_NUMBER_LENGTH:
        raise ValidationError(
            {field: f"NHS number must have 10 digits; this has {len(compact)}, e.g. 943 476 5919"}
        )
    shown = format_nhs_number(compact)
    if len(set(compact)) == 1:
        raise ValidationError(
            {
                field: f"NHS number {shown} is a placeholder, not a real NHS number: "
                "leave the field empty if the number is not known"
            }
        )
    expected = nhs_check_digit(compact[:9])
    if expected is None:
        raise ValidationError(
            {
                field: f"NHS number {shown} is not a valid NHS number: "
                "check it against the NHS card or letter"
            }
        )
    if expected != int(compact[9]):
        raise ValidationError(
            {
                field: f"NHS number {shown} has a wrong check digit: "
                "check it against the NHS card or letter"
            }
        )
    return compact


def format_nhs_number(number: str | None) -> str:
    """``943 476 5919``, the 3-3-4 grouping printed on NHS cards and letters.

    Anything that is not ten digits (a value stored before validation existed) is shown as it
    is rather than hidden, so a person can see it and correct it.
    """
    if not number:
        return ""
    compact = "".join(ch for ch in number if not ch.isspace() and ch != "-")
    if len(compact) != NHS_NUMBER_LENGTH or not set(compact) <= _ASCII_DIGITS:
        return number.strip()
    return f"{compact[:3]} {compact[3:6]} {compact[6:]}"
