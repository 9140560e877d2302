from __future__ import annotations

from pathlib import Path

import pytest

from veru_desk.config import resolve_database
from veru_desk.db.local_only import network_or_synced_reason
from veru_desk.db.session import open_database
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
