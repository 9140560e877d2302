"""The manager's retention page: the review list, the policy, and anonymising or erasing a
case only after typing its reference and a reason, checked in the caseload and the file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from ui_drivers import DialogDriver, shown

from tests.services.test_retention import closed_case
from veru_desk.domain.enums import AuditAction
from veru_desk.services import Services
from veru_desk.services.caseload import CaseloadFilter
from veru_desk.ui.pages.retention import EndOfRecordDialog, RetentionPage


@pytest.fixture
def zoe(as_manager: Services, as_dariusz: Services, db_path: Path) -> int:
    """Zoë Ó Súilleabháin's case, closed seven years ago; she is 27 now."""
    return closed_case(as_manager, as_dariusz.actor.user_id)  # type: ignore[arg-type]


def _rows(page: RetentionPage) -> list[list[str]]:
    model = page.model
    return [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def _caseload_names(services: Services) -> list[str]:
    rows = services.caseload.rows(services.caseload.ids(CaseloadFilter()))
    return [f"{row.first_name} {row.last_name}" for row in rows]


def _file_bytes(db_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))


def _confirm(case_ref: str, reason: str) -> object:
    def step(dialog: EndOfRecordDialog) -> None:
        assert not dialog.confirm_button.isEnabled()
        dialog.typed_ref.setText("VERU-1999-00001")
        dialog.reason.setText(reason)
        assert not dialog.confirm_button.isEnabled(), "a wrong reference must not confirm"
        dialog.typed_ref.setText(case_ref.lower())
        assert dialog.confirm_button.isEnabled()
        dialog.confirm_button.click()

    return step


def test_the_review_list_shows_reference_dates_and_reason_and_the_policy(
    qtbot: QtBot, as_manager: Services, zoe: int
) -> None:
    page = shown(qtbot, RetentionPage(as_manager))
    page.refresh()
    [row] = _rows(page)
    case_ref = as_manager.people.get(zoe).case_ref
    assert row[0] == case_ref
    assert row[1] == "Zoë Ó Súilleabháin"
    assert row[2].count("/") == 2 and row[3].count("/") == 2  # dd/mm/yyyy
    assert row[4].startswith("6 years since the case ended on ")
    assert page.years.value() == 6 and page.until_age.value() == 25
    assert page.anonymise_button.isEnabled() and page.erase_button.isEnabled()


def test_a_longer_policy_takes_the_case_off_the_list_and_is_audited(
    qtbot: QtBot, as_manager: Services, zoe: int
) -> None:
    page = shown(qtbot, RetentionPage(as_manager))
    page.refresh()
    page.years.setValue(10)
    qtbot.mouseClick(page.save_policy_button, Qt.MouseButton.LeftButton)

    assert as_manager.retention.policy().years_after_closure == 10
    assert _rows(page) == []
    assert "10 years" in page.status.text()
    assert not page.anonymise_button.isEnabled()


def test_anonymising_needs_the_reference_typed_and_removes_the_name_everywhere(
    qtbot: QtBot, as_manager: Services, zoe: int, db_path: Path, dialogs: DialogDriver
) -> None:
    case_ref = as_manager.people.get(zoe).case_ref
    assert "Zoë Ó Súilleabháin" in _caseload_names(as_manager)
    page = shown(qtbot, RetentionPage(as_manager))
    page.refresh()
    dialogs.then(_confirm(case_ref, "Retention review: seven years since closure"))

    qtbot.mouseClick(page.anonymise_button, Qt.MouseButton.LeftButton)

    [dialog] = dialogs.opened
    text = dialog.explanation.text()  # type: ignore[attr-defined]
    assert "Kept, for the unit's statistics" in text and "Removed: names" in text
    assert "Backups taken before today still hold the case" in text
    assert _rows(page) == []
    assert page.status.text() == f"Case {case_ref} anonymised."
    assert "Zoë Ó Súilleabháin" not in _caseload_names(as_manager)
    assert "Anonymised Record" in _caseload_names(as_manager)
    assert "Súilleabháin".encode() not in _file_bytes(db_path)
    with sqlite3.connect(db_path) as connection:
        [summary] = connection.execute(
            "SELECT summary FROM audit_event WHERE action = ?", (AuditAction.ANONYMISE.value,)
        ).fetchone()
    assert summary == f"Case {case_ref} anonymised: Retention review: seven years since closure"


def test_a_reason_naming_the_young_person_is_refused_and_the_dialog_comes_back(
    qtbot: QtBot, as_manager: Services, zoe: int, dialogs: DialogDriver
) -> None:
    case_ref = as_manager.people.get(zoe).case_ref
    page = shown(qtbot, RetentionPage(as_manager))
    page.refresh()
    refusals: list[str] = []

    def read_refusal(dialog: EndOfRecordDialog) -> None:
        refusals.append(dialog.errors.message("reason"))
        assert dialog.typed_ref.text() == case_ref.lower()  # what was typed is kept

    dialogs.then(_confirm(case_ref, "Erasure asked for by Zoë")).then(read_refusal)
    qtbot.mouseClick(page.erase_button, Qt.MouseButton.LeftButton)

    assert "Leave the young person's name out" in refusals[0]
    assert "Zoë Ó Súilleabháin" in _caseload_names(as_manager)


def test_erasing_removes_the_case_and_keeps_only_the_audit_entry(
    qtbot: QtBot, as_manager: Services, zoe: int, db_path: Path, dialogs: DialogDriver
) -> None:
    case_ref = as_manager.people.get(zoe).case_ref
    page = shown(qtbot, RetentionPage(as_manager))
    page.refresh()
    dialogs.then(_confirm(case_ref, "Retention review"))
    qtbot.mouseClick(page.erase_button, Qt.MouseButton.LeftButton)

    [dialog] = dialogs.opened
    assert "Kept: only an audit entry" in dialog.explanation.text()  # type: ignore[attr-defined]
    assert page.status.text() == f"Case {case_ref} erased."
    assert _caseload_names(as_manager) == []
    assert "Súilleabháin".encode() not in _file_bytes(db_path)
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("SELECT count(*) FROM young_person").fetchone()[0] == 0
        [summary] = connection.execute(
            "SELECT summary FROM audit_event WHERE action = ?", (AuditAction.ERASE.value,)
        ).fetchone()
    assert summary == f"Case {case_ref} erased: Retention review"


def test_cancelling_the_confirmation_changes_nothing(
    qtbot: QtBot, as_manager: Services, zoe: int, dialogs: DialogDriver
) -> None:
    page = shown(qtbot, RetentionPage(as_manager))
    page.refresh()
    dialogs.then(lambda dialog: dialog.reject())
    qtbot.mouseClick(page.erase_button, Qt.MouseButton.LeftButton)
    assert len(_rows(page)) == 1
    assert "Zoë Ó Súilleabháin" in _caseload_names(as_manager)
