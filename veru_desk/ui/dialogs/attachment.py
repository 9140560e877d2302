"""Adding files to a case, and removing one with a reason.

Files come from the file chooser or from a drop onto the Documents tab; the same dialog
shows them, their sizes, and a description that applies to each. Each file is checked by the
service on its own (its kind by content, its size against the unit's limit), so one refused
file does not lose the others: those added are gone from the list, the refused stay with the
reason beside them, and the description stays as typed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.attachments import ALLOWED_WORDS, KINDS, format_size
from veru_desk.domain.errors import ValidationError
from veru_desk.services import Services
from veru_desk.services.attachments import AttachmentView
from veru_desk.services.changes import Kind
from veru_desk.ui.dialogs.case_dialog import CaseDialog
from veru_desk.ui.widgets.kit import grow_to_fit

#: The file chooser's filter: the kinds a case may keep, then anything (refused with reasons).
FILE_FILTER = (
    "Documents and images ("
    + " ".join(f"*{ext}" for kind in KINDS for ext in kind.extensions)
    + ");;All files (*)"
)


def choose_files(parent: QWidget | None) -> list[Path]:
    names, _chosen = QFileDialog.getOpenFileNames(
        parent, "Choose files to add to the case", str(Path.home()), FILE_FILTER
    )
    return [Path(name) for name in names]


def _size_of(path: Path) -> str:
    try:
        return format_size(path.stat().st_size)
    except OSError:
        return "cannot be read"


class AddAttachmentDialog(CaseDialog):
    """Adds the chosen files (``paths``) to the case, each with the description given."""

    def __init__(
        self,
        services: Services,
        person_id: int,
        paths: Sequence[Path] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            "Add files to the case", person_id, Kind.ATTACHMENT, parent, save_text="Add"
        )
        self.services = services
        self.paths: list[Path] = list(paths)
        self.added: list[int] = []

        self.files_label = QLabel()
        self.files_label.setWordWrap(True)
        self.files_label.setAccessibleName("Files to add")
        self.choose_button = QPushButton("Choose files…")
        self.choose_button.clicked.connect(self.choose)
        files = QWidget()
        column = QVBoxLayout(files)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.files_label)
        row = QHBoxLayout()
        row.addWidget(self.choose_button)
        row.addStretch(1)
        column.addLayout(row)
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)
        self.description.setPlaceholderText(
            "e.g. Consent to share, signed by his mother on the home visit"
        )
        hint = QLabel(f"Allowed: {ALLOWED_WORDS}. Kept encrypted inside the database.")
        hint.setWordWrap(True)
        hint.setObjectName("hint")

        self.add_row("Files*", files, "file", accessible="Files to add")
        self.add_row("Description", self.description, "description")
        self.form.addRow(hint)
        self._show_paths()

    def choose(self) -> None:
        chosen = choose_files(self)
        if chosen:
            self.paths = [*self.paths, *(p for p in chosen if p not in self.paths)]
            self._show_paths()

    def _show_paths(self) -> None:
        if not self.paths:
            self.files_label.setText("No file chosen yet.")
        else:
            self.files_label.setText(
                "\n".join(f"{path.name} ({_size_of(path)})" for path in self.paths)
            )
        grow_to_fit(self, [self.files_label])

    def prepare(self) -> Callable[[], Any]:
        if not self.paths:
            raise ValidationError(
                {"file": "Choose a file to add (a PDF, an image or a Word document)."}
            )
        service, person_id = self.services.attachments, self.person_id
        paths, description = list(self.paths), self.description.toPlainText()

        def add_each() -> list[tuple[Path, int | None, str]]:
            results: list[tuple[Path, int | None, str]] = []
            for path in paths:
                try:
                    results.append((path, service.add(person_id, path, description), ""))
                except ValidationError as refused:
                    results.append((path, None, "\n".join(refused.fields.values())))
            return results

        return add_each

    def _saved(self, result: Any) -> None:
        results: list[tuple[Path, int | None, str]] = result
        self.added.extend(ident for _path, ident, _why in results if ident is not None)
        refused = [(path, why) for path, ident, why in results if ident is None]
        if not refused:
            super()._saved(self.added)
            return
        self._busy = False
        self.save_button.setEnabled(True)
        self.paths = [path for path, _why in refused]
        self._show_paths()
        done = len(results) - len(refused)
        lead = f"{done} added. " if done else ""
        self.show_validation(
            ValidationError({"file": lead + "\n".join(why for _path, why in refused)})
        )


class RemoveAttachmentDialog(CaseDialog):
    """Removes a file from the case, with the reason the audit keeps."""

    def __init__(
        self,
        services: Services,
        person_id: int,
        attachment: AttachmentView,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            f"Remove {attachment.file_name}",
            person_id,
            Kind.ATTACHMENT,
            parent,
            save_text="Remove file",
        )
        self.services = services
        self.attachment = attachment
        about = QLabel(
            f"{attachment.file_name} ({attachment.kind}, {attachment.size}) will be deleted "
            "from the case and from the database. The audit trail keeps its name, size and "
            "fingerprint (SHA-256) with your reason, not the file."
        )
        about.setWordWrap(True)
        self.form.addRow(about)
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setMinimumHeight(self.fontMetrics().lineSpacing() * 2)
        self.reason.setPlaceholderText("e.g. Added to the wrong case")
        self.add_row("Reason*", self.reason, "reason")

    def prepare(self) -> Callable[[], Any]:
        reason = self.reason.toPlainText()
        if not reason.strip():
            raise ValidationError({"reason": "Say why the file is removed."})
        service, ident, version = (
            self.services.attachments,
            self.attachment.id,
            self.attachment.version,
        )
        return lambda: service.remove(ident, reason, version)
