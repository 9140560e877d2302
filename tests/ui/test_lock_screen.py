"""The app locks itself when left alone, hides what it showed, and gives the work back only to
the person who left it; someone else signing in ends that person's session cleanly."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from ui_drivers import type_into

from veru_desk.app import build_main_window
from veru_desk.db.engine import Database
from veru_desk.db.models import AuditEvent
from veru_desk.domain.enums import AuditAction, Role
from veru_desk.heap import settle_heap, unsettle_heap
from veru_desk.services import Services
from veru_desk.services.actor import Actor
from veru_desk.services.users import actor_for, add_user
from veru_desk.ui.dialogs.referral_form import ReferralForm
from veru_desk.ui.shell.lock_screen import (
    Curtain,
    IdleWatcher,
    LockController,
    install_auto_lock,
)
from veru_desk.ui.shell.main_window import MainWindow

PASSWORD = "a long enough passphrase"
OTHER_PASSWORD = "another long passphrase"


@pytest.fixture
def siobhan(db: Database) -> Actor:
    """A caseworker with a password (the team fixture's users have none)."""
    with db.write() as session:
        return actor_for(
            add_user(session, "siobhan", "Siobhán Nic Giolla Phádraig", {Role.CASEWORKER}, PASSWORD)
        )


@pytest.fixture
def abdirahman(db: Database) -> Actor:
    with db.write() as session:
        return actor_for(
            add_user(session, "abdirahman", "Abdirahman Warsame", {Role.MANAGER}, OTHER_PASSWORD)
        )


@pytest.fixture
def window(db: Database, siobhan: Actor, settings: QSettings) -> Iterator[MainWindow]:
    """Siobhán's window; closed at the end whichever windows the test left open."""
    built = build_main_window(Services(db, siobhan), settings=settings, database_label="test.db")
    built.show()
    yield built
    for widget in QApplication.topLevelWidgets():
        if not shiboken6.isValid(widget) or not widget.isVisible():
            continue
        if isinstance(widget, QDialog):
            QDialog.done(widget, QDialog.DialogCode.Rejected)  # reject() asks about unsaved text
            continue
        if isinstance(widget, MainWindow):
            for person_id in widget.open_case_ids():
                widget.close_case(person_id, ask=False)
        widget.close()


@pytest.fixture
def watchers() -> Iterator[list[IdleWatcher]]:
    """Watchers made by a test, removed from the application afterwards."""
    made: list[IdleWatcher] = []
    yield made
    for watcher in made:
        watcher.uninstall()
        watcher.deleteLater()


def controller_of(window: MainWindow) -> LockController:
    controller = getattr(window, "lock_controller", None)
    assert isinstance(controller, LockController)
    return controller


def enter(controller: LockController, username: str, password: str) -> None:
    dialog = controller.dialog
    assert dialog is not None
    dialog.username.setText(username)
    dialog.password.setText(password)
    dialog.unlock_button.click()


def events(db: Database, action: AuditAction) -> list[tuple[str | None, str | None]]:
    with db.read() as session:
        return [
            (e.username, e.summary)
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        ]


def test_the_app_locks_after_the_idle_timeout_and_hides_the_window(
    qtbot: QtBot, qapp: QApplication, window: MainWindow, watchers: list[IdleWatcher]
) -> None:
    watcher = install_auto_lock(qapp, window, window.services, timeout_ms=100)
    watchers.append(watcher)
    assert watcher.controller is not None and not watcher.controller.locked
    qtbot.waitUntil(lambda: watcher.controller is not None and watcher.controller.locked)
    central = window.centralWidget()
    assert central is not None and not central.isVisible()
    curtains = [c for c in window.findChildren(Curtain) if c.isVisible()]
    assert curtains and curtains[0].geometry() == window.rect()
    assert watcher.paused  # typing the password does not count as being back


def test_the_timeout_comes_from_the_organisation_setting(
    qapp: QApplication,
    window: MainWindow,
    watchers: list[IdleWatcher],
    db: Database,
    team: object,
) -> None:
    assert window.services.settings.lock_after_minutes() == 10
    Services(db, team.admin).settings.set_lock_after_minutes(3)  # type: ignore[attr-defined]
    watcher = install_auto_lock(qapp, window, window.services)
    watchers.append(watcher)
    assert watcher.timeout_ms == 3 * 60_000


def test_input_restarts_the_idle_clock(
    qtbot: QtBot, qapp: QApplication, window: MainWindow, watchers: list[IdleWatcher]
) -> None:
    watcher = install_auto_lock(qapp, window, window.services, timeout_ms=1000)
    watchers.append(watcher)
    controller = controller_of(window)
    for _ in range(15):  # someone typing for 1.5 s: longer than the timeout, never idle
        QApplication.sendEvent(
            window,
            QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a"),
        )
        qtbot.wait(100)
        assert not controller.locked
    qtbot.waitUntil(lambda: controller.locked, timeout=3000)


def test_the_same_user_unlocks_and_a_half_filled_referral_form_keeps_its_text(
    qtbot: QtBot, window: MainWindow, db: Database
) -> None:
    form = window.new_referral()
    assert isinstance(form, ReferralForm)
    type_into(qtbot, form.first_name, "Zoë")
    type_into(qtbot, form.last_name, "Ó Súilleabháin")
    window.lock_action.trigger()  # File > Lock, Ctrl+L
    controller = controller_of(window)
    assert controller.locked
    assert any(c.isVisible() for c in form.findChildren(Curtain))  # the form is covered too
    enter(controller, "siobhan", "not my password at all")
    assert controller.locked
    assert controller.dialog is not None and controller.dialog.message.isVisible()
    enter(controller, "siobhan", PASSWORD)
    assert not controller.locked
    central = window.centralWidget()
    assert central is not None and central.isVisible()
    assert form.isVisible() and not any(c.isVisible() for c in form.findChildren(Curtain))
    assert (form.first_name.text(), form.last_name.text()) == ("Zoë", "Ó Súilleabháin")
    assert events(db, AuditAction.FAILED_LOGIN)[-1][0] == "siobhan"
    assert events(db, AuditAction.LOGIN)[-1] == ("siobhan", "Signed in")


def test_escape_does_not_unlock(window: MainWindow) -> None:
    window.lock()
    controller = controller_of(window)
    assert controller.dialog is not None
    controller.dialog.reject()
    controller.dialog.close()
    assert controller.locked and controller.dialog.isVisible()


def test_another_user_at_the_lock_screen_ends_the_first_session_without_saving(
    qtbot: QtBot,
    window: MainWindow,
    db: Database,
    abdirahman: Actor,
    qapp: QApplication,
    watchers: list[IdleWatcher],
) -> None:
    watcher = install_auto_lock(qapp, window, window.services, timeout_ms=60_000)
    watchers.append(watcher)
    form = window.new_referral()
    assert isinstance(form, ReferralForm)
    type_into(qtbot, form.first_name, "Nguyễn")
    window.lock()
    controller = controller_of(window)
    assert controller.dialog is not None
    assert "unsaved work" in " ".join(
        label.text() for label in controller.dialog.findChildren(type(controller.dialog.message))
    )
    settle_heap()  # as the app does once signed in (app.run_app)
    try:
        enter(controller, "abdirahman", OTHER_PASSWORD)
        # The first session's objects, frozen at its sign-in, are collectable again.
        assert gc.get_freeze_count() == 0
    finally:
        unsettle_heap()
    assert not controller.locked
    new_window = controller.window
    assert new_window is not window and watcher.controller is controller
    assert new_window.services.actor.username == "abdirahman"
    assert new_window.isVisible() and not window.isVisible()
    assert not form.isVisible()
    navigation = new_window.navigation
    assert "Reports" in [navigation.item(i).text() for i in range(navigation.count())]
    assert new_window.user_label.text().startswith("Signed in as Abdirahman Warsame")
    assert events(db, AuditAction.LOGOUT) == [
        ("siobhan", "Session ended at the lock screen: abdirahman signed in")
    ]
    assert not [e for e in events(db, AuditAction.CREATE) if e[0] == "siobhan"]
    assert not watcher.paused
    new_window.lock()  # the second user's window locks and unlocks like the first
    enter(controller, "abdirahman", OTHER_PASSWORD)
    assert not controller.locked


def test_a_disabled_user_cannot_take_over_at_the_lock_screen(
    window: MainWindow, db: Database, abdirahman: Actor, team: object
) -> None:
    admin = Services(db, team.admin)  # type: ignore[attr-defined]
    assert abdirahman.user_id is not None
    admin.users.set_active(abdirahman.user_id, False)
    window.lock()
    controller = controller_of(window)
    enter(controller, "abdirahman", OTHER_PASSWORD)
    assert controller.locked and controller.window is window
    assert controller.dialog is not None
    assert "disabled" in controller.dialog.message.text()


@pytest.fixture
def abdirahmans_window(
    db: Database, abdirahman: Actor, settings: QSettings
) -> Iterator[MainWindow]:
    """The manager's window; every window the test leaves open is closed afterwards."""
    built = build_main_window(Services(db, abdirahman), settings=settings, database_label="t.db")
    built.show()
    yield built
    for widget in QApplication.topLevelWidgets():
        if shiboken6.isValid(widget) and widget.isVisible() and isinstance(widget, MainWindow):
            for person_id in widget.open_case_ids():
                widget.close_case(person_id, ask=False)
            widget.close()


def test_another_user_at_the_lock_screen_gets_a_database_of_their_own_and_none_of_the_first(
    abdirahmans_window: MainWindow,
    db: Database,
    siobhan: Actor,
    team: object,
    fake_workspace: type,
    qapp: QApplication,
    watchers: list[IdleWatcher],
) -> None:
    """Abdirahman (a manager) has a case open that is not Siobhán's; she takes over at the
    lock screen. Her work runs on a database opened as her, his case tab is gone, his cases
    are hers to see only as any caseworker's are, and her window starts at her dashboard."""
    from ui_drivers import open_case_for

    from veru_desk.domain.errors import PermissionDenied

    first = abdirahmans_window
    person_id = open_case_for(first.services, team.dariusz.user_id)  # type: ignore[attr-defined]
    assert first.open_case(person_id) is not None
    old_db, old_engine = first.services.db, first.services.db.engine
    watcher = install_auto_lock(qapp, first, first.services, timeout_ms=60_000)
    watchers.append(watcher)
    first.lock()
    controller = controller_of(first)
    enter(controller, "siobhan", PASSWORD)
    assert not controller.locked
    second = controller.window
    assert second is not first and second.services.actor.username == "siobhan"
    assert second.services.db is not old_db, "her work must not run on his database object"
    assert second.services.db.engine is not old_engine
    assert second.services.people is not first.services.people
    assert second.open_case_ids() == []  # his case tab went with his window
    assert not shiboken6.isValid(first) or not first.isVisible()
    assert second.current_page_key() == "dashboard"
    dashboard = second.page("dashboard")
    assert "Siobhán" in dashboard.title.text()  # type: ignore[attr-defined]
    with pytest.raises(PermissionDenied):
        second.services.people.open_case(person_id)
    assert events(second.services.db, AuditAction.LOGOUT) == [
        ("abdirahman", "Session ended at the lock screen: siobhan signed in")
    ]
    second.lock()  # the same person unlocking keeps her database and her window
    same_db = second.services.db
    enter(controller, "siobhan", PASSWORD)
    assert not controller.locked and controller.window is second
    assert second.services.db is same_db
