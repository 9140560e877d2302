"""The desktop app's first start makes a new database whole or not at all (issue #13, finding
8): cancelled part-way, it leaves nothing behind, so the same choice is offered again and
works, instead of a half-filled database that refuses every password."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from shell_helpers import TEST_PASSWORD_UI
from ui_drivers import shown

from veru_desk.config import DatabaseLocation, resolve_database
from veru_desk.services.users import count_users
from veru_desk.services.vault import DatabaseKind, kind_of
from veru_desk.ui.shell import sign_in as sign_in_module
from veru_desk.ui.shell import tasks
from veru_desk.ui.shell.sign_in import FirstStartDialog


@pytest.fixture
def new_location(tmp_path: Path) -> DatabaseLocation:
    return resolve_database(str(tmp_path / "office" / "veru-desk.db"))


def test_cancelling_the_demonstration_data_leaves_no_database_and_the_first_start_goes_on(
    qtbot: QtBot, new_location: DatabaseLocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sign_in_module, "DEMO_PEOPLE", 12)
    monkeypatch.setattr(sign_in_module.RecoveryKeyDialog, "exec", lambda self: 0)
    keep_going = tasks.Progress.keep_going

    def cancel_pressed(self: tasks.Progress, done: int, total: int) -> bool:
        self.cancel()  # the Cancel button of the progress dialog, after the first batch
        return keep_going(self, done, total)

    monkeypatch.setattr(tasks.Progress, "keep_going", cancel_pressed)
    dialog = shown(qtbot, FirstStartDialog(new_location))
    dialog.demo_choice.click()

    assert dialog.result() != FirstStartDialog.DialogCode.Accepted
    assert kind_of(new_location) is DatabaseKind.NEW
    assert new_location.path is not None
    assert sorted(p.name for p in new_location.path.parent.iterdir()) == []
    assert dialog.admin_choice.isEnabled() and dialog.demo_choice.isEnabled()

    monkeypatch.setattr(tasks.Progress, "keep_going", keep_going)
    dialog.admin_choice.click()
    dialog.display_name.setText("Siobhán Nic Giolla")
    dialog.new_username.setText("snicgiolla")
    dialog.new_password.setText(TEST_PASSWORD_UI)
    dialog.confirm_password.setText(TEST_PASSWORD_UI)
    dialog.create_administrator()
    assert dialog.result() == FirstStartDialog.DialogCode.Accepted
    assert kind_of(new_location) is DatabaseKind.ENCRYPTED
    assert dialog.db is not None and count_users(dialog.db) == 1
    assert not [p for p in new_location.path.parent.iterdir() if ".creating-" in p.name]
    dialog.db.dispose()
