"""What VERU Desk writes holds personal data about children: on Linux and macOS it is its
owner's only (0600 files, 0700 folders it makes), whatever the umask, through the command."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from veru_desk.db.keyfile import key_file_path
from veru_desk.db.private_files import create_private_file, make_private, make_private_folder

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX's")

ADMIN = "marble falcon ribbon 52"
MANAGER = "copper kettle harbour 7"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _veru_desk(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "veru_desk", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0o022),  # the usual umask: everyone may read
    )
    assert done.returncode == 0, done.stderr
    return done


def test_the_database_key_file_backups_and_exports_are_the_owners_only(tmp_path: Path) -> None:
    database = tmp_path / "office" / "veru-desk.db"
    env = {
        **os.environ,
        "VERU_DESK_DATABASE": str(database),
        "VERU_DESK_PASSWORD": ADMIN,
        "VERU_DESK_USER": "admin",
        "VERU_DESK_NEW_PASSWORD": MANAGER,
    }
    _veru_desk(env, "init", "--admin", "admin", "--display-name", "Siobhán Nic Giolla")
    _veru_desk(
        env, "users", "add", "ngozi", "--display-name", "Ngozi Okonkwo-Adeyemi", "--role", "manager"
    )
    backup = tmp_path / "kept" / "before-the-board.db"
    _veru_desk(env, "backup", "-o", str(backup))
    report = tmp_path / "reports for the board" / "outcomes.csv"  # a folder the export makes
    manager = {**env, "VERU_DESK_USER": "ngozi", "VERU_DESK_PASSWORD": MANAGER}
    _veru_desk(
        manager,
        "report",
        "outcomes",
        "--from",
        "01/01/2026",
        "--to",
        "31/12/2026",
        "-o",
        str(report),
    )
    made = [database, key_file_path(database), backup, key_file_path(backup), report]
    made += [p for p in database.parent.iterdir() if p.name.endswith(("-wal", "-shm"))]
    for path in made:
        assert _mode(path) == 0o600, path
    for folder in (database.parent, backup.parent, report.parent):
        assert _mode(folder) == 0o700, folder


def test_a_database_an_earlier_release_left_readable_is_narrowed(tmp_path: Path) -> None:
    folder = tmp_path / "made by hand"
    folder.mkdir(mode=0o755)
    old = folder / "veru-desk.db"
    old.write_bytes(b"")
    old.chmod(0o644)
    make_private(old)
    assert _mode(old) == 0o600
    make_private_folder(folder / "backups" / "daily")
    assert _mode(folder) == 0o755  # a folder the person chose is left as it is
    assert _mode(folder / "backups") == _mode(folder / "backups" / "daily") == 0o700
    create_private_file(folder / "new.db")
    assert _mode(folder / "new.db") == 0o600
