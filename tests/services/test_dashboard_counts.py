"""Counts are counts: a dashboard list stops at 200 items, its number does not (issue #13,
finding 10: "200 actions past due" was shown for a longer backlog)."""

from __future__ import annotations

import datetime as dt

from tests.dates import today
from veru_desk.domain.enums import GoalDomain
from veru_desk.services import Services
from veru_desk.services.dashboard import LIST_CAP
from veru_desk.services.plans import ActionInput, GoalInput

FIRST = ("Zoë", "Dariusz", "Ngozi", "Tomasz", "Siobhán", "Abdirahman", "Ayşe", "Kwame", "Precious")
LAST = ("Ó Briain", "Wójcik", "Okonkwo-Adeyemi", "Łukasiewicz", "Nic Giolla", "Warsame", "Yılmaz")


def test_overdue_actions_beyond_the_list_cap_are_counted_not_capped(
    as_dariusz: Services, as_manager: Services, allocated_case: int
) -> None:
    plan_id = as_dariusz.plans.start_plan(
        allocated_case,
        started_on=today() - dt.timedelta(days=300),
        review_on=today() + dt.timedelta(days=30),
    )
    goal_id = as_dariusz.plans.add_goal(plan_id, GoalInput(GoalDomain.EET, "Back into college"))
    overdue = LIST_CAP + 37
    for number in range(overdue):
        as_dariusz.plans.add_action(
            goal_id,
            ActionInput(f"Call the college ({number + 1})", due_on=today() - dt.timedelta(days=3)),
        )
    for services in (as_dariusz, as_manager):
        board = services.dashboard.load()
        assert len(board.actions_overdue) == LIST_CAP
        assert board.total("actions_overdue") == overdue == 237
        assert board.total("plan_reviews_due") == 0


def test_referrals_awaiting_triage_beyond_the_list_cap_are_counted(
    as_dariusz: Services, as_manager: Services
) -> None:
    received = (today() - dt.timedelta(days=4)).strftime("%d/%m/%Y")
    rows = [
        "first_name,last_name,date_of_birth,referral_date,referring_agency,reasons,"
        "consent_young_person,consent_parent"
    ]
    for number in range(LIST_CAP + 12):
        first, last = FIRST[number % len(FIRST)], LAST[number % len(LAST)]
        born = dt.date(2009, 1, 1) + dt.timedelta(days=number)
        rows.append(f"{first},{last},{born:%d/%m/%Y},{received},Luton Youth Service,knife,yes,yes")
    as_dariusz.imports.run("\n".join(rows).encode())
    board = as_manager.dashboard.load()
    assert len(board.new_referrals) == LIST_CAP
    assert board.total("new_referrals") == 212
