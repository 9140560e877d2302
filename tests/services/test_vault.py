"""Encryption at rest from the user's side: create, sign in, lock out, recover."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services.test_referrals import knife_referral, lukasz
from veru_desk.config import resolve_database
from veru_desk.db.keyfile import key_file_path
from veru_desk.db.opening import start_of_day_checks
from veru_desk.domain.enums import Role
from veru_desk.domain.errors import StorageError
from veru_desk.services import Services
from veru_desk.services.users import SignInError
from veru_desk.services.vault import (
    DatabaseKind,
    create_database,
    kind_of,
    open_for_user,
    open_with_recovery_key,
)

ADMIN_PASSWORD = "admin passphrase for tests"


@pytest.fixture
def encrypted(tmp_path: Path) -> Path:
    location = resolve_database(str(tmp_path / "office" / "veru-desk.db"))
    created = create_database(
        location,
        "admin",
        "Sam Okonkwo",
        ADMIN_PASSWORD,
        extra_users=[
            ("priya", "Priya Raghunathan", frozenset({Role.MANAGER}), "priya passphrase 2026"),
        ],
    )
    assert created.recovery_key is not None
    (tmp_path / "recovery.txt").write_text(created.recovery_key)
    created.db.dispose()
    assert location.path is not None
    return location.path


def test_a_new_database_is_encrypted_and_holds_no_readable_names(encrypted: Path) -> None:
    location = resolve_database(str(encrypted))
    assert kind_of(location) is DatabaseKind.ENCRYPTED
    db, priya = open_for_user(location, "priya", "priya passphrase 2026")
    start_of_day_checks(db)
    Services(db, priya).referrals.create(knife_referral(), person=lukasz(last_name="Wójtowicz"))
    db.dispose()
    folder = encrypted.parent
    blobs = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    for needle in ("Wójtowicz", "Łukasz", "Bedfordshire Police"):
        assert needle.encode() not in blobs
    [daily] = (folder / "backups").glob("veru-desk-daily-*.db")  # the day's first backup
    assert key_file_path(daily).read_bytes() == key_file_path(encrypted).read_bytes(), (
        "the key file travels with the backup, under the backup's own name"
    )


def test_wrong_password_is_a_clear_message_and_five_lock_the_account(encrypted: Path) -> None:
    location = resolve_database(str(encrypted))
    for _ in range(5):
        with pytest.raises(SignInError, match="not right"):
            open_for_user(location, "priya", "not the passphrase")
    with pytest.raises(SignInError, match="locked"):
        open_for_user(location, "priya", "priya passphrase 2026")


def test_a_new_user_opens_with_their_own_password_and_can_change_it(encrypted: Path) -> None:
    location = resolve_database(str(encrypted))
    db, admin = open_for_user(location, "admin", ADMIN_PASSWORD)
    Services(db, admin).users.create(
        "dariusz", "Dariusz Wójcik", {Role.CASEWORKER}, "dariusz passphrase 1"
    )
    db.dispose()
    db, dariusz = open_for_user(location, "dariusz", "dariusz passphrase 1")
    Services(db, dariusz).users.change_own_password(
        "dariusz passphrase 1", "a brand new passphrase"
    )
    db.dispose()
    with pytest.raises(SignInError):
        open_for_user(location, "dariusz", "dariusz passphrase 1")
    db, _ = open_for_user(location, "dariusz", "a brand new passphrase")
    db.dispose()
    db, _ = open_for_user(location, "priya", "priya passphrase 2026")  # others unaffected
    db.dispose()


def test_the_recovery_key_opens_the_database(encrypted: Path) -> None:
    recovery = (encrypted.parent.parent / "recovery.txt").read_text()
    db = open_with_recovery_key(resolve_database(str(encrypted)), recovery.lower())
    db.dispose()


def test_a_missing_key_file_is_explained(encrypted: Path) -> None:
    key_file_path(encrypted).unlink()
    with pytest.raises(StorageError, match="key file"):
        kind_of(resolve_database(str(encrypted)))


def _wrapped_with_one_lane(path: Path, username: str, password: str) -> None:
    """The slot as releases before RFC 9106's four lanes made it (p=1)."""
    from veru_desk.db.keyfile import KdfParameters, KeyFile, user_slot

    keys = KeyFile.load(key_file_path(path))
    key = keys.unwrap(user_slot(username), password)
    keys.add_slot(user_slot(username), password, key, KdfParameters(parallelism=1))
    keys.save()
    assert not KeyFile.load(key_file_path(path)).is_current(user_slot(username))


def test_a_slot_made_with_older_parameters_is_rewrapped_at_the_next_sign_in(
    encrypted: Path,
) -> None:
    from veru_desk.db.keyfile import KeyFile, user_slot

    _wrapped_with_one_lane(encrypted, "priya", "priya passphrase 2026")
    db, _actor = open_for_user(resolve_database(str(encrypted)), "priya", "priya passphrase 2026")
    db.dispose()
    keys = KeyFile.load(key_file_path(encrypted))
    assert keys.is_current(user_slot("priya"))
    assert keys.unwrap(user_slot("priya"), "priya passphrase 2026") == db.key


def test_a_quick_start_rewraps_an_older_slot_once_the_sign_in_completes(
    encrypted: Path,
) -> None:
    from veru_desk.db.engine import Database
    from veru_desk.db.keyfile import KeyFile, user_slot
    from veru_desk.services.vault import refresh_key_slot

    _wrapped_with_one_lane(encrypted, "priya", "priya passphrase 2026")
    key = KeyFile.load(key_file_path(encrypted)).unwrap(user_slot("priya"), "priya passphrase 2026")
    db = Database.deferred(resolve_database(str(encrypted)), key=key)
    refresh_key_slot(db, "priya", "priya passphrase 2026")
    keys = KeyFile.load(key_file_path(encrypted))
    assert keys.is_current(user_slot("priya"))
    assert keys.unwrap(user_slot("priya"), "priya passphrase 2026") == key
    assert "engine" not in db.__dict__  # the key file alone: the database was not needed


def _veru_desk(database: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "VERU_DESK_DATABASE": str(database),
        "VERU_DESK_USER": "admin",
        "VERU_DESK_PASSWORD": ADMIN_PASSWORD,
    }
    return subprocess.run(
        [sys.executable, "-m", "veru_desk", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_damaged_encrypted_file_is_reported_in_one_line_without_sqlciphers_log(
    encrypted: Path,
) -> None:
    size = encrypted.stat().st_size
    with encrypted.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(b"\x5a" * 8192)
    done = _veru_desk(encrypted, "check")
    assert done.returncode != 0
    assert len(done.stderr.splitlines()) == 1, done.stderr[:500]
    assert "damaged" in done.stderr and "ERROR CORE" not in done.stderr


def test_a_key_file_edited_to_ask_for_terabytes_is_refused_with_a_clear_message(
    encrypted: Path,
) -> None:
    import json

    keys = key_file_path(encrypted)
    data = json.loads(keys.read_text())
    for slot in data["slots"].values():
        slot["m"] = 2**31
    keys.write_text(json.dumps(data))
    done = _veru_desk(encrypted, "cases")
    assert done.returncode not in (0, 70), done.stderr
    assert "edited or damaged" in done.stderr and "HashingError" not in done.stderr
    assert len(done.stderr.splitlines()) == 1
