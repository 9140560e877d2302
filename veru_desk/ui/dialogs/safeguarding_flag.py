"""A safeguarding flag with its dates: add or correct one, or end one.

The form shows what the chosen kind needs: a National Referral Mechanism referral asks for its
reasonable and conclusive grounds decisions with their dates; a missing episode is missing
from and found, and whether the return home interview was done. The dates' rules are the
domain's, checked by the service, and each message appears beside its field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit, QWidget

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.errors import NotFound, ValidationError
from veru_desk.domain.safeguarding import (
    FlagInput,
    FlagKind,
    GroundsDecision,
    end_label,
    start_label,
)
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.safeguarding import FlagView
from veru_desk.ui.dialogs.case_dialog import CaseDialog, chosen_enum, enum_combo, gather
from veru_desk.ui.widgets.forms import DateField, select_enum

#: The return home interview as the combo offers it (item data: the stored value).
_INTERVIEW = (("Not recorded", None), ("Done", True), ("Not done", False))


def _interview_combo() -> QComboBox:
    combo = QComboBox()
    for text, value in _INTERVIEW:
        combo.addItem(text, value)
    return combo


class SafeguardingFlagDialog(CaseDialog):
    """Adds a flag (``flag`` None) or corrects one already recorded."""

    def __init__(
        self,
        services: Services,
        person_id: int,
        flag: FlagView | None = None,
        parent: QWidget | None = None,
        *,
        kind: FlagKind | None = None,
    ) -> None:
        title = "Add a safeguarding flag" if flag is None else "Change a safeguarding flag"
        super().__init__(title, person_id, Kind.FLAG, parent)
        self.services = services
        self.flag = flag
        today = dt.date.today()

        self.kind = enum_combo(FlagKind, "Kind of flag")
        self.kind.setPlaceholderText("Choose the kind of flag")
        self.kind.setCurrentIndex(-1)
        self.started_on = DateField(accessible_name="Started", latest=today)
        self.ended_on = DateField(accessible_name="Ended", latest=today)
        self.ended_on.setPlaceholderText("Leave empty while it applies")
        self.reasonable = enum_combo(GroundsDecision, "Reasonable grounds", blank="Awaited")
        self.reasonable_on = DateField(accessible_name="Reasonable grounds date", latest=today)
        self.conclusive = enum_combo(GroundsDecision, "Conclusive grounds", blank="Awaited")
        self.conclusive_on = DateField(accessible_name="Conclusive grounds date", latest=today)
        self.interview = _interview_combo()
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)
        self.note.setPlaceholderText("e.g. who told us, the plan agreed with social care")

        self.add_row("Kind of flag*", self.kind, "kind")
        self.add_row("Started*", self.started_on, "started_on")
        self.add_row("Ended", self.ended_on, "ended_on")
        self.add_row("Reasonable grounds", self.reasonable, "reasonable_grounds")
        self.add_row(
            "Decided on",
            self.reasonable_on,
            "reasonable_grounds_on",
            accessible="Reasonable grounds date",
        )
        self.add_row("Conclusive grounds", self.conclusive, "conclusive_grounds")
        self.add_row(
            "Decided on",
            self.conclusive_on,
            "conclusive_grounds_on",
            accessible="Conclusive grounds date",
        )
        self.add_row("Return home interview", self.interview, "return_interview_done")
        self.add_row("Note", self.note, "note", accessible="Flag note")
        self.recorded = QLabel()
        self.recorded.setObjectName("quiet")
        self.recorded.setWordWrap(True)
        self.form.addRow("", self.recorded)

        if flag is None:
            self.started_on.set_date(today)
            select_enum(self.kind, kind)
        else:
            self.load(flag)
            self.recorded.setText(_recorded_text(flag))
        self.recorded.setVisible(flag is not None)
        self.kind.currentIndexChanged.connect(self._show_kind)
        self._show_kind()

    # --- the rows each kind needs ------------------------------------------------------------

    def _show_kind(self) -> None:
        kind = chosen_enum(self.kind, FlagKind)
        nrm = kind is FlagKind.NRM
        missing = kind is FlagKind.MISSING
        for widget in (self.reasonable, self.reasonable_on, self.conclusive, self.conclusive_on):
            self.form.setRowVisible(widget, nrm)
        self.form.setRowVisible(self.interview, missing)
        start = start_label(kind) if kind is not None else "Started"
        end = end_label(kind) if kind is not None else "Ended"
        self._relabel(self.started_on, start + "*")
        self._relabel(self.ended_on, end)
        self.started_on.setAccessibleName(start)
        self.ended_on.setAccessibleName(end)
        self.ended_on.setPlaceholderText(
            "Leave empty while still missing" if missing else "Leave empty while it applies"
        )
        self.adjustSize()

    def _relabel(self, widget: QWidget, text: str) -> None:
        label = self.form.labelForField(widget)
        if isinstance(label, QLabel):
            label.setText(text)

    # --- loading and saving ------------------------------------------------------------------

    def fill(self, flag: FlagView) -> None:
        select_enum(self.kind, flag.kind)
        self.started_on.set_date(flag.started_on)
        self.ended_on.set_date(flag.ended_on)
        select_enum(self.reasonable, flag.reasonable_grounds)
        self.reasonable_on.set_date(flag.reasonable_grounds_on)
        select_enum(self.conclusive, flag.conclusive_grounds)
        self.conclusive_on.set_date(flag.conclusive_grounds_on)
        self.interview.setCurrentIndex(
            next(i for i, (_t, v) in enumerate(_INTERVIEW) if v == flag.return_interview_done)
        )
        self.note.setPlainText(flag.note)

    def reread(self) -> FlagView | None:
        if self.flag is None:
            return None
        return _reread(self.services, self.person_id, self.flag.id)

    def build_on(self, saved: FlagView) -> None:
        self.flag = saved

    def prepare(self) -> Callable[[], Any]:
        errors: dict[str, str] = {}
        kind = chosen_enum(self.kind, FlagKind)
        if kind is None:
            errors["kind"] = "Choose the kind of flag."
        started = gather(errors, lambda: self.started_on.date_or_none("started_on"))
        if started is None and "started_on" not in errors:
            word = start_label(kind).lower() if kind is not None else "start"
            errors["started_on"] = f"Enter the {word} date (dd/mm/yyyy)."
        ended = gather(errors, lambda: self.ended_on.date_or_none("ended_on"))
        reasonable_on = conclusive_on = None
        if kind is FlagKind.NRM:
            reasonable_on = gather(
                errors, lambda: self.reasonable_on.date_or_none("reasonable_grounds_on")
            )
            conclusive_on = gather(
                errors, lambda: self.conclusive_on.date_or_none("conclusive_grounds_on")
            )
        if errors or kind is None or started is None:
            raise ValidationError(errors)
        data = FlagInput(
            kind=kind,
            started_on=started,
            ended_on=ended,
            note=self.note.toPlainText(),
            reasonable_grounds=chosen_enum(self.reasonable, GroundsDecision),
            reasonable_grounds_on=reasonable_on,
            conclusive_grounds=chosen_enum(self.conclusive, GroundsDecision),
            conclusive_grounds_on=conclusive_on,
            return_interview_done=self.interview.currentData(),
        )
        service = self.services.safeguarding
        if self.flag is None:
            return lambda: service.add(self.person_id, data)
        flag_id, version = self.flag.id, self.flag.version
        return lambda: service.change(flag_id, data, version)


class EndFlagDialog(CaseDialog):
    """Ends an active flag on a date (a missing episode: the day they were found)."""

    def __init__(
        self, services: Services, person_id: int, flag: FlagView, parent: QWidget | None = None
    ) -> None:
        word = end_label(flag.kind)
        super().__init__(
            f"End flag: {flag.kind.label}", person_id, Kind.FLAG, parent, save_text="End flag"
        )
        self.services = services
        self.flag = flag
        about = QLabel(
            f"{flag.kind.label}, {start_label(flag.kind).lower()} "
            f"{format_uk_date(flag.started_on)}."
        )
        about.setWordWrap(True)
        self.form.addRow(about)
        self.ended_on = DateField(accessible_name=word, latest=dt.date.today())
        self.ended_on.set_date(dt.date.today())
        self.add_row(f"{word} on*", self.ended_on, "ended_on", accessible=word)

    def prepare(self) -> Callable[[], Any]:
        errors: dict[str, str] = {}
        ended = gather(errors, lambda: self.ended_on.date_or_none("ended_on"))
        if ended is None and "ended_on" not in errors:
            errors["ended_on"] = "Enter the date the flag ended (dd/mm/yyyy)."
        if errors or ended is None:
            raise ValidationError(errors)
        service = self.services.safeguarding
        flag_id, version = self.flag.id, self.flag.version
        return lambda: service.end(flag_id, ended, version)


def _recorded_text(flag: FlagView) -> str:
    text = f"Recorded by {flag.recorded_by or 'a former user'}"
    if flag.ended_by and flag.ended_on is not None:
        text += f"; ended by {flag.ended_by}"
    return text + "."


def _reread(services: Services, person_id: int, flag_id: int) -> FlagView:
    for flag in services.safeguarding.for_case(person_id):
        if flag.id == flag_id:
            return flag
    raise NotFound("This safeguarding flag is no longer on the case.")
