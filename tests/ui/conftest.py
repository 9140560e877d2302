"""Fixtures for driving the desktop screens as a user would.

Background tasks run at once (``run_synchronously``); dialogs and menus are scripted with the
drivers in ``ui_drivers``; ``lukasz_case`` is scenario 1's allocated case. For the shell and
list screens, settings go to a file in the test's folder and the case workspace can be
replaced by a small stand-in (``fake_workspace``), so those tests exercise the shell, not the
workspace (which has its own tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from shell_helpers import FakeWorkspace, make_window
from ui_drivers import DialogDriver, MenuDriver, open_case_for

from veru_desk.services import Services
from veru_desk.ui.shell import tasks
from veru_desk.ui.shell.main_window import MainWindow
from veru_desk.ui.widgets.wheel_guard import install_wheel_guard


@pytest.fixture(autouse=True)
def _wheel_guard(qapp: QApplication) -> None:
    """The app's wheel guard, as ``create_application`` installs it (once per session)."""
    install_wheel_guard(qapp)


@pytest.fixture(autouse=True)
def _no_guide_outlives_its_test(qapp: QApplication) -> Iterator[None]:
    """The guide is one window for the whole app (``ui.shell.help``): a test that opened it
    leaves it open for the next, and a window left until the interpreter exits is destroyed
    after the application, which crashed the run ("shared QObject was deleted directly",
    then a segmentation fault). Each test's guide is closed and deleted at its end."""
    yield
    from veru_desk.ui.shell import help as guide

    for window in QApplication.topLevelWidgets():
        if isinstance(window, guide.HelpWindow):
            window.close()
            window.deleteLater()
    guide._guide = None
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(autouse=True)
def _tasks_run_at_once() -> Iterator[None]:
    tasks.run_synchronously(True)
    yield
    tasks.run_synchronously(False)


@pytest.fixture
def lukasz_case(as_manager: Services, team: object) -> int:
    """Scenario 1's case: Łukasz, accepted and allocated to Dariusz."""
    return open_case_for(as_manager, team.dariusz.user_id)  # type: ignore[attr-defined]


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> DialogDriver:
    return DialogDriver(monkeypatch)


@pytest.fixture
def menus(monkeypatch: pytest.MonkeyPatch) -> MenuDriver:
    return MenuDriver(monkeypatch)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def fake_workspace(monkeypatch: pytest.MonkeyPatch) -> type[FakeWorkspace]:
    import veru_desk.ui.case.workspace as case_workspace

    FakeWorkspace.built = []
    monkeypatch.setattr(case_workspace, "CaseWorkspace", FakeWorkspace)
    return FakeWorkspace


@pytest.fixture
def manager_window(
    qtbot: QtBot, as_manager: Services, settings: QSettings, fake_workspace: type[FakeWorkspace]
) -> MainWindow:
    return make_window(qtbot, as_manager, settings)
