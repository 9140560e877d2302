"""The caseload table model: only the ids are held, rows are fetched a page at a time.

Following Anki's browser table, the model keeps the list of person ids the query returned
(integers: cheap even at 100,000) and asks the service for a page of ~200 light rows only
when the view paints a row of that page. A new query reads only the first page's ids and the
count, so the first screen paints at once; the rest of the ids follow when the event loop is
next idle, or at once if the view goes past them first. Pages are kept in a small
least-recently-used cache, keyed by person id as the service advises, so scrolling back is
instant and memory stays flat. Sorting and filtering re-run the id query; nothing else is
loaded.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QWidget

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import RiskLevel
from veru_desk.domain.errors import VeruError
from veru_desk.domain.names import fold
from veru_desk.domain.safeguarding import FlagKind
from veru_desk.services.caseload_view import CaseloadFilter, CaseloadRow, CaseloadSort

if TYPE_CHECKING:
    from veru_desk.services.caseload import CaseloadService

log = logging.getLogger(__name__)

ModelIndex = QModelIndex | QPersistentModelIndex
PERSON_ID_ROLE = Qt.ItemDataRole.UserRole + 1
PAGE_SIZE = 200
MAX_CACHED_PAGES = 40

COLUMNS: tuple[CaseloadSort, ...] = (
    CaseloadSort.CASE_REF,
    CaseloadSort.NAME,
    CaseloadSort.AGE,
    CaseloadSort.STATUS,
    CaseloadSort.RISK,
    CaseloadSort.FLAGS,
    CaseloadSort.WORKER,
    CaseloadSort.NEXT_REVIEW,
    CaseloadSort.OVERDUE,
    CaseloadSort.LAST_CONTACT,
)

_OVERDUE = QColor("#b3261e")
_HIGH_RISK = QColor("#8a1c1c")
_QUIET = QColor("#5b6b76")

_DISPLAY = Qt.ItemDataRole.DisplayRole
_ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_FONT = Qt.ItemDataRole.FontRole
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole
_ROLES = frozenset({_DISPLAY, _ACCESSIBLE, _TOOLTIP, _FOREGROUND, _FONT, _ALIGNMENT})
_ROOT = QModelIndex()  # the invalid index: the table's rows have no parent
_COLUMN_COUNT = len(COLUMNS)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def listed_name(row: CaseloadRow) -> str:
    """``Wiśniewski, Łukasz (Luke)``: surname first, matching the name sort."""
    name = f"{row.last_name}, {row.first_name}"
    preferred = (row.preferred_name or "").strip()
    if preferred and fold(preferred) != fold(row.first_name):
        name += f" ({preferred})"
    return name


def _status_text(row: CaseloadRow) -> str:
    text = row.status.label if row.status else "No referral"
    return f"{text} · disengaged" if row.disengaged else text


#: How each column's text is made from a row: one function a column, so a row's texts are
#: ten plain calls (``row_texts``), not ten walks down a chain of column tests.
_TEXT_OF: dict[CaseloadSort, Callable[[CaseloadRow], str]] = {
    CaseloadSort.CASE_REF: lambda row: row.case_ref,
    CaseloadSort.NAME: listed_name,
    CaseloadSort.AGE: lambda row: str(row.age),
    CaseloadSort.STATUS: _status_text,
    CaseloadSort.RISK: lambda row: row.risk_level.label if row.risk_level else "Not assessed",
    CaseloadSort.WORKER: lambda row: row.worker or "Unallocated",
    CaseloadSort.NEXT_REVIEW: lambda row: format_uk_date(row.next_review_on),
    CaseloadSort.OVERDUE: lambda row: "…" if row.overdue is None else row.overdue,
    CaseloadSort.FLAGS: lambda row: (
        "…" if row.flags is None else ", ".join(kind.short for kind in row.flags)
    ),
    CaseloadSort.LAST_CONTACT: lambda row: format_uk_date(row.last_contact_on) or "None yet",
}
_COLUMN_TEXTS = tuple(_TEXT_OF[column] for column in COLUMNS)


def row_texts(row: CaseloadRow) -> tuple[str, ...]:
    """The row's text in every column, in ``COLUMNS`` order."""
    return tuple([text(row) for text in _COLUMN_TEXTS])


def review_overdue(row: CaseloadRow, today: dt.date) -> bool:
    return (
        row.next_review_on is not None
        and row.next_review_on < today
        and row.status is not None
        and row.status.is_open_case
    )


class CaseloadModel(QAbstractTableModel):
    #: the number of matching cases changed (after a filter or a reload); -1 while the
    #: first page is on show and the rest are still to be read and counted
    total_changed = Signal(int)

    def __init__(
        self, caseload: Callable[[], CaseloadService], parent: QWidget | None = None
    ) -> None:
        """``caseload`` gives the service when the model first needs it: a model seeded with
        the start-up read (``seed``) paints without loading the database layer at all."""
        super().__init__(parent)
        self._service = caseload
        self._ids: list[int] = []  # the ids read so far, in display order: a prefix of all
        self._total = 0  # the row count: how many cases match, once ``_counted``
        self._counted = True
        self._generation = 0  # one per set of ids, so a late read of the rest can tell
        self._rows: dict[int, CaseloadRow] = {}
        # Each cached row's cell texts, worked out when the view first asks: Qt asks again
        # on every repaint (hover, scroll, focus), for the display and the accessible text.
        self._texts: dict[int, tuple[str, ...]] = {}
        self._pages: OrderedDict[int, list[int]] = OrderedDict()
        # The page last moved to the end of ``_pages`` (the most recently used): a cell of it
        # need not move it again, which ``data`` would otherwise do for every cell.
        self._newest_page = -1
        self.filter = CaseloadFilter(open_only=True)
        self.sort_key = CaseloadSort.NAME
        self.descending = False
        self.page_fetches = 0  # how many pages were fetched (for tests and the benchmark)
        self._today = dt.date.today()

    # --- querying ---------------------------------------------------------------------------

    def set_filter(self, flt: CaseloadFilter) -> None:
        self.filter = flt
        self.requery()

    def requery(self) -> None:
        """Re-runs the query for the current filter and sort: the first page's rows first;
        the other ids, and so the count, when the event loop is next idle (``_read_rest``),
        and their rows as they show. At 300,000 people the count of 54,759 open cases took
        8 ms and the whole list of them more: the first screen waits for neither."""
        try:
            rows, total = self._caseload.first_rows(
                self.filter, self.sort_key, self.descending, limit=PAGE_SIZE
            )
        except VeruError as error:
            log.warning("caseload query failed: %s", error)
            rows, total = [], 0
        self._show_first([row.person_id for row in rows], rows, total)

    def _read_rest(self, generation: int | None = None) -> None:
        """Reads every id when only the first page's are known. If the list changed since
        (a case opened or closed in between), the table is shown afresh as it now is, once
        the view has finished what it is doing: a reset in the middle of a paint is unsafe."""
        if generation is not None and generation != self._generation:
            return
        if self._counted and len(self._ids) >= self._total:
            return
        try:
            ids = self._caseload.ids(self.filter, self.sort_key, self.descending)
        except VeruError as error:
            log.warning("caseload query failed: %s", error)
            return
        if not self._counted and ids[: len(self._ids)] == self._ids:
            self._extend(ids)
            return
        if len(ids) == self._total and ids[: len(self._ids)] == self._ids:
            self._ids = ids
            return
        self._ids = ids[: self._total]
        generation = self._generation
        QTimer.singleShot(0, self, lambda: self._show_changed(ids, generation))

    def _extend(self, ids: list[int]) -> None:
        """The whole list, the first page of which is on show: the rest follow it."""
        first = len(self._ids)
        if len(ids) > first:
            self.beginInsertRows(QModelIndex(), first, len(ids) - 1)
            self._ids, self._total = ids, len(ids)
            self.endInsertRows()
        self._counted = True
        self.total_changed.emit(self._total)

    def _show_changed(self, ids: list[int], generation: int) -> None:
        if generation == self._generation:
            self.set_ids(ids)

    def _id_at(self, row: int) -> int | None:
        if not 0 <= row < self._total:
            return None
        if row >= len(self._ids):
            self._read_rest()
        return self._ids[row] if row < len(self._ids) else None

    @property
    def _caseload(self) -> CaseloadService:
        return self._service()

    def seed(self, ids: list[int], first_page: Sequence[CaseloadRow]) -> None:
        """Shows ids and their first page as read at start-up (``services.quick_start``),
        for the default filter and sort, which are what a new model has."""
        self._show_first(ids, first_page, len(ids))

    def _show_first(
        self, ids: list[int], first_page: Sequence[CaseloadRow], total: int | None = None
    ) -> None:
        """Shows ``ids`` with the rows of the first page: all the ids there are, or the first
        of ``total``, or (``total`` None) the first of a number not counted yet."""
        self.set_ids(ids, total, counted=total is not None or len(ids) < PAGE_SIZE)
        for r in first_page:
            self._keep(r)
        self._pages[0] = self._ids[:PAGE_SIZE]
        self._newest_page = -1

    def fill_seeded(self) -> None:
        """Re-reads the rows seeded from the start-up read, which has no overdue column, so
        the column says what is overdue instead of "…" (one page, after the first paint)."""
        seeded = [row for row, pid in enumerate(self._ids) if self._rows.get(pid) is not None]
        seeded = [
            r
            for r in seeded
            if self._rows[self._ids[r]].overdue is None or self._rows[self._ids[r]].flags is None
        ]
        if not seeded:
            return
        for page in {r // PAGE_SIZE for r in seeded}:
            self._pages.pop(page, None)
            self._newest_page = -1
            self._fetch_page(page)
        column = len(COLUMNS) - 1  # the overdue and flags columns among them
        self.dataChanged.emit(
            self.index(min(seeded), 0), self.index(max(seeded), column), [_DISPLAY]
        )

    def set_ids(self, ids: list[int], total: int | None = None, *, counted: bool = True) -> None:
        """``ids`` in display order: all of them, or the first of ``total``; not ``counted``,
        the first of a number that the next read of them all will tell (``total_changed``
        says -1 until then: a page's length is not the number of cases)."""
        self.beginResetModel()
        self._ids = list(ids)
        self._total = len(self._ids) if total is None else max(total, len(self._ids))
        self._counted = counted
        self._generation += 1
        self._rows.clear()
        self._texts.clear()
        self._pages.clear()
        self._newest_page = -1
        self._today = dt.date.today()
        self.endResetModel()
        self.total_changed.emit(self._total if counted else -1)
        if len(self._ids) < self._total or not counted:
            generation = self._generation
            QTimer.singleShot(0, self, lambda: self._read_rest(generation))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        # Every id in the old order first: the rows the view holds on to are found among them.
        self._read_rest()
        self.sort_key = COLUMNS[column]
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.layoutAboutToBeChanged.emit()
        self.requery_keeping_layout()
        self.layoutChanged.emit()

    def requery_keeping_layout(self) -> None:
        """The sort changed but not the set of rows: swap the ids without a model reset."""
        try:
            ids = self._caseload.ids(self.filter, self.sort_key, self.descending)
        except VeruError as error:
            log.warning("caseload sort failed: %s", error)
            return
        if len(ids) != self._total or set(ids) != set(self._ids):
            self.beginResetModel()
            self._ids = ids
            self._total = len(ids)
            self._generation += 1
            self._rows.clear()
            self._texts.clear()
            self._pages.clear()
            self._newest_page = -1
            self.endResetModel()
            self.total_changed.emit(len(ids))
            return
        old_ids = self._ids
        self._ids = ids
        new_positions = {pid: row for row, pid in enumerate(ids)}
        self._pages.clear()  # pages are positional, so the cache starts again
        self._newest_page = -1
        self._rows.clear()
        self._texts.clear()
        for persistent in self.persistentIndexList():
            if not 0 <= persistent.row() < len(old_ids):
                continue
            moved_to = new_positions[old_ids[persistent.row()]]
            self.changePersistentIndex(persistent, self.index(moved_to, persistent.column()))

    # --- rows -------------------------------------------------------------------------------

    def person_id_at(self, row: int) -> int | None:
        return self._id_at(row)

    def row_for(self, row: int) -> CaseloadRow | None:
        """The row's data, fetching its page if it is not cached yet."""
        pid = self._id_at(row)
        if pid is None:
            return None
        cached = self._rows.get(pid)
        if cached is not None:
            self._touch(row // PAGE_SIZE)
            return cached
        page = row // PAGE_SIZE
        if page not in self._pages:
            self._fetch_page(page)
        return self._rows.get(pid)

    def _touch(self, page: int) -> None:
        if page in self._pages:
            self._pages.move_to_end(page)
            self._newest_page = page

    def _fetch_page(self, page: int) -> None:
        ids = self._ids[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        try:
            rows = self._caseload.rows(ids)
        except VeruError as error:
            log.warning("caseload rows failed: %s", error)
            rows = []
        self.page_fetches += 1
        for r in rows:
            self._keep(r)
        self._pages[page] = ids
        self._newest_page = -1
        while len(self._pages) > MAX_CACHED_PAGES:
            _evicted, evicted_ids = self._pages.popitem(last=False)
            keep = {pid for page_ids in self._pages.values() for pid in page_ids}
            for pid in evicted_ids:
                if pid not in keep:
                    self._rows.pop(pid, None)
                    self._texts.pop(pid, None)

    def _keep(self, row: CaseloadRow) -> None:
        self._rows[row.person_id] = row
        self._texts.pop(row.person_id, None)

    def cached_row_count(self) -> int:
        return len(self._rows)

    def total(self) -> int:
        return self._total

    # --- Qt model ---------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: ModelIndex = _ROOT) -> QModelIndex:
        """Qt's own ``index`` asks Python for ``rowCount`` and ``columnCount`` on every call
        (2,000 for a first page, and again on each repaint): one Python call does instead."""
        if 0 <= row < self._total and 0 <= column < _COLUMN_COUNT and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: ModelIndex, role: int = _DISPLAY) -> Any:
        # Called for every cell and role the view paints (2,000 display calls for a first
        # page): the roles are module constants because reading ``Qt.ItemDataRole.X`` costs
        # half a microsecond each time, and a cell whose row was already worked out is
        # answered before anything else is checked. An invalid index has row -1.
        if role in (_DISPLAY, _ACCESSIBLE):
            row_number = index.row()
            if 0 <= row_number < len(self._ids):
                texts = self._texts.get(self._ids[row_number])
                if texts is not None:
                    column_number = index.column()
                    if 0 <= column_number < len(texts):
                        page = row_number // PAGE_SIZE
                        if page != self._newest_page:
                            self._touch(page)
                        return texts[column_number]
        if role == PERSON_ID_ROLE:
            return self._id_at(index.row()) if index.isValid() else None
        if role not in _ROLES or not index.isValid():
            return None
        row_number, column_number = index.row(), index.column()
        if not 0 <= column_number < len(COLUMNS) or not 0 <= row_number < self._total:
            return None
        column = COLUMNS[column_number]
        if role == _ALIGNMENT:
            return _RIGHT if column is CaseloadSort.AGE else _LEFT
        row = self.row_for(row_number)
        if row is None:
            return "…" if role == _DISPLAY else None
        if role in (_DISPLAY, _ACCESSIBLE):
            texts = self._texts.get(row.person_id)
            if texts is None:
                texts = self._texts[row.person_id] = row_texts(row)
            return texts[column_number]
        if role == _TOOLTIP:
            return self._tooltip(row, column)
        if role == _FOREGROUND:
            return self._colour(row, column)
        high = row.risk_level in (RiskLevel.HIGH, RiskLevel.VERY_HIGH)
        if role == _FONT and column is CaseloadSort.RISK and high:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _tooltip(self, row: CaseloadRow, column: CaseloadSort) -> str | None:
        if column is CaseloadSort.NEXT_REVIEW and review_overdue(row, self._today):
            return "The risk review is overdue"
        if column is CaseloadSort.OVERDUE:
            return row.overdue or "Nothing overdue"
        if column is CaseloadSort.FLAGS and row.flags is not None:
            return "\n".join(kind.label for kind in row.flags) or "No active safeguarding flags"
        if column in (CaseloadSort.STATUS, CaseloadSort.NAME) and row.disengaged:
            return "Disengagement alert: missed the last three sessions offered"
        if column is CaseloadSort.NAME:
            return f"Born {format_uk_date(row.date_of_birth)}"
        return None

    def _colour(self, row: CaseloadRow, column: CaseloadSort) -> QColor | None:
        if column is CaseloadSort.NEXT_REVIEW and review_overdue(row, self._today):
            return _OVERDUE
        if column is CaseloadSort.STATUS and row.disengaged:
            return _OVERDUE
        if column is CaseloadSort.OVERDUE and row.overdue:
            return _OVERDUE
        if column is CaseloadSort.FLAGS and row.flags and FlagKind.MISSING in row.flags:
            return _OVERDUE  # a young person missing now: the most urgent thing in the row
        if column is CaseloadSort.RISK and row.risk_level in (RiskLevel.HIGH, RiskLevel.VERY_HIGH):
            return _HIGH_RISK
        if column is CaseloadSort.WORKER and not row.worker:
            return _QUIET
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].label
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Sort by {COLUMNS[section].label.lower()}"
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )
