"""The directory page driven as the unit uses it: adding an agency and a professional, the
search, correcting a professional, deactivating one (asked first), and what an administrator
and a caseworker are given."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot
from shell_helpers import make_window
from ui_drivers import DialogDriver, shown, type_into

from veru_desk.db.engine import Database
from veru_desk.db.models import Agency, Professional
from veru_desk.domain.enums import AgencyType, ContactRelationship
from veru_desk.services import Services
from veru_desk.services.contacts import ContactInput
from veru_desk.services.directory import AgencyInput, ProfessionalInput
from veru_desk.ui.pages.directory import DirectoryPage


def choose(combo: Any, label: str) -> None:
    index = combo.findText(label)
    assert index >= 0, label
    combo.setCurrentIndex(index)


def cells(table: Any, column: int) -> list[str]:
    model = table.model()
    return [model.index(row, column).data() for row in range(model.rowCount())]


def click(qtbot: QtBot, button: Any) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def labels(window: Any) -> list[str]:
    return [window.navigation.item(i).text() for i in range(window.navigation.count())]


def page_for(qtbot: QtBot, services: Services) -> DirectoryPage:
    page = shown(qtbot, DirectoryPage(services))
    page.refresh()
    return page


def test_an_agency_and_a_professional_added_from_the_page_are_listed_and_saved(
    qtbot: QtBot, as_dariusz: Services, dialogs: DialogDriver, db: Database
) -> None:
    page = page_for(qtbot, as_dariusz)
    assert page.result_label.text() == "0 professionals and 0 agencies in the directory."
    assert not page.change_professional_button.isEnabled()

    def agency(dialog: Any) -> None:
        type_into(qtbot, dialog.name, "Luton Youth Justice Service")
        choose(dialog.agency_type, "Youth justice service")
        type_into(qtbot, dialog.phone, "01582 548000")
        click(qtbot, dialog.save_button)

    def professional(dialog: Any) -> None:
        type_into(qtbot, dialog.name, "Oluwaseun Adeyemi")
        type_into(qtbot, dialog.job_title, "Youth justice officer")
        choose(dialog.agency, "Luton Youth Justice Service")
        type_into(qtbot, dialog.phone, "07700 900456")
        type_into(qtbot, dialog.secure_email, "o.adeyemi@luton.gcsx.gov.uk")
        click(qtbot, dialog.save_button)

    page.tabs.setCurrentIndex(1)
    dialogs.then(agency)
    click(qtbot, page.add_agency_button)
    page.tabs.setCurrentIndex(0)
    dialogs.then(professional)
    click(qtbot, page.add_professional_button)

    assert cells(page.professional_table, 0) == ["Oluwaseun Adeyemi"]
    assert cells(page.professional_table, 2) == ["Luton Youth Justice Service"]
    assert cells(page.professional_table, 4) == ["o.adeyemi@luton.gcsx.gov.uk"]
    assert cells(page.agency_table, 0) == ["Luton Youth Justice Service"]
    assert cells(page.agency_table, 4) == ["1"]
    with db.read() as session:
        row = session.query(Professional).one()
        assert (row.name, row.job_title, row.phone, row.created_by_id) == (
            "Oluwaseun Adeyemi",
            "Youth justice officer",
            "07700 900456",
            as_dariusz.actor.user_id,
        )
        assert session.get_one(Agency, row.agency_id).agency_type is AgencyType.YOUTH_JUSTICE


def test_the_search_finds_by_role_or_agency_and_errors_stay_beside_their_fields(
    qtbot: QtBot, as_dariusz: Services, dialogs: DialogDriver
) -> None:
    school = as_dariusz.directory.add_agency(AgencyInput("Challney High School", AgencyType.SCHOOL))
    as_dariusz.directory.add_professional(
        ProfessionalInput("Zoë Çelik", "Designated safeguarding lead", agency_id=school)
    )
    as_dariusz.directory.add_professional(ProfessionalInput("Aoife Ní Bhriain", "Social worker"))
    page = page_for(qtbot, as_dariusz)
    assert cells(page.professional_table, 0) == ["Aoife Ní Bhriain", "Zoë Çelik"]
    type_into(qtbot, page.query, "challney")
    page.refresh()
    assert cells(page.professional_table, 0) == ["Zoë Çelik"]
    assert page.result_label.text() == "Found 1 professional and 1 agency."

    def bad(dialog: Any) -> None:
        type_into(qtbot, dialog.name, "Ciarán Ó Briain")
        type_into(qtbot, dialog.secure_email, "ciaran at nhs")
        click(qtbot, dialog.save_button)
        assert "not an email address" in dialog.errors.message("secure_email")
        assert dialog.isVisible()

    dialogs.then(bad)
    click(qtbot, page.add_professional_button)
    assert [p.name for p in as_dariusz.directory.professionals()] == [
        "Aoife Ní Bhriain",
        "Zoë Çelik",
    ]


def test_correcting_and_deactivating_a_professional_on_two_cases(
    qtbot: QtBot,
    as_dariusz: Services,
    as_manager: Services,
    lukasz_case: int,
    dialogs: DialogDriver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    aoife = as_dariusz.directory.add_professional(
        ProfessionalInput("Aoife Ní Bhriain", "Social worker", phone="01582 547123")
    )
    as_dariusz.contacts.add(lukasz_case, as_dariusz.contacts.from_directory(aoife))
    page = page_for(qtbot, as_manager)
    assert cells(page.professional_table, 5) == ["1"]

    def change(dialog: Any) -> None:
        dialog.phone.clear()
        type_into(qtbot, dialog.phone, "01582 547999")
        click(qtbot, dialog.save_button)

    dialogs.then(change)
    click(qtbot, page.change_professional_button)
    assert cells(page.professional_table, 3) == ["01582 547999"]
    [contact] = as_dariusz.contacts.for_case(lukasz_case)
    assert contact.phone == "01582 547999"  # the case shows the directory's number

    asked: list[str] = []

    def confirm(_parent: object, _title: str, text: str, **_kwargs: object) -> bool:
        asked.append(text)
        return True

    monkeypatch.setattr("veru_desk.ui.pages.directory.confirm", confirm)
    click(qtbot, page.deactivate_professional_button)
    assert "Aoife Ní Bhriain will no longer be offered" in asked[0]
    assert "contact on 1 case now" in asked[0]
    assert cells(page.professional_table, 0) == []
    page.inactive.setChecked(True)
    assert cells(page.professional_table, 6) == ["No longer active"]
    assert not page.deactivate_professional_button.isEnabled()
    [contact] = as_dariusz.contacts.for_case(lukasz_case)
    assert contact.current and contact.name == "Aoife Ní Bhriain"


def test_a_caseworker_has_the_directory_page_and_an_administrator_does_not(
    qtbot: QtBot, db: Database, team: Any, settings: QSettings
) -> None:
    caseworker = make_window(qtbot, Services(db, team.dariusz), settings)
    assert "Directory" in labels(caseworker)
    page = caseworker.show_page("directory")
    assert isinstance(page, DirectoryPage)
    admin = make_window(qtbot, Services(db, team.admin), settings)
    assert "Directory" not in labels(admin)
    assert admin.show_page("directory") is None


def test_a_contact_typed_without_the_directory_is_not_listed_there(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    as_dariusz.contacts.add(
        lukasz_case, ContactInput("Grażyna Wiśniewska", ContactRelationship.MOTHER)
    )
    page = page_for(qtbot, as_dariusz)
    assert cells(page.professional_table, 0) == []
