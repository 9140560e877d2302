"""The caseload: every case in a sortable table with filters and an instant text filter.

The table is a ``CaseloadModel`` (ids only, rows paged in as they show), so the page opens at
once on 100,000 people. Typing in the filter box waits 150 ms before re-querying, so a word
typed quickly costs one query.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from veru_desk.domain.enums import ReferralStatus, RiskLevel
from veru_desk.domain.errors import VeruError
from veru_desk.domain.safeguarding import FlagKind
from veru_desk.services import Services
from veru_desk.services.caseload_view import CaseloadFilter, CaseloadSort
from veru_desk.services.changes import Changes, Kind
from veru_desk.services.quick_start import FirstScreen
from veru_desk.ui.pages.caseload_model import COLUMNS, CaseloadModel
from veru_desk.ui.shell.events import data_events
from veru_desk.ui.shell.first_paint import when_painted
from veru_desk.ui.widgets.page import page_frame

TEXT_DEBOUNCE_MS = 150
_OPEN = "open"
_ALL = "all"
_HIGH_OR_ABOVE = "high_or_above"
_ANY_FLAG = "any_flag"
#: What a caseload row shows: the person, the case's state, risk, last and next session...
CASELOAD_KINDS = frozenset(Kind) - {Kind.EXPORT, Kind.SETTINGS, Kind.AGENCY}


class CaseloadPage(QWidget):
    open_case = Signal(int)

    def __init__(
        self,
        services: Services,
        parent: QWidget | None = None,
        *,
        first_screen: FirstScreen | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.model = CaseloadModel(lambda: services.caseload, self)
        self.model.total_changed.connect(self._show_total)
        # Shown first at start-up, the page paints what the start-up read found; as fresh as
        # a query, so the first refresh (the page being shown) does not query again.
        self._seeded = first_screen is not None
        self._workers_loaded = False

        layout = page_frame(self, "Caseload").layout

        filters = QHBoxLayout()
        filters.setSpacing(8)
        self.text_filter = QLineEdit()
        self.text_filter.setPlaceholderText("Name, case reference or date of birth")
        self.text_filter.setAccessibleName("Filter cases by text")
        self.text_filter.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName("Filter by status")
        self.status_filter.addItem("Open cases", _OPEN)
        self.status_filter.addItem("All cases", _ALL)
        for status in ReferralStatus:
            self.status_filter.addItem(status.label, status.value)
        self.worker_filter = QComboBox()
        self.worker_filter.setAccessibleName("Filter by caseworker")
        self.worker_filter.addItem("Any caseworker", None)
        self.worker_filter.setVisible(services.actor.is_manager)
        self.risk_filter = QComboBox()
        self.risk_filter.setAccessibleName("Filter by risk")
        self.risk_filter.addItem("Any risk", None)
        self.risk_filter.addItem("High or very high", _HIGH_OR_ABOVE)
        for level in RiskLevel:
            self.risk_filter.addItem(level.label, level.value)
        self.flag_filter = QComboBox()
        self.flag_filter.setAccessibleName("Filter by safeguarding flag")
        self.flag_filter.setToolTip("Only cases with this safeguarding flag active today")
        self.flag_filter.addItem("Any or no flags", None)
        self.flag_filter.addItem("Any active flag", _ANY_FLAG)
        for kind in FlagKind:
            self.flag_filter.addItem(kind.label, kind.value)
        self.overdue = QCheckBox("Overdue")
        self.overdue.setToolTip(
            "Only cases with a risk review, plan review or plan action due before today"
        )
        self.overdue.setAccessibleName("Show only overdue cases")
        self.no_contact = QCheckBox("No contact yet")
        self.disengaged = QCheckBox("Disengaged")
        self.no_contact.setAccessibleName("Show only cases with no contact yet")
        self.disengaged.setAccessibleName("Show only disengaged cases")
        # Two rows, so the text filter keeps room for its hint at 1280x720 and 150% text
        filters.addWidget(self.text_filter, 1)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.worker_filter)
        filters.addWidget(self.risk_filter)
        layout.addLayout(filters)
        flags = QHBoxLayout()
        flags.setSpacing(16)
        flags.addWidget(self.flag_filter)
        flags.addWidget(self.overdue)
        flags.addWidget(self.no_contact)
        flags.addWidget(self.disengaged)
        flags.addStretch(1)
        layout.addLayout(flags)

        self.table = QTableView()
        self.table.setAccessibleName("Cases")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().lineSpacing() + 10)
        # Fixed row heights let the view skip measuring 100,000 rows.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(COLUMNS.index(CaseloadSort.NAME), Qt.SortOrder.AscendingOrder)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        # Widths from the longest usual text of each column, so nothing common is cut off.
        samples = {
            CaseloadSort.CASE_REF: "VERU-2026-00000",
            CaseloadSort.NAME: "Ó Súilleabháin, Zoë (Zo)",
            CaseloadSort.AGE: "Age",
            CaseloadSort.STATUS: "Active · disengaged",
            CaseloadSort.RISK: "Not assessed",
            CaseloadSort.FLAGS: "CCE, NRM, Missing",
            CaseloadSort.WORKER: "Dariusz Wójcik",
            CaseloadSort.NEXT_REVIEW: "Next review",
            CaseloadSort.OVERDUE: "Plan review due 24/08/2026",
            CaseloadSort.LAST_CONTACT: "Last contact",
        }
        metrics = self.table.fontMetrics()
        bold = QFont(self.table.font())
        bold.setBold(True)
        header_metrics = QFontMetrics(bold)
        for column, sample in samples.items():
            width = max(
                metrics.horizontalAdvance(sample),
                header_metrics.horizontalAdvance(column.label) + metrics.horizontalAdvance("MM"),
            )
            header.resizeSection(COLUMNS.index(column), width + metrics.horizontalAdvance("M"))
        header.sortIndicatorChanged.connect(self.model.sort)
        self.table.activated.connect(self._activated)
        layout.addWidget(self.table, 1)

        footer = QHBoxLayout()
        self.total_label = QLabel("")
        self.total_label.setObjectName("hint")
        self.total_label.setAccessibleName("Number of cases shown")
        self.open_button = QPushButton("Open case")
        self.open_button.setObjectName("primary")
        self.open_button.clicked.connect(self.open_selected)
        footer.addWidget(self.total_label, 1)
        footer.addWidget(self.open_button)
        layout.addLayout(footer)

        self._text_timer = QTimer(self)
        self._text_timer.setSingleShot(True)
        self._text_timer.setInterval(TEXT_DEBOUNCE_MS)
        self._text_timer.timeout.connect(self.apply_filters)
        self.text_filter.textChanged.connect(lambda _t: self._text_timer.start())
        for combo in (self.status_filter, self.worker_filter, self.risk_filter, self.flag_filter):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        for box in (self.overdue, self.no_contact, self.disengaged):
            box.toggled.connect(lambda _c: self.apply_filters())
        data_events().changed.connect(self._data_changed)
        if first_screen is not None:
            self.model.seed(first_screen.caseload_ids, first_screen.caseload_rows)
            # The start-up read has no overdue column: fill it in once the rows have painted,
            # not before (the fill loads the database layer the first paint must not wait for).
            when_painted(self.table.viewport(), self.model.fill_seeded)

    # --- filters ----------------------------------------------------------------------------

    def current_filter(self) -> CaseloadFilter:
        status = self.status_filter.currentData()
        risk = self.risk_filter.currentData()
        if risk == _HIGH_OR_ABOVE:
            risks = frozenset({RiskLevel.HIGH, RiskLevel.VERY_HIGH})
        elif risk:
            risks = frozenset({RiskLevel(risk)})
        else:
            risks = frozenset()
        worker = self.worker_filter.currentData() if self.services.actor.is_manager else None
        flag = self.flag_filter.currentData()
        if flag == _ANY_FLAG:
            flag_kinds = frozenset(FlagKind)
        elif flag:
            flag_kinds = frozenset({FlagKind(flag)})
        else:
            flag_kinds = frozenset()
        return CaseloadFilter(
            statuses=frozenset({ReferralStatus(status)})
            if status not in (_OPEN, _ALL)
            else frozenset(),
            worker_id=worker,
            risk_levels=risks,
            overdue_only=self.overdue.isChecked(),
            no_contact_yet=self.no_contact.isChecked(),
            disengaged_only=self.disengaged.isChecked(),
            text=self.text_filter.text().strip(),
            open_only=status == _OPEN,
            flag_kinds=flag_kinds,
        )

    def _filtered(self) -> bool:
        """Whether anything narrows the list beyond the default view (open cases)."""
        flt = self.current_filter()
        return bool(
            flt.statuses
            or flt.worker_id is not None
            or flt.risk_levels
            or flt.overdue_only
            or flt.no_contact_yet
            or flt.disengaged_only
            or flt.flag_kinds
            or flt.text
        )

    def apply_filters(self) -> None:
        self._text_timer.stop()
        self.model.set_filter(self.current_filter())

    def refresh(self) -> None:
        """Reloads the ids for the current filters, keeping the scroll position."""
        if self._seeded:
            self._seeded = False
            return
        self._load_workers()
        self._text_timer.stop()
        scroll = self.table.verticalScrollBar().value()
        self.model.filter = self.current_filter()
        self.model.requery()
        self.table.verticalScrollBar().setValue(scroll)

    def _load_workers(self) -> None:
        if self._workers_loaded or not self.services.actor.is_manager:
            return
        try:
            workers = self.services.referrals.workers()
        except VeruError:
            return
        self._workers_loaded = True
        self.worker_filter.blockSignals(True)
        for worker in sorted(workers, key=lambda w: w.display_name):
            self.worker_filter.addItem(worker.display_name, worker.user_id)
        self.worker_filter.blockSignals(False)

    def _data_changed(self, changes: Changes) -> None:
        if changes.touches(CASELOAD_KINDS) and self.isVisible():
            self.refresh()

    def _show_total(self, total: int) -> None:
        if total < 0:  # the first page is on show; the rest are being read
            self.total_label.setText("Counting cases…")
            self.open_button.setEnabled(True)
            return
        if total == 0:
            self.total_label.setText(
                "No case matches these filters: change or clear them to see more."
                if self._filtered()
                else "No open cases. Choose “All cases” to include referrals awaiting triage "
                "and closed cases."
            )
        else:
            self.total_label.setText(f"{total:,} case{'s' if total != 1 else ''}")
        self.open_button.setEnabled(total > 0)

    # --- opening ----------------------------------------------------------------------------

    def _activated(self, index: QModelIndex) -> None:
        person_id = self.model.person_id_at(index.row())
        if person_id is not None:
            self.open_case.emit(person_id)

    def open_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        index = rows[0] if rows else self.table.currentIndex()
        if index.isValid():
            self._activated(index)
