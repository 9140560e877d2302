from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from tests.dates import today
from veru_desk.db.engine import Database
from veru_desk.domain.enums import Attendance, GoalDomain, ReferralStatus, RiskLevel
from veru_desk.services import Services
from veru_desk.services.mentoring import SessionInput
from veru_desk.services.plans import ActionInput, GoalInput
from veru_desk.services.risk import RiskInput


def next_monday() -> dt.date:
    """Next week's Monday, asked at each use (see tests/dates.py)."""
    return today() + dt.timedelta(days=7 - today().weekday())


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def test_risk_reviews_overdue_and_due_this_week_are_listed_apart_most_overdue_first(
    as_dariusz: Services,
    as_manager: Services,
    as_aisha: Services,
    allocated_case: int,
    case_factory: Callable[..., int],
) -> None:
    dariusz = as_dariusz.actor.user_id
    zoe = case_factory("Zoë", "Ó Súilleabháin", worker_id=dariusz)
    stefan = case_factory("Ştefan", "Popescu", worker_id=dariusz)
    ayse = case_factory("Ayşe", "Yılmaz", worker_id=dariusz)
    for person_id, days_ago in ((allocated_case, 40), (zoe, 50), (stefan, 25), (ayse, 0)):
        as_dariusz.risk.record(
            person_id,
            RiskInput(assessed_on=today() - dt.timedelta(days=days_ago), level=RiskLevel.HIGH),
        )

    board = as_dariusz.dashboard.load()
    assert [i.person_id for i in board.reviews_overdue] == [zoe, allocated_case]
    assert [i.due for i in board.reviews_overdue] == [
        today() - dt.timedelta(days=22),
        today() - dt.timedelta(days=12),
    ]
    assert board.reviews_overdue[0].name == "Zoë Ó Súilleabháin"
    assert "overdue by 22 days" in board.reviews_overdue[0].detail
    assert "high risk" in board.reviews_overdue[0].detail
    assert [i.person_id for i in board.reviews_due_this_week] == [stefan]
    assert board.reviews_due_this_week[0].due == today() + dt.timedelta(days=3)

    assert [i.person_id for i in as_manager.dashboard.load().reviews_overdue] == [
        zoe,
        allocated_case,
    ]
    assert as_aisha.dashboard.load().reviews_overdue == []


def test_sessions_today_and_the_rest_of_the_week(
    as_dariusz: Services, allocated_case: int, case_factory: Callable[..., int]
) -> None:
    siobhan = case_factory("Siobhán", "Nic Giolla Phádraig", worker_id=as_dariusz.actor.user_id)
    book = as_dariusz.sessions.book
    book(siobhan, SessionInput(planned_start=at(next_monday(), 14), location="Marsh Farm"))
    book(allocated_case, SessionInput(planned_start=at(next_monday(), 10)))
    cancelled = book(allocated_case, SessionInput(planned_start=at(next_monday(), 12)))
    as_dariusz.sessions.record_attendance(cancelled, Attendance.CANCELLED_BY_SERVICE)
    book(allocated_case, SessionInput(planned_start=at(next_monday() + dt.timedelta(days=2), 16)))
    book(allocated_case, SessionInput(planned_start=at(next_monday() + dt.timedelta(days=7), 16)))

    monday = as_dariusz.dashboard.load(today=next_monday())
    assert [(i.person_id, i.due) for i in monday.sessions_today] == [
        (allocated_case, at(next_monday(), 10)),
        (siobhan, at(next_monday(), 14)),
    ]
    assert monday.sessions_today[1].detail == "14:00 One-to-one at Marsh Farm (planned)"
    assert [i.due for i in monday.sessions_this_week] == [
        at(next_monday() + dt.timedelta(days=2), 16)
    ]

    thursday = as_dariusz.dashboard.load(today=next_monday() + dt.timedelta(days=3))
    assert thursday.sessions_today == []
    assert [i.due for i in thursday.sessions_this_week] == [
        at(next_monday(), 10),
        at(next_monday(), 14),
        at(next_monday() + dt.timedelta(days=2), 16),
    ]
    assert all("attendance not recorded" in i.detail for i in thursday.sessions_this_week)


def test_new_referrals_appear_only_on_the_manager_dashboard_oldest_first(
    as_dariusz: Services, as_manager: Services, case_factory: Callable[..., int]
) -> None:
    newer = case_factory("Nguyễn Văn", "An", status=ReferralStatus.RECEIVED, received_days_ago=1)
    older = case_factory(
        "Abdirahman", "Warsame", status=ReferralStatus.RECEIVED, received_days_ago=3
    )
    case_factory("Ayşe", "Yılmaz", status=ReferralStatus.ACCEPTED)

    items = as_manager.dashboard.load().new_referrals
    assert [i.person_id for i in items] == [older, newer]
    assert all(i.referral_id is not None for i in items)
    assert items[0].due == today() - dt.timedelta(days=3)
    assert "Challney High School" in items[0].detail and "waiting 3 days" in items[0].detail
    assert as_dariusz.dashboard.load().new_referrals == []


def test_plan_reviews_and_actions_past_due_are_listed(
    as_dariusz: Services, as_aisha: Services, allocated_case: int
) -> None:
    plan_id = as_dariusz.plans.start_plan(
        allocated_case,
        started_on=today() - dt.timedelta(days=90),
        review_on=today() - dt.timedelta(days=2),
    )
    goal_id = as_dariusz.plans.add_goal(
        plan_id, GoalInput(GoalDomain.EET, "Back into full-time education")
    )
    as_dariusz.plans.add_action(
        goal_id,
        ActionInput(
            "Meeting with the head of year", owner="Dariusz", due_on=today() - dt.timedelta(days=5)
        ),
    )
    done = as_dariusz.plans.add_action(
        goal_id, ActionInput("Visit the college", due_on=today() - dt.timedelta(days=9))
    )
    as_dariusz.plans.set_action_done(done, today() - dt.timedelta(days=8))
    as_dariusz.plans.add_action(
        goal_id, ActionInput("Enrolment form", due_on=today() + dt.timedelta(days=5))
    )

    board = as_dariusz.dashboard.load()
    [review] = board.plan_reviews_due
    assert review.person_id == allocated_case and review.due == today() - dt.timedelta(days=2)
    assert "overdue by 2 days" in review.detail
    [action] = board.actions_overdue
    assert action.detail.startswith("Meeting with the head of year (Dariusz): overdue by 5 days")
    assert as_aisha.dashboard.load().actions_overdue == []


def test_an_administrator_gets_an_empty_dashboard_not_case_data(
    db: Database, team: object, allocated_case: int
) -> None:
    admin = Services(db, team.admin)  # type: ignore[attr-defined]
    assert admin.dashboard.load().is_empty
