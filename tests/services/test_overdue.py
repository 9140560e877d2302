"""One definition of overdue: the caseload's filter, its "Overdue" column and the dashboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from tests.dates import today
from veru_desk.domain.enums import GoalDomain, RiskLevel
from veru_desk.domain.reviews import overdue_text
from veru_desk.services import Services
from veru_desk.services.caseload import CaseloadFilter
from veru_desk.services.plans import ActionInput, GoalInput
from veru_desk.services.risk import RiskInput


def test_overdue_text_names_each_part_in_words() -> None:
    day = dt.date(2026, 12, 5)
    assert overdue_text(day, dt.date(2026, 11, 23)) == "Risk review 12 days overdue"
    assert overdue_text(day, day) == ""  # due today is due, not overdue
    assert overdue_text(day, None, dt.date(2026, 12, 3)) == "Plan review due 03/12/2026"
    assert (
        overdue_text(day, dt.date(2026, 12, 4), None, 2)
        == "Risk review 1 day overdue; 2 plan actions overdue"
    )


def test_overdue_filter_lists_a_future_risk_review_only_with_what_is_overdue_in_words(
    as_manager: Services,
    as_dariusz: Services,
    case_factory: Callable[..., int],
) -> None:
    dariusz = as_dariusz.actor.user_id
    late_risk = case_factory("Zoë", "Çelik", age=16, worker_id=dariusz)
    late_plan = case_factory("Oluwaseun", "Adeyemi", age=15, worker_id=dariusz)
    on_time = case_factory("Aoife", "Ní Bhriain", age=14, worker_id=dariusz)
    as_dariusz.risk.record(
        late_risk, RiskInput(assessed_on=today() - dt.timedelta(days=40), level=RiskLevel.HIGH)
    )
    for person in (late_plan, on_time):
        as_dariusz.risk.record(person, RiskInput(assessed_on=today(), level=RiskLevel.LOW))
    plan = as_dariusz.plans.start_plan(
        late_plan,
        started_on=today() - dt.timedelta(days=90),
        review_on=today() - dt.timedelta(days=2),
    )
    goal = as_dariusz.plans.add_goal(plan, GoalInput(GoalDomain.EET, "Back into college"))
    as_dariusz.plans.add_action(
        goal, ActionInput("Call the college", due_on=today() - dt.timedelta(days=5))
    )
    as_dariusz.plans.start_plan(
        on_time, started_on=today() - dt.timedelta(days=7), review_on=today()
    )

    ids = as_manager.caseload.ids(CaseloadFilter(overdue_only=True))
    assert set(ids) == {late_risk, late_plan}
    rows = {r.person_id: r for r in as_manager.caseload.rows([*ids, on_time])}
    assert rows[late_risk].overdue == "Risk review 12 days overdue"
    due = (today() - dt.timedelta(days=2)).strftime("%d/%m/%Y")
    assert rows[late_plan].overdue == f"Plan review due {due}; 1 plan action overdue"
    assert rows[late_plan].next_review_on is not None
    assert rows[late_plan].next_review_on > today()  # why it is listed is in the column
    assert rows[on_time].overdue == ""

    board = as_dariusz.dashboard.load()
    assert [i.person_id for i in board.reviews_overdue] == [late_risk]
    assert [i.person_id for i in board.actions_overdue] == [late_plan]
