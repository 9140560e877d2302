"""A read-only table of service views (frozen dataclasses), described by its columns.

A case's lists (its sessions, assessments, goals, outcomes, timeline) are short, so the model
holds the views the service returned and turns each into text only when Qt asks for a cell.
Each tab says what its columns are; the model itself is written and tested once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

ModelIndex = QModelIndex | QPersistentModelIndex

#: The role that hands back the whole view a row shows (for selection and actions).
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1

_WARNING = QColor("#9c2a00")
_QUIET = QColor("#5f6368")
FIT_ROWS = 50  # rows measured when columns fit their text

_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_ROLES = frozenset({_DISPLAY, _TOOLTIP, _ALIGNMENT, _FOREGROUND, RECORD_ROLE})
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


@dataclass(frozen=True)
class Column:
    """One column: its heading and how to turn a row's view into the cell's text."""

    header: str
    text: Callable[[Any], str]
    tooltip: Callable[[Any], str] | None = None
    warning: Callable[[Any], bool] | None = None  # shown in the warning colour (overdue, DNA)
    quiet: Callable[[Any], bool] | None = None  # shown greyed (skipped, old versions)
    numeric: bool = False


class RecordTableModel(QAbstractTableModel):
    def __init__(self, columns: Sequence[Column], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, row: int) -> Any | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: ModelIndex, role: int = _DISPLAY) -> Any:
        # Called for every cell and role the view measures and paints (tens of thousands of
        # times for a long case): roles the model never answers leave first, and the roles
        # are module constants because reading ``Qt.ItemDataRole.X`` costs each time.
        if role not in _ROLES or not index.isValid():
            return None
        row_number, column_number = index.row(), index.column()
        if not 0 <= row_number < len(self._rows) or not 0 <= column_number < len(self._columns):
            return None
        record = self._rows[row_number]
        column = self._columns[column_number]
        if role == _DISPLAY:
            return column.text(record)
        if role == _TOOLTIP:
            if column.tooltip is not None:
                return column.tooltip(record) or None
            text = column.text(record)
            return text if len(text) > 40 or "\n" in text else None
        if role == _ALIGNMENT:
            return _RIGHT if column.numeric else _LEFT
        if role == _FOREGROUND:
            if column.warning is not None and column.warning(record):
                return _WARNING
            if column.quiet is not None and column.quiet(record):
                return _QUIET
            return None
        if role == RECORD_ROLE:
            return record
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self._columns)
        ):
            return self._columns[section].header
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class RecordTable(QTableView):
    """The table every case tab uses: whole rows selected, one at a time, keyboard friendly."""

    def __init__(
        self,
        model: RecordTableModel,
        accessible_name: str,
        parent: QWidget | None = None,
        *,
        stretch_column: int = -1,
    ) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setAccessibleName(accessible_name)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)  # Tab leaves the table for the buttons, as people expect
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(stretch_column == -1)
        # Columns fit the first rows (newest first), not all of a long case's: measuring a
        # thousand rows' text took a quarter of a second each time a tab loaded.
        header.setResizeContentsPrecision(FIT_ROWS)
        self._stretch_column = stretch_column
        model.modelReset.connect(self.fit_columns)

    def record_model(self) -> RecordTableModel:
        model = self.model()
        assert isinstance(model, RecordTableModel)
        return model

    def fit_columns(self) -> None:
        """Sizes columns to their text (capped so one long note does not push the rest away)."""
        header = self.horizontalHeader()
        limit = self.fontMetrics().horizontalAdvance("M") * 28
        count = self.record_model().columnCount()
        for column in range(count):
            if column == self._stretch_column:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
                continue
            if column == count - 1 and self._stretch_column == -1:
                continue
            self.resizeColumnToContents(column)
            if header.sectionSize(column) > limit:
                header.resizeSection(column, limit)

    def selected(self) -> Any | None:
        rows = self.selectionModel().selectedRows()
        if not rows:
            return None
        return self.record_model().row_at(rows[0].row())

    def select_first(self) -> None:
        if self.record_model().rowCount() > 0:
            self.selectRow(0)
