"""What the list pages say when they have nothing to show: what to do next, not a bare 0."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from shell_helpers import refer
from ui_drivers import shown

from veru_desk.services import Services
from veru_desk.ui.pages.caseload import CaseloadPage
from veru_desk.ui.pages.people import PeoplePage
from veru_desk.ui.pages.triage import TriagePage


def test_an_empty_queue_says_where_referrals_come_from(qtbot: QtBot, as_manager: Services) -> None:
    page = shown(qtbot, TriagePage(as_manager))
    page.refresh()
    assert page.model.rowCount() == 0
    assert "The queue is empty: new referrals appear here" in page.queue_label.text()


def test_a_filter_matching_no_case_says_to_change_it(qtbot: QtBot, as_manager: Services) -> None:
    refer(as_manager, "Łukasz", "Wiśniewski", years=14)
    page = shown(qtbot, CaseloadPage(as_manager))
    page.refresh()
    assert page.total_label.text().startswith("No open cases. Choose “All cases”")
    page.status_filter.setCurrentIndex(page.status_filter.findData("all"))
    assert page.total_label.text() == "1 case"
    page.overdue.setChecked(True)
    assert page.model.rowCount() == 0
    assert page.total_label.text() == (
        "No case matches these filters: change or clear them to see more."
    )
    assert not page.open_button.isEnabled()


def test_a_search_finding_nobody_says_what_to_try(qtbot: QtBot, as_manager: Services) -> None:
    page = shown(qtbot, PeoplePage(as_manager))
    page.query.setText("Zoë Çelik")
    page.search_now()
    assert page.model.rowCount() == 0
    text = page.result_label.text()
    assert text.startswith("No young person matches “Zoë Çelik”.")
    assert "record a new referral" in text
