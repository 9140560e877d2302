"""Comparing two records side by side and merging them into one (managers).

Each row is a field; where the records differ, the manager picks whose value is right (the
kept record's by default, so nothing changes by accident). The record kept is chosen at the
top: its case reference stays, because partners already quote it. What moves is listed under
each record, and the save says again what will happen before it does it. A merge can be
undone from the data-quality page, so the confirmation is a question, not a warning.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.errors import ValidationError, VeruError
from veru_desk.services.merging import (
    FIELD_LABELS,
    MergePreview,
    MergeSide,
    MergingService,
    Side,
    field_text,
)
from veru_desk.ui.widgets.feedback import confirm, show_error
from veru_desk.ui.widgets.kit import accept_button, dialog_buttons, fit_to_screen


def side_heading(side: MergeSide) -> str:
    """``VERU-2026-00042: Chiamaka Okonkwo, born 03/04/2011`` with its state and worker."""
    state = side.status.label.lower() if side.status else "no referral open"
    worker = f", {side.worker}" if side.worker else ""
    born = format_uk_date(side.details.date_of_birth)
    return f"{side.case_ref}: {side.name}, born {born} ({state}{worker})"


class MergePeopleDialog(QDialog):
    """Merges one of ``preview``'s two records into the other."""

    def __init__(
        self, merging: MergingService, preview: MergePreview, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.merging = merging
        self.preview = preview
        self.merge_id: int | None = None
        self.setWindowTitle("Compare and merge records")
        self.setModal(True)

        heading = QLabel("Are these one young person? Compare the two records")
        heading.setObjectName("cardTitle")
        heading.setWordWrap(True)

        keep_row = QHBoxLayout()
        keep_label = QLabel("Record to keep:")
        self.keep_a = QRadioButton(preview.a.case_ref)
        self.keep_b = QRadioButton(preview.b.case_ref)
        self.keep_a.setAccessibleName(f"Keep {preview.a.case_ref}")
        self.keep_b.setAccessibleName(f"Keep {preview.b.case_ref}")
        self.keep_group = QButtonGroup(self)
        self.keep_group.addButton(self.keep_a)
        self.keep_group.addButton(self.keep_b)
        # The record with more history is the likelier one to keep.
        more_a = sum(preview.a.records.values()) >= sum(preview.b.records.values())
        (self.keep_a if more_a else self.keep_b).setChecked(True)
        keep_row.addWidget(keep_label)
        keep_row.addWidget(self.keep_a)
        keep_row.addWidget(self.keep_b)
        keep_row.addStretch(1)
        keep_hint = QLabel(
            "The kept record's case reference stays; the other record's referrals, sessions, "
            "notes and everything else move to it, and the other is kept only as a pointer."
        )
        keep_hint.setObjectName("hint")
        keep_hint.setWordWrap(True)

        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(6)
        for column, side in ((1, preview.a), (2, preview.b)):
            title = QLabel(side_heading(side))
            title.setWordWrap(True)
            title.setObjectName("sectionTitle")
            grid.addWidget(title, 0, column)
        self.choices: dict[str, tuple[QRadioButton, QRadioButton]] = {}
        row = 1
        for name, label in FIELD_LABELS.items():
            a_value = getattr(preview.a.details, name)
            b_value = getattr(preview.b.details, name)
            differs = name in preview.differing
            if not differs and a_value in (None, "", False):
                continue  # blank on both: nothing to compare
            field_label = QLabel(label)
            grid.addWidget(field_label, row, 0, Qt.AlignmentFlag.AlignTop)
            if differs:
                a_button = QRadioButton(field_text(name, a_value))
                b_button = QRadioButton(field_text(name, b_value))
                a_button.setAccessibleName(f"{label}: {preview.a.case_ref}'s value")
                b_button.setAccessibleName(f"{label}: {preview.b.case_ref}'s value")
                group = QButtonGroup(self)
                group.addButton(a_button)
                group.addButton(b_button)
                self.choices[name] = (a_button, b_button)
                grid.addWidget(a_button, row, 1)
                grid.addWidget(b_button, row, 2)
                field_label.setObjectName("fieldDiffers")
            else:
                same = QLabel(field_text(name, a_value))
                same.setWordWrap(True)
                grid.addWidget(same, row, 1, 1, 2)
            row += 1
        for column, side in ((1, preview.a), (2, preview.b)):
            moves = QLabel(f"Records: {side.records_text}")
            moves.setObjectName("hint")
            moves.setWordWrap(True)
            grid.addWidget(moves, row, column)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        body = QWidget()
        body.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)

        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Why these are one young person (optional)")
        self.reason.setAccessibleName("Reason for the merge")
        self.reason.setMaxLength(2000)

        self.refusal = QLabel(preview.refusal or "")
        self.refusal.setObjectName("formError")
        self.refusal.setWordWrap(True)
        self.refusal.setVisible(bool(preview.refusal))
        self.refusal.setAccessibleName("Why these records cannot be merged")

        self.buttons = dialog_buttons("Merge records", on_accept=self.save, on_reject=self.reject)
        self.merge_button = accept_button(self.buttons)
        self.merge_button.setEnabled(preview.refusal is None)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(keep_row)
        layout.addWidget(keep_hint)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.reason)
        layout.addWidget(self.refusal)
        layout.addWidget(self.buttons)

        self.keep_group.buttonToggled.connect(lambda *_: self._kept_changed())
        self._kept_changed()
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 52)
        # As large as both records side by side ask, as far as the screen allows (then the
        # fields scroll): a comparison read through a slot is no comparison.
        natural = body.sizeHint()
        chrome = self.sizeHint() - scroll.sizeHint()
        bar = scroll.verticalScrollBar().sizeHint().width()
        self.resize(
            max(natural.width() + bar + chrome.width(), self.minimumWidth()),
            natural.height() + chrome.height() + 2 * scroll.frameWidth(),
        )
        fit_to_screen(self)

    def kept(self) -> MergeSide:
        return self.preview.a if self.keep_a.isChecked() else self.preview.b

    def other(self) -> MergeSide:
        return self.preview.b if self.keep_a.isChecked() else self.preview.a

    def _kept_changed(self) -> None:
        """Each differing field starts at the kept record's value."""
        for a_button, b_button in self.choices.values():
            (a_button if self.keep_a.isChecked() else b_button).setChecked(True)

    def chosen(self) -> dict[str, Side]:
        """Whose value each differing field takes, relative to the record kept."""
        chosen: dict[str, Side] = {}
        for name, (a_button, _b_button) in self.choices.items():
            took_a = a_button.isChecked()
            chosen[name] = Side.KEPT if took_a == self.keep_a.isChecked() else Side.OTHER
        return chosen

    def save(self) -> None:
        kept, other = self.kept(), self.other()
        taken = [FIELD_LABELS[n] for n, side in self.chosen().items() if side is Side.OTHER]
        fields = f" Taken from {other.case_ref}: {', '.join(taken)}." if taken else ""
        if not confirm(
            self,
            "Merge records",
            f"Merge {other.case_ref} into {kept.case_ref}? Its {other.records_text} move to "
            f"{kept.case_ref}.{fields} A manager can undo this from the Data quality page.",
            action="Merge records",
        ):
            return
        try:
            self.merge_id = self.merging.merge(
                kept.person_id,
                other.person_id,
                self.chosen(),
                kept_version=kept.version,
                other_version=other.version,
                reason=self.reason.text(),
            )
        except ValidationError as error:
            self.refusal.setText(" ".join(error.fields.values()))
            self.refusal.setVisible(True)
            return
        except VeruError as error:  # changed meanwhile, not allowed, database unreachable
            show_error(self, error)
            return
        self.accept()
