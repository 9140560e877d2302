"""Getting into a database: which kind it is, creating a new one (encrypted unless the
administrator explicitly chooses otherwise), and signing a user in, which for an encrypted
file means unwrapping the database key with their password first.

The app and the command line both come through here, so a wrong password, a missing key
file or a locked account reads the same everywhere.
"""

from __future__ import annotations

import datetime as dt
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from veru_desk.config import DatabaseLocation
from veru_desk.db.driver import DatabaseKind as DatabaseKind  # re-exported: callers ask here
from veru_desk.db.driver import kind_of as kind_of
from veru_desk.db.engine import Database
from veru_desk.db.key_rotation import change_key, settle
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
from veru_desk.db.opening import open_database
from veru_desk.db.private_files import make_private, make_private_folder
from veru_desk.domain.enums import AuditAction, Role
from veru_desk.domain.errors import StorageError
from veru_desk.services.access import require_role
from veru_desk.services.actor import Actor
from veru_desk.services.audit import queue_sign_in_failure
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
        if location.path is not None:
            make_private_folder(location.path.parent)
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
        if location.path is not None:
            keep_private(location.path)
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


def keep_private(database: Path) -> None:
    """The database, its log files and key file readable by their owner only: made so now,
    and narrowed at each open if an earlier release left them readable by everyone."""
    for path in (database, key_file_path(database), *_sqlite_side_files(database)):
        make_private(path)


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
    key = key_changed = None
    if kind is DatabaseKind.ENCRYPTED:
        assert location.path is not None
        key, key_changed = _unlock(location.path, username, password)
    if location.path is not None:
        keep_private(location.path)
    db = _open_as(location, username, password, key)
    try:
        check = check_sign_in if record_later else sign_in
        actor = check(db, username, password)
        if key_changed is not None:
            _record_key_change(db, actor, key_changed)
        return db, actor
    except Exception:
        db.dispose()
        raise


def _record_key_change(db: Database, actor: Actor, what: str) -> None:
    """A key change a sign-in finished is on the trail like one an administrator made: the
    disabling that owed it was audited, but not the moment the leaver's key stopped working."""
    from veru_desk.services import audit

    with db.write() as session:
        audit.record(
            session,
            actor,
            AuditAction.UPDATE,
            entity_type="database",
            summary=f"Database key changed at {actor.username}'s sign-in: {what}",
        )
    audit.record_head_outside(db)


def open_for_another(
    db: Database, signed_in: Actor, username: str, password: str
) -> tuple[Database, Actor]:
    """The database opened afresh for ``username`` taking over from ``signed_in`` (the lock
    screen): their own key slot unwraps the key and, on a server that checks passwords, their
    own login role connects, so nothing of the first person's connection or key carries on.
    Returns the new ``Database`` with the sign-in done and audited; the caller disposes the
    old one (still usable: its engine reconnects). Refusals read as any sign-in's do."""
    location = _location_for_anyone(db.location, signed_in.username)
    db.dispose()  # our connections closed, so a key change this sign-in owes can run
    return open_for_user(location, username, password)


def _location_for_anyone(location: DatabaseLocation, username: str) -> DatabaseLocation:
    """``location`` without ``username``'s own server login in it (``signed_in_location``
    added it), so the next person's sign-in adds theirs; anything else unchanged."""
    from dataclasses import replace
    from urllib.parse import unquote, urlsplit, urlunsplit

    from veru_desk.db.server_roles import role_name

    if location.path is not None:
        return location
    parts = urlsplit(location.url)
    userinfo, at, host = parts.netloc.rpartition("@")
    if at and unquote(userinfo.split(":", 1)[0]) == role_name(username.strip().lower()):
        return replace(location, url=urlunsplit(parts._replace(netloc=host)))
    return location


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


def _unlock(database: Path, username: str, password: str) -> tuple[bytes, str | None]:
    """Unwraps the key (and says why, if this sign-in changed it), keeping failed-attempt
    counts in the key file: without the key the database cannot record them, and the lockout
    must hold before the database is open.

    Also where a key file catches up: a key change a kill interrupted is finished
    (``key_rotation.settle``), the user's slot gets its key pair and today's parameters, and
    a key change owed since an account was disabled runs once no slot blocks it any more."""
    keys = KeyFile.load(key_file_path(database))
    slot = user_slot(username)
    now = dt.datetime.now(dt.UTC)
    locked_until = keys.locked_until(slot)
    if locked_until is not None and locked_until > now:
        minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
        keys.spend_derivation(slot, password)  # as long as a wrong password: see keyfile
        queue_sign_in_failure(keys, slot, "Refused: the account is locked")  # audited at next open
        keys.save()
        raise SignInError(
            f"This account is locked after {MAX_FAILED_ATTEMPTS} failed attempts. "
            f"Try again in {minutes} minutes, or ask an administrator to reset it."
        )
    try:
        opened = keys.open_slot(slot, password)
    except WrongSecret:
        what = "Unknown username"
        if keys.has_slot(slot):
            keys.record_failure(slot, MAX_FAILED_ATTEMPTS, LOCKOUT, now)
            locked = (keys.locked_until(slot) or now) > now
            what = "Wrong password" + (": account locked for 15 minutes" if locked else "")
        queue_sign_in_failure(keys, slot, what)  # written into the audit trail at next open
        keys.save()
        raise SignInError("The username or password is not right.") from None
    key = settle(database, keys, opened)
    changed_why = None
    if opened.pending is not None and key == opened.pending:
        changed_why = "the key change left unfinished (the file was busy, or stopped) is done"
    pending = opened.pending if keys.pending_id is not None else None  # a change still waiting
    changed = keys.clear_failures(slot)
    if not keys.is_current(slot):  # older parameters, or no key pair yet: rewrap
        keys.add_slot(slot, password, key, pending_key=pending)
        changed = True
    if changed:
        keys.save()
    if keys.rotation_owed and not keys.rotation_blockers() and keys.pending_id is None:
        with suppress(Exception):  # the file busy elsewhere: the next sign-in tries again
            key = change_key(database, keys, key)
            changed_why = (
                "the key change owed since an account was disabled is done, as nobody's "
                "older key slot holds it back any more"
            )
    return key, changed_why


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
    secret = normalise_recovery_key(recovery_key)
    try:
        opened = keys.open_slot(RECOVERY_SLOT, secret, "recovery_key")
    except WrongSecret:  # a guess at the break-glass key is a failed sign-in like any other
        queue_sign_in_failure(keys, RECOVERY_SLOT, "Wrong recovery key")
        keys.save()
        raise
    key = settle(location.path, keys, opened)
    if not keys.is_current(RECOVERY_SLOT):  # made before key pairs: now a key change can seal
        keys.add_slot(RECOVERY_SLOT, secret, key)  # the new key for it
        keys.save()
    keep_private(location.path)
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


@dataclass(frozen=True)
class KeyChange:
    """What disabling or enabling an account did to an encrypted database's key file."""

    key_changed: bool = False
    waiting_for: tuple[str, ...] = ()  # users who must sign in once before the key can change
    recovery_dropped: bool = False  # the recovery key predated key pairs: make a new one
    needs_new_password: str | None = None  # an enabled account has no key slot until reset

    @property
    def message(self) -> str:
        parts = []
        if self.key_changed:
            parts.append(
                "The database key was changed: the account's password no longer opens the "
                "database. Backups taken before now still open with the old key and the "
                "passwords of that day; re-encrypt them on the Administration page."
            )
        if self.waiting_for:
            parts.append(
                "The account's key slot was removed, but the database key cannot be changed "
                "until " + ", ".join(self.waiting_for) + " sign in once (their key slots were "
                "made by an earlier release), or you reset their passwords. Until then "
                "someone who kept the old key could still read the file."
            )
        if self.recovery_dropped:
            parts.append(
                "The recovery key was made by an earlier release and could not be given the "
                "new key: make a new recovery key on the Administration page and keep it safe."
            )
        if self.needs_new_password:
            parts.append(
                f"{self.needs_new_password} has no key to the encrypted database any more: "
                "reset their password to give them one."
            )
        return " ".join(parts)


def _use_key(db: Database, key: bytes) -> None:
    """The open ``Database`` switched to a new key: its pooled connections (under the old
    key) are closed and its engine and sessions made afresh on next use."""
    db.dispose()
    for cached in ("engine", "_reader", "_writer"):
        db.__dict__.pop(cached, None)
    db.key = key


def _accounts(db: Database) -> list[tuple[str, str, bool]]:
    from sqlalchemy import select

    from veru_desk.db.models import User

    with db.read() as session:
        rows = session.execute(select(User.username, User.display_name, User.active)).all()
    return [(str(u), str(n), bool(a)) for u, n, a in rows]


def change_key_after_disabling(db: Database, actor: Actor, username: str) -> KeyChange | None:
    """After ``username`` was disabled (committed): every slot but the active users' and the
    recovery key's is removed (a leaver disabled before this release included), and the
    database key is changed so a key the leaver may have kept opens nothing new. If a
    remaining user's slot predates key pairs the change waits, and says for whom."""
    if db.key is None or db.location.path is None:
        return None
    from veru_desk.services import audit

    database = db.location.path
    accounts = _accounts(db)
    keys = KeyFile.load(key_file_path(database))
    active = [(u, n) for u, n, is_active in accounts if is_active]
    keys.keep_only([user_slot(u) for u, _n in active] + [RECOVERY_SLOT])
    waiting = tuple(
        n for u, n in active if keys.has_slot(user_slot(u)) and not keys.is_upgraded(user_slot(u))
    )
    if waiting:
        keys.owe_rotation()
        keys.save()
        change = KeyChange(waiting_for=waiting)
        summary = (
            f"Key slot of {username} removed; the database key change waits for "
            + ", ".join(waiting)
            + " to sign in once"
        )
    else:
        recovery_dropped = keys.has_recovery and not keys.is_upgraded(RECOVERY_SLOT)
        keys.save()  # the slots removed, before the change begins
        old_key = db.key
        db.dispose()  # nothing of ours may hold the file under the old key
        try:
            new_key = change_key(database, keys, old_key)
        except Exception as error:
            # The new key is sealed for everyone (or the change is marked as owed): the next
            # sign-in finishes it. The disabling itself was audited when it was committed.
            db.dispose()
            with suppress(Exception):
                again = KeyFile.load(key_file_path(database))
                if again.pending_id is None:
                    again.owe_rotation()
                    again.save()
            raise StorageError(
                f"{username} is disabled and their key slot is removed, but the database key "
                f"could not be changed just now ({_reason(error)}). Ask everyone else to close "
                "VERU Desk: the change is finished at the next sign-in."
            ) from error
        db.dispose()
        _use_key(db, new_key)
        change = KeyChange(key_changed=True, recovery_dropped=recovery_dropped)
        summary = f"Database key changed after {username} was disabled"
    with db.write() as session:
        audit.record(session, actor, AuditAction.UPDATE, entity_type="database", summary=summary)
    return change


def _reason(error: BaseException) -> str:
    text = str(error.args[0]) if error.args else type(error).__name__
    if "locked" in text or "busy" in text:
        return "another program or PC has the database open"
    return text


def change_key_now(db: Database, actor: Actor) -> KeyChange | None:
    """The administrator's "Change the database key now" (after the users it waited for have
    signed in, or to be sure): the same change as after disabling an account."""
    require_role(actor, Role.ADMIN, doing="change the database key")
    return change_key_after_disabling(db, actor, "an account")


def after_enabling(db: Database, username: str, display_name: str) -> KeyChange | None:
    if db.key is None or db.location.path is None:
        return None
    if KeyFile.load(key_file_path(db.location.path)).has_slot(user_slot(username)):
        return None
    return KeyChange(needs_new_password=display_name)


@dataclass(frozen=True)
class KeyStatus:
    """The encrypted database's key file, as the Administration page reports it."""

    change_owed: bool  # an account was disabled and the key has not changed since
    waiting_for: tuple[str, ...]
    has_recovery_key: bool  # a recovery key opens the database as it is now
    stray_slots: int  # slots of no active account (disabled before slots were removed)
    recovery_key_dated: bool = False  # made by an earlier release: a key change would drop it


def key_status(db: Database, actor: Actor) -> KeyStatus | None:
    require_role(actor, Role.ADMIN, doing="see the database key's state")
    if db.key is None or db.location.path is None:
        return None
    keys = KeyFile.load(key_file_path(db.location.path))
    active = [(u, n) for u, n, is_active in _accounts(db) if is_active]
    mine = sum(1 for u, _n in active if keys.has_slot(user_slot(u)))
    stray = keys.slot_count - mine - (1 if keys.has_recovery else 0)
    waiting = tuple(
        n for u, n in active if keys.has_slot(user_slot(u)) and not keys.is_upgraded(user_slot(u))
    )
    return KeyStatus(
        keys.rotation_owed or stray > 0,
        waiting,
        keys.has_recovery,
        max(0, stray),
        keys.has_recovery and not keys.is_upgraded(RECOVERY_SLOT),
    )


def make_new_recovery_key(db: Database, actor: Actor) -> str:
    """A new recovery key, shown once: the old one no longer opens the live database (it
    still opens backups taken while it was the recovery key)."""
    require_role(actor, Role.ADMIN, doing="make a new recovery key")
    if db.key is None or db.location.path is None:
        raise StorageError("Only an encrypted database file has a recovery key.")
    from veru_desk.services import audit

    keys = KeyFile.load(key_file_path(db.location.path))
    recovery = new_recovery_key()
    keys.add_slot(RECOVERY_SLOT, recovery, db.key)
    keys.save()
    with db.write() as session:
        audit.record(
            session,
            actor,
            AuditAction.UPDATE,
            entity_type="database",
            summary="A new recovery key was made; the earlier one no longer opens the database",
        )
    return recovery
