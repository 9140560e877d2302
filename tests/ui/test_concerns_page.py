"""The People and places of concern page: the manager's ranked lists with the 90-day change,
who is linked to a chosen entry (others' cases by reference and worker only, for a
caseworker), search, and the add and change dialogs with their errors beside the fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot
from shell_helpers import make_window
from ui_drivers import DialogDriver, open_case_for, shown, type_into

from veru_desk.db.engine import Database
from veru_desk.db.models import PersonOfConcern, Place
from veru_desk.domain.network import (
    Certainty,
    ConcernInput,
    ConcernLinkType,
    InfoSource,
    LinkInput,
    PlaceInput,
    PlaceKind,
    PlaceLinkType,
)
from veru_desk.services import Services
from veru_desk.ui.pages.concerns import ConcernsPage


def cells(table: Any, column: int) -> list[str]:
    model = table.model()
    return [model.index(row, column).data() for row in range(model.rowCount())]


def click(qtbot: QtBot, button: Any) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def choose_row(qtbot: QtBot, table: Any, row: int) -> None:
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _link(kind: ConcernLinkType | PlaceLinkType, days: int = 20) -> LinkInput:
    since = dt.date.today() - dt.timedelta(days=days)
    return LinkInput(kind, InfoSource.POLICE, Certainty.LIKELY, since_on=since)


def _unit(manager: Services, team: Any) -> dict[str, int]:
    """Dean linked to two of Dariusz's young people and one of Aisha's; Skeng to one of
    Aisha's; Wardown Park to one of Dariusz's."""
    kai = open_case_for(manager, team.dariusz.user_id, first_name="Kai", last_name="Ó Súilleabháin")
    zoe = open_case_for(manager, team.dariusz.user_id, first_name="Zoë", last_name="Brontë")
    hoa = open_case_for(manager, team.aisha.user_id, first_name="Hoa", last_name="Nguyễn Thị")
    network = manager.network
    dean = network.add_concern(ConcernInput("Dean Walsh", "D-Money", 24))
    skeng = network.add_concern(ConcernInput("Jordan Reilly", "Skeng", 19))
    park = network.add_place(PlaceInput("Wardown Park", PlaceKind.PARK, "LU2 7HA"))
    for person in (kai, zoe, hoa):
        network.link_concern(person, dean, _link(ConcernLinkType.EXPLOITED_BY))
    network.link_concern(hoa, skeng, _link(ConcernLinkType.ASSOCIATE, days=200))
    network.link_place(kai, park, _link(PlaceLinkType.FREQUENTS))
    return {"kai": kai, "zoe": zoe, "hoa": hoa, "dean": dean, "skeng": skeng, "park": park}


def test_the_manager_sees_the_ranked_lists_and_who_is_linked(
    qtbot: QtBot, as_manager: Services, team: Any
) -> None:
    ids = _unit(as_manager, team)
    page = shown(qtbot, ConcernsPage(as_manager))
    page.refresh()
    assert cells(page.concern_table, 0) == ["Dean Walsh ('D-Money')", "Jordan Reilly ('Skeng')"]
    assert cells(page.concern_table, 2) == ["3", "1"]
    assert cells(page.concern_table, 3) == ["+3", "No change"]
    assert cells(page.place_table, 0) == ["Wardown Park (LU2 7HA)"]
    assert cells(page.place_table, 1) == ["Park or open space"]
    assert page.result_label.text() == "2 persons of concern and 1 place."
    assert page.linked_stack.currentWidget() is page.linked_empty  # nothing read unasked

    choose_row(qtbot, page.concern_table, 0)
    assert page.linked_stack.currentWidget() is page.linked_table
    names = cells(page.linked_table, 0)
    assert len(names) == 3 and any(n.startswith("Zoë Brontë (VERU-") for n in names)
    assert page.linked_title.text() == "Young people linked to Dean Walsh ('D-Money'): 3 links"

    opened: list[int] = []
    page.open_case.connect(opened.append)
    zoe = next(i for i, n in enumerate(names) if n.startswith("Zoë Brontë"))
    page.linked_table.selectRow(zoe)
    page.open_linked()
    assert opened == [ids["zoe"]]

    type_into(qtbot, page.query, "skeng")
    page.show_filtered()
    assert cells(page.concern_table, 0) == ["Jordan Reilly ('Skeng')"]
    assert cells(page.place_table, 0) == []
    assert page.result_label.text() == "Found 1 person of concern and 0 places."


def test_a_caseworker_sees_what_their_cases_touch_and_others_by_reference(
    qtbot: QtBot, as_manager: Services, as_dariusz: Services, team: Any
) -> None:
    _unit(as_manager, team)
    page = shown(qtbot, ConcernsPage(as_dariusz))
    page.refresh()
    assert cells(page.concern_table, 0) == ["Dean Walsh ('D-Money')"]  # not Skeng: Aisha's
    assert cells(page.concern_table, 2) == ["3"]  # the unit's count
    choose_row(qtbot, page.concern_table, 0)
    names = cells(page.linked_table, 0)
    others = [n for n in names if "allocated to" in n]
    assert len(names) == 3 and len(others) == 1
    opened: list[int] = []
    page.open_case.connect(opened.append)
    page.linked_table.selectRow(names.index(others[0]))
    page.open_linked()
    assert opened == []  # Aisha's case: not from here
    assert others[0].endswith(", allocated to Aisha Mohamed") and "Hoa" not in others[0]


def test_adding_and_changing_persons_of_concern_and_places_from_the_page(
    qtbot: QtBot, as_dariusz: Services, dialogs: DialogDriver, db: Database
) -> None:
    page = shown(qtbot, ConcernsPage(as_dariusz))
    page.refresh()
    assert not page.change_concern_button.isEnabled()
    assert page.result_label.text().startswith(
        "No person of concern or place is recorded yet for your cases"
    )

    def nameless(dialog: Any) -> None:
        dialog.age.setValue(30)
        click(qtbot, dialog.save_button)
        assert "name or a street name" in dialog.errors.message("name")
        assert dialog.isVisible()
        type_into(qtbot, dialog.street_name, "Little T")
        click(qtbot, dialog.save_button)

    dialogs.then(nameless)
    click(qtbot, page.add_concern_button)
    assert cells(page.concern_table, 0) == ["'Little T'"]
    assert cells(page.concern_table, 1) == ["About 30"]

    def bad_postcode(dialog: Any) -> None:
        type_into(qtbot, dialog.name, "Chicken Cottage, Dunstable Road")
        dialog.kind.setCurrentIndex(dialog.kind.findText("Takeaway or shop front"))
        type_into(qtbot, dialog.postcode, "LU99 9ZZZ")
        click(qtbot, dialog.save_button)
        assert "not a UK postcode" in dialog.errors.message("postcode")
        dialog.postcode.setText("lu1 1hb")
        click(qtbot, dialog.save_button)

    dialogs.then(bad_postcode)
    click(qtbot, page.add_place_button)
    assert cells(page.place_table, 0) == ["Chicken Cottage, Dunstable Road (LU1 1HB)"]
    assert cells(page.place_table, 1) == ["Takeaway or shop front"]

    page.concern_table.select_first()

    def rename(dialog: Any) -> None:
        assert dialog.street_name.text() == "Little T"
        type_into(qtbot, dialog.name, "Tyrone Baptiste")
        click(qtbot, dialog.save_button)

    dialogs.then(rename)
    click(qtbot, page.change_concern_button)
    assert cells(page.concern_table, 0) == ["Tyrone Baptiste ('Little T')"]
    with db.read() as session:
        concern = session.query(PersonOfConcern).one()
        assert (concern.name, concern.approximate_age, concern.created_by_id) == (
            "Tyrone Baptiste",
            30,
            as_dariusz.actor.user_id,
        )
        assert session.query(Place).one().postcode == "LU1 1HB"


def test_case_roles_have_the_page_and_an_administrator_does_not(
    qtbot: QtBot, db: Database, team: Any, settings: QSettings
) -> None:
    caseworker = make_window(qtbot, Services(db, team.dariusz), settings)
    assert isinstance(caseworker.show_page("concerns"), ConcernsPage)
    admin = make_window(qtbot, Services(db, team.admin), settings)
    assert admin.show_page("concerns") is None
