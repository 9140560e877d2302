"""The manager's workload page, following SCENARIOS.md 10 ("Leave cover"): Grace starts two
weeks' leave; Priya opens the workload screen, moves Grace's high-risk cases to Ciarán and
Tomasz with the reason "leave cover to 21/03", and each case's chronology, the audit trail and
Ciarán's own open caseload say so at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from test_list_pages_accessible import unnamed
from ui_drivers import DialogDriver, open_case_for, shown

from tests.dates import today
from veru_desk.db.engine import Database
from veru_desk.db.models import AuditEvent
from veru_desk.domain.enums import AuditAction, RiskLevel, Role
from veru_desk.services import Services
from veru_desk.services.actor import Actor
from veru_desk.services.caseload_view import CaseloadFilter
from veru_desk.services.mentoring import SessionInput
from veru_desk.services.risk import RiskInput
from veru_desk.services.users import actor_for, add_user
from veru_desk.ui.dialogs.reallocate import ReallocateDialog
from veru_desk.ui.pages.caseload import CaseloadPage
from veru_desk.ui.pages.workload import WorkloadPage

REASON = "leave cover to 21/03"


@pytest.fixture
def unit(db: Database, as_manager: Services) -> dict[str, Any]:
    """Grace (three high-risk cases, one low, a session this week) and Tomasz join the team
    of Priya, Dariusz, Aisha and Ciarán."""
    with db.write() as session:
        grace = actor_for(add_user(session, "grace", "Grace Adeyemi", {Role.CASEWORKER}, None))
        tomasz = actor_for(add_user(session, "tomasz", "Tomasz Nowak", {Role.CASEWORKER}, None))
    assert grace.user_id is not None
    as_grace = Services(db, grace)
    people: dict[str, int] = {}
    for first, last, level in (
        ("Kai", "Henderson", RiskLevel.HIGH),
        ("Zoë", "Çelik", RiskLevel.HIGH),
        ("Oluwaseun", "Adeyemi", RiskLevel.HIGH),
        ("Aoife", "Ní Bhriain", RiskLevel.LOW),
    ):
        person = open_case_for(as_manager, grace.user_id, first_name=first, last_name=last)
        as_grace.risk.record(person, RiskInput(assessed_on=today(), level=level))
        people[first] = person
    as_grace.sessions.book(
        people["Kai"],
        SessionInput(
            planned_start=dt.datetime.combine(today(), dt.time(16, 0)),
            mentor_id=grace.user_id,
        ),
    )
    return {"grace": grace, "tomasz": tomasz, "people": people}


def rows(table_model: Any) -> list[list[str]]:
    return [
        [table_model.index(row, column).data() for column in range(table_model.columnCount())]
        for row in range(table_model.rowCount())
    ]


def worker_row(page: WorkloadPage, name: str) -> list[str]:
    return next(row for row in rows(page.worker_model) if row[0] == name)


def choose_worker(qtbot: QtBot, page: WorkloadPage, name: str) -> None:
    names = [row[0] for row in rows(page.worker_model)]
    page.worker_table.selectRow(names.index(name))
    qtbot.waitUntil(lambda: page.cases_heading.text().startswith(f"{name}'s open cases"))


def choose_cases(page: WorkloadPage, *names: str) -> None:
    selection = page.case_table.selectionModel()
    selection.clearSelection()
    flags = selection.SelectionFlag.Select | selection.SelectionFlag.Rows
    for number, row in enumerate(rows(page.case_model)):
        if row[1] in names:
            selection.select(page.case_model.index(number, 0), flags)


def reallocate_to(worker: str, reason: str) -> Any:
    def step(dialog: ReallocateDialog) -> None:
        index = next(
            i for i in range(dialog.worker.count()) if dialog.worker.itemText(i).startswith(worker)
        )
        dialog.worker.setCurrentIndex(index)
        dialog.reason.setText(reason)
        dialog.save_button.click()

    return step


def test_leave_cover_moves_graces_high_risk_cases_to_ciaran_and_tomasz(
    qtbot: QtBot,
    db: Database,
    as_manager: Services,
    team: Any,
    unit: dict[str, Any],
    dialogs: DialogDriver,
) -> None:
    people = unit["people"]
    ciaran: Actor = team.ciaran
    as_ciaran = Services(db, ciaran)
    ciarans_caseload = shown(qtbot, CaseloadPage(as_ciaran))
    ciarans_caseload.refresh()
    assert ciarans_caseload.model.rowCount() == 0

    page = shown(qtbot, WorkloadPage(as_manager))
    page.resize(1280, 720)
    with qtbot.waitSignal(page.loaded):
        page.refresh()
    assert worker_row(page, "Grace Adeyemi") == [
        "Grace Adeyemi",
        "4",
        "3 high, 1 low",
        "1",
        "0",
        "0",  # tasks overdue
    ]
    assert worker_row(page, "Ciarán Ó Briain")[1:3] == ["0", "no open cases"]

    choose_worker(qtbot, page, "Grace Adeyemi")
    assert [row[1:3] for row in rows(page.case_model)] == [
        ["Oluwaseun Adeyemi", "High"],  # highest risk first, then by family name
        ["Zoë Çelik", "High"],
        ["Kai Henderson", "High"],
        ["Aoife Ní Bhriain", "Low"],
    ]
    assert not page.reallocate_button.isEnabled()  # nothing chosen yet

    choose_cases(page, "Kai Henderson", "Zoë Çelik")
    assert page.selection_line.text() == "2 of 4 chosen"
    assert page.reallocate_button.isEnabled()
    dialogs.then(reallocate_to("Ciarán Ó Briain", REASON))
    page.reallocate_button.click()

    assert page.confirmation.isVisible()
    assert page.confirmation.text() == (
        "Moved 2 cases to Ciarán Ó Briain (leave cover to 21/03); 1 planned session goes with them."
    )
    assert worker_row(page, "Grace Adeyemi")[1:4] == ["2", "1 high, 1 low", "0"]
    assert worker_row(page, "Ciarán Ó Briain")[1:4] == ["2", "2 high", "1"]
    # Grace is still the chosen worker: her remaining cases are listed for the next move.
    assert [row[1] for row in rows(page.case_model)] == ["Oluwaseun Adeyemi", "Aoife Ní Bhriain"]

    choose_cases(page, "Oluwaseun Adeyemi")
    dialogs.then(reallocate_to("Tomasz Nowak", REASON))
    page.reallocate_button.click()
    assert page.confirmation.text() == "Moved 1 case to Tomasz Nowak (leave cover to 21/03)."
    assert worker_row(page, "Tomasz Nowak")[1:3] == ["1", "1 high"]

    # Ciarán's open caseload heard of it and shows his new cases, with nothing to click.
    qtbot.waitUntil(lambda: ciarans_caseload.model.rowCount() == 2)
    assert sorted(as_ciaran.caseload.ids(CaseloadFilter(worker_id=ciaran.user_id))) == sorted(
        [people["Kai"], people["Zoë"]]
    )
    # Each chronology says who has the case now, why, and who had it before.
    for first, worker in (("Kai", "Ciarán Ó Briain"), ("Oluwaseun", "Tomasz Nowak")):
        entry = as_manager.chronology.for_person(people[first])[0]
        assert entry.title == f"Re-allocated to {worker}"
        assert entry.detail == f"{REASON} (previously with Grace Adeyemi)"
    with db.read() as session:
        summaries = session.scalars(
            select(AuditEvent.summary).where(
                AuditEvent.action == AuditAction.UPDATE,
                AuditEvent.username == "priya",
                AuditEvent.summary.like("Re-allocated%"),
            )
        ).all()
    assert len(summaries) == 3 and all(REASON in s for s in summaries if s)


def test_the_reason_is_required_and_nothing_moves_without_it(
    qtbot: QtBot, as_manager: Services, unit: dict[str, Any], dialogs: DialogDriver
) -> None:
    page = shown(qtbot, WorkloadPage(as_manager))
    with qtbot.waitSignal(page.loaded):
        page.refresh()
    choose_worker(qtbot, page, "Grace Adeyemi")
    choose_cases(page, "Kai Henderson")
    seen: dict[str, str] = {}

    def without_reason(dialog: ReallocateDialog) -> None:
        dialog.save_button.click()
        seen["worker"] = dialog.errors.message("worker")
        seen["reason"] = dialog.errors.message("reason")
        assert dialog.isVisible(), "a refused reallocation keeps the dialog open"
        assert "Kai Henderson" in dialog.chosen.text()

    dialogs.then(without_reason)
    page.reallocate_button.click()
    assert seen == {
        "worker": "Choose the caseworker the cases go to.",
        "reason": "Give a reason for the reallocation, for example leave cover.",
    }
    assert not page.confirmation.isVisible()
    assert worker_row(page, "Grace Adeyemi")[1] == "4"
    grace = unit["grace"].user_id
    assert len(as_manager.caseload.ids(CaseloadFilter(worker_id=grace))) == 4


def test_the_dialog_offers_only_other_active_caseworkers_with_their_load(
    qtbot: QtBot, as_manager: Services, unit: dict[str, Any], dialogs: DialogDriver
) -> None:
    page = shown(qtbot, WorkloadPage(as_manager))
    with qtbot.waitSignal(page.loaded):
        page.refresh()
    choose_worker(qtbot, page, "Grace Adeyemi")
    assert unnamed(page) == []  # both tables are named for a screen reader
    page.select_all_button.click()
    assert page.selection_line.text() == "4 of 4 chosen"
    offered: list[str] = []

    def look(dialog: ReallocateDialog) -> None:
        offered.extend(dialog.worker.itemText(i) for i in range(dialog.worker.count()))
        assert unnamed(dialog) == []
        dialog.reject()

    dialogs.then(look)
    page.reallocate_button.click()
    assert offered == [
        "Aisha Mohamed: no open cases",
        "Ciarán Ó Briain: no open cases",
        "Dariusz Wójcik: no open cases",
        "Tomasz Nowak: no open cases",
    ]


def test_a_team_with_no_caseworkers_is_told_what_to_do(qtbot: QtBot, db: Database) -> None:
    with db.write() as session:
        manager = actor_for(add_user(session, "priya", "Priya Raghunathan", {Role.MANAGER}, None))
    page = shown(qtbot, WorkloadPage(Services(db, manager)))
    with qtbot.waitSignal(page.loaded):
        page.refresh()
    assert page.no_workers.isVisible() and not page.worker_table.isVisible()
    assert "No caseworkers yet" in page.no_workers.accessibleName()
    assert not page.reallocate_button.isEnabled()


def test_double_clicking_a_case_opens_it(
    qtbot: QtBot, as_manager: Services, unit: dict[str, Any]
) -> None:
    page = shown(qtbot, WorkloadPage(as_manager))
    with qtbot.waitSignal(page.loaded):
        page.refresh()
    choose_worker(qtbot, page, "Grace Adeyemi")
    names = [row[1] for row in rows(page.case_model)]
    index = page.case_model.index(names.index("Zoë Çelik"), 1)
    with qtbot.waitSignal(page.open_case) as opened:
        page.case_table.doubleClicked.emit(index)
    assert opened.args == [unit["people"]["Zoë"]]


def test_the_manager_finds_workload_in_the_sidebar_and_opens_a_case_from_it(
    qtbot: QtBot, manager_window: Any, unit: dict[str, Any]
) -> None:
    page = manager_window.show_page("workload")
    assert isinstance(page, WorkloadPage)
    qtbot.waitUntil(lambda: page.worker_model.rowCount() > 0)
    assert worker_row(page, "Grace Adeyemi")[1:3] == ["4", "3 high, 1 low"]
    choose_worker(qtbot, page, "Grace Adeyemi")
    names = [row[1] for row in rows(page.case_model)]
    page.case_table.doubleClicked.emit(page.case_model.index(names.index("Kai Henderson"), 0))
    assert manager_window.open_case_ids() == [unit["people"]["Kai"]]
