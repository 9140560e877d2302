"""Tasks: a piece of work handed to one worker of the unit, with a due date.

A task comes from a plan action or a panel action owned by the unit (so nothing agreed for a
young person is left as a line of free text nobody is reminded of), or is typed by hand. Its
status is open until someone completes or cancels it; a completed or cancelled task can be
reopened. Whether a task is overdue, due today or due this week is worked out here, once, so
the dashboard, the Tasks page and the sign-in reminder never disagree about a task due today.

Pure rules: no Qt, no SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import nonmember

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import LabelledEnum
from veru_desk.domain.reviews import DUE_SOON_DAYS
from veru_desk.domain.text import check_names

MAX_TITLE_CHARS = 200
MAX_NOTES_CHARS = 4000
MAX_REASON_CHARS = 1000
#: A due date further back than this is a typo (a year), not a task written up late.
MAX_YEARS_BACK = 2
#: Nor is one more than this far ahead: nobody is reminded of a task due in 2031.
MAX_YEARS_AHEAD = 3


class TaskStatus(LabelledEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class TaskSource(LabelledEnum):
    """Where a task came from; ``None`` on a task means typed by hand."""

    PLAN_ACTION = "plan_action"
    PANEL_ACTION = "panel_action"

    _LABELS = nonmember({"plan_action": "Plan action", "panel_action": "Panel action"})


class Due(LabelledEnum):
    """When an open task falls due, as the dashboard groups them."""

    OVERDUE = "overdue"
    TODAY = "today"
    THIS_WEEK = "this_week"
    LATER = "later"
    CLOSED = "closed"  # done or cancelled: not due at all

    _LABELS = nonmember(
        {
            "overdue": "Overdue",
            "today": "Due today",
            "this_week": "Due this week",
            "later": "Later",
            "closed": "Closed",
        }
    )


def week_end(today: dt.date) -> dt.date:
    """The last day of "this week": the next seven days, as the dashboard's other "this
    week" lists count them (``domain.reviews.DUE_SOON_DAYS``), so on a Friday it still
    reaches the Thursday after."""
    return today + dt.timedelta(days=DUE_SOON_DAYS)


def due_bucket(status: TaskStatus, due_on: dt.date, today: dt.date) -> Due:
    """Overdue once its due day has passed (a task due today is due, not yet overdue)."""
    if status is not TaskStatus.OPEN:
        return Due.CLOSED
    if due_on < today:
        return Due.OVERDUE
    if due_on == today:
        return Due.TODAY
    if due_on <= week_end(today):
        return Due.THIS_WEEK
    return Due.LATER


def due_words(status: TaskStatus, due_on: dt.date, today: dt.date) -> str:
    """The due date as a tired reader wants it: "Overdue by 3 days (02/12/2026)"; the words
    carry the meaning, so red text is never the only sign."""
    bucket = due_bucket(status, due_on, today)
    when = format_uk_date(due_on)
    if bucket is Due.OVERDUE:
        days = (today - due_on).days
        return f"Overdue by {days} day{'s' if days != 1 else ''} ({when})"
    if bucket is Due.TODAY:
        return f"Due today ({when})"
    return f"Due {when}"


@dataclass(frozen=True)
class TaskInput:
    """A task as typed (or as a plan or panel action hands it over). ``person_id`` names the
    young person whose case it is for; ``None``: work for the unit (a report, a training)."""

    title: str
    assignee_id: int | None
    due_on: dt.date | None
    person_id: int | None = None
    notes: str | None = None

    def problems(self, today: dt.date) -> dict[str, str]:
        errors = check_names(
            {"title": self.title}, {"title": "The title"}, {"title": MAX_TITLE_CHARS}
        )
        if not self.title.strip():
            errors["title"] = "Say what is to be done, e.g. 'Call school about return plan'."
        if self.assignee_id is None:
            errors["assignee"] = "Choose who will do it."
        if self.due_on is None:
            errors["due_on"] = "Enter the date it is due, as dd/mm/yyyy."
        elif self.due_on < _shift(today, -MAX_YEARS_BACK):
            errors["due_on"] = (
                f"{format_uk_date(self.due_on)} is more than {MAX_YEARS_BACK} years ago: "
                "check the year."
            )
        elif self.due_on > _shift(today, MAX_YEARS_AHEAD):
            errors["due_on"] = (
                f"{format_uk_date(self.due_on)} is more than {MAX_YEARS_AHEAD} years ahead: "
                "check the year."
            )
        if self.notes and len(self.notes) > MAX_NOTES_CHARS:
            errors["notes"] = f"Keep the notes under {MAX_NOTES_CHARS} characters."
        return errors


def _shift(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years, day=28)


def reason_problems(reason: str) -> dict[str, str]:
    """A cancellation says why, so whoever set the task knows it was not simply forgotten."""
    if not reason.strip():
        return {"reason": "Say why the task is cancelled, e.g. 'Young person moved area'."}
    if len(reason) > MAX_REASON_CHARS:
        return {"reason": f"Keep the reason under {MAX_REASON_CHARS} characters."}
    return {}
