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
