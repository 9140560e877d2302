"""The Reports page's trend: referrals received and cases closed per month, on the hand-counted
unit of ``test_reports`` (referrals in January, March, April and two in December of last year;
Zoë's case closed on 30/06; An referred in November the year before)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.services.test_reports import PERIOD, Unit, Y, unit  # noqa: F401  # the fixture
from veru_desk.domain.enums import ReferralReason
from veru_desk.domain.errors import PermissionDenied
from veru_desk.services.outcome_figures import trend_months


def test_each_month_counts_the_referrals_received_and_cases_closed_in_it(unit: Unit) -> None:  # noqa: F811
    months = unit.manager.reports.trend(dt.date(Y, 12, 31))
    assert [m.month for m in months] == [dt.date(Y, n, 1) for n in range(1, 13)]
    assert [m.referrals for m in months] == [1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 2]
    assert [m.closed for m in months] == [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert months[0].label == f"Jan {Y}"
    year = unit.manager.reports.figures(PERIOD)
    assert sum(m.referrals for m in months) == year.referrals_received
    assert sum(m.closed for m in months) == sum(year.closures_by_reason.values())


def test_the_trend_reaches_back_across_the_year_and_takes_the_filters(unit: Unit) -> None:  # noqa: F811
    months = unit.manager.reports.trend(dt.date(Y, 3, 15))
    assert months[0].month == dt.date(Y - 1, 4, 1) and months[-1].month == dt.date(Y, 3, 1)
    assert months[7].month == dt.date(Y - 1, 11, 1) and months[7].referrals == 1  # An
    knives = unit.manager.reports.trend(dt.date(Y, 12, 31), reason=ReferralReason.KNIFE_CARRYING)
    assert [m.referrals for m in knives] == [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    dariusz = unit.manager.reports.trend(dt.date(Y, 12, 31), worker_id=unit.dariusz.actor.user_id)
    assert sum(m.referrals for m in dariusz) == 1 and sum(m.closed for m in dariusz) == 0


def test_a_caseworker_cannot_see_the_trend(unit: Unit) -> None:  # noqa: F811
    with pytest.raises(PermissionDenied):
        unit.dariusz.reports.trend(dt.date(Y, 12, 31))


def test_months_run_oldest_first_and_end_on_the_last_day() -> None:
    spans = trend_months(dt.date(2024, 2, 10), 3)
    assert spans == [
        (dt.date(2023, 12, 1), dt.date(2023, 12, 31)),
        (dt.date(2024, 1, 1), dt.date(2024, 1, 31)),
        (dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
    ]
