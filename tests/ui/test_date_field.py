"""The date field: typed day first, the today/yesterday shortcuts, and the calendar pop-up."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QCalendarWidget, QTableView
from pytestqt.qtbot import QtBot
from ui_drivers import shown

from tests.dates import today
from veru_desk.domain.errors import ValidationError
from veru_desk.ui.widgets.forms import DateField


@pytest.fixture
def field(qtbot: QtBot) -> DateField:
    return shown(qtbot, DateField(accessible_name="Date received"))


def calendar_view(popup: QCalendarWidget) -> QTableView:
    return popup.findChild(QTableView)  # type: ignore[return-value]


def test_a_date_typed_day_first_is_read_day_first(qtbot: QtBot, field: DateField) -> None:
    qtbot.keyClicks(field, "05/03/2026")

    assert field.date_or_none("received_on") == dt.date(2026, 3, 5)


@pytest.mark.parametrize(
    ("typed", "days_back"), [("t", 0), ("today", 0), ("y", 1), ("Yesterday", 1)]
)
def test_today_and_yesterday_are_completed_when_typing_ends(
    qtbot: QtBot, field: DateField, typed: str, days_back: int
) -> None:
    edits: list[str] = []
    field.textEdited.connect(edits.append)
    qtbot.keyClicks(field, typed)
    qtbot.keyClick(field, Qt.Key.Key_Return)

    expected = today() - dt.timedelta(days=days_back)
    assert field.text() == expected.strftime("%d/%m/%Y")
    assert field.date_or_none("received_on") == expected
    assert edits[-1] == expected.strftime("%d/%m/%Y")  # forms that watch typing hear of it


def test_a_shortcut_is_read_as_its_date_even_before_typing_ends(field: DateField) -> None:
    field.setText("t")

    assert field.date_or_none("received_on") == today()


def test_nonsense_is_refused_naming_the_field(qtbot: QtBot, field: DateField) -> None:
    qtbot.keyClicks(field, "31/02/2026")

    with pytest.raises(ValidationError) as refused:
        field.date_or_none("received_on")
    assert "received_on" in refused.value.fields
    assert field.text() == "31/02/2026"  # what was typed stays for correcting


def test_the_calendar_button_opens_on_the_typed_date_under_the_field(
    qtbot: QtBot, field: DateField
) -> None:
    field.setText("05/03/2026")
    field.calendar_action.trigger()

    popup = field.calendar_popup()
    assert popup is not None and popup.isVisible()
    assert popup.selectedDate() == QDate(2026, 3, 5)
    under = field.mapToGlobal(field.rect().bottomLeft())
    assert popup.geometry().top() >= under.y()
    assert field.calendar_action.toolTip() == "Choose from a calendar (Alt+Down)"


def test_clicking_a_day_fills_the_field(qtbot: QtBot, field: DateField) -> None:
    field.setText("05/03/2026")
    popup = field.open_calendar()
    view = calendar_view(popup)
    popup.setSelectedDate(QDate(2026, 3, 19))
    cell = view.visualRect(view.currentIndex()).center()

    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell)

    assert field.text() == "19/03/2026"
    assert field.date_or_none("received_on") == dt.date(2026, 3, 19)
    assert field.calendar_popup() is None


def test_alt_down_opens_the_calendar_arrows_choose_and_enter_fills(
    qtbot: QtBot, field: DateField
) -> None:
    field.setText("05/03/2026")
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    popup = field.calendar_popup()
    assert popup is not None
    view = calendar_view(popup)

    qtbot.keyClick(view, Qt.Key.Key_Right)  # the next day
    qtbot.keyClick(view, Qt.Key.Key_Down)  # a week later
    qtbot.keyClick(view, Qt.Key.Key_Return)

    assert field.text() == "13/03/2026"
    assert field.calendar_popup() is None


def test_escape_closes_the_calendar_and_keeps_the_typed_date(
    qtbot: QtBot, field: DateField
) -> None:
    field.setText("05/03/2026")
    popup = field.open_calendar()
    qtbot.keyClick(calendar_view(popup), Qt.Key.Key_Right)

    qtbot.keyClick(calendar_view(popup), Qt.Key.Key_Escape)

    assert field.calendar_popup() is None
    assert field.text() == "05/03/2026"


def test_a_date_of_birth_calendar_offers_no_future_day(qtbot: QtBot) -> None:
    born = shown(qtbot, DateField(accessible_name="Date of birth", latest=today()))

    popup = born.open_calendar()

    assert popup.maximumDate() == QDate(today())
    assert born.accessibleName() == "Date of birth"


def test_the_field_keeps_room_for_a_whole_date_beside_its_button(field: DateField) -> None:
    text_width = field.fontMetrics().horizontalAdvance("00/00/0000")

    assert field.minimumSizeHint().width() > text_width + field.fontMetrics().height()


def test_a_read_only_date_offers_no_calendar(qtbot: QtBot, field: DateField) -> None:
    field.set_date(dt.date(2026, 3, 5))
    field.setReadOnly(True)

    qtbot.keyClick(field, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)

    assert field.calendar_popup() is None
    assert not field.calendar_action.isEnabled()
    assert field.text() == "05/03/2026"
