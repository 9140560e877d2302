"""The Reports screen: period, filters, a preview of the figures, and the exports."""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QFileDialog, QGroupBox, QLabel, QMessageBox, QTableWidget
from pytestqt.qtbot import QtBot
from ui_drivers import DialogDriver

from veru_desk.domain.enums import AuditAction
from veru_desk.services import Services
from veru_desk.services import exports as export_files
from veru_desk.services.audit_log import AuditFilter
from veru_desk.services.outcome_figures import quick_periods
from veru_desk.ui.pages.reports import CUSTOM, BarPreview, ReportsPage, number_text


@pytest.fixture
def page(qtbot: QtBot, as_manager: Services, lukasz_case: int) -> ReportsPage:
    widget = ReportsPage(as_manager)
    qtbot.addWidget(widget)
    widget.refresh()
    return widget


def choose_this_year(page: ReportsPage) -> None:
    page.quick.setCurrentText("Last 12 months")


def test_the_default_period_is_last_quarter_and_typing_a_date_makes_it_custom(
    qtbot: QtBot, page: ReportsPage
) -> None:
    last_quarter = quick_periods(dt.date.today())["Last quarter"]
    assert page.period() == last_quarter
    page.start.setText("01/01/2025")
    page.start.textEdited.emit("01/01/2025")
    assert page.quick.currentText() == CUSTOM


def test_filters_offer_the_unit_caseworkers_and_agencies(page: ReportsPage) -> None:
    workers = [page.worker.itemText(i) for i in range(page.worker.count())]
    assert workers[0] == "All caseworkers"
    assert {"Dariusz Wójcik", "Aisha Mohamed", "Ciarán Ó Briain"} <= set(workers)
    agencies = [page.agency.itemText(i) for i in range(page.agency.count())]
    assert len(agencies) >= 2


def test_showing_figures_previews_every_table_and_enables_exports(page: ReportsPage) -> None:
    choose_this_year(page)
    assert not page.export_buttons[".pdf"].isEnabled()
    page.run()
    assert page.figures is not None
    assert page.figures.referrals_received == 1
    tables = page.preview.findChildren(QTableWidget)
    assert len(tables) >= 10
    # One referral: its count is "<5" in the table, and the chart draws no bar for it.
    assert page.charts[0].bars == []
    by_name = {t.accessibleName(): t for t in tables}
    source = by_name["Referrals received by source"]
    assert source.item(0, 1).text() == "<5"
    funnel = by_name["From referral to outcome: the referral funnel"]
    assert [funnel.item(r, 0).text() for r in range(funnel.rowCount())] == [
        "Referred",
        "Accepted",
        "First contact",
        "Engaged",
        "Closed positively",
    ]
    assert all(button.isEnabled() for button in page.export_buttons.values())


def test_an_unreadable_date_is_shown_not_counted(page: ReportsPage) -> None:
    page.start.setText("31/02/2025")
    page.run()
    assert page.error.isVisibleTo(page)
    assert "February" in page.error.text()
    assert page.figures is None


def test_each_export_writes_the_previewed_figures(
    page: ReportsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    choose_this_year(page)
    page.run()
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda *a, **k: None))
    for suffix in (".pdf", ".xlsx", ".csv"):
        target = tmp_path / f"report{suffix}"
        monkeypatch.setattr(
            QFileDialog, "getSaveFileName", staticmethod(lambda *a, t=target, **k: (str(t), ""))
        )
        page.export_buttons[suffix].click()
        assert target.is_file(), suffix
        assert page.saved.isVisibleTo(page)
        assert page.saved.text.text() == f"Saved to {target}"
    assert "Outcome report" in PdfReader(tmp_path / "report.pdf").pages[0].extract_text()
    assert "Referrals by agency type" in load_workbook(tmp_path / "report.xlsx").sheetnames
    rows = list(csv.reader((tmp_path / "report.csv").open(encoding="utf-8-sig")))
    assert ["Referrals received", "<5", "", ""] in rows


def test_the_commentary_typed_on_the_page_prints_on_the_first_page(
    page: ReportsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    choose_this_year(page)
    page.run()
    page.commentary.setPlainText("Aoife Ní Bhriain joined the team in March; waits fell.")
    target = tmp_path / "report.pdf"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), ""))
    )
    page.export_buttons[".pdf"].click()
    first = " ".join(PdfReader(target).pages[0].extract_text().split())
    assert "Aoife Ní Bhriain joined the team in March; waits fell." in first


def test_a_commentary_too_long_for_the_first_page_is_refused_beside_the_form(
    page: ReportsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    choose_this_year(page)
    page.run()
    page.commentary.setPlainText("Zoë Çelik. " * 800)
    target = tmp_path / "report.pdf"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), ""))
    )
    page.export_buttons[".pdf"].click()
    assert not target.exists()
    assert page.error.isVisibleTo(page)
    assert "fits on the first page" in page.error.text()


def test_cancelling_shows_no_figures(page: ReportsPage, monkeypatch: pytest.MonkeyPatch) -> None:
    from veru_desk.ui.shell import tasks

    original = tasks.Progress.keep_going
    monkeypatch.setattr(tasks.Progress, "keep_going", lambda self, done, total: False)
    page.run()
    monkeypatch.setattr(tasks.Progress, "keep_going", original)
    assert page.figures is None
    assert "Cancelled" in page.status.text()
    assert page.run_button.isEnabled()


def test_opening_the_screen_counts_the_default_period_without_a_click(
    qtbot: QtBot, page: ReportsPage
) -> None:
    assert page.figures is None
    page.show()
    qtbot.waitUntil(lambda: page.figures is not None)
    assert page.figures is not None and page.figures.period == page.period()
    assert all(button.isEnabled() for button in page.export_buttons.values())


@pytest.mark.parametrize(("suffix", "what"), [(".pdf", "PDF"), (".xlsx", "spreadsheet")])
def test_a_report_open_in_another_program_is_named_and_not_audited(
    page: ReportsPage,
    as_manager: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    dialogs: DialogDriver,
    suffix: str,
    what: str,
) -> None:
    """Issue #13, finding 6: the earlier copy is open in a viewer or Excel on Windows."""

    def refusing(source: str | Path, target: str | Path) -> None:
        raise PermissionError(13, "The process cannot access the file", str(target))

    monkeypatch.setattr(os, "replace", refusing)
    monkeypatch.setattr(export_files, "REPLACE_RETRY_SECONDS", (0.0,))
    saved: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda *a: saved.append(a[2])))
    target = tmp_path / "board" / f"Q1{suffix}"
    target.parent.mkdir()
    target.write_bytes(b"last quarter")
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), ""))
    )
    choose_this_year(page)
    page.run()
    page.export_buttons[suffix].click()
    [message] = dialogs.messages
    assert f"Close the {what} (it may be open in another program) and try again" in message
    assert saved == [] and "not saved" in page.status.text()
    assert not page.saved.isVisibleTo(page)
    assert all(button.isEnabled() for button in page.export_buttons.values())
    assert [p.name for p in target.parent.iterdir()] == [target.name]
    assert target.read_bytes() == b"last quarter"
    exported = as_manager.audit_log.query(AuditFilter(actions=frozenset({AuditAction.EXPORT})))
    assert exported == []


def test_the_page_has_its_title_and_labelled_inputs(page: ReportsPage) -> None:
    assert page.findChild(QLabel, "pageTitle").text() == "Outcome reports"  # type: ignore[union-attr]
    for field in (page.quick, page.start, page.end, page.worker, page.agency, page.reason):
        assert field.accessibleName()
    buddies = {label.buddy() for label in page.findChildren(QLabel) if label.buddy() is not None}
    assert {page.quick, page.start, page.end, page.worker, page.agency, page.reason} <= buddies


def test_bars_run_largest_first_and_numbers_have_thousands_separators(
    qtbot: QtBot, page: ReportsPage
) -> None:
    chart = BarPreview()
    qtbot.addWidget(chart)
    chart.set_bars("Referrals by source", [("School", 3), ("Police", 1154), ("Health", 27)])
    assert [label for label, _ in chart.bars] == ["Police", "Health", "School"]
    assert chart.accessibleDescription() == "Police: 1,154; Health: 27; School: 3"
    assert number_text(1154) == "1,154" and number_text(12.5) == "12.5"
    assert number_text("83%") == "83%"


def test_a_tables_value_sits_beside_its_label_not_across_the_page(
    qtbot: QtBot, page: ReportsPage
) -> None:
    page.resize(1280, 720)
    page.show()
    choose_this_year(page)
    page.run()
    qtbot.wait(50)  # laid out as on screen
    tables = page.preview.findChildren(QTableWidget)
    for table in tables:
        assert not table.horizontalHeader().stretchLastSection()
        assert table.width() < page.preview.width()
        assert table.horizontalScrollBar().maximum() == 0, table.accessibleName()
    received = next(t for t in tables if t.accessibleName() == "Referrals received by source")
    label_column = received.columnWidth(0)
    assert received.width() < label_column + 3 * received.columnWidth(1)


def test_the_trend_shows_each_of_the_last_twelve_months(
    qtbot: QtBot, page: ReportsPage, as_manager: Services
) -> None:
    choose_this_year(page)
    page.run()
    assert page.trend_chart is not None and page.trend_table is not None
    assert len(page.months) == 12
    end = page.period().end
    assert page.months[-1].month == end.replace(day=1)
    table = page.trend_table
    assert table.columnCount() == 12
    received = [table.item(0, c).text() for c in range(12)]
    assert sum(int(n.replace(",", "")) for n in received) == 1  # Łukasz's referral
    assert "received" in page.trend_chart.accessibleDescription()
    titles = [box.title() for box in page.preview.findChildren(QGroupBox)]
    assert f"Month by month: {page.months[0].label} to {page.months[-1].label}" in titles
    assert table.horizontalHeaderItem(11).text() == page.months[-1].label.replace(" ", "\n")


def test_inputs_tables_and_charts_have_names_in_the_accessibility_tree(
    qtbot: QtBot, page: ReportsPage
) -> None:
    page.show()
    choose_this_year(page)
    page.run()
    widgets = [page.quick, page.start, page.end, page.worker, page.agency, page.reason]
    widgets += page.preview.findChildren(QTableWidget) + page.charts
    widgets += [page.trend_chart] if page.trend_chart is not None else []
    assert len(widgets) > 15
    for widget in widgets:
        interface = QAccessible.queryAccessibleInterface(widget)
        assert interface is not None and interface.text(QAccessible.Text.Name), widget
    chart = QAccessible.queryAccessibleInterface(page.trend_chart)
    assert "received" in chart.text(QAccessible.Text.Description)
