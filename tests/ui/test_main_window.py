"""The main window driven end to end: refer, find, triage, allocate, see the dashboard move."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from shell_helpers import FakeWorkspace, born_years_ago, make_window, refer
from ui_drivers import type_into

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import ReferralReason, ReferralStatus
from veru_desk.services import Services
from veru_desk.ui.dialogs import referral_form
from veru_desk.ui.dialogs.referral_form import ReferralForm
from veru_desk.ui.pages.dashboard import DashboardPage
from veru_desk.ui.pages.triage import TriagePage
from veru_desk.ui.shell import main_window as main_window_module
from veru_desk.ui.shell.main_window import OPEN_CASE_TITLE_ROLE, MainWindow


def nav_labels(window: MainWindow) -> list[str]:
    return [window.navigation.item(i).text() for i in range(window.navigation.count())]


def test_status_bar_shows_the_database_and_the_signed_in_user(manager_window: MainWindow) -> None:
    assert manager_window.database_label.text() == "Database: test.db"
    assert manager_window.user_label.text() == "Signed in as Priya Raghunathan (Manager)"
    assert nav_labels(manager_window) == [
        "Dashboard",
        "Tasks",
        "Referrals",
        "Caseload",
        "People",
        "Sessions",
        "Groups",
        "Directory",
        "Panel meetings",
        "People and places",
        "Workload",
        "Data quality",
        "Reports",
        "Retention",
        "Administration",
        "Audit trail",
    ]


def test_navigation_follows_the_role(
    qtbot: QtBot, db: object, team: object, settings: QSettings
) -> None:
    caseworker = make_window(qtbot, Services(db, team.dariusz), settings)  # type: ignore[arg-type,attr-defined]
    assert nav_labels(caseworker) == [
        "Dashboard",
        "Tasks",
        "Referrals",
        "Caseload",
        "People",
        "Sessions",
        "Groups",
        "Directory",
        "Panel meetings",
        "People and places",
    ]
    admin = make_window(qtbot, Services(db, team.admin), settings)  # type: ignore[arg-type,attr-defined]
    assert nav_labels(admin) == ["Administration", "Audit trail"]
    assert not admin.new_referral_action.isEnabled() and not admin.search_box.isEnabled()


def test_ctrl_f_search_finds_an_accented_name_typed_plainly_and_opens_the_case_once(
    qtbot: QtBot, manager_window: MainWindow, as_manager: Services
) -> None:
    zoe = refer(as_manager, "Zoë", "Ó Súilleabháin", years=15)
    refer(as_manager, "Łukasz", "Wiśniewski", years=14)
    manager_window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is manager_window)
    qtbot.keyClick(manager_window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert manager_window.search_box.hasFocus()
    with qtbot.waitSignal(manager_window.search_box.searched):
        qtbot.keyClicks(manager_window.search_box, "zoe o suil")
    [hit] = manager_window.search_box.results()
    assert hit.person_id == zoe.person_id
    assert manager_window.search_box.result_texts()[0].startswith("Zoë Ó Súilleabháin")
    manager_window.search_box.choose_row(0)
    assert manager_window.open_case_ids() == [zoe.person_id]
    assert manager_window.stack.currentWidget() is manager_window.workspace(zoe.person_id)
    assert (
        manager_window.open_cases.item(0)
        .data(OPEN_CASE_TITLE_ROLE)
        .startswith("Zoë Ó Súilleabháin (VERU-")
    )
    manager_window.open_case(zoe.person_id)
    assert FakeWorkspace.built == [zoe.person_id]
    assert manager_window.open_cases.count() == 1


def test_several_cases_stay_open_and_each_can_be_closed(
    manager_window: MainWindow, as_manager: Services
) -> None:
    first = refer(as_manager, "Abdirahman", "Warsame").person_id
    second = refer(as_manager, "Ayşe", "Yılmaz").person_id
    manager_window.show_page("caseload")
    manager_window.open_case(first)
    manager_window.open_case(second)
    assert manager_window.open_case_ids() == [first, second]
    manager_window.close_case(second)
    assert manager_window.open_case_ids() == [first]
    assert manager_window.stack.currentWidget() is manager_window.page("caseload")


def test_closing_the_window_with_unsaved_changes_in_a_case_asks_first(
    manager_window: MainWindow, as_manager: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = [False, True]
    asked: list[str] = []

    def answer(_parent: object, _title: str, text: str, **_buttons: str) -> bool:
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(main_window_module, "confirm", answer)
    person_id = refer(as_manager, "Siobhán", "Nic Giolla Phádraig").person_id
    workspace = manager_window.open_case(person_id)
    assert isinstance(workspace, FakeWorkspace)
    workspace.unsaved = True
    manager_window.close()
    assert manager_window.isVisible()
    assert "Siobhán Nic Giolla Phádraig" in asked[0]
    manager_window.close()
    assert not manager_window.isVisible()


def test_geometry_and_the_last_screen_are_remembered(
    qtbot: QtBot, as_manager: Services, settings: QSettings, fake_workspace: object
) -> None:
    first = make_window(qtbot, as_manager, settings)
    first.resize(1000, 700)
    first.show_page("people")
    first.close()
    second = make_window(qtbot, as_manager, settings)
    assert second.current_page_key() == "people"
    assert second.stack.currentWidget() is second.page("people")
    # The offscreen test screen is 800 pixels wide, so only the height survives unclamped.
    assert second.height() == 700


def test_monday_triage_end_to_end_refer_find_triage_allocate_and_dashboard_updates(
    qtbot: QtBot,
    manager_window: MainWindow,
    as_manager: Services,
    team: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(referral_form, "confirm", lambda *_a, **_k: True)
    window = manager_window
    dashboard = window.page("dashboard")
    assert isinstance(dashboard, DashboardPage)
    assert window.stack.currentWidget() is dashboard
    assert dashboard.cards["new_referrals"].count.text() == "0"

    form = window.new_referral()
    assert isinstance(form, ReferralForm)
    type_into(qtbot, form.first_name, "Łukasz")
    type_into(qtbot, form.last_name, "Wiśniewski")
    qtbot.keyClicks(form.date_of_birth, format_uk_date(born_years_ago(14)))
    qtbot.keyClicks(form.referring_agency, "Bedfordshire Police")
    form.reasons[ReferralReason.KNIFE_CARRYING].setChecked(True)
    form.save()
    assert form.intake is not None
    person_id = form.intake.person_id
    assert window.statusBar().currentMessage() == f"Referral saved for {form.intake.case_ref}."

    assert dashboard.cards["new_referrals"].count.text() == "1"
    [item] = dashboard.cards["new_referrals"].items()
    assert item.name == "Łukasz Wiśniewski"

    with qtbot.waitSignal(window.search_box.searched):
        qtbot.keyClicks(window.search_box, "lukasz wisn")
    assert [h.person_id for h in window.search_box.results()] == [person_id]

    # a double-click or Enter opens it (the dashboard's lists behave as every other list)
    dashboard.cards["new_referrals"].list.itemActivated.emit(
        dashboard.cards["new_referrals"].list.item(0)
    )
    triage = window.stack.currentWidget()
    assert isinstance(triage, TriagePage)
    assert triage.current is not None and triage.current.person_id == person_id
    triage.decision_radios[ReferralStatus.ACCEPTED].setChecked(True)
    triage.reason.setText("Found with a knife near the park; meets criteria.")
    triage.choose_worker(team.dariusz.user_id)  # type: ignore[attr-defined]
    triage.record_decision()
    assert as_manager.referrals.for_person(person_id)[0].status is ReferralStatus.ALLOCATED

    window.show_page("dashboard")
    assert dashboard.cards["new_referrals"].count.text() == "0"
    assert "Nothing is overdue" in dashboard.summary.text()
