"""Setting up a group: one session (a workshop) or a weekly series (Thursday football), with
its facilitator. Who comes is added afterwards on the register, one young person's place at a
time, by whoever may work on their case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QSpinBox, QWidget

from veru_desk.domain.dates import format_uk_date, parse_uk_datetime
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.groups import GROUP_TYPES, MAX_TITLE_CHARS, title_problems
from veru_desk.services import Services
from veru_desk.services.groups import GroupCreated, GroupInput
from veru_desk.services.mentoring import MAX_OCCURRENCES
from veru_desk.ui.dialogs.directory_entry import DirectoryDialog
from veru_desk.ui.dialogs.mentoring_session import duration_spin
from veru_desk.ui.dialogs.series import parse_skip_dates
from veru_desk.ui.widgets.forms import DateField


def facilitator_combo(services: Services) -> QComboBox:
    """The unit's caseworkers, the person setting the group up first."""
    combo = QComboBox()
    me = services.actor.user_id
    combo.addItem(f"Me ({services.actor.display_name})", me)
    for worker in services.referrals.workers():
        if worker.user_id != me:
            combo.addItem(worker.display_name, worker.user_id)
    return combo


class GroupSessionDialog(DirectoryDialog):
    """A new group; ``result_value`` is the service's ``GroupCreated`` once saved."""

    help_topic = "group-sessions"

    def __init__(
        self, services: Services, parent: QWidget | None = None, *, day: dt.date | None = None
    ) -> None:
        super().__init__("New group", parent)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 40)
        self.services = services
        self.result_value: GroupCreated | None = None
        self.title_field = QLineEdit()
        self.title_field.setMaxLength(MAX_TITLE_CHARS)
        self.title_field.setPlaceholderText("e.g. Thursday football")
        self.kind = QComboBox()
        for kind in GROUP_TYPES:
            self.kind.addItem(kind.label, kind.value)
        self.first_date = DateField(accessible_name="Date of the (first) session")
        if day is not None:
            self.first_date.setText(format_uk_date(day))
        self.time_field = QLineEdit()
        self.time_field.setPlaceholderText("hh:mm, e.g. 17:30")
        self.duration = duration_spin(90)
        self.count = QSpinBox()
        self.count.setRange(1, MAX_OCCURRENCES)
        self.count.setSpecialValueText("Once only")
        self.count.setSuffix(" weeks")
        self.count.setAccessibleName("How many weeks the group runs")
        self.skip_dates = QLineEdit()
        self.skip_dates.setPlaceholderText("dd/mm/yyyy, dd/mm/yyyy")
        self.skip_dates.setToolTip("Weeks the group does not meet: half-term, bank holidays")
        self.location = QLineEdit()
        self.location.setMaxLength(200)
        self.facilitator = facilitator_combo(services)
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText(
            "About the activity (kit, transport, the plan). Write about one young person in "
            "their own session, never here."
        )
        self.notes.setFixedHeight(self.fontMetrics().lineSpacing() * 4)
        add = self.errors.add_row
        add(self.form, "Name *", self.title_field, "title", accessible="Group name")
        add(self.form, "Kind", self.kind, "session_type", accessible="Kind of group")
        add(self.form, "Date *", self.first_date, "first_start", accessible="First date")
        add(self.form, "Time *", self.time_field, "start_time", accessible="Start time")
        add(self.form, "Duration", self.duration, "duration_minutes")
        add(self.form, "Runs", self.count, "count", accessible="Weeks the group runs")
        add(self.form, "Skip", self.skip_dates, "skip_dates", accessible="Dates to skip")
        add(self.form, "Location", self.location, "location")
        add(self.form, "Facilitator", self.facilitator, "facilitator_id")
        add(self.form, "Notes", self.notes, "notes", accessible="Notes about the activity")
        hint = QLabel(
            "Add the young people on the register once the group is set up: each one's place "
            "counts in their own attendance."
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.form.addRow(hint)
        self.save_button.setText("Set up group")

    def prepare(self) -> Callable[[], Any]:
        errors = title_problems(self.title_field.text())  # with the others, not after them
        start: dt.datetime | None = None
        try:
            start = parse_uk_datetime(
                self.first_date.text(),
                self.time_field.text(),
                date_field="first_start",
                time_field="start_time",
            )
        except ValidationError as error:
            errors.update(error.fields)
        skips: tuple[dt.date, ...] = ()
        try:
            skips = parse_skip_dates(self.skip_dates.text())
        except ValidationError as error:
            errors.update(error.fields)
        if errors or start is None:
            raise ValidationError(errors)
        kind = GROUP_TYPES[max(self.kind.currentIndex(), 0)]
        data = GroupInput(
            title=self.title_field.text(),
            first_start=start,
            duration_minutes=self.duration.value(),
            session_type=kind,
            location=self.location.text(),
            facilitator_id=self.facilitator.currentData(),
            count=self.count.value(),
            skip_dates=skips,
            notes=self.notes.toPlainText(),
        )
        groups = self.services.groups
        return lambda: groups.create(data)
