"""A case's contacts driven as Dariusz uses them: the Contacts tab, adding a parent, choosing a
social worker from the unit's directory, ending a teacher's involvement, errors beside their
fields, and the tab reading again when the directory changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from ui_drivers import DialogDriver, shown, type_into

from tests.dates import today
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import AgencyType, ContactRelationship
from veru_desk.services import Services
from veru_desk.services.contacts import ContactInput
from veru_desk.services.directory import AgencyInput, ProfessionalInput
from veru_desk.ui.case.contacts import ContactsTab
from veru_desk.ui.case.overview import OverviewTab
from veru_desk.ui.case.workspace import CaseWorkspace
from veru_desk.ui.dialogs.contact import ContactDialog, DirectoryPicker


def days_ago(days: int) -> dt.date:
    return today() - dt.timedelta(days=days)


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


def tab_for(qtbot: QtBot, services: Services, person_id: int) -> ContactsTab:
    tab = shown(qtbot, ContactsTab(services, person_id))
    tab.refresh()
    return tab


def aoife(services: Services) -> int:
    agency = services.directory.add_agency(
        AgencyInput("Luton Children's Services", AgencyType.SOCIAL_CARE)
    )
    return services.directory.add_professional(
        ProfessionalInput(
            "Aoife Ní Bhriain",
            "Social worker",
            agency_id=agency,
            phone="01582 547123",
            secure_email="aoife.nibhriain@luton.gcsx.gov.uk",
        )
    )


def test_a_parent_added_from_the_tab_is_listed_and_saved(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, dialogs: DialogDriver
) -> None:
    tab = tab_for(qtbot, as_dariusz, lukasz_case)
    assert tab.summary.text().startswith("No contacts recorded")
    assert not tab.change_button.isEnabled() and not tab.end_button.isEnabled()

    def fill(dialog: Any) -> None:
        type_into(qtbot, dialog.name, "Grażyna Wiśniewska")
        choose(dialog.relationship, "Mother")
        type_into(qtbot, dialog.phone, "07700900123")
        dialog.parental.setChecked(True)
        dialog.involved_from.clear()
        type_into(qtbot, dialog.involved_from, format_uk_date(days_ago(30)))
        click(qtbot, dialog.save_button)

    dialogs.then(fill)
    click(qtbot, tab.add_button)
    tab.refresh()  # the workspace re-reads its tabs on a change (tested below)

    [saved] = as_dariusz.contacts.for_case(lukasz_case)
    assert (saved.name, saved.relationship, saved.phone, saved.involved_from) == (
        "Grażyna Wiśniewska",
        ContactRelationship.MOTHER,
        "07700 900123",
        days_ago(30),
    )
    assert saved.parental_responsibility and saved.professional_id is None
    assert cells(tab.table, 0) == ["Grażyna Wiśniewska"]
    assert cells(tab.table, 3) == ["07700 900123"]
    assert cells(tab.table, 5) == [f"Since {format_uk_date(days_ago(30))}"]
    assert tab.summary.text() == "1 involved now."
    assert "Has parental responsibility" in tab.details.text()


def test_choosing_a_social_worker_from_the_directory_fills_the_form_and_links_them(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, dialogs: DialogDriver
) -> None:
    professional = aoife(as_dariusz)
    dialog = shown(qtbot, ContactDialog(as_dariusz, lukasz_case))
    assert not dialog.unlink_button.isVisible()

    def pick(picker: Any) -> None:
        assert isinstance(picker, DirectoryPicker)
        type_into(qtbot, picker.search, "bhriain")
        picker.search_now()
        assert picker.results.count() == 1
        assert picker.results.item(0).text() == (
            "Aoife Ní Bhriain, Social worker (Luton Children's Services)"
        )
        click(qtbot, picker.choose_button)

    dialogs.then(pick)
    click(qtbot, dialog.directory_button)

    assert dialog.name.text() == "Aoife Ní Bhriain"
    assert dialog.relationship.currentText() == "Social worker"
    assert dialog.agency.currentText() == "Luton Children's Services"
    assert dialog.phone.text() == "01582 547123"
    assert dialog.email.text() == "aoife.nibhriain@luton.gcsx.gov.uk"
    assert dialog.linked.text().startswith("Linked to the directory: Aoife Ní Bhriain")
    assert dialog.unlink_button.isVisible()
    click(qtbot, dialog.save_button)

    assert not dialog.isVisible()
    [saved] = as_dariusz.contacts.for_case(lukasz_case)
    assert (saved.professional_id, saved.job_title, saved.agency) == (
        professional,
        "Social worker",
        "Luton Children's Services",
    )


def test_the_directory_search_says_when_nobody_matches(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    aoife(as_dariusz)
    picker = shown(qtbot, DirectoryPicker(as_dariusz))
    assert picker.results.count() == 1 and picker.choose_button.isEnabled()
    type_into(qtbot, picker.search, "Oluwaseun")
    picker.search_now()
    assert picker.results.count() == 0
    assert not picker.choose_button.isEnabled()
    assert picker.status.text().startswith("Nobody in the directory matches")


def test_errors_appear_beside_their_fields_and_nothing_is_saved(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    dialog = shown(qtbot, ContactDialog(as_dariusz, lukasz_case))
    click(qtbot, dialog.save_button)
    assert dialog.errors.message("name") == "Enter the contact's name."
    assert dialog.errors.message("relationship") == "Choose how they know the young person."

    type_into(qtbot, dialog.name, "Zoë Çelik")
    choose(dialog.relationship, "Teacher")
    type_into(qtbot, dialog.email, "zoe.celik at school")
    type_into(qtbot, dialog.phone, "ring the office")
    click(qtbot, dialog.save_button)
    assert "not an email address" in dialog.errors.message("email")
    assert "not a phone number" in dialog.errors.message("phone")
    assert dialog.isVisible()
    assert as_dariusz.contacts.for_case(lukasz_case) == []


def test_ending_a_teachers_involvement_greys_them_below_those_involved_now(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, dialogs: DialogDriver
) -> None:
    teacher = as_dariusz.contacts.add(
        lukasz_case,
        ContactInput("Zoë Çelik", ContactRelationship.TEACHER, involved_from=days_ago(100)),
    )
    as_dariusz.contacts.add(
        lukasz_case, ContactInput("Grażyna Wiśniewska", ContactRelationship.MOTHER)
    )
    tab = tab_for(qtbot, as_dariusz, lukasz_case)
    tab.table.selectRow(cells(tab.table, 0).index("Zoë Çelik"))

    def end(dialog: Any) -> None:
        assert dialog.windowTitle() == "End involvement: Zoë Çelik"
        dialog.ended_on.clear()
        type_into(qtbot, dialog.ended_on, format_uk_date(days_ago(1)))
        type_into(qtbot, dialog.reason, "Moved to Barnfield College")
        click(qtbot, dialog.save_button)

    dialogs.then(end)
    click(qtbot, tab.end_button)
    tab.refresh()

    ended = next(c for c in as_dariusz.contacts.for_case(lukasz_case) if c.id == teacher)
    assert (ended.ended_on, ended.end_reason) == (days_ago(1), "Moved to Barnfield College")
    assert cells(tab.table, 0) == ["Grażyna Wiśniewska", "Zoë Çelik"]
    assert cells(tab.table, 5)[1] == (
        f"{format_uk_date(days_ago(100))} to {format_uk_date(days_ago(1))}: "
        "Moved to Barnfield College"
    )
    assert tab.summary.text() == "1 involved now, 1 no longer involved."
    tab.table.selectRow(1)
    assert not tab.end_button.isEnabled()
    assert tab.details.text().startswith("Zoë Çelik: Teacher")


def test_the_workspace_has_a_contacts_tab_that_follows_the_directory(
    qtbot: QtBot, as_dariusz: Services, as_manager: Services, lukasz_case: int
) -> None:
    professional = aoife(as_dariusz)
    as_dariusz.contacts.add(lukasz_case, as_dariusz.contacts.from_directory(professional))
    workspace = shown(qtbot, CaseWorkspace(as_dariusz, lukasz_case))
    labels = [workspace.tabs.tabText(i) for i in range(workspace.tabs.count())]
    assert "Co&ntacts" in labels
    workspace.tabs.setCurrentWidget(workspace.contacts_tab)
    tab = workspace.contacts_tab
    assert cells(tab.table, 3) == ["01582 547123"]

    [view] = as_manager.directory.professionals()
    as_manager.directory.change_professional(
        professional,
        ProfessionalInput(
            "Aoife Ní Bhriain",
            "Senior social worker",
            agency_id=view.agency_id,
            phone="01582 547999",
        ),
        view.version,
    )
    assert cells(tab.table, 3) == ["01582 547999"]
    assert cells(tab.table, 1) == ["Social worker (Senior social worker)"]

    as_dariusz.contacts.add(
        lukasz_case, ContactInput("Grażyna Wiśniewska", ContactRelationship.MOTHER)
    )
    assert cells(tab.table, 0) == ["Aoife Ní Bhriain", "Grażyna Wiśniewska"]


def test_a_linked_professionals_details_are_the_directorys_until_unlinked(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    professional = aoife(as_dariusz)
    contact = as_dariusz.contacts.add(lukasz_case, as_dariusz.contacts.from_directory(professional))
    [shown_contact] = as_dariusz.contacts.for_case(lukasz_case)
    dialog = shown(qtbot, ContactDialog(as_dariusz, lukasz_case, shown_contact))
    assert dialog.phone.isReadOnly() and not dialog.agency.isEnabled()
    assert "kept there" in dialog.linked.text()

    click(qtbot, dialog.unlink_button)
    assert not dialog.phone.isReadOnly() and dialog.agency.isEnabled()
    dialog.phone.clear()
    type_into(qtbot, dialog.phone, "07700 900789")
    click(qtbot, dialog.save_button)

    [saved] = as_dariusz.contacts.for_case(lukasz_case)
    assert (saved.id, saved.professional_id, saved.phone) == (contact, None, "07700 900789")
    assert [p.cases for p in as_dariusz.directory.professionals()] == [0]


def test_the_overview_lists_only_those_involved_now(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    contacts = as_dariusz.contacts
    contacts.add(lukasz_case, ContactInput("Grażyna Wiśniewska", ContactRelationship.MOTHER))
    teacher = contacts.add(
        lukasz_case, ContactInput("Mr Oluwaseun Adeyemi", ContactRelationship.TEACHER)
    )
    [row] = [c for c in contacts.for_case(lukasz_case) if c.id == teacher]
    contacts.end(teacher, days_ago(2), "Moved school", row.version)
    overview = shown(qtbot, OverviewTab(as_dariusz, lukasz_case))
    overview.refresh()
    qtbot.waitUntil(lambda: "Grażyna" in overview.contacts_label.text())
    assert "Adeyemi" not in overview.contacts_label.text()
