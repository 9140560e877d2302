"""A new database file appears complete or not at all.

A database and its key file are built under a temporary name in the same folder
(``cases.db.creating-<pid>`` and ``cases.db.creating-<pid>.keys``) and moved into place only
when they are finished: a first start killed half-way (a power cut, the task manager) must
never leave a file that looks like a database but has no users, or a key file with no
database, because the next start would take that for the real thing.

The database moves first, then its key file. A kill between the two leaves an encrypted
``cases.db`` with no key file and the finished ``cases.db.creating-<pid>.keys`` beside it,
whose own database is gone (it *is* ``cases.db`` now); ``finish_interrupted_creation`` sees
exactly that and completes the move. The other order would be worse: a key file with no
database makes SQLCipher create an empty database under the key on the next open.

Leftovers of a killed build (a process that is no longer running) are deleted at the next
start; the names never match a database or backup the app would offer.

Kept free of SQLAlchemy: ``driver.kind_of`` calls this before anything is imported.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from veru_desk.db.replace import replace_file
from veru_desk.domain.errors import StorageError

KEY_SUFFIX = ".keys"  # the same as driver.KEY_FILE_SUFFIX (imported from there would loop)
_MARK = ".creating-"
_SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
# A leftover whose process cannot be asked (not POSIX) counts as dead after this long.
_STALE_AFTER_S = 6 * 3600


def staging_path(final: Path, pid: int | None = None) -> Path:
    return final.with_name(f"{final.name}{_MARK}{os.getpid() if pid is None else pid}")


def _key_of(path: Path) -> Path:
    return path.with_name(path.name + KEY_SUFFIX)


def _leftovers(final: Path) -> dict[int, list[Path]]:
    """Files of unfinished builds of ``final``, by the id of the process that made them."""
    patterns = (
        re.compile(re.escape(final.name + _MARK) + r"(\d+)(?:\.keys|-wal|-shm|-journal)?$"),
        re.compile(re.escape(final.name + _MARK) + r"\d+\.keys\.(\d+)\.partial$"),
        # A key file being saved (``KeyFile.save``) when its process died.
        re.compile(re.escape(final.name + KEY_SUFFIX) + r"\.(\d+)\.partial$"),
    )
    found: dict[int, list[Path]] = {}
    try:
        entries = list(final.parent.iterdir())
    except OSError:
        return found
    for entry in entries:
        for pattern in patterns:
            match = pattern.match(entry.name)
            if match:
                found.setdefault(int(match[1]), []).append(entry)
                break
    return found


def _alive(pid: int, files: list[Path]) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "posix":
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    newest = max((f.stat().st_mtime for f in files if f.exists()), default=0.0)
    return time.time() - newest < _STALE_AFTER_S


def finish_interrupted_creation(final: Path) -> None:
    """Completes a move cut short between its two steps, and removes what a killed build left.

    Cheap when there is nothing to do (one listing of the folder): every start calls it.
    """
    leftovers = _leftovers(final)
    if not leftovers:
        return
    final_key = _key_of(final)
    for pid, files in sorted(leftovers.items(), key=lambda item: -item[0]):
        if _alive(pid, files):
            continue
        staged = staging_path(final, pid)
        staged_key = _key_of(staged)
        moved = not staged.exists() or (final.exists() and os.path.samefile(staged, final))
        if (
            moved
            and staged_key.is_file()
            and final.is_file()
            and not final_key.exists()
        ):
            # The database was moved into place and the process died before its key file.
            try:
                os.replace(staged_key, final_key)
                _sync_folder(final.parent)
            except OSError:
                continue  # a read-only folder: kind_of then says the key file is missing
            files = [f for f in files if f != staged_key]
        for path in files:
            # Ignored all the same if it cannot go: the names are never taken for a database.
            with suppress(OSError):
                path.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """A rename is durable only once its folder is flushed (POSIX; Windows has no such call)."""
    if os.name != "posix":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def sync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _move_no_clobber(source: Path, target: Path) -> None:
    """Moves ``source`` to ``target`` unless ``target`` exists (then raises): a database that
    appeared meanwhile (a second first start) is never overwritten."""
    if target.exists():
        raise StorageError(
            f"A database appeared at {target} while this one was being made; it was left as "
            "it is. Start again to use it."
        )
    if os.name == "nt":
        os.rename(source, target)  # refuses an existing target on Windows
        return
    try:
        os.link(source, target)  # fails if the target exists: no window for a race
    except FileExistsError:
        raise StorageError(
            f"A database appeared at {target} while this one was being made; it was left as "
            "it is. Start again to use it."
        ) from None
    except OSError:
        os.rename(source, target)  # a file system without hard links
        return
    os.unlink(source)


def discard(staged: Path) -> None:
    sides = [staged.with_name(staged.name + suffix) for suffix in _SIDE_SUFFIXES]
    for path in (staged, _key_of(staged), *sides):
        path.unlink(missing_ok=True)


def publish(staged: Path, final: Path) -> None:
    """Moves a finished database (and its key file, if it has one) into place: database
    first, then key file (see the module's docstring for why that order)."""
    for suffix in _SIDE_SUFFIXES:
        side = staged.with_name(staged.name + suffix)
        if side.exists() and side.stat().st_size:
            raise StorageError(
                f"The new database {staged.name} was still open while being moved into place."
            )
        side.unlink(missing_ok=True)
    staged_key = _key_of(staged)
    sync_file(staged)
    if staged_key.exists():
        sync_file(staged_key)
    if _key_of(final).exists():
        raise StorageError(
            f"A key file already exists at {_key_of(final)}; it was not replaced. Move it "
            "away if it belongs to no database, then start again."
        )
    _move_no_clobber(staged, final)
    if staged_key.exists():
        replace_file(staged_key, _key_of(final))
    _sync_folder(final.parent)


@contextmanager
def building(final: Path) -> Iterator[Path]:
    """The temporary path to build ``final`` at; moved into place if the block finishes,
    deleted if it raises. The caller closes every connection to it before the block ends."""
    finish_interrupted_creation(final)
    if final.is_file() and final.stat().st_size == 0 and not _key_of(final).exists():
        final.unlink()  # an empty file is no database (``kind_of`` calls it new): make room
    staged = staging_path(final)
    discard(staged)
    try:
        yield staged
    except BaseException:
        discard(staged)
        raise
    try:
        publish(staged, final)
    except BaseException:
        discard(staged)
        raise
