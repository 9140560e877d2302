"""How a partner's spreadsheet spells what we store: the import's pure rules.

Partners type "M", "boy", "WBRI", "White - Irish", "yes (verbal)" or "knife; county lines";
these tables and ``parse_*`` functions turn each into one of our codes, or refuse it with a
message naming the column and what to type instead. No database and no file here: the import
service (``services.imports``) reads the file and stores what these rules accept.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from veru_desk.domain.enums import (
    AgencyType,
    ConsentStatus,
    Ethnicity,
    Gender,
    LabelledEnum,
    ReferralReason,
    squash,
)
from veru_desk.domain.errors import ValidationError

_HEADER_SEPARATORS = re.compile(r"[\s\-_]+")


def normalise_header(text: str) -> str:
    """``"Date of Birth"``, ``"date-of-birth"`` and ``" DATE_OF_BIRTH "`` all mean one column."""
    cleaned = text.replace("\ufeff", "").strip().casefold()
    return _HEADER_SEPARATORS.sub("_", cleaned).strip("_")


# --- reading values the way spreadsheets spell them -----------------------------------------

_GENDER_WORDS: Mapping[str, Gender] = {
    "m": Gender.MALE,
    "boy": Gender.MALE,
    "man": Gender.MALE,
    "f": Gender.FEMALE,
    "girl": Gender.FEMALE,
    "woman": Gender.FEMALE,
    "nb": Gender.NON_BINARY,
    "nonbinary": Gender.NON_BINARY,
    "x": Gender.NON_BINARY,
    "u": Gender.NOT_KNOWN,
    "unknown": Gender.NOT_KNOWN,
    "notknown": Gender.NOT_KNOWN,
    "prefernottosay": Gender.NOT_KNOWN,
    "notstated": Gender.NOT_KNOWN,
}

# The DfE / ONS four-letter codes schools and councils export, and the bare words people type.
_ETHNICITY_WORDS: Mapping[str, Ethnicity] = {
    "wbri": Ethnicity.WHITE_BRITISH,
    "british": Ethnicity.WHITE_BRITISH,
    "english": Ethnicity.WHITE_BRITISH,
    "wiri": Ethnicity.WHITE_IRISH,
    "irish": Ethnicity.WHITE_IRISH,
    "wirt": Ethnicity.WHITE_GYPSY_TRAVELLER,
    "wgyp": Ethnicity.WHITE_GYPSY_TRAVELLER,
    "gypsy": Ethnicity.WHITE_GYPSY_TRAVELLER,
    "irishtraveller": Ethnicity.WHITE_GYPSY_TRAVELLER,
    "traveller": Ethnicity.WHITE_GYPSY_TRAVELLER,
    "wrom": Ethnicity.WHITE_ROMA,
    "roma": Ethnicity.WHITE_ROMA,
    "woth": Ethnicity.WHITE_OTHER,
    "whiteother": Ethnicity.WHITE_OTHER,
    "mwbc": Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN,
    "mwba": Ethnicity.MIXED_WHITE_BLACK_AFRICAN,
    "mwas": Ethnicity.MIXED_WHITE_ASIAN,
    "moth": Ethnicity.MIXED_OTHER,
    "mixed": Ethnicity.MIXED_OTHER,
    "aind": Ethnicity.ASIAN_INDIAN,
    "indian": Ethnicity.ASIAN_INDIAN,
    "apkn": Ethnicity.ASIAN_PAKISTANI,
    "pakistani": Ethnicity.ASIAN_PAKISTANI,
    "aban": Ethnicity.ASIAN_BANGLADESHI,
    "bangladeshi": Ethnicity.ASIAN_BANGLADESHI,
    "chne": Ethnicity.ASIAN_CHINESE,
    "chinese": Ethnicity.ASIAN_CHINESE,
    "aoth": Ethnicity.ASIAN_OTHER,
    "asianother": Ethnicity.ASIAN_OTHER,
    "bcrb": Ethnicity.BLACK_CARIBBEAN,
    "caribbean": Ethnicity.BLACK_CARIBBEAN,
    "bafr": Ethnicity.BLACK_AFRICAN,
    "african": Ethnicity.BLACK_AFRICAN,
    "both": Ethnicity.BLACK_OTHER,
    "blackother": Ethnicity.BLACK_OTHER,
    "arab": Ethnicity.ARAB,
    "oarb": Ethnicity.ARAB,
    "ooth": Ethnicity.OTHER,
    "other": Ethnicity.OTHER,
    "refu": Ethnicity.NOT_STATED,
    "nobt": Ethnicity.NOT_STATED,
    "refused": Ethnicity.NOT_STATED,
    "prefernottosay": Ethnicity.NOT_STATED,
    "unknown": Ethnicity.NOT_STATED,
    "notknown": Ethnicity.NOT_STATED,
}

_REASON_WORDS: Mapping[str, ReferralReason] = {
    "knife": ReferralReason.KNIFE_CARRYING,
    "knifecrime": ReferralReason.KNIFE_CARRYING,
    "weapon": ReferralReason.KNIFE_CARRYING,
    "weapons": ReferralReason.KNIFE_CARRYING,
    "weaponcarrying": ReferralReason.KNIFE_CARRYING,
    "gang": ReferralReason.GANG_ASSOCIATION,
    "gangs": ReferralReason.GANG_ASSOCIATION,
    "cce": ReferralReason.CRIMINAL_EXPLOITATION,
    "criminalexploitation": ReferralReason.CRIMINAL_EXPLOITATION,
    "countylines": ReferralReason.COUNTY_LINES,
    "cse": ReferralReason.SEXUAL_EXPLOITATION,
    "sexualexploitation": ReferralReason.SEXUAL_EXPLOITATION,
    "missing": ReferralReason.MISSING_EPISODES,
    "mfh": ReferralReason.MISSING_EPISODES,
    "missingfromhome": ReferralReason.MISSING_EPISODES,
    "exclusion": ReferralReason.EXCLUSION_ABSENCE,
    "excluded": ReferralReason.EXCLUSION_ABSENCE,
    "absence": ReferralReason.EXCLUSION_ABSENCE,
    "persistentabsence": ReferralReason.EXCLUSION_ABSENCE,
    "victim": ReferralReason.VICTIM_OF_VIOLENCE,
    "victimofcrime": ReferralReason.VICTIM_OF_VIOLENCE,
    "assaulted": ReferralReason.VICTIM_OF_VIOLENCE,
    "perpetrator": ReferralReason.PERPETRATOR_OF_VIOLENCE,
    "violence": ReferralReason.PERPETRATOR_OF_VIOLENCE,
    "assault": ReferralReason.PERPETRATOR_OF_VIOLENCE,
    "substances": ReferralReason.SUBSTANCE_MISUSE,
    "drugs": ReferralReason.SUBSTANCE_MISUSE,
    "alcohol": ReferralReason.SUBSTANCE_MISUSE,
    "da": ReferralReason.DOMESTIC_ABUSE,
    "domesticabuse": ReferralReason.DOMESTIC_ABUSE,
    "domesticviolence": ReferralReason.DOMESTIC_ABUSE,
    "mentalhealth": ReferralReason.MENTAL_HEALTH,
    "emotionalwellbeing": ReferralReason.MENTAL_HEALTH,
    "online": ReferralReason.ONLINE_CONFLICT,
    "socialmedia": ReferralReason.ONLINE_CONFLICT,
    "family": ReferralReason.FAMILY_INVOLVEMENT,
    "sibling": ReferralReason.FAMILY_INVOLVEMENT,
    "asb": ReferralReason.ANTI_SOCIAL_BEHAVIOUR,
    "antisocialbehaviour": ReferralReason.ANTI_SOCIAL_BEHAVIOUR,
}

_CONSENT_WORDS: Mapping[str, ConsentStatus] = {
    "yes": ConsentStatus.GIVEN,
    "y": ConsentStatus.GIVEN,
    "true": ConsentStatus.GIVEN,
    "1": ConsentStatus.GIVEN,
    "consented": ConsentStatus.GIVEN,
    "agreed": ConsentStatus.GIVEN,
    "no": ConsentStatus.REFUSED,
    "n": ConsentStatus.REFUSED,
    "false": ConsentStatus.REFUSED,
    "0": ConsentStatus.REFUSED,
    "declined": ConsentStatus.REFUSED,
    "notgiven": ConsentStatus.REFUSED,
    "unknown": ConsentStatus.NOT_ASKED,
    "notknown": ConsentStatus.NOT_ASKED,
    "notyetasked": ConsentStatus.NOT_ASKED,
    "na": ConsentStatus.NOT_REQUIRED,
    "notapplicable": ConsentStatus.NOT_REQUIRED,
    "16": ConsentStatus.NOT_REQUIRED,
    "over16": ConsentStatus.NOT_REQUIRED,
}


# A file spells each answer a handful of ways, so each spelling is read once and remembered
# (a value that is refused raises every time): 10,000 rows asked the enumerations 50,000
# times, squashing every member's code and label each time.
_remembered = functools.lru_cache(maxsize=4_096)


def _lookup(
    text: str, enum: type[LabelledEnum], words: Mapping[str, LabelledEnum], field: str, hint: str
) -> LabelledEnum:
    found = words.get(squash(text))
    if found is not None:
        return found
    try:
        return enum.from_text(text)
    except ValueError:
        raise ValidationError({field: f"'{_shown(text)}' is not a {hint}."}) from None


@_remembered
def parse_gender(text: str) -> Gender:
    hint = "gender we know: use male, female, non-binary, other or not known (M and F are fine)"
    return Gender(_lookup(text, Gender, _GENDER_WORDS, "gender", hint))


@_remembered
def parse_ethnicity(text: str) -> Ethnicity:
    hint = (
        "2021 census ethnic group: use a code such as WBRI or APKN, or a group such as "
        "'Black Caribbean' or 'White Irish'"
    )
    return Ethnicity(_lookup(text, Ethnicity, _ETHNICITY_WORDS, "ethnicity", hint))


@_remembered
def parse_consent(text: str) -> ConsentStatus:
    hint = "consent answer: use yes, no, not asked or not required (16 or over)"
    return ConsentStatus(_lookup(text, ConsentStatus, _CONSENT_WORDS, "consent", hint))


@_remembered
def parse_reasons(text: str) -> frozenset[ReferralReason]:
    """Reasons separated by ``;``; every unknown one is named in the one message."""
    found: set[ReferralReason] = set()
    unknown: list[str] = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        try:
            found.add(
                ReferralReason(_lookup(part, ReferralReason, _REASON_WORDS, "reasons", "reason"))
            )
        except ValidationError:
            unknown.append(f"'{_shown(part)}'")
    if unknown:
        raise ValidationError(
            {
                "reasons": f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not "
                "a referral reason we know: separate reasons with ';' and use words such as "
                "knife, gang, county lines, exclusion, victim of violence."
            }
        )
    return frozenset(found)


_AGENCY_TYPE_WORDS: tuple[tuple[AgencyType, tuple[str, ...]], ...] = (
    (AgencyType.YOUTH_JUSTICE, ("youth justice", "yot", "yjs", "youth offending")),
    (AgencyType.POLICE, ("police", "constabulary")),
    (AgencyType.HEALTH, ("hospital", "a&e", "nhs", "health", "camhs", "gp ", "surgery")),
    (AgencyType.SOCIAL_CARE, ("social care", "children's services", "social work", "mash")),
    (AgencyType.EARLY_HELP, ("early help", "family support")),
    (AgencyType.SCHOOL, ("school", "academy", "college", "pru", "education")),
    (AgencyType.VOLUNTARY, ("charity", "trust", "youth club", "foundation", "project")),
)


def guess_agency_type(name: str) -> AgencyType:
    """The partner's type from its name, for agencies the unit has not seen before.

    Only used when the import has to record a new agency; a manager can correct it later.
    """
    lowered = f" {name.casefold()} "
    for agency_type, words in _AGENCY_TYPE_WORDS:
        if any(word in lowered for word in words):
            return agency_type
    return AgencyType.OTHER


def _shown(text: str) -> str:
    compact = " ".join(text.split())
    return compact if len(compact) <= 30 else compact[:29] + "…"
