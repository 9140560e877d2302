"""Safeguarding flags with dates: what a concern or a statutory status is, when it began and
ended, and the rules its dates must keep.

A flag is active from its start until its end (on the end day it no longer is); a flag with
no end is active until someone ends it. Two kinds carry more than start and end:

- a National Referral Mechanism referral (``NRM``): the referral date is the start; the
  reasonable grounds and conclusive grounds decisions each have an outcome and a date, on or
  after the referral (and the conclusive decision on or after the reasonable one);
- a missing episode (``MISSING``): missing from (start) and to (end, once found), and whether
  the return home interview was done.

Pure rules: no Qt, no SQL.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import nonmember

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import LabelledEnum, squash
from veru_desk.domain.errors import ValidationError

MAX_NOTE_CHARS = 2000


class FlagKind(LabelledEnum):
    """The kinds of safeguarding flag, in the order caseworkers read them."""

    CSE = "cse"
    CCE = "cce"
    COUNTY_LINES = "county_lines"
    NRM = "nrm"
    MISSING = "missing"
    CHILD_PROTECTION = "child_protection"
    CHILD_IN_NEED = "child_in_need"
    LOOKED_AFTER = "looked_after"
    YOUTH_JUSTICE = "youth_justice"
    SEND = "send"

    _LABELS = nonmember(
        {
            "cse": "Child sexual exploitation concern",
            "cce": "Child criminal exploitation concern",
            "county_lines": "County lines",
            "nrm": "National Referral Mechanism referral",
            "missing": "Missing episode",
            "child_protection": "Child protection plan",
            "child_in_need": "Child in need",
            "looked_after": "Looked after",
            "youth_justice": "Youth justice order",
            "send": "SEND",
        }
    )

    @property
    def short(self) -> str:
        """The few letters a banner or a caseload cell shows."""
        return _SHORT[self.value]


_SHORT = {
    "cse": "CSE",
    "cce": "CCE",
    "county_lines": "County lines",
    "nrm": "NRM",
    "missing": "Missing",
    "child_protection": "CP plan",
    "child_in_need": "CIN",
    "looked_after": "Looked after",
    "youth_justice": "YJ order",
    "send": "SEND",
}


class GroundsDecision(LabelledEnum):
    """An NRM decision: the competent authority's finding."""

    POSITIVE = "positive"
    NEGATIVE = "negative"

    _LABELS = nonmember({"positive": "Positive", "negative": "Negative"})


@dataclass(frozen=True)
class FlagInput:
    """A flag as typed: the dates that matter to its kind, and a short note."""

    kind: FlagKind
    started_on: dt.date
    ended_on: dt.date | None = None
    note: str = ""
    # National Referral Mechanism only
    reasonable_grounds: GroundsDecision | None = None
    reasonable_grounds_on: dt.date | None = None
    conclusive_grounds: GroundsDecision | None = None
    conclusive_grounds_on: dt.date | None = None
    # Missing episode only
    return_interview_done: bool | None = None

    def problems(self, date_of_birth: dt.date, today: dt.date) -> dict[str, str]:
        """One message per field that cannot be saved, worded for the person typing."""
        errors: dict[str, str] = {}
        if not isinstance(self.kind, FlagKind):
            errors["kind"] = "Choose the kind of flag."
            return errors
        start_word = start_label(self.kind).lower()
        if self.started_on is None:
            errors["started_on"] = f"Enter the {start_word} date (dd/mm/yyyy)."
        elif self.started_on > today:
            errors["started_on"] = f"The {start_word} date is in the future: check the date."
        elif self.started_on < date_of_birth:
            errors["started_on"] = f"The {start_word} date is before the date of birth."
        if self.ended_on is not None:
            end_word = end_label(self.kind).lower()
            if self.ended_on > today:
                errors["ended_on"] = f"The {end_word} date is in the future: check the date."
            elif self.started_on is not None and self.ended_on < self.started_on:
                errors["ended_on"] = (
                    f"The {end_word} date is before the {start_word} date "
                    f"({format_uk_date(self.started_on)}): check the dates."
                )
        if len(self.note or "") > MAX_NOTE_CHARS:
            errors["note"] = f"Shorten the note to {MAX_NOTE_CHARS} characters or fewer."
        if self.kind is FlagKind.NRM:
            errors.update(self._nrm_problems(today))
        return errors

    def _nrm_problems(self, today: dt.date) -> dict[str, str]:
        errors: dict[str, str] = {}
        decisions = (
            ("reasonable_grounds", self.reasonable_grounds, self.reasonable_grounds_on),
            ("conclusive_grounds", self.conclusive_grounds, self.conclusive_grounds_on),
        )
        for field, decision, on in decisions:
            words = field.replace("_", " ")
            if decision is not None and on is None:
                errors[f"{field}_on"] = f"Enter the date of the {words} decision (dd/mm/yyyy)."
            elif decision is None and on is not None:
                errors[field] = f"Choose the {words} decision, or clear its date."
            elif on is not None and on > today:
                errors[f"{field}_on"] = f"The {words} decision date is in the future."
            elif on is not None and self.started_on is not None and on < self.started_on:
                errors[f"{field}_on"] = (
                    f"The {words} decision is dated before the referral "
                    f"({format_uk_date(self.started_on)}): check the date."
                )
        if self.conclusive_grounds is not None and self.reasonable_grounds is None:
            errors.setdefault(
                "reasonable_grounds",
                "A conclusive grounds decision follows a reasonable grounds decision: "
                "record that first.",
            )
        if (
            "conclusive_grounds_on" not in errors
            and self.conclusive_grounds_on is not None
            and self.reasonable_grounds_on is not None
            and self.conclusive_grounds_on < self.reasonable_grounds_on
        ):
            errors["conclusive_grounds_on"] = (
                "The conclusive grounds decision is dated before the reasonable grounds "
                f"decision ({format_uk_date(self.reasonable_grounds_on)})."
            )
        return errors


def start_label(kind: FlagKind) -> str:
    """What the start date is called for this kind of flag."""
    if kind is FlagKind.MISSING:
        return "Missing from"
    if kind is FlagKind.NRM:
        return "Referred"
    return "Started"


def end_label(kind: FlagKind) -> str:
    """What the end date is called for this kind of flag."""
    if kind is FlagKind.MISSING:
        return "Found"
    return "Ended"


def is_active(started_on: dt.date, ended_on: dt.date | None, on: dt.date) -> bool:
    """Whether a flag holds on the day ``on``: started by then and not ended by then (a
    missing young person found today is no longer missing today)."""
    return started_on <= on and (ended_on is None or ended_on > on)


def end_problems(started_on: dt.date, ended_on: dt.date | None, today: dt.date) -> dict[str, str]:
    """Ending a flag: a date on or after its start, not in the future."""
    if ended_on is None:
        return {"ended_on": "Enter the date the flag ended (dd/mm/yyyy)."}
    if ended_on > today:
        return {"ended_on": "The end date is in the future: check the date."}
    if ended_on < started_on:
        return {
            "ended_on": f"The end date is before the start date ({format_uk_date(started_on)})."
        }
    return {}


# --- flags as partners type them in a referral spreadsheet ------------------------------------

#: The words partners use for each kind, beyond its code, label and short form.
_FLAG_WORDS: dict[str, FlagKind] = {
    "childsexualexploitation": FlagKind.CSE,
    "childcriminalexploitation": FlagKind.CCE,
    "criminalexploitation": FlagKind.CCE,
    "sexualexploitation": FlagKind.CSE,
    "countylines": FlagKind.COUNTY_LINES,
    "nationalreferralmechanism": FlagKind.NRM,
    "missing": FlagKind.MISSING,
    "missingepisode": FlagKind.MISSING,
    "missingepisodes": FlagKind.MISSING,
    "cp": FlagKind.CHILD_PROTECTION,
    "cpp": FlagKind.CHILD_PROTECTION,
    "childprotection": FlagKind.CHILD_PROTECTION,
    "cin": FlagKind.CHILD_IN_NEED,
    "lac": FlagKind.LOOKED_AFTER,
    "cla": FlagKind.LOOKED_AFTER,
    "lookedafterchild": FlagKind.LOOKED_AFTER,
    "childlookedafter": FlagKind.LOOKED_AFTER,
    "incare": FlagKind.LOOKED_AFTER,
    "yjs": FlagKind.YOUTH_JUSTICE,
    "yot": FlagKind.YOUTH_JUSTICE,
    "youthjustice": FlagKind.YOUTH_JUSTICE,
    "ehcp": FlagKind.SEND,
    "sen": FlagKind.SEND,
}
_FLAG_SEPARATORS = re.compile(r"[;,/|\n]+|\band\b", re.IGNORECASE)


def parse_flag_kinds(text: str, column: str = "safeguarding_flags") -> frozenset[FlagKind]:
    """``"CCE; looked after, county lines"`` as kinds of flag; an unknown word is refused
    with a message naming what to type instead."""
    found: set[FlagKind] = set()
    unknown: list[str] = []
    for part in _FLAG_SEPARATORS.split(text):
        word = squash(part)
        if not word:
            continue
        kind = _FLAG_WORDS.get(word) or next(
            (k for k in FlagKind if word in (squash(k.value), squash(k.label), squash(k.short))),
            None,
        )
        if kind is None:
            unknown.append(part.strip())
        else:
            found.add(kind)
    if unknown:
        shown = ", ".join(f"'{word}'" for word in unknown)
        raise ValidationError(
            {
                column: f"{shown} is not a safeguarding flag we know: use CSE, CCE, county "
                "lines, NRM, missing, CP plan, CIN, looked after, YJ order or SEND, "
                "separated by semicolons."
            }
        )
    return frozenset(found)
