"""When two people edit the same record: who got there first, both versions side by side, and
a choice that never loses what either of them typed.

The save that came second is refused by the service (``services.base.check_version``), so
nothing is overwritten silently. This dialog lets the person whose save was refused compare
their unsaved values with the saved ones, then either keep editing (their typed values stay
in the form and the next save builds on the saved version, so it goes through) or drop their
changes and keep the other person's.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.errors import ConflictError

Values = Sequence[tuple[str, str]]
_DIFFERENT = QColor("#fff4dc")
NOTHING = "(empty)"


class ConflictChoice(enum.Enum):
    REAPPLY = "reapply"
    DISCARD = "discard"


def changed_by_text(conflict: ConflictError) -> str:
    who = conflict.changed_by or "someone else"
    when = f" at {conflict.changed_at}" if conflict.changed_at else ""
    return f"Changed by {who}{when}"


def side_by_side(mine: Values, saved: Values) -> list[tuple[str, str, str]]:
    """Rows of (label, my text, saved text) in the form's order; a label only one side has
    still gets a row, so nothing either person wrote is hidden."""
    saved_by_label = dict(saved)
    rows = [(label, text, saved_by_label.pop(label, "")) for label, text in mine]
    rows += [(label, "", text) for label, text in saved if label in saved_by_label]
    return rows


class ConflictDialog(QDialog):
    """Shows the refused save's two versions; ``choice`` is None if the person closed it
    without choosing (their typing stays in the form, and saving again asks again)."""

    def __init__(
        self, conflict: ConflictError, mine: Values, saved: Values, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.conflict = conflict
        self.choice: ConflictChoice | None = None
        heading_text = changed_by_text(conflict)
        self.setWindowTitle("Changed by someone else")
        self.setModal(True)

        self.heading = QLabel(heading_text)
        self.heading.setObjectName("pageTitle")
        self.heading.setAccessibleName("Who changed the record")
        explain = QLabel(
            "Your changes were not saved, because this record was changed after you opened "
            "it. Nothing has been lost: compare the two versions below. Rows that differ are "
            "highlighted."
        )
        explain.setWordWrap(True)

        self.rows = side_by_side(mine, saved)
        who = conflict.changed_by or "someone else"
        self.table = QTableWidget(len(self.rows), 3)
        self.table.setAccessibleName("Your version and the saved version")
        self.table.setHorizontalHeaderLabels(["", "Your unsaved version", f"Saved by {who}"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(True)
        bold = QFont(self.table.font())
        bold.setBold(True)
        for row, (label, my_text, saved_text) in enumerate(self.rows):
            cells = [QTableWidgetItem(label), QTableWidgetItem(my_text or NOTHING),
                     QTableWidgetItem(saved_text or NOTHING)]  # fmt: skip
            cells[0].setFont(bold)
            if my_text != saved_text:
                for cell in cells:
                    cell.setBackground(QBrush(_DIFFERENT))
                cells[0].setToolTip("The two versions differ here")
            for column, cell in enumerate(cells):
                self.table.setItem(row, column, cell)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()

        self.buttons = QDialogButtonBox()
        self.reapply_button: QPushButton = self.buttons.addButton(
            "Keep editing (re-apply my changes on top)", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.reapply_button.setToolTip(
            f"Your values stay in the form; saving again replaces {who}'s version with yours."
        )
        self.reapply_button.setDefault(True)
        self.discard_button: QPushButton = self.buttons.addButton(
            "Discard my changes", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.discard_button.setToolTip(f"Close the form and keep {who}'s version as saved.")
        self.reapply_button.clicked.connect(lambda: self._choose(ConflictChoice.REAPPLY))
        self.discard_button.clicked.connect(lambda: self._choose(ConflictChoice.DISCARD))

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(explain)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        em = self.fontMetrics().horizontalAdvance("M")
        self.resize(em * 60, em * 30)

    def _choose(self, choice: ConflictChoice) -> None:
        self.choice = choice
        if choice is ConflictChoice.REAPPLY:
            self.accept()
        else:
            self.reject()

    def row_texts(self) -> list[tuple[str, str, str]]:
        """What each row shows (label, mine, saved), as a person reads the table."""
        return [
            tuple(self.table.item(row, column).text() for column in range(3))  # type: ignore[misc]
            for row in range(self.table.rowCount())
        ]
