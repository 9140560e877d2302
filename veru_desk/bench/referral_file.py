"""A partner's referral spreadsheet of any length, for the ``import_10k`` operation.

Rows look like the template (``resources/referrals-template.csv``) as partners fill it in:
names from the demo data's pools (accents and all), dates typed dd/mm/yyyy, reasons as words,
some cells left empty. The same seed gives the same file, and each repetition of the
benchmark uses its own seed, so every import brings new referrals as a real one would.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

from veru_desk.demo.vocabulary import HERITAGES, REFERRERS
from veru_desk.domain.nhs import nhs_check_digit
from veru_desk.services.imports import COLUMNS

AGENCIES = (
    "Bedfordshire Police",
    "Luton Youth Justice Service",
    "Bedford Hospital A&E navigators",
    "Wardown Park Academy",
    "Luton Children's Social Care",
    "Early Help Hub Bedford",
    "Hockwell Ring Youth Project",
)
REASONS = (
    "knife",
    "gang association",
    "county lines",
    "victim of violence",
    "exclusion",
    "mental health",
    "missing episodes",
    "substance misuse",
)
SCHOOLS = ("Lealands High School", "Bedford College", "Wardown Park Academy", "")
NARRATIVES = (
    "Stopped with a knife near the town centre; older brother known to police.",
    "Attended A&E after an assault; says he does not feel safe walking home.",
    "Excluded twice this term; seen with older peers outside school.",
    "Missing overnight twice this month; found in another county.",
)
_INWARD = "ABDEFGHJLNPQRSTUWXYZ"


def _nhs_number(rng: random.Random) -> str:
    while True:
        stem = "999" + "".join(str(rng.randrange(10)) for _ in range(6))
        check = nhs_check_digit(stem)
        if check is not None:
            return f"{stem[:3]} {stem[3:6]} {stem[6:]}{check}"


def referral_csv(rows: int, seed: int, today: dt.date | None = None) -> bytes:
    """A UTF-8 CSV of ``rows`` valid referrals in the template's columns."""
    today = today or dt.date.today()
    rng = random.Random(seed)
    weights = [h.weight for h in HERITAGES]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for _ in range(rows):
        heritage = rng.choices(HERITAGES, weights)[0]
        girl = rng.random() < 0.3
        first = rng.choice(heritage.girls if girl else heritage.boys)
        last = rng.choice(heritage.surnames)
        age_days = rng.randrange(10 * 365 + 3, 24 * 365)
        dob = today - dt.timedelta(days=age_days)
        received = today - dt.timedelta(days=rng.randrange(0, 60))
        agency = rng.choice(AGENCIES)
        reasons = ";".join(rng.sample(REASONS, rng.randint(1, 3)))
        district = rng.randint(1, 7)
        postcode = f"LU{district} {rng.randint(1, 9)}{rng.choice(_INWARD)}{rng.choice(_INWARD)}"
        writer.writerow(
            [
                first,
                last,
                "",
                dob.strftime("%d/%m/%Y"),
                "female" if girl else "male",
                "",
                postcode,
                f"{rng.randint(1, 120)} Leagrave High Street, Luton",
                f"07700 900{rng.randrange(1000):03d}",
                _nhs_number(rng) if rng.random() < 0.4 else "",
                rng.choice(SCHOOLS),
                received.strftime("%d/%m/%Y"),
                agency,
                rng.choice(REFERRERS),
                "referrals@example.org",
                reasons,
                rng.choice(NARRATIVES),
                "yes",
                "yes" if age_days < 17 * 365 else "not required",
            ]
        )
    return out.getvalue().encode("utf-8")
