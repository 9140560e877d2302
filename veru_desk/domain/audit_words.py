"""The audit trail in the words the app uses, not the database's.

The trail stores table names (``mentoring_session``), field names (``next_review_on``), codes
(``very_high``) and ISO dates, because those never change meaning. A person reading it wants
"Mentoring session", "Next review on", "Very high" and 03/04/2026. This module says each of
those; it knows no Qt and no SQL, so the viewer, the command line and a report can share it.

Some values are not kept at all: a session's notes are recorded as changed, never what they
say (the trail is append-only and must not become a second, unerasable copy of a session).
Those are said as "Notes changed (the trail does not keep what they say)".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from veru_desk.domain import enums
from veru_desk.domain.dates import format_uk_date, format_uk_datetime
from veru_desk.domain.enums import AuditAction, LabelledEnum

#: what the trail records instead of a value it must not keep (see services.mentoring)
NOT_KEPT = "(changed)"

#: each action as the app says it, in the past tense of a log: "Signed in", not "Login"
ACTION_WORDS: dict[AuditAction, str] = {
    AuditAction.VIEW: "Viewed",
    AuditAction.CREATE: "Added",
    AuditAction.UPDATE: "Changed",
    AuditAction.DELETE: "Deleted",
    AuditAction.EXPORT: "Exported",
    AuditAction.PRINT: "Printed",
    AuditAction.LOGIN: "Signed in",
    AuditAction.FAILED_LOGIN: "Sign-in refused",
    AuditAction.LOGOUT: "Signed out",
    AuditAction.DENIED: "Not allowed",
    AuditAction.ANONYMISE: "Anonymised",
    AuditAction.ERASE: "Erased",
    AuditAction.BACKUP: "Backed up",
    AuditAction.RESTORE: "Restored",
    AuditAction.IMPORT: "Imported",
    AuditAction.LOOKUP: "Look-up of another's case",
}

#: the kind of record, as the app names it on its screens
RECORD_KINDS: dict[str, str] = {
    "user": "User",
    "user_role": "User's role",
    "agency": "Agency",
    "young_person": "Young person",
    "name_token": "Name index",
    "contact": "Contact",
    "referral": "Referral",
    "referral_reason": "Referral reason",
    "referral_transition": "Referral decision",
    "risk_assessment": "Risk assessment",
    "intervention_plan": "Intervention plan",
    "plan_goal": "Plan goal",
    "plan_action": "Plan action",
    "session_series": "Weekly sessions",
    "series_exception": "Change to weekly sessions",
    "mentoring_session": "Mentoring session",
    "outcome": "Outcome",
    "outcome_measure": "Outcome measure",
    "outcome_value": "Outcome score",
    "case_note": "Case note",
    "document_export": "Document",
    "sharing_decision": "Sharing decision",
    "case_analysis": "Caseworker's analysis",
    "person_merge": "Merge of duplicate records",
    "person_merge_row": "Row moved by a merge",
    "group_series": "Recurring group",
    "group_session": "Group session",
    "panel_meeting": "Panel meeting",
    "panel_attendee": "Panel attendee",
    "panel_item": "Case discussed at a panel",
    "panel_action": "Panel action",
    "person_of_concern": "Person of concern",
    "place": "Place of concern",
    "person_link": "Link between young people",
    "concern_link": "Link to a person of concern",
    "place_link": "Link to a place",
    "incident": "Incident",
    "incident_party": "Person involved in an incident",
    "attachment": "Attached file",
    "task": "Task",
    "audit_event": "Audit trail",
    "audit_chain_head": "Audit chain",
    "case_ref_counter": "Case numbering",
    "setting": "Setting",
    "caseload": "Caseload",
    "database": "Database",
    "demo_data": "Demonstration data",
    "outcome_report": "Outcome report",
    "server": "Database server",
}

#: field names whose plain rewording would read wrongly
FIELD_WORDS: dict[str, str] = {
    "nhs_number": "NHS number",
    "send": "SEND",
    "dob": "Date of birth",
    "eet": "EET",
    "neet": "NEET",
    "worker_id": "Caseworker",
    "current_worker_id": "Caseworker",
    "allocated_to_id": "Allocated to",
    "agency_id": "Agency",
    "lock_minutes": "Lock after (minutes)",
    "attachment_max_mb": "Largest attached file (MB)",
    "assignee_id": "Assigned to",
    "completed_by_id": "Completed by",
}

_CODE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def action_words(action: AuditAction) -> str:
    """``"Signed in"`` for a login: the action as the app says it."""
    return ACTION_WORDS.get(action, action.label)


def record_kind(entity_type: str | None) -> str:
    """``"Mentoring session"`` for ``mentoring_session``; an unknown table reads as words."""
    if not entity_type:
        return ""
    return RECORD_KINDS.get(entity_type, _sentence(entity_type))


def record_words(
    entity_type: str | None,
    entity_id: int | None,
    *,
    case_ref: str | None = None,
    person_name: str | None = None,
) -> str:
    """The record an event was about, as the app names it.

    A young person is named by case reference and name where the reader may see them
    ("Young person VERU-2026-00012, Łukasz Wiśniewski"), by reference alone when the name is
    withheld, and as "Young person #1234" at least; any other record by its kind and number
    ("Mentoring session #57").
    """
    kind = record_kind(entity_type)
    if not kind:
        return ""
    if entity_type == "young_person":
        named = ", ".join(part for part in (case_ref, person_name) if part)
        if named:
            return f"{kind} {named}"
    if entity_id is None:
        return kind
    return f"{kind} #{entity_id}"


def field_words(name: str) -> str:
    """``"Next review on"`` for ``next_review_on``; ``"NHS number"`` for ``nhs_number``."""
    if name in FIELD_WORDS:
        return FIELD_WORDS[name]
    if name.endswith("_id") and len(name) > 3:
        name = name[:-3]
    return _sentence(name)


def value_words(value: Any) -> str:
    """A stored value said as the screens say it: dates dd/mm/yyyy, yes/no, codes as labels."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return ", ".join(value_words(v) for v in value) or "(none)"
    if isinstance(value, int | float):
        return f"{value:,}" if abs(value) >= 10_000 else f"{value:g}"
    text = str(value)
    if _ISO_DATETIME.match(text):
        try:
            return format_uk_datetime(dt.datetime.fromisoformat(text))
        except ValueError:
            return text
    if _ISO_DATE.match(text):
        try:
            return format_uk_date(dt.date.fromisoformat(text))
        except ValueError:
            return text
    if _CODE.match(text):
        label = _enum_label(text)
        if label is not None:
            return label
    return text


def change_words(name: str, old: Any, new: Any, *, withheld: bool = False) -> str:
    """One field's change in words.

    ``"Risk level: Medium → High"``; ``"Notes changed (the trail does not keep what they
    say)"`` where the trail kept no value; ``"Preferred name changed"`` when the values are
    withheld from this reader.
    """
    field = field_words(name)
    if old == NOT_KEPT and new == NOT_KEPT:
        return f"{field} changed (the trail does not keep what they say)"
    if withheld:
        return f"{field} changed"
    return f"{field}: {value_words(old)} → {value_words(new)}"


def changes_words(changes: Iterable[tuple[str, Any, Any]], *, withheld: bool = False) -> str:
    """Every change of an event, one after another, separated by semicolons."""
    return "; ".join(change_words(n, o, v, withheld=withheld) for n, o, v in changes)


def _sentence(code: str) -> str:
    words = code.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _enum_label(code: str) -> str | None:
    """The label of the first of the app's enums that has ``code`` as a value."""
    for member in _ENUM_MEMBERS.get(code, ()):
        return member.label
    return None


def _enum_members() -> dict[str, list[LabelledEnum]]:
    found: dict[str, list[LabelledEnum]] = {}
    for thing in vars(enums).values():
        if (
            isinstance(thing, type)
            and issubclass(thing, LabelledEnum)
            and thing is not LabelledEnum
            and thing is not AuditAction
        ):
            for member in thing:
                found.setdefault(member.value, []).append(member)
    return found


_ENUM_MEMBERS = _enum_members()
