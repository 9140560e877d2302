"""A weekly series of sessions, with the dates shown before anything is booked.

The preview is the service's own rule (``services.sessions.series_rule``), so what the
caseworker sees is exactly what will be booked. Untick a date in the preview to skip it
(half-term, a bank holiday); the skipped dates are also listed in a field that can be typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from itertools import islice
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from veru_desk.domain.dates import format_uk_date, parse_uk_date, parse_uk_datetime
from veru_desk.domain.enums import SessionType
from veru_desk.domain.errors import ValidationError
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.mentoring import MAX_OCCURRENCES, SeriesInput, series_rule
from veru_desk.ui.dialogs.case_dialog import CaseDialog, chosen_enum, enum_combo, gather
from veru_desk.ui.dialogs.mentoring_session import duration_spin, mentor_combo
from veru_desk.ui.widgets.forms import DateField

_DAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_LONG = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def parse_skip_dates(text: str) -> tuple[dt.date, ...]:
    """``21/10/2026, 28/10/2026``: commas, semicolons or new lines between dates."""
    parts = [p.strip() for p in text.replace(";", ",").replace("\n", ",").split(",")]
    return tuple(sorted({parse_uk_date(p, "skip_dates") for p in parts if p}))


class SeriesDialog(CaseDialog):
    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(
            "Book a weekly series", person_id, Kind.SESSION, parent, save_text="Book series"
        )
        self.services = services
        self._days_touched = False
        self._filling_preview = False

        self.first_date = DateField(accessible_name="First session date")
        self.time_field = QLineEdit()
        self.time_field.setPlaceholderText("hh:mm, e.g. 16:00")

        self.by_count = QRadioButton("After")
        self.by_count.setChecked(True)
        self.count = QSpinBox()
        self.count.setRange(1, MAX_OCCURRENCES)
        self.count.setValue(12)
        self.count.setSuffix(" weeks")
        self.count.setAccessibleName("Number of weeks")
        self.by_until = QRadioButton("On")
        self.until = DateField(accessible_name="Last date of the series")
        self.until.setEnabled(False)
        group = QButtonGroup(self)
        group.addButton(self.by_count)
        group.addButton(self.by_until)
        ends = QWidget()
        ends_row = QHBoxLayout(ends)
        ends_row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.by_count, self.count, self.by_until, self.until):
            ends_row.addWidget(widget)
        ends_row.addStretch(1)
        self.by_count.setAccessibleName("Ends after a number of weeks")
        self.by_until.setAccessibleName("Ends on a date")

        self.interval = QSpinBox()
        self.interval.setRange(1, 52)
        self.interval.setPrefix("every ")
        self.interval.setSuffix(" week(s)")

        days = QWidget()
        days_row = QHBoxLayout(days)
        days_row.setContentsMargins(0, 0, 0, 0)
        self.day_boxes: list[QCheckBox] = []
        for short, long in zip(_DAY_SHORT, _DAY_LONG, strict=True):
            box = QCheckBox(short)
            box.setAccessibleName(long)
            box.toggled.connect(self._days_changed)
            days_row.addWidget(box)
            self.day_boxes.append(box)
        days_row.addStretch(1)

        self.duration = duration_spin()
        self.session_type = enum_combo(SessionType, current=SessionType.ONE_TO_ONE)
        self.location = QLineEdit()
        self.mentor = mentor_combo(services, None, None)
        self.skip_dates = QLineEdit()
        self.skip_dates.setPlaceholderText("dd/mm/yyyy, dd/mm/yyyy (or untick dates below)")

        self.preview_summary = QLabel()
        self.preview_summary.setWordWrap(True)
        self.preview = QListWidget()
        self.preview.setAccessibleName("Dates to be booked")
        self.preview.setMinimumHeight(self.fontMetrics().lineSpacing() * 5)  # fits 1280x720 at 150%
        self.preview.itemChanged.connect(self._preview_toggled)

        self.add_row("First date", self.first_date, "first_start", accessible="First date")
        self.add_row("Time", self.time_field, "start_time", accessible="Start time")
        self.add_row("Repeat", self.interval, "interval_weeks", accessible="Repeat interval")
        self.add_row("On", days, "weekdays", accessible="Weekdays")
        self.add_row("Ends", ends, "count", accessible="Series end")
        self.add_row("Duration", self.duration, "duration_minutes")
        self.add_row("Type", self.session_type, "session_type", accessible="Session type")
        self.add_row("Location", self.location, "location")
        self.add_row("Mentor", self.mentor, "mentor_id")
        self.add_row("Skip", self.skip_dates, "skip_dates", accessible="Dates to skip")
        self.form.addRow("Preview", self.preview_summary)
        self.form.addRow(self.preview)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(150)
        self._refresh_timer.timeout.connect(self.refresh_preview)
        for line in (self.first_date, self.time_field, self.until, self.skip_dates):
            line.textChanged.connect(self._refresh_timer.start)
        self.first_date.textChanged.connect(self._default_weekday)
        for spin in (self.count, self.interval):
            spin.valueChanged.connect(self._refresh_timer.start)
        self.by_count.toggled.connect(self._ends_changed)
        self.refresh_preview()

    # --- live preview ----------------------------------------------------------------------

    def _ends_changed(self, by_count: bool) -> None:
        self.count.setEnabled(by_count)
        self.until.setEnabled(not by_count)
        self._refresh_timer.start()

    def _days_changed(self) -> None:
        if not self._filling_preview:
            self._days_touched = True
        self._refresh_timer.start()

    def _default_weekday(self) -> None:
        """Until days are ticked by hand, the series runs on the first date's weekday."""
        if self._days_touched:
            return
        try:
            first = self.first_date.date_or_none("first_start")
        except ValidationError:
            return
        self._filling_preview = True
        for index, box in enumerate(self.day_boxes):
            box.setChecked(first is not None and index == first.weekday())
        self._filling_preview = False

    def _input(self, *, strict: bool) -> SeriesInput:
        errors: dict[str, str] = {}
        first = gather(
            errors,
            lambda: parse_uk_datetime(
                self.first_date.text(),
                self.time_field.text(),
                date_field="first_start",
                time_field="start_time",
            ),
        )
        until = None
        if self.by_until.isChecked():
            until = gather(errors, lambda: self.until.date_or_none("until"))
            if until is None and "until" not in errors:
                errors["until"] = "Enter the date of the last session (dd/mm/yyyy)."
        skips = gather(errors, lambda: parse_skip_dates(self.skip_dates.text())) or ()
        weekdays = tuple(i for i, box in enumerate(self.day_boxes) if box.isChecked())
        if strict and not weekdays:
            errors["weekdays"] = "Tick at least one day of the week."
        if errors or first is None:
            raise ValidationError(errors)
        session_type = chosen_enum(self.session_type, SessionType) or SessionType.ONE_TO_ONE
        return SeriesInput(
            first_start=first,
            count=self.count.value() if self.by_count.isChecked() else None,
            until=until,
            interval_weeks=self.interval.value(),
            weekdays=weekdays,
            duration_minutes=self.duration.value(),
            session_type=session_type,
            location=self.location.text(),
            mentor_id=self.mentor.currentData(),
            skip_dates=skips,
        )

    def occurrences(self) -> list[dt.datetime]:
        """The rule's dates for what is typed now (skipped ones included), or none yet."""
        try:
            data = self._input(strict=False)
        except ValidationError:
            return []
        return list(islice(series_rule(data), MAX_OCCURRENCES + 1))

    def refresh_preview(self) -> None:
        self._filling_preview = True
        self.preview.clear()
        try:
            data = self._input(strict=False)
        except ValidationError:
            self.preview_summary.setText("Enter the first date and time to see the dates.")
            self._filling_preview = False
            return
        dates = list(islice(series_rule(data), MAX_OCCURRENCES + 1))
        skips = set(data.skip_dates)
        for start in dates[:MAX_OCCURRENCES]:
            item = QListWidgetItem(f"{_DAY_LONG[start.weekday()]} {format_uk_date(start.date())}")
            item.setData(Qt.ItemDataRole.UserRole, start.date().isoformat())
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            skipped = start.date() in skips
            item.setCheckState(Qt.CheckState.Unchecked if skipped else Qt.CheckState.Checked)
            if skipped:
                item.setText(item.text() + "  (skipped)")
            self.preview.addItem(item)
        kept = [d for d in dates if d.date() not in skips]
        if len(dates) > MAX_OCCURRENCES:
            text = f"More than {MAX_OCCURRENCES} sessions: choose an earlier end date."
        elif not kept:
            text = "No sessions would be booked."
        else:
            text = (
                f"{len(kept)} session{'s' if len(kept) != 1 else ''}, "
                f"{format_uk_date(kept[0].date())} to {format_uk_date(kept[-1].date())}"
            )
            skipped_count = len(dates) - len(kept)
            if skipped_count:
                text += f"; {skipped_count} skipped"
        self.preview_summary.setText(text)
        self._filling_preview = False

    def _preview_toggled(self, item: QListWidgetItem) -> None:
        if self._filling_preview:
            return
        day = dt.date.fromisoformat(item.data(Qt.ItemDataRole.UserRole))
        try:
            skips = set(parse_skip_dates(self.skip_dates.text()))
        except ValidationError:
            skips = set()
        if item.checkState() == Qt.CheckState.Unchecked:
            skips.add(day)
        else:
            skips.discard(day)
        self.skip_dates.setText(", ".join(format_uk_date(d) for d in sorted(skips)))
        self._refresh_timer.stop()
        self.refresh_preview()

    # --- saving ----------------------------------------------------------------------------

    def show_validation(self, error: ValidationError) -> None:
        """The end of a series is one row (a count or a date), so both errors go there."""
        fields = dict(error.fields)
        if "until" in fields:
            until = fields.pop("until")
            fields["count"] = f"{fields['count']} {until}" if "count" in fields else until
        super().show_validation(ValidationError(fields))

    def prepare(self) -> Callable[[], Any]:
        data = self._input(strict=True)
        return lambda: self.services.sessions.book_series(self.person_id, data)
