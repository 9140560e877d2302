"""Multi-agency panel meetings: what a meeting, its attendees, a case's discussion and its
actions are, and the rules they keep.

A panel (a complex case panel, a multi-agency child exploitation panel) meets, discusses some
of the unit's young people and agrees actions, each owned by someone: a worker of the unit
(whose action becomes a task for them) or a named person at a partner agency. The next
meeting looks first at what the last one agreed, so an action's status (done, open, overdue)
is worked out here the same way for the screen and for the pack.

Pure rules: no Qt, no SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import nonmember

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import LabelledEnum
from veru_desk.domain.text import check_names

MAX_TITLE_CHARS = 200
MAX_NAME_CHARS = 120
MAX_AGENCY_CHARS = 160
MAX_TEXT_CHARS = 4000
MAX_ACTION_CHARS = 1000
#: A meeting further back than this is a typo (a year), not a panel being written up late.
MAX_YEARS_BACK = 5


class PanelType(LabelledEnum):
    COMPLEX_CASE = "complex_case"
    MACE = "mace"
    OTHER = "other"

    _LABELS = nonmember(
        {
            "complex_case": "Complex case panel",
            "mace": "Exploitation panel (MACE)",
            "other": "Other multi-agency meeting",
        }
    )


class ActionStatus(LabelledEnum):
    DONE = "done"
    OPEN = "open"
    OVERDUE = "overdue"


def action_status(due_on: dt.date | None, done_on: dt.date | None, today: dt.date) -> ActionStatus:
    """Done once a date is recorded; overdue after its due day; open otherwise."""
    if done_on is not None:
        return ActionStatus.DONE
    if due_on is not None and due_on < today:
        return ActionStatus.OVERDUE
    return ActionStatus.OPEN


@dataclass(frozen=True)
class AttendeeInput:
    name: str
    agency: str = ""
    role: str = ""


@dataclass(frozen=True)
class MeetingInput:
    """A meeting as typed. ``held_at`` is local wall-clock time (a panel at 10:00 is at 10:00
    whatever the clocks do), like a mentoring session's start."""

    held_at: dt.datetime | None
    panel_type: PanelType
    title: str
    chair: str = ""
    attendees: tuple[AttendeeInput, ...] = ()
    next_meeting_on: dt.date | None = None

    def problems(self, today: dt.date) -> dict[str, str]:
        """One message per field that cannot be saved, worded for the person typing."""
        errors: dict[str, str] = {}
        if self.held_at is None:
            errors["held_at"] = "Enter the date of the meeting (dd/mm/yyyy)."
        elif self.held_at.date() < today.replace(year=today.year - MAX_YEARS_BACK):
            errors["held_at"] = (
                f"The meeting date is more than {MAX_YEARS_BACK} years ago: check the year."
            )
        if not isinstance(self.panel_type, PanelType):
            errors["panel_type"] = "Choose the kind of meeting."
        if not self.title.strip():
            errors["title"] = "Enter the meeting's name, e.g. Luton complex case panel."
        errors.update(
            check_names(
                {"title": self.title, "chair": self.chair},
                {"title": "The meeting's name", "chair": "The chair's name"},
                {"title": MAX_TITLE_CHARS, "chair": MAX_NAME_CHARS},
            )
        )
        for index, person in enumerate(self.attendees, start=1):
            problem = _attendee_problem(person, index)
            if problem is not None:
                errors.setdefault("attendees", problem)
        held_on = self.held_at.date() if self.held_at is not None else None
        if self.next_meeting_on is not None and held_on and self.next_meeting_on <= held_on:
            errors["next_meeting_on"] = (
                f"The next meeting must be after this one ({format_uk_date(held_on)}): "
                "check the date."
            )
        return errors


def _attendee_problem(person: AttendeeInput, index: int) -> str | None:
    if not person.name.strip():
        return f"Attendee {index} has no name: enter it, or remove the row."
    found = check_names(
        {"name": person.name, "agency": person.agency, "role": person.role},
        {
            "name": f"Attendee {index}'s name",
            "agency": f"Attendee {index}'s agency",
            "role": f"Attendee {index}'s role",
        },
        {"name": MAX_NAME_CHARS, "agency": MAX_AGENCY_CHARS, "role": MAX_NAME_CHARS},
    )
    return next(iter(found.values()), None)


@dataclass(frozen=True)
class ActionInput:
    """An agreed action. Owned by the unit when ``owner_user_id`` names one of its workers
    (then it becomes a task for them, and ``owner_name`` may be left blank); otherwise by the
    named person at ``agency``. ``id`` is the saved action this row edits (None: a new one)."""

    description: str
    owner_name: str = ""
    agency: str = ""
    due_on: dt.date | None = None
    owner_user_id: int | None = None
    done_on: dt.date | None = None
    id: int | None = None

    @property
    def unit_owned(self) -> bool:
        return self.owner_user_id is not None


@dataclass(frozen=True)
class DiscussionInput:
    """What the panel said about one case: the discussion, the decision and the actions."""

    summary: str = ""
    decision: str = ""
    actions: tuple[ActionInput, ...] = field(default_factory=tuple)

    def problems(self, meeting_on: dt.date, today: dt.date) -> dict[str, str]:
        errors: dict[str, str] = {}
        if len(self.summary) > MAX_TEXT_CHARS:
            errors["summary"] = f"Shorten the discussion to {MAX_TEXT_CHARS} characters or fewer."
        if len(self.decision) > MAX_TEXT_CHARS:
            errors["decision"] = f"Shorten the decision to {MAX_TEXT_CHARS} characters or fewer."
        if self.actions and not self.decision.strip():
            errors["decision"] = "Record the panel's decision before its actions."
        for index, action in enumerate(self.actions, start=1):
            problem = action_problem(action, index, meeting_on, today)
            if problem is not None:
                errors.setdefault("actions", problem)
        return errors


def action_problem(
    action: ActionInput, index: int, meeting_on: dt.date, today: dt.date
) -> str | None:
    """Why action ``index`` (counted from 1, as the table shows it) cannot be saved."""
    what = f"Action {index}"
    if not action.description.strip():
        return f"{what} has no description: say what is to be done, or remove the row."
    if len(action.description) > MAX_ACTION_CHARS:
        return f"{what}'s description is too long: keep it to {MAX_ACTION_CHARS} characters."
    if not action.unit_owned and not action.owner_name.strip():
        return f"{what} has no owner: choose a worker of the unit, or name the person."
    if not action.unit_owned and not action.agency.strip():
        return f"{what}'s owner has no agency: enter the agency they work for."
    if action.due_on is None:
        return f"{what} has no due date: enter one (dd/mm/yyyy)."
    if action.due_on < meeting_on:
        return (
            f"{what} is due before the meeting ({format_uk_date(meeting_on)}) that agreed it: "
            "check the date."
        )
    if action.done_on is not None and action.done_on > today:
        return f"{what} is marked done on a future date: check the date."
    found = check_names(
        {"owner": action.owner_name, "agency": action.agency},
        {"owner": f"{what}'s owner", "agency": f"{what}'s agency"},
        {"owner": MAX_NAME_CHARS, "agency": MAX_AGENCY_CHARS},
    )
    return next(iter(found.values()), None)


def meeting_label(panel_type: PanelType, title: str, held_on: dt.date) -> str:
    """How a meeting is named in a chronology, an audit row and a sharing decision."""
    name = title.strip() or panel_type.label
    return f"{name}, {format_uk_date(held_on)}"
