"""Incidents driven as Dariusz uses them: the case's Incidents tab, the incident editor with a
new place and another young person added, a refused save that keeps every word typed, and a
colleague's young person shown only by case reference and worker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from ui_drivers import DialogDriver, open_case_for, shown, type_into

from tests.dates import today
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.incidents import IncidentInput, PartyInput
from veru_desk.domain.network import IncidentKind, IncidentRole, InfoSource, PlaceKind
from veru_desk.services import Services
from veru_desk.ui.case.incidents import IncidentsTab


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


def tab_for(qtbot: QtBot, services: Services, person_id: int) -> IncidentsTab:
    tab = shown(qtbot, IncidentsTab(services, person_id))
    tab.refresh()
    return tab


def test_an_incident_recorded_from_the_tab_with_a_new_place_and_another_young_person(
    qtbot: QtBot,
    as_dariusz: Services,
    as_manager: Services,
    team: Any,
    lukasz_case: int,
    dialogs: DialogDriver,
) -> None:
    zoe = open_case_for(as_manager, team.dariusz.user_id, first_name="Zoë", last_name="Brontë")
    tab = tab_for(qtbot, as_dariusz, lukasz_case)
    assert tab.summary.text().startswith("No incidents recorded")

    def fill(dialog: Any) -> None:
        dialog.occurred_on.clear()
        type_into(qtbot, dialog.occurred_on, format_uk_date(days_ago(2)))
        dialog.time.setTime(dialog.time.time().fromString("21:40", "HH:mm"))
        choose(dialog.kind, "Knife incident")
        click(qtbot, dialog.new_place)  # the place dialog (below) adds Wardown Park
        assert dialog.place.currentText() == "Wardown Park (LU2 7HA)"
        assert not dialog.location.isEnabled()
        click(qtbot, dialog.add_young_person)  # the chooser (below) finds Zoë
        assert dialog.party_labels()[1].startswith("Zoë Brontë (VERU-")
        dialog.parties.cellWidget(1, 1).setCurrentIndex(
            dialog.parties.cellWidget(1, 1).findData(IncidentRole.WITNESS)
        )
        choose(dialog.source, "Police")
        type_into(qtbot, dialog.reference, "CAD 4417")
        type_into(qtbot, dialog.summary, "Chased through the park by two males with a knife.")
        click(qtbot, dialog.save_button)

    def new_place(dialog: Any) -> None:
        type_into(qtbot, dialog.name, "Wardown Park")
        choose(dialog.place_kind, PlaceKind.PARK.label)
        type_into(qtbot, dialog.postcode, "LU2 7HA")
        click(qtbot, dialog.save_button)

    def find_zoe(chooser: Any) -> None:
        type_into(qtbot, chooser.find_text, "Brontë")
        chooser.search()
        chooser.found.setCurrentRow(0)
        chooser._accept()

    dialogs.then(fill).then(new_place).then(find_zoe)
    click(qtbot, tab.add_button)
    tab.refresh()

    [saved] = as_dariusz.incidents.for_case(lukasz_case)
    assert (saved.kind, saved.role, saved.where, saved.reference) == (
        IncidentKind.KNIFE,
        IncidentRole.HARMED,
        "Wardown Park (LU2 7HA)",
        "CAD 4417",
    )
    assert saved.occurred_at == dt.datetime.combine(days_ago(2), dt.time(21, 40))
    [hers] = as_dariusz.incidents.for_case(zoe)
    assert hers.role is IncidentRole.WITNESS
    assert cells(tab.table, 1) == ["Knife incident"]
    assert cells(tab.table, 3) == ["Harmed"]
    assert cells(tab.table, 4) == ["Police"]
    assert "Also involved: Zoë Brontë" in tab.details.text()


def test_a_refused_save_keeps_everything_typed_and_says_why_beside_the_field(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, dialogs: DialogDriver
) -> None:
    tab = tab_for(qtbot, as_dariusz, lukasz_case)
    seen: dict[str, Any] = {}

    def fill(dialog: Any) -> None:
        choose(dialog.kind, "Missing episode")
        choose(dialog.source, "Family")
        type_into(qtbot, dialog.location, "Luton station")
        click(qtbot, dialog.save_button)  # no account of what happened: refused
        seen["error"] = dialog.errors.message("summary")
        seen["kept"] = (dialog.kind.currentText(), dialog.location.text(), dialog.party_labels())
        assert dialog.isVisible()

    dialogs.then(fill)
    click(qtbot, tab.add_button)
    assert "what happened" in seen["error"]
    assert seen["kept"] == ("Missing episode", "Luton station", ["This young person"])
    assert as_dariusz.incidents.for_case(lukasz_case) == []


def test_a_caseworker_does_not_see_a_colleagues_young_persons_name(
    qtbot: QtBot, as_manager: Services, as_dariusz: Services, team: Any, lukasz_case: int
) -> None:
    chiamaka = open_case_for(
        as_manager, team.aisha.user_id, first_name="Chiamaka", last_name="Okonkwo"
    )
    as_manager.incidents.add(
        IncidentInput(
            occurred_at=dt.datetime.combine(days_ago(5), dt.time(16, 5)),
            kind=IncidentKind.ROBBERY,
            source=InfoSource.SCHOOL,
            summary="Phone taken at the school gates.",
            parties=(
                PartyInput(IncidentRole.HARMED, lukasz_case),
                PartyInput(IncidentRole.SUSPECTED, chiamaka),
            ),
            location="Challney High School gates",
        )
    )
    tab = tab_for(qtbot, as_dariusz, lukasz_case)
    assert cells(tab.table, 2) == ["Challney High School gates"]
    text = tab.details.text()
    assert "Also involved: Young person: VERU-" in text
    assert "allocated to Aisha Mohamed (suspected)" in text
    assert "Chiamaka" not in text and "Okonkwo" not in text


def test_a_missing_episode_offers_the_missing_flag_from_its_day(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, dialogs: DialogDriver
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from veru_desk.domain.safeguarding import FlagKind

    tab = tab_for(qtbot, as_dariusz, lukasz_case)

    def fill(dialog: Any) -> None:
        dialog.occurred_on.clear()
        type_into(qtbot, dialog.occurred_on, format_uk_date(days_ago(3)))
        choose(dialog.kind, "Missing episode")
        choose(dialog.source, "Family")
        type_into(qtbot, dialog.location, "Last seen at Luton station")
        type_into(qtbot, dialog.summary, "Reported missing by mum overnight.")
        click(qtbot, dialog.save_button)

    def agree(box: QMessageBox) -> None:
        assert "Missing episode" in box.text() and format_uk_date(days_ago(3)) in box.text()
        [add] = [b for b in box.buttons() if b.text() == "Add the flag…"]
        add.click()

    def flag(dialog: Any) -> None:
        assert dialog.kind.currentText() == "Missing episode"
        assert dialog.started_on.text() == format_uk_date(days_ago(3))
        click(qtbot, dialog.save_button)

    dialogs.then(fill).then(agree).then(flag)
    click(qtbot, tab.add_button)
    [missing] = as_dariusz.safeguarding.for_case(lukasz_case)
    assert (missing.kind, missing.started_on) == (FlagKind.MISSING, days_ago(3))

    # A second incident on a day the flag covers asks nothing (no step is scripted).
    tab.offer_missing_flag(
        IncidentInput(
            occurred_at=dt.datetime.combine(days_ago(1), dt.time(22, 0)),
            kind=IncidentKind.MISSING,
            source=InfoSource.FAMILY,
            summary="Missing again.",
            parties=(PartyInput(IncidentRole.HARMED, lukasz_case),),
            location="Home",
        )
    )
    assert len(as_dariusz.safeguarding.for_case(lukasz_case)) == 1
