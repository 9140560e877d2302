"""The real entry points in a separate process: ``python -m veru_desk`` and ``veru-desk``.

Headless commands must run on a server with no display, and stay quick to start, so they must
never import Qt: checked in the child process itself, after the command has run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from veru_desk import __version__
from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.domain.enums import Role
from veru_desk.services.users import add_user

PASSWORD = "correct horse battery staple"
SCRIPT = Path(sys.executable).with_name("veru-desk.exe" if sys.platform == "win32" else "veru-desk")


def child_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERU_DESK_")}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env["VERU_DESK_DATA_DIR"] = str(tmp_path / "userdata")
    env.update(extra)
    return env


def test_python_m_veru_desk_version(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "veru_desk", "--version"],
        capture_output=True,
        text=True,
        env=child_env(tmp_path),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"veru-desk {__version__}"


def test_cases_runs_headless_without_importing_qt(db_path: Path, tmp_path: Path) -> None:
    db = Database.open(resolve_database(str(db_path)))
    with db.write() as session:
        add_user(session, "priya", "Priya Raghunathan", {Role.MANAGER}, PASSWORD)
    db.dispose()
    env = child_env(tmp_path, VERU_DESK_DATABASE=str(db_path), VERU_DESK_PASSWORD=PASSWORD)
    probe = (
        "import sys\n"
        "from veru_desk.cli import main\n"
        "code = main(['cases', '--user', 'priya', '--format', 'json'])\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print('QT-MODULES', qt, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    assert "QT-MODULES []" in result.stderr


@pytest.mark.skipif(not SCRIPT.exists() and not shutil.which("veru-desk"), reason="not installed")
def test_the_installed_veru_desk_script_lists_cases(db_path: Path, tmp_path: Path) -> None:
    db = Database.open(resolve_database(str(db_path)))
    with db.write() as session:
        add_user(session, "priya", "Priya Raghunathan", {Role.MANAGER}, PASSWORD)
    db.dispose()
    script = str(SCRIPT) if SCRIPT.exists() else str(shutil.which("veru-desk"))
    result = subprocess.run(
        [script, "cases", "--database", str(db_path), "--user", "priya"],
        capture_output=True,
        text=True,
        env=child_env(tmp_path, VERU_DESK_PASSWORD=PASSWORD),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "0 cases"
    assert "Traceback" not in result.stderr
