"""The administrator's control for how soon an unattended VERU Desk locks itself.

It is an organisation setting (stored in the database), so every laptop locks alike; each
running copy reads it when it starts.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from veru_desk.domain.errors import VeruError
from veru_desk.services import Services
from veru_desk.services.settings import LOCK_MINUTES_RANGE
from veru_desk.ui.widgets.feedback import show_error


class LockSettingRow(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel("Lock VERU Desk &after")
        layout.addWidget(label)
        self.minutes = QSpinBox()
        label.setBuddy(self.minutes)
        self.minutes.setRange(*LOCK_MINUTES_RANGE)
        self.minutes.setSuffix(" minutes without use")
        self.minutes.setAccessibleName("Minutes before the app locks itself")
        layout.addWidget(self.minutes)
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self.save)
        layout.addWidget(self.save_button)
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Lock setting status")
        layout.addWidget(self.status, 1)
        try:
            self.minutes.setValue(services.settings.lock_after_minutes())
        except VeruError as error:
            self.status.setText(str(error))

    def save(self) -> None:
        try:
            self.services.settings.set_lock_after_minutes(self.minutes.value())
        except VeruError as error:
            show_error(self, error)
            return
        self.status.setText("Saved: each copy of VERU Desk uses it from its next start.")
