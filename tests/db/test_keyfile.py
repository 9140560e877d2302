from __future__ import annotations

import os
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
    before = dict(keys._slots[keys._id(user_slot("aisha"))])
    keys.add_slot(user_slot("priya"), "new passphrase 5678", key, FAST)
    assert keys.unwrap(user_slot("priya"), "new passphrase 5678") == key
    assert keys._slots[keys._id(user_slot("aisha"))] == before
    with pytest.raises(WrongSecret):
        keys.unwrap(user_slot("priya"), "old passphrase 1234")


def test_slots_cannot_be_swapped_between_users(tmp_path: Path) -> None:
    keys = KeyFile.create(tmp_path / "k.keys")
    keys.add_slot(user_slot("priya"), "same passphrase 123", new_database_key(), FAST)
    keys._slots[keys._id(user_slot("mallory"))] = keys._slots[keys._id(user_slot("priya"))]
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


def _format_1_file(path: Path, key: bytes, users: dict[str, str], recovery: str) -> None:
    """A key file as releases before key pairs wrote it: the database key straight under
    each password, the slot names in clear."""
    import base64
    import json
    import os

    from argon2.low_level import Type, hash_secret_raw
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    slots = {}
    for name, secret in [*((user_slot(u), p) for u, p in users.items()), (RECOVERY_SLOT, recovery)]:
        salt, nonce = os.urandom(16), os.urandom(12)
        wrapping = hash_secret_raw(
            secret.encode(),
            salt,
            time_cost=1,
            memory_cost=8192,
            parallelism=4,
            hash_len=32,
            type=Type.ID,
        )
        wrapped = AESGCM(wrapping).encrypt(nonce, key, name.encode())
        slots[name] = {
            "kdf": "argon2id",
            "t": 1,
            "m": 8192,
            "p": 4,
            "salt": b64(salt),
            "nonce": b64(nonce),
            "wrapped": b64(wrapped),
        }
    path.write_text(json.dumps({"format": 1, "cipher": "AES-256-GCM", "slots": slots}))


def test_usernames_are_not_stored_in_clear(tmp_path: Path) -> None:
    keys = KeyFile.create(tmp_path / "veru.db.keys")
    keys.add_slot(
        user_slot("siobhan.nicgiollaphadraig"), "a long passphrase 1", new_database_key(), FAST
    )
    keys.add_slot(RECOVERY_SLOT, new_recovery_key(), new_database_key(), FAST)
    keys.save()
    text = (tmp_path / "veru.db.keys").read_text()
    assert "siobhan" not in text and "user:" not in text and '"recovery"' not in text
    assert KeyFile.load(tmp_path / "veru.db.keys").has_slot(user_slot("Siobhan.NicGiollaPhadraig"))


def test_a_key_file_of_format_1_still_opens_and_is_saved_with_keyed_names(tmp_path: Path) -> None:
    key = new_database_key()
    recovery = new_recovery_key()
    path = tmp_path / "veru.db.keys"
    _format_1_file(path, key, {"dariusz": "dariusz passphrase 1"}, recovery)
    keys = KeyFile.load(path)
    assert keys.unwrap(user_slot("dariusz"), "dariusz passphrase 1") == key
    assert not keys.is_current(user_slot("dariusz"))  # no key pair yet: rewrapped at sign-in
    assert keys.rotation_blockers() == 1
    keys.save()
    assert "dariusz" not in path.read_text()
    again = KeyFile.load(path)
    assert again.unwrap(RECOVERY_SLOT, recovery, "recovery_key") == key
    again.add_slot(user_slot("dariusz"), "dariusz passphrase 1", key, FAST)
    assert again.is_upgraded(user_slot("dariusz")) and again.rotation_blockers() == 0


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("m", 2**31, "KiB of memory"),
        ("m", 0, "KiB of memory"),
        ("t", 10**9, "passes"),
        ("p", 0, "lanes"),
        ("p", 2**24, "lanes"),
    ],
)
def test_a_key_file_asking_for_absurd_argon2_parameters_is_refused_clearly(
    tmp_path: Path, field: str, value: int, says: str
) -> None:
    import json

    keys = KeyFile.create(tmp_path / "veru.db.keys")
    keys.add_slot(user_slot("ngozi"), "ngozi passphrase 2026", new_database_key(), FAST)
    keys.save()
    data = json.loads(keys.path.read_text())
    for slot in data["slots"].values():
        slot[field] = value
    keys.path.write_text(json.dumps(data))
    with pytest.raises(StorageError, match=f"{says}.*edited or damaged"):
        KeyFile.load(keys.path)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX's")
def test_the_key_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    import stat

    old = os.umask(0o022)
    try:
        keys = KeyFile.create(tmp_path / "new folder" / "veru.db.keys")
        keys.add_slot(user_slot("tomasz"), "tomasz passphrase 1", new_database_key(), FAST)
        keys.save()
    finally:
        os.umask(old)
    assert stat.S_IMODE(keys.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys.path.parent.stat().st_mode) == 0o700


def test_a_new_key_is_sealed_for_every_slot_without_their_passwords(tmp_path: Path) -> None:
    old, new = new_database_key(), new_database_key()
    recovery = new_recovery_key()
    keys = KeyFile.create(tmp_path / "veru.db.keys")
    keys.add_slot(user_slot("zoe"), "zoe passphrase 2026", old, FAST)
    keys.add_slot(user_slot("tomasz"), "tomasz passphrase 1", old, FAST)
    keys.add_slot(RECOVERY_SLOT, recovery, old, FAST)
    keys.remove_slot(user_slot("tomasz"))
    keys.begin_rotation(new)
    keys.save()
    during = KeyFile.load(keys.path)
    opened = during.open_slot(user_slot("zoe"), "zoe passphrase 2026")
    assert (opened.current, opened.pending) == (old, new)
    during.finish_rotation(old, new)
    during.save()
    after = KeyFile.load(keys.path)
    assert after.unwrap(user_slot("zoe"), "zoe passphrase 2026") == new
    assert after.unwrap(RECOVERY_SLOT, recovery, "recovery_key") == new
    assert after.retired_keys(new) == {keys.key_id: old}
    with pytest.raises(WrongSecret):
        after.unwrap(user_slot("tomasz"), "tomasz passphrase 1")
