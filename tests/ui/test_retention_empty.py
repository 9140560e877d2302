"""The retention page says when nothing is due for review, and shows the list when a case is."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from ui_drivers import shown

from tests.services.test_retention import closed_case
from veru_desk.services import Services
from veru_desk.ui.pages.retention import RetentionPage


def test_nothing_due_says_so_and_a_due_case_shows_the_list(
    qtbot: QtBot, as_manager: Services, as_dariusz: Services, db_path: Path
) -> None:
    page = shown(qtbot, RetentionPage(as_manager))
    page.refresh()
    assert page.model.rowCount() == 0
    assert page.empty.isVisible() and not page.table.isVisible()
    assert "nothing needs doing now" in page.empty.accessibleName()

    closed_case(as_manager, as_dariusz.actor.user_id)  # type: ignore[arg-type]
    page.refresh()
    assert page.model.rowCount() == 1
    assert page.table.isVisible() and not page.empty.isVisible()

    page.years.setValue(10)
    qtbot.mouseClick(page.save_policy_button, Qt.MouseButton.LeftButton)
    assert as_manager.retention.policy().years_after_closure == 10
    assert page.empty.isVisible()
    for widget in (page.years, page.until_age, page.table):
        assert widget.accessibleName()
