from __future__ import annotations

from pathlib import Path

import pytest

from veru_desk.db.keyfile import (
    RECOVERY_SLOT,
    KdfParameters,
    KeyFile,
    WrongSecret,
    key_file_path,
    new_database_key,
    new_recovery_key,
    normalise_recovery_key,
    user_slot,
)
from veru_desk.domain.errors import StorageError

FAST = KdfParameters(time_cost=1, memory_kib=8192)


def test_each_user_and_the_recovery_key_unwrap_the_same_database_key(tmp_path: Path) -> None:
    key = new_database_key()
    recovery = new_recovery_key()
    keys = KeyFile.create(key_file_path(tmp_path / "veru.db"))
    keys.add_slot(user_slot("priya"), "priya's long passphrase", key, FAST)
    keys.add_slot(user_slot("dariusz"), "dariusz's long passphrase", key, FAST)
    keys.add_slot(RECOVERY_SLOT, recovery, key, FAST)
    keys.save()
    loaded = KeyFile.load(tmp_path / "veru.db.keys")
    assert loaded.unwrap(user_slot("Priya"), "priya's long passphrase") == key
    assert loaded.unwrap(RECOVERY_SLOT, normalise_recovery_key(recovery.lower())) == key
    assert key.hex() not in (tmp_path / "veru.db.keys").read_text()


def test_a_wrong_password_is_a_clear_field_error(tmp_path: Path) -> None:
    keys = KeyFile.create(tmp_path / "k.keys")
    keys.add_slot(user_slot("priya"), "right passphrase here", new_database_key(), FAST)
    with pytest.raises(WrongSecret) as caught:
        keys.unwrap(user_slot("priya"), "wrong passphrase here")
    assert caught.value.fields == {"password": "The password is not right."}


def test_a_password_change_rewraps_only_that_slot(tmp_path: Path) -> None:
    key = new_database_key()
    keys = KeyFile.create(tmp_path / "k.keys")
    keys.add_slot(user_slot("priya"), "old passphrase 1234", key, FAST)
    keys.add_slot(user_slot("aisha"), "aisha passphrase 99", key, FAST)
    before = dict(keys._slots[user_slot("aisha")])
    keys.add_slot(user_slot("priya"), "new passphrase 5678", key, FAST)
    assert keys.unwrap(user_slot("priya"), "new passphrase 5678") == key
    assert keys._slots[user_slot("aisha")] == before
    with pytest.raises(WrongSecret):
        keys.unwrap(user_slot("priya"), "old passphrase 1234")


def test_slots_cannot_be_swapped_between_users(tmp_path: Path) -> None:
    keys = KeyFile.create(tmp_path / "k.keys")
    keys.add_slot(user_slot("priya"), "same passphrase 123", new_database_key(), FAST)
    keys._slots[user_slot("mallory")] = keys._slots[user_slot("priya")]
    with pytest.raises(WrongSecret):
        keys.unwrap(user_slot("mallory"), "same passphrase 123")


def test_a_missing_key_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match=r"key file veru\.db\.keys is missing"):
        KeyFile.load(tmp_path / "veru.db.keys")


def test_recovery_keys_are_readable_groups() -> None:
    recovery = new_recovery_key()
    groups = recovery.split("-")
    assert len(groups) == 8 and all(len(g) == 5 for g in groups)
    assert not set(recovery) & set("01IO")
