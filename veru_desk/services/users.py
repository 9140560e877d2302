"""Users: sign-in with lockout, and the administrator's management of accounts.

Accounts are never deleted (the audit trail names them); they are disabled.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from veru_desk.db.engine import Database
from veru_desk.db.keyfile import KeyFile, key_file_path, user_slot
from veru_desk.db.models import User, UserRole, utcnow
from veru_desk.domain.enums import AuditAction, Role
from veru_desk.domain.errors import ConflictError, NotFound, ValidationError
from veru_desk.domain.text import name_problem
from veru_desk.services import audit, server_accounts
from veru_desk.services.access import require_role
from veru_desk.services.actor import Actor
from veru_desk.services.base import Service, explained_database_errors, get_or_404
from veru_desk.services.passwords import (
    LOCKOUT,
    MAX_FAILED_ATTEMPTS,
    SignInError,
    check_password_rules,
    hash_password,
    needs_rehash,
    verify_password,
)

if TYPE_CHECKING:
    from veru_desk.services.vault import KeyChange


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    display_name: str
    email: str | None
    roles: frozenset[Role]
    active: bool
    locked_until: dt.datetime | None
    last_login_at: dt.datetime | None


def actor_for(user: User) -> Actor:
    return Actor(user.id, user.username, user.display_name, user.role_set)


def _clean_username(username: str) -> str:
    name = username.strip().lower()
    if not name or not all(ch.isalnum() or ch in "._-" for ch in name) or len(name) > 64:
        raise ValidationError(
            {"username": "Use letters, digits, dots, hyphens or underscores (up to 64)."}
        )
    return name


_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def email_problem(email: str | None) -> str | None:
    """What is wrong with an email address (None when it is fine or left blank): one @, a
    name before it and a domain with a dot after it, as a mail program would need."""
    text = (email or "").strip()
    if not text:
        return None
    if len(text) > 254 or not _EMAIL.fullmatch(text):
        return (
            f"The email address “{text[:60]}” is not one a message could reach: write it as "
            "name@organisation.org.uk, or leave it blank."
        )
    return None


def validate_new_user(
    username: str,
    display_name: str,
    roles: Iterable[Role],
    password: str | None,
    email: str | None = None,
) -> str:
    """Every problem with a new account at once; returns the normalised username."""
    errors: dict[str, str] = {}
    if problem := email_problem(email):
        errors["email"] = problem
    try:
        username = _clean_username(username)
    except ValidationError as error:
        errors.update(error.fields)
    if not display_name.strip():
        errors["display_name"] = "Full name is required."
    elif problem := name_problem(display_name, "Full name"):
        errors["display_name"] = problem
    elif len(display_name.strip()) > 200:
        errors["display_name"] = "Full name is too long: keep it to 200 characters."
    if not frozenset(roles):
        errors["roles"] = "Give the user at least one role."
    if password is not None:
        try:
            check_password_rules(password, context=(username, *display_name.split()))
        except ValidationError as error:
            errors.update(error.fields)
    if errors:
        raise ValidationError(errors)
    return username


def add_user(
    session: Session,
    username: str,
    display_name: str,
    roles: Iterable[Role],
    password: str | None,
    email: str | None = None,
) -> User:
    """Inserts a user (shared by the admin screen, ``init --admin`` and demo data)."""
    roles = frozenset(roles)
    username = validate_new_user(username, display_name, roles, password, email)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValidationError({"username": f"The username {username} is already taken."})
    user = User(
        username=username,
        display_name=display_name.strip(),
        email=(email or "").strip() or None,
        password_hash=hash_password(password) if password else None,
        roles=[UserRole(role=r) for r in sorted(roles)],
    )
    session.add(user)
    session.flush()
    return user


def count_users(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(User)) or 0


def sign_in(
    db: Database,
    username: str,
    password: str,
    now: dt.datetime | None = None,
    *,
    password_proven: bool = False,
) -> Actor:
    """Checks a password, counting failures: the fifth in a row locks for 15 minutes.

    ``password_proven``: the caller (``quick_start``'s start-up read) has proved this password
    moments ago, by an argon2 run as costly as the hash's: it unwrapped this user's key slot of
    the encrypted file, or checked the hash itself. The account is still checked (active, not
    locked). Checking the hash again was a second argon2 run of 46 MiB, made just when the app
    holds the most memory.
    """
    now = now or utcnow()
    name = username.strip().lower()
    after_commit: Callable[[], None] | None = None
    with explained_database_errors(db), db.write() as session:
        user = session.scalar(select(User).where(User.username == name))
        anonymous = Actor(None, name or "?", name or "?", frozenset())
        if user is None:
            verify_password(None, password)  # as long as a wrong password: names stay secret
            audit.record(session, anonymous, AuditAction.FAILED_LOGIN, summary="Unknown username")
            failure = SignInError("The username or password is not right.")
        elif user.locked_until is not None and user.locked_until > now:
            # Checked though the answer is no: a locked account must not answer sooner than
            # a wrong password does, or the time taken says which accounts are locked.
            verify_password(user.password_hash, password)
            audit.record(session, actor_for(user), AuditAction.FAILED_LOGIN, summary="Locked")
            minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            failure = SignInError(
                f"This account is locked after {MAX_FAILED_ATTEMPTS} failed attempts. "
                f"Try again in {minutes} minutes, or ask an administrator to reset it."
            )
        elif not password_proven and not verify_password(user.password_hash, password):
            user.failed_attempts += 1
            summary = f"Wrong password ({user.failed_attempts} in a row)"
            if user.failed_attempts >= MAX_FAILED_ATTEMPTS:
                user.locked_until = now + LOCKOUT
                user.failed_attempts = 0
                summary += ": account locked for 15 minutes"
            audit.record(session, actor_for(user), AuditAction.FAILED_LOGIN, summary=summary)
            failure = SignInError("The username or password is not right.")
        elif not user.active:
            audit.record(session, actor_for(user), AuditAction.FAILED_LOGIN, summary="Disabled")
            failure = SignInError("This account has been disabled. Ask an administrator.")
        else:
            actor = actor_for(user)
            _record_success(session, user, password, now, "Signed in")
            # Failed sign-ins an encrypted file could only queue in its key file (part 2).
            after_commit = audit.take_sign_in_failures(session, db)
    if after_commit is None:
        raise failure
    after_commit()  # the key file's next queue of failed sign-ins, and the chain's head
    return actor


def check_sign_in(db: Database, username: str, password: str) -> Actor:
    """The signed-in user, checked with a read only when the password is right; the sign-in
    is recorded afterwards by ``record_sign_in``.

    For read-only commands (``veru-desk cases``, ``audit``): a read goes ahead while another
    program holds the write lock (WAL), where writing the sign-in's audit row first would
    wait for that program and then fail. Any refusal (unknown user, wrong password, locked,
    disabled) goes through ``sign_in`` at once, so failures are counted and audited exactly
    as before.
    """
    name = username.strip().lower()
    now = utcnow()
    with explained_database_errors(db), db.read() as session:
        user = session.scalar(select(User).where(User.username == name))
        # Checked whoever asks (an unknown name against a hash nobody matches), so a refusal
        # takes as long for a name that does not exist as for a wrong password.
        right = verify_password(user.password_hash if user else None, password)
        if (
            user is not None
            and user.active
            and (user.locked_until is None or user.locked_until <= now)
            and right
        ):
            return actor_for(user)
    return sign_in(db, username, password, now)


def record_sign_in(
    db: Database, actor: Actor, password: str, signed_in_at: dt.datetime, summary: str
) -> None:
    """Writes what ``check_sign_in`` left for later: the LOGIN audit row (its summary says
    when the sign-in happened, if that was before the row could be written) and the account's
    sign-in state."""
    with explained_database_errors(db), db.write() as session:
        user = session.get_one(User, actor.user_id)
        _record_success(session, user, password, signed_in_at, summary)
        after_commit = audit.take_sign_in_failures(session, db)
    after_commit()  # the key file's next queue of failed sign-ins, and the chain's head


def _record_success(
    session: Session, user: User, password: str, now: dt.datetime, summary: str
) -> None:
    user.failed_attempts = 0
    user.locked_until = None
    user.last_login_at = now
    if needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    audit.record(session, actor_for(user), AuditAction.LOGIN, summary=summary)


def sign_out(db: Database, actor: Actor, summary: str = "Signed out") -> None:
    """Records the end of a session (closing the app, or another user taking over at the lock
    screen), so the trail shows when each user's session ended and why."""
    if actor.user_id is None:
        return
    with explained_database_errors(db), db.write() as session:
        audit.record(session, actor, AuditAction.LOGOUT, summary=summary)
    audit.record_head_outside(db)  # the chain's head kept in the key file too


def store_user_key(db: Database, username: str, password: str, *, active: bool = True) -> None:
    """Gives a user (new, or with a new password) their own slot in an encrypted database's
    key file, replacing the slot of their old password. Called inside the user's write
    transaction: if the key file cannot be saved, the change to the user is rolled back too.
    A disabled account gets no slot (a password reset must not let a leaver back into the
    file); its old one goes."""
    if db.key is None or db.location.path is None:
        return
    keys = KeyFile.load(key_file_path(db.location.path))
    if active:
        keys.add_slot(user_slot(username), password, db.key)
        keys.clear_failures(user_slot(username))
    else:
        keys.remove_slot(user_slot(username))
    keys.save()


class UserService(Service):
    def list(self) -> list[UserView]:
        with self._read() as session:
            require_role(self.actor, Role.ADMIN, Role.MANAGER, doing="list users")
            users = session.scalars(select(User).order_by(User.display_name)).all()
            return [
                UserView(
                    u.id,
                    u.username,
                    u.display_name,
                    u.email,
                    u.role_set,
                    u.active,
                    u.locked_until,
                    u.last_login_at,
                )
                for u in users
            ]

    def create(
        self,
        username: str,
        display_name: str,
        roles: Iterable[Role],
        password: str,
        email: str | None = None,
    ) -> int:
        with self._write() as session:
            require_role(self.actor, Role.ADMIN, doing="add users")
            user = add_user(session, username, display_name, roles, password, email)
            store_user_key(self.db, user.username, password)
            server_accounts.account_changed(session, user.id, user.username, password)
            self._audit(
                session,
                AuditAction.CREATE,
                entity=user,
                summary=f"User {user.username} added with roles "
                + ", ".join(r.value for r in sorted(user.role_set)),
            )
            return user.id

    def set_active(self, user_id: int, active: bool) -> KeyChange | None:
        """On an encrypted file, disabling also removes the account's key slot and changes the
        database key (after the commit: the change needs the file to itself); what happened
        to the key is returned for the administrator to read (None for other databases)."""
        with self._write() as session:
            require_role(self.actor, Role.ADMIN, doing="disable or enable users")
            if user_id == self.actor.user_id and not active:
                raise ConflictError("You cannot disable your own account.")
            user = get_or_404(session, User, user_id, "user")
            user.active = active
            server_accounts.account_changed(session, user.id, user.username, None)
            self._audit(
                session,
                AuditAction.UPDATE,
                entity=user,
                summary=f"User {user.username} {'enabled' if active else 'disabled'}",
                changes={"active": (not active, active)},
            )
            username, display_name = user.username, user.display_name
        from veru_desk.services import vault  # vault signs in through this module

        if active:
            return vault.after_enabling(self.db, username, display_name)
        return vault.change_key_after_disabling(self.db, self.actor, username)

    def set_roles(self, user_id: int, roles: Iterable[Role]) -> None:
        roles = frozenset(roles)
        if not roles:
            raise ValidationError({"roles": "Give the user at least one role."})
        with self._write() as session:
            require_role(self.actor, Role.ADMIN, doing="change roles")
            user = get_or_404(session, User, user_id, "user")
            old = user.role_set
            user.roles = [UserRole(role=r) for r in sorted(roles)]
            server_accounts.account_changed(session, user.id, user.username, None)
            self._audit(
                session,
                AuditAction.UPDATE,
                entity=user,
                summary=f"Roles of {user.username} changed",
                changes={"roles": (sorted(old), sorted(roles))},
            )

    def reset_password(self, user_id: int, new_password: str) -> None:
        check_password_rules(new_password)
        with self._write() as session:
            require_role(self.actor, Role.ADMIN, doing="reset passwords")
            user = get_or_404(session, User, user_id, "user")
            user.password_hash = hash_password(new_password)
            store_user_key(self.db, user.username, new_password, active=user.active)
            server_accounts.account_changed(session, user.id, user.username, new_password)
            user.must_change_password = True
            user.failed_attempts = 0
            user.locked_until = None
            self._audit(
                session,
                AuditAction.UPDATE,
                entity=user,
                summary=f"Password of {user.username} reset",
            )

    def change_own_password(self, current: str, new_password: str) -> None:
        check_password_rules(new_password, "new_password")
        with self._write() as session:
            if self.actor.user_id is None:
                raise NotFound("No signed-in user.")
            user = get_or_404(session, User, self.actor.user_id, "user")
            if not verify_password(user.password_hash, current):
                raise ValidationError({"current_password": "The current password is not right."})
            user.password_hash = hash_password(new_password)
            store_user_key(self.db, user.username, new_password)
            server_accounts.own_password_changed(
                session, self.db, user.id, user.username, new_password
            )
            user.must_change_password = False
            self._audit(session, AuditAction.UPDATE, entity=user, summary="Changed own password")

    def must_change_password(self) -> bool:
        """True after an administrator reset the signed-in user's password: they choose their
        own before they work (the app asks at sign-in)."""
        if self.actor.user_id is None:
            return False
        with self._read() as session:
            return bool(
                session.scalar(
                    select(User.must_change_password).where(User.id == self.actor.user_id)
                )
            )

    def by_username(self, username: str) -> UserView:
        for user in self.list():
            if user.username == username.strip().lower():
                return user
        raise NotFound(f"No user called {username}.")
