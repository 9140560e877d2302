"""A refused sign-in takes as long for a username that does not exist as for a wrong password,
so timing the answer does not tell a curious colleague (or a script) who has an account.

Medians of interleaved attempts, compared within a factor of two: robust on a loaded machine,
while the fault this guards against was a factor of a thousand (0.1 ms against 270 ms).
Each account gets fewer wrong attempts than the lockout allows, since a locked account is
refused by another path.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.domain.enums import Role
from veru_desk.domain.errors import VeruError
from veru_desk.services.quick_start import read_first_screen
from veru_desk.services.users import add_user, check_sign_in, sign_in
from veru_desk.services.vault import create_database, open_for_user

PASSWORD = "a long enough passphrase"
NAMES = ("zoe", "dariusz", "ngozi")
ROUNDS = 2  # wrong passwords per account: well under the five that lock it


def _refused_in(attempt: Callable[[], object]) -> float:
    started = time.perf_counter()
    with pytest.raises(VeruError):
        attempt()
    return time.perf_counter() - started


def _compare(unknown: Callable[[str], object], known: Callable[[str], object]) -> None:
    """Interleaves unknown-name and wrong-password attempts and compares their medians."""
    unknown_times: list[float] = []
    known_times: list[float] = []
    _refused_in(lambda: unknown("nobody-by-this-name"))  # warm: imports, first connection
    for round_ in range(ROUNDS):
        for name in NAMES:
            known_times.append(_refused_in(lambda n=name: known(n)))
            unknown_times.append(_refused_in(lambda n=name, r=round_: unknown(f"{n}{r}x")))
    ratio = statistics.median(unknown_times) / statistics.median(known_times)
    assert 0.5 <= ratio <= 2, (
        f"unknown usernames take {ratio:.3f} times as long as wrong passwords "
        f"(unknown {unknown_times}, known {known_times})"
    )


def _with_accounts(db: Database) -> None:
    with db.write() as session:
        for name in NAMES:
            add_user(session, name, name.capitalize(), {Role.CASEWORKER}, PASSWORD)


def test_sign_in_takes_as_long_for_an_unknown_name_as_for_a_wrong_password(
    db: Database,
) -> None:
    _with_accounts(db)
    _compare(
        lambda name: sign_in(db, name, PASSWORD),
        lambda name: sign_in(db, name, "not the passphrase at all"),
    )


def test_a_read_only_commands_sign_in_takes_as_long_either_way(db: Database) -> None:
    _with_accounts(db)
    _compare(
        lambda name: check_sign_in(db, name, PASSWORD),
        lambda name: check_sign_in(db, name, "not the passphrase at all"),
    )


def test_the_desktop_start_takes_as_long_either_way(db_path: Path) -> None:
    """The desktop's quick first read, then the usual sign-in it falls back to."""
    location = resolve_database(str(db_path))
    db = Database.open(location)
    _with_accounts(db)

    def start(name: str, password: str) -> object:
        assert read_first_screen(location, name, password) is None
        return sign_in(db, name, password)

    try:
        _compare(
            lambda name: start(name, PASSWORD),
            lambda name: start(name, "not the passphrase at all"),
        )
    finally:
        db.dispose()


def test_an_encrypted_database_takes_as_long_for_a_name_with_no_key_slot(
    tmp_path: Path,
) -> None:
    location = resolve_database(str(tmp_path / "office" / "veru-desk.db"))
    created = create_database(
        location,
        "admin",
        "Siobhán Nic Giolla Phádraig",
        "admin passphrase for tests",
        extra_users=[
            (name, name.capitalize(), frozenset({Role.CASEWORKER}), PASSWORD) for name in NAMES
        ],
    )
    created.db.dispose()

    def opened(name: str, password: str) -> object:
        db, actor = open_for_user(location, name, password)
        db.dispose()
        return actor

    def first_read(name: str, password: str) -> object:
        assert read_first_screen(location, name, password) is None
        return opened(name, password)

    for how in (opened, first_read):
        _compare(
            lambda name, how=how: how(name, PASSWORD),
            lambda name, how=how: how(name, "not the passphrase at all"),
        )


class _Counted:
    """Counts calls to a derivation function, still doing its work."""

    def __init__(self, inner: Callable[..., object]) -> None:
        self.inner = inner
        self.calls = 0

    def __call__(self, *args: object, **kwargs: object) -> object:
        self.calls += 1
        return self.inner(*args, **kwargs)


def test_a_locked_account_is_refused_after_the_same_password_check(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not timed (see the module's doc): the refusal of a locked account must run the argon2
    check a wrong password runs, or it answers a thousand times sooner and says it is locked."""
    from argon2 import PasswordHasher

    _with_accounts(db)
    for _ in range(5):
        with pytest.raises(VeruError, match="not right"):
            sign_in(db, "zoe", "not the passphrase at all")
    counted = _Counted(PasswordHasher.verify)

    def verify(hasher: PasswordHasher, *args: object) -> object:
        return counted(hasher, *args)

    monkeypatch.setattr(PasswordHasher, "verify", verify)
    with pytest.raises(VeruError, match="locked"):
        sign_in(db, "zoe", PASSWORD)
    assert counted.calls == 1


def test_an_encrypted_files_locked_slot_is_refused_after_the_same_derivation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from veru_desk.db import keyfile

    location = resolve_database(str(tmp_path / "office" / "veru-desk.db"))
    created = create_database(
        location,
        "admin",
        "Siobhán Nic Giolla Phádraig",
        "admin passphrase for tests",
        extra_users=[("ngozi", "Ngozi Okonkwo-Adeyemi", frozenset({Role.CASEWORKER}), PASSWORD)],
    )
    created.db.dispose()
    for _ in range(5):
        with pytest.raises(VeruError, match="not right"):
            open_for_user(location, "ngozi", "not the passphrase at all")
    counted = _Counted(keyfile._derive)
    monkeypatch.setattr(keyfile, "_derive", counted)
    with pytest.raises(VeruError, match="locked"):
        open_for_user(location, "ngozi", PASSWORD)
    assert counted.calls == 1, "a locked slot must cost the derivation a wrong password costs"
