"""Refusing a SQLite file on a network share or in a synced folder.

SQLite's locking relies on the local file system: on SMB/NFS shares it can silently corrupt
the file when two PCs write, and sync clients (OneDrive, Dropbox...) copy half-written files
and resurrect old ones. Several PCs must share a PostgreSQL server instead.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path, PureWindowsPath

from veru_desk.domain.errors import StorageError

SYNCED_FOLDER_NAMES = (
    "onedrive",
    "dropbox",
    "google drive",
    "googledrive",
    "my drive",
    "icloud drive",
    "icloud~",
    "mobile documents",
    "box sync",
    "nextcloud",
    "owncloud",
    "pcloud drive",
    "sync.com",
)
NETWORK_FILE_SYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smbfs", "smb3", "fuse.sshfs", "sshfs", "9p", "afs", "ncpfs",
     "fuse.rclone", "davfs", "fuse.davfs2", "glusterfs", "ceph", "fuse.ceph"}
)  # fmt: skip

_ADVICE = (
    "SQLite cannot lock safely there, so records could be lost. Keep the database on this "
    "PC's own disk, or share one PostgreSQL database between PCs (see the README's "
    "'Shared office' section)."
)


def network_or_synced_reason(
    path: Path, *, mounts: Iterable[tuple[str, str]] | None = None, platform: str | None = None
) -> str | None:
    """Why ``path`` is unsafe for SQLite (a share, a network drive, a synced folder), or None.

    ``mounts`` ((mount point, file system type) pairs) and ``platform`` are for tests.
    """
    platform = platform or sys.platform
    text = str(path)
    if platform == "win32" or text.startswith(("\\\\", "//")):
        windows = PureWindowsPath(text)
        if text.startswith(("\\\\", "//")) or windows.drive.startswith("\\\\"):
            return f"{text} is on a network share"
        if platform == "win32" and _is_remote_windows_drive(windows.drive):
            return f"{text} is on a mapped network drive ({windows.drive})"
    parts = PureWindowsPath(text).parts if platform == "win32" else Path(text).parts
    lowered = [part.casefold() for part in parts]
    for part in lowered:
        for name in SYNCED_FOLDER_NAMES:
            if part == name or part.startswith(name + " ") or part.startswith(name + "-"):
                return f"{text} is inside a synced folder ({part})"
    if platform.startswith("linux"):
        fs_type = _linux_file_system(Path(text), mounts)
        if fs_type in NETWORK_FILE_SYSTEMS:
            return f"{text} is on a network file system ({fs_type})"
    return None


def refuse_unsafe_location(path: Path) -> None:
    reason = network_or_synced_reason(path)
    if reason is not None:
        raise StorageError(f"This database cannot be used: {reason}. {_ADVICE}")


def _is_remote_windows_drive(drive: str) -> bool:
    if not drive or len(drive) != 2 or drive[1] != ":":
        return False
    try:
        import ctypes

        drive_remote = 4
        return bool(ctypes.windll.kernel32.GetDriveTypeW(f"{drive}\\") == drive_remote)  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return False


def _linux_file_system(path: Path, mounts: Iterable[tuple[str, str]] | None) -> str | None:
    if mounts is None:
        try:
            with open("/proc/mounts", encoding="utf-8") as handle:
                mounts = [
                    (fields[1].replace("\\040", " "), fields[2])
                    for fields in (line.split() for line in handle)
                    if len(fields) >= 3
                ]
        except OSError:
            return None
    target = os.path.abspath(path)
    best: tuple[int, str] | None = None
    for mount_point, fs_type in mounts:
        prefix = mount_point.rstrip("/") + "/"
        covers = (target + "/").startswith(prefix) or mount_point == "/"
        if covers and (best is None or len(mount_point) > best[0]):
            best = (len(mount_point), fs_type)
    return best[1] if best else None
