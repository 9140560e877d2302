"""The import wizard (scenario 6) and the app's start-up and crash handling."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QWizard
from pytestqt.qtbot import QtBot
from shell_helpers import born_years_ago, refer
from ui_drivers import shown

from veru_desk import app as app_module
from veru_desk.domain.dates import format_uk_date
from veru_desk.services import Services
from veru_desk.ui.dialogs.import_wizard import ImportWizard

HEADER = "first_name,last_name,date_of_birth,nhs_number,referral_date,referring_agency,reasons\r\n"


def spreadsheet(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "yjs-referrals.csv"
    path.write_bytes((HEADER + "\r\n".join(rows) + "\r\n").encode("utf-8-sig"))
    return path


def test_bad_rows_are_listed_with_their_row_numbers_and_nothing_can_be_imported(
    qtbot: QtBot, tmp_path: Path, as_dariusz: Services
) -> None:
    received = format_uk_date(born_years_ago(0, 10))
    path = spreadsheet(
        tmp_path,
        [
            f"Zoë,Ó Súilleabháin,03/04/2011,,{received},Youth Justice Service,Gang association",
            f"Ştefan,Popescu,31/02/2011,,{received},Youth Justice Service,Knife carrying",
            f"Abdirahman,Warsame,05/06/2010,943 476 5918,{received},Youth Justice Service,",
        ],
    )
    wizard = shown(qtbot, ImportWizard(as_dariusz))
    wizard.choose_page.path.setText(str(path))
    wizard.next()
    assert wizard.currentPage() is wizard.preview_page
    page = wizard.preview_page
    assert [e.line for e in page.error_model.rows()] == [3, 4]
    assert "nothing will be imported" in page.summary.text()
    assert "2 rows have problems" in page.summary.text()
    # "Import" is pressable and says why nothing happens, rather than doing nothing.
    import_button = wizard.button(QWizard.WizardButton.CommitButton)
    assert import_button.isEnabled() and import_button.text() == "Import"
    qtbot.mouseClick(import_button, Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is page
    assert page.blocked.isVisible()
    assert (
        "Nothing was imported: 2 rows have problems. Fix them in the file and choose it again, "
        "or save the rejected rows to send back"
    ) in page.blocked.text()
    assert as_dariusz.people.search("Súilleabháin") == []
    page.skip_invalid.setChecked(True)
    assert not page.blocked.isVisible()
    assert page.validatePage()


def test_a_problem_is_shown_whole_wrapped_over_as_many_lines_as_it_needs(
    qtbot: QtBot, tmp_path: Path, as_dariusz: Services
) -> None:
    received = format_uk_date(born_years_ago(0, 10))
    path = spreadsheet(
        tmp_path,
        [f"Zoë,Çelik,03/04/2011,,{received},Youth Justice Service,knives; gangz; drill music"],
    )
    wizard = shown(qtbot, ImportWizard(as_dariusz))
    wizard.resize(900, 600)
    wizard.choose_page.path.setText(str(path))
    wizard.next()
    table = wizard.preview_page.error_table
    (problem,) = wizard.preview_page.error_model.rows()
    assert problem.field == "reasons"
    message = table.model().index(0, 2).data()
    assert message == problem.message
    width = table.columnWidth(2)
    needed = table.fontMetrics().horizontalAdvance(message)
    assert needed > width  # the message is longer than its column...
    assert table.wordWrap()
    lines = -(-needed // width)
    assert table.rowHeight(0) >= lines * table.fontMetrics().lineSpacing()  # ...so it wraps


def test_an_xlsx_workbook_imports_and_a_single_new_person_is_one_young_person(
    qtbot: QtBot, tmp_path: Path, as_dariusz: Services
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["First name", "Last name", "Date of birth", "Referral date", "Referring agency"])
    sheet.append(["Oluwaseun", "Adeyemi", dt.date(2011, 4, 3), born_years_ago(0, 5), "Luton YJS"])
    path = tmp_path / "partner.xlsx"
    book.save(path)
    wizard = shown(qtbot, ImportWizard(as_dariusz))
    wizard.choose_page.path.setText(str(path))
    wizard.next()
    page = wizard.preview_page
    assert page.summary.text().startswith("1 row read; 1 ready to import.")
    wizard.next()
    status = wizard.run_page.status.text()
    assert "Imported 1 referral: 1 new young person, 0 already on record." in status
    (found,) = as_dariusz.people.search("Adeyemi")
    assert as_dariusz.people.get(found.person_id).details.date_of_birth == dt.date(2011, 4, 3)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_the_rejected_rows_are_saved_with_their_problem_to_send_back(
    qtbot: QtBot,
    tmp_path: Path,
    as_dariusz: Services,
    monkeypatch: pytest.MonkeyPatch,
    suffix: str,
) -> None:
    received = format_uk_date(born_years_ago(0, 10))
    path = spreadsheet(
        tmp_path,
        [
            f"Aoife,Ní Bhriain,03/04/2011,,{received},Youth Justice Service,knife",
            f"Łukasz,Wiśniewski,31/02/2011,,{received},Youth Justice Service,knife",
        ],
    )
    target = tmp_path / f"back-to-partner{suffix}"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), "Excel workbook (*.xlsx)")
    )
    wizard = shown(qtbot, ImportWizard(as_dariusz))
    wizard.choose_page.path.setText(str(path))
    wizard.next()
    page = wizard.preview_page
    assert page.save_rejected_button.isVisible()
    qtbot.mouseClick(page.save_rejected_button, Qt.MouseButton.LeftButton)
    assert f"Saved 1 row with problems, each with what to fix, to {target}" in page.saved.text()
    if suffix == ".xlsx":
        saved = load_workbook(target, read_only=True)
        rows = [list(r) for r in saved.worksheets[0].iter_rows(values_only=True)]
        saved.close()
    else:
        rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "Row" and rows[0][-1] == "Problem"
    assert [str(rows[1][0]), rows[1][1], rows[1][2], rows[1][3]] == [
        "3",
        "Łukasz",
        "Wiśniewski",
        "31/02/2011",
    ]
    assert "date_of_birth" in str(rows[1][-1])
    assert len(rows) == 2


def test_a_good_file_imports_and_a_known_person_gets_a_new_referral_not_a_duplicate(
    qtbot: QtBot, tmp_path: Path, as_dariusz: Services
) -> None:
    known = refer(as_dariusz, "Łukasz", "Wiśniewski", years=14)
    received = format_uk_date(born_years_ago(0, 10))
    dob = format_uk_date(born_years_ago(14))
    path = spreadsheet(
        tmp_path,
        [
            f"Lukasz,Wisniewski,{dob},,{received},Youth Justice Service,Knife carrying",
            f"Ayşe,Yılmaz,03/04/2011,,{received},Youth Justice Service,County lines",
        ],
    )
    wizard = shown(qtbot, ImportWizard(as_dariusz))
    wizard.choose_page.path.setText(str(path))
    wizard.next()
    rows = wizard.preview_page.row_model.rows()
    assert [r.existing_person_id for r in rows] == [known.person_id, None]
    assert wizard.preview_page.isComplete()
    wizard.next()
    run = wizard.run_page
    assert run.finished and run.result is not None
    assert (run.result.new_people, run.result.existing_people) == (1, 1)
    assert "Imported 2 referrals" in run.status.text()
    assert len(as_dariusz.referrals.for_person(known.person_id)) == 2
    assert len(as_dariusz.people.search("yilmaz")) == 1


def test_a_file_imported_twice_is_shown_as_already_imported_and_adds_nothing(
    qtbot: QtBot, tmp_path: Path, as_dariusz: Services
) -> None:
    received = format_uk_date(born_years_ago(0, 10))
    path = spreadsheet(
        tmp_path,
        [f"Ngozi,Okonkwo-Adeyemi,03/04/2011,,{received},Youth Justice Service,Knife carrying"],
    )
    first = shown(qtbot, ImportWizard(as_dariusz))
    first.choose_page.path.setText(str(path))
    first.next()
    first.next()
    assert first.run_page.result is not None and first.run_page.result.new_referrals == 1
    first.close()

    again = shown(qtbot, ImportWizard(as_dariusz))
    again.choose_page.path.setText(str(path))
    again.next()
    page = again.preview_page
    assert "0 ready to import" in page.summary.text()
    assert "1 already imported" in page.summary.text()
    shown_rows = page.row_model
    known_column = next(
        i
        for i in range(shown_rows.columnCount())
        if "Already imported" in str(shown_rows.index(0, i).data())
    )
    assert "line 2" in str(shown_rows.index(0, known_column).data())
    again.next()
    assert again.run_page.result is not None
    assert again.run_page.result.new_referrals == 0
    assert "1 row was already imported and not added again" in again.run_page.status.text()
    person = as_dariusz.people.search("okonkwo")[0]
    assert len(as_dariusz.referrals.for_person(person.person_id)) == 1


def test_an_unexpected_error_is_logged_and_shown_calmly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp: QApplication
) -> None:
    log_path = app_module.setup_logging(tmp_path)
    shown_errors: list[BaseException] = []
    handler = app_module.ExceptionHandler(log_path)
    monkeypatch.setattr(handler, "show_dialog", shown_errors.append)
    try:
        raise RuntimeError("a bug in a slot")
    except RuntimeError as error:
        handler.handle(RuntimeError, error, error.__traceback__)
    for h in logging.getLogger().handlers:
        h.flush()
    assert "a bug in a slot" in log_path.read_text(encoding="utf-8")
    assert [str(e) for e in shown_errors] == ["a bug in a slot"]


def test_a_database_that_cannot_be_opened_shows_why_and_exits_non_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp: QApplication
) -> None:
    broken = tmp_path / "not-a-database.db"
    broken.write_bytes(b"this is a spreadsheet, not a database" * 100)
    reasons: list[str] = []
    monkeypatch.setattr(app_module, "_fatal", lambda message, detail="": reasons.append(detail))
    monkeypatch.setattr(app_module, "enable_crash_log", lambda directory=None: tmp_path)
    monkeypatch.setattr(app_module.ExceptionHandler, "install", lambda self: None)
    assert app_module.run_app(str(broken)) == 2
    assert reasons and str(broken) in reasons[0]


def test_a_damaged_database_found_after_start_offers_the_restore_and_closes_if_refused(
    qtbot: QtBot, manager_window: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from veru_desk.db.integrity import DamagedDatabase

    offered: list[DamagedDatabase] = []

    def damaged(_db: object) -> None:
        raise DamagedDatabase("integrity check failed", problem="page 12 is broken", backup=None)

    monkeypatch.setattr("veru_desk.db.opening.start_of_day_checks", damaged)
    monkeypatch.setattr(
        "veru_desk.ui.shell.damaged_database.offer_restore",
        lambda window, error, services: offered.append(error) or False,
    )
    manager_window.show()  # type: ignore[attr-defined]
    app_module.run_start_of_day_checks(manager_window)  # type: ignore[arg-type]
    assert len(offered) == 1
    qtbot.waitUntil(lambda: not manager_window.isVisible())  # type: ignore[attr-defined]


def test_the_start_of_day_check_tells_a_manager_the_audit_trail_was_cut(
    qtbot: QtBot, manager_window: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from veru_desk.services.users import sign_out

    services: Services = manager_window.services  # type: ignore[attr-defined]
    for index in range(4):
        sign_out(services.db, services.actor, summary=f"Signed out ({index})")
    with services.db.engine.begin() as connection:  # with the key in hand, outside the app
        if services.db.is_sqlite:
            connection.exec_driver_sql("DROP TRIGGER audit_event_no_delete")
        else:
            connection.exec_driver_sql("DROP TRIGGER audit_event_no_delete ON audit_event")
        cut = connection.exec_driver_sql("SELECT min(id) + 1 FROM audit_event").scalar()
        connection.exec_driver_sql(f"DELETE FROM audit_event WHERE id = {cut}")
    reported: list[str] = []
    monkeypatch.setattr(app_module, "show_error", lambda _w, error: reported.append(str(error)))
    app_module.run_start_of_day_checks(manager_window)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: bool(reported))
    assert "audit_event_no_delete" in reported[0]
    assert f"broken at row {cut + 1}" in reported[0]
