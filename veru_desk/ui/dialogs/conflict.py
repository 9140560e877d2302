"""When two people edit the same record: who got there first, both versions side by side, and
a merge that never loses what either of them typed.

The save that came second is refused by the service (``services.base.check_version``), so
nothing is overwritten silently. The form then merges field by field (``domain.merge``): what
only the colleague changed keeps the colleague's value, what only this person changed keeps
theirs. Where both changed the same field, this dialog shows both: free text starts from the
colleague's saved words in an editor, with this person's own words beside it to copy from,
and a choice field offers the two values. Only what the person confirms here is saved.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.errors import ConflictError
from veru_desk.domain.merge import Merge, Side

_DIFFERENT = QColor("#fff4dc")
NOTHING = "(empty)"


class ConflictChoice(enum.Enum):
    SAVE = "save"  # save the combined version now
    EDIT = "edit"  # put the combined version in the form to check before saving
    DISCARD = "discard"  # drop my changes, keep the colleague's version


@dataclass(frozen=True)
class MergeRow:
    """One field as the person reads it: its label, both texts, and how it can be edited.

    ``text_limit`` is set for free text (0 for a paragraph, the field's maximum length for a
    single line); None means the field is a choice (a list, a number, a date, a tick box)."""

    key: Hashable
    label: str
    mine: str
    saved: str
    text_limit: int | None = None

    @property
    def free_text(self) -> bool:
        return self.text_limit is not None


def changed_by_text(conflict: ConflictError) -> str:
    who = conflict.changed_by or "someone else"
    when = f" at {conflict.changed_at}" if conflict.changed_at else ""
    return f"Changed by {who}{when}"


def who_of(conflict: ConflictError) -> str:
    return conflict.changed_by or "someone else"


def both_texts(theirs: str, mine: str, *, single_line: bool) -> str:
    """The colleague's words then mine, for a person who wants to keep both."""
    if not theirs.strip():
        return mine
    if not mine.strip():
        return theirs
    return f"{theirs} / {mine}" if single_line else f"{theirs}\n\n{mine}"


class _TextClash(QGroupBox):
    """Free text both people changed: an editor starting from the colleague's saved words,
    with mine beside it (selectable, to copy from) and buttons for the common answers."""

    def __init__(self, row: MergeRow, who: str) -> None:
        super().__init__(f"{row.label}: both of you changed this")
        self.row = row
        single = bool(row.text_limit)
        self.editor: QLineEdit | QPlainTextEdit
        if single:
            line = QLineEdit(row.saved)
            line.setMaxLength(row.text_limit or 32767)
            self.editor = line
            mine: QLineEdit | QPlainTextEdit = QLineEdit(row.mine)
            mine.setReadOnly(True)
        else:
            box = QPlainTextEdit(row.saved)
            box.setTabChangesFocus(True)
            self.editor = box
            mine = QPlainTextEdit(row.mine)
            mine.setReadOnly(True)
            mine.setTabChangesFocus(True)
        if not single:
            lines = self.fontMetrics().lineSpacing() * 6
            self.editor.setMinimumHeight(lines)
            mine.setMinimumHeight(lines)
        self.editor.setAccessibleName(f"{row.label} to save")
        mine.setAccessibleName(f"{row.label}: your version")
        self.mine_view = mine

        self.use_theirs = QPushButton(f"Use {who}'s")
        self.use_mine = QPushButton("Use mine")
        self.use_both = QPushButton("Keep both")
        for button in (self.use_theirs, self.use_mine, self.use_both):
            button.setAutoDefault(False)
        self.use_theirs.clicked.connect(lambda: self._put(row.saved))
        self.use_mine.clicked.connect(lambda: self._put(row.mine))
        self.use_both.clicked.connect(
            lambda: self._put(both_texts(row.saved, row.mine, single_line=single))
        )

        grid = QGridLayout(self)
        grid.addWidget(QLabel(f"What will be saved (starts as {who}'s):"), 0, 0)
        grid.addWidget(QLabel("Yours, to copy from:"), 0, 1)
        grid.addWidget(self.editor, 1, 0)
        grid.addWidget(mine, 1, 1)
        buttons = QHBoxLayout()
        for button in (self.use_theirs, self.use_mine, self.use_both):
            buttons.addWidget(button)
        buttons.addStretch(1)
        grid.addLayout(buttons, 2, 0, 1, 2)

    def _put(self, text: str) -> None:
        if isinstance(self.editor, QLineEdit):
            self.editor.setText(text)
        else:
            self.editor.setPlainText(text)

    def text(self) -> str:
        if isinstance(self.editor, QLineEdit):
            return self.editor.text()
        return self.editor.toPlainText()


class _ChoiceClash(QGroupBox):
    """A list, number, date or tick box both people changed: keep theirs (ticked) or mine."""

    def __init__(self, row: MergeRow, who: str) -> None:
        super().__init__(f"{row.label}: both of you changed this")
        self.row = row
        self.keep_theirs = QRadioButton(f"Keep {who}'s: {row.saved or NOTHING}")
        self.use_mine = QRadioButton(f"Use yours: {row.mine or NOTHING}")
        self.keep_theirs.setChecked(True)
        self.group = QButtonGroup(self)
        self.group.addButton(self.keep_theirs)
        self.group.addButton(self.use_mine)
        layout = QVBoxLayout(self)
        layout.addWidget(self.keep_theirs)
        layout.addWidget(self.use_mine)

    def mine_chosen(self) -> bool:
        return self.use_mine.isChecked()


class ConflictDialog(QDialog):
    """Shows the refused save's versions, what the merge takes from each, and the clashes to
    decide. ``choice`` is None if the person closed it without choosing (the form keeps their
    typing, and saving again asks again)."""

    def __init__(
        self,
        conflict: ConflictError,
        merge: Merge,
        rows: Sequence[MergeRow],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.conflict = conflict
        self.merge = merge
        self.choice: ConflictChoice | None = None
        who = who_of(conflict)
        self.setWindowTitle("Changed by someone else")
        self.setModal(True)

        self.heading = QLabel(changed_by_text(conflict))
        self.heading.setObjectName("pageTitle")
        self.heading.setAccessibleName("Who changed the record")
        clashes = merge.clashes
        self.explain = QLabel(
            "Your changes were not saved, because this record was changed after you opened "
            f"it. Nothing has been lost. What only {who} changed keeps {who}'s version; what "
            "only you changed keeps yours."
            + (
                " You both changed the fields below the table: choose what to keep."
                if clashes
                else ""
            )
        )
        self.explain.setWordWrap(True)

        self.rows = list(rows)
        by_key = {row.key: row for row in self.rows}
        self.table = QTableWidget(len(self.rows), 4)
        self.table.setAccessibleName("Your version, the saved version and what will be saved")
        self.table.setHorizontalHeaderLabels(
            ["", "Your unsaved version", f"Saved by {who}", "What will be saved"]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(True)
        bold = QFont(self.table.font())
        bold.setBold(True)
        sides = {field.key: field.side for field in merge.fields}
        for index, row in enumerate(self.rows):
            side = sides.get(row.key, Side.UNCHANGED)
            cells = [
                QTableWidgetItem(row.label),
                QTableWidgetItem(row.mine or NOTHING),
                QTableWidgetItem(row.saved or NOTHING),
                QTableWidgetItem(_outcome_words(side, who)),
            ]
            cells[0].setFont(bold)
            if row.mine != row.saved:
                for cell in cells:
                    cell.setBackground(QBrush(_DIFFERENT))
                cells[0].setToolTip("The two versions differ here")
            for column, cell in enumerate(cells):
                self.table.setItem(index, column, cell)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.resizeRowsToContents()
        self._fit_table()

        self.clash_boxes: dict[Hashable, _TextClash | _ChoiceClash] = {}
        clash_area = QWidget()
        clash_layout = QVBoxLayout(clash_area)
        for field in clashes:
            row = by_key[field.key]
            box = _TextClash(row, who) if row.free_text else _ChoiceClash(row, who)
            self.clash_boxes[field.key] = box
            clash_layout.addWidget(box)
        clash_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(clash_area)
        scroll.setVisible(bool(clashes))
        self._clash_scroll = scroll
        self._clash_area = clash_area

        self.buttons = QDialogButtonBox()
        # Enter saves only when there is nothing to decide; with a clash, a person must click
        # (a button box makes its first accept button the default, so none is one then).
        self.save_button: QPushButton = self.buttons.addButton(
            "Save the combined version",
            QDialogButtonBox.ButtonRole.ActionRole
            if clashes
            else QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.save_button.setToolTip(
            f"Saves {who}'s changes and yours together"
            + (", with what you chose where you both changed a field." if clashes else ".")
        )
        self.edit_button: QPushButton = self.buttons.addButton(
            "Check it in the form first", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.edit_button.setToolTip("Puts the combined version in the form, without saving.")
        self.discard_button: QPushButton = self.buttons.addButton(
            "Discard my changes", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.discard_button.setToolTip(f"Close the form and keep {who}'s version as saved.")
        for button in (self.save_button, self.edit_button, self.discard_button):
            button.setAutoDefault(False)
        self.save_button.setDefault(not clashes)
        self.save_button.clicked.connect(lambda: self._choose(ConflictChoice.SAVE))
        self.edit_button.clicked.connect(lambda: self._choose(ConflictChoice.EDIT))
        self.discard_button.clicked.connect(lambda: self._choose(ConflictChoice.DISCARD))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)  # as the app's other dialogs
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.explain)
        layout.addWidget(self.table, 0 if clashes else 1)
        if clashes:
            layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        self._size_to_content(bool(clashes))
        # Start where the decision is: the first clash, else the button that saves.
        first = next(iter(self.clash_boxes.values()), None)
        if isinstance(first, _TextClash):
            first.editor.setFocus()
        elif isinstance(first, _ChoiceClash):
            first.keep_theirs.setFocus()
        else:
            self.save_button.setFocus()

    def _fit_table(self) -> None:
        """Every heading whole (a stretched column never narrower than its heading) and
        the table as tall as its rows, up to a third of the screen, then it scrolls."""
        header = self.table.horizontalHeader()
        frame = 2 * self.table.frameWidth()
        widths = [
            max(header.sectionSizeHint(column), self.table.sizeHintForColumn(column))
            for column in (0, 3)
        ]
        headings = [header.sectionSizeHint(column) for column in (1, 2)]
        self.table.setMinimumWidth(sum(widths) + 2 * max(headings) + frame + 24)
        rows = sum(self.table.rowHeight(row) for row in range(self.table.rowCount()))
        content = header.sizeHint().height() + rows + frame
        screen = self.screen().availableGeometry().height() if self.screen() else 720
        self.table.setMinimumHeight(min(content, screen // 3))
        self.table.setMaximumHeight(max(content, self.table.minimumHeight()))
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def _size_to_content(self, clashes: bool) -> None:
        em = self.fontMetrics().horizontalAdvance("M")
        available = self.screen().availableGeometry().size() if self.screen() else QSize(1280, 720)
        layout = self.layout()
        if layout is not None:
            layout.activate()
        width = max(em * (80 if clashes else 64), self.minimumSizeHint().width())
        height = self.sizeHint().height()
        if clashes:  # every clash in view when the screen allows, else the area scrolls
            scroll = self._clash_scroll
            inner = self._clash_area.sizeHint().height() + 2 * scroll.frameWidth()
            height = max(em * 40, height - scroll.sizeHint().height() + inner)
        size = QSize(width, max(height, self.minimumSizeHint().height()))
        self.resize(size.boundedTo(available * 0.9))

    def _choose(self, choice: ConflictChoice) -> None:
        self.choice = choice
        if choice is ConflictChoice.DISCARD:
            self.reject()
        else:
            self.accept()

    def choices(
        self, mine: dict[Hashable, Any], theirs: dict[Hashable, Any]
    ) -> dict[Hashable, Any]:
        """What the person chose for each clash: the edited words for free text, or the
        chosen side's value (from ``mine`` or ``theirs``) for anything else."""
        chosen: dict[Hashable, Any] = {}
        for key, box in self.clash_boxes.items():
            if isinstance(box, _TextClash):
                chosen[key] = box.text()
            else:
                chosen[key] = mine[key] if box.mine_chosen() else theirs[key]
        return chosen

    def text_clash(self, label: str) -> _TextClash:
        """The free-text clash of the row called ``label`` (for tests and accessibility)."""
        for box in self.clash_boxes.values():
            if isinstance(box, _TextClash) and box.row.label == label:
                return box
        raise KeyError(label)

    def choice_clash(self, label: str) -> _ChoiceClash:
        for box in self.clash_boxes.values():
            if isinstance(box, _ChoiceClash) and box.row.label == label:
                return box
        raise KeyError(label)

    def row_texts(self) -> list[tuple[str, str, str]]:
        """What each row shows (label, mine, saved), as a person reads the table."""
        return [
            (self._cell(row, 0), self._cell(row, 1), self._cell(row, 2))
            for row in range(self.table.rowCount())
        ]

    def _cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def outcome_texts(self) -> dict[str, str]:
        """Each row's 'What will be saved' column, by label."""
        return {self._cell(row, 0): self._cell(row, 3) for row in range(self.table.rowCount())}


def _outcome_words(side: Side, who: str) -> str:
    return {
        Side.UNCHANGED: "Unchanged",
        Side.SAME: "The same in both",
        Side.MINE: "Yours",
        Side.THEIRS: f"{who}'s",
        Side.CLASH: "Both changed: choose below",
    }[side]
