"""UK postcodes: one spelling per postcode, so that reports can group and people can search.

People type ``lu15ab``, ``LU1  5AB`` or ``Lu1 5ab``; partner spreadsheets do the same. We store
the Royal Mail form (upper case, one space before the three-character inward code) and check
only the shape, not Royal Mail's lists: a real new postcode must never be refused, and a shape
check already catches the slips people make (a missing character, a letter for a digit).
"""

from __future__ import annotations

import re
from itertools import takewhile

from veru_desk.domain.errors import ValidationError

EXAMPLE = "e.g. LU1 5AB"

# Outward code shapes: A9, A99, AA9, AA99, A9A, AA9A; inward code: 9AA. GIR 0AA is the one
# historical exception still in use (Girobank, Bootle).
_OUTWARD = r"[A-Z]{1,2}[0-9]{1,2}|[A-Z]{1,2}[0-9][A-Z]"
_POSTCODE = re.compile(rf"(?P<outward>{_OUTWARD})(?P<inward>[0-9][A-Z]{{2}})|(?P<gir>GIR0AA)")


def normalise_postcode(text: str | None, field: str = "postcode") -> str | None:
    """The postcode in Royal Mail form (``LU1 5AB``), or ``None`` when the field is empty.

    Raises:
        ValidationError: ``{field: message}`` when the text does not have a postcode's shape.
    """
    if text is None:
        return None
    compact = "".join(text.split())
    if not compact:
        return None
    # ASCII is checked before upper-casing: "ß".upper() is "SS", which must not become a postcode.
    match = _POSTCODE.fullmatch(compact.upper()) if compact.isascii() else None
    if match is None:
        shown = " ".join(text.split())
        if len(shown) > 20:
            shown = shown[:19] + "…"
        raise ValidationError(
            {field: f"'{shown}' is not a UK postcode: use the form on an envelope, {EXAMPLE}"}
        )
    if match["gir"]:
        return "GIR 0AA"
    return f"{match['outward']} {match['inward']}"


def postcode_district(postcode: str | None) -> str | None:
    """The outward code (``LU1``): the level at which reports map where young people live.

    Raises:
        ValidationError: ``{"postcode": ...}`` when the postcode is not valid.
    """
    normal = normalise_postcode(postcode)
    return None if normal is None else normal.split(" ")[0]


def postcode_area(postcode: str | None) -> str | None:
    """The letters of the outward code (``LU``): the coarsest grouping, safe for funders.

    Raises:
        ValidationError: ``{"postcode": ...}`` when the postcode is not valid.
    """
    district = postcode_district(postcode)
    if district is None:
        return None
    return "".join(takewhile(str.isalpha, district))
