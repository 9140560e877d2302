"""Users: the first administrator, signing in, and the administrator's account screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from shell_helpers import TEST_PASSWORD_UI
from ui_drivers import shown

from veru_desk import app as app_module
from veru_desk.config import DatabaseLocation, resolve_database
from veru_desk.domain.enums import Role
from veru_desk.services import Services
from veru_desk.services.caseload import CaseloadFilter
from veru_desk.services.users import add_user, count_users, sign_in
from veru_desk.services.vault import DatabaseKind, kind_of, open_for_user
from veru_desk.ui.pages import admin as admin_page
from veru_desk.ui.pages.admin import AdminPage
from veru_desk.ui.shell import sign_in as sign_in_module
from veru_desk.ui.shell.sign_in import DEMO_MANAGER, FirstStartDialog, SignInDialog


@pytest.fixture
def as_admin(db: object, team: object) -> Services:
    return Services(db, team.admin)  # type: ignore[arg-type,attr-defined]


@pytest.fixture
def new_location(tmp_path: Path) -> DatabaseLocation:
    return resolve_database(str(tmp_path / "office" / "veru-desk.db"))


def test_first_start_creates_an_encrypted_database_and_its_first_administrator(
    qtbot: QtBot, new_location: DatabaseLocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown_keys: list[str] = []
    monkeypatch.setattr(
        sign_in_module.RecoveryKeyDialog, "exec", lambda self: shown_keys.append(self.recovery_key)
    )
    dialog = shown(qtbot, FirstStartDialog(new_location))
    dialog.admin_choice.click()
    dialog.display_name.setText("Sam Okonkwo")
    dialog.new_username.setText("sokonkwo")
    dialog.new_password.setText(TEST_PASSWORD_UI)
    dialog.confirm_password.setText(TEST_PASSWORD_UI + "x")
    dialog.create_administrator()
    assert dialog.errors.message("confirm_password") == "The two passwords are different."
    assert kind_of(new_location) is DatabaseKind.NEW
    dialog.confirm_password.setText(TEST_PASSWORD_UI)
    dialog.also_manager.setChecked(True)
    dialog.create_administrator()
    assert dialog.result() == FirstStartDialog.DialogCode.Accepted
    assert dialog.actor is not None
    assert dialog.actor.roles == frozenset({Role.ADMIN, Role.MANAGER})
    assert kind_of(new_location) is DatabaseKind.ENCRYPTED
    assert len(shown_keys) == 1 and len(shown_keys[0]) == 47
    assert dialog.db is not None and count_users(dialog.db) == 1
    dialog.db.dispose()


def test_a_short_password_is_refused_beside_the_password_and_nothing_is_created(
    qtbot: QtBot, new_location: DatabaseLocation
) -> None:
    dialog = shown(qtbot, FirstStartDialog(new_location))
    dialog.admin_choice.click()
    dialog.display_name.setText("Sam Okonkwo")
    dialog.new_username.setText("sokonkwo")
    dialog.new_password.setText("short")
    dialog.confirm_password.setText("short")
    dialog.create_administrator()
    assert "at least 12 characters" in dialog.errors.message("password")
    assert dialog.new_username.text() == "sokonkwo"
    assert kind_of(new_location) is DatabaseKind.NEW


def test_an_unencrypted_database_needs_an_explicit_yes(
    qtbot: QtBot, new_location: DatabaseLocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = [False, True]
    monkeypatch.setattr(sign_in_module, "confirm", lambda *args, **kwargs: answers.pop(0))
    dialog = shown(qtbot, FirstStartDialog(new_location))
    dialog.admin_choice.click()
    dialog.display_name.setText("Sam Okonkwo")
    dialog.new_username.setText("sokonkwo")
    dialog.new_password.setText(TEST_PASSWORD_UI)
    dialog.confirm_password.setText(TEST_PASSWORD_UI)
    dialog.encrypt.setChecked(False)
    dialog.create_administrator()
    assert kind_of(new_location) is DatabaseKind.NEW
    dialog.create_administrator()
    assert kind_of(new_location) is DatabaseKind.PLAIN
    assert dialog.db is not None
    dialog.db.dispose()


def test_first_start_with_demonstration_data_suggests_the_demo_manager(
    qtbot: QtBot, new_location: DatabaseLocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sign_in_module, "DEMO_PEOPLE", 12)
    dialog = shown(qtbot, FirstStartDialog(new_location))
    dialog.demo_choice.click()
    assert dialog.result() == FirstStartDialog.DialogCode.Accepted
    assert dialog.suggested_username == DEMO_MANAGER
    assert "demo-password-1" in dialog.sign_in_hint()
    assert dialog.db is not None
    dialog.db.dispose()
    db, priya = open_for_user(new_location, "priya", "demo-password-1")
    assert priya.display_name == "Priya Raghunathan"
    assert Services(db, priya).caseload.count(CaseloadFilter()) == 12
    db.dispose()


def test_sign_in_explains_a_wrong_password_then_signs_in(qtbot: QtBot, db: object) -> None:
    with db.write() as session:  # type: ignore[attr-defined]
        add_user(session, "dariusz", "Dariusz Wójcik", {Role.CASEWORKER}, TEST_PASSWORD_UI)
    dialog = shown(
        qtbot,
        SignInDialog(lambda u, p: sign_in(db, u, p), "veru.db", username="dariusz"),  # type: ignore[arg-type]
    )
    dialog.password.setText("not the password")
    dialog.try_sign_in()
    assert dialog.message.text() == "The username or password is not right."
    assert dialog.password.text() == "" and dialog.username.text() == "dariusz"
    dialog.password.setText(TEST_PASSWORD_UI)
    dialog.try_sign_in()
    assert dialog.actor is not None and dialog.actor.username == "dariusz"


def test_the_environment_hook_signs_in_only_when_both_variables_are_set(
    db: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.write() as session:  # type: ignore[attr-defined]
        add_user(session, "priya", "Priya Raghunathan", {Role.MANAGER}, TEST_PASSWORD_UI)

    def authenticate(username: str, password: str) -> object:
        return sign_in(db, username, password)  # type: ignore[arg-type]

    monkeypatch.setenv("VERU_DESK_USER", "priya")
    assert app_module.actor_from_environment(authenticate) is None  # type: ignore[arg-type]
    monkeypatch.setenv("VERU_DESK_PASSWORD", "wrong password here")
    assert app_module.actor_from_environment(authenticate) is None  # type: ignore[arg-type]
    monkeypatch.setenv("VERU_DESK_PASSWORD", TEST_PASSWORD_UI)
    actor = app_module.actor_from_environment(authenticate)  # type: ignore[arg-type]
    assert actor is not None and actor.username == "priya"


def test_an_administrator_adds_a_caseworker_who_can_then_sign_in(
    qtbot: QtBot, as_admin: Services, db: object
) -> None:
    page = shown(qtbot, AdminPage(as_admin))
    page.refresh()
    dialog = page.add_user()
    dialog.display_name.setText("Nguyễn Văn An")
    dialog.username.setText("nguyen.an")
    dialog.role_boxes[Role.CASEWORKER].setChecked(True)
    dialog.password.setText(TEST_PASSWORD_UI)
    dialog.confirm_password.setText(TEST_PASSWORD_UI)
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert "nguyen.an" in [u.username for u in page.model.rows()]
    assert sign_in(db, "nguyen.an", TEST_PASSWORD_UI).display_name == "Nguyễn Văn An"  # type: ignore[arg-type]


def test_a_taken_username_is_shown_beside_the_username(qtbot: QtBot, as_admin: Services) -> None:
    page = shown(qtbot, AdminPage(as_admin))
    dialog = page.add_user()
    dialog.display_name.setText("Another Dariusz")
    dialog.username.setText("dariusz")
    dialog.role_boxes[Role.CASEWORKER].setChecked(True)
    dialog.password.setText(TEST_PASSWORD_UI)
    dialog.confirm_password.setText(TEST_PASSWORD_UI)
    dialog.save()
    assert dialog.errors.message("username") == "The username dariusz is already taken."


def test_disabling_and_enabling_an_account(
    qtbot: QtBot, as_admin: Services, db: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admin_page, "confirm", lambda *_a, **_k: True)
    page = shown(qtbot, AdminPage(as_admin))
    page.refresh()
    page.select_username("aisha")
    assert page.toggle_button.text() == "Disable account"
    page.toggle_active()
    assert as_admin.users.by_username("aisha").active is False
    assert page.selected() is not None and page.selected().username == "aisha"
    assert page.toggle_button.text() == "Enable account"
    page.toggle_active()
    assert as_admin.users.by_username("aisha").active is True


def test_resetting_a_password_lets_the_user_sign_in_with_the_new_one(
    qtbot: QtBot, as_admin: Services, db: object
) -> None:
    page = shown(qtbot, AdminPage(as_admin))
    page.refresh()
    page.select_username("ciaran")
    dialog = page.reset_password()
    assert dialog is not None
    dialog.password.setText(TEST_PASSWORD_UI)
    dialog.confirm_password.setText(TEST_PASSWORD_UI)
    dialog.save()
    assert sign_in(db, "ciaran", TEST_PASSWORD_UI).username == "ciaran"  # type: ignore[arg-type]


def test_a_manager_sees_the_users_but_cannot_change_them(
    qtbot: QtBot, as_manager: Services
) -> None:
    page = shown(qtbot, AdminPage(as_manager))
    page.refresh()
    assert page.model.rowCount() == 5
    assert not page.add_button.isVisible() and not page.reset_button.isVisible()
