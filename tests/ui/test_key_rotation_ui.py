"""The Administration page on an encrypted file: disabling an account says the database key
was changed, and the backups taken before it are named and re-encrypted from the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from ui_drivers import shown

from tests.db.test_key_rotation import ADMIN, PASSWORDS, _make, _reads_with_sqlcipher
from veru_desk.config import resolve_database
from veru_desk.db.keyfile import KeyFile, key_file_path, user_slot
from veru_desk.services import Services
from veru_desk.services.vault import open_for_user, open_with_recovery_key
from veru_desk.ui.pages import admin as admin_page
from veru_desk.ui.pages.admin import AdminPage


@pytest.fixture
def encrypted_admin(tmp_path: Path) -> Iterator[tuple[Services, str]]:
    path, recovery = _make(tmp_path / "office")
    db, admin = open_for_user(resolve_database(str(path)), "admin", ADMIN)
    yield Services(db, admin), recovery
    db.dispose()


def test_disabling_an_account_changes_the_key_and_offers_to_re_encrypt_old_backups(
    qtbot: QtBot, encrypted_admin: tuple[Services, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    services, _recovery = encrypted_admin
    path = services.db.location.path
    assert path is not None
    earlier = services.backups.backup_now()
    kept = KeyFile.load(key_file_path(path)).unwrap(user_slot("zoe"), PASSWORDS["zoe"])
    monkeypatch.setattr(admin_page, "confirm", lambda *_a, **_k: True)
    page = shown(qtbot, AdminPage(services))
    page.refresh()
    assert not page.backups_panel.key_note.isVisible()
    page.select_username("zoe")
    page.toggle_active()
    assert "database key was changed" in page.key_message.text()
    panel = page.backups_panel
    assert panel.key_note.isVisible()
    assert "1 kept backup was taken before the database key was last changed" in (
        panel.key_note.text()
    )
    assert panel.reencrypt_button.isVisible()
    assert _reads_with_sqlcipher(earlier, kept)
    panel.reencrypt_button.click()
    assert panel.status.text() == "1 backup re-encrypted with the current key."
    assert not panel.key_note.isVisible() and not panel.reencrypt_button.isVisible()
    assert not _reads_with_sqlcipher(earlier, kept)


def test_an_administrator_can_make_a_new_recovery_key_when_none_opens_the_database(
    qtbot: QtBot, encrypted_admin: tuple[Services, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    services, recovery = encrypted_admin
    path = services.db.location.path
    assert path is not None
    keys = KeyFile.load(key_file_path(path))
    keys.remove_slot("recovery")  # as a key change leaves an earlier release's recovery key
    keys.save()
    page = shown(qtbot, AdminPage(services))
    panel = page.backups_panel
    assert "There is no recovery key" in panel.key_note.text()
    assert panel.recovery_button.isVisible()
    shown_text: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown_text.append(box.text()) or 0)
    panel.recovery_button.click()
    [text] = shown_text
    fresh = next(line for line in text.splitlines() if line.count("-") == 7)
    assert fresh != recovery
    open_with_recovery_key(resolve_database(str(path)), fresh).dispose()
    assert not panel.recovery_button.isVisible()


def test_an_earlier_releases_leaver_is_locked_out_from_the_page_once_nobody_blocks_it(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlcipher3.dbapi2 as sqlcipher

    from tests.db.test_keyfile import _format_1_file
    from veru_desk.ui.pages import backups_panel

    path, recovery = _make(tmp_path / "office")
    key = KeyFile.load(key_file_path(path)).unwrap(user_slot("admin"), ADMIN)
    # As an earlier release left it: Zoë disabled but her slot kept, every slot of format 1.
    _format_1_file(key_file_path(path), key, dict(PASSWORDS), recovery)
    connection = sqlcipher.connect(str(path))
    connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    connection.execute("UPDATE \"user\" SET active = 0 WHERE username = 'zoe'")
    connection.commit()
    connection.close()
    db, admin = open_for_user(resolve_database(str(path)), "admin", ADMIN)
    try:
        services = Services(db, admin)
        page = shown(qtbot, AdminPage(services))
        panel = page.backups_panel
        words = panel.key_note.text()
        assert "Ngozi Okonkwo-Adeyemi, Tomasz Łukasiewicz must sign in once first" in words
        assert "The recovery key was made by an earlier release" in words
        assert panel.change_key_button.isVisible()
        assert not panel.change_key_button.isEnabled()
        for username in ("ngozi", "tomasz"):
            services.users.reset_password(
                services.users.by_username(username).id, PASSWORDS[username]
            )
        panel.refresh_key_state()
        assert panel.change_key_button.isEnabled()
        monkeypatch.setattr(backups_panel, "confirm", lambda *_a, **_k: True)
        panel.change_key_button.click()
        assert "database key was changed" in panel.status.text()
        assert not _reads_with_sqlcipher(path, key)  # what Zoë could have kept
        assert not KeyFile.load(key_file_path(path)).has_slot(user_slot("zoe"))
        assert "There is no recovery key" in panel.key_note.text()
        assert panel.recovery_button.isVisible() and not panel.change_key_button.isVisible()
    finally:
        db.dispose()
