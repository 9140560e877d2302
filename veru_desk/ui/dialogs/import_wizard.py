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
    counted,
    rejected_rows_file,
    what_happens,
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
        return f"On record: {row.existing_case_ref}, {worker}: {what_happens(row, done=False)}"
    if row.existing_case_ref:
        return f"Already on record ({row.existing_case_ref}): {what_happens(row, done=False)}"
    if row.same_person_as_line:
        return (
            f"Same young person as row {row.same_person_as_line}: a further referral on the "
            "same case"
        )
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
            "An Excel workbook (.xlsx, its first sheet) or a CSV file (in Excel: Save As, "
            "CSV UTF-8). The first row must be the column headings."
        )
        layout = QVBoxLayout(self)
        columns = QLabel(
            "Required columns: "
            + ", ".join(REQUIRED_COLUMNS)
            + ". Dates are dd/mm/yyyy (or Excel date cells). Reasons can be several, separated "
            "by semicolons."
        )
        columns.setWordWrap(True)
        columns.setObjectName("hint")
        row = QHBoxLayout()
        self.path = QLineEdit()
        self.path.setAccessibleName("Spreadsheet file")
        self.path.setPlaceholderText("Path to an .xlsx or .csv file")
        self.path.textChanged.connect(lambda _t: self.completeChanged.emit())
        browse = QPushButton("Choose file…")
        browse.setAccessibleName("Choose the spreadsheet file")
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
            self,
            "Choose the referral spreadsheet",
            "",
            "Spreadsheets (*.xlsx *.csv);;Excel workbooks (*.xlsx);;CSV files (*.csv);;"
            "All files (*)",
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
        # Each problem is a sentence saying what to type instead: wrapped, never cut off.
        self.error_table.setWordWrap(True)
        self.error_table.horizontalHeader().sectionResized.connect(self._fit_problem_rows)
        self.row_model = RecordTableModel(ROW_COLUMNS, self)
        self.row_table = RecordTable(
            self.row_model, "Rows ready to import", self, stretch_column=len(ROW_COLUMNS) - 1
        )
        # "On record?" says what the row will do in a sentence: wrapped, never cut off.
        self.row_table.setWordWrap(True)
        self.row_table.horizontalHeader().sectionResized.connect(self._fit_ready_rows)
        self.tabs.addTab(self.error_table, "Problems")
        self.tabs.addTab(self.row_table, "Rows ready")
        self.skip_invalid = QCheckBox(
            "Skip the rows with problems and import the rest (the partner must be told)"
        )
        self.skip_invalid.toggled.connect(self._skip_toggled)
        self.blocked = QLabel()
        self.blocked.setObjectName("fieldError")
        self.blocked.setWordWrap(True)
        self.blocked.setAccessibleName("Why nothing was imported")
        self.blocked.setVisible(False)
        self.save_rejected_button = QPushButton("Save rejected rows…")
        self.save_rejected_button.setAccessibleName("Save the rows with problems to a file")
        self.save_rejected_button.setToolTip(
            "Saves the rows with problems, as the partner typed them, with a Problem column "
            "saying what to fix: a spreadsheet to send back."
        )
        self.save_rejected_button.clicked.connect(self.save_rejected)
        self.saved = QLabel()
        self.saved.setWordWrap(True)
        self.saved.setAccessibleName("Rejected rows saved")
        actions = QHBoxLayout()
        actions.addWidget(self.skip_invalid, 1)
        actions.addWidget(self.save_rejected_button)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(actions)
        layout.addWidget(self.saved)
        layout.addWidget(self.blocked)

    def initializePage(self) -> None:
        self.preview = None
        self.skip_invalid.setChecked(False)
        self.summary.setText("Checking the file…")
        self.blocked.clear()
        self.blocked.setVisible(False)
        self.saved.clear()
        self.save_rejected_button.setVisible(False)
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
        self._fit_problem_rows()
        self.row_model.set_rows(preview.rows)
        self._fit_ready_rows()
        known = sum(1 for r in preview.rows if r.existing_person_id is not None)
        bad = len(preview.bad_lines)
        parts = [f"{counted(preview.total_rows, 'row')} read"]
        repeats = len(preview.repeats)
        parts.append(f"{len(preview.rows) - repeats:,} ready to import")
        if repeats:
            parts.append(
                f"{repeats:,} already imported (the same young person, referral date and "
                "agency), which will not be added again"
            )
        if known:
            parts.append(
                f"{known:,} for young people already on record (see “On record?”: a "
                "further referral on an open case, or a new episode)"
            )
        text = "; ".join(parts) + "."
        if preview.errors:
            text += (
                f"\n{counted(bad, 'row')} {'have' if bad != 1 else 'has'} problems: nothing "
                "will be imported until they are fixed in the spreadsheet"
                + (", unless you choose to skip them." if preview.rows else ".")
            )
            self.tabs.setCurrentWidget(self.error_table)
        else:
            self.tabs.setCurrentWidget(self.row_table)
        if preview.ignored_columns:
            text += "\nColumns not used: " + ", ".join(preview.ignored_columns) + "."
        self.summary.setText(text)
        self.tabs.setTabText(0, f"Problems ({len(preview.errors):,})")
        self.tabs.setTabText(1, f"Rows ready ({len(preview.rows) - repeats:,})")
        self.skip_invalid.setVisible(bool(preview.errors) and bool(preview.rows))
        self.save_rejected_button.setVisible(bool(preview.rejected))
        self.completeChanged.emit()

    def _fit_ready_rows(self, *_args: int) -> None:
        if self.row_model.rowCount() <= 1000:
            self.row_table.resizeRowsToContents()

    def _fit_problem_rows(self, *_args: int) -> None:
        # Rows as tall as their wrapped message; a huge file's list keeps one line per row
        # (with the whole message as a tooltip) rather than measuring thousands of rows.
        if self.error_model.rowCount() <= 1000:
            self.error_table.resizeRowsToContents()

    def _skip_toggled(self, _checked: bool) -> None:
        self.blocked.setVisible(False)
        self.completeChanged.emit()

    def _failed(self, error: Exception) -> None:
        self.summary.setText(error_text(error))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        # "Import" stays enabled once the file is checked: pressed while rows have problems,
        # it says why nothing can be imported rather than doing nothing.
        return self.preview is not None

    def refusal(self) -> str | None:
        """Why "Import" cannot go ahead now, in words; None when it can."""
        preview = self.preview
        if preview is None:
            return "The file is still being checked."
        bad = len(preview.bad_lines)
        if preview.errors and not (self.skip_invalid.isChecked() and preview.rows):
            if preview.total_rows == 0 or not preview.rejected:
                return (
                    "Nothing was imported: the file itself has a problem (see Problems). "
                    "Fix it and choose the file again."
                )
            return (
                f"Nothing was imported: {counted(bad, 'row')} {'have' if bad != 1 else 'has'} "
                "problems. Fix them in the file and choose it again, or save the rejected "
                "rows to send back"
                + (
                    " (or tick “Skip the rows with problems” to import the rest)."
                    if preview.rows
                    else "."
                )
            )
        if not preview.rows:
            return "There is nothing to import: the file has no rows below its headings."
        return None

    def validatePage(self) -> bool:
        refusal = self.refusal()
        self.blocked.setText(refusal or "")
        self.blocked.setVisible(refusal is not None)
        if refusal is not None and self.preview is not None and self.preview.errors:
            self.tabs.setCurrentWidget(self.error_table)
        return refusal is None

    def save_rejected(self) -> None:
        preview = self.preview
        if preview is None or not preview.rejected:
            return
        stem = Path(self._wizard.file_name or "referrals").stem
        path_text, chosen = QFileDialog.getSaveFileName(
            self,
            "Save the rows with problems",
            str(Path.home() / f"{stem}-rows-with-problems.xlsx"),
            "Excel workbook (*.xlsx);;CSV UTF-8 (*.csv)",
        )
        if not path_text:
            return
        path = Path(path_text)
        as_csv = path.suffix.casefold() == ".csv" or (not path.suffix and chosen.startswith("CSV"))
        if not path.suffix:
            path = path.with_suffix(".csv" if as_csv else ".xlsx")
        try:
            path.write_bytes(rejected_rows_file(preview, as_csv=as_csv))
        except OSError as error:
            self.saved.setObjectName("fieldError")
            self.saved.setText(f"The file could not be saved: {error.strerror or error}.")
        else:
            self.saved.setObjectName("")
            self.saved.setText(
                f"Saved {counted(len(preview.rejected), 'row')} with problems, each with what "
                f"to fix, to {path}: send it back to the partner."
            )
        self.saved.style().unpolish(self.saved)
        self.saved.style().polish(self.saved)


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
            f"Imported {counted(result.new_referrals, 'referral')}: "
            f"{counted(result.new_people, 'new young person', 'new young people')}, "
            f"{result.existing_people:,} already on record."
        )
        if skipped:
            text += (
                f" {counted(skipped, 'row')} with problems {'were' if skipped != 1 else 'was'} "
                "skipped: send them back to the partner."
            )
        if result.already_imported:
            count = len(result.already_imported)
            text += (
                f" {counted(count, 'row')} {'were' if count != 1 else 'was'} already imported "
                "and not added again."
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
        # Room for a partner's list of problems, within the screen.
        em = self.fontMetrics().horizontalAdvance("M")
        width, height = 80 * em, 40 * self.fontMetrics().lineSpacing()
        screen = self.screen()
        if screen is not None:
            room = screen.availableGeometry()
            width = min(width, int(room.width() * 0.92))
            height = min(height, int(room.height() * 0.88))
        self.resize(width, height)

    def reject(self) -> None:
        if self.currentPage() is self.run_page and not self.run_page.finished:
            self.run_page.cancel()
            return
        super().reject()
