"""Every page has the same frame: a title at the top, the standard margins around it. A page
found by reading ui/pages/ that lacks it (a new one, or one built by hand) fails here."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from PySide6.QtWidgets import QLabel, QLayout, QWidget
from pytestqt.qtbot import QtBot

import veru_desk.ui.pages as pages
from veru_desk.services import Services
from veru_desk.ui.widgets.page import PAGE_MARGINS


def page_classes() -> list[type[QWidget]]:
    found = []
    for module in pkgutil.iter_modules(pages.__path__):
        loaded = importlib.import_module(f"{pages.__name__}.{module.name}")
        for _name, cls in inspect.getmembers(loaded, inspect.isclass):
            if cls.__module__ == loaded.__name__ and cls.__name__.endswith("Page"):
                found.append(cls)
    return sorted(found, key=lambda cls: cls.__name__)


def test_the_pages_are_found() -> None:
    names = {cls.__name__ for cls in page_classes()}
    assert {"CaseloadPage", "ReportsPage", "SessionsCalendarPage", "AuditPage"} <= names


def _layout_holding(root: QWidget, label: QLabel) -> QLayout | None:
    for widget in [root, *root.findChildren(QWidget)]:
        layout = widget.layout()
        if layout is None:
            continue
        for item in [layout, *layout.findChildren(QLayout)]:
            if item.indexOf(label) >= 0:
                # the page's own column: the outermost layout of the widget holding the title
                return layout
    return None


@pytest.mark.parametrize("page_class", page_classes(), ids=lambda cls: cls.__name__)
def test_each_page_has_its_title_at_the_standard_margins(
    qtbot: QtBot, as_manager: Services, page_class: type[QWidget]
) -> None:
    page = page_class(as_manager)  # type: ignore[call-arg]  # every page takes its services
    qtbot.addWidget(page)
    titles = [label for label in page.findChildren(QLabel) if label.objectName() == "pageTitle"]
    assert titles, f"{page_class.__name__} has no page title"
    column = _layout_holding(page, titles[0])
    assert column is not None
    margins = column.contentsMargins()
    left, top, right, _bottom = PAGE_MARGINS
    assert (margins.left(), margins.top(), margins.right()) == (left, top, right)
