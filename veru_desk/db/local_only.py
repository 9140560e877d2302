"""Refusing a SQLite file on a network share or in a synced folder.

SQLite's locking relies on the local file system: on SMB/NFS shares it can silently corrupt
the file when two PCs write, and sync clients (OneDrive, Dropbox...) copy half-written files
and resurrect old ones. Several PCs must share a PostgreSQL server instead.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path, PureWindowsPath

from veru_desk.domain.errors import StorageError

# Folder names that sync clients create (compared without case, spaces, hyphens or
# underscores, so "SynologyDrive", "Synology Drive" and "synology_drive" are one name). A folder
# also counts when the name is followed by " (", " -" or "-": "Dropbox (Personal)",
# "OneDrive - Luton Borough Council", "Box-Box".
SYNCED_FOLDER_NAMES = (
    "onedrive",
    "dropbox",
    "google drive",
    "my drive",
    "icloud drive",
    "icloud~",
    "mobile documents",
    "com~apple~clouddocs",
    "cloudstorage",  # macOS: every File Provider sync client lives in ~/Library/CloudStorage
    "box",
    "box sync",
    "synology drive",
    "nextcloud",
    "owncloud",
    "pcloud drive",
    "pcloud sync",
    "sync.com",
    "mega",
    "megasync",
    "tresorit",
    "seadrive",
    "seafile",
    "yandex.disk",
)
# Network file systems as /proc/mounts names them. FUSE mounts appear as "fuse.<helper>", so
# the helper's name is what tells a network mount from a local one.
NETWORK_FILE_SYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smbfs", "smb3", "sshfs", "9p", "afs", "ncpfs", "davfs", "coda",
     "glusterfs", "ceph", "ocfs2", "gfs2", "lustre", "beegfs", "orangefs", "vboxsf", "virtiofs"}
)  # fmt: skip
NETWORK_FUSE_HELPERS = frozenset(
    {"sshfs", "rclone", "s3fs", "gvfsd-fuse", "gvfs-fuse-daemon", "davfs2", "smbnetfs",
     "curlftpfs", "gcsfuse", "goofys", "mountpoint-s3", "blobfuse", "blobfuse2", "glusterfs",
     "ceph", "ceph-fuse", "juicefs", "moosefs", "mfs", "lizardfs", "onedriver",
     "google-drive-ocamlfuse", "pcloud", "pcloudfs", "keybase-redirector", "kbfsfuse",
     "seadrive", "dropbox", "megafuse", "cryfs-remote", "afpfs", "afpfs-ng", "httpdirfs"}
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
    for part in parts:
        if _is_synced_folder_name(part):
            return f"{text} is inside a synced folder ({part})"
    if platform.startswith("linux"):
        fs_type = _linux_file_system(Path(text), mounts)
        if fs_type is not None and is_network_file_system(fs_type):
            return f"{text} is on a network file system ({fs_type})"
    return None


def is_network_file_system(fs_type: str) -> bool:
    """Whether a /proc/mounts type is a share: a kernel network file system, or a FUSE mount
    whose helper reaches another machine (SMB through GNOME's gvfs, S3, rclone, SSH...)."""
    kind = fs_type.casefold()
    if kind in NETWORK_FILE_SYSTEMS:
        return True
    base, _dot, helper = kind.partition(".")
    if base in {"fuse", "fuseblk"} and helper:
        return helper in NETWORK_FUSE_HELPERS or helper in NETWORK_FILE_SYSTEMS
    return False


def _squashed(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch not in " -_")


_SQUASHED_SYNC_NAMES = frozenset(_squashed(name) for name in SYNCED_FOLDER_NAMES)


def _is_synced_folder_name(part: str) -> bool:
    lowered = part.casefold()
    if _squashed(lowered) in _SQUASHED_SYNC_NAMES:
        return True
    return any(
        lowered.startswith((name + " (", name + " -", name + "-")) for name in SYNCED_FOLDER_NAMES
    )


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
        return bool(ctypes.windll.kernel32.GetDriveTypeW(f"{drive}\\") == drive_remote)  # type: ignore[attr-defined]  # Windows only
    except (AttributeError, OSError):
        return False


def _linux_file_system(path: Path, mounts: Iterable[tuple[str, str]] | None) -> str | None:
    if mounts is None:
        try:
            with open("/proc/mounts", encoding="utf-8", errors="surrogateescape") as handle:
                mounts = [
                    (_unescape_mount_point(fields[1]), fields[2])
                    for fields in (line.split() for line in handle)
                    if len(fields) >= 3
                ]
        except OSError:
            return None
    # A link into a share is still the share: the mount table names the real path.
    target = os.path.realpath(path)
    best: tuple[int, str] | None = None
    for mount_point, fs_type in mounts:
        prefix = mount_point.rstrip("/") + "/"
        covers = (target + "/").startswith(prefix) or mount_point == "/"
        if covers and (best is None or len(mount_point) > best[0]):
            best = (len(mount_point), fs_type)
    return best[1] if best else None


_OCTAL_ESCAPE = re.compile(r"\\([0-7]{3})")


def _unescape_mount_point(field: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash in a mount point as octal escapes
    (``\\040``...); a share mounted at "/mnt/Team Share" must match the path that reaches it."""
    return _OCTAL_ESCAPE.sub(lambda match: chr(int(match.group(1), 8)), field)
