"""A quick start as a caseworker meets it: the window opens on the caseload read at start-up,
the sign-in is completed and audited behind it, and a refusal at that moment closes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from veru_desk import app as app_module
from veru_desk.config import PASSWORD_ENV, USER_ENV, resolve_database
from veru_desk.db.models import AuditEvent, User
from veru_desk.db.opening import open_database
from veru_desk.demo import DEMO_PASSWORD, add_demo_team, generate_demo_data
from veru_desk.domain.enums import AuditAction
from veru_desk.services import Services
from veru_desk.ui.pages.caseload_model import listed_name
from veru_desk.ui.shell.main_window import MainWindow


@pytest.fixture
def unit_file(tmp_path: Path) -> Path:
    path = tmp_path / "unit.db"
    db = open_database(resolve_database(str(path)))
    add_demo_team(db)
    generate_demo_data(db, people=80, seed=5)
    db.dispose()
    return path


def _logins(path: Path, username: str) -> int:
    db = open_database(resolve_database(str(path)))
    try:
        with db.read() as session:
            return len(
                session.scalars(
                    select(AuditEvent).where(
                        AuditEvent.action == AuditAction.LOGIN, AuditEvent.username == username
                    )
                ).all()
            )
    finally:
        db.dispose()


def _quick_window(
    unit_file: Path, settings: QSettings, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> tuple[MainWindow, app_module.SignedIn]:
    monkeypatch.setenv(USER_ENV, "dariusz")
    monkeypatch.setenv(PASSWORD_ENV, DEMO_PASSWORD)
    signed_in = app_module.sign_in_to(resolve_database(str(unit_file)))
    assert signed_in is not None
    settings.setValue("main_window/last_page", "caseload")
    window = app_module.build_main_window(
        Services(signed_in.db, signed_in.actor),
        settings=settings,
        first_screen=signed_in.first_screen,
    )
    qtbot.addWidget(window)
    return window, signed_in


def test_the_window_opens_on_the_caseload_read_at_start_and_the_sign_in_completes_behind_it(
    unit_file: Path, settings: QSettings, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    window, signed_in = _quick_window(unit_file, settings, monkeypatch, qtbot)
    assert signed_in.first_screen is not None and signed_in.pending is not None
    assert "engine" not in signed_in.db.__dict__  # nothing has needed the database layer yet
    assert _logins(unit_file, "dariusz") == 0  # the read alone signs nobody in

    window.show()
    qtbot.waitExposed(window)
    page = window.page("caseload")
    table = page.table  # type: ignore[attr-defined]
    first = signed_in.first_screen.caseload_rows[0]
    assert table.model().index(0, 1).data(Qt.ItemDataRole.DisplayRole) == listed_name(first)
    assert page.total_label.text().startswith(f"{len(signed_in.first_screen.caseload_ids)} case")
    assert "engine" not in signed_in.db.__dict__  # painted from the start-up read

    assert app_module.complete_sign_in(window, signed_in)
    assert _logins(unit_file, "dariusz") == 1
    assert signed_in.pending is None
    assert window.isVisible()
    # The page was read again through the services, and the caseload is live.
    assert table.model().rowCount() == len(signed_in.first_screen.caseload_ids)
    assert table.model().index(0, 1).data(Qt.ItemDataRole.DisplayRole) == listed_name(first)
    signed_in.db.dispose()


def test_an_account_disabled_while_the_window_opened_closes_it(
    unit_file: Path, settings: QSettings, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    window, signed_in = _quick_window(unit_file, settings, monkeypatch, qtbot)
    window.show()
    qtbot.waitExposed(window)
    with signed_in.db.write() as session:  # an administrator, a moment earlier
        session.execute(update(User).where(User.username == "dariusz").values(active=False))
    shown: list[str] = []
    monkeypatch.setattr(app_module, "show_error", lambda _parent, error: shown.append(str(error)))

    assert not app_module.complete_sign_in(window, signed_in)

    assert shown and "disabled" in shown[0]
    assert not window.isVisible()
    assert _logins(unit_file, "dariusz") == 0
    signed_in.db.dispose()


def test_a_wrong_password_goes_the_usual_way_and_is_counted(
    unit_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from veru_desk.services.passwords import SignInError

    opener = app_module._Opener(resolve_database(str(unit_file)))
    with pytest.raises(SignInError):
        opener.authenticate("dariusz", "not-the-password")
    assert opener.first_screen is None
    db = open_database(resolve_database(str(unit_file)))
    with db.read() as session:
        user = session.scalars(select(User).where(User.username == "dariusz")).one()
        assert user.failed_attempts == 1
    db.dispose()


def test_an_account_whose_roles_changed_while_the_window_opened_is_told_and_closed(
    unit_file: Path, settings: QSettings, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    from veru_desk.db.models import UserRole
    from veru_desk.domain.enums import Role

    window, signed_in = _quick_window(unit_file, settings, monkeypatch, qtbot)
    window.show()
    qtbot.waitExposed(window)
    with signed_in.db.write() as session:  # made a manager a moment earlier
        user = session.scalars(select(User).where(User.username == "dariusz")).one()
        session.add(UserRole(user_id=user.id, role=Role.MANAGER))
    shown: list[str] = []
    monkeypatch.setattr(app_module, "show_error", lambda _parent, error: shown.append(str(error)))

    assert not app_module.complete_sign_in(window, signed_in)

    assert shown and "Start VERU Desk again" in shown[0]
    assert not window.isVisible()
    signed_in.db.dispose()


@pytest.mark.parametrize("disabled", [False, True])
def test_on_an_encrypted_file_the_key_slot_is_the_password_check_and_the_account_is_checked(
    tmp_path: Path,
    settings: QSettings,
    monkeypatch: pytest.MonkeyPatch,
    qtbot: QtBot,
    disabled: bool,
) -> None:
    """The start-up read unwrapped the user's key slot with the password: the completed
    sign-in does not run a second argon2 check of the same password (46 MiB, at the moment
    the app holds the most), but an account disabled in between is still refused."""
    from veru_desk.demo import create_demo_database
    from veru_desk.services import users

    path = tmp_path / "secret.db"
    created = create_demo_database(resolve_database(str(path)))
    generate_demo_data(created.db, people=20, seed=3)
    created.db.dispose()
    window, signed_in = _quick_window(path, settings, monkeypatch, qtbot)
    assert signed_in.first_screen is not None and signed_in.first_screen.key is not None
    if disabled:
        with signed_in.db.write() as session:
            session.execute(update(User).where(User.username == "dariusz").values(active=False))
    checks: list[str] = []
    real = users.verify_password
    monkeypatch.setattr(
        users, "verify_password", lambda stored, given: checks.append(given) or real(stored, given)
    )
    shown: list[str] = []
    monkeypatch.setattr(app_module, "show_error", lambda _parent, error: shown.append(str(error)))

    assert app_module.complete_sign_in(window, signed_in) is not disabled

    assert checks == []
    with signed_in.db.read() as session:
        logins = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == AuditAction.LOGIN, AuditEvent.username == "dariusz"
            )
        ).all()
    assert len(logins) == (0 if disabled else 1)
    assert bool(shown) is disabled
    signed_in.db.dispose()


@pytest.mark.parametrize("disabled", [False, True])
def test_on_a_plain_file_the_hash_checked_at_start_is_not_checked_again_but_the_account_is(
    unit_file: Path,
    settings: QSettings,
    monkeypatch: pytest.MonkeyPatch,
    qtbot: QtBot,
    disabled: bool,
) -> None:
    """The start-up read checked the password against the hash itself (no key slot on a
    plain file or a server): the completed sign-in does not run that argon2 check again,
    and an account disabled in between is still refused."""
    from veru_desk.services import users

    window, signed_in = _quick_window(unit_file, settings, monkeypatch, qtbot)
    assert signed_in.first_screen is not None and signed_in.first_screen.key is None
    if disabled:
        with signed_in.db.write() as session:
            session.execute(update(User).where(User.username == "dariusz").values(active=False))
    checks: list[str] = []
    real = users.verify_password
    monkeypatch.setattr(
        users, "verify_password", lambda stored, given: checks.append(given) or real(stored, given)
    )
    shown: list[str] = []
    monkeypatch.setattr(app_module, "show_error", lambda _parent, error: shown.append(str(error)))

    assert app_module.complete_sign_in(window, signed_in) is not disabled

    assert checks == []
    assert bool(shown) is disabled
    signed_in.db.dispose()


# Run as the app is, with nobody's credentials in the environment: the sign-in dialog waits
# for a person. It reports whether the database layer was loaded when the dialog was about to
# show and once it had been on screen a while, then a person signs in and the window opens.
_DIALOG_START = """
import os, sys
from PySide6.QtCore import QTimer
import veru_desk.ui.shell.sign_in as sign_in

def loaded():
    return "veru_desk.db.models" in sys.modules and "sqlalchemy.orm" in sys.modules

shown = sign_in.SignInDialog.exec
def exec_(dialog):
    print("BEFORE", loaded(), flush=True)
    def type_and_enter():
        print("WHILE_TYPING", loaded(), flush=True)
        dialog.username.setText(os.environ["WHO"])
        dialog.password.setText(os.environ["SECRET"])
        dialog.try_sign_in()
    QTimer.singleShot(3000, type_and_enter)
    return shown(dialog)
sign_in.SignInDialog.exec = exec_

from veru_desk.launch import main
sys.exit(main(["--database", sys.argv[1]]))
"""


def test_the_database_layer_loads_while_the_sign_in_dialog_waits_for_a_person(
    unit_file: Path, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    from veru_desk.app import BENCH_EXIT_ENV
    from veru_desk.bench.probe import MARKER, READY_MARKER

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in (USER_ENV, PASSWORD_ENV)  # nobody signed in from the environment
    }
    env.update(
        {
            "QT_QPA_PLATFORM": "offscreen",
            BENCH_EXIT_ENV: "1",  # report the paint and the first answered key, then quit
            "WHO": "dariusz",
            "SECRET": DEMO_PASSWORD,
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "VERU_DESK_DATA_DIR": str(tmp_path / "data"),
            "VERU_DESK_BACKUP_DIR": str(tmp_path / "backups"),
        }
    )
    done = subprocess.run(
        [sys.executable, "-c", _DIALOG_START, str(unit_file)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "BEFORE False" in lines  # the dialog is not kept waiting for it
    assert "WHILE_TYPING True" in lines
    assert any(line.startswith(MARKER) for line in lines)
    assert READY_MARKER in lines  # signed in, the window answered
    assert _logins(unit_file, "dariusz") == 1
