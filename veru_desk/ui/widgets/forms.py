"""Form building blocks shared by every dialog: UK date fields and per-field error labels.

A form keeps what was typed on a validation error; messages from a service's
``ValidationError`` are shown beside the field they name.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from PySide6.QtCore import QDate, QEvent, QObject, QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QIcon,
    QKeyEvent,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QTextCharFormat,
)
from PySide6.QtWidgets import (
    QBoxLayout,
    QCalendarWidget,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
)

from veru_desk.domain.dates import MAX_YEAR, MIN_YEAR, age_on, format_uk_date, parse_uk_date
from veru_desk.domain.enums import LabelledEnum
from veru_desk.domain.errors import ValidationError

E = TypeVar("E", bound=LabelledEnum)


#: words that stand for a day relative to today, completed when typing ends
DAY_SHORTCUTS: dict[str, int] = {"t": 0, "today": 0, "y": -1, "yesterday": -1}


def shortcut_date(text: str, today: dt.date | None = None) -> dt.date | None:
    """The day a shortcut stands for ("t" or "today", "y" or "yesterday"), else None."""
    offset = DAY_SHORTCUTS.get(text.strip().lower())
    if offset is None:
        return None
    return (today or dt.date.today()) + dt.timedelta(days=offset)


def _calendar_icon(colour: QColor) -> QIcon:
    """A small calendar page drawn in the text colour, so it follows the theme and any scale."""
    icon = QIcon()
    for size in (16, 24, 32, 48):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        unit = size / 16
        pen = QPen(colour, max(1.0, 1.2 * unit))
        painter.setPen(pen)
        body = QRectF(2 * unit, 3.5 * unit, 12 * unit, 10.5 * unit)
        painter.drawRoundedRect(body, 1.5 * unit, 1.5 * unit)
        painter.fillRect(QRectF(2 * unit, 3.5 * unit, 12 * unit, 3 * unit), colour)
        for x in (5, 11):
            painter.drawLine(QPointF(x * unit, 2 * unit), QPointF(x * unit, 5 * unit))
        for row in range(2):
            for column in range(3):
                cell = QRectF((4 + column * 3) * unit, (8 + row * 3) * unit, 2 * unit, 2 * unit)
                painter.fillRect(cell, colour)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


class DateField(QLineEdit):
    """A date typed as dd/mm/yyyy (or any form domain.dates accepts), day first, always; or
    picked from a calendar that drops down from the button at its end (or Alt+Down).

    "t" or "today" and "y" or "yesterday" become the date when typing ends (Enter or leaving
    the field). ``earliest`` and ``latest`` bound the calendar (no date of birth in the
    future); what is typed is still checked by the service, which says what is wrong.
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        accessible_name: str = "Date",
        earliest: dt.date | None = None,
        latest: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setPlaceholderText("dd/mm/yyyy")
        self.setAccessibleName(accessible_name)
        self.setAccessibleDescription(
            "Type a date as dd/mm/yyyy, t for today or y for yesterday; Alt+Down opens a calendar"
        )
        self.setMaxLength(30)
        self.earliest = earliest
        self.latest = latest
        self._popup: QCalendarWidget | None = None
        self.calendar_action = self.addAction(
            _calendar_icon(self.palette().color(QPalette.ColorRole.Text)),
            QLineEdit.ActionPosition.TrailingPosition,
        )
        self.calendar_action.setText("Choose from a calendar")
        self.calendar_action.setToolTip("Choose from a calendar (Alt+Down)")
        self.calendar_action.triggered.connect(self.open_calendar)
        self.editingFinished.connect(self.complete_shortcut)

    def minimumSizeHint(self) -> QSize:
        """Room for dd/mm/yyyy and the calendar button, whatever the font size."""
        hint = super().minimumSizeHint()
        metrics = self.fontMetrics()
        wanted = metrics.horizontalAdvance("00/00/00000") + metrics.height() * 2 + 8
        return QSize(max(hint.width(), wanted), hint.height())

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(max(hint.width(), self.minimumSizeHint().width()), hint.height())

    def set_date(self, value: dt.date | None) -> None:
        self.setText(format_uk_date(value))

    def date_or_none(self, field: str) -> dt.date | None:
        """The typed date, None when empty; raises ValidationError naming ``field``."""
        text = self.text().strip()
        if not text:
            return None
        return shortcut_date(text) or parse_uk_date(text, field)

    def age_text(self, on: dt.date | None = None) -> str:
        try:
            value = self.date_or_none("date")
        except ValidationError:
            return ""
        if value is None or value > (on or dt.date.today()):
            return ""
        return f"Age {age_on(value, on or dt.date.today())}"

    def complete_shortcut(self) -> None:
        """Replaces "t", "today", "y" or "yesterday" with the date it stands for."""
        value = shortcut_date(self.text())
        if value is not None:
            self._fill(value)

    def _fill(self, value: dt.date) -> None:
        """Shows ``value`` as if typed: listeners of ``textEdited`` hear of it too."""
        text = format_uk_date(value)
        if text == self.text():
            return
        self.setText(text)
        self.textEdited.emit(text)

    # --- the calendar -----------------------------------------------------------------------

    def calendar_popup(self) -> QCalendarWidget | None:
        """The open calendar, None when closed."""
        popup = self._popup
        return popup if popup is not None and popup.isVisible() else None

    def open_calendar(self) -> QCalendarWidget:
        """Drops the calendar down under the field, on the typed date (else today)."""
        popup = self._popup
        if popup is None:
            popup = QCalendarWidget(self)
            popup.setWindowFlags(Qt.WindowType.Popup)
            popup.setObjectName("datePopup")
            popup.setAccessibleName(f"Calendar: {self.accessibleName()}")
            popup.setGridVisible(False)
            popup.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
            popup.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
            weekend = QTextCharFormat()
            weekend.setForeground(self.palette().color(QPalette.ColorRole.Text))
            for day in (Qt.DayOfWeek.Saturday, Qt.DayOfWeek.Sunday):
                popup.setWeekdayTextFormat(day, weekend)  # Qt's red fails contrast on white
            popup.clicked.connect(self._picked)
            popup.activated.connect(self._picked)
            popup.installEventFilter(self)
            for child in popup.findChildren(QWidget):
                child.installEventFilter(self)
            self._popup = popup
        popup.setDateRange(
            QDate(self.earliest) if self.earliest else QDate(MIN_YEAR, 1, 1),
            QDate(self.latest) if self.latest else QDate(MAX_YEAR, 12, 31),
        )
        try:
            current = self.date_or_none("date") or dt.date.today()
        except ValidationError:
            current = dt.date.today()
        today = QTextCharFormat()
        today.setFontWeight(QFont.Weight.Bold)
        today.setFontUnderline(True)
        popup.setDateTextFormat(QDate(), QTextCharFormat())  # a day kept open past midnight
        popup.setDateTextFormat(QDate(dt.date.today()), today)
        popup.setSelectedDate(QDate(current))
        popup.ensurePolished()  # the stylesheet's fonts and padding count in its size
        for child in popup.findChildren(QWidget):
            child.ensurePolished()
        layout = popup.layout()
        if layout is not None:
            layout.activate()
        size = popup.sizeHint().expandedTo(popup.minimumSizeHint())
        size.setHeight(max(size.height(), self._calendar_height(popup)))
        below = self.mapToGlobal(QPoint(0, self.height()))
        screen = self.screen().availableGeometry()
        x = min(max(below.x(), screen.left()), screen.right() - size.width())
        y = below.y()
        if y + size.height() > screen.bottom():  # no room below: open above the field
            y = self.mapToGlobal(QPoint(0, 0)).y() - size.height()
        popup.setGeometry(QRect(QPoint(x, max(y, screen.top())), size))
        popup.show()
        popup.setFocus()
        return popup

    def _calendar_height(self, popup: QCalendarWidget) -> int:
        """Room for the month bar, the day names and six weeks of days, in the font shown."""
        line = popup.fontMetrics().height()
        bar = max((bar.sizeHint().height() for bar in popup.findChildren(QToolButton)), default=0)
        return bar + 7 * (line + line // 2) + 8

    def close_calendar(self) -> None:
        if self._popup is not None:
            self._popup.hide()
        self.setFocus()

    def _picked(self, day: QDate) -> None:
        self.close_calendar()
        self._fill(day.toPython())  # type: ignore[arg-type]  # a QDate gives a datetime.date
        self.editingFinished.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            self._popup is not None
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            self.close_calendar()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        alt_down = (
            event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier
        )
        f4 = event.key() == Qt.Key.Key_F4 and not event.modifiers()
        if (alt_down or f4) and not self.isReadOnly():
            self.open_calendar()
            return
        super().keyPressEvent(event)

    def setReadOnly(self, read_only: bool) -> None:
        """A read-only date offers no calendar either."""
        super().setReadOnly(read_only)
        self.calendar_action.setEnabled(not read_only)


def form_label(text: str) -> str:
    """A row label as the house writes it: no trailing colon (``First name *``, not
    ``First name:``), like the sign-in form."""
    stripped = text.rstrip()
    if stripped.endswith(":"):
        return stripped[:-1].rstrip()
    star = stripped.removesuffix("*").rstrip()
    if star != stripped and star.endswith(":"):
        return f"{star[:-1].rstrip()} *"
    return stripped


class FieldErrors:
    """Red messages under form rows, keyed by the field names services use."""

    def __init__(self) -> None:
        self._labels: dict[str, QLabel] = {}

    def add_row(
        self, form: QFormLayout, label: str, widget: QWidget, field: str, *, accessible: str = ""
    ) -> QLabel:
        label = form_label(label)
        widget.setAccessibleName(accessible or label.rstrip("*").strip())
        form.addRow(label, widget)
        error = QLabel()
        error.setObjectName("fieldError")  # its red comes from the stylesheet
        error.setWordWrap(True)
        error.setVisible(False)
        form.addRow("", error)
        self._labels[field] = error
        return error

    def labels(self) -> list[QLabel]:
        """The message lines, one per field (hidden while the field has no message)."""
        return list(self._labels.values())

    def clear(self) -> None:
        for label in self._labels.values():
            label.clear()
            label.setVisible(False)

    def show(self, error: ValidationError) -> list[str]:
        """Shows each message beside its field; returns messages with no field on this form."""
        self.clear()
        unplaced: list[str] = []
        for field, message in error.fields.items():
            label = self._labels.get(field)
            if label is None:
                unplaced.append(message)
                continue
            label.setText(message)
            label.setVisible(True)
        return unplaced

    def message(self, field: str) -> str:
        label = self._labels.get(field)
        return label.text() if label is not None and label.isVisible() else ""


def enum_combo(
    enum_type: type[E], accessible: str = "", *, blank: str | None = None, current: E | None = None
) -> QComboBox:
    """A drop-down of an enum's labels (codes kept as item data); ``blank`` adds a no-value
    first item."""
    combo = QComboBox()
    if accessible:
        combo.setAccessibleName(accessible)
    if blank is not None:
        combo.addItem(blank, None)
    for member in enum_type:
        combo.addItem(member.label, member.value)
    select_enum(combo, current)
    return combo


def select_enum(combo: QComboBox, value: LabelledEnum | None) -> None:
    index = combo.findData(value.value if value is not None else None)
    if index >= 0:
        combo.setCurrentIndex(index)


def chosen_enum(combo: QComboBox, enum_type: type[E]) -> E | None:
    value = combo.currentData()
    return None if value is None or combo.currentIndex() < 0 else enum_type(value)


def password_field(accessible: str = "") -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    if accessible:
        field.setAccessibleName(accessible)
    return field


class Credentials:
    """Username, password and the line that says what went wrong: the same on the sign-in
    dialog and the lock screen, so a person meets one way of signing in."""

    def __init__(self, username: str = "") -> None:
        self.username = QLineEdit(username)
        self.username.setAccessibleName("Username")
        self.password = password_field("Password")
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Sign-in problem")
        self.message.setVisible(False)

    def add_to(self, layout: QBoxLayout) -> None:
        form = QFormLayout()
        form.addRow("Username", self.username)
        form.addRow("Password", self.password)
        layout.addLayout(form)
        layout.addWidget(self.message)

    def show_problem(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(True)
