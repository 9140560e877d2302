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
from PySide6.QtCore import QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
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
)
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import show_error

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
TITLE_COLUMN, KEY_COLUMN, REASON_COLUMN = 0, 1, 2


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
        self.tree.setHeaderLabels(["Item (tick to withhold)", "Key", "Reason for withholding"])
        header = self.tree.header()
        header.setSectionResizeMode(TITLE_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(KEY_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(REASON_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.tree.itemChanged.connect(self._item_changed)

        self.folder = QLineEdit(str(default_folder()))
        self.folder.setAccessibleName("Output folder")
        choose = QPushButton("Choose…")
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
        layout.addWidget(self.tree, 1)
        layout.addLayout(folder_row)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        em = self.fontMetrics().horizontalAdvance("M")
        self.resize(em * 64, em * 40)
        self.load()

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
        for section, items in data.sections:
            top = QTreeWidgetItem(self.tree, [f"{section} ({len(items)})"])
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for item in items:
                self._add(top, item)
            top.setExpanded(bool(items) and len(items) <= 20)
        self.tree.blockSignals(False)
        self.export_button.setEnabled(True)

    def _add(self, parent: QTreeWidgetItem, item: Item) -> None:
        row = QTreeWidgetItem(parent, [item.title, item.key, ""])
        row.setData(TITLE_COLUMN, KEY_ROLE, item.key)
        row.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
        row.setCheckState(TITLE_COLUMN, Qt.CheckState.Unchecked)
        row.setToolTip(
            TITLE_COLUMN, "\n".join(f"{label}: {text}" for label, text in item.fields[:12])
        )
        self._items[item.key] = row
        reason = QLineEdit()
        reason.setAccessibleName(f"Reason for withholding {item.key}")
        reason.setMaxLength(MAX_WITHHELD_REASON)
        reason.setPlaceholderText("Why it is withheld")
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
            descendant.setToolTip(KEY_COLUMN, "Withheld with the item above" if withheld else "")
            if withheld:
                descendant.setCheckState(TITLE_COLUMN, Qt.CheckState.Unchecked)
                self.reasons[child_key].setEnabled(False)
        self.tree.blockSignals(False)

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
            self._refuse(f"Give the reason for withholding {', '.join(missing)}, or untick it.")
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
