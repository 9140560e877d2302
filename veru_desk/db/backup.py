"""Backups of a SQLite database with SQLite's online backup API, never a file copy: a plain
copy of a WAL database taken mid-write can be torn. Each backup is integrity-checked after
it is written, kept by rotation, and restorable only after the same checks.

An encrypted database is backed up encrypted with the same key (SQLCipher's backup API
copies pages as they are), so a backup is no easier to read than the database.

A backup belongs to one database: its name starts with the database's
(``cases-daily-20261205-090000.db`` for ``cases.db``), so two databases sharing a folder never
see, rotate or overwrite each other's backups, and an encrypted backup carries its own key
file under its own name (``cases-daily-20261205-090000.db.keys``): the backup is a whole
database that opens with the passwords and recovery key of the day it was taken. Nothing here
overwrites an existing database or key file unless told to (``force``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from veru_desk.db.driver import SQLITE_HEADER, key_file_path
from veru_desk.db.private_files import (
    create_private_file,
    make_private_folder,
    write_private_bytes,
)
from veru_desk.db.replace import replace_file
from veru_desk.db.staging import sync_file
from veru_desk.domain.errors import StorageError

KINDS = ("daily", "manual", "before-migration", "before-restore")
_KIND = "|".join(re.escape(kind) for kind in KINDS)
_STAMP = r"(?P<stamp>\d{8}-\d{6})"
# Names of this release (``<database>-<kind>-<stamp>.db``) and of releases before it
# (``<kind>-<stamp>.db``, shared by every database in the folder).
BACKUP_PATTERN = re.compile(rf"^(?:(?P<database>.+)-)?(?P<kind>{_KIND})-{_STAMP}\.db$")
OLD_STYLE_PATTERN = re.compile(rf"^(?P<kind>{_KIND})-{_STAMP}\.db$")
# The tables every release of VERU Desk has had (migration 0001): a file without them is not
# one of ours, whatever its alembic_version says.
CORE_TABLES = frozenset(
    {
        "alembic_version", "agency", "user", "user_role", "audit_event", "young_person",
        "referral", "referral_transition", "case_note", "mentoring_session", "risk_assessment",
        "intervention_plan", "outcome",
    }
)  # fmt: skip


@dataclass(frozen=True)
class RetentionPolicy:
    """How many backups to keep: the newest of each day, ISO week and month."""

    daily: int = 7
    weekly: int = 4
    monthly: int = 12


@dataclass(frozen=True)
class BackupFile:
    path: Path
    kind: str
    taken_at: dt.datetime
    size_bytes: int


def database_label(database: Path) -> str:
    """What a database's backups are named after: ``cases.db`` -> ``cases``."""
    name = database.name
    return name[: -len(".db")] if name.lower().endswith(".db") and len(name) > 3 else name


def refuse_to_replace(path: Path) -> None:
    """A database or key file is never overwritten without ``--force``: a key file holds the
    only copy of its database's recovery key."""
    for existing in (path, key_file_path(path)):
        if existing.exists():
            raise StorageError(
                f"{existing} already exists and was not replaced: choose another file name, "
                "or add --force to replace it."
            )


def _connect_like(source: Any, path: Path, key: bytes | None) -> Any:
    """A DB-API connection to ``path`` from the same driver as ``source`` (sqlite3 or
    sqlcipher3), keyed like the source."""
    module = __import__(type(source).__module__.split(".")[0])
    target = module.connect(str(path))
    if key is not None:
        target.execute("PRAGMA cipher_log_level = NONE")  # our messages say it in one line
        target.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return target


def _integrity(connection: Any) -> str:
    """SQLite's ``quick_check``: every page, record and constraint, but not whether each
    index matches its table. The full ``integrity_check`` takes minutes on an encrypted
    county-sized file (114 s at 100,000 people) and ``veru-desk check`` runs it on demand."""
    row = connection.execute("PRAGMA quick_check").fetchone()
    return str(row[0]) if row else "no answer"


def _live_path(engine: Engine) -> Path | None:
    name = engine.url.database
    return Path(name).resolve() if name and name != ":memory:" else None


def _copy_atomically(source: Path, target: Path) -> None:
    """Write to a temporary name, flush, rename: a kill leaves the old file or the new one."""
    partial = target.with_name(target.name + ".partial")
    write_private_bytes(partial, source.read_bytes(), sync=True)
    replace_file(partial, target)


def backup_sqlite(
    engine: Engine,
    destination: Path,
    *,
    key: bytes | None = None,
    key_file: Path | None = None,
    force: bool = False,
) -> Path:
    """Writes a consistent copy to ``destination`` and verifies it before it counts.

    For an encrypted database pass its ``key_file`` too: a copy goes beside the backup under
    the backup's own name, because a backup is useless if the disk that held the only key file
    dies. An existing file at ``destination`` (or its key file) is replaced only with
    ``force``, and the live database itself never.
    """
    live = _live_path(engine)
    if live is not None and destination.resolve() == live:
        raise StorageError(
            f"{destination} is the database being backed up: choose another file name."
        )
    if not force:
        refuse_to_replace(destination)
    make_private_folder(destination.parent)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    create_private_file(partial)  # the owner's only from its first byte
    raw = engine.raw_connection()
    try:
        source: Any = raw.driver_connection  # sqlite3 or sqlcipher3: no shared type
        target = _connect_like(source, partial, key)
        try:
            source.backup(target)
            result = _integrity(target)
            chain_head = _chain_end(target) if result == "ok" else None
        finally:
            target.close()
    finally:
        raw.close()
    if result != "ok":
        partial.unlink(missing_ok=True)
        raise StorageError(f"The backup failed its integrity check ({result}); nothing was kept.")
    sync_file(partial)
    # The key file first: a backup that is in place always has its key beside it.
    own_key = key_file_path(destination)
    if key_file is not None and key_file.is_file():
        _copy_atomically(key_file, own_key)
    else:
        own_key.unlink(missing_ok=True)  # (only with force) a key file of what was replaced
    replace_file(partial, destination)
    if chain_head is not None:
        write_chain_head(destination, *chain_head)
    return destination


# Beside each backup, where its audit chain ended (``db.audit_chain``): the live database's
# chain must still hold that row with that hash, so cutting off the newest rows is caught.
HEAD_SUFFIX = ".audit-head"


def _chain_end(connection: Any) -> tuple[int, str] | None:
    try:
        row = connection.execute(
            "SELECT id, chain_hash FROM audit_event ORDER BY id DESC LIMIT 1"
        ).fetchone()
    except Exception:  # a schema before the chain (0004): nothing to record
        return None
    return (int(row[0]), str(row[1])) if row and row[1] else None


def write_chain_head(backup: Path, last_id: int, last_hash: str) -> None:
    with suppress(OSError):  # the backup stands without it; only a check is lost
        backup.with_name(backup.name + HEAD_SUFFIX).write_text(
            json.dumps({"id": last_id, "hash": last_hash}), encoding="utf-8"
        )


def read_chain_head(backup: Path) -> tuple[int, str] | None:
    try:
        data = json.loads(backup.with_name(backup.name + HEAD_SUFFIX).read_text("utf-8"))
        return int(data["id"]), str(data["hash"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def timestamped_name(
    kind: str, now: dt.datetime | None = None, *, database: Path | None = None
) -> str:
    """``cases-daily-20261205-090000.db`` for ``cases.db``; without ``database`` the old
    shared form (for files made by earlier releases, in tests)."""
    now = now or dt.datetime.now()
    prefix = f"{database_label(database)}-" if database is not None else ""
    return f"{prefix}{kind}-{now:%Y%m%d-%H%M%S}.db"


def fresh_backup_path(folder: Path, kind: str, database: Path) -> Path:
    """A timestamped backup path nothing occupies yet: a second backup within the same second
    (a script, a restore straight after a backup) takes the next second's name rather than
    being refused or replacing the first."""
    now = dt.datetime.now().replace(microsecond=0)
    while True:
        path = folder / timestamped_name(kind, now, database=database)
        if not path.exists() and not key_file_path(path).exists():
            return path
        now += dt.timedelta(seconds=1)


def _opens_with(path: Path, key: bytes) -> bool:
    import sqlcipher3.dbapi2 as sqlcipher

    try:
        connection = sqlcipher.connect(f"file:{path}?mode=ro", uri=True)
    except Exception:
        return False
    try:
        connection.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is an answer here
        connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except Exception:
        return False
    finally:
        connection.close()


def list_backups(
    folder: Path, database: Path | None = None, *, key: bytes | None = None
) -> list[BackupFile]:
    """The backups of ``database`` in a folder, newest first (without ``database``, every
    backup there). Other files, other databases' backups included, are ignored.

    Backups named by earlier releases (``daily-….db``, shared by every database in the
    folder) are listed only where they provably belong: the database is encrypted and its
    key opens them. An unencrypted database cannot prove it, so they are left out (they can
    still be restored by naming the file, after the same checks as any other).
    """
    if not folder.is_dir():
        return []
    label = database_label(database) if database is not None else None
    found = []
    for path in folder.iterdir():
        match = BACKUP_PATTERN.match(path.name)
        if not match or not path.is_file():
            continue
        theirs = label is not None and match["database"] != label
        if theirs and (match["database"] is not None or key is None or not _opens_with(path, key)):
            continue
        taken = dt.datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S")
        found.append(BackupFile(path, match["kind"], taken, path.stat().st_size))
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def backups_to_keep(backups: list[BackupFile], policy: RetentionPolicy) -> set[Path]:
    """Grandfather-father-son: the newest backup of each of the last N days, weeks, months.

    Backups taken before a migration or a restore are kept too: they are the way back
    from a mistaken upgrade or restore.
    """
    keep: set[Path] = {b.path for b in backups if b.kind != "daily"}
    buckets: list[tuple[int, Callable[[dt.datetime], object]]] = [
        (policy.daily, lambda t: t.date()),
        (policy.weekly, lambda t: t.isocalendar()[:2]),
        (policy.monthly, lambda t: (t.year, t.month)),
    ]
    dailies = [b for b in backups if b.kind == "daily"]
    for limit, bucket_of in buckets:
        seen: list[object] = []
        for backup in dailies:  # newest first, so the first in each bucket is its newest
            bucket = bucket_of(backup.taken_at)
            if bucket in seen:
                continue
            if len(seen) >= limit:
                break
            seen.append(bucket)
            keep.add(backup.path)
    return keep


def remove_backup(path: Path) -> None:
    path.unlink(missing_ok=True)
    key_file_path(path).unlink(missing_ok=True)
    path.with_name(path.name + HEAD_SUFFIX).unlink(missing_ok=True)


# A backup still being written is younger than this; an older ``.partial`` was abandoned by a
# process that died mid-backup and is never a backup (the list ignores it).
_ABANDONED_AFTER_S = 3600


def _remove_abandoned_partials(folder: Path, database: Path | None) -> list[Path]:
    if database is None or not folder.is_dir():
        return []
    prefix = database_label(database) + "-"
    removed = []
    now = dt.datetime.now().timestamp()
    for path in folder.iterdir():
        if not (path.name.startswith(prefix) and path.name.endswith(".partial")):
            continue
        try:
            if now - path.stat().st_mtime > _ABANDONED_AFTER_S:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed


def rotate(
    folder: Path, policy: RetentionPolicy, database: Path | None = None, *, key: bytes | None = None
) -> list[Path]:
    """Deletes daily backups of ``database`` the policy no longer keeps (with their key
    files); returns what was removed. Another database's backups are never touched."""
    backups = list_backups(folder, database, key=key)
    keep = backups_to_keep(backups, policy)
    removed = _remove_abandoned_partials(folder, database)
    for backup in backups:
        if backup.path not in keep:
            try:
                remove_backup(backup.path)
            except PermissionError:
                # Held by another program (Windows: a sync client uploading it, a scan):
                # today's backup stands, and the next rotation removes this one.
                continue
            removed.append(backup.path)
    return removed


def daily_backup_if_due(
    engine: Engine,
    folder: Path,
    *,
    key: bytes | None = None,
    key_file: Path | None = None,
    policy: RetentionPolicy | None = None,
    now: dt.datetime | None = None,
) -> Path | None:
    """The first start of each day takes a backup; later starts that day do not."""
    now = now or dt.datetime.now()
    database = _live_path(engine)
    mine = list_backups(folder, database, key=key)
    if any(b.kind == "daily" and b.taken_at.date() == now.date() for b in mine):
        return None
    path = backup_sqlite(
        engine,
        folder / timestamped_name("daily", now, database=database),
        key=key,
        key_file=key_file,
    )
    rotate(folder, policy or RetentionPolicy(), database, key=key)
    return path


def under_earlier_key(path: Path, live_key_file: Path) -> bool:
    """Whether an encrypted backup was taken under a database key since changed (its own key
    file names another key, or it has none): it opens with the passwords of that day, a
    disabled account's included, until it is re-encrypted (``reencrypt_backup``)."""
    from veru_desk.db.keyfile import KeyFile

    own = key_file_path(path)
    if not own.is_file():
        return True
    try:
        return KeyFile.load(own).key_id != KeyFile.load(live_key_file).key_id
    except StorageError:
        return True


def reencrypt_backup(path: Path, live_key_file: Path, current_key: bytes) -> None:
    """Brings a backup under today's database key and key file. The database's earlier keys
    are kept in its key file, encrypted under today's, for exactly this. The rekey is one
    transaction and the key file follows it, so a kill between the two leaves a backup that
    the next run (trying today's key first) only has to give its key file."""
    from veru_desk.db.key_rotation import opens_with, rekey_database
    from veru_desk.db.keyfile import KeyFile

    keys = KeyFile.load(live_key_file)
    for key in (current_key, *keys.retired_keys(current_key).values()):
        if opens_with(path, key):
            if key != current_key:
                rekey_database(path, key, current_key)
            keys.copy_for_backup(key_file_path(path)).save()
            return
    raise StorageError(
        f"{path.name} opens with none of this database's keys, earlier ones included (it was "
        "taken before an earlier change of key was finished, or it is another database's). "
        "It was left as it is."
    )


def is_encrypted_file(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER


def check_backup_file(
    path: Path, *, key: bytes | None = None, key_file: Path | None = None
) -> str | None:
    """Checks a file completely before it may replace a database, and returns its schema
    revision; raises ``StorageError`` saying what is wrong.

    It must be a VERU Desk database (SQLite's application id, or for files made before it
    was set, the tables every release has), encrypted exactly when the live database is and
    with the same key (a backup carries its own key file; the key must match, since the live
    key file stays), carry a schema revision, and pass SQLite's integrity check. ``key_file``
    (the live one) tells a damaged backup of this database from another database's backup.
    """
    import sqlite3

    from veru_desk.db.migrate import APPLICATION_ID

    if not path.is_file():
        raise StorageError(f"There is no backup file at {path}.")
    if path.stat().st_size == 0:
        raise StorageError(f"{path.name} is empty: it is not a VERU Desk backup.")
    encrypted = is_encrypted_file(path)
    own_key = key_file_path(path)
    if encrypted and key is None:
        raise StorageError(
            f"{path.name} is encrypted (or not a database at all): it is not a backup of this "
            "unencrypted database."
        )
    if not encrypted and key is not None:
        raise StorageError(
            f"{path.name} is not encrypted: it is not a backup of this encrypted database."
        )
    ours = False  # does the key file that came with it wrap this database's key?
    if own_key.exists():
        from veru_desk.db.keyfile import KeyFile

        its_keys = KeyFile.load(own_key)  # raises, naming it, if that key file is damaged
        if key_file is not None and key_file.is_file():
            ours = KeyFile.load(key_file).same_database(its_keys)
    if key is not None:
        import sqlcipher3.dbapi2 as sqlcipher

        connection: Any = sqlcipher.connect(f"file:{path}?mode=ro", uri=True)
        # A wrong key is reported below in one line, not as SQLCipher's log on stderr.
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    else:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        try:
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        except Exception as error:
            if key is not None and ours:
                raise StorageError(
                    f"The backup {path.name} is damaged: its key file is this database's, but "
                    "its first page does not decrypt. Choose another backup."
                ) from error
            if key is not None and own_key.exists():
                raise StorageError(
                    f"{path.name} does not open with this database's key: it is a backup of "
                    "another database (the key file that came with it belongs to that one), "
                    "and was not restored."
                ) from error
            if key is not None:
                raise StorageError(
                    f"{path.name} does not open with this database's key: it is a backup of "
                    "another database, or damaged. Nothing was restored."
                ) from error
            raise
        application_id = int(connection.execute("PRAGMA application_id").fetchone()[0])
        if application_id not in (0, APPLICATION_ID):
            raise StorageError(
                f"{path.name} is another program's database (application id "
                f"{application_id:#x}), not a VERU Desk backup."
            )
        missing = CORE_TABLES - tables
        if missing:
            raise StorageError(
                f"{path.name} is not a VERU Desk backup: it lacks the tables "
                f"{', '.join(sorted(missing))}."
            )
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        if not row or not row[0]:
            raise StorageError(
                f"{path.name} records no schema version: it is not a VERU Desk backup."
            )
        result = _integrity(connection)
        if result != "ok":
            raise StorageError(f"The backup {path.name} is damaged ({result}).")
        return str(row[0])
    except StorageError:
        raise
    except Exception as error:
        from veru_desk.db.failures import Cause, explain

        # A backup that is locked, on a disconnected drive or unreadable is not "another
        # database's": say what is really wrong, so nobody throws a good backup away.
        failure = explain(error, encrypted=key is not None)
        if failure is not None and failure.cause not in (Cause.DAMAGED, Cause.SIGN_IN):
            raise StorageError(f"The backup {path.name} could not be checked: {failure}") from error
        raise StorageError(
            f"{path.name} is not a VERU Desk backup that this key can open ({error})."
        ) from error
    finally:
        connection.close()


def copy_into(backup: Path, engine: Engine, *, key: bytes | None = None) -> None:
    """Replaces the live database's contents with the backup's, page by page, through the
    backup API (so other connections see either the old or the new database, never a mix)."""
    raw = engine.raw_connection()
    try:
        live = raw.driver_connection
        source = _connect_like(live, backup, key)
        try:
            source.backup(live)
        finally:
            source.close()
    finally:
        raw.close()
    engine.dispose()
