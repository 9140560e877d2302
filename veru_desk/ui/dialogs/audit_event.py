"""One audit event, every field in words: what the audit viewer's row could only abbreviate.

Opened by double-clicking a row of the audit trail (or Enter on it). Each value is selectable
text, so a manager can copy a case reference or a summary into an incident report.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from veru_desk.domain import audit_words
from veru_desk.services.audit_log import AuditRow

NOT_RECORDED = "(not recorded)"
#: the fields that can run long and wrap; the others stay on one line, never clipped
WRAPPED = {"Record", "Case", "Summary", "Changes"}


def event_fields(row: AuditRow) -> list[tuple[str, str]]:
    """The event's fields as (label, value), in the order the dialog shows them."""
    user = row.user_display_name or row.username or "(no one: the app itself)"
    if row.username and row.user_display_name and row.username != row.user_display_name:
        user = f"{row.user_display_name} ({row.username})"
    if row.withheld and row.changes:
        changes = "\n".join(
            audit_words.change_words(c.name, c.old, c.new, withheld=True) for c in row.changes
        )
    else:
        changes = "\n".join(audit_words.change_words(c.name, c.old, c.new) for c in row.changes)
    chain = f"Row {row.id:,} of the audit chain"
    if row.chain_hash:
        chain += f" (link {row.chain_hash[:12]})"
    return [
        ("When", row.when_text),
        ("Who", user),
        ("Action", row.action_text),
        ("Record", row.record_text or NOT_RECORDED),
        ("Case", row.case_text or "(not about a case)"),
        ("Summary", row.summary or NOT_RECORDED),
        ("Changes", changes or "(none recorded)"),
        ("Chain", chain),
    ]


class AuditEventDialog(QDialog):
    def __init__(self, row: AuditRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = row
        self.setWindowTitle(f"Audit event {row.id:,}")
        self.setAccessibleName("Audit event details")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.values: dict[str, QLabel] = {}
        value_width = self.fontMetrics().horizontalAdvance("M") * 34
        for label, value in event_fields(row):
            shown = QLabel(value)
            if label in WRAPPED:  # wraps at one known width, so its height is right
                shown.setWordWrap(True)
                shown.setFixedWidth(value_width)
            shown.setTextFormat(Qt.TextFormat.PlainText)
            shown.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
                | Qt.TextInteractionFlag.TextSelectableByKeyboard
            )
            shown.setAccessibleName(label)
            self.values[label] = shown
            form.addRow(label, shown)  # no colon, as the kit's forms
        layout.addLayout(form)
        if row.withheld:
            note = QLabel("Case details are shown to managers only: you see which case, not "
                          "what changed.")  # fmt: skip
            note.setWordWrap(True)
            layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetFixedSize)
