"""The administrator's backups on the Administration page, and the damaged-database offer at
start: what they show, what they ask, and what reaches the database file."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from ui_drivers import DialogDriver, shown

from veru_desk.config import resolve_database
from veru_desk.db.backup import backup_sqlite, timestamped_name
from veru_desk.db.engine import Database
from veru_desk.db.integrity import DamagedDatabase, damaged_database_error
from veru_desk.services import Services
from veru_desk.services.changes import Changes, Kind
from veru_desk.ui.pages.admin import AdminPage
from veru_desk.ui.pages.backups_panel import BackupsPanel, kind_words
from veru_desk.ui.shell.damaged_database import offer_restore
from veru_desk.ui.shell.events import data_events


@pytest.fixture
def as_admin(db: Database, team: object) -> Services:
    return Services(db, team.admin)  # type: ignore[attr-defined]


def _names(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return sorted(row[0] for row in connection.execute("SELECT first_name FROM young_person"))


def _click_button(text: str) -> object:
    def step(box: QMessageBox) -> None:
        [button] = [b for b in box.buttons() if b.text() == text]
        button.click()

    return step


def _table_rows(panel: BackupsPanel) -> list[list[str]]:
    model = panel.model
    return [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def test_only_administrators_get_the_backups_panel(
    qtbot: QtBot, as_admin: Services, as_manager: Services
) -> None:
    admin_page = shown(qtbot, AdminPage(as_admin))
    manager_page = shown(qtbot, AdminPage(as_manager))
    assert isinstance(admin_page.backups_panel, BackupsPanel)
    assert not hasattr(manager_page, "backups_panel")


def test_backups_are_listed_with_date_kind_in_words_and_size(
    qtbot: QtBot, as_admin: Services, db: Database, db_path: Path
) -> None:
    folder = db_path.parent / "backups"
    taken = dt.datetime(2026, 3, 9, 7, 45, 12)
    backup_sqlite(db.engine, folder / timestamped_name("daily", taken, database=db_path))
    backup_sqlite(db.engine, folder / timestamped_name("before-migration", taken, database=db_path))
    panel = shown(qtbot, BackupsPanel(as_admin))

    rows = _table_rows(panel)
    assert [row[0] for row in rows] == ["09/03/2026 07:45", "09/03/2026 07:45"]
    assert sorted(row[1] for row in rows) == ["Before migration", "Daily"]
    assert all(row[2].endswith(" MB") for row in rows)
    assert kind_words("before-restore") == "Before restore" and kind_words("manual") == "Manual"


def test_the_list_shows_only_this_databases_backups_not_a_neighbours(
    qtbot: QtBot, as_admin: Services, db: Database, db_path: Path
) -> None:
    """Two databases in one folder: each sees its own backups, never the other's (whose
    restore would fail, or worse, replace this database with the other one's records)."""
    folder = db_path.parent / "backups"
    neighbour_path = db_path.with_name("training-copy.db")
    neighbour = Database.open(resolve_database(str(neighbour_path)))
    from veru_desk.db.migrate import upgrade

    upgrade(neighbour.engine)
    taken = dt.datetime(2026, 3, 9, 7, 45, 12)
    theirs = backup_sqlite(
        neighbour.engine, folder / timestamped_name("daily", taken, database=neighbour_path)
    )
    neighbour.dispose()
    ours = backup_sqlite(db.engine, folder / timestamped_name("daily", taken, database=db_path))
    assert theirs != ours  # the same moment, two files: neither overwrote the other

    panel = shown(qtbot, BackupsPanel(as_admin))
    assert [row[3] for row in _table_rows(panel)] == [ours.name]


def test_back_up_now_adds_a_manual_backup_and_says_so(
    qtbot: QtBot, as_admin: Services, db_path: Path
) -> None:
    panel = shown(qtbot, BackupsPanel(as_admin))
    assert panel.model.rowCount() == 0
    qtbot.mouseClick(panel.backup_button, Qt.MouseButton.LeftButton)

    [row] = _table_rows(panel)
    assert row[1] == "Manual"
    assert panel.status.text().startswith(f"Backup written: {db_path.stem}-manual-")
    [made] = (db_path.parent / "backups").glob(f"{db_path.stem}-manual-*.db")
    assert row[3] == made.name


def test_restore_asks_naming_the_date_and_restores_announcing_the_change(
    qtbot: QtBot,
    as_admin: Services,
    as_manager: Services,
    lukasz_case: int,
    db_path: Path,
    dialogs: DialogDriver,
) -> None:
    panel = shown(qtbot, BackupsPanel(as_admin))
    qtbot.mouseClick(panel.backup_button, Qt.MouseButton.LeftButton)
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE young_person SET first_name = 'Ştefan'")
    assert _names(db_path) == ["Ştefan"]
    panel.table.selectRow(0)
    announced: list[Changes] = []
    data_events().changed.connect(announced.append)
    dialogs.then(_click_button("Restore this backup")).then(lambda box: box.accept())

    qtbot.mouseClick(panel.restore_button, Qt.MouseButton.LeftButton)

    question, done = dialogs.messages
    taken = panel.model.rows()[-1].taken_at  # the manual one, now the oldest
    assert f"taken on {taken:%d/%m/%Y %H:%M}" in question
    assert "The current database is backed up first" in question
    assert "Everyone else must close VERU Desk" in question
    assert _names(db_path) == ["Łukasz"]
    qtbot.waitUntil(lambda: any(c.touches(Kind.DATABASE) for c in announced))
    [safety] = (db_path.parent / "backups").glob(f"{db_path.stem}-before-restore-*.db")
    assert safety.name in done
    assert _names(safety) == ["Ştefan"]
    assert any(row[1] == "Before restore" for row in _table_rows(panel))


def test_restore_cancelled_at_the_question_changes_nothing(
    qtbot: QtBot, as_admin: Services, lukasz_case: int, db_path: Path, dialogs: DialogDriver
) -> None:
    panel = shown(qtbot, BackupsPanel(as_admin))
    qtbot.mouseClick(panel.backup_button, Qt.MouseButton.LeftButton)
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE young_person SET first_name = 'Ştefan'")
    panel.table.selectRow(0)
    dialogs.then(_click_button("Cancel"))
    qtbot.mouseClick(panel.restore_button, Qt.MouseButton.LeftButton)

    assert _names(db_path) == ["Ştefan"]
    assert not list((db_path.parent / "backups").glob("*before-restore-*.db"))


# --- the damaged database at start ------------------------------------------------------------


def _damage(path: Path) -> None:
    """Overwrites part of the file, as a failing disk or a torn copy would."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(size * 3 // 4)
        handle.write(b"\x5a" * 4096 * 2)


@pytest.fixture
def damaged(db: Database, db_path: Path, as_manager: Services, lukasz_case: int) -> DamagedDatabase:
    """A database with enough pages to damage, its daily backup, then the damage."""
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE filler (id INTEGER PRIMARY KEY, words TEXT)")
        conn.exec_driver_sql("CREATE INDEX ix_filler_words ON filler (words)")
        for number in range(3000):
            conn.exec_driver_sql(
                "INSERT INTO filler (words) VALUES (?)", (f"Abdirahman Warsame {number:05d}",)
            )
    folder = db_path.parent / "backups"
    backup_sqlite(db.engine, folder / timestamped_name("daily", database=db_path))
    db.dispose()
    _damage(db_path)
    reopened = Database.open(resolve_database(str(db_path)))
    from veru_desk.db.integrity import quick_check

    problem = quick_check(reopened.engine)
    reopened.dispose()
    assert problem is not None, "the damage missed: the test would prove nothing"
    return damaged_database_error(problem, db_path, folder)


def test_an_administrator_restores_the_latest_good_backup_and_the_damaged_file_is_kept(
    qtbot: QtBot, as_admin: Services, damaged: DamagedDatabase, db_path: Path, dialogs: DialogDriver
) -> None:
    dialogs.then(_click_button("Restore this backup")).then(lambda box: box.accept())
    assert offer_restore(None, damaged, as_admin) is True

    offer, done = dialogs.opened
    assert "found it damaged" in offer.text()  # type: ignore[attr-defined]
    assert "latest good backup is the backup taken on" in offer.informativeText()  # type: ignore[attr-defined]
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert _names(db_path) == ["Łukasz"]
    [kept] = (db_path.parent / "backups").glob(f"{db_path.stem}-damaged-*.damaged.db")
    assert kept.name in done.informativeText()  # type: ignore[attr-defined]
    assert as_admin.backups.list()[0].kind != "damaged"  # never offered for restoring


def test_choosing_to_close_restores_nothing(
    qtbot: QtBot, as_admin: Services, damaged: DamagedDatabase, db_path: Path, dialogs: DialogDriver
) -> None:
    dialogs.then(_click_button("Close VERU Desk"))
    assert offer_restore(None, damaged, as_admin) is False
    assert not list((db_path.parent / "backups").glob("*damaged-*"))


def test_a_caseworker_is_told_an_administrator_must_restore(
    qtbot: QtBot, as_dariusz: Services, damaged: DamagedDatabase, dialogs: DialogDriver
) -> None:
    assert offer_restore(None, damaged, as_dariusz) is False
    [box] = dialogs.opened
    assert "administrator" in box.informativeText()  # type: ignore[attr-defined]
    assert "close now" in box.informativeText()  # type: ignore[attr-defined]


def test_with_no_good_backup_the_app_says_whom_to_call(
    qtbot: QtBot, as_admin: Services, db_path: Path, dialogs: DialogDriver
) -> None:
    error = DamagedDatabase("damaged", problem="Page 92: btreeInitPage()", backup=None)
    assert offer_restore(None, error, as_admin) is False
    [box] = dialogs.opened
    assert "no good backup" in box.informativeText()  # type: ignore[attr-defined]
    assert "IT support" in box.informativeText()  # type: ignore[attr-defined]


def test_with_only_an_earlier_releases_backups_the_app_names_them(
    qtbot: QtBot, as_admin: Services, db_path: Path, dialogs: DialogDriver
) -> None:
    """Backups named by an earlier release are shared by every database in the folder, so
    they are not offered; but "there is no good backup" would send IT away empty-handed."""
    folder = db_path.parent / "backups"
    folder.mkdir(exist_ok=True)
    old = folder / "daily-20261201-090000.db"
    old.write_bytes(db_path.read_bytes())
    error = damaged_database_error("Page 92: btreeInitPage()", db_path, folder)
    assert error.backup is None
    assert offer_restore(None, error, as_admin) is False
    [box] = dialogs.opened
    text = box.informativeText()  # type: ignore[attr-defined]
    assert old.name in text and "veru-desk restore" in text
    assert "There is no good backup in the backup folder:" not in text
    assert "IT support" in text
