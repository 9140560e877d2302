"""When risk assessments and intervention plans are due for review.

A review that slips is how a rising risk goes unnoticed, so the default next-review date is
set from the risk level when an assessment is saved, and the dashboard lists what is overdue
and what is due soon. The intervals are the unit's policy; a worker may set an earlier date.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from types import MappingProxyType

from dateutil.relativedelta import relativedelta

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import RiskLevel

REVIEW_INTERVALS: Mapping[RiskLevel, relativedelta] = MappingProxyType(
    {
        RiskLevel.VERY_HIGH: relativedelta(weeks=2),
        RiskLevel.HIGH: relativedelta(weeks=4),
        RiskLevel.MEDIUM: relativedelta(weeks=8),
        RiskLevel.LOW: relativedelta(weeks=12),
    }
)

PLAN_REVIEW_INTERVAL = relativedelta(weeks=12)

DUE_SOON_DAYS = 7


def next_review_date(assessed_on: date, level: RiskLevel) -> date:
    """The default date the next risk assessment is due, from this one's level."""
    return assessed_on + REVIEW_INTERVALS[level]


def next_plan_review(plan_start: date) -> date:
    """The date a plan (or plan version) starting on ``plan_start`` is due for review."""
    return plan_start + PLAN_REVIEW_INTERVAL


def is_overdue(due: date | None, today: date) -> bool:
    """True once the due day has passed; a review due today is due, not yet overdue."""
    return due is not None and due < today


def is_due_within(due: date | None, today: date, days: int = DUE_SOON_DAYS) -> bool:
    """True when due between today and ``days`` days ahead, inclusive.

    Overdue items are not "due soon": the dashboard shows the two lists apart so the overdue
    ones are not lost among the rest.

    Raises:
        ValueError: for a negative number of days (a programming error).
    """
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    return due is not None and today <= due <= today + timedelta(days=days)


def days_words(days: int) -> str:
    """``1 day``, ``12 days``."""
    return f"{days} day{'s' if days != 1 else ''}"


def overdue_text(
    today: date,
    risk_review_on: date | None,
    plan_review_on: date | None = None,
    actions_overdue: int = 0,
) -> str:
    """What is overdue on a case, in the words of the caseload's "Overdue" column:
    ``Risk review 12 days overdue; plan review due 03/12/2026; 2 actions overdue``.

    The one definition of overdue (``is_overdue``: the due day has passed) decides each part,
    as the caseload's filter and the dashboard's lists do; an empty string when nothing is.
    """
    parts: list[str] = []
    if risk_review_on is not None and is_overdue(risk_review_on, today):
        parts.append(f"risk review {days_words((today - risk_review_on).days)} overdue")
    if plan_review_on is not None and is_overdue(plan_review_on, today):
        parts.append(f"plan review due {format_uk_date(plan_review_on)}")
    if actions_overdue > 0:
        what = "1 plan action" if actions_overdue == 1 else f"{actions_overdue} plan actions"
        parts.append(f"{what} overdue")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]
