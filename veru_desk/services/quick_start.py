"""The first screen, read through a bare connection while the window is being built.

Loading SQLAlchemy, the models and the services takes the best part of a second on an office
PC: longer than everything else in a start put together. So the app starts the other way
round. As soon as it has a name and a password it reads, on a worker thread and without
SQLAlchemy, just what the first screen needs: the database's key (for an encrypted file),
whether the password is right, who the user is, and the caseload's first page. The window is
shown and painted from that, and the database layer loads behind it (``Services`` is lazy).

This is a read and nothing more. Only the plainest start takes it: a current schema, an
active account that is not locked, has no password change pending and holds a case role.
Anything else (a wrong password included) returns None and the start goes the usual way,
where ``services.users.sign_in`` counts failures, locks accounts, rehashes and audits. A
start that took this road is signed in by ``sign_in`` all the same, once the layer has
loaded; the caseload rows come from the same columns, through ``caseload_row``, as the
caseload service's own, and a test holds the two readers to the same answer on both engines.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from veru_desk.config import DatabaseLocation
from veru_desk.db.driver import (
    Connection,
    DatabaseKind,
    connect,
    key_file_path,
    kind_of,
    signed_in_location,
)

if TYPE_CHECKING:
    from veru_desk.services.actor import Actor
    from veru_desk.services.caseload_view import CaseloadRow

# The rest is imported where it is used, on the worker thread: the key's argon2 derivation
# (a quarter of a second for an encrypted file, with the GIL released) starts as soon as the
# app does, instead of after these imports.

log = logging.getLogger(__name__)

#: the caseload's first page: what the table shows before it is scrolled
FIRST_PAGE_ROWS = 200

_USER = (
    "SELECT id, username, display_name, password_hash, active, locked_until, "
    'must_change_password FROM "user" WHERE username = ?'
)
_ROLES = "SELECT role FROM user_role WHERE user_id = ?"
_ROW = (
    "SELECT yp.id, yp.case_ref, yp.first_name, yp.last_name, yp.preferred_name, "
    "yp.date_of_birth, yp.current_status, yp.current_risk_level, u.display_name, "
    "yp.next_review_on, yp.last_contact_on, yp.disengaged "
    'FROM young_person yp LEFT OUTER JOIN "user" u ON u.id = yp.current_worker_id '
    "WHERE yp.id IN ({ids})"
)


@dataclass(frozen=True)
class FirstScreen:
    """Who signed in, the key that opened the file, and the caseload's default view."""

    actor: Actor
    key: bytes | None
    caseload_ids: list[int]  # every open case the user may see, by surname
    caseload_rows: list[CaseloadRow]  # the first page of them, in that order


def read_first_screen(
    location: DatabaseLocation, username: str, password: str
) -> FirstScreen | None:
    """The first screen, or None when this start is not the plainest kind (see module doc)."""
    try:
        return _read(location, username.strip().lower(), password)
    except Exception:  # the usual start follows and reports whatever this was
        log.info("quick start not taken; starting the usual way", exc_info=True)
        return None


def _read(location: DatabaseLocation, username: str, password: str) -> FirstScreen | None:
    kind = kind_of(location)
    if kind is DatabaseKind.NEW:
        return None
    key = None
    if location.path is not None:
        from veru_desk.db.local_only import refuse_unsafe_location

        refuse_unsafe_location(location.path)
    if kind is DatabaseKind.ENCRYPTED:
        key = _unwrap(location, username, password)
        if key is None:
            return None
    # A server set up for per-user sign-in reads as the user's own login (db.server_roles).
    connection = connect(signed_in_location(location, username, password), key)
    try:
        from veru_desk.db.migrate import head_revision

        if connection.current_revision() != head_revision():
            return None  # new, older or newer: the usual start migrates or refuses
        # For an encrypted file the key slot was the password check: only this user's password
        # unwraps it (their slot and hash change together). Checking the hash too would add a
        # second argon2 run before the window; the completed sign-in checks it a moment later.
        actor = _signed_in(connection, username, password, password_checked=key is not None)
        if actor is None or not actor.has_case_role:
            return None
        ids = _open_case_ids(connection, actor)
        rows = _rows(connection, actor, ids[:FIRST_PAGE_ROWS])
        return FirstScreen(actor, key, ids, rows)
    finally:
        connection.close()


def _unwrap(location: DatabaseLocation, username: str, password: str) -> bytes | None:
    """The database key, read-only: a locked slot or a wrong password is the usual start's
    to count and report."""
    from veru_desk.db.keyfile import KeyFile, WrongSecret, user_slot

    assert location.path is not None
    keys = KeyFile.load(key_file_path(location.path))
    slot = user_slot(username)
    if keys.locked_until(slot) is not None:
        return None
    try:
        return keys.unwrap(slot, password)
    except WrongSecret:
        return None


def _signed_in(
    connection: Connection, username: str, password: str, *, password_checked: bool
) -> Actor | None:
    from veru_desk.domain.enums import Role
    from veru_desk.services.actor import Actor
    from veru_desk.services.passwords import needs_rehash, verify_password

    found = connection.rows(_USER, (username,))
    # The password is checked first, whoever asks (an unknown name against a hash nobody
    # matches): the usual start that follows a refusal then takes as long for a name that
    # does not exist as for a wrong password, and timing tells no one who has an account.
    if not password_checked and not verify_password(found[0][3] if found else None, password):
        return None
    if not found:
        return None
    user_id, name, display_name, stored_hash, active, locked_until, must_change = found[0]
    if not active or locked_until is not None or must_change or not stored_hash:
        return None
    if needs_rehash(stored_hash):
        return None
    roles = frozenset(Role(role) for (role,) in connection.rows(_ROLES, (user_id,)))
    return Actor(user_id, name, display_name, roles)


def _scope(actor: Actor) -> tuple[str, tuple[int, ...]]:
    """As the caseload service's: managers see every caseload, a caseworker their own."""
    if actor.is_manager:
        return "", ()
    assert actor.user_id is not None
    return " AND current_worker_id = ?", (actor.user_id,)


def _open_case_ids(connection: Connection, actor: Actor) -> list[int]:
    """As the caseload service's open cases by name (``overdue.open_case_by_name``): in the
    order of ``ix_young_person_open_by_name``, nothing sorted."""
    scope, scope_parameters = _scope(actor)
    sql = f"SELECT id FROM young_person WHERE case_open = TRUE{scope} ORDER BY sort_name, id"
    return [pid for (pid,) in connection.rows(sql, scope_parameters)]


def _rows(connection: Connection, actor: Actor, ids: list[int]) -> list[CaseloadRow]:
    from veru_desk.services.caseload_view import caseload_row

    if not ids:
        return []
    scope, scope_parameters = _scope(actor)
    sql = _ROW.format(ids=", ".join("?" for _ in ids)) + scope.replace(
        "current_worker_id", "yp.current_worker_id"
    )
    today = dt.date.today()
    values = connection.rows(sql, (*ids, *scope_parameters))
    found = {row.person_id: row for row in (caseload_row(v, today) for v in values)}
    return [found[pid] for pid in ids if pid in found]


def has_users(location: DatabaseLocation) -> bool:
    """Whether a server database has any user yet (none: the first start makes one)."""
    connection = connect(location)
    try:
        return connection.table_exists("user") and bool(
            connection.rows('SELECT 1 FROM "user" LIMIT 1')
        )
    finally:
        connection.close()


class EarlyRead:
    """``read_first_screen`` begun on a worker thread as the app starts, when the credentials
    are known already (from the environment): the password's argon2 check (which releases
    the GIL) and the queries run beside Qt's start instead of after it."""

    def __init__(self, location: DatabaseLocation, username: str, password: str) -> None:
        self.credentials = (username, password)
        self._found: FirstScreen | None = None
        self._needed_after_argon2: tuple[str, ...] = _NEEDED_AFTER_ARGON2
        if location.path is not None and key_file_path(location.path).exists():
            self._needed_after_argon2 = _NEEDED_AFTER_THE_KEY + _NEEDED_AFTER_ARGON2
        self._thread = threading.Thread(
            target=self._read, args=(location, username, password), daemon=True
        )
        self._thread.start()

    def _read(self, location: DatabaseLocation, username: str, password: str) -> None:
        self._found = read_first_screen(location, username, password)

    def result(self, *, meanwhile: Sequence[str] = ()) -> FirstScreen | None:
        """The read's answer. While the worker is still in argon2 (GIL released), this thread
        imports ``meanwhile`` (what the caller needs next) and then what the read needs after
        its argon2, taking those imports off the worker's path instead of waiting idle."""
        for module in (*meanwhile, *self._needed_after_argon2):
            if not self._thread.is_alive():
                break
            importlib.import_module(module)
        self._thread.join()
        return self._found


# What the read imports once the key is unwrapped (an encrypted file) or the password
# checked: each is loaded once, by whichever thread gets there first.
_NEEDED_AFTER_THE_KEY = ("sqlcipher3.dbapi2",)
_NEEDED_AFTER_ARGON2 = ("veru_desk.services.actor", "veru_desk.services.caseload_view")
