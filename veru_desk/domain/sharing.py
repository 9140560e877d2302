"""The rules of a sharing decision: what may leave the unit in a multi-agency profile, and on
which lawful basis.

A multi-agency summary goes to police, schools, social care and health at a named meeting.
Before it is made, the caseworker records a decision: the lawful basis (the consent given and
by whom, or a named exemption with its reason), checked against the consent recorded on the
referral; the meeting and its agencies; and, section by section, what goes. Health, sexual
health, mental health, substance use, offending and child protection status are special
category or criminal offence data (UK GDPR Art. 9 and 10): they are withheld unless the
decision says otherwise, and the document says where they were withheld.

Plain Python: no SQL and no Qt.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import nonmember

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import ConsentStatus, GoalDomain, LabelledEnum, ReferralReason

MIN_REASON_CHARS = 20
MAX_TEXT_CHARS = 2000
MAX_AGENCIES = 20


class LawfulBasis(LabelledEnum):
    """Why the unit may share this young person's information with the meeting."""

    CONSENT = "consent"
    CHILDREN_ACT_1989 = "children_act_1989"
    CRIME_AND_DISORDER_S115 = "crime_and_disorder_s115"

    _LABELS = nonmember(
        {
            "consent": "Consent",
            "children_act_1989": "Safeguarding under the Children Act 1989 (s17 / s47)",
            "crime_and_disorder_s115": "Crime and Disorder Act 1998, s115",
        }
    )

    @property
    def is_exemption(self) -> bool:
        return self is not LawfulBasis.CONSENT


class ShareSection(LabelledEnum):
    """The kinds of detail a multi-agency profile holds back unless the decision shares them."""

    HEALTH = "health"
    SEXUAL_HEALTH = "sexual_health"
    MENTAL_HEALTH = "mental_health"
    SUBSTANCE_USE = "substance_use"
    OFFENDING = "offending"
    CHILD_PROTECTION = "child_protection"

    _LABELS = nonmember(
        {
            "health": "Health",
            "sexual_health": "Sexual health",
            "mental_health": "Mental health",
            "substance_use": "Substance use",
            "offending": "Offending (arrests, charges, youth justice)",
            "child_protection": "Child protection and social care status",
        }
    )

    @property
    def short(self) -> str:
        """As the withheld marker names it: "Health details withheld ..."."""
        return {
            "offending": "Offending",
            "child_protection": "Child protection",
        }.get(self.value, self.label)


#: Withheld unless the decision ticks them: every section is special category or criminal
#: offence data.
WITHHELD_BY_DEFAULT: frozenset[ShareSection] = frozenset(ShareSection)

# Words that put a piece of free text in a section. Matched case-insensitively on word
# starts; generous on purpose: a false match withholds a line, a miss shares a diagnosis.
_PATTERNS: dict[ShareSection, str] = {
    ShareSection.HEALTH: (
        r"A&E|hospital|\bGP\b|injur|wound|stab(bed|bing)?\b|medic|surgery|operation|"
        r"diagnos|disab|illness|\bill\b|asthma|epilep|diabet|physical health|"
        r"health visitor|\bSEND\b|paramedic|ambulance|fracture|concussion"
    ),
    ShareSection.SEXUAL_HEALTH: (
        r"sexual|\bsex\b|\bSTI\b|\bSTD\b|contracep|pregnan|termination|abortion|"
        r"\bCSE\b|chlamydia|\bHIV\b|condom|sexting|nude image"
    ),
    ShareSection.MENTAL_HEALTH: (
        r"CAMHS|mental health|self[- ]?harm|suicid|low mood|depress|anxi|emotional wellbeing|"
        r"wellbeing score|counsell|therap|psychiatr|psycholog|\bADHD\b|autis|trauma|"
        r"eating disorder|overdose|poor sleep|sleep routine|panic attack|PTSD|"
        r"talk to someone about the assault"
    ),
    ShareSection.SUBSTANCE_USE: (
        r"cannabis|alcohol|substance|skunk|ketamine|cocaine use|\bweed\b|drunk|"
        r"\bdrinking\b|drug (use|misuse|and alcohol)|drug and alcohol|\bdealer\b|nitrous|vap(e|ing)"
    ),
    ShareSection.OFFENDING: (
        r"arrest|charged|\bcharges?\b|convict|court|remand|custody|referral order|"
        r"youth justice|\bYJS\b|\bYOT\b|offen[cs]|offending|\bbail\b|caution|sentence|"
        r"prison|\bbreach\b|police station|criminal record"
    ),
    ShareSection.CHILD_PROTECTION: (
        r"child protection|\bCP plan\b|child in need|\bCIN\b|looked[- ]after|"
        r"section 47|\bs47\b|strategy meeting|care order|foster"
    ),
}
_COMPILED: dict[ShareSection, re.Pattern[str]] = {
    section: re.compile(pattern, re.IGNORECASE) for section, pattern in _PATTERNS.items()
}

#: Referral reasons that are themselves special category.
REASON_SECTIONS: dict[ReferralReason, ShareSection] = {
    ReferralReason.MENTAL_HEALTH: ShareSection.MENTAL_HEALTH,
    ReferralReason.SUBSTANCE_MISUSE: ShareSection.SUBSTANCE_USE,
    ReferralReason.SEXUAL_EXPLOITATION: ShareSection.SEXUAL_HEALTH,
}

#: Safeguarding flags (as ``services.people.flag_labels`` names them) and their sections.
FLAG_SECTIONS: dict[str, ShareSection] = {
    "Looked-after child": ShareSection.CHILD_PROTECTION,
    "Child protection plan": ShareSection.CHILD_PROTECTION,
    "Child in need": ShareSection.CHILD_PROTECTION,
    "SEND": ShareSection.HEALTH,
    "Known to youth justice": ShareSection.OFFENDING,
}

#: Plan goals whose area alone says what they are about.
GOAL_SECTIONS: dict[GoalDomain, ShareSection] = {
    GoalDomain.HEALTH: ShareSection.HEALTH,
    GoalDomain.OFFENDING: ShareSection.OFFENDING,
}


def sections_in(text: str | None) -> frozenset[ShareSection]:
    """The sections a piece of free text touches."""
    if not text:
        return frozenset()
    return frozenset(section for section, pattern in _COMPILED.items() if pattern.search(text))


def withheld_marker(sections: Iterable[ShareSection], decided_on: dt.date | None) -> str:
    """What prints in place of withheld text: "Health details withheld under the sharing
    decision of 05/12/2026"."""
    ordered = [s for s in ShareSection if s in set(sections)]
    names = [s.short for s in ordered]
    if not names:
        names = ["Some"]
    words = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    words = words[0].upper() + words[1:].lower()
    if decided_on is None:
        return f"{words} details withheld (no sharing decision recorded)"
    return f"{words} details withheld under the sharing decision of {format_uk_date(decided_on)}"


def handling_instruction(destroy_after: dt.date) -> str:
    return f"Do not forward. Destroy after the meeting of {format_uk_date(destroy_after)}."


@dataclass(frozen=True)
class ReferralConsent:
    """The consent the referral records (the current episode's)."""

    young_person: ConsentStatus
    parent: ConsentStatus
    young_person_under_16: bool

    @property
    def refused(self) -> bool:
        return ConsentStatus.REFUSED in (self.young_person, self.parent)

    @property
    def given(self) -> bool:
        """Consent the basis may rest on: the young person's, and a parent's under 16."""
        if self.young_person is not ConsentStatus.GIVEN:
            return False
        if self.young_person_under_16:
            return self.parent is ConsentStatus.GIVEN
        return self.parent in (
            ConsentStatus.GIVEN,
            ConsentStatus.NOT_REQUIRED,
            ConsentStatus.NOT_ASKED,
        )

    @property
    def text(self) -> str:
        return (
            f"young person: {self.young_person.label.lower()}; "
            f"parent/carer: {self.parent.label.lower()}"
        )


@dataclass(frozen=True)
class SharingDraft:
    """The sharing decision as the caseworker fills it in."""

    basis: LawfulBasis
    meeting: str
    meeting_on: dt.date | None
    agencies: tuple[str, ...]
    shared: frozenset[ShareSection] = frozenset()
    consent_given_by: str | None = None  # for consent: who gave it (and when)
    reason: str | None = None  # for an exemption: why sharing without consent is justified
    destroy_after: dt.date | None = None  # None: the meeting's date


def decision_problems(
    draft: SharingDraft, consent: ReferralConsent | None, today: dt.date
) -> dict[str, str]:
    """What stops the decision being recorded, field by field (empty: it may be recorded)."""
    problems: dict[str, str] = {}
    meeting = " ".join(draft.meeting.split())
    if not meeting:
        problems["meeting"] = "Name the meeting the summary is for (e.g. MACE panel)."
    elif len(meeting) > 200:
        problems["meeting"] = "Shorten the meeting's name to 200 characters or fewer."
    if draft.meeting_on is None:
        problems["meeting_on"] = "Enter the meeting's date (dd/mm/yyyy)."
    elif draft.meeting_on < today - dt.timedelta(days=30):
        problems["meeting_on"] = (
            f"The meeting's date {format_uk_date(draft.meeting_on)} is more than a month "
            "ago: check the date."
        )
    agencies = [a for a in (" ".join(a.split()) for a in draft.agencies) if a]
    if not agencies:
        problems["agencies"] = "Name at least one agency the summary goes to."
    elif len(agencies) > MAX_AGENCIES:
        problems["agencies"] = f"Name {MAX_AGENCIES} agencies or fewer."
    if draft.destroy_after and draft.meeting_on and draft.destroy_after < draft.meeting_on:
        problems["destroy_after"] = "The copies can be destroyed only after the meeting."
    if draft.basis is LawfulBasis.CONSENT:
        if not (draft.consent_given_by or "").strip():
            problems["consent_given_by"] = (
                "Say who gave consent to share (the young person, and a parent or carer for "
                "a child under 16) and when."
            )
        if consent is None:
            problems["basis"] = (
                "No referral is recorded, so no consent is on record: choose an exemption "
                "and give the reason."
            )
        elif not consent.given:
            what = "refused" if consent.refused else "not recorded as given"
            problems["basis"] = (
                f"Consent is {what} on the referral ({consent.text}): consent cannot be the "
                "basis. Choose an exemption (Children Act 1989 or Crime and Disorder Act 1998 "
                "s115) and give the reason."
            )
    else:
        reason = " ".join((draft.reason or "").split())
        if len(reason) < MIN_REASON_CHARS:
            problems["reason"] = (
                f"Give the reason for sharing under {draft.basis.label} without consent "
                f"(at least {MIN_REASON_CHARS} characters): what risk sharing addresses."
            )
        elif len(reason) > MAX_TEXT_CHARS:
            problems["reason"] = f"Shorten the reason to {MAX_TEXT_CHARS} characters or fewer."
    return problems


def needs_manager_approval(draft: SharingDraft, consent: ReferralConsent | None) -> bool:
    """Sharing where consent was refused overrides the young person's or family's wish: a
    manager must approve it."""
    return consent is not None and consent.refused and draft.basis.is_exemption
