"""Files the app writes hold personal data about children: on Linux and macOS they are made
readable and writable by their owner only (0600, folders 0700), whatever the umask says.

Two layers, because SQLite and the libraries make files we do not open ourselves: the entry
points narrow the process umask (``keep_new_files_private``), so every file and folder made
afterwards is private (the database's ``-wal`` and ``-shm`` take the database's mode from
SQLite itself), and the places that write the database, key file and backups also set the
mode explicitly (``make_private``), so a library call, a test or an older file made 0644 is
narrowed too. On Windows the files live in the user's own profile folder, whose access list
already keeps other accounts out; ``chmod`` there changes only the read-only flag, so it is
left alone.
"""

from __future__ import annotations

import os
import stat
from contextlib import suppress
from pathlib import Path

PRIVATE_FILE_MODE = 0o600
PRIVATE_FOLDER_MODE = 0o700
PRIVATE_UMASK = 0o077
POSIX = os.name == "posix"


def keep_new_files_private() -> None:
    """Every file and folder this process makes from now on is its owner's only."""
    if POSIX:
        os.umask(os.umask(PRIVATE_UMASK) | PRIVATE_UMASK)


def make_private(path: Path) -> None:
    """Narrows an existing file (or folder) to its owner; a missing file is not an error
    (a ``-wal`` comes and goes), and a file we do not own is left as it is."""
    if not POSIX:
        return
    try:
        mode = path.stat().st_mode
        wanted = PRIVATE_FOLDER_MODE if stat.S_ISDIR(mode) else PRIVATE_FILE_MODE
        if stat.S_IMODE(mode) & ~wanted:
            path.chmod(stat.S_IMODE(mode) & wanted)
    except (FileNotFoundError, PermissionError):
        return


def make_private_folder(path: Path) -> None:
    """Makes a folder (and any missing parents) its owner's only; folders that already existed
    are left as they are, since they may be shared ones the user chose (a backup drive)."""
    missing = []
    current = path
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_FOLDER_MODE)
        except FileExistsError:
            continue
        make_private(folder)


def open_private(path: Path, *, exclusive: bool = False) -> int:
    """A file descriptor for writing a new (or truncated) private file: created 0600, never
    briefly readable by others as a create-then-chmod would be."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    flags |= getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags, PRIVATE_FILE_MODE)
    if POSIX:
        with suppress(OSError):
            os.fchmod(descriptor, PRIVATE_FILE_MODE)  # an existing file keeps its old mode
    return descriptor


def write_private_bytes(path: Path, data: bytes, *, sync: bool = False) -> None:
    descriptor = open_private(path)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        if sync:
            handle.flush()
            os.fsync(handle.fileno())


def create_private_file(path: Path) -> None:
    """An empty private file where none exists (SQLite then opens it, and gives its ``-wal``
    and ``-shm`` the same mode); an existing file is narrowed instead."""
    if path.exists():
        make_private(path)
        return
    try:
        os.close(open_private(path, exclusive=True))
    except FileExistsError:
        make_private(path)
