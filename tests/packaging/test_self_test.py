"""``veru-desk self-test`` in the installed package: the same checks the bundle test runs on the
frozen executable, here on the virtual environment, plus what a failure looks like."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from veru_desk.selftest import CHECKS, SelfTestState, run_checks


def child_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("VERU_DESK_") and key != "QT_QPA_PLATFORM"
    }
    env["VERU_DESK_DATA_DIR"] = str(tmp_path / "userdata")
    env.update(extra)
    return env


def test_self_test_passes_every_check_and_builds_the_main_window_offscreen(
    tmp_path: Path,
) -> None:
    """No QT_QPA_PLATFORM given: the self-test picks offscreen itself, as IT will run it."""
    result = subprocess.run(
        [sys.executable, "-m", "veru_desk", "self-test"],
        capture_output=True,
        text=True,
        env=child_env(tmp_path),
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip()
    assert "\n" not in line
    assert line.startswith("VERU Desk ") and " self-test passed in " in line
    for name, _check in CHECKS:
        assert f"{name}: " in line
    assert "(offscreen)" in line
    assert "SQLCipher" in line


def test_self_test_without_window_imports_no_qt_and_leaves_no_backup_among_real_ones(
    tmp_path: Path,
) -> None:
    backups = tmp_path / "office-backups"
    probe = (
        "import sys\n"
        "from veru_desk.cli import main\n"
        "code = main(['self-test', '--no-window'])\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print('QT-MODULES', qt, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=child_env(tmp_path, VERU_DESK_BACKUP_DIR=str(backups)),
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "QT-MODULES []" in result.stderr
    assert "main window" not in result.stdout
    assert "case summary PDF: " in result.stdout
    assert not backups.exists() or not any(backups.iterdir())


def test_a_failed_check_is_named_and_the_checks_after_it_do_not_run(tmp_path: Path) -> None:
    ran: list[str] = []

    def passes(state: SelfTestState) -> str:
        ran.append("passes")
        return "fine"

    def breaks(state: SelfTestState) -> str:
        ran.append("breaks")
        raise OSError("libsqlcipher.so: cannot open shared object file")

    def never(state: SelfTestState) -> str:
        ran.append("never")
        return "unreachable"

    report = run_checks(
        [("files", passes), ("encrypted database", breaks), ("main window", never)],
        SelfTestState(tmp_path),
    )
    assert not report.ok
    assert ran == ["passes", "breaks"]
    assert report.one_line().endswith(
        "self-test FAILED at 'encrypted database': "
        "OSError: libsqlcipher.so: cannot open shared object file"
    )
    assert "Traceback" in report.result("encrypted database").trace


def test_a_broken_installation_exits_non_zero_naming_the_check(tmp_path: Path) -> None:
    """A bundle whose migrations were left out: the database check fails, not a traceback."""
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "import veru_desk.db.migrate as migrate\n"
        f"migrate.MIGRATIONS_DIR = Path({str(tmp_path / 'gone')!r})\n"
        "from veru_desk.cli import main\n"
        "sys.exit(main(['self-test', '--no-window']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=child_env(tmp_path),
        timeout=300,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert "self-test FAILED at 'encrypted database'" in line
    assert "details in " in line
    log = Path(line.rsplit("details in ", 1)[1].rstrip(")"))
    assert "Traceback" in log.read_text(encoding="utf-8")
