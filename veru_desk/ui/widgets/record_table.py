"""A read-only table of service views (frozen dataclasses), described by its columns.

A case's lists (its sessions, assessments, goals, outcomes, timeline) are short, so the model
holds the views the service returned and turns each into text only when Qt asks for a cell.
Each tab says what its columns are; the model itself is written and tested once.

A list that can grow long (a case's sessions and chronology) is paged: the view is given the
first ``page_rows`` rows and the next page when it scrolls to the end (Qt's ``fetchMore``),
so a case of years opens as quickly as a new one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QWidget,
)

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
    def __init__(
        self,
        columns: Sequence[Column],
        parent: QWidget | None = None,
        *,
        page_rows: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[Any] = []
        self._page_rows = page_rows
        self._paged = 0  # when paged: the rows the view has been given so far

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        page = self._page_rows
        self._paged = len(self._rows) if page is None else min(len(self._rows), page)
        self.endResetModel()

    @property
    def _shown(self) -> int:
        """Rows the view has: all of them unless paged (a subclass that appends to ``_rows``
        itself, as the audit trail's model does, keeps its own paging)."""
        return len(self._rows) if self._page_rows is None else self._paged

    def rows(self) -> list[Any]:
        """Every row held, those not yet paged into the view included."""
        return list(self._rows)

    def row_at(self, row: int) -> Any | None:
        return self._rows[row] if 0 <= row < self._shown else None

    def page_rows(self) -> int:
        return self._page_rows or len(self._rows)

    def total_rows(self) -> int:
        return len(self._rows)

    def rows_not_shown(self) -> int:
        return len(self._rows) - self._shown

    def show_more(self, count: int | None = None) -> None:
        """Gives the view the next page (or ``count`` more rows)."""
        step = count if count is not None else (self._page_rows or len(self._rows))
        end = min(len(self._rows), self._shown + max(step, 0))
        if end <= self._shown:
            return
        self.beginInsertRows(QModelIndex(), self._shown, end - 1)
        self._paged = end
        self.endInsertRows()

    def show_through(self, row: int) -> None:
        """Pages in as far as ``row`` (to select a record further down the list)."""
        if row >= self._shown:
            self.show_more(row + 1 - self._shown)

    def canFetchMore(self, parent: ModelIndex) -> bool:
        return not parent.isValid() and self._shown < len(self._rows)

    def fetchMore(self, parent: ModelIndex) -> None:
        if not parent.isValid():
            self.show_more()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: ModelIndex, role: int = _DISPLAY) -> Any:
        # Called for every cell and role the view measures and paints (tens of thousands of
        # times for a long case): roles the model never answers leave first, and the roles
        # are module constants because reading ``Qt.ItemDataRole.X`` costs each time.
        if role not in _ROLES or not index.isValid():
            return None
        row_number, column_number = index.row(), index.column()
        if not 0 <= row_number < self._shown or not 0 <= column_number < len(self._columns):
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


class ShowMore(QWidget):
    """Under a paged table: how many rows it shows of how many, and a button for the next
    page (scrolling to the end of the table brings it too). Hidden when every row is shown,
    so nobody takes the first page of a long case for all of it."""

    def __init__(self, model: RecordTableModel, noun: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._noun = noun
        self.label = QLabel()
        self.label.setObjectName("hint")
        self.label.setAccessibleName(f"{noun.capitalize()} shown")
        self.button = QPushButton("Show more")
        self.button.setAccessibleName(f"Show more {noun}")
        self.button.clicked.connect(lambda: model.show_more())
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.button)
        row.addStretch(1)
        model.modelReset.connect(self._update)
        model.rowsInserted.connect(self._update)
        self._update()

    def _update(self, *_args: object) -> None:
        hidden = self._model.rows_not_shown()
        self.setVisible(hidden > 0)
        if hidden > 0:
            shown, total = self._model.rowCount(), self._model.total_rows()
            self.label.setText(
                f"Showing the first {shown:,} of {total:,} {self._noun}: "
                "scroll to the end of the list for more."
            )
            self.button.setText(f"Show {min(hidden, self._model.page_rows()):,} more")
