"""The audit viewer: who did what, when, to which case. For managers and administrators.

The trail grows to millions of rows, so the table's model holds only the pages fetched so
far: Qt asks ``canFetchMore``/``fetchMore`` as the user scrolls towards the end, and each
page is the next ``PAGE`` events older than the last one shown (see STYLE.md, qutebrowser's
history completion). The count above the table is one cheap query. Every look at the trail
(each Apply) is itself audited by the service. An administrator without a case role sees
"withheld" in place of case details (see ``services.audit_log``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from veru_desk.domain.audit_words import action_words
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import AuditAction
from veru_desk.domain.errors import NotFound, ValidationError, VeruError
from veru_desk.services import Services
from veru_desk.services.audit_log import AuditFilter, AuditRow
from veru_desk.ui.dialogs.audit_event import AuditEventDialog
from veru_desk.ui.shell.tasks import Progress, run_task
from veru_desk.ui.widgets.feedback import SavedLine, error_text, show_error
from veru_desk.ui.widgets.forms import DateField
from veru_desk.ui.widgets.page import page_frame
from veru_desk.ui.widgets.record_table import Column, RecordTableModel

ModelIndex = QModelIndex | QPersistentModelIndex
PAGE = 200

COLUMNS = (
    Column("When", lambda r: r.when_text),
    Column("User", lambda r: r.user_display_name),
    Column("Action", lambda r: r.action_text),
    Column("Case", lambda r: r.case_text),
    Column("Record", lambda r: r.record_kind if r.entity_type == "young_person" else r.record_text),
    Column("Summary", lambda r: r.summary),
    Column("Changes", lambda r: r.changes_words),
)
#: a full "When" as the column must show it whole: dd/mm/yyyy HH:MM
WHEN_SAMPLE = "00/00/0000 00:00"


class AuditTableModel(RecordTableModel):
    """Events newest first, fetched a page at a time from the audit log service; cells,
    headings and tooltips are the record table's."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(COLUMNS, parent)
        self.services = services
        self.where = AuditFilter()
        self._exhausted = True

    def load(self, where: AuditFilter) -> None:
        """The first page for a new filter (raises the service's errors to the page)."""
        first = self.services.audit_log.query(where, PAGE)
        self.where = where
        self._exhausted = len(first) < PAGE
        self.set_rows(first)

    def clear(self) -> None:
        self._exhausted = True
        self.set_rows([])

    def canFetchMore(self, parent: ModelIndex) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: ModelIndex) -> None:
        if parent.isValid() or self._exhausted or not self._rows:
            return
        try:
            page = self.services.audit_log.query(self.where, PAGE, before_id=self._rows[-1].id)
        except VeruError:
            self._exhausted = True
            return
        self._exhausted = len(page) < PAGE
        if not page:
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
        self._rows += page
        self.endInsertRows()


class AuditPage(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        layout = page_frame(
            self,
            "Audit trail",
            subtitle="Every sign-in, every case opened, every change, export and refusal, "
            "newest first. Each event is chained to the one before, so an altered trail shows; "
            "looking at it is recorded too."
            + (
                ""
                if services.actor.is_manager
                else " Case details are withheld: you see which case, not what changed."
            ),
        ).layout

        filters = QGridLayout()
        self.user_filter = QComboBox()
        self.user_filter.setAccessibleName("Filter by user")
        self.user_filter.addItem("Everyone", None)
        self.case_filter = QLineEdit()
        self.case_filter.setAccessibleName("Filter by case reference")
        self.case_filter.setPlaceholderText("VERU-YYYY-NNNNN")
        self.case_filter.setMinimumWidth(
            self.case_filter.fontMetrics().horizontalAdvance("VERU-YYYY-NNNNNMMM")
        )
        self.action_filter = QComboBox()
        self.action_filter.setAccessibleName("Filter by action")
        self.action_filter.addItem("All actions", None)
        for action in AuditAction:
            self.action_filter.addItem(action_words(action), action)
        self.date_from = DateField(accessible_name="From date")
        self.date_to = DateField(accessible_name="To date")
        for column, (label, widget) in enumerate(
            (
                ("User", self.user_filter),
                ("Case", self.case_filter),
                ("Action", self.action_filter),
                ("From", self.date_from),
                ("To", self.date_to),
            )
        ):
            filters.addWidget(QLabel(label), 0, column)
            filters.addWidget(widget, 1, column)
        self.apply_button = QPushButton("Apply")
        self.apply_button.setObjectName("primary")
        self.apply_button.clicked.connect(self.refresh)
        self.clear_button = QPushButton("Clear")
        self.clear_button.clicked.connect(self.clear_filters)
        filters.addWidget(self.apply_button, 1, 5)
        filters.addWidget(self.clear_button, 1, 6)
        layout.addLayout(filters)
        for field in (self.case_filter, self.date_from, self.date_to):
            field.returnPressed.connect(self.refresh)

        self.chain_label = QLabel("Checking the chain…")
        self.chain_label.setAccessibleName("Audit chain check")
        self.chain_label.setWordWrap(True)
        layout.addWidget(self.chain_label)

        self.problem = QLabel()
        self.problem.setObjectName("fieldError")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        layout.addWidget(self.problem)

        self.model = AuditTableModel(services, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Audit events")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        width = self.fontMetrics().horizontalAdvance("M")
        for column, chars in enumerate((11, 14, 10, 20, 16, 30)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width * chars)
        header.resizeSection(0, self.when_width())
        self.table.doubleClicked.connect(self.show_event_at)
        self.table.installEventFilter(self)
        self.event_dialog: AuditEventDialog | None = None
        layout.addWidget(self.table, 1)

        bottom = QHBoxLayout()
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Number of events")
        bottom.addWidget(self.count_label, 1)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.clicked.connect(self.export_csv)
        bottom.addWidget(self.export_button)
        layout.addLayout(bottom)
        self.saved = SavedLine(self)
        layout.addWidget(self.saved)
        self._users_loaded = False
        self._columns_fitted = False

    def when_width(self) -> int:
        """The "When" column wide enough for a whole dd/mm/yyyy HH:MM in the table's font
        (so it grows with the text size) with the cell's margins, never cut."""
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        text = max(
            metrics.horizontalAdvance(WHEN_SAMPLE),
            header.fontMetrics().horizontalAdvance("When"),
        )
        return text + 3 * metrics.horizontalAdvance("M")

    # --- one event in full -----------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter on a row shows it, as a double-click does (Qt's ``activated`` is only Enter
        on some platforms' styles)."""
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.show_event_at(self.table.currentIndex())
            return True
        return super().eventFilter(watched, event)

    def show_event_at(self, index: ModelIndex) -> None:
        """Every field of the event in a dialog, in words."""
        if not index.isValid():
            return
        row = self.model.row_at(index.row())
        if not isinstance(row, AuditRow):
            return
        if self.event_dialog is not None and self.event_dialog.isVisible():
            self.event_dialog.close()
        self.event_dialog = AuditEventDialog(row, self)
        self.event_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.event_dialog.destroyed.connect(self._dialog_gone)
        self.event_dialog.open()

    def _dialog_gone(self) -> None:
        self.event_dialog = None

    # --- filters --------------------------------------------------------------------------

    def _load_users(self) -> None:
        if self._users_loaded:
            return
        try:
            users = self.services.users.list()
        except VeruError:
            return
        for user in sorted(users, key=lambda u: u.display_name.casefold()):
            self.user_filter.addItem(f"{user.display_name} ({user.username})", user.username)
        self._users_loaded = True

    def current_filter(self) -> AuditFilter:
        """The filter as typed; raises ValidationError naming a bad date."""
        errors: dict[str, str] = {}
        dates = {}
        for name, field in (("date_from", self.date_from), ("date_to", self.date_to)):
            try:
                dates[name] = field.date_or_none(name)
            except ValidationError as error:
                errors.update(error.fields)
        if errors:
            raise ValidationError(errors)
        code = self.action_filter.currentData()  # Qt hands a StrEnum back as its str
        action = AuditAction(code) if code else None
        return AuditFilter(
            username=self.user_filter.currentData(),
            case_ref=self.case_filter.text().strip() or None,
            actions=frozenset({action}) if action is not None else frozenset(),
            date_from=dates["date_from"],
            date_to=dates["date_to"],
        )

    def clear_filters(self) -> None:
        self.user_filter.setCurrentIndex(0)
        self.case_filter.clear()
        self.action_filter.setCurrentIndex(0)
        self.date_from.clear()
        self.date_to.clear()
        self.refresh()

    def set_filter(self, where: AuditFilter) -> None:
        """Shows the events matching ``where`` (e.g. one case, from its workspace)."""
        self._load_users()
        index = self.user_filter.findData(where.username) if where.username else 0
        self.user_filter.setCurrentIndex(max(index, 0))
        self.case_filter.setText(where.case_ref or "")
        action = next(iter(where.actions)) if len(where.actions) == 1 else None
        self.action_filter.setCurrentIndex(max(self.action_filter.findData(action), 0))
        self.date_from.set_date(where.date_from)
        self.date_to.set_date(where.date_to)
        self.refresh()

    def check_chain(self) -> None:
        """Verifies the chain off the GUI thread (seconds on a long trail) and says so."""
        log = self.services.audit_log

        def done(status: Any) -> None:
            self.chain_label.setObjectName("" if status.ok else "fieldError")
            self.chain_label.setText(status.text)
            self.chain_label.style().unpolish(self.chain_label)
            self.chain_label.style().polish(self.chain_label)

        def failed(error: Exception) -> None:
            self.chain_label.setText(f"The chain could not be checked: {error_text(error)}")

        self.chain_label.setText("Checking the chain…")
        run_task(self, "Checking the audit chain…", lambda _p: log.verify_chain(), done, failed,
                 show_progress=False)  # fmt: skip

    def refresh(self) -> None:
        self._load_users()
        if self.chain_label.text() == "Checking the chain…":
            self.check_chain()
        self.problem.setVisible(False)
        try:
            where = self.current_filter()
            self.model.load(where)
            total = self.services.audit_log.count(where)
        except (ValidationError, NotFound) as error:
            self._show_problem(error)
            return
        except VeruError as error:
            show_error(self, error)
            return
        self.count_label.setText(f"{total:,} event{'s' if total != 1 else ''}")
        self.export_button.setEnabled(total > 0)
        if not self._columns_fitted and self.model.rowCount():
            self._fit_columns()

    def _fit_columns(self) -> None:
        """Once, on the first rows shown: the short columns as wide as what they show (up to
        a limit; the cell's tooltip has the rest), so a name and case reference read whole,
        and the summary takes what is left of the width, leaving the changes room, so that
        no column starts off beyond the window. After that the widths are the reader's."""
        viewport = self.table.viewport().width()
        if not self.table.isVisible() or viewport <= 0:
            return  # measured when shown (showEvent)
        self._columns_fitted = True
        em = self.fontMetrics().horizontalAdvance("M")
        for column in (1, 2, 3, 4):
            self.table.resizeColumnToContents(column)
            # the case holds a reference and a name with its preferred name: more room
            limit = em * (32 if column == 3 else 24)
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), limit))
        self.table.setColumnWidth(0, max(self.table.columnWidth(0), self.when_width()))
        used = sum(self.table.columnWidth(column) for column in range(5))
        changes = em * 14
        if used + em * 16 + changes > viewport:  # a narrow window: the case column gives way
            case = max(em * 12, self.table.columnWidth(3) - (used + em * 16 + changes - viewport))
            used -= self.table.columnWidth(3) - case
            self.table.setColumnWidth(3, case)
        self.table.setColumnWidth(5, max(em * 16, min(em * 34, viewport - used - changes)))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._columns_fitted and self.model.rowCount():
            QTimer.singleShot(0, self._fit_columns)  # once laid out at the window's size

    def _show_problem(self, error: VeruError) -> None:
        self.problem.setText(error_text(error).replace("• ", ""))
        self.problem.setVisible(True)
        self.model.clear()
        self.count_label.setText("")
        self.export_button.setEnabled(False)

    # --- export ----------------------------------------------------------------------------

    def export_csv(self) -> None:
        try:
            where = self.current_filter()
        except ValidationError as error:
            self._show_problem(error)
            return
        suggested = f"audit-trail-{format_uk_date(dt.date.today()).replace('/', '-')}.csv"
        name, _selected = QFileDialog.getSaveFileName(
            self, "Export the audit trail", suggested, "CSV files (*.csv)"
        )
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() != ".csv":
            path = path.with_suffix(".csv")
        log = self.services.audit_log

        def work(progress: Progress) -> int:
            return log.export_csv(where, path, progress=progress.keep_going)

        def done(count: int) -> None:
            self.export_button.setEnabled(True)
            self.count_label.setText(f"{count:,} event{'s' if count != 1 else ''} exported")
            self.saved.show_saved(path)

        def failed(error: Exception) -> None:
            self.export_button.setEnabled(True)
            show_error(self, error)

        self.export_button.setEnabled(False)
        self.saved.clear()
        run_task(
            self,
            "Exporting the audit trail…",
            work,
            done,
            failed,
            on_cancelled=lambda: self.export_button.setEnabled(True),
        )
