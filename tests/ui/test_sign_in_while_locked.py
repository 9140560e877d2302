"""Signing in while another program saves: the dialog says the database is locked and to try
again (issue #13, finding 9), instead of the crash handler's "something unexpected"."""

from __future__ import annotations

import sqlite3

import pytest
from pytestqt.qtbot import QtBot
from shell_helpers import TEST_PASSWORD_UI
from ui_drivers import shown

from veru_desk.db import driver
from veru_desk.db.engine import Database
from veru_desk.domain.enums import Role
from veru_desk.services.users import add_user, sign_in
from veru_desk.ui.shell.sign_in import SignInDialog


def test_the_sign_in_dialog_says_locked_and_signs_in_once_the_other_save_ends(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.write() as session:
        add_user(session, "ngozi", "Ngozi Okonkwo-Adeyemi", {Role.CASEWORKER}, TEST_PASSWORD_UI)
    monkeypatch.setattr(driver, "BUSY_TIMEOUT_MS", 200)
    db.engine.dispose()  # new connections take the short timeout
    dialog = shown(qtbot, SignInDialog(lambda u, p: sign_in(db, u, p), "veru.db", username="ngozi"))
    assert db.location.path is not None
    other_program = sqlite3.connect(db.location.path, isolation_level=None)
    other_program.execute("BEGIN IMMEDIATE")
    try:
        dialog.password.setText(TEST_PASSWORD_UI)
        dialog.try_sign_in()
        assert dialog.actor is None
        assert dialog.message.text().startswith("The database is locked")
        assert "try again" in dialog.message.text()
        assert dialog.password.text() == TEST_PASSWORD_UI  # nothing to retype
    finally:
        other_program.execute("ROLLBACK")
        other_program.close()
    dialog.try_sign_in()
    assert dialog.actor is not None and dialog.actor.username == "ngozi"
