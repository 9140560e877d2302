"""One list on the dashboard, as a card: a heading, a count and the items, each a double-click
(or Enter) from its case. Here rather than in the dashboard page because other pages draw
cards of their own for it (the tasks page's "My tasks") and the page imports those."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from veru_desk.services.dashboard import DashboardItem

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
LOADING = "Loading…"
VISIBLE_ROWS = 6


@dataclass(frozen=True)
class Section:
    field: str
    title: str
    empty: str
    urgent: bool = False


class DashboardCard(QFrame):
    """One list on the dashboard: a heading, a count, and the items."""

    item_chosen = Signal(object)

    def __init__(self, section: Section, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section = section
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        heading = QHBoxLayout()
        self.title = QLabel(section.title)
        self.title.setObjectName("cardTitle")
        self.title.setWordWrap(True)
        self.count = QLabel("")  # no number until the figures arrive
        self.count.setObjectName("cardCount")
        self.count.setAccessibleName(f"{section.title}: count")
        heading.addWidget(self.title, 1, Qt.AlignmentFlag.AlignTop)
        heading.addWidget(self.count, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(heading)
        self.list = QListWidget()
        self.list.setObjectName("cardList")
        self.list.setAccessibleName(section.title)
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Opened by double-click or Enter, as in every other list (a single click selects)
        self.list.itemActivated.connect(self._chosen)
        self.list.setAccessibleDescription("Double-click or press Enter to open the case")
        line = self.fontMetrics().lineSpacing()
        self.list.setMinimumHeight(line * 2 * 3)
        self.list.setMaximumHeight(line * (2 * VISIBLE_ROWS + 2))
        self.list.setVisible(False)  # until the figures arrive
        layout.addWidget(self.list, 1)
        self.more = QLabel("")
        self.more.setObjectName("hint")
        self.more.setWordWrap(True)
        self.more.setAccessibleName(f"{section.title}: how many are listed")
        self.more.setVisible(False)
        layout.addWidget(self.more)
        self.empty = QLabel(LOADING)
        self.empty.setObjectName("hint")
        self.empty.setAccessibleName(f"{section.title}: status")
        # while loading the card keeps a list's height, so the page does not jump when the
        # figures arrive
        self.empty.setMinimumHeight(self.list.minimumHeight())
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.loading = True
        # With no items the message takes the card's spare height, kept under the heading
        # (otherwise the heading drifts to the middle of an empty card).
        layout.addWidget(self.empty, 1, Qt.AlignmentFlag.AlignTop)

    def set_items(self, items: list[DashboardItem], total: int | None = None) -> None:
        """Shows ``items``, the first of ``total`` (the list's true number, counted by the
        service): the count says the total, never how many rows happen to be listed."""
        total = len(items) if total is None else total
        self.loading = False
        self.empty.setMinimumHeight(0)
        self.empty.setText(self.section.empty)
        self.list.clear()
        for entry in items:
            item = QListWidgetItem(f"{entry.name}  ({entry.case_ref})\n{entry.detail}")
            item.setData(ITEM_ROLE, entry)
            item.setToolTip(f"Double-click or press Enter to open {entry.name}'s case")
            self.list.addItem(item)
        self.count.setText(f"{total:,}")
        self.more.setText(f"Showing {len(items):,} of {total:,}.")
        self.more.setVisible(total > len(items))
        urgent = self.section.urgent and bool(items)
        self.count.setProperty("urgent", urgent)
        self.count.style().unpolish(self.count)
        self.count.style().polish(self.count)
        self.list.setVisible(bool(items))
        self.empty.setVisible(not items)

    def set_failed(self) -> None:
        """The figures could not be read: say so rather than show a number."""
        if not self.loading:
            return  # the last figures stay, the page's summary says they are not updated
        self.count.setText("")
        self.empty.setText("Not loaded: see the message above.")

    def items(self) -> list[DashboardItem]:
        return [self.list.item(row).data(ITEM_ROLE) for row in range(self.list.count())]

    def _chosen(self, item: QListWidgetItem) -> None:
        self.item_chosen.emit(item.data(ITEM_ROLE))
