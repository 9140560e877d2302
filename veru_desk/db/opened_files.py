"""Copies of case files opened for a viewer: a private folder of this app's own, emptied at
exit, and what a crashed run left swept at the next start.

A viewer needs a path, so opening a kept file (``services.attachments``) writes it into
``opened-files`` in the user data folder (0700), one sub-folder per running app. Apart from
the service, and with no database code, because the start-up sweep runs before the window
paints and must not load the database layer.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import time
from pathlib import Path

from veru_desk.config import data_dir
from veru_desk.db.private_files import make_private_folder

OPENED_FOLDER = "opened-files"
#: A crashed app's folder whose process cannot be checked is swept after this long.
_STALE_AFTER_SECONDS = 24 * 3600

_own_folders: dict[Path, Path] = {}


def opened_root() -> Path:
    return data_dir() / OPENED_FOLDER


def _process_alive(pid: int) -> bool | None:
    """Whether the process runs; None where that cannot be asked cheaply (Windows)."""
    if os.name != "posix":
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_opened_files(root: Path | None = None) -> int:
    """Removes what apps that have ended left in the opened-files folder (a crash, a power
    cut, a viewer that held a file at exit); a running app's folder is left alone, this
    app's own included. Returns how many were removed."""
    root = root or opened_root()
    if not root.is_dir():
        return 0
    mine = set(_own_folders.values())
    removed = 0
    for entry in root.iterdir():
        if entry in mine:
            continue
        pid_text = entry.name.partition("-")[0]
        alive = _process_alive(int(pid_text)) if pid_text.isdigit() else False
        if pid_text.isdigit() and int(pid_text) == os.getpid():
            alive = False  # an earlier run of this process id: not a folder of ours now
        if alive is None:
            try:
                alive = time.time() - entry.stat().st_mtime < _STALE_AFTER_SECONDS
            except OSError:
                continue
        if alive:
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed += not entry.exists()
    return removed


def clear_own_opened_files() -> None:
    """Removes every file this app opened (at exit; a file a viewer still holds on Windows
    stays until the next start's sweep)."""
    for folder in list(_own_folders.values()):
        shutil.rmtree(folder, ignore_errors=True)


def own_folder() -> Path:
    root = opened_root()
    folder = _own_folders.get(root)
    if folder is not None and folder.is_dir():
        return folder
    make_private_folder(root)
    if not _own_folders:
        atexit.register(clear_own_opened_files)
    sweep_opened_files(root)
    folder = root / f"{os.getpid()}-{secrets.token_hex(4)}"
    make_private_folder(folder)
    _own_folders[root] = folder
    return folder
