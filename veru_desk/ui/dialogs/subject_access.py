"""A subject access export from the case: every item held, each one either released or
withheld with a reason, written as a readable PDF and a machine-readable JSON file.

The manager sees the same list the export will hold (``SubjectAccessService.gather``), so
what they withhold is chosen item by item and never left out silently: a withheld item
appears in both files as withheld, with the reason. Withholding a record withholds what hangs
off it (a referral's decisions, a goal's actions), so its children are greyed while it is.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QObject, QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.errors import ValidationError
from veru_desk.services import Services
from veru_desk.services.subject_access import (
    MAX_WITHHELD_REASON,
    Item,
    SubjectAccessData,
    SubjectAccessResult,
    describe_item,
)
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import show_error

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
TITLE_COLUMN, WHAT_COLUMN, REASON_COLUMN = 0, 1, 2
REASON_HINT = "Why withheld"


def default_folder() -> Path:
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found else Path.home()


def file_names(case_ref: str, on: dt.date) -> tuple[str, str]:
    stem = f"{case_ref}-subject-access-{on:%Y-%m-%d}"
    return f"{stem}.json", f"{stem}.pdf"


class SubjectAccessDialog(QDialog):
    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.person_id = person_id
        self.data: SubjectAccessData | None = None
        self.result_value: SubjectAccessResult | None = None
        self.reasons: dict[str, QLineEdit] = {}
        self._items: dict[str, QTreeWidgetItem] = {}
        self._records: dict[str, Item] = {}
        self.setWindowTitle("Subject access export")
        self.setModal(True)

        self.heading = QLabel("Reading everything held about the young person…")
        self.heading.setWordWrap(True)
        explain = QLabel(
            "Tick an item to withhold it (for example, it names a third party, or releasing "
            "it could put someone at risk) and give the reason: the export says the item is "
            "withheld and why. Everything else is released."
        )
        explain.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Items held")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(
            ["Item (tick to withhold)", "What it is", "Reason for withholding"]
        )
        self.tree.setUniformRowHeights(False)
        em = self.fontMetrics().horizontalAdvance("M")
        header = self.tree.header()
        header.setSectionResizeMode(TITLE_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(WHAT_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(REASON_COLUMN, QHeaderView.ResizeMode.Interactive)
        self._what_wanted = em * 22
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(em * 6)
        # The columns are shared out again whenever the list is resized (a smaller screen,
        # larger text): the item's own words keep at least room for their heading.
        self.tree.viewport().installEventFilter(self)
        self._balance_columns()
        self.tree.itemChanged.connect(self._item_changed)
        self.tree.currentItemChanged.connect(self._show_preview)

        # The selected item's fields, as the export will hold them: read, not edited here.
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName("Selected item")
        self.preview.setAccessibleDescription("Every field of the item selected in the list")
        self.preview.setPlaceholderText("Select an item to see everything it holds.")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)

        self.folder = QLineEdit(str(default_folder()))
        self.folder.setAccessibleName("Output folder")
        choose = QPushButton("Choose…")
        choose.setAccessibleName("Choose the output folder")
        choose.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(QLabel("Save to folder:"))
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(choose)

        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton(
            "Write PDF and JSON", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export_button.setEnabled(False)
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(explain)
        layout.addWidget(splitter, 1)
        layout.addLayout(folder_row)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._size_to_screen(em)
        self.load()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.tree.viewport() and event.type() == QEvent.Type.Resize:
            self._balance_columns()
        return super().eventFilter(watched, event)

    def _balance_columns(self) -> None:
        """ "What it is" and the reason as wide as they want, as long as every heading keeps
        its room; the title column (stretched) takes the rest. Measured here, once the list
        has its real fonts: measured when the dialog was built (before its style applied the
        text size) the headings were cut at 150% text."""
        header = self.tree.header()
        em = self.fontMetrics().horizontalAdvance("M")
        headings = [header.sectionSizeFromContents(column).width() for column in range(3)]
        title_needs = headings[TITLE_COLUMN] + em * 2
        room = self.tree.viewport().width() - title_needs
        hint = self.fontMetrics().horizontalAdvance(REASON_HINT) + em * 3
        reason_least = max(hint, headings[REASON_COLUMN])
        what_least = max(em * 10, headings[WHAT_COLUMN])
        wanted = max(em * 16, reason_least + em)
        reason = max(reason_least, min(wanted, room - what_least - em * 2))
        what = max(what_least, min(self._what_wanted, room - reason))
        header.resizeSection(WHAT_COLUMN, what)
        header.resizeSection(REASON_COLUMN, reason)

    def _size_to_screen(self, em: int) -> None:
        """Room for a long case's list: as large as asked, but never beyond the screen."""
        width, height = em * 120, em * 70
        screen = self.screen()
        if screen is not None:
            room = screen.availableGeometry()
            width = min(width, int(room.width() * 0.92))
            height = min(height, int(room.height() * 0.88))
        self.resize(width, height)

    # --- the list of items -----------------------------------------------------------------

    def load(self) -> None:
        access, person_id = self.services.subject_access, self.person_id

        def shown(data: SubjectAccessData) -> None:
            if shiboken6.isValid(self):
                self.show_items(data)

        run_task(
            self,
            "Reading everything held about the young person",
            lambda _progress: access.gather(person_id),
            shown,
            lambda error: show_error(self, error),
            cancellable=False,
        )

    def show_items(self, data: SubjectAccessData) -> None:
        self.data = data
        self.heading.setText(
            f"Case {data.case_ref}: {data.item_count} items held. Choose what, if anything, "
            "to withhold."
        )
        self.tree.blockSignals(True)
        self.tree.clear()
        self.reasons.clear()
        self._items.clear()
        self._records.clear()
        for section, items in data.sections:
            top = QTreeWidgetItem(self.tree, [f"{section} ({len(items)})"])
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for item in items:
                self._add(top, item)
            top.setExpanded(bool(items) and len(items) <= 20)
        self.tree.blockSignals(False)
        # Sized to every item's words, folded sections included (Qt measures only those shown).
        metrics = self.tree.fontMetrics()
        em = metrics.horizontalAdvance("M")
        widest = max(
            (metrics.horizontalAdvance(row.text(WHAT_COLUMN)) for row in self._items.values()),
            default=em * 10,
        )
        self._what_wanted = min(widest + em * 2, em * 30)
        self._balance_columns()
        self.export_button.setEnabled(True)

    def _add(self, parent: QTreeWidgetItem, item: Item) -> None:
        what = describe_item(item)
        row = QTreeWidgetItem(parent, [item.title, what, ""])
        row.setData(TITLE_COLUMN, KEY_ROLE, item.key)
        row.setToolTip(WHAT_COLUMN, f"{what}\nIn the export's JSON file: {item.key}")
        row.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
        row.setCheckState(TITLE_COLUMN, Qt.CheckState.Unchecked)
        row.setToolTip(
            TITLE_COLUMN, "\n".join(f"{label}: {text}" for label, text in item.fields[:12])
        )
        self._items[item.key] = row
        self._records[item.key] = item
        reason = QLineEdit()
        reason.setAccessibleName(f"Reason for withholding: {what}, {item.title}")
        reason.setMaxLength(MAX_WITHHELD_REASON)
        reason.setPlaceholderText(REASON_HINT)
        reason.setEnabled(False)
        self.reasons[item.key] = reason
        self.tree.setItemWidget(row, REASON_COLUMN, reason)
        for heading, children in item.children:
            group = QTreeWidgetItem(row, [heading])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for child in children:
                self._add(group, child)

    def _item_changed(self, row: QTreeWidgetItem, column: int) -> None:
        key = row.data(TITLE_COLUMN, KEY_ROLE)
        if column != TITLE_COLUMN or key is None:
            return
        withheld = row.checkState(TITLE_COLUMN) == Qt.CheckState.Checked
        reason = self.reasons[key]
        reason.setEnabled(withheld)
        if withheld:
            reason.setFocus()
        self.tree.blockSignals(True)
        for descendant in _descendants(row):
            child_key = descendant.data(TITLE_COLUMN, KEY_ROLE)
            if child_key is None:
                continue
            descendant.setDisabled(withheld)
            descendant.setToolTip(TITLE_COLUMN, "Withheld with the item above" if withheld else "")
            if withheld:
                descendant.setCheckState(TITLE_COLUMN, Qt.CheckState.Unchecked)
                self.reasons[child_key].setEnabled(False)
        self.tree.blockSignals(False)

    def describe(self, key: str) -> str:
        """The item's words in the list ("Case note 12/03/2026 by Priya Shah")."""
        return describe_item(self._records[key])

    def _show_preview(self, row: QTreeWidgetItem | None, _previous: object = None) -> None:
        key = row.data(TITLE_COLUMN, KEY_ROLE) if row is not None else None
        item = self._records.get(key) if key is not None else None
        if item is None:
            self.preview.clear()
            return
        lines = [f"{describe_item(item)}: {item.title}", ""]
        if item.withheld_reason is not None:
            lines.append(f"Withheld: {item.withheld_reason}")
        # What the record says first; its record numbers (also in the export) at the end.
        numbers = [(k, v) for k, v in item.fields if k == "Record number" or k.endswith(" id")]
        said = [(k, v) for k, v in item.fields if (k, v) not in numbers]
        lines.extend(f"{label}: {text}" for label, text in said + numbers)
        for heading, children in item.children:
            lines.append("")
            lines.append(f"{heading} ({len(children)}): listed under this item")
        self.preview.setPlainText("\n".join(lines))

    def set_withheld(self, key: str, reason: str) -> None:
        """Ticks one item and types its reason, as a manager would."""
        self._items[key].setCheckState(TITLE_COLUMN, Qt.CheckState.Checked)
        self.reasons[key].setText(reason)

    def withheld(self) -> dict[str, str]:
        return {
            key: self.reasons[key].text()
            for key, row in self._items.items()
            if row.checkState(TITLE_COLUMN) == Qt.CheckState.Checked and not row.isDisabled()
        }

    # --- writing ---------------------------------------------------------------------------

    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Save the export to", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def _refuse(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)

    def export(self) -> None:
        if self.data is None:
            return
        self.error.setVisible(False)
        withheld = self.withheld()
        missing = [key for key, reason in withheld.items() if not reason.strip()]
        if missing:
            named = "; ".join(
                f"{self.describe(key)} ({self._items[key].text(TITLE_COLUMN)})" for key in missing
            )
            self._refuse(f"Give the reason for withholding {named}, or untick it.")
            self.reasons[missing[0]].setFocus()
            return
        folder = Path(self.folder.text().strip()).expanduser()
        if not self.folder.text().strip() or not folder.is_dir():
            self._refuse("Choose a folder that exists to save the export in.")
            return
        json_name, pdf_name = file_names(self.data.case_ref, dt.date.today())
        json_path, pdf_path = folder / json_name, folder / pdf_name
        services, person_id = self.services, self.person_id
        self.export_button.setEnabled(False)

        def write(_progress: object) -> SubjectAccessResult:
            from veru_desk.reports.subject_access import export_subject_access

            return export_subject_access(services, person_id, json_path, pdf_path, withheld)

        run_task(
            self,
            "Writing the subject access export…",
            write,
            self._written,
            self._failed,
            cancellable=False,
        )

    def _written(self, result: SubjectAccessResult) -> None:
        self.result_value = result
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(result.pdf_path.parent)))
        self.accept()

    def _failed(self, error: Exception) -> None:
        if not shiboken6.isValid(self):
            return
        self.export_button.setEnabled(True)
        if isinstance(error, ValidationError):
            self._refuse("\n".join(error.fields.values()))
        else:
            show_error(self, error)


def _descendants(row: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    found: list[QTreeWidgetItem] = []
    for index in range(row.childCount()):
        child = row.child(index)
        if child is None:
            continue
        found.append(child)
        found.extend(_descendants(child))
    return found
