"""The audit viewer: a paged model that passes Qt's model checks, filters, withheld details
for administrators, and the CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QSettings, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot
from shell_helpers import make_window
from ui_drivers import DialogDriver

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import AuditAction
from veru_desk.services import Services
from veru_desk.services import exports as export_files
from veru_desk.services.audit_log import WITHHELD, AuditFilter
from veru_desk.services.people import PersonDetails
from veru_desk.ui.dialogs.audit_event import AuditEventDialog
from veru_desk.ui.pages import audit as audit_page
from veru_desk.ui.pages.audit import AuditPage, AuditTableModel
from veru_desk.ui.shell.main_window import MainWindow


@pytest.fixture
def busy_trail(as_manager: Services, as_dariusz: Services, lukasz_case: int) -> str:
    """Dariusz opens Łukasz's case several times; returns the case reference."""
    ref = ""
    for _ in range(7):
        ref = as_dariusz.people.open_case(lukasz_case).case_ref
    return ref


def cells(page: AuditPage, column: int) -> list[str]:
    model = page.model
    return [model.data(model.index(row, column)) for row in range(model.rowCount())]


def test_the_model_passes_qts_checks_and_pages_in_as_the_view_scrolls(
    qtmodeltester: Any, as_manager: Services, busy_trail: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_page, "PAGE", 3)
    total = as_manager.audit_log.count()  # before the look, whose own event comes after
    model = AuditTableModel(as_manager)
    model.load(AuditFilter())
    assert model.rowCount() == 3 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 6
    qtmodeltester.check(model)  # which may fetch more, as a view would
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == total
    ids = [model.row_at(row).id for row in range(total)]  # type: ignore[union-attr]
    assert ids == sorted(set(ids), reverse=True)
    qtmodeltester.check(model)


def test_a_manager_filters_by_user_case_and_action(
    qtbot: QtBot, as_manager: Services, busy_trail: str
) -> None:
    page = AuditPage(as_manager)
    qtbot.addWidget(page)
    page.refresh()
    page.user_filter.setCurrentIndex(page.user_filter.findData("dariusz"))
    page.action_filter.setCurrentIndex(page.action_filter.findData(AuditAction.VIEW))
    page.case_filter.setText(busy_trail)
    page.apply_button.click()
    assert cells(page, 1) == ["Dariusz Wójcik"] * 7
    assert set(cells(page, 2)) == {"Viewed"}
    assert set(cells(page, 3)) == {f"{busy_trail} Łukasz Wiśniewski (Łuki)"}
    assert set(cells(page, 4)) == {"Young person"}
    assert set(cells(page, 5)) == {f"Opened case {busy_trail}"}
    assert page.count_label.text() == "7 events"


def test_a_bad_filter_is_explained_on_the_page(
    qtbot: QtBot, as_manager: Services, busy_trail: str
) -> None:
    page = AuditPage(as_manager)
    qtbot.addWidget(page)
    page.date_from.setText("31/02/2026")
    page.apply_button.click()
    assert not page.problem.isHidden() and "31/02/2026" in page.problem.text()
    assert page.model.rowCount() == 0
    page.date_from.clear()
    page.case_filter.setText("VERU-2019-00042")
    page.apply_button.click()
    assert "There is no case VERU-2019-00042" in page.problem.text()
    page.clear_filters()
    assert page.problem.isHidden() and page.model.rowCount() > 0


def test_an_administrator_sees_which_case_was_opened_but_not_its_details(
    qtbot: QtBot, db: object, team: Any, busy_trail: str
) -> None:
    page = AuditPage(Services(db, team.admin))  # type: ignore[arg-type]
    qtbot.addWidget(page)
    page.set_filter(AuditFilter(username="dariusz", actions=frozenset({AuditAction.VIEW})))
    assert set(cells(page, 3)) == {busy_trail}
    assert set(cells(page, 5)) == {WITHHELD}


def test_export_writes_the_filtered_trail_to_csv(
    qtbot: QtBot,
    as_manager: Services,
    busy_trail: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = AuditPage(as_manager)
    qtbot.addWidget(page)
    page.case_filter.setText(busy_trail)
    page.date_from.setText(format_uk_date(dt.date.today()))
    page.refresh()
    target = tmp_path / "trail"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "CSV files (*.csv)")
    )
    page.export_button.click()
    with (tmp_path / "trail.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["Case ref"] for row in rows} == {busy_trail}
    assert page.count_label.text() == f"{len(rows)} events exported"
    assert page.saved.isVisibleTo(page)
    assert page.saved.text.text() == f"Saved to {tmp_path / 'trail.csv'}"
    exports = as_manager.audit_log.query(AuditFilter(actions=frozenset({AuditAction.EXPORT})))
    assert exports[0].summary.startswith(f"Audit trail exported to trail.csv: {len(rows)} events")


def test_managers_and_administrators_find_the_audit_trail_in_the_navigation(
    qtbot: QtBot,
    manager_window: MainWindow,
    db: object,
    team: Any,
    settings: QSettings,
    busy_trail: str,
) -> None:
    page = manager_window.show_page("audit")
    assert isinstance(page, AuditPage) and page.model.rowCount() > 0
    caseworker = make_window(qtbot, Services(db, team.dariusz), settings)  # type: ignore[arg-type]
    assert caseworker.show_page("audit") is None


def test_an_export_over_a_csv_open_in_excel_is_named_and_not_recorded(
    qtbot: QtBot,
    as_manager: Services,
    busy_trail: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    dialogs: DialogDriver,
) -> None:
    """Issue #13, finding 6: the earlier export is still open in Excel on Windows."""

    def refusing(source: str | Path, target: str | Path) -> None:
        raise PermissionError(13, "The process cannot access the file", str(target))

    monkeypatch.setattr(os, "replace", refusing)
    monkeypatch.setattr(export_files, "REPLACE_RETRY_SECONDS", (0.0,))
    page = AuditPage(as_manager)
    qtbot.addWidget(page)
    page.refresh()
    target = tmp_path / "trail.csv"
    target.write_text("last week's export", encoding="utf-8")
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "CSV files (*.csv)")
    )
    page.export_button.click()
    [message] = dialogs.messages
    assert "Close the CSV file (it may be open in another program) and try again" in message
    assert page.export_button.isEnabled() and "exported" not in page.count_label.text()
    assert not page.saved.isVisibleTo(page)
    assert target.read_text(encoding="utf-8") == "last week's export"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith((".", "trail"))] == [
        "trail.csv"
    ]
    exported = as_manager.audit_log.query(AuditFilter(actions=frozenset({AuditAction.EXPORT})))
    assert exported == []


def test_the_viewer_says_the_chain_is_verified_and_where_it_breaks(
    qtbot: QtBot, as_manager: Services, busy_trail: str
) -> None:
    page = AuditPage(as_manager)
    qtbot.addWidget(page)
    page.refresh()
    qtbot.waitUntil(lambda: "verified up to row" in page.chain_label.text())
    db = as_manager.db
    with db.engine.begin() as connection:  # with the key in hand: guard dropped, row edited
        if db.is_sqlite:
            connection.exec_driver_sql("DROP TRIGGER audit_event_no_update")
        else:
            connection.exec_driver_sql("DROP TRIGGER audit_event_no_update ON audit_event")
        edited = connection.exec_driver_sql("SELECT min(id) + 2 FROM audit_event").scalar()
        connection.exec_driver_sql(
            f"UPDATE audit_event SET summary = 'Opened nothing' WHERE id = {edited}"
        )
    again = AuditPage(as_manager)
    qtbot.addWidget(again)
    again.refresh()
    qtbot.waitUntil(lambda: f"broken at row {edited}" in again.chain_label.text())


def test_the_table_speaks_the_apps_words_not_the_databases(
    qtbot: QtBot, as_manager: Services, as_dariusz: Services, lukasz_case: int
) -> None:
    view = as_dariusz.people.open_case(lukasz_case)
    changed = PersonDetails(**{**view.details.__dict__, "preferred_name": "Łukaszek"})
    as_dariusz.people.update(lukasz_case, changed, view.version)
    page = AuditPage(as_manager)
    qtbot.addWidget(page)
    page.set_filter(AuditFilter(username="dariusz", actions=frozenset({AuditAction.UPDATE})))
    assert cells(page, 2) == ["Changed"]
    assert cells(page, 4) == ["Young person"]
    assert cells(page, 3) == [f"{view.case_ref} Łukasz Wiśniewski (Łukaszek)"]
    assert cells(page, 6) == ["Preferred name: Łuki → Łukaszek"]
    assert "Signed in" in [
        page.action_filter.itemText(i) for i in range(page.action_filter.count())
    ]
    assert not any("_" in cell for column in (2, 4, 6) for cell in cells(page, column))


def test_the_when_column_shows_the_whole_date_and_time(
    qtbot: QtBot, as_manager: Services, busy_trail: str
) -> None:
    page = AuditPage(as_manager)
    qtbot.addWidget(page)
    page.resize(1280, 720)
    page.show()
    page.refresh()
    when = cells(page, 0)[0]
    assert len(when) == len("05/12/2026 21:40") and when[2] == "/" and when[10] == " "
    needed = page.table.fontMetrics().horizontalAdvance(when)
    assert page.table.columnWidth(0) >= needed + 2 * page.table.fontMetrics().horizontalAdvance(" ")


def event_dialog(page: AuditPage) -> AuditEventDialog:
    dialog = page.event_dialog
    assert isinstance(dialog, AuditEventDialog) and dialog.isVisible()
    return dialog


def test_double_click_or_enter_shows_every_field_of_the_event(
    qtbot: QtBot, as_manager: Services, busy_trail: str
) -> None:
    page = AuditPage(as_manager)
    qtbot.addWidget(page)
    page.show()
    page.set_filter(AuditFilter(username="dariusz", actions=frozenset({AuditAction.VIEW})))
    first = page.model.row_at(0)
    assert first is not None
    rect = page.table.visualRect(page.model.index(0, 1))
    QTest.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QTest.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = event_dialog(page)
    shown = {label: value.text() for label, value in dialog.values.items()}
    assert shown["When"] == first.when_text
    assert shown["Who"] == "Dariusz Wójcik (dariusz)"
    assert shown["Action"] == "Viewed"
    assert shown["Record"] == f"Young person {busy_trail}, Łukasz Wiśniewski (Łuki)"
    assert shown["Case"] == f"{busy_trail} Łukasz Wiśniewski (Łuki)"
    assert shown["Summary"] == f"Opened case {busy_trail}"
    assert shown["Changes"] == "(none recorded)"
    assert shown["Chain"].startswith(f"Row {first.id:,} of the audit chain (link ")
    dialog.close()

    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(2, 0))
    QTest.keyClick(page.table, Qt.Key.Key_Return)
    third = page.model.row_at(2)
    assert third is not None
    assert event_dialog(page).values["Chain"].text().startswith(f"Row {third.id:,} ")
    assert event_dialog(page).accessibleName() == "Audit event details"


def test_an_administrator_sees_the_case_reference_but_no_name_in_the_detail(
    qtbot: QtBot, db: object, team: Any, busy_trail: str
) -> None:
    page = AuditPage(Services(db, team.admin))  # type: ignore[arg-type]
    qtbot.addWidget(page)
    page.show()
    page.set_filter(AuditFilter(username="dariusz", actions=frozenset({AuditAction.VIEW})))
    page.show_event_at(page.model.index(0, 0))
    shown = {label: value.text() for label, value in event_dialog(page).values.items()}
    assert shown["Record"] == f"Young person {busy_trail}"
    assert shown["Case"] == busy_trail
    assert shown["Summary"] == WITHHELD
    assert "Łukasz" not in " ".join(shown.values())


def test_every_input_and_the_table_have_names_in_the_accessibility_tree(
    qtbot: QtBot, as_manager: Services, busy_trail: str
) -> None:
    page = AuditPage(as_manager)
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    named = (
        page.user_filter,
        page.case_filter,
        page.action_filter,
        page.date_from,
        page.date_to,
        page.table,
        page.count_label,
        page.apply_button,
        page.export_button,
    )
    for widget in named:
        interface = QAccessible.queryAccessibleInterface(widget)
        assert interface is not None
        assert interface.text(QAccessible.Text.Name), widget
    table = QAccessible.queryAccessibleInterface(page.table)
    assert table.text(QAccessible.Text.Name) == "Audit events"


def test_at_1280_by_720_every_column_starts_inside_the_window(
    qtbot: QtBot, as_manager: Services, busy_trail: str
) -> None:
    page = AuditPage(as_manager)
    qtbot.addWidget(page)
    page.resize(1280 - 220, 640)  # the window less its sidebar, menu and status bar
    page.show()
    page.refresh()
    qtbot.waitUntil(lambda: page._columns_fitted)
    qtbot.wait(20)
    assert page.table.horizontalScrollBar().maximum() == 0
    needed = page.table.fontMetrics().horizontalAdvance(cells(page, 0)[0])
    assert page.table.columnWidth(0) > needed
    case = page.table.fontMetrics().horizontalAdvance(f"{busy_trail} Łukasz Wiśniewski (Łuki)")
    assert page.table.columnWidth(3) > case  # the case and name read whole
