"""The data-quality page: Priya finds that "Zoey Bronte", referred by a school last week, is
Zoë Brontë, an open case of Dariusz's; she compares the two records, takes the school's
newer phone number, merges them, sees the merge listed, and undoes it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from ui_drivers import DialogDriver, open_case_for, shown

from veru_desk.app import build_main_window
from veru_desk.db.engine import Database
from veru_desk.domain.enums import ReferralStatus
from veru_desk.services import Services
from veru_desk.services.people import PersonDetails
from veru_desk.ui.dialogs.merge_people import MergePeopleDialog
from veru_desk.ui.pages.data_quality import DataQualityPage

BORN = dt.date(2010, 9, 14)


def rows(model: Any) -> list[list[str]]:
    return [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def press(label: str) -> Any:
    """Answers a confirmation by pressing the button that says what it does."""

    def step(box: QMessageBox) -> None:
        next(b for b in box.buttons() if b.text() == label).click()

    return step


@pytest.fixture
def duplicate(as_manager: Services, team: Any) -> tuple[int, int]:
    kept = open_case_for(
        as_manager,
        team.dariusz.user_id,
        first_name="Zoë",
        last_name="Brontë",
        preferred_name=None,
        date_of_birth=BORN,
    )
    other = as_manager.people.create(
        PersonDetails("Zoey", "Bronte", BORN, phone="07700 900123", postcode="LU2 7GH")
    )
    return kept, other


def test_a_manager_merges_two_records_through_the_screen_and_undoes_it(
    qtbot: QtBot,
    db: Database,
    as_manager: Services,
    duplicate: tuple[int, int],
    dialogs: DialogDriver,
) -> None:
    kept, other = duplicate
    page = shown(qtbot, DataQualityPage(as_manager))
    page.resize(1280, 720)
    with qtbot.waitSignal(page.loaded):
        page.refresh()
    assert page.tabs.tabText(0) == "Likely duplicates (1)"
    [pair] = rows(page.pair_model)
    assert pair[0] == "95%"  # same birthday and surname; Zoey is a form of Zoë
    assert (
        "Zoë Brontë" in pair[1] and "Zoey Bronte" in pair[3] and pair[2] == pair[4] == "14/09/2010"
    )
    assert "first names Zoë / Zoey are the same name" in pair[5]
    assert not page.compare_button.isEnabled()
    page.pair_table.selectRow(0)
    assert page.compare_button.isEnabled()

    seen: dict[str, Any] = {}

    def merge(dialog: MergePeopleDialog) -> None:
        assert dialog.merge_button.isEnabled()
        # Zoë's record has the open case and more history: it is the one kept.
        assert dialog.kept().person_id == kept
        a_phone, b_phone = dialog.choices["phone"]
        (b_phone if dialog.preview.b.person_id == other else a_phone).setChecked(True)
        dialog.reason.setText("Same girl: the school spelt her name as she writes it")
        seen["chosen"] = dialog.chosen()
        dialog.merge_button.click()
        seen["merge_id"] = dialog.merge_id

    dialogs.then(merge).then(press("Merge records"))
    with qtbot.waitSignal(page.loaded):
        page.compare_button.click()
    assert seen["merge_id"] is not None
    assert {k: str(v) for k, v in seen["chosen"].items()} == {
        "first_name": "kept",
        "last_name": "kept",
        "phone": "other",
        "postcode": "kept",
    }
    view = as_manager.people.get(kept)
    assert view.details.phone == "07700 900123" and view.details.first_name == "Zoë"
    assert view.status is ReferralStatus.ALLOCATED
    assert page.tabs.tabText(0) == "Likely duplicates (0)"
    assert page.no_pairs.isVisible()
    [done] = rows(page.merge_model)
    assert done[1:5] == [view.case_ref, done[2], "Priya Raghunathan", "Phone"]
    assert done[6] == "No"

    page.tabs.setCurrentIndex(1)
    page.merge_table.selectRow(0)
    assert page.undo_button.isEnabled()
    dialogs.then(press("Undo merge"))
    with qtbot.waitSignal(page.loaded):
        page.undo_button.click()
    assert as_manager.people.get(kept).details.phone is None
    assert page.tabs.tabText(0) == "Likely duplicates (1)"
    assert rows(page.merge_model)[0][6].endswith("by Priya Raghunathan")
    page.merge_table.selectRow(0)
    assert not page.undo_button.isEnabled()  # an undone merge cannot be undone again


def test_two_open_cases_are_refused_in_the_dialog(
    qtbot: QtBot, as_manager: Services, team: Any, dialogs: DialogDriver
) -> None:
    open_case_for(as_manager, team.dariusz.user_id, first_name="Mohammed", last_name="Al-Sayed")
    open_case_for(as_manager, team.aisha.user_id, first_name="Muhammad", last_name="Al-Sayed")
    page = shown(qtbot, DataQualityPage(as_manager))
    with qtbot.waitSignal(page.loaded):
        page.refresh()
    page.pair_table.selectRow(0)

    def look(dialog: MergePeopleDialog) -> None:
        assert not dialog.merge_button.isEnabled()
        assert dialog.refusal.isVisible()
        assert "Both records have an open case" in dialog.refusal.text()

    dialogs.then(look)
    page.compare_button.click()
    assert rows(page.merge_model) == []


def test_missing_essentials_are_listed_by_worker(
    qtbot: QtBot, as_manager: Services, team: Any
) -> None:
    open_case_for(as_manager, team.dariusz.user_id, first_name="Aoife", last_name="Ní Bhriain")
    page = shown(qtbot, DataQualityPage(as_manager))
    with qtbot.waitSignal(page.loaded):
        page.refresh()
    [gap] = rows(page.gap_model)
    assert gap[:3][0] == "Dariusz Wójcik" and gap[2] == "Aoife Ní Bhriain"
    assert "No ethnicity" in gap[3]
    assert page.gap_summary.text().startswith("Dariusz Wójcik: 1 case (1 no ethnicity")
    opened: list[int] = []
    page.open_case.connect(opened.append)
    page.gap_table.selectRow(0)
    page.open_button.click()
    assert len(opened) == 1


def test_a_link_kept_from_before_a_merge_opens_the_record_the_history_moved_to(
    qtbot: QtBot, as_manager: Services, duplicate: tuple[int, int], settings: QSettings
) -> None:
    """Dariusz had Zoey's record open in his list of open cases, a task pointed at it, a
    panel agenda named it: after the merge those ids are the tombstone's, whose history has
    moved. Opening it opens Zoë's record, and the status bar says why."""
    kept, other = duplicate
    preview = as_manager.merging.preview(kept, other)
    version = {side.person_id: side.version for side in (preview.a, preview.b)}
    as_manager.merging.merge(
        kept, other, {}, kept_version=version[kept], other_version=version[other]
    )
    window = build_main_window(as_manager, settings=settings, database_label="test.db")
    qtbot.addWidget(window)
    window.show()
    workspace = window.open_case(other)
    assert workspace is window.workspace(kept)
    assert window.open_case_ids() == [kept]
    kept_ref = as_manager.people.get(kept).case_ref
    message = window.statusBar().currentMessage()
    assert message.startswith("VERU-")
    assert message.endswith(f"merged into {kept_ref}: showing {kept_ref}.")
    for person_id in window.open_case_ids():
        window.close_case(person_id, ask=False)
    window.close()
