"""Keeping each user's server login in step with their VERU Desk account, on a server set up
with ``veru-desk server setup`` (``db.server_roles``); nothing at all anywhere else (SQLite,
or a server shared through one role, the older set-up).

Called by the user services inside their transaction, so the account and its login change
together or not at all (PostgreSQL's CREATE ROLE and ALTER ROLE are transactional).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from veru_desk.config import DatabaseLocation
from veru_desk.db.engine import Database
from veru_desk.db.models import User
from veru_desk.db.server_roles import role_name, scram_verifier
from veru_desk.domain.enums import AuditAction, Role
from veru_desk.domain.errors import ValidationError
from veru_desk.services import audit
from veru_desk.services.passwords import SignInError, verify_password

_ENFORCED = text("SELECT to_regprocedure('veru_server.manage_login(integer, text)') IS NOT NULL")
_MANAGE = text("SELECT veru_server.manage_login(:account, :verifier)")
_SYNC = text("SELECT veru_server.sync_login(:account, :verifier)")
_MAY_SYNC = text(
    "SELECT has_function_privilege('veru_server.sync_login(integer, text)', 'EXECUTE')"
)


def _enforced(session: Session) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return False
    return bool(session.scalar(_ENFORCED))


def _driver(session: Session) -> Any:
    return session.connection().connection.driver_connection


def _manage(session: Session, user_id: int, verifier: str | None) -> None:
    """Through the owner's functions: ``manage_login`` checks that the signed-in user is an
    administrator; the owner itself (``server setup``, a URL with the owner) calls
    ``sync_login``, which only the owner may."""
    statement = _SYNC if session.scalar(_MAY_SYNC) else _MANAGE
    session.execute(statement, {"account": user_id, "verifier": verifier})


def account_changed(session: Session, user_id: int, username: str, password: str | None) -> None:
    """A user added, enabled, disabled, given other roles, or given a new password by an
    administrator: their login exists, logs in only while active (a disabled user's sessions
    are ended), sits in the groups of their roles, and takes the new password."""
    if not _enforced(session):
        return
    session.flush()  # the login follows the user table's rows
    verifier = None
    if password is not None:
        verifier = scram_verifier(_driver(session), role_name(username), password)
    _manage(session, user_id, verifier)


def own_password_changed(
    session: Session, db: Database, user_id: int, username: str, password: str
) -> None:
    """The signed-in user's own new password: their login takes it (a role may set its own
    password), and once committed this app's next connections use it."""
    if not _enforced(session):
        return
    role = role_name(username)
    verifier = scram_verifier(_driver(session), role, password)
    if session.scalar(text("SELECT session_user")) == role:
        from psycopg import sql

        statement = sql.SQL("ALTER ROLE {} PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(verifier)
        )
        session.connection().exec_driver_sql(statement.as_string(_driver(session)))
    else:
        _manage(session, user_id, verifier)
    if db.location.path is None and unquote(urlsplit(db.location.url).username or "") == role:
        event.listen(
            session, "after_commit", lambda _s: db.use_server_password(password), once=True
        )


def refused_sign_in(error: BaseException) -> SignInError | None:
    """The server's refusal of a login, as the same words a refused sign-in gets anywhere
    (an unknown login role reads as a wrong password: no list of names for the asking)."""
    words = f"{error} {getattr(error, 'orig', '')}".lower()
    if "is not permitted to log in" in words:
        return SignInError("This account has been disabled. Ask an administrator.")
    if "password authentication failed" in words or ("role" in words and "does not exist" in words):
        return SignInError("The username or password is not right.")
    return None


@dataclass(frozen=True)
class ServerSetUp:
    admin: str  # the administrator whose login now has their password
    created_admin: bool  # a new database: the administrator was made with it
    logins: tuple[str, ...]  # every user's login role
    awaiting_password: tuple[str, ...]  # usernames that need a reset before signing in


def set_up_server(
    location: DatabaseLocation, admin_username: str, admin_display_name: str, password: str
) -> ServerSetUp:
    """``veru-desk server setup``: run as the database owner (the URL names the owner), once,
    and again after each upgrade. Migrates, then makes the groups, grants, policies and
    functions (``db.server_roles``), then a login for every user. The administrator's login
    takes the password typed now (checked against their account when they already have one);
    other existing users' logins wait for an administrator to reset their password (their
    passwords are known only as hashes)."""
    from veru_desk.db.opening import open_database
    from veru_desk.db.server_roles import set_up_server as set_up_roles
    from veru_desk.services.actor import SYSTEM
    from veru_desk.services.users import UserService, validate_new_user

    if location.path is not None:
        raise ValidationError({"url": "server setup is for a PostgreSQL URL, not a file."})
    admin = validate_new_user(
        admin_username, admin_display_name or admin_username, {Role.ADMIN}, None
    )
    db = open_database(location)  # creates or upgrades the schema, as the owner
    try:
        with db.engine.begin() as connection:
            set_up_roles(connection.connection.driver_connection)
        with db.read() as session:
            users = session.scalars(select(User).order_by(User.id)).all()
            existing = next((u for u in users if u.username == admin), None)
        created = False
        if not users:
            UserService(db, SYSTEM).create(
                admin, admin_display_name or admin, {Role.ADMIN}, password
            )
            created = True
        elif existing is None or Role.ADMIN not in existing.role_set or not existing.active:
            raise ValidationError(
                {"admin": f"{admin} is not an active administrator of this database: name one."}
            )
        elif not verify_password(existing.password_hash, password):
            raise SignInError(f"That is not {admin}'s VERU Desk password: nothing was changed.")
        waiting: list[str] = []
        with db.write() as session:
            for user in session.scalars(select(User).order_by(User.id)).all():
                given = password if user.username == admin else None
                if given is None and not created:
                    waiting.append(user.username)
                account_changed(session, user.id, user.username, given)
            audit.record(
                session,
                SYSTEM,
                AuditAction.UPDATE,
                entity_type="server",
                summary=f"Server set up for per-user sign-in by the database owner; "
                f"{admin}'s login has their password",
            )
            logins = tuple(role_name(u.username) for u in session.scalars(select(User)).all())
        return ServerSetUp(admin, created, tuple(sorted(logins)), tuple(sorted(waiting)))
    finally:
        db.dispose()
