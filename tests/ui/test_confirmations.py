"""Every question before a destructive step: Enter and Escape keep things as they are, and only
a click on a button that names the action ("Discard this referral", "Restore this backup")
goes ahead. Finding 11: Enter used to pick "Discard" or "Restore"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from shell_helpers import FakeWorkspace, refer
from ui_drivers import shown, type_into

from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.integrity import DamagedDatabase
from veru_desk.services import Services
from veru_desk.services.retention import RetentionItem
from veru_desk.ui.dialogs.referral_form import ReferralForm
from veru_desk.ui.pages.admin import AdminPage
from veru_desk.ui.pages.retention import EndOfRecordDialog
from veru_desk.ui.shell import damaged_database as damaged_database_dialog
from veru_desk.ui.shell.main_window import MainWindow
from veru_desk.ui.shell.sign_in import FirstStartDialog
from veru_desk.ui.widgets.feedback import confirm


@pytest.fixture
def as_admin(db: Database, team: object) -> Services:
    return Services(db, team.admin)  # type: ignore[attr-defined]


@dataclass
class Asked:
    """One question as the person met it: its buttons, and what the key press did."""

    buttons: list[str]
    default: str | None
    closed_by_the_key: bool
    answered: str | None


@dataclass
class KeyAtEveryQuestion:
    """Answers each message box by pressing one key, as a tired person would."""

    key: Qt.Key = Qt.Key.Key_Return
    asked: list[Asked] = field(default_factory=list)


@pytest.fixture
def keys(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> Iterator[KeyAtEveryQuestion]:
    driver = KeyAtEveryQuestion()

    def press(dialog: QDialog) -> int:
        if not isinstance(dialog, QMessageBox):
            raise AssertionError(f"unexpected dialog {dialog.windowTitle()!r}")
        dialog.show()
        focused = dialog.focusWidget()
        target: QWidget = focused if focused is not None else dialog
        qtbot.keyClick(target, driver.key)
        clicked = dialog.clickedButton()
        default = dialog.defaultButton()
        driver.asked.append(
            Asked(
                buttons=[b.text() for b in dialog.buttons()],
                default=default.text() if default is not None else None,
                closed_by_the_key=not dialog.isVisible(),
                answered=clicked.text() if clicked is not None else None,
            )
        )
        if dialog.isVisible():
            dialog.reject()
        return dialog.result()

    monkeypatch.setattr(QDialog, "exec", press)
    yield driver


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape])
def test_enter_or_escape_on_the_shared_question_cancels(
    keys: KeyAtEveryQuestion, key: Qt.Key
) -> None:
    keys.key = key
    assert (
        confirm(None, "Skip this session", "Take it out of the series?", action="Skip this session")
        is False
    )
    [asked] = keys.asked
    assert asked.closed_by_the_key
    assert asked.answered == "Cancel"
    assert asked.default == "Cancel"
    assert "Skip this session" in asked.buttons


def test_only_a_click_on_the_named_action_goes_ahead(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def click_the_action(box: QMessageBox) -> int:
        [button] = [b for b in box.buttons() if b.text() == "Disable this account"]
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        return 0

    monkeypatch.setattr(QDialog, "exec", click_the_action)
    assert confirm(
        None, "Disable this account?", "Ngozi will not sign in.", action="Disable this account"
    )


def test_a_vague_button_label_is_refused() -> None:
    with pytest.raises(ValueError, match="name the action"):
        confirm(None, "Restore?", "Restore the backup?", action="Yes")


def test_enter_on_discarding_a_typed_referral_keeps_the_form_open(
    qtbot: QtBot, as_dariusz: Services, keys: KeyAtEveryQuestion
) -> None:
    form = shown(qtbot, ReferralForm(as_dariusz))
    type_into(qtbot, form.first_name, "Dariusz")
    type_into(qtbot, form.last_name, "Wójcik")
    form.reject()  # Escape or the window's close button

    [asked] = keys.asked
    assert sorted(asked.buttons) == ["Discard this referral", "Keep editing"]
    assert asked.closed_by_the_key and asked.answered == "Keep editing"
    assert form.isVisible() and form.last_name.text() == "Wójcik"


def test_enter_on_closing_a_case_with_unsaved_changes_keeps_it_open(
    manager_window: MainWindow, as_manager: Services, keys: KeyAtEveryQuestion
) -> None:
    person_id = refer(as_manager, "Tomasz", "Łukasiewicz").person_id
    workspace = manager_window.open_case(person_id)
    assert isinstance(workspace, FakeWorkspace)
    workspace.unsaved = True

    assert manager_window.close_case(person_id) is False
    manager_window.close()

    assert [a.answered for a in keys.asked] == ["Keep the case open", "Keep VERU Desk open"]
    assert all(a.closed_by_the_key for a in keys.asked)
    assert manager_window.isVisible()


def test_enter_on_disabling_an_account_keeps_it_enabled(
    qtbot: QtBot, as_admin: Services, keys: KeyAtEveryQuestion
) -> None:
    page = shown(qtbot, AdminPage(as_admin))
    page.refresh()
    page.select_username("aisha")
    page.toggle_active()

    [asked] = keys.asked
    assert asked.answered == "Cancel" and "Disable this account" in asked.buttons
    assert as_admin.users.by_username("aisha").active


def test_enter_on_the_damaged_database_question_does_not_restore(
    as_admin: Services, keys: KeyAtEveryQuestion, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    restored: list[object] = []
    monkeypatch.setattr(damaged_database_dialog, "_restore", lambda *a: restored.append(a))
    backup = tmp_path / "backups" / "daily-2026-12-04.db"
    damaged = DamagedDatabase("integrity check failed", problem="page 12", backup=backup)

    assert damaged_database_dialog.offer_restore(None, damaged, as_admin) is False

    [asked] = keys.asked
    assert sorted(asked.buttons) == ["Close VERU Desk", "Restore this backup"]
    assert asked.closed_by_the_key and asked.answered == "Close VERU Desk"
    assert restored == []


def test_enter_after_typing_the_reference_and_reason_does_not_anonymise(
    qtbot: QtBot,
) -> None:
    item = RetentionItem(
        person_id=7,
        case_ref="VERU-2019-00042",
        name="Siobhán Nic Giolla Phádraig",
        closed_on=dt.date(2019, 3, 1),
        review_due_on=dt.date(2026, 3, 1),
        reason="Seven years since closure",
    )
    dialog = shown(qtbot, EndOfRecordDialog(item, "anonymise"))
    type_into(qtbot, dialog.typed_ref, "VERU-2019-00042")
    type_into(qtbot, dialog.reason, "Retention review")
    assert dialog.confirm_button.isEnabled()

    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)

    assert not dialog.isVisible()  # Enter closed it, as Cancel
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not dialog.confirm_button.isDefault()


def test_enter_on_storing_records_unencrypted_goes_back(
    qtbot: QtBot, keys: KeyAtEveryQuestion, tmp_path: Path
) -> None:
    dialog = shown(qtbot, FirstStartDialog(resolve_database(str(tmp_path / "training.db"))))
    dialog.encrypt.setChecked(False)

    assert dialog._encryption_confirmed() is False

    [asked] = keys.asked
    assert sorted(asked.buttons) == ["Go back", "Store the records unencrypted"]
    assert asked.closed_by_the_key and asked.answered == "Go back"
