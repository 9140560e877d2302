"""What the search box, the People page, the referral form's duplicate list and the import
wizard show a caseworker of someone else's case (on record, with whom: never the child), and
how a session ends when its account is disabled while it is open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from ui_drivers import shown

from veru_desk.app import build_main_window
from veru_desk.db.engine import Database
from veru_desk.db.models import AuditEvent
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import AuditAction, Role
from veru_desk.services import Services
from veru_desk.services.actor import Actor
from veru_desk.services.users import SignInError, actor_for, add_user, sign_in
from veru_desk.ui.dialogs.import_wizard import ImportWizard
from veru_desk.ui.dialogs.referral_form import ReferralForm
from veru_desk.ui.pages.people import PeoplePage
from veru_desk.ui.shell.lock_screen import LockController
from veru_desk.ui.shell.main_window import MainWindow
from veru_desk.ui.widgets.search_box import SearchBox

ON_RECORD = "allocated to Dariusz Wójcik — ask them or your manager"
PASSWORD = "a long enough passphrase"


@pytest.fixture
def as_aisha(db: Database, team: object) -> Services:
    return Services(db, team.aisha)  # type: ignore[attr-defined]


def _lookups(db: Database) -> list[str | None]:
    with db.read() as session:
        return list(
            session.scalars(
                select(AuditEvent.username).where(AuditEvent.action == AuditAction.LOOKUP)
            )
        )


def test_the_search_box_shows_another_case_on_record_and_will_not_open_it(
    qtbot: QtBot, as_aisha: Services, as_manager: Services, lukasz_case: int, db: Database
) -> None:
    case_ref = as_manager.people.get(lukasz_case).case_ref
    box = shown(qtbot, SearchBox(as_aisha))
    with qtbot.waitSignal(box.searched) as searched:
        box.setText("VERU-")
        box.search_now()
    assert searched.args == [0]
    assert box.result_texts() == ["No young person matches “VERU-”"]
    with qtbot.waitSignal(box.searched) as searched:
        box.setText(case_ref)
        box.search_now()
    assert searched.args == [1]
    assert box.result_texts() == [f"On record: {case_ref}, {ON_RECORD}"]
    assert "Łukasz" not in box.result_texts()[0]
    with qtbot.assertNotEmitted(box.person_chosen):
        box.choose_row(0)
        qtbot.keyClick(box, Qt.Key.Key_Return)
    assert _lookups(db) == ["aisha"]


def test_the_people_page_shows_whom_to_ask_and_offers_no_way_in(
    qtbot: QtBot, as_aisha: Services, as_manager: Services, lukasz_case: int
) -> None:
    person = as_manager.people.get(lukasz_case)
    page = shown(qtbot, PeoplePage(as_aisha))
    with qtbot.waitSignal(page.searched) as searched:
        page.query.setText("wis")
        page.search_now()
    assert searched.args == [0] and page.model.rowCount() == 0
    born = format_uk_date(person.details.date_of_birth)
    with qtbot.waitSignal(page.searched) as searched:
        page.query.setText(f"Łukasz Wiśniewski {born}")
        page.search_now()
    assert searched.args == [1]
    cells = [page.model.index(0, c).data() for c in range(page.model.columnCount())]
    assert cells == [
        person.case_ref,
        "On record (not your case): ask Dariusz Wójcik or your manager",
        "",
        "",
        "",
        "Dariusz Wójcik",
    ]
    assert not page.open_button.isEnabled()
    assert not page.new_referral_button.isEnabled()
    assert page.result_label.text() == f"On record: {person.case_ref}, {ON_RECORD}."
    with qtbot.assertNotEmitted(page.open_case):
        page.open_selected()
        page.table.activated.emit(page.model.index(0, 0))


def test_the_referral_form_lists_a_duplicate_on_record_and_can_still_join_it(
    qtbot: QtBot, as_aisha: Services, as_manager: Services, lukasz_case: int
) -> None:
    person = as_manager.people.get(lukasz_case)
    form = shown(qtbot, ReferralForm(as_aisha))
    qtbot.keyClicks(form.first_name, "Lukasz")
    qtbot.keyClicks(form.last_name, "Wisniewski")
    qtbot.keyClicks(form.date_of_birth, format_uk_date(person.details.date_of_birth))
    qtbot.keyClicks(form.referring_agency, "Luton Sixth Form College")
    form.check_duplicates()
    assert form.duplicates_panel.isVisible()
    assert form.duplicate_list.item(0).text() == f"On record: {person.case_ref}, {ON_RECORD}"
    qtbot.mouseClick(form.use_duplicate, Qt.MouseButton.LeftButton)
    assert form.existing_person_id == lukasz_case
    assert form.existing_label.text().endswith(f"On record: {person.case_ref}, {ON_RECORD}")
    assert form.age_label.text() == "Age 14"  # from the date of birth typed, not disclosed
    form.save()
    assert form.intake is not None and form.intake.person_id == lukasz_case


def test_the_import_wizard_says_whom_to_ask_about_a_row_on_record(
    qtbot: QtBot, tmp_path: Path, as_aisha: Services, as_manager: Services, lukasz_case: int
) -> None:
    person = as_manager.people.get(lukasz_case)
    received = format_uk_date(dt.date.today() - dt.timedelta(days=3))
    path = tmp_path / "referrals.csv"
    path.write_text(
        "first_name,last_name,date_of_birth,referral_date,referring_agency,reasons\n"
        f"Łukasz,Wiśniewski,{format_uk_date(person.details.date_of_birth)},"
        f"{received},Luton Youth Service,knife\n",
        encoding="utf-8",
    )
    wizard = shown(qtbot, ImportWizard(as_aisha))
    wizard.choose_page.path.setText(str(path))
    wizard.next()
    model = wizard.preview_page.row_model
    texts = [model.index(0, c).data() for c in range(model.columnCount())]
    assert (
        f"On record: {person.case_ref}, allocated to Dariusz Wójcik (ask them or your "
        "manager): new referral on that record"
    ) in texts


# --- a disabled account's open session ---------------------------------------------------------


@pytest.fixture
def siobhan(db: Database) -> Actor:
    with db.write() as session:
        return actor_for(
            add_user(session, "siobhan", "Siobhán Nic Giolla Phádraig", {Role.CASEWORKER}, PASSWORD)
        )


@pytest.fixture
def window(db: Database, siobhan: Actor, settings: QSettings) -> Iterator[MainWindow]:
    built = build_main_window(Services(db, siobhan), settings=settings, database_label="test.db")
    built.show()
    yield built
    for widget in QApplication.topLevelWidgets():
        if not shiboken6.isValid(widget) or not widget.isVisible():
            continue
        if isinstance(widget, QDialog):
            QDialog.done(widget, QDialog.DialogCode.Rejected)
            continue
        widget.close()


def test_a_disabled_account_is_refused_at_its_next_action_and_sent_to_the_lock_screen(
    qtbot: QtBot, window: MainWindow, siobhan: Actor, db: Database, team: object
) -> None:
    assert siobhan.user_id is not None
    admin = Services(db, team.admin)  # type: ignore[attr-defined]
    with qtbot.waitSignal(window.search_box.searched):
        window.search_box.setText("zoe")
        window.search_box.search_now()  # still signed in and working
    admin.users.set_active(siobhan.user_id, False)
    window.search_box.setText("wis")
    window.search_box.search_now()  # her next action
    qtbot.waitUntil(
        lambda: (
            isinstance(getattr(window, "lock_controller", None), LockController)
            and window.lock_controller.locked
        )  # type: ignore[attr-defined]
    )
    controller: LockController = window.lock_controller  # type: ignore[attr-defined]
    assert controller.dialog is not None
    message = controller.dialog.credentials.message.text()
    assert "account has been disabled by an administrator" in message
    central = window.centralWidget()
    assert central is not None and not central.isVisible()
    with db.read() as session:
        trail = session.execute(
            select(AuditEvent.action, AuditEvent.summary)
            .where(AuditEvent.username == "siobhan")
            .order_by(AuditEvent.id)
        ).all()
    assert (AuditAction.DENIED, "act after the account was disabled") in trail
    assert trail[-1] == (
        AuditAction.LOGOUT,
        "Session ended: the account was disabled by an administrator",
    )
    # Her password no longer carries on; the lock screen says so and stays locked.
    controller.dialog.password.setText(PASSWORD)
    controller.dialog.unlock_button.click()
    assert controller.locked
    with pytest.raises(SignInError):
        sign_in(db, "siobhan", PASSWORD)
