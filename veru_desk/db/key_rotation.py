"""Changing an encrypted database's key, across two files, so that a kill at any moment leaves
a database every remaining user can open.

The order (``change_key``):

1. the new key is sealed for every remaining slot beside the current one, and the key file
   is saved and synced (``KeyFile.begin_rotation``);
2. the database is rekeyed (``PRAGMA rekey``): SQLCipher rewrites every page in one
   transaction, so the file is under the old key or the new one, never a mix;
3. the pending key becomes the key and the old one is retired (``KeyFile.finish_rotation``).

A kill before 1 completes leaves the old key file (rename is atomic); between 1 and 3 the key
file holds both keys, and the opener (``settle``) tries the current key first (a rolled-back
rekey leaves the database under it, and SQLite's recovery of an interrupted transaction must
be done with the key its log was written with), then the pending one, and finishes the change
either way: it rekeys a database still under the old key, and records the new key as current.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from veru_desk.db.driver import BUSY_TIMEOUT_MS
from veru_desk.db.keyfile import KeyFile, SlotKeys, new_database_key
from veru_desk.db.private_files import make_private
from veru_desk.domain.errors import StorageError


def _connect(path: Path, key: bytes) -> Any:
    import sqlcipher3.dbapi2 as sqlcipher

    connection = sqlcipher.connect(str(path), check_same_thread=False)
    connection.isolation_level = None
    connection.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is an answer here
    connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return connection


def opens_with(path: Path, key: bytes) -> bool:
    try:
        connection = _connect(path, key)
    except Exception:
        return False
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except Exception:
        return False
    finally:
        connection.close()


def rekey_database(path: Path, old_key: bytes, new_key: bytes) -> None:
    """Every page of ``path`` re-encrypted under ``new_key`` in one transaction. Nothing else
    may have the file open (their connections would hold the old key): callers close theirs."""
    connection = _connect(path, old_key)
    try:
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except Exception as error:
            raise StorageError(
                f"{path.name} does not open with the key it should have, so its key was not "
                "changed."
            ) from error
        connection.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
        # The rekeyed pages are in the log until a checkpoint: fold them into the file, so a
        # copy of the file alone (without its -wal) is wholly under the new key.
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        connection.close()
    if not opens_with(path, new_key):
        raise StorageError(f"{path.name} did not take its new key; nothing was lost.")
    for side in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        make_private(side)


def change_key(path: Path, keys: KeyFile, current_key: bytes) -> bytes:
    """Rekeys the database at ``path`` with a new random key, sealed for every slot left in
    ``keys``; returns the new key. See the module's docstring for the order."""
    new_key = new_database_key()
    keys.begin_rotation(new_key)
    keys.save()
    rekey_database(path, current_key, new_key)
    keys.finish_rotation(current_key, new_key)
    keys.save()
    return new_key


def settle(path: Path, keys: KeyFile, opened: SlotKeys) -> bytes:
    """The key that opens the database at ``path``, finishing a change a kill interrupted."""
    if opened.pending is None:
        return opened.current
    if opens_with(path, opened.current):
        try:
            rekey_database(path, opened.current, opened.pending)
        except Exception:  # busy elsewhere: open with the old key, and try again next time
            if opens_with(path, opened.current):
                return opened.current
            raise
    elif not opens_with(path, opened.pending):
        raise StorageError(
            f"{path.name} opens with neither the key in {keys.path.name} nor the one it was "
            "being changed to: the database or its key file is damaged. Restore the newest "
            "backup."
        )
    keys.finish_rotation(opened.current, opened.pending)
    keys.save()
    return opened.pending
