"""Changing a user's roles (administrators). A user may hold several roles; at least one.

The dialog says what each role opens, because a role is access to children's records: an
administrator sees no case data unless also given a case role.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.enums import Role
from veru_desk.domain.errors import ValidationError, VeruError
from veru_desk.services import Services
from veru_desk.services.users import UserView
from veru_desk.ui.widgets.feedback import error_text, show_error
from veru_desk.ui.widgets.kit import dialog_buttons, grow_to_fit, keep_contents_visible

ROLE_HELP = {
    Role.CASEWORKER: "sees and edits the cases allocated to them; records referrals",
    Role.MANAGER: "every case, triage, allocation, reopening, reports and the audit trail",
    Role.ADMIN: "users, settings and backups; no case data without a case role",
}


class RolesDialog(QDialog):
    def __init__(self, services: Services, user: UserView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.user = user
        self.setWindowTitle(f"Roles of {user.display_name}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        self.boxes: dict[Role, QCheckBox] = {}
        for role in Role:
            box = QCheckBox(f"{role.label}: {ROLE_HELP[role]}")
            box.setAccessibleName(f"Role: {role.label}")
            box.setChecked(role in user.roles)
            self.boxes[role] = box
            layout.addWidget(box)
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        layout.addWidget(self.message)
        buttons = dialog_buttons("Save", on_accept=self.save, on_reject=self.reject)
        layout.addWidget(buttons)
        keep_contents_visible(self)

    def roles(self) -> set[Role]:
        return {role for role, box in self.boxes.items() if box.isChecked()}

    def save(self) -> None:
        if self.roles() == set(self.user.roles):
            self.accept()
            return
        try:
            self.services.users.set_roles(self.user.id, self.roles())
        except ValidationError as error:
            self.message.setText(error_text(error).replace("• ", ""))
            self.message.setVisible(True)
            grow_to_fit(self, [self.message])
            return
        except VeruError as error:
            show_error(self, error)
            return
        self.accept()
