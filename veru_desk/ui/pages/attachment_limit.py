"""The size limit of files kept on cases, for managers and administrators (Administration).

Every file lives inside the database, so the limit weighs on the database's size and on every
backup as well as on what a caseworker can attach; the unit chooses it, not each laptop.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from veru_desk.domain.attachments import MAX_MB_RANGE
from veru_desk.domain.errors import VeruError
from veru_desk.services import Services
from veru_desk.ui.widgets.feedback import show_error


class AttachmentLimitRow(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel("Largest &file a case may keep")
        layout.addWidget(label)
        self.megabytes = QSpinBox()
        label.setBuddy(self.megabytes)
        self.megabytes.setRange(*MAX_MB_RANGE)
        self.megabytes.setSuffix(" MB")
        self.megabytes.setAccessibleName("Largest attached file in MB")
        layout.addWidget(self.megabytes)
        self.save_button = QPushButton("Save limit")
        self.save_button.clicked.connect(self.save)
        layout.addWidget(self.save_button)
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("File size limit status")
        layout.addWidget(self.status, 1)
        try:
            self.megabytes.setValue(services.settings.attachment_max_mb())
        except VeruError as error:
            self.status.setText(str(error))

    def save(self) -> None:
        try:
            self.services.settings.set_attachment_max_mb(self.megabytes.value())
        except VeruError as error:
            show_error(self, error)
            return
        self.status.setText("Saved: files added from now on are checked against it.")
