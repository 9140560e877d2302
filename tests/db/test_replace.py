"""A file another program holds for a moment (Windows refuses the rename while an antivirus
scan, a sync client or Excel has it open), simulated by ``os.replace`` raising
``PermissionError``: the key file and backups are put in place once it lets go, and when it
does not, the person is told which file and what may be holding it."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from veru_desk import cli
from veru_desk.db import replace as replacing
from veru_desk.db.backup import daily_backup_if_due, list_backups
from veru_desk.db.engine import Database
from veru_desk.db.keyfile import KeyFile
from veru_desk.db.replace import RETRY_WAITS

PASSWORD = "correct horse battery staple"


def _held(monkeypatch: pytest.MonkeyPatch, times: int | None, ending: str) -> list[str]:
    """``os.replace`` refuses its first ``times`` renames onto a name ending ``ending`` (every
    one when None), as Windows does while another program holds the file; the waits are cut
    short. Returns the targets it was asked for, refused or not."""
    real: Callable[..., None] = os.replace
    asked: list[str] = []
    monkeypatch.setattr(replacing, "RETRY_WAITS", (0.0,) * len(RETRY_WAITS))

    def replace(source: os.PathLike[str] | str, target: os.PathLike[str] | str) -> None:
        if str(target).endswith(ending):
            asked.append(str(target))
            if times is None or len(asked) <= times:
                raise PermissionError(13, "Access is denied", str(source))
        real(source, target)

    monkeypatch.setattr(os, "replace", replace)
    return asked


def _init(path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VERU_DESK_PASSWORD", PASSWORD)
    assert cli.main(["init", "--database", str(path), "--admin", "ngozi"]) == 0
    capsys.readouterr()


def test_ten_tries_over_about_two_seconds() -> None:
    assert len(RETRY_WAITS) + 1 == 10
    assert 1.5 <= sum(RETRY_WAITS) <= 2.5


def test_a_key_file_held_for_a_moment_is_saved_when_it_is_let_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "veru.db"
    _init(path, monkeypatch, capsys)
    keys = KeyFile.load(path.with_name("veru.db.keys"))
    asked = _held(monkeypatch, 3, "veru.db.keys")
    keys.set_audit_record("head", {"by": "Ngozi Okonkwo-Adeyemi"})
    keys.save()
    assert len(asked) == 4
    assert KeyFile.load(path.with_name("veru.db.keys")).audit_record("head") == {
        "by": "Ngozi Okonkwo-Adeyemi"
    }
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_a_key_file_that_stays_held_is_named_and_left_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through the command: a new account needs a key slot, so ``users add`` saves the key
    file; held throughout, the command says which file and what may hold it in one line, and
    the key file is the old one, whole (nobody is locked out)."""
    path = tmp_path / "veru.db"
    _init(path, monkeypatch, capsys)
    before = path.with_name("veru.db.keys").read_bytes()
    asked = _held(monkeypatch, None, "veru.db.keys")
    monkeypatch.setenv("VERU_DESK_NEW_PASSWORD", "Tomasz's own long passphrase")
    adding = ["users", "add", "tomasz", "--display-name", "Tomasz Łukasiewicz"]
    code = cli.main(
        [*adding, "--role", "caseworker", "--database", str(path), "--user", "ngozi"]
    )
    _out, err = capsys.readouterr()
    assert code == 1, err
    assert len(asked) >= len(RETRY_WAITS) + 1
    assert "veru.db.keys" in err and "another program" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert path.with_name("veru.db.keys").read_bytes() == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_a_backup_whose_file_stays_held_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "veru.db"
    _init(path, monkeypatch, capsys)
    target = tmp_path / "Siobhán's backups" / "monday.db"
    target.parent.mkdir()
    asked = _held(monkeypatch, None, "monday.db")
    code = cli.main(
        ["backup", "--database", str(path), "--user", "ngozi", "--output", str(target)]
    )
    _out, err = capsys.readouterr()
    assert code == 1, err
    assert len(asked) == len(RETRY_WAITS) + 1
    assert "monday.db" in err and "another program" in err and "antivirus" in err
    assert len(err.strip().splitlines()) == 1


def test_a_backup_held_for_a_moment_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "veru.db"
    _init(path, monkeypatch, capsys)
    target = tmp_path / "monday.db"
    asked = _held(monkeypatch, 2, "monday.db")
    code = cli.main(
        ["backup", "--database", str(path), "--user", "ngozi", "--output", str(target)]
    )
    _out, err = capsys.readouterr()
    assert code == 0, err
    assert len(asked) == 3 and target.is_file() and target.with_name("monday.db.keys").is_file()


def test_an_old_backup_held_by_a_sync_client_is_left_for_next_time(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The daily backup removes the old ones the policy no longer keeps; on Windows one that
    OneDrive is uploading cannot be deleted. Today's backup is made all the same and the held
    one goes at a later rotation."""
    folder = tmp_path / "Ngozi's backups"
    now = dt.datetime(2026, 11, 25, 9, 0)
    for day in range(30):
        daily_backup_if_due(db.engine, folder, now=now - dt.timedelta(days=60 - 2 * day))
    real_unlink = Path.unlink
    held: list[Path] = []

    def unlink(path: Path, missing_ok: bool = False) -> None:
        if path.parent == folder and path.suffix == ".db" and (not held or held[0] == path):
            held.append(path)
            raise PermissionError(13, "The process cannot access the file", str(path))
        real_unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    daily_backup_if_due(db.engine, folder, now=now)
    assert held, "no old backup was due for removal: the test tested nothing"
    after = {b.path: b for b in list_backups(folder)}
    assert held[0] in after
    assert any(b.taken_at.date() == now.date() for b in after.values())
    monkeypatch.setattr(Path, "unlink", real_unlink)  # let go: the next rotation removes it
    daily_backup_if_due(db.engine, folder, now=now + dt.timedelta(days=1))
    assert held[0] not in {b.path for b in list_backups(folder)}
