"""Review intervals by risk level, plan reviews, and overdue or due-soon checks."""

from __future__ import annotations

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta

from veru_desk.domain.enums import RiskLevel
from veru_desk.domain.reviews import (
    PLAN_REVIEW_INTERVAL,
    REVIEW_INTERVALS,
    is_due_within,
    is_overdue,
    next_plan_review,
    next_review_date,
)

ASSESSED = date(2026, 1, 5)


def test_every_risk_level_has_a_review_interval() -> None:
    assert set(REVIEW_INTERVALS) == set(RiskLevel)


def test_higher_risk_is_reviewed_sooner() -> None:
    by_rank = sorted(RiskLevel, key=lambda level: level.rank)
    due = [next_review_date(ASSESSED, level) for level in by_rank]
    assert due == sorted(due, reverse=True)


@pytest.mark.parametrize(
    ("level", "due"),
    [
        (RiskLevel.VERY_HIGH, date(2026, 1, 19)),
        (RiskLevel.HIGH, date(2026, 2, 2)),
        (RiskLevel.MEDIUM, date(2026, 3, 2)),
        (RiskLevel.LOW, date(2026, 3, 30)),
    ],
)
def test_next_review_date_by_level(level: RiskLevel, due: date) -> None:
    assert next_review_date(ASSESSED, level) == due


def test_review_intervals_cannot_be_changed_by_accident() -> None:
    with pytest.raises(TypeError):
        REVIEW_INTERVALS[RiskLevel.LOW] = relativedelta(weeks=1)  # type: ignore[index]


def test_review_across_a_leap_day_counts_real_days() -> None:
    assert next_review_date(date(2028, 2, 20), RiskLevel.VERY_HIGH) == date(2028, 3, 5)


def test_plans_are_reviewed_every_twelve_weeks() -> None:
    assert relativedelta(weeks=12) == PLAN_REVIEW_INTERVAL
    assert next_plan_review(date(2026, 1, 5)) == date(2026, 3, 30)


def test_a_review_due_today_is_not_overdue_but_is_due_soon() -> None:
    today = date(2026, 2, 2)
    assert not is_overdue(today, today)
    assert is_due_within(today, today)


def test_a_review_due_yesterday_is_overdue_and_not_due_soon() -> None:
    today = date(2026, 2, 2)
    yesterday = date(2026, 2, 1)
    assert is_overdue(yesterday, today)
    assert not is_due_within(yesterday, today)


def test_due_within_a_week_includes_the_seventh_day_only() -> None:
    today = date(2026, 2, 2)
    assert is_due_within(date(2026, 2, 9), today)
    assert not is_due_within(date(2026, 2, 10), today)
    assert is_due_within(date(2026, 2, 10), today, days=8)
    assert not is_due_within(date(2026, 2, 3), today, days=0)


def test_nothing_due_is_neither_overdue_nor_due_soon() -> None:
    assert not is_overdue(None, date(2026, 2, 2))
    assert not is_due_within(None, date(2026, 2, 2))


def test_negative_days_are_a_programming_error() -> None:
    with pytest.raises(ValueError):
        is_due_within(date(2026, 2, 2), date(2026, 2, 2), days=-1)
