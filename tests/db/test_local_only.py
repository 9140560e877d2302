from __future__ import annotations

from pathlib import Path

import pytest

from veru_desk.config import resolve_database
from veru_desk.db.local_only import network_or_synced_reason
from veru_desk.db.opening import open_database
from veru_desk.domain.errors import StorageError

LOCAL = [("/", "ext4"), ("/home", "ext4"), ("/mnt/office", "cifs"), ("/srv/nfs", "nfs4")]


@pytest.mark.parametrize(
    "path",
    [
        r"\\fileserver\veru\veru-desk.db",
        "//fileserver/veru/veru-desk.db",
        r"C:\Users\priya\OneDrive - Luton Borough Council\VERU\veru-desk.db",
        "/home/priya/Dropbox/veru-desk.db",
        "/home/priya/Google Drive/veru/veru-desk.db",
        "/mnt/office/veru/veru-desk.db",
        "/srv/nfs/veru-desk.db",
    ],
)
def test_shares_network_file_systems_and_synced_folders_are_refused(path: str) -> None:
    platform = "win32" if path.startswith("C:") else "linux"
    assert network_or_synced_reason(Path(path), mounts=LOCAL, platform=platform) is not None


@pytest.mark.parametrize(
    "path", ["/home/priya/.local/share/VERU Desk/veru-desk.db", "/home/dropboxer/veru-desk.db"]
)
def test_local_folders_are_accepted(path: str) -> None:
    assert network_or_synced_reason(Path(path), mounts=LOCAL, platform="linux") is None


def test_opening_a_database_in_a_synced_folder_explains_the_shared_set_up(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="PostgreSQL"):
        open_database(resolve_database(str(tmp_path / "OneDrive" / "veru-desk.db")))
    assert not (tmp_path / "OneDrive" / "veru-desk.db").exists()


@pytest.mark.parametrize(
    "fs_type",
    ["fuse.gvfsd-fuse", "fuse.s3fs", "fuse.rclone", "fuse.sshfs", "fuse.davfs2", "fuse.gcsfuse"],
)
def test_fuse_mounts_that_reach_another_machine_are_refused(fs_type: str) -> None:
    mounts = [("/", "ext4"), ("/run/user/1000/gvfs", fs_type)]
    path = Path("/run/user/1000/gvfs/smb-share:server=fs01,share=veru/veru-desk.db")
    reason = network_or_synced_reason(path, mounts=mounts, platform="linux")
    assert reason is not None and fs_type in reason


@pytest.mark.parametrize("fs_type", ["fuse.portal", "fuseblk", "fuse.encfs", "ext4", "btrfs"])
def test_local_fuse_and_disk_file_systems_are_accepted(fs_type: str) -> None:
    mounts = [("/", "ext4"), ("/home/priya/vault", fs_type)]
    path = Path("/home/priya/vault/veru-desk.db")
    assert network_or_synced_reason(path, mounts=mounts, platform="linux") is None


@pytest.mark.parametrize(
    ("path", "platform"),
    [
        ("/home/ciaran/SynologyDrive/VERU/veru-desk.db", "linux"),
        ("/home/ciaran/Synology Drive/veru-desk.db", "linux"),
        (r"C:\Users\ngozi\SynologyDrive\veru-desk.db", "win32"),
        ("/home/ngozi/Nextcloud/VERU/veru-desk.db", "linux"),
        (r"C:\Users\ngozi\Nextcloud\veru-desk.db", "win32"),
        ("/home/tomasz/pCloudDrive/veru-desk.db", "linux"),
        ("/Users/tomasz/pCloud Drive/veru-desk.db", "darwin"),
        (r"C:\Users\siobhan\Box\VERU\veru-desk.db", "win32"),
        ("/Users/siobhan/Library/CloudStorage/Box-Box/veru-desk.db", "darwin"),
        (r"C:\Users\siobhan\iCloudDrive\veru-desk.db", "win32"),
        ("/Users/zoe/Library/Mobile Documents/com~apple~CloudDocs/veru-desk.db", "darwin"),
        ("/Users/zoe/Library/CloudStorage/GoogleDrive-zoe@example.org/veru-desk.db", "darwin"),
    ],
)
def test_sync_client_folders_are_refused(path: str, platform: str) -> None:
    assert network_or_synced_reason(Path(path), mounts=LOCAL, platform=platform) is not None


def test_a_link_into_a_share_is_the_share(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    link = tmp_path / "looks-local"
    link.symlink_to(share, target_is_directory=True)
    mounts = [("/", "ext4"), (str(share), "cifs")]
    assert network_or_synced_reason(link / "veru-desk.db", mounts=mounts, platform="linux")


def test_mount_points_with_spaces_are_read_from_the_mount_table() -> None:
    from veru_desk.db.local_only import _unescape_mount_point

    assert _unescape_mount_point(r"/mnt/Team\040Share") == "/mnt/Team Share"
    assert _unescape_mount_point(r"/mnt/a\134b") == "/mnt/a\\b"
