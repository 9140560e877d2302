"""Importing a partner's referral spreadsheet: choose, preview, import, with the CLI's rules.

``services.imports`` does all the reading and checking; this wizard only shows it. The preview
lists every bad value with the row number the partner sees in Excel, and which rows are young
people already on record. A file with bad rows imports nothing unless the person ticks "skip
the rows with problems"; the import itself is one transaction, runs off the GUI thread with a
progress bar, and Cancel rolls back everything.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.errors import VeruError
from veru_desk.domain.names import display_name
from veru_desk.services import Services
from veru_desk.services.imports import (
    REQUIRED_COLUMNS,
    ImportCancelled,
    ImportPreview,
    ImportRejected,
    ImportResult,
    ImportRow,
)
from veru_desk.ui.shell.tasks import Progress, run_task
from veru_desk.ui.widgets.feedback import error_text
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 50_000_000

ERROR_COLUMNS = (
    Column("Row", lambda e: str(e.line), numeric=True),
    Column("Column", lambda e: e.field),
    Column("Problem", lambda e: e.message),
)


def _known(row: ImportRow) -> str:
    if row.already_imported:
        return f"Already imported: line {row.line} is on record, and will not be added again"
    if row.same_referral_as_line:
        return f"The same referral as row {row.same_referral_as_line}: will not be added twice"
    if row.existing_case_ref and row.existing_on_record_only:
        # Someone else's case: its reference and worker, so they can be told; nothing more.
        worker = (
            f"allocated to {row.existing_worker} (ask them or your manager)"
            if row.existing_worker
            else "not allocated yet (ask your manager)"
        )
        return f"On record: {row.existing_case_ref}, {worker}: new referral on that record"
    if row.existing_case_ref:
        return f"Already on record ({row.existing_case_ref}): new referral on that record"
    if row.same_person_as_line:
        return f"Same young person as row {row.same_person_as_line}"
    return "New young person"


ROW_COLUMNS = (
    Column("Row", lambda r: str(r.line), numeric=True),
    Column(
        "Young person",
        lambda r: display_name(r.person.first_name, r.person.last_name, r.person.preferred_name),
    ),
    Column("Date of birth", lambda r: format_uk_date(r.person.date_of_birth)),
    Column("Received", lambda r: format_uk_date(r.referral.received_on)),
    Column("Referred by", lambda r: r.referral.referring_agency),
    Column("On record?", _known),
)


class ChooseFilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self._wizard = wizard
        self.setTitle("Choose the spreadsheet")
        self.setSubTitle(
            "Save the partner's spreadsheet as CSV (in Excel: Save As, CSV UTF-8). The first "
            "row must be the column headings."
        )
        layout = QVBoxLayout(self)
        columns = QLabel(
            "Required columns: "
            + ", ".join(REQUIRED_COLUMNS)
            + ". Dates are dd/mm/yyyy. Reasons can be several, separated by semicolons."
        )
        columns.setWordWrap(True)
        columns.setObjectName("hint")
        row = QHBoxLayout()
        self.path = QLineEdit()
        self.path.setAccessibleName("Spreadsheet file")
        self.path.setPlaceholderText("Path to a .csv file")
        self.path.textChanged.connect(lambda _t: self.completeChanged.emit())
        browse = QPushButton("Choose file…")
        browse.clicked.connect(self._browse)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.problem = QLabel()
        self.problem.setObjectName("fieldError")
        self.problem.setWordWrap(True)
        layout.addWidget(columns)
        layout.addLayout(row)
        layout.addWidget(self.problem)
        layout.addStretch(1)

    def _browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Choose the referral spreadsheet", "", "CSV files (*.csv);;All files (*)"
        )
        if path:
            self.path.setText(path)

    def isComplete(self) -> bool:
        return bool(self.path.text().strip())

    def validatePage(self) -> bool:
        path = Path(self.path.text().strip()).expanduser()
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                self.problem.setText("The file is larger than 50 MB: split it into smaller files.")
                return False
            self._wizard.data = path.read_bytes()
        except OSError as error:
            self.problem.setText(f"The file cannot be read: {error.strerror or error}.")
            return False
        self._wizard.file_name = path.name
        self.problem.clear()
        return True


class PreviewPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self._wizard = wizard
        self.preview: ImportPreview | None = None
        self.setTitle("Check before importing")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "Import")
        layout = QVBoxLayout(self)
        self.summary = QLabel("Checking the file…")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Preview summary")
        self.tabs = QTabWidget()
        self.error_model = RecordTableModel(ERROR_COLUMNS, self)
        self.error_table = RecordTable(self.error_model, "Problems found", self, stretch_column=2)
        self.row_model = RecordTableModel(ROW_COLUMNS, self)
        self.row_table = RecordTable(self.row_model, "Rows ready to import", self)
        self.tabs.addTab(self.error_table, "Problems")
        self.tabs.addTab(self.row_table, "Rows ready")
        self.skip_invalid = QCheckBox(
            "Skip the rows with problems and import the rest (the partner must be told)"
        )
        self.skip_invalid.toggled.connect(lambda _c: self.completeChanged.emit())
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.skip_invalid)

    def initializePage(self) -> None:
        self.preview = None
        self.skip_invalid.setChecked(False)
        self.summary.setText("Checking the file…")
        self.error_model.set_rows([])
        self.row_model.set_rows([])
        imports = self._wizard.services.imports
        data = self._wizard.data

        def work(_progress: Progress) -> ImportPreview:
            return imports.preview(data)

        run_task(self, "Checking the file", work, self._previewed, self._failed, cancellable=False)

    def _previewed(self, preview: ImportPreview) -> None:
        self.preview = preview
        self.error_model.set_rows(preview.errors)
        self.row_model.set_rows(preview.rows)
        known = sum(1 for r in preview.rows if r.existing_person_id is not None)
        bad = len(preview.bad_lines)
        parts = [f"{preview.total_rows} row{'s' if preview.total_rows != 1 else ''} read"]
        repeats = len(preview.repeats)
        parts.append(f"{len(preview.rows) - repeats} ready to import")
        if repeats:
            parts.append(
                f"{repeats} already imported (the same young person, referral date and "
                "agency), which will not be added again"
            )
        if known:
            parts.append(
                f"{known} for young people already on record (added as new referrals on "
                "their records)"
            )
        text = "; ".join(parts) + "."
        if preview.errors:
            text += (
                f"\n{bad} row{'s have' if bad != 1 else ' has'} problems: nothing will be "
                "imported until they are fixed in the spreadsheet, unless you choose to skip "
                "them."
            )
            self.tabs.setCurrentWidget(self.error_table)
        else:
            self.tabs.setCurrentWidget(self.row_table)
        if preview.ignored_columns:
            text += "\nColumns not used: " + ", ".join(preview.ignored_columns) + "."
        self.summary.setText(text)
        self.skip_invalid.setVisible(bool(preview.errors) and bool(preview.rows))
        self.completeChanged.emit()

    def _failed(self, error: Exception) -> None:
        self.summary.setText(error_text(error))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        preview = self.preview
        if preview is None or not preview.rows:
            return False
        return preview.ok or self.skip_invalid.isChecked()


class _ProgressRelay(QObject):
    """Carries row counts from the import thread to the page (a queued signal)."""

    progressed = Signal(int, int)


class RunPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self._wizard = wizard
        self.finished = False
        self.result: ImportResult | None = None
        self._progress: Progress | None = None
        self._relay = _ProgressRelay(self)
        self._relay.progressed.connect(self._progressed)
        self.setTitle("Importing")
        layout = QVBoxLayout(self)
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Import progress")
        self.status = QLabel("Starting…")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Import result")
        self.cancel_button = QPushButton("Cancel import")
        self.cancel_button.clicked.connect(self.cancel)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        layout.addStretch(1)

    def initializePage(self) -> None:
        self.finished = False
        self.result = None
        self.bar.setRange(0, 0)
        self.status.setText("Importing… Cancel stops it and imports nothing.")
        self.cancel_button.setEnabled(True)
        imports = self._wizard.services.imports
        data = self._wizard.data
        skip = self._wizard.preview_page.skip_invalid.isChecked()
        name = self._wizard.file_name

        relay = self._relay

        def work(progress: Progress) -> ImportResult:
            def keep_going(done: int, total: int) -> bool:
                relay.progressed.emit(done, total)
                return progress.keep_going(done, total)

            return imports.run(data, skip_invalid=skip, progress=keep_going, file_name=name)

        self._progress = run_task(
            self,
            "Importing referrals",
            work,
            self._done,
            self._failed,
            show_progress=False,
            on_cancelled=self._cancelled,
        )

    def _progressed(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.status.setText(
            f"Importing row {done} of {total}… Cancel stops it and imports nothing."
        )

    def cancel(self) -> None:
        if self._progress is not None and not self.finished:
            self._progress.cancel()
            self.status.setText("Cancelling…")

    def _done(self, result: ImportResult) -> None:
        self.result = result
        skipped = len({e.line for e in result.skipped})
        text = (
            f"Imported {result.new_referrals} referral{'s' if result.new_referrals != 1 else ''}: "
            f"{result.new_people} new young people, {result.existing_people} already on record."
        )
        if skipped:
            text += f" {skipped} rows with problems were skipped: send them back to the partner."
        if result.already_imported:
            count = len(result.already_imported)
            text += (
                f" {count} row{'s were' if count != 1 else ' was'} already imported and "
                "not added again."
            )
        self._finish(text)
        self.bar.setRange(0, 1)
        self.bar.setValue(1)

    def _failed(self, error: Exception) -> None:
        if isinstance(error, ImportCancelled):
            self._cancelled()
            return
        if isinstance(error, ImportRejected | VeruError):
            self._finish(f"Nothing was imported. {error}")
        else:
            log.error("import failed", exc_info=error)
            self._finish(error_text(error))
        self.bar.setRange(0, 1)
        self.bar.setValue(0)

    def _cancelled(self) -> None:
        self._finish("Import cancelled: nothing was imported.")
        self.bar.setRange(0, 1)
        self.bar.setValue(0)

    def _finish(self, text: str) -> None:
        self.finished = True
        self.status.setText(text)
        self.cancel_button.setEnabled(False)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.finished


class ImportWizard(QWizard):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.data = b""
        self.file_name: str | None = None
        self.setWindowTitle("Import referrals from a spreadsheet")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.choose_page = ChooseFilePage(self)
        self.preview_page = PreviewPage(self)
        self.run_page = RunPage(self)
        self.addPage(self.choose_page)
        self.addPage(self.preview_page)
        self.addPage(self.run_page)
        em = self.fontMetrics().horizontalAdvance("M")
        self.resize(62 * em, 36 * self.fontMetrics().lineSpacing())

    def reject(self) -> None:
        if self.currentPage() is self.run_page and not self.run_page.finished:
            self.run_page.cancel()
            return
        super().reject()
