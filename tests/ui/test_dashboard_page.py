"""The dashboard shows every list the morning needs, and each item opens its case."""

from __future__ import annotations

import datetime as dt

import pytest
from pytestqt.qtbot import QtBot
from shell_helpers import refer, referral
from ui_drivers import shown

from veru_desk.domain.enums import ReferralStatus
from veru_desk.services import Services
from veru_desk.services.dashboard import LIST_CAP, Dashboard, DashboardItem
from veru_desk.ui.pages.dashboard import SECTIONS, DashboardPage, summary_line


def item(person_id: int, name: str, detail: str) -> DashboardItem:
    return DashboardItem(person_id, f"VERU-2025-{person_id:05d}", name, detail, dt.date.today())


def test_each_list_is_shown_with_its_count_and_an_item_opens_the_case(
    qtbot: QtBot, as_manager: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = Dashboard(
        new_referrals=[],
        reviews_overdue=[item(1, "Zoë Ó Súilleabháin", "Risk review overdue by 3 days")] * 3,
        reviews_due_this_week=[],
        plan_reviews_due=[],
        sessions_today=[item(2, "Nguyễn Văn An", "16:00 One-to-one")],
        sessions_this_week=[],
        disengagement_alerts=[item(3, "Abdirahman Warsame", "Missed the last 3 sessions")],
        actions_overdue=[],
    )
    monkeypatch.setattr(as_manager.dashboard, "load", lambda today=None: loaded)
    page = shown(qtbot, DashboardPage(as_manager))
    page.refresh()
    assert set(page.cards) == {s.field for s in SECTIONS}
    assert page.cards["reviews_overdue"].count.text() == "3"
    assert page.cards["disengagement_alerts"].count.property("urgent") is True
    assert page.cards["plan_reviews_due"].empty.isVisible()
    assert page.summary.text() == (
        "3 risk reviews overdue · 1 disengagement alert · 1 session today"
    )
    alerts = page.cards["disengagement_alerts"].list
    with qtbot.waitSignal(page.open_case) as opened:
        alerts.itemActivated.emit(alerts.item(0))
    assert opened.args == [3]


def test_a_new_referral_appears_when_case_data_changes_while_the_dashboard_is_open(
    qtbot: QtBot, as_manager: Services
) -> None:
    page = shown(qtbot, DashboardPage(as_manager))
    page.refresh()
    assert page.cards["new_referrals"].items() == []
    intake = refer(as_manager, "Ştefan", "Popescu")
    # no announce: the referral service published what it changed
    [entry] = page.cards["new_referrals"].items()
    assert (entry.person_id, entry.referral_id) == (intake.person_id, intake.referral_id)
    with qtbot.waitSignal(page.open_referral) as opened:
        page.cards["new_referrals"].list.itemActivated.emit(
            page.cards["new_referrals"].list.item(0)
        )
    assert opened.args == [intake.referral_id]


def test_a_caseworker_has_no_triage_list(qtbot: QtBot, as_dariusz: Services) -> None:
    page = shown(qtbot, DashboardPage(as_dariusz))
    page.refresh()
    assert "new_referrals" not in page.cards
    assert summary_line(as_dariusz.dashboard.load()) == "Nothing is overdue. A calm day."


def test_a_worker_sees_the_re_referral_of_their_open_case(
    qtbot: QtBot, as_manager: Services, as_dariusz: Services
) -> None:
    first = refer(as_manager, "Ngozi", "Okonkwo-Adeyemi")
    as_manager.referrals.decide(first.referral_id, ReferralStatus.ACCEPTED, "Threshold met")
    assert as_dariusz.actor.user_id is not None
    as_manager.referrals.allocate(first.referral_id, as_dariusz.actor.user_id)
    again = as_manager.referrals.create(
        referral(referring_agency="Challney High School"), person_id=first.person_id
    )
    page = shown(qtbot, DashboardPage(as_dariusz))
    page.refresh()
    card = page.cards["re_referrals"]
    [entry] = card.items()
    assert (entry.person_id, entry.referral_id) == (first.person_id, again.referral_id)
    assert "Challney High School: awaiting the manager's decision" in entry.detail
    assert card.count.text() == "1"
    assert "1 re-referral of an open case" in page.summary.text()
    with qtbot.waitSignal(page.open_case) as opened:
        card.list.itemActivated.emit(card.list.item(0))
    assert opened.args == [first.person_id]


def test_a_list_stopped_at_the_cap_shows_the_true_count_and_says_so(
    qtbot: QtBot, as_manager: Services
) -> None:
    received = (dt.date.today() - dt.timedelta(days=2)).strftime("%d/%m/%Y")
    rows = ["first_name,last_name,date_of_birth,referral_date,referring_agency,reasons"]
    names = ("Zoë Ó Briain", "Tomasz Łukasiewicz", "Siobhán Nic Giolla", "Kwame Mensah")
    for number in range(LIST_CAP + 34):
        first, last = names[number % len(names)].split(" ", 1)
        born = dt.date(2008, 6, 1) + dt.timedelta(days=number)
        rows.append(f"{first},{last},{born:%d/%m/%Y},{received},Luton Youth Service,knife")
    as_manager.imports.run("\n".join(rows).encode())

    page = shown(qtbot, DashboardPage(as_manager))
    page.refresh()
    card = page.cards["new_referrals"]
    assert card.list.count() == LIST_CAP
    assert card.count.text() == "234"
    assert card.more.isVisible()
    assert card.more.text() == "Showing 200 of 234."
    assert page.summary.text().startswith("234 new referrals")
    assert not page.cards["reviews_overdue"].more.isVisible()


def test_while_loading_no_card_shows_a_number_or_says_nothing_is_due(
    qtbot: QtBot, as_manager: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = Dashboard(
        new_referrals=[],
        reviews_overdue=[item(1, "Zoë Çelik", "Risk review overdue by 3 days")],
        reviews_due_this_week=[],
        plan_reviews_due=[],
        sessions_today=[],
        sessions_this_week=[],
        disengagement_alerts=[],
        actions_overdue=[],
    )
    monkeypatch.setattr(as_manager.dashboard, "load", lambda today=None: loaded)
    page = shown(qtbot, DashboardPage(as_manager))
    for card in page.cards.values():  # the state until the figures arrive
        assert card.count.text() == ""
        assert card.empty.text() == "Loading…" and card.empty.isVisible()
        assert not card.list.isVisible()
    assert page.summary.text() == "Loading what needs doing…"
    page.refresh()
    assert page.cards["reviews_overdue"].count.text() == "1"
    assert page.cards["plan_reviews_due"].count.text() == "0"
    assert page.cards["plan_reviews_due"].empty.text() == "No plan review due."


def test_a_failed_load_shows_no_number(
    qtbot: QtBot, as_manager: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from veru_desk.domain.errors import StorageError

    def fail(today: object = None) -> Dashboard:
        raise StorageError("The database is locked by another program.")

    monkeypatch.setattr(as_manager.dashboard, "load", fail)
    page = shown(qtbot, DashboardPage(as_manager))
    page.refresh()
    card = page.cards["reviews_overdue"]
    assert card.count.text() == "" and "Not loaded" in card.empty.text()
    assert "could not be loaded" in page.summary.text()


def test_a_single_click_selects_and_a_double_click_or_enter_opens_the_case(
    qtbot: QtBot, as_manager: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QStyle

    loaded = Dashboard(
        new_referrals=[],
        reviews_overdue=[],
        reviews_due_this_week=[],
        plan_reviews_due=[],
        sessions_today=[],
        sessions_this_week=[],
        disengagement_alerts=[item(7, "Oluwaseun Adeyemi", "Missed the last 3 sessions")],
        actions_overdue=[],
    )
    monkeypatch.setattr(as_manager.dashboard, "load", lambda today=None: loaded)
    page = shown(qtbot, DashboardPage(as_manager))
    page.refresh()
    alerts = page.cards["disengagement_alerts"].list
    single_click_opens = QApplication.style().styleHint(
        QStyle.StyleHint.SH_ItemView_ActivateItemOnSingleClick
    )
    opened: list[int] = []
    page.open_case.connect(opened.append)
    centre = alerts.visualItemRect(alerts.item(0)).center()
    qtbot.mouseClick(alerts.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert alerts.currentRow() == 0
    if not single_click_opens:
        assert opened == []
    qtbot.mouseDClick(alerts.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert opened and opened[-1] == 7
    opened.clear()
    alerts.setFocus()
    qtbot.keyClick(alerts, Qt.Key.Key_Return)
    assert opened == [7]
