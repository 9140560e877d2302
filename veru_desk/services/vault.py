"""Getting into a database: which kind it is, creating a new one (encrypted unless the
administrator explicitly chooses otherwise), and signing a user in, which for an encrypted
file means unwrapping the database key with their password first.

The app and the command line both come through here, so a wrong password, a missing key
file or a locked account reads the same everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from veru_desk.config import DatabaseLocation
from veru_desk.db.driver import DatabaseKind as DatabaseKind  # re-exported: callers ask here
from veru_desk.db.driver import kind_of as kind_of
from veru_desk.db.engine import Database
from veru_desk.db.keyfile import (
    RECOVERY_SLOT,
    KeyFile,
    WrongSecret,
    key_file_path,
    new_database_key,
    new_recovery_key,
    normalise_recovery_key,
    user_slot,
)
from veru_desk.db.session import open_database
from veru_desk.domain.enums import Role
from veru_desk.domain.errors import StorageError
from veru_desk.services.actor import Actor
from veru_desk.services.users import (
    LOCKOUT,
    MAX_FAILED_ATTEMPTS,
    SignInError,
    actor_for,
    add_user,
    check_sign_in,
    count_users,
    sign_in,
    validate_new_user,
)


@dataclass(frozen=True)
class NewDatabase:
    db: Database
    actor: Actor
    recovery_key: str | None  # shown once to the administrator; None when not encrypted


def create_database(
    location: DatabaseLocation,
    admin_username: str,
    admin_display_name: str,
    admin_password: str,
    *,
    encrypted: bool = True,
    admin_roles: frozenset[Role] = frozenset({Role.ADMIN}),
    extra_users: list[tuple[str, str, frozenset[Role], str]] | None = None,
) -> NewDatabase:
    """A new database with its first administrator (and, for demo data, more users)."""
    kind = kind_of(location)
    if kind not in (DatabaseKind.NEW, DatabaseKind.SERVER) or (
        kind is DatabaseKind.SERVER and _has_users(location)
    ):
        raise StorageError(f"A database already exists at {location.display}.")
    users = [(admin_username, admin_display_name, admin_roles | {Role.ADMIN}, admin_password)]
    users += extra_users or []
    for username, name, roles, password in users:
        validate_new_user(username, name, roles, password)  # before any file is written
    key = recovery = None
    written: list[Path] = []
    db: Database | None = None
    try:
        if encrypted and kind is DatabaseKind.NEW:
            assert location.path is not None
            key = new_database_key()
            recovery = new_recovery_key()
            keys = KeyFile.create(key_file_path(location.path))
            for username, _name, _roles, password in users:
                keys.add_slot(user_slot(username), password, key)
            keys.add_slot(RECOVERY_SLOT, recovery, key)
            keys.save()
            written.append(keys.path)
        if location.path is not None:
            written += [location.path, *_sqlite_side_files(location.path)]
        db = open_database(location, key=key)
        with db.write() as session:
            created = [add_user(session, u, n, r, p) for u, n, r, p in users]
            actor = actor_for(created[0])
    except BaseException:
        # A half-made database would block the next attempt ("already exists"): remove it.
        if db is not None:
            db.dispose()
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return NewDatabase(db, actor, recovery)


def _sqlite_side_files(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _has_users(location: DatabaseLocation) -> bool:
    db = open_database(location)
    try:
        return count_users(db) > 0
    finally:
        db.dispose()


def open_for_user(
    location: DatabaseLocation, username: str, password: str, *, record_later: bool = False
) -> tuple[Database, Actor]:
    """Opens the database as ``username``: unwraps the key (if encrypted), then signs in.

    ``record_later``: the password is checked with a read only, and the caller records the
    sign-in with ``users.record_sign_in`` after its read (read-only commands)."""
    kind = kind_of(location)
    if kind is DatabaseKind.NEW:
        raise StorageError(
            f"There is no database at {location.display} yet. Start VERU Desk to set one up, "
            "or run `veru-desk init --admin NAME`."
        )
    key = None
    if kind is DatabaseKind.ENCRYPTED:
        assert location.path is not None
        key = _unlock(key_file_path(location.path), username, password)
    db = _open_as(location, username, password, key)
    try:
        check = check_sign_in if record_later else sign_in
        return db, check(db, username, password)
    except Exception:
        db.dispose()
        raise


def _open_as(
    location: DatabaseLocation, username: str, password: str, key: bytes | None
) -> Database:
    """On a server set up for per-user sign-in (``server setup``) the server checks the
    password too: the connection signs in as the user's own login role, and its refusal reads
    as any refused sign-in does."""
    from veru_desk.db.driver import server_login_wanted, signed_in_location
    from veru_desk.services.server_accounts import refused_sign_in

    if not server_login_wanted(location):
        return open_database(location, key=key)
    try:
        return open_database(signed_in_location(location, username, password), key=key)
    except Exception as error:
        refused = refused_sign_in(error)
        if refused is not None:
            raise refused from None
        raise


def _unlock(path: Path, username: str, password: str) -> bytes:
    """Unwraps the key, keeping failed-attempt counts in the key file: without the key the
    database cannot record them, and the lockout must hold before the database is open."""
    keys = KeyFile.load(path)
    slot = user_slot(username)
    now = dt.datetime.now(dt.UTC)
    locked_until = keys.locked_until(slot)
    if locked_until is not None and locked_until > now:
        minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
        raise SignInError(
            f"This account is locked after {MAX_FAILED_ATTEMPTS} failed attempts. "
            f"Try again in {minutes} minutes, or ask an administrator to reset it."
        )
    try:
        key = keys.unwrap(slot, password)
    except WrongSecret:
        if keys.has_slot(slot):
            keys.record_failure(slot, MAX_FAILED_ATTEMPTS, LOCKOUT, now)
            keys.save()
        raise SignInError("The username or password is not right.") from None
    changed = keys.clear_failures(slot)
    if not keys.is_current(slot):  # made with older parameters: rewrap with today's
        keys.add_slot(slot, password, key)
        changed = True
    if changed:
        keys.save()
    return key


def refresh_key_slot(db: Database, username: str, password: str) -> None:
    """After a sign-in that unwrapped the key without ``_unlock`` (the desktop's quick start
    reads the key file read-only): the user's slot rewrapped with today's parameters, if it
    was made with older ones. Once per user, after their window is up."""
    if db.key is None or db.location.path is None:
        return
    keys = KeyFile.load(key_file_path(db.location.path))
    slot = user_slot(username)
    if keys.has_slot(slot) and not keys.is_current(slot):
        keys.add_slot(slot, password, db.key)
        keys.save()


def open_with_recovery_key(location: DatabaseLocation, recovery_key: str) -> Database:
    """For an administrator who has lost every password: opens with the recovery key."""
    if location.path is None or kind_of(location) is not DatabaseKind.ENCRYPTED:
        raise StorageError("Only an encrypted database file has a recovery key.")
    keys = KeyFile.load(key_file_path(location.path))
    key = keys.unwrap(RECOVERY_SLOT, normalise_recovery_key(recovery_key), "recovery_key")
    return open_database(location, key=key)


RECOVERY_ACTOR = Actor(None, "recovery-key", "Recovery key", frozenset())


def recover_account(
    location: DatabaseLocation, recovery_key: str, username: str, new_password: str
) -> None:
    """When passwords are lost: the recovery key opens the database and gives ``username``
    a new password (and their own key slot), unlocking the account. Audited as done with the
    recovery key, so the trail shows the break-glass use."""
    from sqlalchemy import select

    from veru_desk.db.models import User
    from veru_desk.domain.enums import AuditAction
    from veru_desk.domain.errors import ValidationError
    from veru_desk.services import audit
    from veru_desk.services.passwords import check_password_rules, hash_password
    from veru_desk.services.users import store_user_key

    check_password_rules(new_password, "new_password")
    db = open_with_recovery_key(location, recovery_key)
    try:
        with db.write() as session:
            user = session.scalar(select(User).where(User.username == username.strip().lower()))
            if user is None:
                raise ValidationError({"username": f"There is no user called {username}."})
            user.password_hash = hash_password(new_password)
            user.failed_attempts = 0
            user.locked_until = None
            user.active = True
            store_user_key(db, user.username, new_password)
            audit.record(
                session,
                RECOVERY_ACTOR,
                AuditAction.UPDATE,
                entity=user,
                summary=f"Password of {user.username} reset with the recovery key",
            )
    finally:
        db.dispose()
