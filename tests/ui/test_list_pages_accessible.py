"""Every table and input on the list pages has a name a screen reader reads out, and risk
levels are words, not colour alone."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QRadioButton,
    QWidget,
)
from pytestqt.qtbot import QtBot
from shell_helpers import refer
from ui_drivers import shown

from veru_desk.db.engine import Database
from veru_desk.services import Services
from veru_desk.ui.pages.admin import AdminPage
from veru_desk.ui.pages.caseload import CaseloadPage
from veru_desk.ui.pages.caseload_model import COLUMNS
from veru_desk.ui.pages.dashboard import DashboardPage
from veru_desk.ui.pages.people import PeoplePage
from veru_desk.ui.pages.retention import RetentionPage
from veru_desk.ui.pages.triage import TriagePage

_INPUTS = (QAbstractItemView, QAbstractSpinBox, QComboBox, QLineEdit)


def unnamed(page: QWidget) -> list[str]:
    """Tables and inputs with no accessible name (a check box or radio button is named by
    its own text); the line edits inside spin and combo boxes are theirs, not separate."""
    missing = []
    for widget in page.findChildren(QWidget):
        if isinstance(widget, (QCheckBox, QRadioButton)):
            if not (widget.text() or widget.accessibleName()):
                missing.append(repr(widget))
            continue
        if not isinstance(widget, _INPUTS):
            continue
        if isinstance(widget, QLineEdit) and isinstance(
            widget.parent(), (QAbstractSpinBox, QComboBox)
        ):
            continue
        if isinstance(widget, QHeaderView) or (
            isinstance(widget, QAbstractItemView) and isinstance(widget.parent(), QComboBox)
        ):
            continue
        if widget.objectName() == "qt_calendar_calendarview" or not widget.isVisibleTo(page):
            continue
        if not widget.accessibleName().strip():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


def test_every_table_and_input_on_the_list_pages_is_named(
    qtbot: QtBot, as_manager: Services, db: Database, team: Any
) -> None:
    refer(as_manager, "Łukasz", "Wiśniewski", years=14)
    pages: list[QWidget] = [
        TriagePage(as_manager),
        CaseloadPage(as_manager),
        DashboardPage(as_manager),
        PeoplePage(as_manager),
        RetentionPage(as_manager),
        AdminPage(Services(db, team.admin)),
    ]
    for page in pages:
        shown(qtbot, page)
        refresh = getattr(page, "refresh", None)
        if refresh is not None:
            refresh()
        assert unnamed(page) == [], type(page).__name__


def test_risk_is_a_word_in_the_caseload(qtbot: QtBot, as_manager: Services) -> None:
    from veru_desk.services.caseload_view import CaseloadSort

    refer(as_manager, "Zoë", "Çelik", years=15)
    page = shown(qtbot, CaseloadPage(as_manager))
    page.status_filter.setCurrentIndex(page.status_filter.findData("all"))
    risk = page.model.index(0, COLUMNS.index(CaseloadSort.RISK)).data()
    assert risk == "Not assessed"
