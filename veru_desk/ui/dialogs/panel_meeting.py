"""A multi-agency panel meeting: when, what kind, who chaired and who came; the cases on its
agenda; and for each case what was said, what was decided and the actions agreed.

One Save keeps everything typed: the meeting's details, then each case's discussion that was
changed. What is typed for a case is kept while another case is looked at, and kept on the
form when a save is refused, with the message beside the part it is about. Actions owned by
a worker of the unit become tasks for them (``services.panels``). "Make pack…" opens the
pack of case summaries for the meeting (``ui.dialogs.panel_pack``).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.dates import format_uk_date, parse_uk_date
from veru_desk.domain.errors import ConflictError, ValidationError
from veru_desk.domain.panels import (
    ActionInput,
    AttendeeInput,
    DiscussionInput,
    MeetingInput,
    PanelType,
)
from veru_desk.services import Services
from veru_desk.services.caseload_view import CaseloadFilter
from veru_desk.services.panels import ItemView, MeetingView
from veru_desk.ui.dialogs.case_chooser import CaseChooser
from veru_desk.ui.widgets.feedback import confirm, show_error
from veru_desk.ui.widgets.forms import DateField, FieldErrors, chosen_enum, enum_combo, select_enum
from veru_desk.ui.widgets.kit import (
    dialog_buttons,
    fit_to_screen,
    form_section,
    house_form,
    secondary_button,
)

#: The owner drop-down's first choice: someone at a partner agency (named in the next cells).
PARTNER = "Partner agency"
ATTENDEE_COLUMNS = ("Name", "Agency", "Role")
ACTION_COLUMNS = ("Action", "Owner", "Owner's name", "Agency", "Due", "Done on")
_ITEM_ROLE = Qt.ItemDataRole.UserRole + 1


class PanelMeetingDialog(QDialog):
    """Sets up a meeting (``meeting_id`` None) or opens one to record it."""

    def __init__(
        self, services: Services, meeting_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.meeting_id = meeting_id
        self.view: MeetingView | None = None
        self.drafts: dict[int, DiscussionInput] = {}
        self.current_item: int | None = None
        self.workers: list[tuple[int, str]] = services.panels.unit_workers()
        self.setWindowTitle("Panel meeting")
        self.errors = FieldErrors()

        # --- the meeting ---------------------------------------------------------------
        details = form_section("The meeting")
        self.held_on = DateField(accessible_name="Date of the meeting")
        self.held_time = QTimeEdit(QTime(10, 0))
        self.held_time.setDisplayFormat("HH:mm")
        self.held_time.setAccessibleName("Time of the meeting")
        when = QWidget()
        when_row = QHBoxLayout(when)
        when_row.setContentsMargins(0, 0, 0, 0)
        when_row.addWidget(self.held_on, 1)
        when_row.addWidget(self.held_time)
        self.panel_type = enum_combo(PanelType, "Kind of meeting", current=PanelType.COMPLEX_CASE)
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("e.g. Luton complex case panel")
        self.chair = QLineEdit()
        self.chair.setPlaceholderText("Who chaired it")
        self.next_on = DateField(accessible_name="Next meeting")
        self.next_on.setPlaceholderText("Not set yet")
        self.errors.add_row(details.form, "Date and time*", when, "held_at")
        self.errors.add_row(details.form, "Kind of meeting*", self.panel_type, "panel_type")
        self.errors.add_row(details.form, "Name*", self.title_edit, "title")
        self.errors.add_row(details.form, "Chair", self.chair, "chair")
        self.errors.add_row(details.form, "Next meeting", self.next_on, "next_meeting_on")

        attendees_box = form_section("Who came")
        self.attendees = _table(ATTENDEE_COLUMNS, "Attendees")
        _fit_columns(self.attendees, {0: "DS Funmilayo Adebayo", 1: "Luton Children's Social"})
        add_attendee = secondary_button("Add attendee", lambda: _add_row(self.attendees))
        remove_attendee = secondary_button("Remove attendee", lambda: _remove_row(self.attendees))
        attendee_buttons = QHBoxLayout()
        attendee_buttons.addWidget(add_attendee)
        attendee_buttons.addWidget(remove_attendee)
        attendee_buttons.addStretch(1)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.addWidget(self.attendees, 1)
        holder_layout.addLayout(attendee_buttons)
        self.errors.add_row(attendees_box.form, "", holder, "attendees", accessible="Who came")

        top = QHBoxLayout()
        top.addWidget(details.box, 1)
        top.addWidget(attendees_box.box, 1)

        # --- the agenda ------------------------------------------------------------------
        self.agenda = QListWidget()
        self.agenda.setAccessibleName("Cases on the agenda")
        self.agenda.setSpacing(3)  # each case is two lines: reference, then name
        self.agenda.currentItemChanged.connect(self._case_changed)
        self.add_case_button = secondary_button("Add case…", self.add_case)
        self.remove_case_button = secondary_button("Remove case", self.remove_case)
        agenda_panel = QWidget()
        agenda_layout = QVBoxLayout(agenda_panel)
        agenda_layout.setContentsMargins(0, 0, 0, 0)
        agenda_heading = QLabel("Agenda")
        agenda_heading.setObjectName("sectionTitle")
        agenda_layout.addWidget(agenda_heading)
        agenda_layout.addWidget(self.agenda, 1)
        agenda_buttons = QHBoxLayout()
        agenda_buttons.addWidget(self.add_case_button)
        agenda_buttons.addWidget(self.remove_case_button)
        agenda_layout.addLayout(agenda_buttons)
        self.agenda_hint = QLabel()
        self.agenda_hint.setObjectName("hint")
        self.agenda_hint.setWordWrap(True)
        agenda_layout.addWidget(self.agenda_hint)

        case_panel = QWidget()
        case_layout = QVBoxLayout(case_panel)
        case_layout.setContentsMargins(0, 0, 0, 0)
        self.case_heading = QLabel()
        self.case_heading.setObjectName("sectionTitle")
        case_layout.addWidget(self.case_heading)
        case_form = house_form()
        self.case_errors = FieldErrors()
        self.summary = QPlainTextEdit()
        self.summary.setTabChangesFocus(True)
        self.summary.setPlaceholderText("What the panel heard and discussed")
        self.decision = QPlainTextEdit()
        self.decision.setTabChangesFocus(True)
        self.decision.setPlaceholderText("What the panel decided")
        lines = self.fontMetrics().lineSpacing()
        for edit in (self.summary, self.decision):
            edit.setMinimumHeight(lines * 3)
            edit.setMaximumHeight(lines * 6)  # the actions below get the rest
        self.case_errors.add_row(case_form, "Discussion", self.summary, "summary")
        self.case_errors.add_row(case_form, "Decision", self.decision, "decision")
        case_layout.addLayout(case_form)
        self.action_table = _table(ACTION_COLUMNS, "Actions agreed")
        _fit_columns(
            self.action_table, {1: PARTNER, 2: "Funmilayo Adebayo", 3: "Bedfordshire Police"}
        )
        # The action's words take what is left, never less than their heading: past that the
        # table scrolls sideways rather than cut a heading.
        self.action_table.horizontalHeader().setMinimumSectionSize(
            self.fontMetrics().horizontalAdvance("Action") + 32
        )
        self.action_table.horizontalHeader().setStretchLastSection(False)
        self.action_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        actions_heading = QLabel("Actions agreed")
        actions_heading.setObjectName("sectionTitle")
        case_layout.addWidget(actions_heading)
        case_layout.addWidget(self.action_table, 1)
        self.actions_error = QLabel()
        self.actions_error.setObjectName("fieldError")
        self.actions_error.setWordWrap(True)
        self.actions_error.setVisible(False)
        case_layout.addWidget(self.actions_error)
        action_buttons = QHBoxLayout()
        action_buttons.addWidget(secondary_button("Add action", self.add_action))
        action_buttons.addWidget(
            secondary_button("Remove action", lambda: _remove_row(self.action_table))
        )
        hint = QLabel("An action owned by a worker of the unit becomes a task for them.")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        action_buttons.addWidget(hint, 1)
        case_layout.addLayout(action_buttons)
        self.case_panel = case_panel

        splitter = QSplitter()
        splitter.addWidget(agenda_panel)
        splitter.addWidget(case_panel)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter

        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.saved_label = QLabel()
        self.saved_label.setObjectName("hint")
        self.saved_label.setVisible(False)
        self.buttons = dialog_buttons("Save", reject="Close", on_reject=self.reject)
        self.buttons.accepted.connect(self.save)
        self.pack_button = secondary_button("Make pack…", self.make_pack)
        bottom = QHBoxLayout()
        bottom.addWidget(self.pack_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.saved_label)
        layout.addLayout(bottom)
        self.resize(1180, 820)
        fit_to_screen(self)
        self.reload()

    # --- reading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Reads the meeting again (after a save: versions, new action ids); drafts stay."""
        if self.meeting_id is None:
            self.setWindowTitle("New panel meeting")
            self.held_on.set_date(dt.date.today() + dt.timedelta(days=7))
            self._show_agenda()
            return
        self.view = self.services.panels.get(self.meeting_id)
        view = self.view
        self.setWindowTitle(f"Panel meeting: {view.label}")
        self.held_on.set_date(view.held_at.date())
        self.held_time.setTime(QTime(view.held_at.hour, view.held_at.minute))
        select_enum(self.panel_type, view.panel_type)
        self.title_edit.setText(view.title)
        self.chair.setText(view.chair)
        self.next_on.set_date(view.next_meeting_on)
        self.attendees.setRowCount(0)
        for person in view.attendees:
            _add_row(self.attendees, [person.name, person.agency, person.role])
        self._show_agenda()

    def _show_agenda(self) -> None:
        saved = self.meeting_id is not None
        for widget in (self.add_case_button, self.pack_button):
            widget.setEnabled(saved)
        wanted = self.current_item
        self.agenda.blockSignals(True)
        self.agenda.clear()
        items = self.view.items if self.view else ()
        for item in items:
            row = QListWidgetItem(f"{item.case_ref}\n{item.name}")  # two lines: a narrow list
            row.setData(_ITEM_ROLE, item.id)
            row.setToolTip(f"Caseworker: {item.worker or 'not allocated'}")
            self.agenda.addItem(row)
        self.agenda.blockSignals(False)
        widest = max(
            (
                self.agenda.fontMetrics().horizontalAdvance(line)
                for n in range(self.agenda.count())
                for line in self.agenda.item(n).text().splitlines()
            ),
            default=0,
        )
        self.agenda.setMinimumWidth(min(widest + 64, self.fontMetrics().averageCharWidth() * 46))
        if not saved:
            self.agenda_hint.setText("Save the meeting first, then add the cases to discuss.")
        elif not items:
            self.agenda_hint.setText(
                "No cases on the agenda yet. Add case… puts one of your cases on it."
            )
        else:
            self.agenda_hint.setText(
                "Your cases on the agenda. Cases of other workers are not shown to you."
                if not self.services.actor.is_manager
                else f"{len(items)} case{'s' if len(items) != 1 else ''} on the agenda."
            )
        index = next((n for n, i in enumerate(items) if i.id == wanted), 0 if items else -1)
        self.current_item = None
        if index >= 0:
            self.agenda.setCurrentRow(index)
            self._load_case(items[index])
        else:
            self._load_case(None)

    def _item(self, item_id: int | None) -> ItemView | None:
        if self.view is None or item_id is None:
            return None
        return next((i for i in self.view.items if i.id == item_id), None)

    def _case_changed(
        self, current: QListWidgetItem | None, previous: QListWidgetItem | None
    ) -> None:
        problem = self._date_problems() if self.current_item is not None else None
        if problem is not None and previous is not None:
            # A date that cannot be read would be lost on the way to another case: stay here,
            # with the words as typed, until it is put right.
            self.agenda.blockSignals(True)
            self.agenda.setCurrentItem(previous)
            self.agenda.blockSignals(False)
            self.actions_error.setText(problem)
            self.actions_error.setVisible(True)
            return
        self._keep_draft()
        self._load_case(self._item(current.data(_ITEM_ROLE)) if current else None)

    def _load_case(self, item: ItemView | None) -> None:
        self.case_errors.clear()
        self.actions_error.setVisible(False)
        self.current_item = item.id if item else None
        self.case_panel.setEnabled(item is not None)
        self.remove_case_button.setEnabled(item is not None)
        if item is None:
            self.case_heading.setText("Choose a case on the agenda")
            self.summary.clear()
            self.decision.clear()
            self.action_table.setRowCount(0)
            return
        worker = f" · {item.worker}" if item.worker else ""
        self.case_heading.setText(f"{item.case_ref} · {item.name}{worker}")
        data = self.drafts.get(item.id, item.as_input())
        self.summary.setPlainText(data.summary)
        self.decision.setPlainText(data.decision)
        self.action_table.setRowCount(0)
        for action in data.actions:
            self.add_action(action)

    def _keep_draft(self) -> None:
        """What is typed for the case being left is kept, to be saved with the rest."""
        if self.current_item is None:
            return
        item = self._item(self.current_item)
        typed = self._typed_discussion()
        if item is not None and typed != item.as_input():
            self.drafts[self.current_item] = typed
        else:
            self.drafts.pop(self.current_item, None)

    # --- actions ---------------------------------------------------------------------------

    def add_action(self, action: ActionInput | None = None) -> None:
        row = _add_row(
            self.action_table,
            [
                action.description if action else "",
                "",
                action.owner_name if action and action.owner_user_id is None else "",
                action.agency if action else "",
                format_uk_date(action.due_on) if action and action.due_on else "",
                format_uk_date(action.done_on) if action and action.done_on else "",
            ],
        )
        owner = QComboBox()
        owner.setAccessibleName(f"Owner of action {row + 1}")
        # As wide as a worker's name, not the longest choice: the action's words need the room.
        owner.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        owner.setMinimumContentsLength(16)
        owner.addItem(PARTNER, None)
        for user_id, name in self.workers:
            owner.addItem(f"{name} (the unit)", user_id)
        if action is not None and action.owner_user_id is not None:
            index = owner.findData(action.owner_user_id)
            owner.setCurrentIndex(max(index, 0))
        self.action_table.setCellWidget(row, 1, owner)
        header = self.action_table.horizontalHeader()
        header.resizeSection(1, max(header.sectionSize(1), owner.sizeHint().width() + 4))
        first = self.action_table.item(row, 0)
        if first is not None:
            first.setData(_ITEM_ROLE, action.id if action else None)

    def _typed_discussion(self) -> DiscussionInput:
        """The case's form as typed. A date that cannot be read is kept as None and said by
        ``_date_problems`` (the service would call it missing)."""
        actions = []
        for row in range(self.action_table.rowCount()):
            owner = self.action_table.cellWidget(row, 1)
            owner_id = owner.currentData() if isinstance(owner, QComboBox) else None
            first = self.action_table.item(row, 0)
            actions.append(
                ActionInput(
                    description=_cell(self.action_table, row, 0),
                    owner_name=_cell(self.action_table, row, 2) if owner_id is None else "",
                    agency=_cell(self.action_table, row, 3) if owner_id is None else "",
                    due_on=_date(_cell(self.action_table, row, 4)),
                    owner_user_id=owner_id,
                    done_on=_date(_cell(self.action_table, row, 5)),
                    id=first.data(_ITEM_ROLE) if first is not None else None,
                )
            )
        return DiscussionInput(
            summary=self.summary.toPlainText(),
            decision=self.decision.toPlainText(),
            actions=tuple(actions),
        )

    def _date_problems(self) -> str | None:
        for row in range(self.action_table.rowCount()):
            for column, words in ((4, "due date"), (5, "done date")):
                text = _cell(self.action_table, row, column)
                if text and _date(text) is None:
                    return f"Action {row + 1}'s {words} is not a date: type it as dd/mm/yyyy."
        return None

    # --- the agenda ------------------------------------------------------------------------

    def add_case(self) -> None:
        if self.meeting_id is None:
            return
        try:
            caseload = self.services.caseload
            rows = caseload.rows(caseload.ids(CaseloadFilter(open_only=True), limit=2000))
        except Exception as error:
            show_error(self, error)
            return
        on_agenda = {i.person_id for i in self.view.items} if self.view else set()
        chooser = CaseChooser(
            [r for r in rows if r.person_id not in on_agenda],
            "Which young person is the panel to discuss?",
            self,
        )
        chooser.setWindowTitle("Add a case to the agenda")
        chooser.list.setAccessibleName("Open cases you can put on the agenda")
        if not chooser.exec() or chooser.chosen is None:
            return
        self._keep_draft()
        try:
            self.current_item = self.services.panels.add_case(self.meeting_id, chooser.chosen)
            wanted = self.current_item
            self.reload()
            self.current_item = wanted
            self._select(wanted)
        except Exception as error:
            show_error(self, error)

    def _select(self, item_id: int) -> None:
        for row in range(self.agenda.count()):
            if self.agenda.item(row).data(_ITEM_ROLE) == item_id:
                self.agenda.setCurrentRow(row)

    def remove_case(self) -> None:
        item = self._item(self.current_item)
        if item is None:
            return
        if not confirm(
            self,
            "Remove a case from the agenda",
            f"{item.case_ref} will be taken off this meeting's agenda.",
            action="Remove",
        ):
            return
        try:
            self.services.panels.remove_case(item.id, item.version)
        except Exception as error:
            show_error(self, error)
            return
        self.drafts.pop(item.id, None)
        self.current_item = None
        self.reload()

    # --- saving ----------------------------------------------------------------------------

    def _typed_meeting(self) -> MeetingInput:
        errors: dict[str, str] = {}
        held_at: dt.datetime | None = None
        try:
            day = self.held_on.date_or_none("held_at")
            if day is not None:
                time = self.held_time.time()
                held_at = dt.datetime.combine(day, dt.time(time.hour(), time.minute()))
        except ValidationError as error:
            errors.update(error.fields)
        next_on: dt.date | None = None
        try:
            next_on = self.next_on.date_or_none("next_meeting_on")
        except ValidationError as error:
            errors.update(error.fields)
        if errors:
            raise ValidationError(errors)
        attendees = tuple(
            AttendeeInput(*(_cell(self.attendees, r, c) for c in range(3)))
            for r in range(self.attendees.rowCount())
            if any(_cell(self.attendees, r, c) for c in range(3))
        )
        return MeetingInput(
            held_at=held_at,
            panel_type=chosen_enum(self.panel_type, PanelType) or PanelType.OTHER,
            title=self.title_edit.text(),
            chair=self.chair.text(),
            attendees=attendees,
            next_meeting_on=next_on,
        )

    def save(self) -> None:
        """The meeting's details, then each case's changed discussion; stops at the first
        refusal with the form as typed and the message beside its part."""
        self.errors.clear()
        self.case_errors.clear()
        self.message.setVisible(False)
        self.saved_label.setVisible(False)
        self.actions_error.setVisible(False)
        self._keep_draft()
        panels = self.services.panels
        try:
            data = self._typed_meeting()
            if self.meeting_id is None:
                self.meeting_id = panels.create(data)
            elif self.view is not None and data != self.view.as_input():
                panels.change(self.meeting_id, data, self.view.version)
        except ValidationError as error:
            self._say(self.errors.show(error))
            return
        except ConflictError as error:
            self._say([str(error)])
            return
        except Exception as error:
            show_error(self, error)
            return
        made: list[int] = []
        shown = self._item(self.current_item)
        problem = self._date_problems() if shown is not None else None
        if shown is not None and problem is not None:  # the case on screen first: it is seen
            self.actions_error.setText(problem)
            self.actions_error.setVisible(True)
            self._say([f"{shown.case_ref}: not saved yet."])
            return
        for item_id, typed in list(self.drafts.items()):
            item = self._item(item_id)
            if item is None:
                continue
            self._select(item_id)
            problem = self._date_problems()
            try:
                if problem:
                    raise ValidationError({"actions": problem})
                made += panels.record_discussion(item_id, typed, item.version)
            except ValidationError as error:
                self._select(item_id)
                left = self.case_errors.show(error)
                if "actions" in error.fields:
                    self.actions_error.setText(error.fields["actions"])
                    self.actions_error.setVisible(True)
                    left = [m for m in left if m != error.fields["actions"]]
                self._say([f"{item.case_ref}: not saved yet.", *left])
                return
            except ConflictError as error:
                self._say([f"{item.case_ref}: {error}"])
                return
            except Exception as error:
                show_error(self, error)
                return
            self.drafts.pop(item_id, None)
        self.reload()
        plural = "s" if len(made) != 1 else ""
        tasks = f" {len(made)} task{plural} made for the unit's workers." if made else ""
        self.saved_label.setText(f"Saved.{tasks}")
        self.saved_label.setVisible(True)

    def _say(self, lines: list[str]) -> None:
        shown = [line for line in lines if line]
        self.message.setText(" ".join(shown) or "Not saved: check the messages above.")
        self.message.setVisible(True)

    def make_pack(self) -> None:
        if self.meeting_id is None:
            return
        self._keep_draft()
        if self.drafts:  # the pack reads what is saved: what was typed is saved first
            self.save()
            if self.drafts or not self.message.isHidden():
                return
        from veru_desk.ui.dialogs.panel_pack import PanelPackDialog

        PanelPackDialog(self.services, self.meeting_id, self).exec()

    def reject(self) -> None:
        self._keep_draft()
        if self.drafts and not confirm(
            self,
            "Close without saving",
            "What you typed for "
            + ", ".join(i.case_ref for i in (self._item(k) for k in self.drafts) if i)
            + " is not saved yet.",
            action="Close without saving",
        ):
            return
        super().reject()


def _table(columns: tuple[str, ...], accessible: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.setAccessibleName(accessible)
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(
        QAbstractItemView.EditTrigger.AllEditTriggers
        & ~QAbstractItemView.EditTrigger.CurrentChanged
    )
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.setMinimumHeight(table.fontMetrics().lineSpacing() * 6)
    return table


def _fit_columns(table: QTableWidget, samples: dict[int, str]) -> None:
    """Columns wide enough for their heading and a typical value (a drop-down's longest
    choice), so neither is cut; dates fit dd/mm/yyyy."""
    metrics = table.fontMetrics()
    header = table.horizontalHeader()
    for column in range(table.columnCount()):
        heading = table.horizontalHeaderItem(column)
        words = heading.text() if heading is not None else ""
        sample = samples.get(column, "00/00/0000")
        width = max(metrics.horizontalAdvance(words) + 24, metrics.horizontalAdvance(sample) + 24)
        header.resizeSection(column, width)


def _add_row(table: QTableWidget, values: list[str] | None = None) -> int:
    row = table.rowCount()
    table.insertRow(row)
    for column in range(table.columnCount()):
        text = values[column] if values and column < len(values) else ""
        table.setItem(row, column, QTableWidgetItem(text))
    table.setCurrentCell(row, 0)
    return row


def _remove_row(table: QTableWidget) -> None:
    row = table.currentRow()
    if row >= 0:
        table.removeRow(row)


def _cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text().strip() if item is not None else ""


def _date(text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return parse_uk_date(text)
    except ValidationError:
        return None
