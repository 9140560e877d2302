"""The shape every case dialog shares: a form, Save and Cancel, Ctrl+S, Esc, errors kept apart.

A dialog reads its fields into a service input (parse errors are shown beside the fields at
once), then saves off the GUI thread. A validation error from the service goes beside the
field it names; a record someone else saved meanwhile is merged field by field with what
was saved (each form remembers what it was loaded with: ``load``), and the conflict dialog
shows both versions and asks only where both people changed the same field. A database
problem gets the standard dialog. Either way the form
stays open with everything the person typed, so nothing is lost to a locked database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.errors import ConflictError, ValidationError
from veru_desk.domain.merge import three_way
from veru_desk.services.changes import Changes, Kind
from veru_desk.ui.dialogs.conflict import ConflictChoice, ConflictDialog, MergeRow
from veru_desk.ui.shell.events import seen_elsewhere
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import show_error
from veru_desk.ui.widgets.forms import (  # noqa: F401 - enum helpers re-exported for the dialogs
    DateField,
    FieldErrors,
    chosen_enum,
    enum_combo,
    form_label,
    select_enum,
)
from veru_desk.ui.widgets.kit import (
    FormScrollArea,
    accept_button,
    dialog_buttons,
    fit_to_screen,
    grow_to_fit,
    house_form,
    inset_number_text,
    keep_contents_visible,
    screen_room,
)

T = TypeVar("T")

NOT_RECORDED = "Not recorded"
#: the height of the smallest screen the desk is made for (1280x720, as a 1920x1080 one at 150%)
SMALLEST_SCREEN_HEIGHT = 720


class CaseDialog(QDialog):
    """Subclasses build their rows with ``add_row`` and implement ``prepare``."""

    def __init__(
        self,
        title: str,
        person_id: int,
        event_kind: Kind,
        parent: QWidget | None = None,
        *,
        save_text: str = "Save",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 36)
        self.person_id = person_id
        self.event_kind = event_kind  # what the form shows, re-read by the screens on a clash
        self.result_value: Any = None
        self._busy = False
        self._fitted = False
        self.form_scroll: FormScrollArea | None = None  # on a small screen: see showEvent
        self._rows: list[tuple[str, QWidget, str]] = []  # (label, widget, service field)
        self._base: dict[str, Any] | None = None  # the form as loaded: see ``load``

        self.form = house_form()
        self.errors = FieldErrors()
        self.general_error = QLabel()
        self.general_error.setObjectName("formError")  # red, from the stylesheet
        self.general_error.setWordWrap(True)
        self.general_error.setVisible(False)

        self.buttons = dialog_buttons(save_text, on_accept=self.save, on_reject=self.reject)
        self.save_button: QPushButton = accept_button(self.buttons)
        self.save_button.setToolTip(f"{save_text} (Ctrl+S)")
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self).activated.connect(self.save)

        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        keep_contents_visible(self)  # a message that appears makes room, never squashes

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._fitted:  # the first time only: a size the person chose is kept
            self._fitted = True
            inset_number_text(self)
            # Taller than the smallest screen the desk supports scrolls even on a larger one
            # (it looks the same there): the dialog can still be dragged to a laptop's screen.
            room = min(screen_room(self).height(), SMALLEST_SCREEN_HEIGHT)
            if self.minimumSizeHint().height() > room:
                self._scroll_the_form()
            else:
                # Qt's minimum leaves out the height wrapped lines take at the width the
                # window has (the export's sharing step was drawn squashed at 150% text)
                grow_to_fit(self)
            fit_to_screen(self)

    def _scroll_the_form(self) -> None:
        """Moves the form into a scroll area, on a screen too small for even its minimum (the
        young person's details on a 1280x720 laptop at 150% text): every field stays
        reachable, none squashed, and the buttons stay in view."""
        layout = self.layout()
        if not isinstance(layout, QVBoxLayout) or self.form_scroll is not None:
            return
        layout.removeItem(self.form)
        body = QWidget()
        body.setObjectName("formBody")
        body.setLayout(self.form)
        self.form_scroll = FormScrollArea(body)
        layout.insertWidget(0, self.form_scroll, 1)
        layout.activate()

    # --- building --------------------------------------------------------------------------

    def add_row(self, label: str, widget: QWidget, field: str, *, accessible: str = "") -> QWidget:
        """A labelled row with its own error line underneath, keyed by the service's field."""
        self.errors.add_row(self.form, label, widget, field, accessible=accessible)
        self._rows.append(
            (form_label(label).rstrip("*").strip() or accessible or field, widget, field)
        )
        return widget

    # --- saving ----------------------------------------------------------------------------

    def prepare(self) -> Callable[[], Any]:
        """Reads the form and returns the service call to make; raises ValidationError."""
        raise NotImplementedError

    def save(self) -> None:
        if self._busy:
            return
        self.errors.clear()
        self.general_error.setVisible(False)
        try:
            action = self.prepare()
        except ValidationError as error:
            self.show_validation(error)
            return
        self._busy = True
        self.save_button.setEnabled(False)
        run_task(
            self,
            self.windowTitle(),
            lambda _progress: action(),
            self._saved,
            self._failed,
            cancellable=False,
            show_progress=False,
        )

    def show_validation(self, error: ValidationError) -> None:
        unplaced = self.errors.show(error)
        if unplaced:
            self.general_error.setText("\n".join(unplaced))
            self.general_error.setVisible(True)
        grow_to_fit(self, [*self.errors.labels(), self.general_error])

    def _saved(self, result: Any) -> None:
        self._busy = False
        self.save_button.setEnabled(True)
        self.result_value = result  # the service published what it changed
        self.accept()

    def _failed(self, error: Exception) -> None:
        self._busy = False
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError):
            self.show_validation(error)
        elif isinstance(error, ConflictError) and error.changed_by is not None:
            self._resolve_conflict(error)
        else:
            show_error(self, error)

    # --- two people editing the same record ------------------------------------------------

    def load(self, record: Any) -> None:
        """Fills the form from a saved record and remembers what it showed then: the base of
        the three-way merge if someone else saves the record while this form is open. Every
        dialog that edits a saved record fills itself through here."""
        self.fill(record)
        self._base = self.form_state()

    def fill(self, record: Any) -> None:
        """Shows ``record`` in every merge field of the form (see ``merge_fields``)."""
        raise NotImplementedError

    def reread(self) -> Any | None:
        """The edited record as saved now, re-read through its service (off the GUI thread)
        when a save is refused because someone else changed the record. None, the default,
        for dialogs that only add records: those get the standard conflict message instead."""
        return None

    def build_on(self, saved: Any) -> None:
        """Adopts the re-read record (its version) so the next save goes through on top of
        it. Dialogs overriding ``reread`` override this too."""
        raise NotImplementedError

    def merge_fields(self) -> list[tuple[str, str, QWidget]]:
        """(key, label, input) for every value the form edits. A row holding several tick
        boxes (the safeguarding flags) gives one field per box, so two people ticking
        different boxes both keep theirs."""
        found: list[tuple[str, str, QWidget]] = []
        for label, widget, field in self._rows:
            if is_input(widget):
                found.append((field, label, widget))
                continue
            for box in widget.findChildren(QCheckBox):
                found.append((f"{field}:{box.text()}", box.text(), box))
        return found

    def form_state(self) -> dict[str, Any]:
        return {key: widget_state(widget) for key, _label, widget in self.merge_fields()}

    def form_texts(self) -> dict[str, str]:
        return {key: widget_text(widget) for key, _label, widget in self.merge_fields()}

    def set_form_state(self, state: dict[str, Any]) -> None:
        for key, _label, widget in self.merge_fields():
            if key in state:
                set_widget_state(widget, state[key])

    def my_values(self) -> list[tuple[str, str]]:
        """The unsaved values as the form shows them, label -> text."""
        return [(label, widget_text(widget)) for _key, label, widget in self.merge_fields()]

    def _resolve_conflict(self, conflict: ConflictError) -> None:
        mine = self.form_state()
        mine_texts = self.form_texts()

        def compare(saved: Any) -> None:
            if saved is None or self._base is None:
                show_error(self, conflict)
                return
            self.fill(saved)  # the form as it would open on the saved record: their version
            theirs = self.form_state()
            theirs_texts = self.form_texts()
            self.set_form_state(mine)  # the person's typing stays in view while they decide
            merge = three_way(self._base, theirs, mine)
            rows = [
                MergeRow(key, label, mine_texts[key], theirs_texts[key], text_limit(widget))
                for key, label, widget in self.merge_fields()
            ]
            dialog = ConflictDialog(conflict, merge, rows, self)
            dialog.exec()
            if dialog.choice is ConflictChoice.DISCARD:
                seen_elsewhere(Changes.of(self.event_kind, self.person_id))
                self.reject()
                return
            if dialog.choice is None:
                return
            self.set_form_state(merge.resolve(dialog.choices(mine, theirs)))  # type: ignore[arg-type]  # keys: the form's field names
            self.build_on(saved)
            self._base = theirs
            if dialog.choice is ConflictChoice.SAVE:
                self.save()
                return
            self.general_error.setText(
                f"{conflict.changed_by or 'The other person'}'s changes and yours are combined "
                "in the form: check them, then save."
            )
            self.general_error.setVisible(True)

        run_task(
            self,
            "Reading the saved version",
            lambda _progress: self.reread(),
            compare,
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )


def is_input(widget: QWidget) -> bool:
    return isinstance(widget, QCheckBox | QComboBox | QAbstractSpinBox | QPlainTextEdit | QLineEdit)


def widget_state(widget: QWidget) -> Any:
    """The value a form widget holds, comparable between two fillings of the same form."""
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QComboBox):
        return (widget.currentData(), widget.currentText())
    if isinstance(widget, QSpinBox):
        return widget.value()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QLineEdit | QAbstractSpinBox):
        return widget.text()
    return None


def set_widget_state(widget: QWidget, state: Any) -> None:
    if isinstance(widget, QCheckBox):
        widget.setChecked(bool(state))
    elif isinstance(widget, QComboBox):
        data, text = state
        index = next(
            (
                i
                for i in range(widget.count())
                if widget.itemData(i) == data and widget.itemText(i) == text
            ),
            widget.findText(text),
        )
        if index < 0 and text:
            widget.addItem(text, data)
            index = widget.count() - 1
        widget.setCurrentIndex(index)
    elif isinstance(widget, QSpinBox):
        widget.setValue(int(state))
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(str(state))
    elif isinstance(widget, QLineEdit):
        widget.setText(str(state))


_SHORTEST_FREE_TEXT = 40


def text_limit(widget: QWidget) -> int | None:
    """How a clash in this widget is edited: 0 for a paragraph, the maximum length for a
    single line of free text, None for a choice (a list, number, date or tick box)."""
    if isinstance(widget, QPlainTextEdit):
        return 0
    if (
        isinstance(widget, QLineEdit)
        and not isinstance(widget, DateField)
        and widget.maxLength() >= _SHORTEST_FREE_TEXT
    ):
        return widget.maxLength()
    return None  # a date, or a short code such as a time: one version or the other


def widget_text(widget: QWidget) -> str:
    """What a form widget shows, in words (a tick box as Yes or No)."""
    if isinstance(widget, QCheckBox):
        return "Yes" if widget.isChecked() else "No"
    if isinstance(widget, QComboBox):
        return widget.currentText()
    if isinstance(widget, QAbstractSpinBox):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QLineEdit):
        return widget.text()
    return widget.accessibleName()


def gather(errors: dict[str, str], read: Callable[[], T]) -> T | None:
    """Runs one field's parser, collecting its message so every field is checked at once."""
    try:
        return read()
    except ValidationError as error:
        errors.update(error.fields)
        return None


def count_spin(maximum: int = 99, *, blank: bool = True) -> QSpinBox:
    """A whole-number field where 'Not recorded' (below the range) means no value."""
    spin = QSpinBox()
    spin.setRange(-1 if blank else 0, maximum)
    if blank:
        spin.setSpecialValueText(NOT_RECORDED)
        spin.setValue(-1)
    return spin


def spin_value(spin: QSpinBox) -> int | None:
    return None if spin.value() < 0 else spin.value()


def set_spin(spin: QSpinBox, value: int | None) -> None:
    spin.setValue(-1 if value is None else value)
