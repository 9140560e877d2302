"""``veru-desk recover``: the recovery key shown at set-up gets a locked-out administrator
back into an encrypted database, and the trail shows it was used."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from veru_desk import cli

ADMIN_PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a fresh passphrase after the holidays"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_recovery_key_unlocks_a_locked_out_administrator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VERU_DESK_DATABASE", str(tmp_path / "veru.db"))
    monkeypatch.setenv("VERU_DESK_PASSWORD", ADMIN_PASSWORD)
    code, out, err = run(capsys, "init", "--admin", "admin", "--display-name", "Sam Okonkwo")
    assert code == 0, err
    recovery = re.search(r"Recovery key: (\S+)", out)
    assert recovery is not None
    monkeypatch.setenv("VERU_DESK_USER", "admin")
    monkeypatch.setenv("VERU_DESK_PASSWORD", "forgotten it completely")
    for _ in range(5):
        assert run(capsys, "users", "list")[0] != 0
    monkeypatch.setenv("VERU_DESK_PASSWORD", ADMIN_PASSWORD)
    code, _out, err = run(capsys, "users", "list")
    assert code != 0 and "locked" in err

    monkeypatch.setenv("VERU_DESK_RECOVERY_KEY", "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF-GGGGG-HHHHH")
    monkeypatch.setenv("VERU_DESK_NEW_PASSWORD", NEW_PASSWORD)
    code, _out, err = run(capsys, "recover", "admin")
    assert code != 0 and "recovery key" in err.lower()

    monkeypatch.setenv("VERU_DESK_RECOVERY_KEY", recovery[1].lower())
    code, out, err = run(capsys, "recover", "admin")
    assert code == 0, err
    monkeypatch.setenv("VERU_DESK_PASSWORD", NEW_PASSWORD)
    code, out, err = run(capsys, "audit", "--format", "csv")
    assert code == 0, err
    assert "reset with the recovery key" in out
