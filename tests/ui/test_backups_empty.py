"""The backups panel with nothing kept yet says how to take the first backup."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from ui_drivers import shown

from veru_desk.db.engine import Database
from veru_desk.services import Services
from veru_desk.ui.pages.backups_panel import BackupsPanel


@pytest.fixture
def as_admin(db: Database, team: object) -> Services:
    return Services(db, team.admin)  # type: ignore[attr-defined]


def test_with_no_backups_the_panel_says_how_to_take_the_first(
    qtbot: QtBot, as_admin: Services, db_path: Path
) -> None:
    panel = shown(qtbot, BackupsPanel(as_admin))
    assert panel.model.rowCount() == 0
    assert panel.empty.isVisible() and not panel.table.isVisible()
    assert "Back up now" in panel.empty.accessibleName()
    qtbot.mouseClick(panel.backup_button, Qt.MouseButton.LeftButton)
    assert panel.model.rowCount() == 1
    assert panel.table.isVisible() and not panel.empty.isVisible()
    assert list((db_path.parent / "backups").glob(f"{db_path.stem}-manual-*.db"))
