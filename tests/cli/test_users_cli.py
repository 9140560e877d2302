"""``veru-desk users``: administrators manage accounts from a terminal or a script, on an
encrypted database too, and passwords never travel as arguments."""

from __future__ import annotations

from pathlib import Path

import pytest

from veru_desk import cli
from veru_desk.db.keyfile import key_file_path

ADMIN_PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a long enough passphrase"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def encrypted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    """A new encrypted database made by ``init --admin admin``; the admin is signed in."""
    path = tmp_path / "veru.db"
    monkeypatch.setenv("VERU_DESK_DATABASE", str(path))
    monkeypatch.setenv("VERU_DESK_PASSWORD", ADMIN_PASSWORD)
    code, out, err = run(capsys, "init", "--admin", "admin", "--display-name", "Sam Okonkwo")
    assert code == 0, err
    assert "Recovery key" in out
    assert key_file_path(path).exists()
    monkeypatch.setenv("VERU_DESK_USER", "admin")
    return path


def test_an_added_user_can_open_the_encrypted_database_with_their_own_password(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VERU_DESK_NEW_PASSWORD", NEW_PASSWORD)
    code, out, err = run(
        capsys,
        "users", "add", "Dariusz", "--display-name", "Dariusz Wójcik", "--role", "caseworker",
        "--role", "Manager",
    )  # fmt: skip
    assert code == 0, err
    assert out.strip() == "User dariusz added (caseworker, manager)."
    monkeypatch.setenv("VERU_DESK_PASSWORD", NEW_PASSWORD)
    code, out, err = run(capsys, "cases", "--user", "dariusz")
    assert code == 0, err
    assert "0 cases" in out


def test_list_shows_roles_and_account_state(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VERU_DESK_NEW_PASSWORD", NEW_PASSWORD)
    run(capsys, "users", "add", "aisha", "--display-name", "Aisha Mohamed", "--role", "caseworker")
    assert run(capsys, "users", "disable", "aisha")[0] == 0
    code, out, _err = run(capsys, "users", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == [
        "Username",
        "Full",
        "name",
        "Roles",
        "Account",
        "Last",
        "signed",
        "in",
    ]
    aisha = next(line for line in lines if line.startswith("aisha"))
    assert "Aisha Mohamed" in aisha and "caseworker" in aisha and "disabled" in aisha
    admin = next(line for line in lines if line.startswith("admin"))
    assert "active" in admin and "never" not in admin
    assert lines[-1] == "2 users"


def test_a_disabled_user_cannot_sign_in_until_enabled(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VERU_DESK_NEW_PASSWORD", NEW_PASSWORD)
    run(capsys, "users", "add", "aisha", "--display-name", "Aisha Mohamed", "--role", "caseworker")
    code, out, _err = run(capsys, "users", "disable", "aisha")
    assert code == 0 and out.startswith("User aisha disabled.\nThe database key was changed")
    monkeypatch.setenv("VERU_DESK_PASSWORD", NEW_PASSWORD)
    code, _out, err = run(capsys, "cases", "--user", "aisha")
    assert code == 1 and "not right" in err  # her key slot went with the account
    monkeypatch.setenv("VERU_DESK_PASSWORD", ADMIN_PASSWORD)
    code, out, _err = run(capsys, "users", "enable", "aisha")
    assert code == 0 and "reset their password" in out
    monkeypatch.setenv("VERU_DESK_NEW_PASSWORD", "another long passphrase")
    assert run(capsys, "users", "reset-password", "aisha")[0] == 0
    monkeypatch.setenv("VERU_DESK_PASSWORD", "another long passphrase")
    assert run(capsys, "cases", "--user", "aisha")[0] == 0


def test_a_reset_password_opens_the_database_and_the_old_one_does_not(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VERU_DESK_NEW_PASSWORD", NEW_PASSWORD)
    run(capsys, "users", "add", "aisha", "--display-name", "Aisha Mohamed", "--role", "caseworker")
    monkeypatch.setenv("VERU_DESK_NEW_PASSWORD", "another long passphrase")
    code, out, err = run(capsys, "users", "reset-password", "aisha")
    assert code == 0, err
    assert "must choose a new password" in out
    monkeypatch.setenv("VERU_DESK_PASSWORD", NEW_PASSWORD)
    assert run(capsys, "cases", "--user", "aisha")[0] == 1
    monkeypatch.setenv("VERU_DESK_PASSWORD", "another long passphrase")
    assert run(capsys, "cases", "--user", "aisha")[0] == 0


def test_set_roles_replaces_the_roles(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VERU_DESK_NEW_PASSWORD", NEW_PASSWORD)
    run(capsys, "users", "add", "aisha", "--display-name", "Aisha Mohamed", "--role", "caseworker")
    code, out, _err = run(capsys, "users", "set-roles", "aisha", "--role", "manager")
    assert (code, out.strip()) == (0, "Roles of aisha are now: manager.")


def test_only_an_administrator_manages_users(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VERU_DESK_NEW_PASSWORD", NEW_PASSWORD)
    run(capsys, "users", "add", "priya", "--display-name", "Priya Raghunathan", "--role", "manager")
    monkeypatch.setenv("VERU_DESK_USER", "priya")
    monkeypatch.setenv("VERU_DESK_PASSWORD", NEW_PASSWORD)
    code, _out, err = run(
        capsys, "users", "add", "ciaran", "--display-name", "Ciarán Ó Briain", "--role", "admin"
    )
    assert code == 1
    assert err.strip() == "veru-desk: Only an administrator can add users."


def test_a_new_password_is_never_an_argument_and_scripts_must_set_it(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(
        capsys, "users", "add", "aisha", "--display-name", "Aisha Mohamed", "--role", "caseworker",
        "--password", "x",
    )  # fmt: skip
    assert code == 2 and "unrecognized arguments: --password" in err
    monkeypatch.setattr("sys.stdin", None)
    code, _out, err = run(
        capsys, "users", "add", "aisha", "--display-name", "Aisha Mohamed", "--role", "caseworker"
    )
    assert code == 1 and "VERU_DESK_NEW_PASSWORD" in err


def test_the_prompt_asks_twice_and_refuses_a_mismatch(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Terminal:
        def isatty(self) -> bool:
            return True

    answers = iter([NEW_PASSWORD, "something else entirely"])
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, _out, err = run(
        capsys, "users", "add", "aisha", "--display-name", "Aisha Mohamed", "--role", "caseworker"
    )
    assert code == 1 and "not the same" in err
    assert "aisha" not in run(capsys, "users", "list")[1]


def test_an_unknown_role_is_a_usage_error(
    encrypted: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(
        capsys, "users", "add", "aisha", "--display-name", "Aisha Mohamed", "--role", "mentor"
    )
    assert code == 2 and "'mentor' is not a role" in err
