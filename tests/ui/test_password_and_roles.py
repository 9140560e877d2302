"""Changing your own password (and being made to, after a reset), and an administrator
changing a user's roles from the Administration page."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot
from shell_helpers import make_window
from ui_drivers import DialogDriver

from veru_desk.db.engine import Database
from veru_desk.domain.enums import Role
from veru_desk.domain.errors import PermissionDenied
from veru_desk.services import Services
from veru_desk.services.actor import Actor
from veru_desk.services.users import SignInError, actor_for, add_user, sign_in
from veru_desk.ui.dialogs.password import PasswordDialog, ensure_password_changed
from veru_desk.ui.dialogs.roles import RolesDialog
from veru_desk.ui.pages.admin import AdminPage

PASSWORD = "a long enough passphrase"
NEW_PASSWORD = "my own new passphrase"


@pytest.fixture
def zoe(db: Database) -> Actor:
    with db.write() as session:
        return actor_for(
            add_user(session, "zoe", "Zoë Ó Súilleabháin", {Role.CASEWORKER}, PASSWORD)
        )


def test_a_user_changes_their_own_password_from_the_file_menu(
    qtbot: QtBot, db: Database, zoe: Actor, settings: QSettings
) -> None:
    window = make_window(qtbot, Services(db, zoe), settings)
    dialog = window.change_password()
    assert isinstance(dialog, PasswordDialog)
    dialog.current.setText(PASSWORD)
    dialog.new.setText(NEW_PASSWORD)
    dialog.confirm.setText(NEW_PASSWORD)
    dialog.save_button.click()
    assert not dialog.isVisible()
    assert sign_in(db, "zoe", NEW_PASSWORD).username == "zoe"
    with pytest.raises(SignInError):
        sign_in(db, "zoe", PASSWORD)


def test_a_wrong_current_password_or_a_mismatch_is_shown_beside_its_field(
    qtbot: QtBot, db: Database, zoe: Actor
) -> None:
    dialog = PasswordDialog(Services(db, zoe))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.current.setText("not the password")
    dialog.new.setText(NEW_PASSWORD)
    dialog.confirm.setText(NEW_PASSWORD + " typo")
    dialog.save_button.click()
    assert "different" in dialog.errors.message("confirm_password")
    dialog.confirm.setText(NEW_PASSWORD)
    dialog.save_button.click()
    assert dialog.errors.message("current_password") == "The current password is not right."
    assert dialog.isVisible() and dialog.current.text() == ""
    assert sign_in(db, "zoe", PASSWORD).username == "zoe"


def test_after_a_reset_the_user_must_choose_a_new_password_at_sign_in(
    db: Database, zoe: Actor, team: Any, dialogs: DialogDriver
) -> None:
    services = Services(db, zoe)
    assert ensure_password_changed(services) is True  # nothing to do: no dialog opens
    assert zoe.user_id is not None
    Services(db, team.admin).users.reset_password(zoe.user_id, "given by phone 123")
    assert services.users.must_change_password()

    def choose(dialog: PasswordDialog) -> None:
        assert dialog.forced and dialog.windowTitle() == "Choose a new password"
        dialog.current.setText("given by phone 123")
        dialog.new.setText(NEW_PASSWORD)
        dialog.confirm.setText(NEW_PASSWORD)
        dialog.save_button.click()

    dialogs.then(choose)
    assert ensure_password_changed(services) is True
    assert not services.users.must_change_password()
    dialogs.then(lambda dialog: dialog.reject())
    Services(db, team.admin).users.reset_password(zoe.user_id, "given by phone 456")
    assert ensure_password_changed(services) is False  # they chose to quit instead


def test_an_administrator_changes_roles_from_the_administration_page(
    qtbot: QtBot, db: Database, team: Any, zoe: Actor
) -> None:
    page = AdminPage(Services(db, team.admin))
    qtbot.addWidget(page)
    page.refresh()
    page.select_username("zoe")
    dialog = page.edit_roles()
    assert isinstance(dialog, RolesDialog)
    assert dialog.boxes[Role.CASEWORKER].isChecked()
    dialog.boxes[Role.MANAGER].setChecked(True)
    dialog.save()
    assert not dialog.isVisible()
    assert page.selected() is not None and page.selected().roles == {  # type: ignore[union-attr]
        Role.CASEWORKER,
        Role.MANAGER,
    }
    dialog = page.edit_roles()
    assert isinstance(dialog, RolesDialog)
    for box in dialog.boxes.values():
        box.setChecked(False)
    dialog.save()
    assert dialog.isVisible() and "at least one role" in dialog.message.text()


def test_a_manager_sees_no_roles_button_and_the_service_refuses_anyway(
    qtbot: QtBot, db: Database, team: Any, zoe: Actor
) -> None:
    manager = Services(db, team.manager)
    page = AdminPage(manager)
    qtbot.addWidget(page)
    page.show()
    assert not page.roles_button.isVisible()
    assert zoe.user_id is not None
    with pytest.raises(PermissionDenied):
        manager.users.set_roles(zoe.user_id, {Role.MANAGER})


def test_an_administrator_sets_how_soon_the_app_locks(
    qtbot: QtBot, db: Database, team: Any
) -> None:
    admin = Services(db, team.admin)
    page = AdminPage(admin)
    qtbot.addWidget(page)
    assert page.lock_setting.minutes.value() == 10
    page.lock_setting.minutes.setValue(5)
    page.lock_setting.save_button.click()
    assert admin.settings.lock_after_minutes() == 5
    assert "Saved" in page.lock_setting.status.text()


def test_an_email_that_is_not_one_is_refused_beside_the_field_and_adding_confirms(
    qtbot: QtBot, db: Database, team: Any
) -> None:
    from sqlalchemy import select

    from veru_desk.db.models import User
    from veru_desk.ui.pages.admin import UserDialog

    admin = Services(db, team.admin)
    page = AdminPage(admin)
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    assert not page.confirmation.isVisible()
    dialog = page.add_user()
    assert isinstance(dialog, UserDialog)
    dialog.display_name.setText("Oluwaseun Adeyemi")
    dialog.username.setText("OAdeyemi")
    dialog.email.setText("not-an-email")
    dialog.role_boxes[Role.CASEWORKER].setChecked(True)
    dialog.password.setText("a long enough passphrase for seun")
    dialog.confirm_password.setText("a long enough passphrase for seun")
    dialog.save()
    assert dialog.isVisible()
    message = dialog.errors.message("email")
    assert "email address" in message and "not-an-email" in message
    assert "name@organisation.org.uk" in message
    with db.read() as session:
        assert session.scalar(select(User.id).where(User.username == "oadeyemi")) is None

    dialog.email.setText("oluwaseun.adeyemi@luton.gov.uk")
    dialog.save()
    assert not dialog.isVisible()
    assert page.confirmation.isVisible()
    assert page.confirmation.text().startswith("Added Oluwaseun Adeyemi (caseworker).")
    assert "sign in as oadeyemi" in page.confirmation.text()
    with db.read() as session:
        email = session.scalar(select(User.email).where(User.username == "oadeyemi"))
    assert email == "oluwaseun.adeyemi@luton.gov.uk"
    assert page.selected() is not None and page.selected().username == "oadeyemi"  # type: ignore[union-attr]
    assert page.table.accessibleName() == "User accounts"
    assert dialog.email.accessibleName() == "Email address"


def test_the_service_refuses_an_email_with_no_domain_whoever_calls_it(
    db: Database, team: Any
) -> None:
    from veru_desk.domain.errors import ValidationError

    admin = Services(db, team.admin)
    with pytest.raises(ValidationError) as refused:
        admin.users.create(
            "aoife", "Aoife Ní Bhriain", {Role.MANAGER}, "a long enough passphrase", "aoife@"
        )
    assert "email" in refused.value.fields
    user_id = admin.users.create(
        "aoife", "Aoife Ní Bhriain", {Role.MANAGER}, "a long enough passphrase", None
    )
    assert user_id
