"""Data quality, for managers: likely duplicate records (compare and merge them), the merges
done (undo one), and open cases missing an essential, by worker.

Everything is read off the GUI thread (``services.data_quality``, ``services.merging``); the
page reads again when people, cases, referrals, risk or merges change anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from veru_desk.domain.dates import format_uk_date, format_uk_datetime
from veru_desk.domain.errors import VeruError
from veru_desk.services import Services
from veru_desk.services.changes import Changes, Kind
from veru_desk.services.data_quality import GAPS, CaseGap, DuplicatePair, WorkerGaps
from veru_desk.services.merging import MergeView
from veru_desk.ui.dialogs.merge_people import MergePeopleDialog
from veru_desk.ui.shell.events import data_events
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import confirm, show_error
from veru_desk.ui.widgets.kit import empty_state, primary_button, secondary_button
from veru_desk.ui.widgets.page import page_frame
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel

#: What the lists are read from: a change to any of these may change a row shown.
DATA_QUALITY_KINDS = (Kind.PERSON, Kind.CASE, Kind.REFERRAL, Kind.RISK, Kind.MERGE, Kind.USER)


DUPLICATE_COLUMNS = (
    Column("Likeness", lambda p: f"{p.score}%", numeric=True),
    Column(
        "Record",
        lambda p: f"{p.a.case_ref}  {p.a.name}",
        tooltip=lambda p: p.a.worker or "Not allocated",
    ),
    Column("Born", lambda p: format_uk_date(p.a.date_of_birth)),
    Column(
        "Possible duplicate",
        lambda p: f"{p.b.case_ref}  {p.b.name}",
        tooltip=lambda p: p.b.worker or "Not allocated",
    ),
    Column("Born ", lambda p: format_uk_date(p.b.date_of_birth)),
    Column("Why", lambda p: p.reasons),
)

MERGE_COLUMNS = (
    Column("Merged", lambda m: format_uk_datetime(m.merged_at)),
    Column("Kept", lambda m: m.kept_case_ref),
    Column("Merged into it", lambda m: m.merged_case_ref),
    Column("By", lambda m: m.merged_by or ""),
    Column("Details taken", lambda m: ", ".join(m.fields_taken) or "None"),
    Column("Records moved", lambda m: str(m.rows_moved), numeric=True),
    Column(
        "Undone",
        lambda m: f"{format_uk_datetime(m.undone_at)} by {m.undone_by}" if m.undone_at else "No",
        quiet=lambda m: m.undone_at is not None,
    ),
)


@dataclass(frozen=True)
class GapRow:
    """One open case missing something, under its worker."""

    worker: str
    case: CaseGap


GAP_COLUMNS = (
    Column("Caseworker", lambda g: g.worker),
    Column("Case ref", lambda g: g.case.case_ref),
    Column("Name", lambda g: g.case.name),
    Column("Missing", lambda g: "; ".join(g.case.missing), warning=lambda g: True),
)


def gaps_summary(workers: list[WorkerGaps]) -> str:
    """``Dariusz Wójcik: 3 cases (2 no ethnicity, 1 consent not asked)`` a worker a line."""
    lines = []
    for worker in workers:
        counts = [f"{worker.count(gap)} {gap[0].lower()}{gap[1:]}" for gap in GAPS]
        shown = [c for c in counts if not c.startswith("0 ")]
        cases = len(worker.cases)
        lines.append(
            f"{worker.worker}: {cases} {'case' if cases == 1 else 'cases'} ({', '.join(shown)})"
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class Loaded:
    pairs: list[DuplicatePair]
    merges: list[MergeView]
    gaps: list[WorkerGaps]


class DataQualityPage(QWidget):
    open_case = Signal(int)
    #: the three lists are on screen (tests wait on it)
    loaded = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._generation = 0
        frame = page_frame(
            self,
            "Data quality",
            subtitle="Records that may be one young person, the merges done, and open cases "
            "missing an essential. Keeping these right keeps every history whole and the "
            "board's figures true.",
        )
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Data quality lists")
        frame.layout.addWidget(self.tabs, 1)

        # Likely duplicates.
        self.pair_model = RecordTableModel(DUPLICATE_COLUMNS, self)
        self.pair_table = RecordTable(
            self.pair_model, "Likely duplicate records", self, stretch_column=5
        )
        self.pair_table.setToolTip("Double-click a pair to compare the two records")
        self.no_pairs = empty_state(
            "No likely duplicates. Records alike in name and date of birth (a typo, a "
            "swapped day and month, a nickname) would be listed here."
        )
        self.compare_button = primary_button("Compare and merge…", self.compare)
        self.compare_button.setToolTip("Show the chosen pair side by side and merge them")
        self.pairs_tab = self._tab(
            [self.pair_table, self.no_pairs],
            [
                self._hint(
                    "Most likely first. Compare a pair before merging: twins and namesakes are "
                    "left out, but only you can tell."
                )
            ],
            [self.compare_button],
        )
        self.tabs.addTab(self.pairs_tab, "Likely duplicates")

        # Merges done.
        self.merge_model = RecordTableModel(MERGE_COLUMNS, self)
        self.merge_table = RecordTable(self.merge_model, "Merges done", self, stretch_column=4)
        self.no_merges = empty_state("No records have been merged yet.")
        self.undo_button = secondary_button("Undo merge…", self.undo)
        self.undo_button.setToolTip(
            "Move the records the merge moved back, and restore the details it replaced"
        )
        self.merges_tab = self._tab([self.merge_table, self.no_merges], [], [self.undo_button])
        self.tabs.addTab(self.merges_tab, "Merges done")

        # Missing essentials.
        self.gap_model = RecordTableModel(GAP_COLUMNS, self)
        self.gap_table = RecordTable(
            self.gap_model, "Open cases missing an essential", self, stretch_column=3
        )
        self.gap_table.setToolTip("Double-click a case to open it")
        self.gap_summary = QLabel("")
        self.gap_summary.setWordWrap(True)
        self.gap_summary.setAccessibleName("Missing essentials by caseworker")
        self.no_gaps = empty_state(
            "Every open case has its ethnicity, consent, sharing basis and (after 20 working "
            "days) a risk assessment recorded."
        )
        self.open_button = secondary_button("Open case", self._open_gap)
        self.gaps_tab = self._tab(
            [self.gap_summary, self.gap_table, self.no_gaps],
            [
                self._hint(
                    "Open cases with no ethnicity, consent never asked, no information-sharing "
                    "basis, or no risk assessment 20 working days after allocation."
                )
            ],
            [self.open_button],
        )
        self.tabs.addTab(self.gaps_tab, "Missing essentials")

        self.pair_table.doubleClicked.connect(lambda *_: self.compare())
        self.gap_table.doubleClicked.connect(lambda *_: self._open_gap())
        for table in (self.pair_table, self.merge_table, self.gap_table):
            table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
            table.record_model().modelReset.connect(self._update_buttons)
        data_events().changed.connect(self._data_changed)
        self._update_buttons()

    def _hint(self, text: str) -> QLabel:
        hint = QLabel(text)
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        return hint

    def _tab(self, content: list[QWidget], above: list[QWidget], buttons: list[QWidget]) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        for widget in above:
            layout.addWidget(widget)
        for widget in content:
            layout.addWidget(widget, 1 if isinstance(widget, RecordTable) else 0)
        row = QHBoxLayout()
        row.addStretch(1)
        for button in buttons:
            row.addWidget(button)
        layout.addLayout(row)
        return tab

    # --- reading ---------------------------------------------------------------------------

    def _data_changed(self, changes: Changes) -> None:
        if changes.touches(DATA_QUALITY_KINDS) and self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Reads the three lists (off the GUI thread)."""
        self._generation += 1
        generation = self._generation
        quality, merging = self.services.data_quality, self.services.merging

        def work(_progress: object) -> Loaded:
            return Loaded(
                quality.likely_duplicates(), merging.merges(), quality.missing_essentials()
            )

        def shown(result: Loaded) -> None:
            if shiboken6.isValid(self) and generation == self._generation:
                self._show(result)

        run_task(
            self,
            "Checking the records",
            work,
            shown,
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )

    def _show(self, result: Loaded) -> None:
        self.pair_model.set_rows(result.pairs)
        self.merge_model.set_rows(result.merges)
        rows = [GapRow(worker.worker, case) for worker in result.gaps for case in worker.cases]
        self.gap_model.set_rows(rows)
        self.gap_summary.setText(gaps_summary(result.gaps))
        for table, empty, items in (
            (self.pair_table, self.no_pairs, result.pairs),
            (self.merge_table, self.no_merges, result.merges),
            (self.gap_table, self.no_gaps, rows),
        ):
            table.setVisible(bool(items))
            empty.setVisible(not items)
        # A button with nothing to act on is hidden, not left greyed under an empty list.
        self.compare_button.setVisible(bool(result.pairs))
        self.undo_button.setVisible(any(m.undone_at is None for m in result.merges))
        self.open_button.setVisible(bool(rows))
        self.gap_summary.setVisible(bool(rows))
        active = sum(1 for m in result.merges if m.undone_at is None)
        self.tabs.setTabText(0, f"Likely duplicates ({len(result.pairs)})")
        self.tabs.setTabText(1, f"Merges done ({active})")
        self.tabs.setTabText(2, f"Missing essentials ({len(rows)})")
        for table in (self.pair_table, self.merge_table, self.gap_table):
            table.fit_columns()
        self._update_buttons()
        self.loaded.emit()

    def _update_buttons(self) -> None:
        self.compare_button.setEnabled(isinstance(self.pair_table.selected(), DuplicatePair))
        merge = self.merge_table.selected()
        self.undo_button.setEnabled(isinstance(merge, MergeView) and merge.undone_at is None)
        self.open_button.setEnabled(isinstance(self.gap_table.selected(), GapRow))

    # --- acting ----------------------------------------------------------------------------

    def compare(self) -> MergePeopleDialog | None:
        """Shows the chosen pair side by side; the dialog merges them. Returns the dialog."""
        pair = self.pair_table.selected()
        if not isinstance(pair, DuplicatePair):
            return None
        try:
            preview = self.services.merging.preview(pair.a.person_id, pair.b.person_id)
        except VeruError as error:
            show_error(self, error)
            return None
        dialog = MergePeopleDialog(self.services.merging, preview, self)
        dialog.exec()
        return dialog

    def undo(self) -> bool:
        merge = self.merge_table.selected()
        if not isinstance(merge, MergeView) or merge.undone_at is not None:
            return False
        if not confirm(
            self,
            "Undo merge",
            f"Undo the merge of {merge.merged_case_ref} into {merge.kept_case_ref}? The "
            f"{merge.rows_moved} records it moved go back to {merge.merged_case_ref}, and the "
            f"details it replaced on {merge.kept_case_ref} are restored (unless changed since). "
            "Records added since stay where they are.",
            action="Undo merge",
        ):
            return False
        try:
            self.services.merging.undo(merge.id)
        except VeruError as error:
            show_error(self, error)
            return False
        return True

    def _open_gap(self) -> None:
        row = self.gap_table.selected()
        if isinstance(row, GapRow):
            self.open_case.emit(row.case.person_id)
