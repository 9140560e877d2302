"""Disabling an account on an encrypted file: its key slot goes and the database key changes,
so the leaver's password (or a key they kept) opens neither the file nor anything newer, while
every remaining user and the recovery key still do, even if the change is killed half-way."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.db.test_keyfile import _format_1_file
from veru_desk.config import resolve_database
from veru_desk.db.key_rotation import opens_with
from veru_desk.db.keyfile import (
    RECOVERY_SLOT,
    KeyFile,
    WrongSecret,
    key_file_path,
    user_slot,
)
from veru_desk.domain.enums import Role
from veru_desk.services import Services
from veru_desk.services.users import SignInError
from veru_desk.services.vault import (
    create_database,
    make_new_recovery_key,
    open_for_user,
    open_with_recovery_key,
)

ADMIN = "marble falcon ribbon 52"
PASSWORDS = {
    "admin": ADMIN,
    "zoe": "violet lantern mosaic 41",
    "ngozi": "copper kettle harbour 7",
    "tomasz": "granite orchard whistle 3",
}
NAMES = {
    "zoe": "Zoë Ó Briain",
    "ngozi": "Ngozi Okonkwo-Adeyemi",
    "tomasz": "Tomasz Łukasiewicz",
}


def _make(folder: Path) -> tuple[Path, str]:
    location = resolve_database(str(folder / "veru-desk.db"))
    created = create_database(
        location,
        "admin",
        "Siobhán Nic Giolla",
        ADMIN,
        extra_users=[
            ("zoe", NAMES["zoe"], frozenset({Role.CASEWORKER}), PASSWORDS["zoe"]),
            ("ngozi", NAMES["ngozi"], frozenset({Role.MANAGER}), PASSWORDS["ngozi"]),
            ("tomasz", NAMES["tomasz"], frozenset({Role.CASEWORKER}), PASSWORDS["tomasz"]),
        ],
    )
    created.db.dispose()
    assert location.path is not None and created.recovery_key is not None
    return location.path, created.recovery_key


@pytest.fixture
def encrypted(tmp_path: Path) -> tuple[Path, str]:
    return _make(tmp_path / "office")


def _key_of(path: Path, username: str) -> bytes:
    return KeyFile.load(key_file_path(path)).unwrap(user_slot(username), PASSWORDS[username])


def _reads_with_sqlcipher(path: Path, key: bytes) -> bool:
    """What a curious colleague would do: the file, sqlcipher3 and a key."""
    import sqlcipher3.dbapi2 as sqlcipher

    connection = sqlcipher.connect(str(path))
    try:
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        connection.execute('SELECT count(*) FROM "user"').fetchone()
        return True
    except Exception:
        return False
    finally:
        connection.close()


def _disable(path: Path, username: str) -> object:
    db, admin = open_for_user(resolve_database(str(path)), "admin", ADMIN)
    try:
        services = Services(db, admin)
        return services.users.set_active(services.users.by_username(username).id, False)
    finally:
        db.dispose()


def _opens_for(path: Path, username: str) -> bool:
    try:
        db, _actor = open_for_user(resolve_database(str(path)), username, PASSWORDS[username])
    except SignInError:
        return False
    db.dispose()
    return True


def test_a_disabled_users_password_no_longer_opens_the_file_with_sqlcipher(
    encrypted: tuple[Path, str],
) -> None:
    path, recovery = encrypted
    kept = _key_of(path, "zoe")  # what Zoë could have kept while she still worked here
    assert _reads_with_sqlcipher(path, kept)
    change = _disable(path, "zoe")
    assert "database key was changed" in change.message  # type: ignore[attr-defined]
    keys = KeyFile.load(key_file_path(path))
    assert not keys.has_slot(user_slot("zoe"))
    with pytest.raises(WrongSecret):
        keys.unwrap(user_slot("zoe"), PASSWORDS["zoe"])
    assert not _reads_with_sqlcipher(path, kept)
    for username in ("admin", "ngozi", "tomasz"):
        assert _reads_with_sqlcipher(path, _key_of(path, username)), username
        assert _opens_for(path, username), username
    open_with_recovery_key(resolve_database(str(path)), recovery).dispose()
    assert not _opens_for(path, "zoe")


def test_the_administrators_open_session_keeps_working_after_the_key_changes(
    encrypted: tuple[Path, str],
) -> None:
    path, _recovery = encrypted
    db, admin = open_for_user(resolve_database(str(path)), "admin", ADMIN)
    try:
        services = Services(db, admin)
        services.users.set_active(services.users.by_username("tomasz").id, False)
        assert db.key == _key_of(path, "admin")
        services.users.create(
            "dariusz", "Dariusz Wójcik", {Role.CASEWORKER}, "saffron tunnel biscuit 88"
        )
        assert [u.username for u in services.users.list() if not u.active] == ["tomasz"]
    finally:
        db.dispose()
    with_dariusz = {**PASSWORDS, "dariusz": "saffron tunnel biscuit 88"}
    db, _ = open_for_user(resolve_database(str(path)), "dariusz", with_dariusz["dariusz"])
    db.dispose()


def test_a_password_reset_replaces_the_old_passwords_slot(encrypted: tuple[Path, str]) -> None:
    path, _recovery = encrypted
    db, admin = open_for_user(resolve_database(str(path)), "admin", ADMIN)
    try:
        services = Services(db, admin)
        services.users.reset_password(
            services.users.by_username("ngozi").id, "pebble meadow cobalt 19"
        )
    finally:
        db.dispose()
    keys = KeyFile.load(key_file_path(path))
    with pytest.raises(WrongSecret):
        keys.unwrap(user_slot("ngozi"), PASSWORDS["ngozi"])
    assert keys.unwrap(user_slot("ngozi"), "pebble meadow cobalt 19") == _key_of(path, "admin")


def test_resetting_a_disabled_accounts_password_gives_it_no_key(
    encrypted: tuple[Path, str],
) -> None:
    path, _recovery = encrypted
    _disable(path, "tomasz")
    db, admin = open_for_user(resolve_database(str(path)), "admin", ADMIN)
    try:
        services = Services(db, admin)
        tomasz = services.users.by_username("tomasz").id
        services.users.reset_password(tomasz, "quartz ferry lullaby 64")
        assert not KeyFile.load(key_file_path(path)).has_slot(user_slot("tomasz"))
        change = services.users.set_active(tomasz, True)
        assert change is not None and "reset their password" in change.message
    finally:
        db.dispose()


def test_an_earlier_releases_key_file_changes_key_once_everyone_has_signed_in(
    encrypted: tuple[Path, str],
) -> None:
    path, recovery = encrypted
    key = _key_of(path, "admin")
    _format_1_file(
        key_file_path(path), key, {u: PASSWORDS[u] for u in ("admin", "zoe", "ngozi")}, recovery
    )
    assert _opens_for(path, "admin")  # the administrator's slot gets its key pair
    change = _disable(path, "zoe")
    assert change.waiting_for == (NAMES["ngozi"],)  # type: ignore[attr-defined]
    assert "Ngozi Okonkwo-Adeyemi sign in once" in change.message  # type: ignore[attr-defined]
    assert not KeyFile.load(key_file_path(path)).has_slot(user_slot("zoe"))
    assert _reads_with_sqlcipher(path, key)  # not yet changed: said so above
    assert _opens_for(path, "ngozi")  # her sign-in was the last one owed: the key changes
    assert not _reads_with_sqlcipher(path, key)
    assert _opens_for(path, "admin") and _opens_for(path, "ngozi")
    # The old recovery slot could not take the new key: a new recovery key replaces it.
    with pytest.raises(WrongSecret):
        open_with_recovery_key(resolve_database(str(path)), recovery)
    db, admin = open_for_user(resolve_database(str(path)), "admin", ADMIN)
    try:
        fresh = make_new_recovery_key(db, admin)
    finally:
        db.dispose()
    open_with_recovery_key(resolve_database(str(path)), fresh).dispose()
    assert KeyFile.load(key_file_path(path)).is_upgraded(RECOVERY_SLOT)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX's")
def test_the_database_its_key_file_and_backups_are_the_owners_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path, _recovery = _make(tmp_path / "new office")
        db, admin = open_for_user(resolve_database(str(path)), "admin", ADMIN)
        try:
            backup = Services(db, admin).backups.backup_now()
        finally:
            db.dispose()
    finally:
        os.umask(old)
    for made in (path, key_file_path(path), backup, key_file_path(backup)):
        assert stat.S_IMODE(made.stat().st_mode) == 0o600, made
    for folder in (path.parent, backup.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


# -- killed during the change ------------------------------------------------------------

CHILD = """
import sys
from veru_desk.config import resolve_database
from veru_desk.services import Services
from veru_desk.services.vault import open_for_user

db, admin = open_for_user(resolve_database(sys.argv[1]), "admin", sys.argv[2])
services = Services(db, admin)
zoe = services.users.by_username("zoe").id
print("open", flush=True)
sys.stdin.readline()
services.users.set_active(zoe, False)
print("done", flush=True)
"""


def _with_filler(path: Path) -> int:
    """Some megabytes of pages, so a rekey takes long enough for kills to land inside it."""
    import sqlcipher3.dbapi2 as sqlcipher

    connection = sqlcipher.connect(str(path))
    connection.execute(f"PRAGMA key = \"x'{_key_of(path, 'admin').hex()}'\"")
    connection.execute("CREATE TABLE filler (id INTEGER PRIMARY KEY, words BLOB)")
    connection.executemany("INSERT INTO filler (words) VALUES (randomblob(3000))", [()] * 2000)
    connection.commit()
    connection.close()
    return 2000


def _start(path: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), ADMIN],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "open", child.stderr and child.stderr.read()
    return child


def _go(child: subprocess.Popen[str]) -> float:
    assert child.stdin is not None
    child.stdin.write("go\n")
    child.stdin.flush()
    return time.monotonic()


def _state(path: Path, kept: bytes) -> str:
    keys = KeyFile.load(key_file_path(path))
    if keys.pending_id is not None:
        return "mid-change" if opens_with(path, kept) else "rekeyed"
    return "before" if opens_with(path, kept) else "after"


def _kill_during_rotation(tmp_path: Path, kills: int, seed: int) -> dict[str, int]:
    template, recovery = _make(tmp_path / "template")
    rows = _with_filler(template)
    kept = _key_of(template, "zoe")
    # One life left alone, to learn how long a whole change takes here.
    calibrate = tmp_path / "calibrate"
    shutil.copytree(template.parent, calibrate)
    child = _start(calibrate / template.name)
    started = _go(child)
    output, errors = child.communicate(timeout=120)
    assert child.returncode == 0 and "done" in output, errors
    span = time.monotonic() - started
    rng = random.Random(seed)
    seen: dict[str, int] = {}
    for life in range(kills):
        folder = tmp_path / f"life-{life}"
        shutil.copytree(template.parent, folder)
        path = folder / template.name
        child = _start(path)
        _go(child)
        time.sleep(rng.uniform(0, span))
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=60)
        state = _state(path, kept)
        seen[state] = seen.get(state, 0) + 1
        for username in ("admin", "ngozi", "tomasz"):
            assert _opens_for(path, username), f"life {life} ({state}): {username} locked out"
        open_with_recovery_key(resolve_database(str(path)), recovery).dispose()
        current = _key_of(path, "admin")
        import sqlcipher3.dbapi2 as sqlcipher

        connection = sqlcipher.connect(str(path))
        connection.execute(f"PRAGMA key = \"x'{current.hex()}'\"")
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok", life
        assert connection.execute("SELECT count(*) FROM filler").fetchone()[0] == rows, life
        connection.close()
        if state != "before":  # the change had begun: once settled, Zoë's kept key is dead
            assert not opens_with(path, kept), f"life {life} ({state})"
        shutil.rmtree(folder)
    print(f"{kills} kills over {span:.2f} s: {json.dumps(seen)}")
    return seen


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_key_change_killed_at_random_moments_leaves_a_file_everyone_left_opens(
    tmp_path: Path,
) -> None:
    _kill_during_rotation(tmp_path, kills=3, seed=20261205)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_twelve_kills_during_key_changes_never_lock_a_remaining_user_out(tmp_path: Path) -> None:
    seen = _kill_during_rotation(tmp_path, kills=12, seed=16)
    assert len(seen) >= 2, f"the kills all landed at one stage: {seen}"


def test_backups_taken_before_the_change_are_named_and_re_encrypted(
    encrypted: tuple[Path, str],
) -> None:
    path, _recovery = encrypted
    kept = _key_of(path, "zoe")
    db, admin = open_for_user(resolve_database(str(path)), "admin", ADMIN)
    try:
        services = Services(db, admin)
        earlier = services.backups.backup_now()
        services.users.set_active(services.users.by_username("zoe").id, False)
        assert [b.path for b in services.backups.under_earlier_keys()] == [earlier]
        assert _reads_with_sqlcipher(earlier, kept)  # as the Administration page warns
        assert services.backups.reencrypt_old_backups() == 1
        assert services.backups.under_earlier_keys() == []
        assert not _reads_with_sqlcipher(earlier, kept)
        assert _reads_with_sqlcipher(earlier, db.key)  # type: ignore[arg-type]
        its_keys = KeyFile.load(key_file_path(earlier))
        assert not its_keys.has_slot(user_slot("zoe"))
        assert its_keys.unwrap(user_slot("ngozi"), PASSWORDS["ngozi"]) == db.key
        services.backups.restore(earlier)
    finally:
        db.dispose()
    assert _opens_for(path, "ngozi")


def test_a_backup_from_before_the_change_can_still_be_restored(
    encrypted: tuple[Path, str],
) -> None:
    path, _recovery = encrypted
    db, admin = open_for_user(resolve_database(str(path)), "admin", ADMIN)
    try:
        services = Services(db, admin)
        earlier = services.backups.backup_now()
        services.users.set_active(services.users.by_username("tomasz").id, False)
        services.backups.restore(earlier)  # re-encrypted on the way in
        assert services.users.by_username("tomasz").active  # as it was in the backup
    finally:
        db.dispose()
    assert _opens_for(path, "ngozi") and _opens_for(path, "admin")
    assert not _opens_for(path, "tomasz")  # the restored row is active, but his slot is gone


def test_a_key_change_the_file_is_too_busy_for_is_finished_at_the_next_sign_in(
    encrypted: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlcipher3.dbapi2 as sqlcipher

    from veru_desk.db import key_rotation
    from veru_desk.domain.errors import StorageError

    path, _recovery = encrypted
    kept = _key_of(path, "zoe")
    rekey = key_rotation.rekey_database

    def busy(*_args: object) -> None:  # another PC saving at that moment
        raise sqlcipher.OperationalError("database is locked")

    db, admin = open_for_user(resolve_database(str(path)), "admin", ADMIN)
    try:
        services = Services(db, admin)
        monkeypatch.setattr(key_rotation, "rekey_database", busy)
        with pytest.raises(StorageError, match="another program or PC has the database open"):
            services.users.set_active(services.users.by_username("zoe").id, False)
        assert services.users.by_username("zoe").active is False  # the disabling stands
    finally:
        db.dispose()
    assert not KeyFile.load(key_file_path(path)).has_slot(user_slot("zoe"))
    assert _opens_for(path, "tomasz")  # still busy: he signs in under the old key
    assert _reads_with_sqlcipher(path, kept)  # not changed yet
    monkeypatch.setattr(key_rotation, "rekey_database", rekey)
    assert _opens_for(path, "ngozi")  # the file is free: her sign-in finishes the change
    assert not _reads_with_sqlcipher(path, kept)
    assert KeyFile.load(key_file_path(path)).pending_id is None
    for username in ("admin", "ngozi", "tomasz"):
        assert _opens_for(path, username), username


def _key_changes_on_the_trail(path: Path) -> list[str]:
    from sqlalchemy import select

    from veru_desk.db.models import AuditEvent

    db, _admin = open_for_user(resolve_database(str(path)), "admin", ADMIN)
    try:
        with db.read() as session:
            rows = session.scalars(
                select(AuditEvent.summary).where(AuditEvent.entity_type == "database")
            ).all()
    finally:
        db.dispose()
    return [str(r) for r in rows if "sign-in" in str(r)]


def test_a_sign_in_that_finishes_a_key_change_left_by_a_busy_file_is_audited(
    encrypted: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlcipher3.dbapi2 as sqlcipher

    from veru_desk.db import key_rotation
    from veru_desk.domain.errors import StorageError

    path, _recovery = encrypted
    rekey = key_rotation.rekey_database

    def busy(*_args: object) -> None:
        raise sqlcipher.OperationalError("database is locked")

    monkeypatch.setattr(key_rotation, "rekey_database", busy)
    with pytest.raises(StorageError):
        _disable(path, "zoe")
    monkeypatch.setattr(key_rotation, "rekey_database", rekey)
    assert _key_changes_on_the_trail(path) == [
        "Database key changed at admin's sign-in: the key change left unfinished (the file "
        "was busy, or stopped) is done"
    ]


def test_a_sign_in_that_finishes_an_owed_key_change_is_audited(
    encrypted: tuple[Path, str],
) -> None:
    path, recovery = encrypted
    key = _key_of(path, "admin")
    _format_1_file(
        key_file_path(path), key, {u: PASSWORDS[u] for u in ("admin", "zoe", "ngozi")}, recovery
    )
    assert _opens_for(path, "admin")
    _disable(path, "zoe")  # waits for Ngozi's older slot
    assert _opens_for(path, "ngozi")  # her sign-in changes the key
    [row] = _key_changes_on_the_trail(path)
    assert row.startswith("Database key changed at ngozi's sign-in: the key change owed")
